package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
)

// CSRF protection is a signed double submit: a random secret in an HttpOnly
// cookie, and in every form a token that is an HMAC of that secret (and of
// the caller's session, when Options.SessionID is set) under the server's
// key. Only a page Tillit rendered for this browser can know the token; a
// cookie planted by another site cannot be turned into one without the key.
// Before the token, Go's cross-origin protection refuses unsafe requests a
// browser marks as coming from another site (Sec-Fetch-Site, Origin).
const (
	// CSRFFieldName is the form field that carries the token.
	CSRFFieldName = "csrf_token"
	// CSRFHeader is the request header that may carry the token instead.
	CSRFHeader = "X-CSRF-Token"
	// csrfCookie holds the per-browser secret.
	csrfCookie = "tillit_csrf"
	// secretLen is the length of that secret, in bytes.
	secretLen = 32
)

type csrfKey struct{}

// CSRFToken returns the CSRF token for forms on the page being rendered for
// r, or "" outside Renderer.Middleware.
func CSRFToken(r *http.Request) string {
	tok, _ := r.Context().Value(csrfKey{}).(string)
	return tok
}

// deriveKey derives a key for one purpose from the configured key.
func deriveKey(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("tillit web " + purpose))
	return m.Sum(nil)
}

// csrfToken computes the token for a browser secret and session.
func (rd *Renderer) csrfToken(secret []byte, session string) []byte {
	m := hmac.New(sha256.New, rd.csrfKey)
	m.Write(secret)
	m.Write([]byte{0})
	m.Write([]byte(session))
	return m.Sum(nil)
}

// safeMethod reports whether a method only reads, so needs no token.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == http.MethodTrace
}

// csrf issues the secret cookie, puts the token in the request's context,
// and refuses an unsafe request whose token is missing or wrong with the
// 403 page.
func (rd *Renderer) csrf(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var secret []byte
		if c, err := r.Cookie(csrfCookie); err == nil {
			if b, err := base64.RawURLEncoding.DecodeString(c.Value); err == nil && len(b) == secretLen {
				secret = b
			}
		}
		fresh := secret == nil
		if fresh {
			secret = make([]byte, secretLen)
			if _, err := rand.Read(secret); err != nil {
				panic(err)
			}
			SetCookie(w, r, csrfCookie, base64.RawURLEncoding.EncodeToString(secret), 0)
		}
		session := ""
		if rd.opts.SessionID != nil {
			session = rd.opts.SessionID(r)
		}
		want := rd.csrfToken(secret, session)
		r = r.WithContext(context.WithValue(r.Context(), csrfKey{}, base64.RawURLEncoding.EncodeToString(want)))
		if !safeMethod(r.Method) {
			if err := cop.Check(r); err != nil || fresh || !validToken(r, want) {
				rd.Error(w, r, http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// validToken reports whether the request carries the expected token, in the
// header or the form, comparing in constant time.
func validToken(r *http.Request, want []byte) bool {
	sent := r.Header.Get(CSRFHeader)
	if sent == "" {
		sent = r.PostFormValue(CSRFFieldName)
	}
	got, err := base64.RawURLEncoding.DecodeString(sent)
	if err != nil {
		return false
	}
	return hmac.Equal(got, want)
}
