package browsertest_test

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/browsertest"
)

// serve answers each path with its HTML.
func serve(t *testing.T, pages map[string]string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, strings.ReplaceAll(page, "{{query}}", html.EscapeString(r.URL.RawQuery)))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

const goodPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Good</title>
<style>body { font: 16px sans-serif; color: #222; margin: 1rem } .dark { background: #123; color: #fff; padding: 4px } input { max-width: 100% }</style></head>
<body><main>
<h1>Good page</h1>
<h2>Section</h2>
<p class="dark">White on dark blue <span>inherits the dark background</span></p>
<form action="/result" method="get">
  <label for="name">Your name</label><input id="name" name="name">
  <label>Town <input name="town"></label>
  <span id="pc">Postcode</span><input name="postcode" aria-labelledby="pc">
  <input name="note" aria-label="Note">
  <input type="hidden" name="h" value="1">
  <button type="submit">Send it</button>
</form>
<p><a href="/result?name=link"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="Result page"></a></p>
<h3>Smaller</h3>
</main></body></html>`

const resultPage = `<!doctype html><html lang="en"><head><title>Result</title></head><body><h1 id="q">{{query}}</h1></body></html>`

// badPage breaks every rule once, next to elements that pass the same rule.
const badPage = `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Bad</title>
<style>
  body { font: 16px sans-serif; color: #222; background: #fff; margin: 0 }
  .faint { color: #aaa }
  .large-faint { color: #949494; font-size: 24px }
  .on-black { background: #000 }
  .dim { color: #333 }
  .bright { color: #eee }
  .veil { background: rgba(255, 255, 255, 0.5) }
  .wide { width: 600px; height: 10px }
</style></head>
<body>
<h1>First</h1>
<h4>Skips two levels</h4>
<h1>Second</h1>
<p class="faint">Low contrast text</p>
<p class="large-faint">Large text may have 3:1</p>
<div class="on-black"><p><span class="dim">Dark grey on an ancestor's black</span> <span class="bright">Light on black</span></p>
  <div class="veil"><span class="bright">Light on a half-white veil over black</span></div></div>
<label for="ok">Labelled</label><input id="ok">
<input name="unlabelled">
<select name="choice"><option>One</option></select>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">
<a href="/somewhere"></a>
<button type="button"></button>
<button type="button" aria-label="Close"></button>
<div class="wide"></div>
</body></html>`

func TestCheckerPassesGoodPage(t *testing.T) {
	url := serve(t, map[string]string{"/": goodPage, "/result": resultPage})
	b := browsertest.New(t)
	for _, v := range []browsertest.Viewport{browsertest.Desktop, browsertest.Phone} {
		b.SetViewport(v)
		if status := b.Navigate(url + "/"); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		b.CheckAccessibility(t)
	}
}

func TestCheckerFindsEachProblem(t *testing.T) {
	url := serve(t, map[string]string{"/": badPage})
	b := browsertest.New(t)
	b.SetViewport(browsertest.Phone)
	b.Navigate(url + "/")
	vs := b.Accessibility()
	got := map[string][]string{}
	for _, v := range vs {
		t.Log(v)
		got[v.Rule] = append(got[v.Rule], v.Selector+" "+v.Text)
	}
	want := map[string][]string{
		"html-lang":     {"html"},
		"one-h1":        {"Second"},
		"heading-order": {"Skips two levels"},
		"contrast":      {"Low contrast text", "Dark grey on an ancestor's black", "Light on a half-white veil"},
		"control-name":  {`name="unlabelled"`, `name="choice"`},
		"img-alt":       {"img:nth-of-type(1)"},
		"link-name":     {"a"},
		"button-name":   {"button:nth-of-type(1)"},
		"overflow":      {"div.wide"},
	}
	for rule, needles := range want {
		if len(got[rule]) != len(needles) {
			t.Errorf("%s: %d violations %q, want %d", rule, len(got[rule]), got[rule], len(needles))
			continue
		}
		for _, n := range needles {
			if !slices.ContainsFunc(got[rule], func(s string) bool { return strings.Contains(s, n) }) {
				t.Errorf("%s: %q does not name %q", rule, got[rule], n)
			}
		}
	}
	for rule := range got {
		if _, ok := want[rule]; !ok {
			t.Errorf("unexpected rule %s: %q", rule, got[rule])
		}
	}
	for _, v := range vs {
		if v.Rule == "contrast" && strings.Contains(v.Text, "Low contrast") && !strings.Contains(v.Detail, "2.32:1 (#aaaaaa on #ffffff) is below 4.5:1") {
			t.Errorf("contrast detail %q", v.Detail)
		}
	}

	// At desktop width the wide element fits.
	b.SetViewport(browsertest.Desktop)
	for _, v := range b.Accessibility() {
		if v.Rule == "overflow" {
			t.Errorf("overflow at desktop width: %s", v)
		}
	}
}

func TestFillClickAndRead(t *testing.T) {
	url := serve(t, map[string]string{"/": goodPage, "/result": resultPage})
	b := browsertest.New(t)
	b.Navigate(url + "/")
	b.Fill("Your name", "Anna")
	b.Fill("town", "Klarup")
	b.Fill("Postcode", "9270")
	b.Fill("Note", "x")
	b.Fill("Note", "Hi & bye")
	if v := b.Value("Note"); v != "Hi & bye" {
		t.Errorf("Fill did not replace the value: %q", v)
	}
	if status := b.Submit("Send it"); status != http.StatusOK {
		t.Fatalf("submit: status %d", status)
	}
	if got, want := b.Text("#q"), "name=Anna&town=Klarup&postcode=9270&note=Hi+%26+bye&h=1"; got != want {
		t.Errorf("submitted %q, want %q", got, want)
	}
	if !strings.HasSuffix(b.URL(), "/result?name=Anna&town=Klarup&postcode=9270&note=Hi+%26+bye&h=1") {
		t.Errorf("URL %q", b.URL())
	}
	if b.Attribute("h1", "id") != "q" {
		t.Error("Attribute")
	}
	if n := browsertest.Eval[int](b, "document.querySelectorAll('h1').length"); n != 1 {
		t.Errorf("Eval = %d", n)
	}
	b.Navigate(url + "/")
	b.Submit("Result page")
	if got := b.Text("#q"); got != "name=link" {
		t.Errorf("link by its image's alt: %q", got)
	}
	if status := b.Navigate(url + "/missing"); status != http.StatusNotFound {
		t.Errorf("missing page: status %d", status)
	}
	path := filepath.Join(t.TempDir(), "page.png")
	b.Screenshot(path)
	png, err := os.ReadFile(path)
	if err != nil || len(png) < 100 || string(png[1:4]) != "PNG" {
		t.Errorf("screenshot: %d bytes, %v", len(png), err)
	}
}
