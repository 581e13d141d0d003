package api

import (
	"context"
	"net/http"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/apperr"
)

// gate identifies the caller of an API route for the access table: a
// merchant by its HTTP Basic API credentials (the authenticated merchant
// goes to the handler through the request context), or the card network by
// its own credential. Without the credential a route wants the answer is
// 401; wrong merchant credentials are the authenticator's error (401, or
// 429 when locked out); the card endpoint does not exist without cards or
// a configured network credential.
func (a *API) gate() access.Gate {
	return access.Gate{
		Identify: func(r *http.Request, audience access.Audience) (access.Principal, *http.Request, error) {
			if audience == access.Network {
				if a.Cards == nil || !a.CardNetwork.configured() {
					return access.Principal{}, r, errNoRoute
				}
				user, pass, ok := r.BasicAuth()
				if !ok || !a.CardNetwork.matches(user, pass) {
					return access.Principal{}, r, nil
				}
				return access.Principal{Audience: access.Network}, r, nil
			}
			user, pass, ok := r.BasicAuth()
			if !ok || user == "" || len(user) > 128 || len(pass) > 256 {
				return access.Principal{}, r, nil
			}
			m, err := a.auth.Authenticate(r.Context(), user, pass)
			if err != nil {
				return access.Principal{}, r, err
			}
			r = r.WithContext(context.WithValue(r.Context(), merchantKey{}, m))
			return access.Principal{Audience: access.MerchantAPI}, r, nil
		},
		Deny: func(w http.ResponseWriter, r *http.Request, audience access.Audience, d access.Decision) {
			switch {
			case d == access.Forbid:
				a.writeError(w, r, apperr.New(apperr.Forbidden, "These credentials may not use this endpoint."))
			case audience == access.Network:
				a.writeError(w, r, apperr.New(apperr.Unauthorized, "Send the card network's credentials with HTTP Basic authentication."))
			default:
				a.writeError(w, r, apperr.New(apperr.Unauthorized, "Send merchant API credentials with HTTP Basic authentication."))
			}
		},
		Fail: a.writeError,
	}
}
