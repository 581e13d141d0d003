// Package help is Tillit's help centre: articles that answer consumers'
// questions (paying, pausing a payment, returns, disputes and buyer
// protection, complaints, privacy rights, and staying safe from fraud), in
// English, Danish, Dutch, Swedish and German.
//
// The articles are content files in the repository,
// articles/<lang>/<slug>.md, embedded in the binary: a little front matter
// (title, summary, topic, order, keywords, related articles) and a body in
// a small Markdown that the package renders itself, escaping everything
// but headings, paragraphs, lists, bold and links to Tillit's own pages.
// New checks them all together, so a language that lacks an article, or an
// article without a title or summary, stops the program (and the tests).
//
// Centre.Search is an offline search over one language's articles (BM25
// over folded, lightly stemmed words, with the title and keywords weighed
// more, typos and compound words forgiven); the assistant answers from it
// too. Pages serves the public pages:
//
//	GET /help/               the topics and a search box, in the visitor's language
//	GET /help/{slug}         one article
//	GET /help/search?q=...   the articles that match
//
// The language is ?lang=, the lang cookie or Accept-Language, among the
// five; docs/help.md says how German is served beside the shared layout's
// four languages, and how to add or edit an article.
package help

import (
	"embed"
	"errors"
	"io/fs"
	"sort"
	"strings"

	"github.com/tillit/tillit/internal/i18n"
)

//go:embed articles
var articleFiles embed.FS

// Centre holds every article in every language and their search indexes.
// It is read-only once made and safe for concurrent use.
type Centre struct {
	articles map[i18n.Lang]map[string]*Article
	indexes  map[i18n.Lang]*index
}

// New returns the help centre of the articles embedded in the binary. It
// fails, naming every problem, when an article is malformed or a language
// lacks one.
func New() (*Centre, error) { return load(articleFiles) }

// load builds a Centre from the articles in fsys.
func load(fsys fs.FS) (*Centre, error) {
	articles, problems := loadArticles(fsys)
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, errors.New("help: " + strings.Join(problems, "; "))
	}
	c := &Centre{articles: articles, indexes: map[i18n.Lang]*index{}}
	for _, lang := range Languages {
		c.indexes[lang] = newIndex(lang, c.list(lang))
	}
	return c, nil
}

// Search returns at most n articles in lang that match query, best first;
// none when nothing matches. Articles scoring under a quarter of the best
// are left out. lang is a language tag ("da", "de-AT"); a language the help
// centre does not have searches the English articles.
func (c *Centre) Search(lang, query string, n int) []Hit {
	return c.indexes[langOrEnglish(lang)].search(query, n)
}

// Article returns the article slug in lang (a language tag, English when
// the help centre does not have it), and false when there is no such
// article.
func (c *Centre) Article(lang, slug string) (Article, bool) {
	a, ok := c.articles[langOrEnglish(lang)][slug]
	if !ok {
		return Article{}, false
	}
	return *a, true
}

// list returns lang's articles by topic and order.
func (c *Centre) list(lang i18n.Lang) []*Article {
	out := make([]*Article, 0, len(c.articles[lang]))
	for _, a := range c.articles[lang] {
		out = append(out, a)
	}
	rank := map[Topic]int{}
	for i, t := range Topics {
		rank[t] = i
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Topic != b.Topic {
			return rank[a.Topic] < rank[b.Topic]
		}
		if a.Order != b.Order {
			return a.Order < b.Order
		}
		return a.Slug < b.Slug
	})
	return out
}
