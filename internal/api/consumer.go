package api

import (
	"net/http"
	"strings"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
)

// bearer returns the request's bearer token (the session's client token).
func bearer(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" || len(token) > 512 {
		return "", apperr.New(apperr.Unauthorized, "Send the session's client_token as a Bearer token.")
	}
	return token, nil
}

func (a *API) requestOTP(w http.ResponseWriter, r *http.Request) {
	token, err := bearer(r)
	var req checkout.OTPRequest
	if err == nil {
		_, err = decode(w, r, &req, false)
	}
	if err == nil {
		err = a.Checkout.RequestOTP(r.Context(), r.PathValue("session_id"), token, req)
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) authorize(w http.ResponseWriter, r *http.Request) {
	token, err := bearer(r)
	var req checkout.AuthorizeRequest
	if err == nil {
		_, err = decode(w, r, &req, false)
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out, err := a.Checkout.Authorize(r.Context(), r.PathValue("session_id"), token, req)
	a.reply(w, r, out, err)
}
