package consumerapp

import (
	"errors"
	"net/http"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/consent"
)

// maxOneClickBody bounds the body of a one-click unsubscribe POST, which is
// just List-Unsubscribe=One-Click.
const maxOneClickBody = 4 << 10

// unsubscribePage is the data of the unsubscribe page.
type unsubscribePage struct {
	// Purpose is the consent withdrawn; Invalid is set instead when the
	// link is not genuine.
	Purpose consent.Purpose
	Invalid bool
}

// unsubscribe serves the link of a marketing message (consent.UnsubscribeURL):
// without signing in, it withdraws the consent the link names at once and
// confirms it. Opening it again confirms again and changes nothing. A link
// that is not genuine gets a 400 page saying so, and nothing is written.
func (p *Pages) unsubscribe(w http.ResponseWriter, r *http.Request) {
	purpose, err := p.cfg.Consents.Unsubscribe(r.Context(), r.PathValue("token"))
	p.unsubscribed(w, r, purpose, err)
}

// oneClickUnsubscribe is the RFC 8058 one-click unsubscribe: the mail client
// posts List-Unsubscribe=One-Click to the link of the message's
// List-Unsubscribe header, and the consent is withdrawn as by unsubscribe.
//
// It is the one unsafe request the app serves outside the renderer's
// middleware, so without a CSRF check: the mail client cannot know a CSRF
// token, and the signed token in the path is the request's whole authority.
// The request can only withdraw the consent the token names, which is what
// anyone holding the link may do anyway. It carries the security headers of
// every page; the answer is the same page, in the language the client asks
// for.
func (p *Pages) oneClickUnsubscribe(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxOneClickBody)
	if err := r.ParseMultipartForm(maxOneClickBody); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	if r.PostForm.Get("List-Unsubscribe") != "One-Click" {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	purpose, err := p.cfg.Consents.Unsubscribe(r.Context(), r.PathValue("token"))
	p.unsubscribed(w, r, purpose, err)
}

// unsubscribed answers an unsubscribe: the confirmation, the page for a link
// that is not genuine, or the error page.
func (p *Pages) unsubscribed(w http.ResponseWriter, r *http.Request, purpose consent.Purpose, err error) {
	switch errCode(err) {
	case "":
		p.rd.Render(w, r, http.StatusOK, "consumer/unsubscribe", unsubscribePage{Purpose: purpose})
	case apperr.BadValue:
		p.rd.Render(w, r, http.StatusBadRequest, "consumer/unsubscribe", unsubscribePage{Invalid: true})
	default:
		p.serverError(w, r, err)
	}
}
