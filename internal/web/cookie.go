package web

import (
	"context"
	"net/http"
	"strings"
	"time"
)

type secureKey struct{}

// isSecure reports whether cookies set for r must be Secure: the request
// came over HTTPS, or Options.SecureCookies is on.
func isSecure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	on, _ := r.Context().Value(secureKey{}).(bool)
	return on
}

func withSecure(r *http.Request, on bool) *http.Request {
	if !on {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), secureKey{}, true))
}

// SetCookie sets a cookie the safe way: HttpOnly, SameSite=Lax, Path=/, and
// Secure on HTTPS requests (or always, with Options.SecureCookies). A maxAge
// of zero makes a session cookie; a negative one deletes the cookie. A cookie
// of the same name set earlier in the same response is replaced.
func SetCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	c := &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		HttpOnly: true,
		Secure:   isSecure(r),
		SameSite: http.SameSiteLaxMode,
	}
	switch {
	case maxAge < 0:
		c.MaxAge = -1
	case maxAge > 0:
		c.MaxAge = int(maxAge / time.Second)
	}
	h := w.Header()
	kept := h.Values("Set-Cookie")[:0:0]
	for _, v := range h.Values("Set-Cookie") {
		if !strings.HasPrefix(v, name+"=") {
			kept = append(kept, v)
		}
	}
	h.Del("Set-Cookie")
	for _, v := range kept {
		h.Add("Set-Cookie", v)
	}
	if v := c.String(); v != "" {
		h.Add("Set-Cookie", v)
	}
}
