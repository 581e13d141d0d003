package web_test

import (
	"crypto/rand"
	"io/fs"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/web"
)

func newRenderer(t *testing.T) *web.Renderer {
	t.Helper()
	key := make([]byte, web.MinKeyLen)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	rd, err := web.NewRenderer(web.Options{Key: key, Logger: logscan.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	return rd
}

func page(body string) fstest.MapFS {
	return fstest.MapFS{"p.html": {Data: []byte(body)}}
}

// TestTemplatesUseCatalogKeys walks every template this package and its
// tests embed and checks each key given to t exists in the catalog.
func TestTemplatesUseCatalogKeys(t *testing.T) {
	var n int
	for _, dir := range []string{"templates", "testdata/sample"} {
		err := fs.WalkDir(os.DirFS("."), dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
				return err
			}
			keys, err := web.KeysIn(path)
			if err != nil {
				return err
			}
			for _, k := range keys {
				n++
				if !i18n.Has(k) {
					t.Errorf("%s uses %q, which is not in the catalog", path, k)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 20 {
		t.Fatalf("found only %d keys: is the walk looking in the right place?", n)
	}
}

func TestAddPagesRefusesBadTemplates(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"unknown key", `{{define "title"}}{{t "auth.sign_in"}}{{end}}{{define "content"}}<h1>{{t "no.such.key"}}</h1>{{end}}`,
			`unknown message key "no.such.key"`},
		{"unknown key in parentheses", `{{define "title"}}{{t "auth.sign_in"}}{{end}}{{define "content"}}{{if true}}{{template "web.field" field nil "a" (t "auth.nope")}}{{end}}{{end}}`,
			`unknown message key "auth.nope"`},
		{"hard-coded text", `{{define "title"}}{{t "auth.sign_in"}}{{end}}{{define "content"}}<h1>Welcome {{.Data}}</h1>{{end}}`,
			`has text "Welcome …"`},
		{"hard-coded attribute", `{{define "title"}}{{t "auth.sign_in"}}{{end}}{{define "content"}}<img src="/x.png" alt="Logo">{{end}}`,
			`has text "Logo"`},
		{"hard-coded title", `{{define "title"}}Sign in{{end}}{{define "content"}}{{end}}`,
			`has text "Sign in"`},
		{"unknown asset", `{{define "title"}}{{t "auth.sign_in"}}{{end}}{{define "content"}}<img src="{{asset "logo.svg"}}" alt="">{{end}}`,
			`static file "logo.svg"`},
		{"no content", `{{define "title"}}{{t "auth.sign_in"}}{{end}}`, `does not define "content"`},
		{"parse error", `{{define "title"}}{{t "auth.sign_in"}{{end}}`, `p.html`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := newRenderer(t).AddPages("x", page(tt.body), "*.html")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("AddPages error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	t.Run("markup without text is fine", func(t *testing.T) {
		body := `{{define "title"}}{{t "auth.sign_in"}}{{end}}{{define "content"}}<!-- a note --><h1 class="big">{{t "auth.sign_in"}}</h1>` +
			`<p>{{t "nav.page_of" "page" 1 "pages" 2}} &middot; 42 – {{.Data}}</p><input aria-label="{{t "auth.email"}}" name="e">{{end}}`
		if err := newRenderer(t).AddPages("x", page(body), "*.html"); err != nil {
			t.Error(err)
		}
	})
	t.Run("duplicate page", func(t *testing.T) {
		rd := newRenderer(t)
		body := `{{define "title"}}{{t "auth.sign_in"}}{{end}}{{define "content"}}{{end}}`
		if err := rd.AddPages("x", page(body), "*.html"); err != nil {
			t.Fatal(err)
		}
		if err := rd.AddPages("x", page(body), "*.html"); err == nil || !strings.Contains(err.Error(), "already defined") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("pattern without files", func(t *testing.T) {
		if err := newRenderer(t).AddPages("x", page(""), "*.tmpl"); err == nil {
			t.Error("no error")
		}
	})
}

func TestNewRendererNeedsKey(t *testing.T) {
	if _, err := web.NewRenderer(web.Options{Key: make([]byte, 16)}); err == nil {
		t.Error("a 16-byte key was accepted")
	}
}

func TestRenderFailuresBecome500(t *testing.T) {
	rd := newRenderer(t)
	err := rd.AddPages("x", page(`{{define "title"}}{{t "auth.sign_in"}}{{end}}{{define "content"}}<h1>{{t "auth.sign_in"}}</h1>{{money .Data "DKK"}}{{end}}`), "*.html")
	if err != nil {
		t.Fatal(err)
	}
	for name, render := range map[string]func(*httptest.ResponseRecorder){
		"unknown page": func(rec *httptest.ResponseRecorder) {
			rd.Render(rec, httptest.NewRequest("GET", "/", nil), 200, "x/nope", nil)
		},
		"template error": func(rec *httptest.ResponseRecorder) {
			rd.Render(rec, httptest.NewRequest("GET", "/", nil), 200, "x/p", "not a number")
		},
	} {
		rec := httptest.NewRecorder()
		render(rec)
		body := rec.Body.String()
		if rec.Code != 500 || !strings.Contains(body, "<h1>Something went wrong</h1>") || strings.Contains(body, "<h1>Sign in</h1>") {
			t.Errorf("%s: %d\n%s", name, rec.Code, body)
		}
	}
}

func TestWithLang(t *testing.T) {
	rd := newRenderer(t)
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "fr")
	r = web.WithLang(r, i18n.Negotiate(r, "sv-SE"))
	if web.Lang(r) != i18n.Swedish {
		t.Fatalf("Lang = %s", web.Lang(r))
	}
	rec := httptest.NewRecorder()
	rd.Error(rec, r, 404)
	if !strings.Contains(rec.Body.String(), "<h1>Sidan finns inte</h1>") {
		t.Error("error page not in the session's language")
	}
	rec = httptest.NewRecorder()
	rd.Error(rec, r, 405)
	if rec.Code != 405 || !strings.Contains(rec.Body.String(), "<h1>Det gick inte</h1>") {
		t.Errorf("405 page: %d", rec.Code)
	}
}

func TestForm(t *testing.T) {
	f := web.NewForm(url.Values{
		"email": {" anna@example.dk "}, "bad": {"anna@"}, "named": {"Anna <anna@example.dk>"},
		"nodot": {"anna@localhost"}, "long": {"æøåæøå"}, "blank": {"  "},
	})
	f.Required("email", "blank", "missing")
	f.Email("email")
	f.Email("bad")
	f.Email("named")
	f.Email("nodot")
	f.Email("missing")
	f.MaxLength("long", 6)
	f.MaxLength("email", 5)
	f.AddError("blank", "form.too_short", "min", 2)
	if f.Valid() {
		t.Fatal("form with errors is valid")
	}
	if f.Get("email") != "anna@example.dk" {
		t.Errorf("Get did not trim: %q", f.Get("email"))
	}
	var got []string
	for _, e := range f.Errors() {
		got = append(got, e.Field+":"+i18n.T(i18n.English, e.Message.Key, e.Message.Args...))
	}
	want := []string{
		"blank:Fill in this field.",
		"missing:Fill in this field.",
		"bad:Enter an e-mail address such as name@example.com.",
		"named:Enter an e-mail address such as name@example.com.",
		"nodot:Enter an e-mail address such as name@example.com.",
		"email:Use no more than 5 characters.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if f.Error("long") != nil || f.Error("email") == nil {
		t.Error("Error disagrees with Errors")
	}
	if !web.NewForm(nil).Valid() {
		t.Error("an empty form is not valid")
	}
}

// TestHomeLink checks the product name links to Options.Home ("/" by
// default), and is plain text with NoHomeLink.
func TestHomeLink(t *testing.T) {
	key := make([]byte, web.MinKeyLen)
	for _, tc := range []struct {
		opts web.Options
		want string
	}{
		{web.Options{}, `<a class="brand" href="/">`},
		{web.Options{Home: "/portal/"}, `<a class="brand" href="/portal/">`},
		{web.Options{Home: "/portal/", NoHomeLink: true}, `<span class="brand">`},
	} {
		tc.opts.Key, tc.opts.Logger = key, logscan.Logger()
		rd, err := web.NewRenderer(tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := rd.AddPages("x", page(`{{define "title"}}{{t "auth.sign_in"}}{{end}}{{define "content"}}<h1>{{t "auth.sign_in"}}</h1>{{end}}`), "*.html"); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		rd.Render(rec, httptest.NewRequest("GET", "/", nil), 200, "x/p", nil)
		if body := rec.Body.String(); !strings.Contains(body, tc.want) || strings.Count(body, `class="brand"`) != 1 {
			t.Errorf("%+v: want %s in\n%s", tc.opts, tc.want, body)
		}
	}
}
