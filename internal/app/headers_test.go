package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/web"
)

// TestEveryResponseCarriesSecurityHeaders checks that the one handler sets
// the security headers whichever part answers (pages, JSON APIs, the hosted
// checkout, the demo shop and mailbox, static files, health, metrics,
// redirects, not-found answers), and HSTS on each when served over TLS.
func TestEveryResponseCarriesSecurityHeaders(t *testing.T) {
	a, err := app.New(context.Background(), app.Config{
		DatabaseURL: storetest.DSN(t), Clock: clock.NewManual(storetest.Start),
		Logger: logscan.Logger(), Demo: true, SecureCookies: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(a.Handler)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, tc := range []struct{ method, path string }{
		{"GET", "/"},
		{"GET", "/app/signin"},
		{"GET", "/staff/signin"},
		{"GET", "/portal/signin"},
		{"GET", "/privacy/"},
		{"GET", "/privacy/notice.json"},
		{"GET", "/checkout/no-such-session"},
		{"POST", "/checkout/v1/sessions/no-such-session/authorize"},
		{"GET", "/payments/v1/sessions/no-such-session"},
		{"GET", "/no/such/path"},
		{"GET", "/healthz"},
		{"GET", "/readyz"},
		{"GET", "/metrics"},
		{"GET", "/openapi.json"},
		{"GET", "/static/tillit.css"},
		{"GET", "/demo/"},
		{"GET", "/demo/mailbox"},
	} {
		req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s %s: Content-Security-Policy %q", tc.method, tc.path, csp)
		}
		for name, want := range map[string]string{
			"Strict-Transport-Security": web.HSTS,
			"X-Frame-Options":           "DENY",
			"X-Content-Type-Options":    "nosniff",
			"Referrer-Policy":           "same-origin",
		} {
			if got := h.Get(name); got != want {
				t.Errorf("%s %s (%d): %s = %q, want %q", tc.method, tc.path, res.StatusCode, name, got, want)
			}
		}
		if !strings.Contains(h.Get("Permissions-Policy"), "camera=()") {
			t.Errorf("%s %s: Permissions-Policy %q", tc.method, tc.path, h.Get("Permissions-Policy"))
		}
		for _, c := range res.Cookies() {
			if !c.Secure {
				t.Errorf("%s %s: cookie %s not Secure", tc.method, tc.path, c.Name)
			}
		}
	}
}
