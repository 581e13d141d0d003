package help

import (
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/tillit/tillit/internal/i18n"
)

// Article is one help article in one language.
type Article struct {
	// Slug names the article in every language: /help/{slug}.
	Slug string
	// Lang is the language it is written in.
	Lang i18n.Lang
	// Title is its heading; Summary a sentence or two saying what it
	// answers, shown under the title and in lists and search results.
	Title, Summary string
	// Topic is the topic the index lists it under.
	Topic Topic
	// Order is its place within the topic, from 1.
	Order int
	// Keywords are the words people use for what it answers, beyond the
	// ones it uses itself; search weighs them like the title.
	Keywords []string
	// Related are the slugs of the articles to read next.
	Related []string
	// Body is the article rendered as HTML.
	Body template.HTML

	// text is the body without its markup, for search.
	text string
}

// Topic groups articles on the help centre's index.
type Topic string

// The topics, in the order the index shows them.
const (
	TopicPaying     Topic = "paying"
	TopicProblems   Topic = "problems"
	TopicComplaints Topic = "complaints"
	TopicPrivacy    Topic = "privacy"
	TopicSafety     Topic = "safety"
)

// Topics lists every topic in the index's order.
var Topics = []Topic{TopicPaying, TopicProblems, TopicComplaints, TopicPrivacy, TopicSafety}

// NameKey is the catalog key of the topic's name.
func (t Topic) NameKey() string { return "help.topic." + string(t) }

// known reports whether t is one of Topics.
func (t Topic) known() bool {
	for _, k := range Topics {
		if t == k {
			return true
		}
	}
	return false
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// parseArticle reads one article file: front matter between two "---"
// lines, one "key: value" a line (title, summary, topic and order required;
// keywords and related optional, comma-separated), then the body. It
// returns every problem it finds, each naming the file.
func parseArticle(name string, lang i18n.Lang, src string) (*Article, []string) {
	var problems []string
	bad := func(format string, args ...any) {
		problems = append(problems, name+": "+fmt.Sprintf(format, args...))
	}
	a := &Article{Slug: strings.TrimSuffix(path.Base(name), ".md"), Lang: lang}
	if !slugPattern.MatchString(a.Slug) {
		bad("the file name must be a slug of lower-case letters, digits and hyphens")
	}
	src = strings.ReplaceAll(src, "\r\n", "\n")
	rest, ok := strings.CutPrefix(src, "---\n")
	if !ok {
		bad("no front matter: the file must start with a line \"---\"")
		return nil, problems
	}
	front, body, ok := strings.Cut(rest, "\n---\n")
	if !ok {
		bad("the front matter has no closing line \"---\"")
		return nil, problems
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(front, "\n") {
		key, value, ok := strings.Cut(line, ":")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || key == "" {
			bad("front matter line %q is not \"key: value\"", line)
			continue
		}
		if seen[key] {
			bad("front matter key %q is given twice", key)
		}
		seen[key] = true
		switch key {
		case "title":
			a.Title = value
		case "summary":
			a.Summary = value
		case "topic":
			a.Topic = Topic(value)
			if !a.Topic.known() {
				bad("unknown topic %q (one of %v)", value, Topics)
			}
		case "order":
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 {
				bad("order %q is not a whole number from 1", value)
			}
			a.Order = n
		case "keywords":
			a.Keywords = list(value)
		case "related":
			a.Related = list(value)
		default:
			bad("unknown front matter key %q", key)
		}
	}
	for _, key := range []string{"title", "summary", "topic", "order"} {
		if !seen[key] {
			bad("the front matter lacks %q", key)
		}
	}
	if seen["title"] && a.Title == "" {
		bad("the title is empty")
	}
	if seen["summary"] && a.Summary == "" {
		bad("the summary is empty")
	}
	if strings.TrimSpace(body) == "" {
		bad("the body is empty")
	}
	problems = append(problems, checkHeadings(name, body)...)
	var links []string
	a.Body, links = renderBody(body)
	for _, l := range links {
		if !internalPath(l) {
			bad("link %q does not lead to a page of this site: write a path such as /app/cards", l)
		}
	}
	a.text = plainText(body)
	return a, problems
}

// checkHeadings reports a body's headings that break the page's outline:
// the title is the page's only h1, so the body's headings are "## " and,
// below one of them, "### ".
func checkHeadings(name, body string) []string {
	var problems []string
	h2 := false
	for _, line := range strings.Split(body, "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			h2 = true
		case strings.HasPrefix(line, "### "):
			if !h2 {
				problems = append(problems, fmt.Sprintf("%s: heading %q comes before any \"## \" heading", name, line))
			}
		case strings.HasPrefix(line, "#"):
			problems = append(problems, fmt.Sprintf("%s: heading %q: use \"## \" or \"### \" (the title is the page's heading)", name, line))
		}
	}
	return problems
}

// list splits a comma-separated front matter value.
func list(value string) []string {
	var out []string
	for _, v := range strings.Split(value, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// loadArticles reads articles/<lang>/<slug>.md for every language in
// Languages from fsys and checks them together: every language has the
// same slugs as English, with the same topic, order and related articles,
// and every related slug exists. It returns the articles by language and
// slug, or every problem found.
func loadArticles(fsys fs.FS) (map[i18n.Lang]map[string]*Article, []string) {
	var problems []string
	all := map[i18n.Lang]map[string]*Article{}
	for _, lang := range Languages {
		dir := "articles/" + string(lang)
		all[lang] = map[string]*Article{}
		entries, err := fs.ReadDir(fsys, dir)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", dir, err))
			continue
		}
		for _, e := range entries {
			name := dir + "/" + e.Name()
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".md") {
				problems = append(problems, name+": not an article: the directory holds only <slug>.md files")
				continue
			}
			src, err := fs.ReadFile(fsys, name)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", name, err))
				continue
			}
			a, ps := parseArticle(name, lang, string(src))
			problems = append(problems, ps...)
			if a != nil {
				all[lang][a.Slug] = a
			}
		}
	}
	english := all[i18n.English]
	if len(english) == 0 {
		problems = append(problems, "articles/en: no articles")
	}
	for _, lang := range Languages {
		for slug, a := range all[lang] {
			en, ok := english[slug]
			if !ok {
				problems = append(problems, fmt.Sprintf("articles/%s/%s.md: English has no article %q", lang, slug, slug))
				continue
			}
			if a.Topic != en.Topic || a.Order != en.Order || strings.Join(a.Related, ",") != strings.Join(en.Related, ",") {
				problems = append(problems, fmt.Sprintf("articles/%s/%s.md: topic, order and related must be English's (%s, %d, %v)", lang, slug, en.Topic, en.Order, en.Related))
			}
			for _, r := range a.Related {
				if _, ok := english[r]; !ok {
					problems = append(problems, fmt.Sprintf("articles/%s/%s.md: related article %q does not exist", lang, slug, r))
				} else if r == slug {
					problems = append(problems, fmt.Sprintf("articles/%s/%s.md: an article is not related to itself", lang, slug))
				}
			}
		}
		if lang == i18n.English {
			continue
		}
		for slug := range english {
			if _, ok := all[lang][slug]; !ok {
				problems = append(problems, fmt.Sprintf("articles/%s: lacks the article %q (articles/en/%s.md)", lang, slug, slug))
			}
		}
	}
	return all, problems
}
