package web_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tillit/tillit/internal/web"
)

// client is a browser stand-in: a cookie jar, no automatic redirects.
type client struct {
	t    *testing.T
	srv  *httptest.Server
	http *http.Client
}

func newClient(t *testing.T, h http.Handler) *client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, srv: srv, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends a request and returns the response and its body.
func (c *client) do(method, path string, form url.Values, header http.Header) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.srv.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res, string(b)
}

func (c *client) get(path string) (*http.Response, string) { return c.do("GET", path, nil, nil) }

var tokenRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// token loads the sign-in page and returns its CSRF token.
func (c *client) token() string {
	c.t.Helper()
	_, body := c.get("/signin")
	m := tokenRE.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no CSRF field in the sign-in page:\n%s", body)
	}
	return m[1]
}

func TestSignInFlow(t *testing.T) {
	c := newClient(t, newSample(t, web.Options{}))
	tok := c.token()

	res, body := c.do("POST", "/signin", url.Values{"csrf_token": {tok}, "email": {"not-an-address"}, "code": {""}}, nil)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid form: status %d", res.StatusCode)
	}
	for _, want := range []string{
		`value="not-an-address"`,
		`Enter an e-mail address such as name@example.com.`,
		`<a href="#f-email">`,
		`<a href="#f-code">Fill in this field.</a>`,
		`aria-invalid="true"`,
		`aria-describedby="f-email-hint f-email-error"`,
		`<span class="visually-hidden">Error: </span>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("re-rendered form lacks %q", want)
		}
	}

	res, _ = c.do("POST", "/signin", url.Values{"csrf_token": {tok}, "email": {"anna@example.dk"}, "code": {"123456"}}, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
		t.Fatalf("valid form: status %d to %q, want 303 to /account", res.StatusCode, res.Header.Get("Location"))
	}
	res, body = c.get("/account")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("account: %d", res.StatusCode)
	}
	notice := `<div class="notice notice--success" role="status">`
	if !strings.Contains(body, notice) || !strings.Contains(body, "Done:</strong> Signed in as anna@example.dk") {
		t.Errorf("account page lacks the flash notice:\n%s", body)
	}
	if _, body = c.get("/account"); strings.Contains(body, notice) {
		t.Error("the flash notice showed twice")
	}
}

func TestCSRF(t *testing.T) {
	sessions := map[string]string{}
	h := newSample(t, web.Options{SessionID: func(r *http.Request) string {
		return sessions[r.Header.Get("X-Test-Session")]
	}})
	valid := url.Values{"email": {"anna@example.dk"}, "code": {"123456"}}
	with := func(tok string) url.Values {
		v := url.Values{"csrf_token": {tok}}
		for k, vs := range valid {
			v[k] = vs
		}
		return v
	}

	t.Run("form token accepted", func(t *testing.T) {
		c := newClient(t, h)
		if res, _ := c.do("POST", "/signin", with(c.token()), nil); res.StatusCode != http.StatusSeeOther {
			t.Errorf("status %d, want 303", res.StatusCode)
		}
	})
	t.Run("header token accepted", func(t *testing.T) {
		c := newClient(t, h)
		hdr := http.Header{web.CSRFHeader: {c.token()}}
		if res, _ := c.do("POST", "/signin", valid, hdr); res.StatusCode != http.StatusSeeOther {
			t.Errorf("status %d, want 303", res.StatusCode)
		}
	})

	rejected := func(t *testing.T, res *http.Response, body string) {
		t.Helper()
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", res.StatusCode)
		}
		for _, want := range []string{"<h1>Not allowed</h1>", "Error code 403", `<html lang="en">`} {
			if !strings.Contains(body, want) {
				t.Errorf("403 page lacks %q", want)
			}
		}
	}
	t.Run("missing token", func(t *testing.T) {
		c := newClient(t, h)
		c.token()
		res, body := c.do("POST", "/signin", valid, nil)
		rejected(t, res, body)
	})
	t.Run("wrong token", func(t *testing.T) {
		c := newClient(t, h)
		tok := []byte(c.token())
		tok[3] ^= 1
		res, body := c.do("POST", "/signin", with(string(tok)), nil)
		rejected(t, res, body)
	})
	t.Run("token of another browser", func(t *testing.T) {
		other := newClient(t, h).token()
		c := newClient(t, h)
		c.token()
		res, body := c.do("POST", "/signin", with(other), nil)
		rejected(t, res, body)
	})
	t.Run("token without its cookie", func(t *testing.T) {
		tok := newClient(t, h).token()
		res, body := newClient(t, h).do("POST", "/signin", with(tok), nil)
		rejected(t, res, body)
	})
	t.Run("token of another session", func(t *testing.T) {
		sessions["a"], sessions["b"] = "session-a", "session-b"
		c := newClient(t, h)
		_, page := c.do("GET", "/signin", nil, http.Header{"X-Test-Session": {"a"}})
		tok := tokenRE.FindStringSubmatch(page)[1]
		if res, _ := c.do("POST", "/signin", with(tok), http.Header{"X-Test-Session": {"a"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("same session: status %d, want 303", res.StatusCode)
		}
		res, body := c.do("POST", "/signin", with(tok), http.Header{"X-Test-Session": {"b"}})
		rejected(t, res, body)
	})
	t.Run("cross-site request with a valid token", func(t *testing.T) {
		c := newClient(t, h)
		res, body := c.do("POST", "/signin", with(c.token()), http.Header{"Sec-Fetch-Site": {"cross-site"}})
		rejected(t, res, body)
	})
	for _, method := range []string{"PUT", "PATCH", "DELETE"} {
		t.Run(method+" without token", func(t *testing.T) {
			c := newClient(t, h)
			c.token()
			res, body := c.do(method, "/signin", nil, nil)
			rejected(t, res, body)
		})
	}
	t.Run("rejection in the reader's language", func(t *testing.T) {
		c := newClient(t, h)
		c.token()
		res, body := c.do("POST", "/signin", valid, http.Header{"Accept-Language": {"da"}})
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "<h1>Ikke tilladt</h1>") {
			t.Errorf("status %d, want 403 in Danish:\n%s", res.StatusCode, body)
		}
	})
	t.Run("safe methods need no token", func(t *testing.T) {
		c := newClient(t, h)
		for _, m := range []string{"GET", "HEAD"} {
			if res, _ := c.do(m, "/signin", nil, nil); res.StatusCode != http.StatusOK {
				t.Errorf("%s: status %d", m, res.StatusCode)
			}
		}
	})
}

func TestCSRFCookie(t *testing.T) {
	c := newClient(t, newSample(t, web.Options{}))
	res, _ := c.get("/signin")
	var found bool
	for _, ck := range res.Cookies() {
		if ck.Name == "tillit_csrf" {
			found = true
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure {
				t.Errorf("CSRF cookie %+v: want HttpOnly, SameSite=Lax, Path=/, not Secure over HTTP", ck)
			}
		}
	}
	if !found {
		t.Fatal("no CSRF cookie issued")
	}
	if res, _ := c.get("/signin"); len(res.Cookies()) != 0 {
		t.Errorf("cookie issued again on the second visit: %v", res.Cookies())
	}
}

func TestSecurityHeaders(t *testing.T) {
	c := newClient(t, newSample(t, web.Options{}))
	for _, path := range []string{"/signin", "/nowhere"} {
		res, _ := c.get(path)
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") {
			t.Errorf("%s: CSP allows something unsafe: %q", path, csp)
		}
		for name, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "same-origin",
			"X-Frame-Options":        "DENY",
			"Content-Type":           "text/html; charset=utf-8",
			"Cache-Control":          "no-store",
		} {
			if got := h.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", path, name, got, want)
			}
		}
		if pp := h.Get("Permissions-Policy"); !strings.Contains(pp, "camera=()") || !strings.Contains(pp, "geolocation=()") {
			t.Errorf("%s: Permissions-Policy %q", path, pp)
		}
	}
}

func TestSetPolicyAllowsFraming(t *testing.T) {
	h := web.SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		web.SetPolicy(w, web.Policy{FrameAncestors: []string{"https://shop.example"}, FormAction: []string{"https://shop.example"}})
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors https://shop.example;") || !strings.Contains(csp, "form-action 'self' https://shop.example;") {
		t.Errorf("CSP %q", csp)
	}
	if rec.Header().Get("X-Frame-Options") != "" {
		t.Error("X-Frame-Options still set on a page that may be framed")
	}
}

func TestLanguageSwitch(t *testing.T) {
	c := newClient(t, newSample(t, web.Options{}))
	res, body := c.get("/signin?lang=da")
	var set *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "lang" {
			set = ck
		}
	}
	if set == nil || set.Value != "da" || set.MaxAge <= 0 || !set.HttpOnly || set.SameSite != http.SameSiteLaxMode {
		t.Fatalf("lang cookie %+v, want a lasting da cookie", set)
	}
	for _, want := range []string{`<html lang="da">`, "<h1>Log ind</h1>", "Fortsæt"} {
		if !strings.Contains(body, want) {
			t.Errorf("Danish page lacks %q", want)
		}
	}
	if res.Header.Get("Content-Language") != "da" {
		t.Errorf("Content-Language %q", res.Header.Get("Content-Language"))
	}
	// The cookie now carries the choice, over the browser's preference.
	_, body = c.do("GET", "/signin", nil, http.Header{"Accept-Language": {"sv"}})
	if !strings.Contains(body, `<html lang="da">`) {
		t.Error("the lang cookie did not keep Danish")
	}
	// The switch links every language by its own name, marks the current
	// one, and keeps the page's other parameters.
	_, body = c.get("/signin?lang=sv&step=2")
	for _, want := range []string{
		`<a href="/signin?lang=da&amp;step=2" lang="da" hreflang="da">Dansk</a>`,
		`<a href="/signin?lang=en&amp;step=2" lang="en" hreflang="en">English</a>`,
		`<a href="/signin?lang=nl&amp;step=2" lang="nl" hreflang="nl">Nederlands</a>`,
		`<a href="/signin?lang=sv&amp;step=2" lang="sv" hreflang="sv" aria-current="true">Svenska</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("language switch lacks %s", want)
		}
	}
	if res, _ := c.get("/signin?lang=sv"); len(res.Cookies()) != 0 {
		t.Error("the lang cookie was set again though it already says sv")
	}
}

func TestErrorPages(t *testing.T) {
	c := newClient(t, newSample(t, web.Options{}))
	tests := []struct {
		path, lang string
		status     int
		want       []string
	}{
		{"/nowhere", "en", 404, []string{"<h1>Page not found</h1>", "Error code 404", `<html lang="en">`}},
		{"/nowhere", "nl", 404, []string{"<h1>Pagina niet gevonden</h1>", "Foutcode 404"}},
		{"/nowhere", "sv", 404, []string{"<h1>Sidan finns inte</h1>"}},
		{"/panic", "da", 500, []string{"<h1>Der gik noget galt</h1>", "Fejlkode 500", `<html lang="da">`}},
		{"/panic", "en", 500, []string{"<h1>Something went wrong</h1>"}},
	}
	for _, tt := range tests {
		res, body := c.do("GET", tt.path, nil, http.Header{"Accept-Language": {tt.lang}})
		if res.StatusCode != tt.status {
			t.Errorf("%s in %s: status %d, want %d", tt.path, tt.lang, res.StatusCode, tt.status)
		}
		for _, want := range tt.want {
			if !strings.Contains(body, want) {
				t.Errorf("%s in %s: page lacks %q", tt.path, tt.lang, want)
			}
		}
		if !strings.Contains(body, `<main id="main"`) || !strings.Contains(body, `class="skip-link"`) {
			t.Errorf("%s: error page is not in the layout", tt.path)
		}
	}
}

func TestSecureCookies(t *testing.T) {
	secureCSRF := func(h http.Handler, r *http.Request) bool {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == "tillit_csrf" {
				return ck.Secure
			}
		}
		t.Fatal("no CSRF cookie")
		return false
	}
	plain := newSample(t, web.Options{})
	if secureCSRF(plain, httptest.NewRequest("GET", "/signin", nil)) {
		t.Error("Secure cookie on plain HTTP")
	}
	tlsReq := httptest.NewRequest("GET", "https://tillit.example/signin", nil)
	tlsReq.TLS = &tls.ConnectionState{}
	if !secureCSRF(plain, tlsReq) {
		t.Error("cookie not Secure over HTTPS")
	}
	if !secureCSRF(newSample(t, web.Options{SecureCookies: true}), httptest.NewRequest("GET", "/signin", nil)) {
		t.Error("cookie not Secure with SecureCookies")
	}
}

func TestSetCookieReplacesSameName(t *testing.T) {
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/", nil)
	web.SetCookie(rec, r, "a", "1", 0)
	web.SetCookie(rec, r, "b", "2", 0)
	web.SetCookie(rec, r, "a", "", -1)
	got := rec.Header().Values("Set-Cookie")
	if len(got) != 2 || !strings.HasPrefix(got[0], "b=2;") || !strings.HasPrefix(got[1], "a=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax") {
		t.Errorf("Set-Cookie %q", got)
	}
}

func TestFlashCookieTampered(t *testing.T) {
	c := newClient(t, newSample(t, web.Options{}))
	tok := c.token()
	res, _ := c.do("POST", "/signin", url.Values{"csrf_token": {tok}, "email": {"anna@example.dk"}, "code": {"123456"}}, nil)
	var flash *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "tillit_flash" {
			flash = ck
		}
	}
	if flash == nil {
		t.Fatal("no flash cookie after the redirect")
	}
	// Another app with another key cannot read it, and drops it.
	other := newClient(t, newSample(t, web.Options{}))
	u, _ := url.Parse(other.srv.URL)
	other.http.Jar.SetCookies(u, []*http.Cookie{{Name: "sample_user", Value: "x@example.dk"}, {Name: "tillit_flash", Value: flash.Value}})
	res, body := other.get("/account")
	if strings.Contains(body, "notice--success") {
		t.Error("a flash signed with another key was shown")
	}
	var cleared bool
	for _, ck := range res.Cookies() {
		cleared = cleared || (ck.Name == "tillit_flash" && ck.MaxAge < 0)
	}
	if !cleared {
		t.Error("the unverifiable flash cookie was not deleted")
	}
}

func TestRendererEscapesUserInput(t *testing.T) {
	rd := newRenderer(t)
	err := rd.AddPages("x", fstest.MapFS{"echo.html": {Data: []byte(
		`{{define "title"}}{{.Data}}{{end}}{{define "content"}}<h1>{{.Data}}</h1><a href="/?q={{.Data}}">{{t "nav.home"}}</a>{{end}}`)}}, "*.html")
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	rd.Render(rec, httptest.NewRequest("GET", "/", nil), 200, "x/echo", `<script>alert("x")</script>`)
	body := rec.Body.String()
	if strings.Contains(body, "<script>") {
		t.Fatalf("user input reached the page unescaped:\n%s", body)
	}
	for _, want := range []string{
		`<h1>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</h1>`,
		`<title>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; · Tillit</title>`,
		`href="/?q=%3cscript%3ealert%28%22x%22%29%3c%2fscript%3e"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// A form re-rendered with hostile input keeps it as an attribute value.
	form := web.NewForm(url.Values{"email": {`"><script>x</script>`}})
	err = rd.AddPages("y", fstest.MapFS{"f.html": {Data: []byte(
		`{{define "title"}}{{t "auth.sign_in"}}{{end}}{{define "content"}}{{template "web.field" field .Data "email" (t "auth.email")}}{{end}}`)}}, "*.html")
	if err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	rd.Render(rec, httptest.NewRequest("GET", "/", nil), 200, "y/f", form)
	if body := rec.Body.String(); !strings.Contains(body, `value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"`) {
		t.Errorf("field value not escaped:\n%s", body)
	}
}

func TestTemplateFuncsFollowLanguage(t *testing.T) {
	c := newClient(t, newSample(t, web.Options{}))
	u, _ := url.Parse(c.srv.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "sample_user", Value: "anna@example.dk"}})
	for lang, want := range map[string][]string{
		"en": {"22 Nov 2026", "DKK 1,234,567.89", "Overdue", `data-label="Amount"`},
		"da": {"22. nov. 2026", "1.234.567,89 kr.", "Overskredet", `data-label="Beløb"`},
		"nl": {"22 nov 2026", "DKK 1.234.567,89", "Te laat"},
		"sv": {"22 nov. 2026", "1 234 567,89 DKK", "Försenad"},
	} {
		_, body := c.get("/account?lang=" + lang)
		body = strings.ReplaceAll(body, "\u00a0", " ")
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: account page lacks %q", lang, w)
			}
		}
	}
}

func TestStatic(t *testing.T) {
	c := newClient(t, newSample(t, web.Options{}))
	hashed := web.AssetURL("tillit.css")
	if !regexp.MustCompile(`^/static/tillit\.[0-9a-f]{10}\.css$`).MatchString(hashed) {
		t.Fatalf("AssetURL = %q", hashed)
	}
	_, page := c.get("/signin")
	if !strings.Contains(page, `<link rel="stylesheet" href="`+hashed+`">`) {
		t.Error("the layout does not link the hashed style sheet")
	}
	res, css := c.get(hashed)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || !strings.Contains(css, ".notice--error") {
		t.Fatalf("hashed CSS: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("hashed CSS Cache-Control %q", cc)
	}
	res, _ = c.get("/static/tillit.css")
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || etag == "" || res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("plain CSS: %d, ETag %q, Cache-Control %q", res.StatusCode, etag, res.Header.Get("Cache-Control"))
	}
	if res, _ := c.do("GET", "/static/tillit.css", nil, http.Header{"If-None-Match": {etag}}); res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", res.StatusCode)
	}
	for _, p := range []string{"/static/", "/static/nope.css", "/static/renderer.go", "/static/static/tillit.css"} {
		if res, _ := c.get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, res.StatusCode)
		}
	}
}
