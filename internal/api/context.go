package api

import (
	"context"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
)

type correlationKey struct{}

// newCorrelationID returns the id that ties a response to its log lines.
func newCorrelationID() string { return ids.New() }

// correlationID returns the request's correlation id.
func correlationID(ctx context.Context) string {
	s, _ := ctx.Value(correlationKey{}).(string)
	return s
}

var (
	errInternal = apperr.New(apperr.Internal, "An internal error occurred; quote the correlation id when contacting support.")
	errMethod   = apperr.New(apperr.MethodNotAllowed, "This method is not allowed on this path.")
	errNoRoute  = apperr.New(apperr.NotFound, "No such endpoint.")
)
