package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"

	"github.com/tillit/tillit/internal/card"
)

// The card network endpoint (T9): the network that routes a shop's card
// payment asks Tillit, as the card's issuer, to authorize it. The network
// authenticates with its own HTTP Basic credential (CardNetwork); the body
// carries the card number and CVV, which are never logged (the access log
// holds method, route, status and timing only). Approved and declined
// requests both answer 200 with the outcome; only a malformed request is a
// 4xx, and it writes nothing.

// CardNetworkCredential is the card network's HTTP Basic credential.
type CardNetworkCredential struct {
	Username, Password string
}

// configured reports whether a credential was set.
func (c CardNetworkCredential) configured() bool { return c.Username != "" && c.Password != "" }

// matches compares in constant time (over digests, so lengths do not leak).
func (c CardNetworkCredential) matches(user, pass string) bool {
	hu, hp := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass))
	wu, wp := sha256.Sum256([]byte(c.Username)), sha256.Sum256([]byte(c.Password))
	return subtle.ConstantTimeCompare(hu[:], wu[:])&subtle.ConstantTimeCompare(hp[:], wp[:]) == 1
}

// cardAuthorization is POST /cards/v1/authorizations.
func (a *API) cardAuthorization(w http.ResponseWriter, r *http.Request) {
	var req card.AuthorizationRequest
	if _, err := decode(w, r, &req, false); err != nil {
		a.writeError(w, r, err)
		return
	}
	out, err := a.Cards.Authorize(r.Context(), req)
	a.reply(w, r, out, err)
}
