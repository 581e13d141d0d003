package assistant

import "sort"

// vocabulary is the set of words the training phrases use, for matching a
// misspelt word to the word the consumer meant.
type vocabulary struct {
	known map[string]int
	// byLength lists the known words of each length (in runes), most
	// frequent first.
	byLength map[int][]string
}

// newVocabulary counts the words of the training phrases.
func newVocabulary(phrases [][]string) *vocabulary {
	v := &vocabulary{known: map[string]int{}, byLength: map[int][]string{}}
	for _, ws := range phrases {
		for _, w := range ws {
			v.known[w]++
		}
	}
	for w := range v.known {
		n := len([]rune(w))
		v.byLength[n] = append(v.byLength[n], w)
	}
	for _, ws := range v.byLength {
		sort.Slice(ws, func(i, j int) bool {
			if v.known[ws[i]] != v.known[ws[j]] {
				return v.known[ws[i]] > v.known[ws[j]]
			}
			return ws[i] < ws[j]
		})
	}
	return v
}

// Typo tolerance: a word of minTypoLength runes or more that the training
// phrases lack is read as the most frequent known word one edit away (two
// from longTypoLength runes).
const (
	minTypoLength  = 4
	longTypoLength = 8
)

// correct returns the known word w most likely stands for: w itself when it
// is known, the most frequent known word within the allowed edits, or ""
// when there is none.
func (v *vocabulary) correct(w string) string {
	if _, ok := v.known[w]; ok {
		return w
	}
	r := []rune(w)
	if len(r) < minTypoLength {
		return ""
	}
	maxEdits := 1
	if len(r) >= longTypoLength {
		maxEdits = 2
	}
	best, bestEdits, bestCount := "", maxEdits+1, 0
	for n := len(r) - maxEdits; n <= len(r)+maxEdits; n++ {
		for _, cand := range v.byLength[n] {
			d := editDistance(r, []rune(cand), maxEdits)
			if d < bestEdits || d == bestEdits && v.known[cand] > bestCount {
				best, bestEdits, bestCount = cand, d, v.known[cand]
			}
		}
	}
	if bestEdits > maxEdits {
		return ""
	}
	return best
}

// editDistance returns the optimal string alignment distance between a and
// b (insertions, deletions, substitutions and swaps of neighbours), or
// limit+1 as soon as it must exceed limit.
func editDistance(a, b []rune, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
