package api

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/returns"
	"github.com/tillit/tillit/internal/signedlink"
	"github.com/tillit/tillit/internal/stoprequest"
)

// MaxBodyBytes is the largest request body accepted (413 beyond it).
const MaxBodyBytes = 1 << 20

// ErrorBody is the public error shape of every failed request.
type ErrorBody struct {
	ErrorCode     string   `json:"error_code"`
	ErrorMessages []string `json:"error_messages"`
	CorrelationID string   `json:"correlation_id"`
}

// statusOf maps a domain error code to its HTTP status. It is the only place
// where that mapping lives.
func statusOf(code string) int {
	switch code {
	case apperr.BadValue:
		return http.StatusBadRequest
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Forbidden, apperr.CaptureNotAllowed, apperr.RefundNotAllowed, apperr.CancelNotAllowed,
		apperr.NotAllowed, apperr.UpdateNotAllowed, apperr.InvalidOTP, checkout.CodeAccountFrozen:
		return http.StatusForbidden
	case apperr.NotFound, apperr.NoSuchOrder, apperr.NoSuchCapture, apperr.NoSuchRefund, apperr.NoSuchSession, apperr.NoSuchToken:
		return http.StatusNotFound
	case apperr.MethodNotAllowed:
		return http.StatusMethodNotAllowed
	case apperr.TokenUsed, apperr.IdempotencyReused, stoprequest.CodeAnswered, stoprequest.CodeNotRemoved,
		dispute.CodeChanged, dispute.CodeNotOpen, dispute.CodeAlreadyOpen, returns.CodeChanged, returns.CodeNotLive, returns.CodeAlreadyRegistered:
		return http.StatusConflict
	case apperr.SessionExpired, signedlink.CodeExpired:
		return http.StatusGone
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.UnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case apperr.TooManyRequests:
		return http.StatusTooManyRequests
	case apperr.ServiceUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// writeJSON writes v with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// reply writes v as a 200 JSON answer, or err in the public error shape.
func (a *API) reply(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// errorResponse renders err in the public error shape. Unexpected errors are
// logged with the correlation id and answered with a generic message.
func (a *API) errorResponse(r *http.Request, err error) (int, ErrorBody) {
	cid := correlationID(r.Context())
	e, ok := apperr.As(err)
	if !ok {
		a.Logger.ErrorContext(r.Context(), "request failed", slog.String("correlation_id", cid), slog.String("error", err.Error()))
		e = apperr.New(apperr.Internal, "An internal error occurred; quote the correlation id when contacting support.")
	}
	return statusOf(e.Code), ErrorBody{ErrorCode: e.Code, ErrorMessages: []string{e.Message}, CorrelationID: cid}
}

// writeError writes err in the public error shape.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := a.errorResponse(r, err)
	if status == http.StatusUnauthorized {
		scheme := "Basic"
		if strings.HasPrefix(r.URL.Path, "/checkout/") {
			scheme = "Bearer"
		}
		w.Header().Set("WWW-Authenticate", scheme+` realm="Tillit"`)
	}
	writeJSON(w, status, body)
}

// readBody reads the request body within limit bytes and checks that a
// declared content type is JSON.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mediaType, _, err := mime.ParseMediaType(ct); err != nil || mediaType != "application/json" {
			return nil, apperr.New(apperr.UnsupportedMedia, "The request body must be application/json.")
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, apperr.New(apperr.TooLarge, "The request body is larger than %d bytes.", limit)
		}
		return nil, apperr.New(apperr.BadValue, "The request body could not be read.")
	}
	return body, nil
}

// decode reads the body (at most MaxBodyBytes) and decodes one JSON object
// into v. An empty body is an empty object only when allowEmpty is set.
func decode(w http.ResponseWriter, r *http.Request, v any, allowEmpty bool) ([]byte, error) {
	return decodeLimit(w, r, v, allowEmpty, MaxBodyBytes)
}

// decodeLimit is decode with a body of at most limit bytes.
func decodeLimit(w http.ResponseWriter, r *http.Request, v any, allowEmpty bool, limit int64) ([]byte, error) {
	body, err := readBody(w, r, limit)
	if err != nil {
		return nil, err
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		if allowEmpty {
			return body, nil
		}
		return nil, apperr.New(apperr.BadValue, "The request body must be a JSON object.")
	}
	if body[0] != '{' && strings.TrimSpace(string(body))[0] != '{' {
		return nil, apperr.New(apperr.BadValue, "The request body must be a JSON object.")
	}
	if err := checkout.DecodeJSON(body, v); err != nil {
		return nil, err
	}
	return body, nil
}
