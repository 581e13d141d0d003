package notice_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/notice"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/web"
)

// serve starts the notice behind the static files, as the app mounts it.
func serve(t *testing.T) string {
	t.Helper()
	pages, err := notice.New([]byte(strings.Repeat("k", web.MinKeyLen)), false, logscan.Logger())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(notice.Prefix, pages.Handler())
	mux.Handle(web.StaticPrefix, web.Static())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// get fetches a URL with an Accept-Language header.
func get(t *testing.T, url, acceptLanguage string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Language", acceptLanguage)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// TestJSONIsTheRegistry checks the JSON notice is the registry's, in the
// language asked for, and a language Tillit does not speak is a 400.
func TestJSONIsTheRegistry(t *testing.T) {
	origin := serve(t)
	for _, lang := range []string{"da", "en", "nl", "sv"} {
		resp, body := get(t, origin+notice.JSONPath+"?lang="+lang, "")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Language") != lang {
			t.Fatalf("%s: %d %q", lang, resp.StatusCode, resp.Header.Get("Content-Language"))
		}
		var got privacy.Notice
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		l, _ := i18n.Parse(lang)
		want := privacy.BuildNotice(l)
		if len(got.Rows) == 0 || len(got.Rows) != len(want.Rows) || got.Title != want.Title || got.Rows[0].Name != want.Rows[0].Name {
			t.Errorf("%s: JSON differs from the registry: %d rows, title %q", lang, len(got.Rows), got.Title)
		}
	}
	if resp, body := get(t, origin+notice.JSONPath+"?lang=fr", ""); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"error_code":"BAD_VALUE"`) {
		t.Errorf("unknown language: %d %s", resp.StatusCode, body)
	}
}

// TestPageShowsEveryConsumerPurpose checks the page lists every purpose of
// the notice, in the browser's language.
func TestPageShowsEveryConsumerPurpose(t *testing.T) {
	origin := serve(t)
	resp, body := get(t, origin+notice.Prefix, "da-DK,da;q=0.9")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	l, _ := i18n.Parse("da")
	n := privacy.BuildNotice(l)
	if !strings.Contains(body, `lang="da"`) {
		t.Error("page not in Danish")
	}
	for _, row := range n.Rows {
		if !strings.Contains(body, `id="purpose-`+string(row.ID)+`"`) {
			t.Errorf("purpose %s missing from the page", row.ID)
		}
	}
	if resp, _ := get(t, origin+notice.Prefix+"nope", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
}

// TestNoticeInBrowser checks the page in Chromium at desktop and phone
// width passes the accessibility check; with TILLIT_SCREENSHOT_DIR set it
// is saved as privacy-notice-<viewport>.png.
func TestNoticeInBrowser(t *testing.T) {
	origin := serve(t)
	shots := os.Getenv("TILLIT_SCREENSHOT_DIR")
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, size := range map[string]browsertest.Viewport{"desktop": browsertest.Desktop, "phone": browsertest.Phone} {
		t.Run(name, func(t *testing.T) {
			b := browsertest.New(t)
			b.SetViewport(size)
			if status := b.Navigate(origin + notice.Prefix); status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			b.CheckAccessibility(t)
			if shots != "" {
				b.Screenshot(filepath.Join(shots, "privacy-notice-"+name+".png"))
			}
		})
	}
}
