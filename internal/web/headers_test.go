package web_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tillit/tillit/internal/web"
)

// TestSecurityHeadersHSTSOnlyOverTLS checks that HSTS, which a browser
// ignores over plain HTTP, is sent on requests that came over TLS only, on
// any response the middleware wraps (here a JSON one).
func TestSecurityHeadersHSTSOnlyOverTLS(t *testing.T) {
	h := web.SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	for _, overTLS := range []bool{false, true} {
		req := httptest.NewRequest(http.MethodGet, "/payments/v1/sessions/x", nil)
		if overTLS {
			req.TLS = &tls.ConnectionState{Version: tls.VersionTLS13}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		want := ""
		if overTLS {
			want = web.HSTS
		}
		if got := rec.Header().Get("Strict-Transport-Security"); got != want {
			t.Errorf("over TLS %v: Strict-Transport-Security %q, want %q", overTLS, got, want)
		}
		if rec.Header().Get("X-Frame-Options") != "DENY" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("over TLS %v: headers %v", overTLS, rec.Header())
		}
	}
}
