package web

import (
	"net/http"
	"time"

	"github.com/tillit/tillit/internal/apperr"
)

// CodeRefusal reads why a sign-in code was refused (a wrong code, or too
// many, which pauses signing in for lockout) as the message the code page
// shows and the status it answers with; ok is false for any other error.
func CodeRefusal(err error, lockout time.Duration) (problem *Message, status int, ok bool) {
	switch apperr.Code(err) {
	case apperr.InvalidOTP:
		return &Message{Key: "security.signin_code.wrong"}, http.StatusUnauthorized, true
	case apperr.TooManyRequests:
		return &Message{Key: "security.signin_code.locked", Args: []any{"minutes", int(lockout.Minutes())}}, http.StatusTooManyRequests, true
	}
	return nil, 0, false
}
