package web

import (
	"net/http"
	"runtime/debug"
)

// Middleware wraps page handlers in what every page needs, outermost first:
// a recovered panic becomes the 500 page; the security headers; cookies
// marked Secure per Options.SecureCookies; the negotiated language (a ?lang=
// link also sets the lang cookie); flash notices; and CSRF protection, which
// answers an unsafe request (POST, PUT, PATCH, DELETE) without a valid token
// with the 403 page. Use it for HTML pages only, not for JSON APIs.
func (rd *Renderer) Middleware(next http.Handler) http.Handler {
	inner := rd.csrf(next)
	return SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = withSecure(r, rd.opts.SecureCookies)
		r = withLanguage(w, r)
		r = rd.withFlashes(r)
		rw := &trackingWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				rd.opts.Logger.Error("web: panic", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				if rw.wrote {
					panic(http.ErrAbortHandler)
				}
				rd.Error(w, r, http.StatusInternalServerError)
			}
		}()
		inner.ServeHTTP(rw, r)
	}))
}

// trackingWriter notes whether the response has started, so a panic after
// that aborts the connection instead of appending an error page.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer.
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
