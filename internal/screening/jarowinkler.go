package screening

// JaroWinkler returns the Jaro-Winkler similarity of a and b, from 0 (no
// characters in common) to 1 (equal), with the usual prefix scale 0.1 over
// at most four characters.
func JaroWinkler(a, b []rune) float64 {
	if len(a) == 0 || len(b) == 0 {
		if len(a) == len(b) {
			return 1
		}
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	window := max(len(b)/2-1, 0)
	// Names are short: mark matches in stack arrays when they fit.
	var aBuf, bBuf [64]bool
	var aHit, bHit []bool
	if len(b) <= len(bBuf) {
		aHit, bHit = aBuf[:len(a)], bBuf[:len(b)]
	} else {
		aHit, bHit = make([]bool, len(a)), make([]bool, len(b))
	}
	matches := 0
	for i, r := range a {
		lo, hi := max(0, i-window), min(len(b), i+window+1)
		for j := lo; j < hi; j++ {
			if !bHit[j] && b[j] == r {
				aHit[i], bHit[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	transpositions, j := 0, 0
	for i, r := range a {
		if !aHit[i] {
			continue
		}
		for !bHit[j] {
			j++
		}
		if r != b[j] {
			transpositions++
		}
		j++
	}
	m := float64(matches)
	jaro := (m/float64(len(a)) + m/float64(len(b)) + (m-float64(transpositions/2))/m) / 3
	prefix := 0
	for prefix < min(4, len(a)) && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

// levenshteinSim returns 1 - d/n for the Levenshtein distance d of a and b
// and the length n of the longer: the share of characters that need no
// edit.
func levenshteinSim(a, b []rune) float64 {
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a) == 0 {
		return 1
	}
	var buf [65]int
	var row []int
	if len(b)+1 <= len(buf) {
		row = buf[:len(b)+1]
	} else {
		row = make([]int, len(b)+1)
	}
	for j := range row {
		row[j] = j
	}
	for i, ra := range a {
		prev := row[0]
		row[0] = i + 1
		for j, rb := range b {
			cost := 1
			if ra == rb {
				cost = 0
			}
			cur := row[j+1]
			row[j+1] = min(row[j+1]+1, row[j]+1, prev+cost)
			prev = cur
		}
	}
	return 1 - float64(row[len(b)])/float64(len(a))
}

// Similarity is the similarity of two tokens that Screen uses: the mean of
// their Jaro-Winkler similarity and their Levenshtein similarity. Jaro-
// Winkler forgives typing slips and rewards a shared start; the
// Levenshtein part keeps a name from matching a longer one it begins
// ("Ivanov" and "Ivanovych") or sits inside ("Anna" and "Banna").
func Similarity(a, b []rune) float64 {
	jw := JaroWinkler(a, b)
	if jw < 2*MinTokenSimilarity-1 {
		return jw
	}
	return (jw + levenshteinSim(a, b)) / 2
}
