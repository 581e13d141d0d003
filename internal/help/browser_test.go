package help_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/help"
	"github.com/tillit/tillit/internal/i18n"
)

// TestHelpInBrowser searches the help centre in Chromium in every language
// and opens the best article, checking the index, the results and the
// article pass the accessibility check; English and German also at phone
// width. With TILLIT_SCREENSHOT_DIR set the pages are saved there as
// help-<page>-<lang>-<viewport>.png. Needs TILLIT_BROWSER_TESTS=1 to fail
// rather than skip without Chromium.
func TestHelpInBrowser(t *testing.T) {
	origin, centre := serve(t)
	shots := os.Getenv("TILLIT_SCREENSHOT_DIR")
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	searches := map[i18n.Lang]struct{ query, want string }{
		i18n.English: {"my parcel never arrived", "disputes-and-buyer-protection"},
		i18n.Danish:  {"jeg har mistet min telefon", "lost-card-or-phone"},
		i18n.Dutch:   {"is deze mail echt van jullie", "recognise-phishing"},
		i18n.Swedish: {"var är min återbetalning", "returns-and-refunds"},
		help.German:  {"Karte sperren", "freeze-account-or-card"},
	}
	type run struct {
		lang     i18n.Lang
		viewport string
		size     browsertest.Viewport
	}
	var runs []run
	for _, lang := range help.Languages {
		runs = append(runs, run{lang, "desktop", browsertest.Desktop})
	}
	runs = append(runs, run{i18n.English, "phone", browsertest.Phone}, run{help.German, "phone", browsertest.Phone})
	for _, r := range runs {
		t.Run(string(r.lang)+"-"+r.viewport, func(t *testing.T) {
			b := browsertest.New(t)
			b.SetViewport(r.size)
			shot := func(page string) {
				if shots != "" {
					b.Screenshot(filepath.Join(shots, "help-"+page+"-"+string(r.lang)+"-"+r.viewport+".png"))
				}
			}
			if status := b.Navigate(origin + help.Prefix + "?lang=" + string(r.lang)); status != http.StatusOK {
				t.Fatalf("index: status %d", status)
			}
			if got := b.Attribute("#help", "lang"); got != string(r.lang) {
				t.Errorf("index content in %q", got)
			}
			b.CheckAccessibility(t)
			shot("index")

			search := searches[r.lang]
			b.Fill(b.Text(`label[for="f-q"]`), search.query)
			if status := b.Submit(b.Text("#help-search button")); status != http.StatusOK {
				t.Fatalf("search: status %d", status)
			}
			if !strings.Contains(b.URL(), help.SearchPath+"?") {
				t.Errorf("search went to %s", b.URL())
			}
			want, _ := centre.Article(string(r.lang), search.want)
			if got := b.Text("#search-results li a"); got != want.Title {
				t.Fatalf("first result %q, want %q", got, want.Title)
			}
			b.CheckAccessibility(t)
			shot("search")

			if status := b.Submit(want.Title); status != http.StatusOK {
				t.Fatalf("article: status %d", status)
			}
			if got := b.Text("h1"); got != want.Title {
				t.Errorf("article heading %q, want %q", got, want.Title)
			}
			if !strings.Contains(b.URL(), help.Prefix+search.want) {
				t.Errorf("article at %s", b.URL())
			}
			b.CheckAccessibility(t)
			shot("article")
		})
	}
}
