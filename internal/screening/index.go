package screening

import (
	"fmt"
	"math"
	"slices"
	"sync"
)

// List is a loaded, indexed set of list entries. It is read-only once
// built and safe for concurrent use; Load makes one.
//
// The index has two levels. Every distinct normalised token of every name
// (a term) has a posting list of the names holding it and an inverse
// document frequency over the entries (idf: how rare the token is in the
// lists). Every term of two or more letters is also indexed by its letter
// trigrams, so that a misspelt query token finds the terms it resembles
// without comparing it with all of them.
type List struct {
	entries []*Entry
	byKey   map[string]*Entry
	counts  map[string]int
	names   []indexedName
	terms   []term
	vocab   map[string]int32
	grams   map[uint64][]int32
	// unknownIDF is the weight of a query token no entry has: that of a
	// term only one entry has.
	unknownIDF float64
	scratch    sync.Pool
	// version is the digest of the files the lists were loaded from.
	version string
}

// Version is a short digest of the list files' bytes (VersionLen
// hexadecimal digits): lists loaded from the same files have the same
// version. It names the lists a decision was taken with.
func (l *List) Version() string { return l.version }

// indexedName is one name of one entry, as terms.
type indexedName struct {
	entry int32
	name  int32
	terms []int32
	// weight sums the weights of its terms and heaviest is the greatest;
	// initials sums the weights of its nInitials one-letter terms.
	weight, heaviest, initials float64
	nInitials                  int
}

// term is one distinct normalised token.
type term struct {
	text   string
	runes  []rune
	idf    float64
	names  []int32
	ngrams int
}

// Len returns the number of entries.
func (l *List) Len() int { return len(l.entries) }

// Counts returns the number of entries per list name.
func (l *List) Counts() map[string]int {
	out := make(map[string]int, len(l.counts))
	for k, v := range l.counts {
		out[k] = v
	}
	return out
}

// Lookup returns the entry with the publisher's id on a list. The entry
// shares its slices with the list: read them, do not change them.
func (l *List) Lookup(list, id string) (Entry, bool) {
	e, ok := l.byKey[list+"\x00"+id]
	if !ok {
		return Entry{}, false
	}
	return *e, true
}

// build indexes entries.
func build(entries []*Entry) (*List, error) {
	l := &List{entries: entries, byKey: make(map[string]*Entry, len(entries)), counts: map[string]int{},
		vocab: map[string]int32{}, grams: map[uint64][]int32{}}
	var df []int32
	for ei, e := range entries {
		key := e.List + "\x00" + e.ID
		if _, dup := l.byKey[key]; dup {
			return nil, fmt.Errorf("screening: %s has entry %s twice", e.List, e.ID)
		}
		l.byKey[key] = e
		l.counts[e.List]++
		seen := map[int32]bool{}
		var forms [][]int32
		for ni, n := range e.Names {
			toks := Tokens(n.Full)
			if len(toks) == 0 {
				continue
			}
			// Matching tracks a name's tokens in a 64-bit set.
			toks = toks[:min(len(toks), 64)]
			ids := make([]int32, len(toks))
			for i, t := range toks {
				id, ok := l.vocab[t]
				if !ok {
					id = int32(len(l.terms))
					l.vocab[t] = id
					l.terms = append(l.terms, term{text: t, runes: []rune(t)})
					df = append(df, 0)
				}
				ids[i] = id
				if !seen[id] {
					seen[id] = true
					df[id]++
				}
			}
			// Two spellings of one name that normalise alike are indexed
			// once, under the first (the stronger) of them.
			if slices.ContainsFunc(forms, func(f []int32) bool { return slices.Equal(f, ids) }) {
				continue
			}
			forms = append(forms, ids)
			nameID := int32(len(l.names))
			l.names = append(l.names, indexedName{entry: int32(ei), name: int32(ni), terms: ids})
			for _, id := range ids {
				if p := l.terms[id].names; len(p) == 0 || p[len(p)-1] != nameID {
					l.terms[id].names = append(p, nameID)
				}
			}
		}
	}
	n := float64(len(entries))
	l.unknownIDF = idf(n, 1)
	for id := range l.terms {
		t := &l.terms[id]
		t.idf = idf(n, float64(df[id]))
		if len(t.runes) < 2 {
			continue
		}
		for _, g := range trigrams(t.runes) {
			l.grams[g] = append(l.grams[g], int32(id))
			t.ngrams++
		}
	}
	for i := range l.names {
		in := &l.names[i]
		for _, id := range in.terms {
			w := l.terms[id].weight()
			in.weight += w
			in.heaviest = max(in.heaviest, w)
			if len(l.terms[id].runes) == 1 {
				in.initials += w
				in.nInitials++
			}
		}
	}
	l.scratch.New = func() any { return newScratch(len(l.entries), len(l.names), len(l.terms)) }
	return l, nil
}

// weight is what a term counts with in a name: its idf, at most
// InitialWeight for an initial.
func (t *term) weight() float64 {
	if len(t.runes) == 1 {
		return min(t.idf, InitialWeight)
	}
	return t.idf
}

// idf is the inverse document frequency of a term df of n entries have.
func idf(n, df float64) float64 { return math.Log(1 + n/df) }

// trigrams returns the letter trigrams of a token padded with a space at
// each end ("ali" has " al", "ali", "li "), each packed into a uint64, in
// order and without repeats.
func trigrams(r []rune) []uint64 {
	padded := make([]rune, 0, len(r)+2)
	padded = append(append(append(padded, ' '), r...), ' ')
	out := make([]uint64, 0, len(padded)-2)
	for i := 0; i+3 <= len(padded); i++ {
		g := uint64(padded[i])<<42 | uint64(padded[i+1])<<21 | uint64(padded[i+2])
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// scratch is the per-query working memory, reused through List.scratch.
// Its arrays are indexed by term, name or entry, and reset touches only
// what the query touched.
type scratch struct {
	// gramHits counts the trigrams a query token shares with each term.
	gramHits     []uint16
	touchedTerms []int32
	// Per name: covQ sums the weights of the query tokens that resemble
	// one of its terms, covN the highest idf of such a term per token;
	// lastToken is the query token (from 1) that added to them last, and
	// lastIDF the idf it added to covN.
	covQ, covN, lastIDF []float32
	lastToken           []uint8
	touchedNames        []int32
	// Per entry: its best name so far (-1 for none), with its name score,
	// evidence and score before the birth date.
	bestName                       []int32
	bestSim, bestEvidence, bestPre []float64
	touchedEntries                 []int32
	// pairs is scoreName's buffer.
	pairs []pair
}

func newScratch(entries, names, terms int) *scratch {
	s := &scratch{gramHits: make([]uint16, terms),
		covQ: make([]float32, names), covN: make([]float32, names), lastIDF: make([]float32, names), lastToken: make([]uint8, names),
		bestName: make([]int32, entries), bestSim: make([]float64, entries), bestEvidence: make([]float64, entries), bestPre: make([]float64, entries)}
	for i := range s.bestName {
		s.bestName[i] = -1
	}
	return s
}

// reset clears what a query touched.
func (s *scratch) reset() {
	for _, t := range s.touchedTerms {
		s.gramHits[t] = 0
	}
	for _, n := range s.touchedNames {
		s.covQ[n], s.covN[n], s.lastIDF[n], s.lastToken[n] = 0, 0, 0, 0
	}
	for _, e := range s.touchedEntries {
		s.bestName[e] = -1
	}
	s.touchedTerms, s.touchedNames, s.touchedEntries = s.touchedTerms[:0], s.touchedNames[:0], s.touchedEntries[:0]
}
