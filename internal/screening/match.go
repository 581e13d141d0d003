package screening

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Thresholds and weights of the score. A score is in [0, 1].
const (
	// AlertThreshold is the score at and above which a match is an alert:
	// the screened person may be the listed one and must not be served
	// until an analyst has looked.
	AlertThreshold = 0.85
	// ReportThreshold is the lowest score Screen returns: below it a match
	// is noise.
	ReportThreshold = 0.70
	// MinTokenSimilarity is the lowest Similarity at which two tokens
	// count as the same word spelt differently.
	MinTokenSimilarity = 0.84
	// InitialSimilarity is the similarity of an initial and a name
	// starting with it ("J" and "John").
	InitialSimilarity = 0.85
	// InitialWeight caps the weight of an initial: it tells little about
	// who someone is.
	InitialWeight = 1.5
	// UnmatchedQueryFactor and UnmatchedListedFactor are how much a token
	// of the query or of the listed name without a counterpart counts
	// against the match, relative to its weight: a missing or extra
	// middle name costs, but less than a wrong one. Listed names are often
	// longer than the names people use (patronymics, second surnames), so
	// a listed token left over costs less.
	UnmatchedQueryFactor  = 0.5
	UnmatchedListedFactor = 0.3
	// EvidenceNeeded is the weight of matched tokens (their idf, plus the
	// birth date's) at which a name is rare enough to stand on its own.
	// Below it the score shrinks with the square root of the shortfall, so
	// common names ("Muhammad Ali") do not alert without a birth date.
	EvidenceNeeded = 14.0
	// WeakAliasFactor multiplies the name score of a match on a weak
	// alias.
	WeakAliasFactor = 0.9
	// DOBBoostMinName is the lowest name score a birth date can raise: a
	// shared birthday does not make different names alike.
	DOBBoostMinName = 0.8
	// DOBConflictFactor multiplies the score when the birth date
	// contradicts every date of birth of the entry.
	DOBConflictFactor = 0.65
	// MaxMatches is the most matches Screen returns.
	MaxMatches = 20
)

// dobBoost is how far an agreeing birth date moves a score towards 1, and
// dobEvidence the weight it adds to the name's.
var (
	dobBoost    = map[DOBResult]float64{DOBExact: 0.6, DOBMonth: 0.45, DOBYear: 0.2}
	dobEvidence = map[DOBResult]float64{DOBExact: 12, DOBMonth: 8, DOBYear: 3}
)

// The retrieval limits: a query token is compared with the terms sharing
// at least minDice of its trigrams (Dice coefficient) and looks at the
// names of its maxSimilar most similar terms; a query has at most
// maxQueryTokens tokens.
const (
	minDice        = 0.3
	maxSimilar     = 64
	maxQueryTokens = 12
)

// Query is who to screen.
type Query struct {
	// Name is the full name as given, in any order.
	Name string
	// BirthDate is the date of birth; the zero time when unknown.
	BirthDate time.Time
	// Type limits the entries to one type (Individual to screen a
	// consumer); empty for every type.
	Type EntryType
}

// Match is a list entry a query resembles, and why.
type Match struct {
	List      string    `json:"list"`
	EntryID   string    `json:"entry_id"`
	Reference string    `json:"reference,omitempty"`
	Type      EntryType `json:"type"`
	// PrimaryName is the entry's main name; MatchedName is the one of its
	// names that matched best, of NameQuality.
	PrimaryName string  `json:"primary_name"`
	MatchedName string  `json:"matched_name"`
	NameQuality Quality `json:"name_quality"`
	Score       float64 `json:"score"`
	// Alert is Score >= AlertThreshold.
	Alert    bool     `json:"alert"`
	Programs []string `json:"programs,omitempty"`
	Why      Why      `json:"why"`
}

// Why explains a score.
type Why struct {
	// Pairs are the tokens of the query and the listed name taken for the
	// same word, best first.
	Pairs []TokenPair `json:"pairs"`
	// UnmatchedQuery and UnmatchedListed are the tokens without a
	// counterpart.
	UnmatchedQuery  []string `json:"unmatched_query,omitempty"`
	UnmatchedListed []string `json:"unmatched_listed,omitempty"`
	// NameScore is how alike the two names are, from their tokens alone.
	NameScore float64 `json:"name_score"`
	// Evidence is the weight of the matched tokens and the birth date;
	// below EvidenceNeeded the score is reduced (the name is common).
	Evidence float64 `json:"evidence"`
	// DOB is how the birth date compares; ListedDOB is the entry's date it
	// was compared with, as published.
	DOB       DOBResult `json:"dob"`
	ListedDOB string    `json:"listed_dob,omitempty"`
	// Summary says the same in one sentence.
	Summary string `json:"summary"`
}

// TokenPair is one query token matched with one token of a listed name,
// both normalised.
type TokenPair struct {
	Query      string  `json:"query"`
	Listed     string  `json:"listed"`
	Similarity float64 `json:"similarity"`
	// Weight is the rarity (idf) the pair counts with.
	Weight float64 `json:"weight"`
}

// queryToken is one normalised token of the query.
type queryToken struct {
	text    string
	first   rune
	initial bool
	// known says some entry has the token.
	known bool
	// weight is the token's idf, unknownIDF when no entry has it, or
	// InitialWeight for an initial.
	weight float64
	// similar are the terms it resembles, best first.
	similar []similarTerm
}

// similarTerm is a term a query token resembles.
type similarTerm struct {
	term int32
	sim  float64
}

// Screen returns the entries q resembles with a score of at least
// ReportThreshold, best first, at most MaxMatches.
//
// Each query token looks up the terms it resembles and adds its weight to
// the names holding one of them. A name whose score cannot reach
// ReportThreshold given that weight (see bound) is dropped unscored; the
// others are scored and each entry keeps its best name.
func (l *List) Screen(q Query) []Match {
	toks := Tokens(q.Name)
	if len(toks) == 0 {
		return nil
	}
	toks = toks[:min(len(toks), maxQueryTokens)]
	s := l.scratch.Get().(*scratch)
	defer func() { s.reset(); l.scratch.Put(s) }()

	qt, total, initials := l.prepare(s, toks)
	heaviest, queryInitials := 0.0, 0
	for i := range qt {
		heaviest = max(heaviest, qt[i].weight)
		if qt[i].initial {
			queryInitials++
		}
	}
	withDOB := !q.BirthDate.IsZero()
	for _, n := range s.touchedNames {
		in := &l.names[n]
		e := l.entries[in.entry]
		if q.Type != "" && e.Type != q.Type {
			continue
		}
		// Half a thousandth below the threshold: scores are rounded.
		if l.bound(s, n, total, initials, heaviest, queryInitials, withDOB && len(e.BirthDates) > 0) < ReportThreshold-0.0005 {
			continue
		}
		sim, evidence := l.scoreName(qt, in, s, nil)
		if e.Names[in.name].Quality == Weak {
			sim *= WeakAliasFactor
		}
		s.offer(in.entry, n, sim, evidence)
	}

	var out []Match
	for _, ei := range s.touchedEntries {
		in := &l.names[s.bestName[ei]]
		if m, ok := l.match(l.entries[ei], qt, in, s, q.BirthDate); ok {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b Match) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.List, b.List), cmp.Compare(a.EntryID, b.EntryID))
	})
	return out[:min(len(out), MaxMatches)]
}

// prepare looks up the query's tokens and collects the names holding terms
// they resemble. It returns the tokens, their total weight and the weight
// of the initials among them.
func (l *List) prepare(s *scratch, toks []string) (qt []queryToken, total, initials float64) {
	qt = make([]queryToken, len(toks))
	for i, t := range toks {
		runes := []rune(t)
		qt[i] = queryToken{text: t, first: runes[0], initial: len(runes) == 1}
		if qt[i].initial {
			qt[i].weight = InitialWeight
			total += InitialWeight
			initials += InitialWeight
			continue
		}
		qt[i].weight = l.unknownIDF
		if id, ok := l.vocab[t]; ok {
			qt[i].weight, qt[i].known = l.terms[id].idf, true
		}
		total += qt[i].weight
		qt[i].similar = l.similarTerms(s, runes)
		s.collect(l, &qt[i], uint8(i+1))
	}
	return qt, total, initials
}

// collect adds a query token (the token-th, from 1) to the names holding a
// term it resembles: covQ gets its weight once per name, covN the highest
// idf among the name's terms it resembles.
func (s *scratch) collect(l *List, q *queryToken, token uint8) {
	for _, st := range q.similar {
		idf := float32(l.terms[st.term].idf)
		for _, n := range l.terms[st.term].names {
			switch {
			case s.lastToken[n] == 0:
				s.touchedNames = append(s.touchedNames, n)
				fallthrough
			case s.lastToken[n] != token:
				s.lastToken[n], s.lastIDF[n] = token, idf
				s.covQ[n] += float32(q.weight)
				s.covN[n] += idf
			case idf > s.lastIDF[n]:
				s.covN[n] += idf - s.lastIDF[n]
				s.lastIDF[n] = idf
			}
		}
	}
}

// offer keeps the name as its entry's best if it scores higher before the
// birth date is considered than the entry's best so far (the earlier,
// stronger name on a tie).
func (s *scratch) offer(entry, name int32, sim, evidence float64) {
	pre := sim * math.Sqrt(min(1, evidence/EvidenceNeeded))
	switch best := s.bestName[entry]; {
	case best < 0:
		s.touchedEntries = append(s.touchedEntries, entry)
	case pre < s.bestPre[entry] || pre == s.bestPre[entry] && name > best:
		return
	}
	s.bestName[entry], s.bestSim[entry], s.bestEvidence[entry], s.bestPre[entry] = name, sim, evidence, pre
}

// bound is the highest final score name n can get, from what collect
// gathered for a query of total weight total, with initials the weight of
// its queryInitials initials and heaviest the weight of its heaviest token.
// Pairing a token takes its whole weight out of the unpaired ones, so the
// weight the query and the name can pair is at most what collect found plus
// what initials can take: an initial pairs with a token of any weight
// starting with its letter.
func (l *List) bound(s *scratch, n int32, total, initials, heaviest float64, queryInitials int, dob bool) float64 {
	in := &l.names[n]
	pairedQ := float64(s.covQ[n]) + initials + float64(in.nInitials)*heaviest
	pairedN := float64(s.covN[n]) + in.initials + float64(queryInitials)*in.heaviest
	return boundScore(min(pairedQ, total), min(pairedN, in.weight), total, in.weight, dob)
}

// boundScore is the highest final score a name of total weight nameWeight
// can get for a query of total weight queryWeight when at most pairedQ of
// the query's weight and pairedN of the name's can be paired. With sim <= 1
// the name score is at most (pairedQ + pairedN) / (pairedQ + pairedN +
// fq*(queryWeight-pairedQ) + fn*(nameWeight-pairedN)), which grows with
// both; the evidence is at most min(pairedQ, pairedN) plus what a birth
// date may add.
func boundScore(pairedQ, pairedN, queryWeight, nameWeight float64, dob bool) float64 {
	sim := 0.0
	if d := pairedQ + pairedN + UnmatchedQueryFactor*(queryWeight-pairedQ) + UnmatchedListedFactor*(nameWeight-pairedN); d > 0 {
		sim = (pairedQ + pairedN) / d
	}
	evidence := min(pairedQ, pairedN)
	if dob {
		evidence += dobEvidence[DOBExact]
	}
	score := sim * math.Sqrt(min(1, evidence/EvidenceNeeded))
	if dob && sim >= DOBBoostMinName {
		score += (1 - score) * dobBoost[DOBExact]
	}
	return score
}

// similarTerms returns the terms resembling a query token, best first.
func (l *List) similarTerms(s *scratch, runes []rune) []similarTerm {
	grams := trigrams(runes)
	for _, g := range grams {
		for _, t := range l.grams[g] {
			if s.gramHits[t] == 0 {
				s.touchedTerms = append(s.touchedTerms, t)
			}
			s.gramHits[t]++
		}
	}
	var out []similarTerm
	for _, t := range s.touchedTerms {
		hits := s.gramHits[t]
		s.gramHits[t] = 0
		term := &l.terms[t]
		// Similarity is at least MinTokenSimilarity only when the
		// Levenshtein part is at least 2*MinTokenSimilarity-1, which needs
		// lengths that close.
		short, long := min(len(runes), len(term.runes)), max(len(runes), len(term.runes))
		if 2*float64(hits) < minDice*float64(len(grams)+term.ngrams) || float64(long-short) > 2*(1-MinTokenSimilarity)*float64(long) {
			continue
		}
		if sim := Similarity(runes, term.runes); sim >= MinTokenSimilarity {
			out = append(out, similarTerm{term: t, sim: sim})
		}
	}
	s.touchedTerms = s.touchedTerms[:0]
	slices.SortFunc(out, func(a, b similarTerm) int { return cmp.Or(cmp.Compare(b.sim, a.sim), cmp.Compare(a.term, b.term)) })
	return out[:min(len(out), maxSimilar)]
}

// pair is a query token (q) paired with a token of a name (n), with their
// similarity and the weight the pair counts with as evidence.
type pair struct {
	q, n   int
	sim, w float64
}

// tokenSim is the similarity of a query token and a term.
func (l *List) tokenSim(q *queryToken, id int32) float64 {
	t := &l.terms[id]
	if q.initial || len(t.runes) == 1 {
		switch {
		case q.first != t.runes[0]:
			return 0
		case q.initial && len(t.runes) == 1:
			return 1
		}
		return InitialSimilarity
	}
	for _, st := range q.similar {
		if st.term == id {
			return st.sim
		}
	}
	return 0
}

// scoreName compares the query's tokens with one name and returns the name
// score and the evidence. It pairs tokens greedily, most similar first,
// each token at most once and in any order, and weighs every token by its
// rarity. The pairs are appended to *pairs when pairs is not nil.
//
// The name score is (Mq + Mn) / (Wq + Wn + fq*Uq + fn*Un), where M sums
// similarity times weight over the paired tokens of the query (q) and of
// the name (n), W sums their weights, and U sums the weights of the tokens
// left over, which fq (UnmatchedQueryFactor) and fn
// (UnmatchedListedFactor) discount. The evidence sums similarity times the
// lesser weight of each pair.
func (l *List) scoreName(qt []queryToken, in *indexedName, s *scratch, pairs *[]pair) (sim, evidence float64) {
	cand := s.pairs[:0]
	for i := range qt {
		for j, id := range in.terms {
			if sim := l.tokenSim(&qt[i], id); sim > 0 {
				cand = append(cand, pair{q: i, n: j, sim: sim})
			}
		}
	}
	slices.SortStableFunc(cand, func(a, b pair) int { return cmp.Compare(b.sim, a.sim) })
	s.pairs = cand
	var usedQ, usedN uint64
	var mq, mn, wq, wn float64
	for _, c := range cand {
		if usedQ&(1<<c.q) != 0 || usedN&(1<<c.n) != 0 {
			continue
		}
		usedQ |= 1 << c.q
		usedN |= 1 << c.n
		q := &qt[c.q]
		t := &l.terms[in.terms[c.n]]
		qw, nw := q.weight, t.idf
		if !q.known && !q.initial {
			qw = nw
		}
		if q.initial || len(t.runes) == 1 {
			qw, nw = min(qw, InitialWeight), min(nw, InitialWeight)
		}
		mq += c.sim * qw
		mn += c.sim * nw
		wq += qw
		wn += nw
		c.w = min(qw, nw)
		evidence += c.sim * c.w
		if pairs != nil {
			*pairs = append(*pairs, c)
		}
	}
	var uq, un float64
	for i := range qt {
		if usedQ&(1<<i) == 0 {
			uq += qt[i].weight
		}
	}
	for j, id := range in.terms {
		if usedN&(1<<j) == 0 {
			un += l.terms[id].weight()
		}
	}
	if d := wq + wn + UnmatchedQueryFactor*uq + UnmatchedListedFactor*un; d > 0 {
		sim = (mq + mn) / d
	}
	return sim, evidence
}

// match turns the best name of an entry into a Match, with the birth date
// taken into account; ok is false below ReportThreshold.
func (l *List) match(e *Entry, qt []queryToken, in *indexedName, s *scratch, birth time.Time) (Match, bool) {
	ns := s.bestSim[in.entry]
	score, evidence, dob, listed := finalScore(e, ns, s.bestEvidence[in.entry], birth)
	if score < ReportThreshold {
		return Match{}, false
	}
	name := e.Names[in.name]
	m := Match{List: e.List, EntryID: e.ID, Reference: e.Reference, Type: e.Type, PrimaryName: e.Names[0].Full,
		MatchedName: name.Full, NameQuality: name.Quality, Score: score, Alert: score >= AlertThreshold, Programs: e.Programs}
	m.Why = Why{NameScore: round3(ns), Evidence: round3(evidence), DOB: dob, Pairs: []TokenPair{}}
	if listed != nil {
		m.Why.ListedDOB = listed.Text
	}
	var pairs []pair
	l.scoreName(qt, in, s, &pairs)
	l.explain(&m, qt, in, pairs)
	return m, true
}

// finalScore combines a name's score and evidence with the birth date:
// the name score shrinks with the square root of the evidence short of
// EvidenceNeeded; an agreeing birth date adds evidence and, for a name
// scoring at least DOBBoostMinName, moves the score towards 1; a
// conflicting one multiplies it by DOBConflictFactor. The score is rounded
// to three decimals.
func finalScore(e *Entry, name, evidence float64, birth time.Time) (score, totalEvidence float64, dob DOBResult, listed *BirthDate) {
	dob, listed = compareDOB(e.BirthDates, birth)
	totalEvidence = evidence + dobEvidence[dob]
	score = name * math.Sqrt(min(1, totalEvidence/EvidenceNeeded))
	switch dob {
	case DOBConflict:
		score *= DOBConflictFactor
	case DOBExact, DOBMonth, DOBYear:
		if name >= DOBBoostMinName {
			score += (1 - score) * dobBoost[dob]
		}
	}
	return round3(score), totalEvidence, dob, listed
}

// round3 rounds to three decimals, for explanations.
func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// explain fills in the token pairs and the summary of m.
func (l *List) explain(m *Match, qt []queryToken, in *indexedName, pairs []pair) {
	var usedQ, usedN uint64
	for _, p := range pairs {
		usedQ |= 1 << p.q
		usedN |= 1 << p.n
		m.Why.Pairs = append(m.Why.Pairs, TokenPair{Query: qt[p.q].text, Listed: l.terms[in.terms[p.n]].text,
			Similarity: round3(p.sim), Weight: round3(p.w)})
	}
	for i := range qt {
		if usedQ&(1<<i) == 0 {
			m.Why.UnmatchedQuery = append(m.Why.UnmatchedQuery, qt[i].text)
		}
	}
	for j, id := range in.terms {
		if usedN&(1<<j) == 0 {
			m.Why.UnmatchedListed = append(m.Why.UnmatchedListed, l.terms[id].text)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d query tokens match %s name %q", len(pairs), len(qt), m.NameQuality, m.MatchedName)
	if len(m.Why.UnmatchedListed) > 0 {
		fmt.Fprintf(&b, " (listed name has %s besides)", strings.Join(m.Why.UnmatchedListed, " "))
	}
	switch m.Why.DOB {
	case DOBExact, DOBMonth, DOBYear:
		fmt.Fprintf(&b, "; birth date agrees with listed %s (%s)", m.Why.ListedDOB, m.Why.DOB)
	case DOBConflict:
		fmt.Fprintf(&b, "; birth date contradicts listed %s", m.Why.ListedDOB)
	default:
		b.WriteString("; no birth date to compare")
	}
	if m.Why.Evidence < EvidenceNeeded {
		b.WriteString("; common name, score reduced")
	}
	m.Why.Summary = b.String()
}

// WithoutQuery returns m without the words of the query: the token pairs
// keep only the listed token, the query's unmatched tokens are dropped.
// What remains (entry, listed names, score, birth date comparison,
// summary) says why without naming the person screened.
func (m Match) WithoutQuery() Match {
	pairs := make([]TokenPair, len(m.Why.Pairs))
	for i, p := range m.Why.Pairs {
		p.Query = ""
		pairs[i] = p
	}
	m.Why.Pairs, m.Why.UnmatchedQuery = pairs, nil
	return m
}
