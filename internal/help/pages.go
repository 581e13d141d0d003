package help

import (
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Paths of the help centre.
const (
	// Prefix is where Pages.Handler is mounted; the index is served there.
	Prefix = "/help/"
	// SearchPath shows the articles matching ?q=.
	SearchPath = Prefix + "search"
)

// MaxQuery is the longest search the pages take, in characters; a longer
// one is refused with 400.
const MaxQuery = 200

// maxHits is how many articles a search page lists.
const maxHits = 10

// Pages serves the help centre's public pages.
type Pages struct {
	centre  *Centre
	rd      *web.Renderer
	handler http.Handler
}

// NewPages returns the pages of centre. key signs the shared layout's CSRF
// tokens and notices: at least web.MinKeyLen bytes (the instance's web
// key).
func NewPages(centre *Centre, key []byte, secureCookies bool, logger *slog.Logger) (*Pages, error) {
	if centre == nil {
		return nil, errors.New("help: a Centre is required")
	}
	rd, err := web.NewRenderer(web.Options{Key: key, Home: Prefix, SecureCookies: secureCookies, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("help: %w", err)
	}
	if err := rd.AddPages("help", templates, "templates/*.html"); err != nil {
		return nil, fmt.Errorf("help: %w", err)
	}
	p := &Pages{centre: centre, rd: rd}
	mux := access.NewRouter(access.Gate{}) // public pages only
	mux.HandleFunc("GET "+Prefix+"{$}", p.index)
	mux.HandleFunc("GET "+SearchPath, p.search)
	mux.HandleFunc("GET "+Prefix+"{slug}", p.article)
	mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		_, r = negotiate(w, r)
		rd.Error(w, r, http.StatusNotFound)
	})
	p.handler = rd.Middleware(mux)
	return p, nil
}

// Handler serves every path under Prefix.
func (p *Pages) Handler() http.Handler { return p.handler }

// Centre returns the help centre the pages show, for other parts (the
// assistant) to search.
func (p *Pages) Centre() *Centre { return p.centre }

// page is what every help page shows besides its own content.
type page struct {
	text
	// Lang is the language of the page's content.
	Lang i18n.Lang
	// Langs is the help centre's language switch.
	Langs []langLink
	// Query is the search box's text.
	Query string
	// MaxQuery is the search box's limit.
	MaxQuery int
}

// langLink is one entry of the help centre's language switch.
type langLink struct {
	Lang    i18n.Lang
	Name    string
	URL     string
	Current bool
}

// newPage starts the data of a page in lang for r.
func newPage(r *http.Request, lang i18n.Lang) page {
	p := page{text: text{lang}, Lang: lang, MaxQuery: MaxQuery}
	for _, l := range Languages {
		q := r.URL.Query()
		q.Set(i18n.Param, string(l))
		p.Langs = append(p.Langs, langLink{Lang: l, Name: p.LangName(l), URL: r.URL.Path + "?" + q.Encode(), Current: l == lang})
	}
	return p
}

// URL is the page of the article slug in the page's language.
func (p page) URL(slug string) string { return articleURL(slug, p.Lang) }

// IndexURL is the help centre's index in the page's language.
func (p page) IndexURL() string { return Prefix + "?" + i18n.Param + "=" + string(p.Lang) }

// topicGroup is one topic of the index with its articles.
type topicGroup struct {
	Topic    Topic
	Articles []*Article
}

// indexPage is the data of the index.
type indexPage struct {
	page
	Topics []topicGroup
}

// index shows every article by topic, with the search box.
func (p *Pages) index(w http.ResponseWriter, r *http.Request) {
	lang, r := negotiate(w, r)
	data := indexPage{page: newPage(r, lang)}
	for _, a := range p.centre.list(lang) {
		if n := len(data.Topics); n == 0 || data.Topics[n-1].Topic != a.Topic {
			data.Topics = append(data.Topics, topicGroup{Topic: a.Topic})
		}
		g := &data.Topics[len(data.Topics)-1]
		g.Articles = append(g.Articles, a)
	}
	p.rd.Render(w, r, http.StatusOK, "help/index", data)
}

// articlePage is the data of an article's page.
type articlePage struct {
	page
	Article *Article
	Related []*Article
}

// article shows one article, or the not-found page for an unknown slug.
func (p *Pages) article(w http.ResponseWriter, r *http.Request) {
	lang, r := negotiate(w, r)
	a, ok := p.centre.articles[lang][r.PathValue("slug")]
	if !ok {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	data := articlePage{page: newPage(r, lang), Article: a}
	for _, slug := range a.Related {
		data.Related = append(data.Related, p.centre.articles[lang][slug])
	}
	p.rd.Render(w, r, http.StatusOK, "help/article", data)
}

// searchPage is the data of the search page.
type searchPage struct {
	page
	Hits []Hit
}

// search shows the articles matching ?q=: a prompt when q is empty, 400
// when it is longer than MaxQuery or not UTF-8.
func (p *Pages) search(w http.ResponseWriter, r *http.Request) {
	lang, r := negotiate(w, r)
	q := r.URL.Query().Get("q")
	if !utf8.ValidString(q) || utf8.RuneCountInString(q) > MaxQuery {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	data := searchPage{page: newPage(r, lang)}
	data.Query = q
	if q != "" {
		data.Hits = p.centre.indexes[lang].search(q, maxHits)
	}
	p.rd.Render(w, r, http.StatusOK, "help/search", data)
}
