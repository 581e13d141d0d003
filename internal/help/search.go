package help

import (
	"math"
	"sort"
	"strings"

	"github.com/tillit/tillit/internal/i18n"
)

// Hit is one article a search found.
type Hit struct {
	// Slug names the article; Title and Summary are in the language
	// searched.
	Slug, Title, Summary string
	// Score is how well the article matches (BM25; higher is better,
	// always above 0). Scores compare hits of one search, not searches.
	Score float64
	// URL is the article's page in the language searched, such as
	// /help/freeze-account-or-card?lang=da.
	URL string
}

// Search weights: a word in an article's title or keywords counts as much
// as titleWeight words of its body, in its summary as summaryWeight.
const (
	titleWeight   = 3.0
	summaryWeight = 2.0
	bodyWeight    = 1.0
)

// BM25's parameters, at their usual values: k1 caps how much repeating a
// word adds, b how much a long article is discounted.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// How much a query word that is not in the articles counts when it
// matches one that is: a typo (within typoDistance edits) and a part of a
// compound word ("kort" in "betalingskort", "karte" in "kreditkarte").
const (
	typoWeight     = 0.7
	compoundWeight = 0.5
	// minFuzzy is the shortest query word matched as a typo or a compound
	// part: shorter words are too easily something else.
	minFuzzy = 4
)

// minShareOfBest is the least share of the best article's score another
// article needs to be a hit: below it, an article matched only a word or a
// near-miss the best one matched far better.
const minShareOfBest = 0.25

// index is the search index of one language's articles.
type index struct {
	lang i18n.Lang
	docs []indexedDoc
	// df is, per term, how many articles hold it.
	df map[string]int
	// avgLen is the articles' average weighted length.
	avgLen float64
}

// indexedDoc is one article's weighted term counts.
type indexedDoc struct {
	article *Article
	tf      map[string]float64
	length  float64
}

// newIndex indexes articles (all of one language).
func newIndex(lang i18n.Lang, articles []*Article) *index {
	ix := &index{lang: lang, df: map[string]int{}}
	total := 0.0
	for _, a := range articles {
		d := indexedDoc{article: a, tf: map[string]float64{}}
		add := func(s string, weight float64) {
			for _, t := range terms(lang, s) {
				d.tf[t] += weight
				d.length += weight
			}
		}
		add(a.Title, titleWeight)
		for _, k := range a.Keywords {
			add(k, titleWeight)
		}
		add(a.Summary, summaryWeight)
		add(a.text, bodyWeight)
		for t := range d.tf {
			ix.df[t]++
		}
		total += d.length
		ix.docs = append(ix.docs, d)
	}
	if len(ix.docs) > 0 {
		ix.avgLen = total / float64(len(ix.docs))
	}
	return ix
}

// expansion is an indexed term a query word stands for, and how much a
// match on it counts.
type expansion struct {
	term   string
	weight float64
}

// expand returns the indexed terms query term q stands for: itself when an
// article holds it; otherwise the closest terms within typoDistance edits,
// and the terms it is the start or end of or that are the start or end of
// it (the parts of a compound word).
func (ix *index) expand(q string) []expansion {
	if _, ok := ix.df[q]; ok {
		return []expansion{{q, 1}}
	}
	if len([]rune(q)) < minFuzzy {
		return nil
	}
	var out []expansion
	maxEdits := typoDistance(q)
	best := maxEdits + 1
	var typos []string
	for t := range ix.df {
		if compoundPart(q, t) {
			out = append(out, expansion{t, compoundWeight})
			continue
		}
		switch d := editDistance(q, t, maxEdits+1); {
		case d > maxEdits:
		case d < best:
			best, typos = d, []string{t}
		case d == best:
			typos = append(typos, t)
		}
	}
	for _, t := range typos {
		out = append(out, expansion{t, typoWeight})
	}
	return out
}

// typoDistance is how many edits a query word of q's length may be from
// an indexed term and still be taken for it.
func typoDistance(q string) int {
	if len([]rune(q)) >= 7 {
		return 2
	}
	return 1
}

// search scores every article against query and returns the n best with a
// score above zero and at least minShareOfBest of the best score, best
// first (ties by slug).
func (ix *index) search(query string, n int) []Hit {
	if n <= 0 {
		return nil
	}
	seen := map[string]bool{}
	scores := make([]float64, len(ix.docs))
	nDocs := float64(len(ix.docs))
	for _, q := range terms(ix.lang, query) {
		if seen[q] {
			continue
		}
		seen[q] = true
		exps := ix.expand(q)
		// Each query word adds its best match in an article, once.
		for i, d := range ix.docs {
			best := 0.0
			for _, e := range exps {
				tf := d.tf[e.term]
				if tf == 0 {
					continue
				}
				df := float64(ix.df[e.term])
				idf := math.Log(1 + (nDocs-df+0.5)/(df+0.5))
				s := e.weight * idf * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*d.length/ix.avgLen))
				best = math.Max(best, s)
			}
			scores[i] += best
		}
	}
	top := 0.0
	for _, s := range scores {
		top = math.Max(top, s)
	}
	var hits []Hit
	for i, d := range ix.docs {
		if scores[i] > 0 && scores[i] >= minShareOfBest*top {
			a := d.article
			hits = append(hits, Hit{Slug: a.Slug, Title: a.Title, Summary: a.Summary, Score: scores[i], URL: articleURL(a.Slug, a.Lang)})
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].Slug < hits[j].Slug
	})
	if len(hits) > n {
		hits = hits[:n]
	}
	return hits
}

// articleURL is the page of an article in lang.
func articleURL(slug string, lang i18n.Lang) string {
	return Prefix + slug + "?" + i18n.Param + "=" + string(lang)
}

// compoundPart reports whether the shorter of a and b, at least minFuzzy
// letters long, starts or ends the longer: "kart" and "kreditkart".
func compoundPart(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	return len([]rune(a)) >= minFuzzy && len(b) > len(a) && (strings.HasPrefix(b, a) || strings.HasSuffix(b, a))
}

// editDistance is the optimal string alignment distance between a and b
// (in runes): insertions, deletions, substitutions and swaps of two
// neighbouring letters ("emial" for "email") count one edit each. It
// returns limit when the distance is limit or more (the work stops there).
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d >= limit || -d >= limit {
		return limit
	}
	// rows[i%3] is row i of the table: the distances from a[:i] to each b[:j].
	var rows [3][]int
	for k := range rows {
		rows[k] = make([]int, len(rb)+1)
	}
	for j := range rows[0] {
		rows[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur, prev, before := rows[i%3], rows[(i-1)%3], rows[(i+1)%3]
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], before[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
	}
	return min(rows[len(ra)%3][len(rb)], limit)
}
