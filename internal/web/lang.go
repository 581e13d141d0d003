package web

import (
	"context"
	"net/http"
	"time"

	"github.com/tillit/tillit/internal/i18n"
)

type langKey struct{}

// langCookieAge is how long a language chosen with the switch is remembered.
const langCookieAge = 365 * 24 * time.Hour

// Lang returns the language of the page being served for r: the one
// Renderer.Middleware negotiated or a handler set with WithLang, else
// i18n.Negotiate(r, "").
func Lang(r *http.Request) i18n.Lang {
	if l, ok := r.Context().Value(langKey{}).(i18n.Lang); ok {
		return l
	}
	return i18n.Negotiate(r, "")
}

// WithLang returns r set to render in lang. A handler that knows a better
// fallback, such as a payment session's locale, uses it like this:
//
//	r = web.WithLang(r, i18n.Negotiate(r, session.Locale))
func WithLang(r *http.Request, lang i18n.Lang) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), langKey{}, lang))
}

// withLanguage negotiates the request's language and, when the lang query
// parameter chooses one (a link of the language switch), remembers it in
// the lang cookie.
func withLanguage(w http.ResponseWriter, r *http.Request) *http.Request {
	if l, ok := i18n.Parse(r.URL.Query().Get(i18n.Param)); ok {
		if c, err := r.Cookie(i18n.Param); err != nil || c.Value != string(l) {
			SetCookie(w, r, i18n.Param, string(l), langCookieAge)
		}
	}
	return WithLang(r, i18n.Negotiate(r, ""))
}
