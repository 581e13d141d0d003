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
)

// serve starts the whole platform behind its own handler, as `tillit serve`
// does, and returns the server's origin.
func serve(t *testing.T, demo bool) string {
	t.Helper()
	a, err := app.New(context.Background(), app.Config{
		DatabaseURL: storetest.DSN(t), Clock: clock.NewManual(storetest.Start),
		Logger: logscan.Logger(), Demo: demo,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return srv.URL
}

// TestHandlerRoutesEveryAudience checks that each part of Tillit answers
// under its own path on the one server: the web pages with HTML, the APIs
// with their JSON error shape, and the static files.
func TestHandlerRoutesEveryAudience(t *testing.T) {
	origin := serve(t, false)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		method, path string
		status       int
		contentType  string
		location     string
	}{
		{"GET", "/", http.StatusFound, "", "/app/"},
		{"GET", "/app/signin", http.StatusOK, "text/html", ""},
		{"GET", "/staff/signin", http.StatusOK, "text/html", ""},
		{"GET", "/portal/signin", http.StatusOK, "text/html", ""},
		{"GET", "/privacy/", http.StatusOK, "text/html", ""},
		{"GET", "/privacy/notice.json", http.StatusOK, "application/json", ""},
		{"GET", "/checkout/no-such-session", http.StatusNotFound, "text/html", ""},
		{"POST", "/checkout/v1/sessions/no-such-session/authorize", http.StatusUnauthorized, "application/json", ""},
		{"GET", "/payments/v1/sessions/no-such-session", http.StatusUnauthorized, "application/json", ""},
		{"GET", "/healthz", http.StatusOK, "", ""},
		{"GET", "/static/tillit.css", http.StatusOK, "text/css", ""},
		{"GET", "/demo/mailbox", http.StatusNotFound, "application/json", ""},
		{"GET", "/demo/", http.StatusNotFound, "application/json", ""},
	} {
		req, err := http.NewRequest(tc.method, origin+tc.path, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, resp.StatusCode, tc.status)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
			t.Errorf("%s %s: Content-Type %q, want %s", tc.method, tc.path, ct, tc.contentType)
		}
		if loc := resp.Header.Get("Location"); loc != tc.location {
			t.Errorf("%s %s: Location %q, want %q", tc.method, tc.path, loc, tc.location)
		}
	}
}

// TestDemoPagesOnlyInDemoMode checks the demo shop and the demo mailbox,
// which shows anyone's one-time codes, are served only in demo mode, where
// the bare origin leads to the demo's index.
func TestDemoPagesOnlyInDemoMode(t *testing.T) {
	for _, demo := range []bool{false, true} {
		origin := serve(t, demo)
		for _, path := range []string{"/demo/mailbox", "/demo/", "/demo/shop"} {
			resp, err := http.Get(origin + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			want := http.StatusNotFound
			if demo {
				want = http.StatusOK
			}
			if resp.StatusCode != want {
				t.Errorf("demo %v: %s status %d, want %d", demo, path, resp.StatusCode, want)
			}
		}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(serve(t, true) + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != "/demo/" {
		t.Errorf("demo mode: / answers %d to %q, want 302 to /demo/", resp.StatusCode, loc)
	}
}

// TestDemoSeedSignsIn checks demo mode's printed sign-ins work.
func TestDemoSeedSignsIn(t *testing.T) {
	a, err := app.New(context.Background(), app.Config{
		DatabaseURL: storetest.DSN(t), Clock: clock.NewManual(storetest.Start),
		Logger: logscan.Logger(), Demo: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Accounts.AuthenticateMerchantUser(context.Background(), a.Demo.MerchantPortal.Email, a.Demo.MerchantPortal.Password); err != nil {
		t.Errorf("demo merchant user: %v", err)
	}
	if _, err := a.Accounts.AuthenticateStaff(context.Background(), a.Demo.BackOffice.Email, a.Demo.BackOffice.Password); err != nil {
		t.Errorf("demo staff: %v", err)
	}
	if !a.Demo.Merchant.TestMode {
		t.Error("demo merchant is not in test mode")
	}
}
