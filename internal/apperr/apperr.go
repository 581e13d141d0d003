// Package apperr defines the domain error type: a stable code a client can
// switch on, plus a message for people. The API layer maps codes to HTTP status
// in one place (package api); everything else only returns these errors.
package apperr

import (
	"errors"
	"fmt"
)

// Codes shared across packages. Codes follow the public pay-later API
// conventions so existing merchant integrations recognise them.
const (
	BadValue           = "BAD_VALUE"
	Unauthorized       = "UNAUTHORIZED"
	Forbidden          = "FORBIDDEN"
	NotFound           = "NOT_FOUND"
	NoSuchOrder        = "NO_SUCH_ORDER"
	NoSuchCapture      = "NO_SUCH_CAPTURE"
	NoSuchRefund       = "NO_SUCH_REFUND"
	NoSuchSession      = "NO_SUCH_SESSION"
	NoSuchToken        = "NO_SUCH_AUTHORIZATION"
	TokenUsed          = "AUTHORIZATION_ALREADY_USED"
	SessionExpired     = "SESSION_EXPIRED"
	CaptureNotAllowed  = "CAPTURE_NOT_ALLOWED"
	RefundNotAllowed   = "REFUND_NOT_ALLOWED"
	CancelNotAllowed   = "CANCEL_NOT_ALLOWED"
	NotAllowed         = "NOT_ALLOWED"
	UpdateNotAllowed   = "UPDATE_NOT_ALLOWED"
	IdempotencyReused  = "IDEMPOTENCY_KEY_REUSED"
	InvalidOTP         = "INVALID_OTP"
	TooLarge           = "REQUEST_TOO_LARGE"
	MethodNotAllowed   = "METHOD_NOT_ALLOWED"
	UnsupportedMedia   = "UNSUPPORTED_MEDIA_TYPE"
	TooManyRequests    = "TOO_MANY_REQUESTS"
	Internal           = "INTERNAL_ERROR"
	ServiceUnavailable = "SERVICE_UNAVAILABLE"
)

// Error is a domain error with a stable code.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// New returns an Error with the given code and message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// BadField returns a BAD_VALUE error naming the offending field.
func BadField(field, format string, args ...any) *Error {
	return &Error{Code: BadValue, Message: "Bad value: " + field + " " + fmt.Sprintf(format, args...)}
}

// Code returns the code of err if it is (or wraps) an *Error, and Internal otherwise.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
