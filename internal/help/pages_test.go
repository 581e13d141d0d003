package help_test

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/help"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/web"
)

// serve starts the help pages behind the static files, as the app mounts
// them, and returns the origin and the centre they show.
func serve(t *testing.T) (string, *help.Centre) {
	t.Helper()
	centre, err := help.New()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := help.NewPages(centre, []byte(strings.Repeat("k", web.MinKeyLen)), false, logscan.Logger())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(help.Prefix, pages.Handler())
	mux.Handle(web.StaticPrefix, web.Static())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL, centre
}

// get fetches a URL with an Accept-Language header (none when empty).
func get(t *testing.T, url, acceptLanguage string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
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

// contentLang is the language the page marks its help content as.
var contentLang = regexp.MustCompile(`<div lang="([a-z]+)" id="help">`)

// layoutLang is the language of the page's shared layout.
var layoutLang = regexp.MustCompile(`<html lang="([a-z]+)">`)

// articleLink is a link to an article on a help page.
var articleLink = regexp.MustCompile(`<a href="/help/([a-z0-9-]+)\?lang=([a-z]+)">`)

// TestIndexInEveryLanguage checks the index in each language, chosen by
// ?lang= or by Accept-Language: its content is in that language, every
// article is linked in it, and for the shared languages the layout speaks
// it too (German keeps the layout in the browser's next language).
func TestIndexInEveryLanguage(t *testing.T) {
	origin, centre := serve(t)
	for _, lang := range help.Languages {
		for how, req := range map[string][2]string{
			"query":           {"?lang=" + string(lang), ""},
			"accept-language": {"", string(lang) + "-XX," + string(lang) + ";q=0.9,en;q=0.5"},
		} {
			resp, body := get(t, origin+help.Prefix+req[0], req[1])
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s by %s: status %d", lang, how, resp.StatusCode)
			}
			if m := contentLang.FindStringSubmatch(body); m == nil || m[1] != string(lang) {
				t.Errorf("%s by %s: content marked %v", lang, how, m)
			}
			wantLayout := string(lang)
			if lang == help.German {
				wantLayout = "en"
			}
			if m := layoutLang.FindStringSubmatch(body); m == nil || m[1] != wantLayout {
				t.Errorf("%s by %s: layout in %v, want %s", lang, how, m, wantLayout)
			}
			seen := map[string]bool{}
			for _, m := range articleLink.FindAllStringSubmatch(body, -1) {
				if m[2] != string(lang) {
					t.Errorf("%s: link to %s in %s", lang, m[1], m[2])
				}
				seen[m[1]] = true
			}
			en, _ := centre.Article("en", "complaints")
			a, _ := centre.Article(string(lang), "complaints")
			if !seen["complaints"] || !strings.Contains(body, html.EscapeString(a.Title)) || (lang != i18n.English && a.Title == en.Title) {
				t.Errorf("%s by %s: the complaints article is not listed in the language (%q)", lang, how, a.Title)
			}
			if len(seen) < 16 {
				t.Errorf("%s by %s: %d articles linked", lang, how, len(seen))
			}
			for _, name := range []string{">Dansk<", ">Deutsch<", ">English<", ">Nederlands<", ">Svenska<"} {
				if !strings.Contains(body, name) {
					t.Errorf("%s: the help language switch lacks %s", lang, name)
				}
			}
		}
	}
}

// TestEveryArticlePage opens every article in every language: its title,
// summary and body are on the page, and the page has no script.
func TestEveryArticlePage(t *testing.T) {
	origin, centre := serve(t)
	for _, lang := range help.Languages {
		for _, slug := range slugs(t, origin, lang) {
			resp, body := get(t, origin+help.Prefix+slug+"?lang="+string(lang), "")
			a, ok := centre.Article(string(lang), slug)
			if resp.StatusCode != http.StatusOK || !ok {
				t.Fatalf("%s/%s: status %d", lang, slug, resp.StatusCode)
			}
			for _, want := range []string{
				`<h1 id="article-title">` + html.EscapeString(a.Title) + "</h1>",
				html.EscapeString(a.Summary),
				string(a.Body),
			} {
				if !strings.Contains(body, want) {
					t.Errorf("%s/%s: page lacks %.80q", lang, slug, want)
				}
			}
			if strings.Contains(body, "<script") {
				t.Errorf("%s/%s has a script", lang, slug)
			}
		}
	}
}

// slugs lists the articles the index of lang links to.
func slugs(t *testing.T, origin string, lang i18n.Lang) []string {
	t.Helper()
	_, body := get(t, origin+help.Prefix+"?lang="+string(lang), "")
	var out []string
	for _, m := range articleLink.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestUnknownPagesAreNotFound checks an unknown slug, a deeper path and a
// path without a slug-like name answer the public not-found page.
func TestUnknownPagesAreNotFound(t *testing.T) {
	origin, _ := serve(t)
	for _, path := range []string{"no-such-article", "complaints/more", "%3Cscript%3E", "Complaints"} {
		resp, body := get(t, origin+help.Prefix+path+"?lang=da", "")
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, i18n.T(i18n.Danish, "error.not_found.title")) {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
		if strings.Contains(body, "<script>") {
			t.Errorf("%s: the path is shown unescaped", path)
		}
	}
}

// TestSearchPage checks the search page in every language finds the
// article, shows the query escaped, prompts for an empty query, says so
// when nothing matches, and refuses an overlong query with 400.
func TestSearchPage(t *testing.T) {
	origin, centre := serve(t)
	queries := map[i18n.Lang]string{
		i18n.English: "freeze my card", i18n.Danish: "frys mit kort", i18n.Dutch: "kaart bevriezen",
		i18n.Swedish: "frys mitt kort", help.German: "Karte einfrieren",
	}
	for _, lang := range help.Languages {
		resp, body := get(t, origin+help.SearchPath+"?"+url.Values{"q": {queries[lang]}, "lang": {string(lang)}}.Encode(), "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", lang, resp.StatusCode)
		}
		m := articleLink.FindStringSubmatch(body[strings.Index(body, `id="search-results"`):])
		if m == nil || m[1] != "freeze-account-or-card" || m[2] != string(lang) {
			t.Errorf("%s: first result %v", lang, m)
		}
		if want := centre.Search(string(lang), queries[lang], 1); len(want) != 1 || !strings.Contains(body, html.EscapeString(want[0].Title)) {
			t.Errorf("%s: the best hit's title is missing", lang)
		}
	}
	resp, body := get(t, origin+help.SearchPath+"?q="+url.QueryEscape(`<script>alert(1)</script>`), "")
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("a query with markup: %d, shown unescaped", resp.StatusCode)
	}
	if resp, body := get(t, origin+help.SearchPath+"?q=xqzvw", ""); resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="no-results"`) || strings.Contains(body, `id="search-results"`) {
		t.Errorf("a query nothing matches: %d, or results shown", resp.StatusCode)
	}
	if resp, body := get(t, origin+help.SearchPath+"?lang=sv", ""); resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="search-prompt"`) {
		t.Errorf("empty query: %d", resp.StatusCode)
	}
	for name, q := range map[string]string{"too long": strings.Repeat("a", help.MaxQuery+1), "not UTF-8": "\xff\xfe"} {
		if resp, _ := get(t, origin+help.SearchPath+"?q="+url.QueryEscape(q), ""); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, resp.StatusCode)
		}
	}
	if resp, _ := get(t, origin+help.SearchPath+"?q="+url.QueryEscape(strings.Repeat("ø", help.MaxQuery)), ""); resp.StatusCode != http.StatusOK {
		t.Errorf("%d characters: %d, want 200", help.MaxQuery, resp.StatusCode)
	}
}

// TestGermanIsRemembered checks choosing German with ?lang=de sets the
// lang cookie, and a browser with it gets German pages without asking.
func TestGermanIsRemembered(t *testing.T) {
	origin, _ := serve(t)
	resp, _ := get(t, origin+help.Prefix+"?lang=de", "")
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == i18n.Param {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != "de" || !cookie.HttpOnly {
		t.Fatalf("lang cookie %+v", cookie)
	}
	req, _ := http.NewRequest("GET", origin+help.Prefix+"complaints", nil)
	req.AddCookie(cookie)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if m := contentLang.FindStringSubmatch(string(b)); m == nil || m[1] != "de" {
		t.Errorf("with the cookie the article is in %v", m)
	}
}
