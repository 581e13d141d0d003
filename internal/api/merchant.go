package api

import (
	"context"
	"net/http"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/merchant"
)

type merchantKey struct{}

// merchantAuth requires HTTP Basic merchant credentials and passes the
// authenticated merchant to h through the request context.
func (a *API) merchantAuth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user == "" || len(user) > 128 || len(pass) > 256 {
			a.writeError(w, r, apperr.New(apperr.Unauthorized, "Send merchant API credentials with HTTP Basic authentication."))
			return
		}
		m, err := a.auth.Authenticate(r.Context(), user, pass)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), merchantKey{}, m)))
	}
}

// currentMerchant returns the merchant merchantAuth authenticated.
func currentMerchant(r *http.Request) merchant.Merchant {
	m, _ := r.Context().Value(merchantKey{}).(merchant.Merchant)
	return m
}
