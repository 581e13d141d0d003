package model

import (
	"cmp"
	"slices"
	"time"
)

// byScore returns the indexes of scores from highest to lowest; ties keep
// their input order.
func byScore(scores []float64) []int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
	return idx
}

// ROCAUC is the area under the ROC curve: the probability that a random
// fraud scores above a random genuine order, ties counting half. It is 0.5
// when either class is missing.
func ROCAUC(scores []float64, labels []int) float64 {
	idx := byScore(scores)
	var pos, neg float64
	for _, l := range labels {
		if l == 1 {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		return 0.5
	}
	// Walk groups of equal score from the top; each genuine order counts
	// the frauds scored above it, and half of those tied with it.
	var above, pairs float64
	for i := 0; i < len(idx); {
		j := i
		var p, n float64
		for ; j < len(idx) && scores[idx[j]] == scores[idx[i]]; j++ {
			if labels[idx[j]] == 1 {
				p++
			} else {
				n++
			}
		}
		pairs += n * (above + p/2)
		above += p
		i = j
	}
	return pairs / (pos * neg)
}

// AveragePrecision is the mean of the precision at each threshold weighted by
// the recall gained there: Σ (Rₖ − Rₖ₋₁)·Pₖ over the distinct scores from the
// highest down (the definition scikit-learn uses). It is 0 without frauds.
func AveragePrecision(scores []float64, labels []int) float64 {
	idx := byScore(scores)
	var pos float64
	for _, l := range labels {
		pos += float64(l)
	}
	if pos == 0 {
		return 0
	}
	var tp, seen, ap float64
	for i := 0; i < len(idx); {
		j := i
		var p float64
		for ; j < len(idx) && scores[idx[j]] == scores[idx[i]]; j++ {
			p += float64(labels[idx[j]])
		}
		seen += float64(j - i)
		tp += p
		ap += p / pos * (tp / seen)
		i = j
	}
	return ap
}

// PrecisionAtK is the share of frauds among the k highest scores.
func PrecisionAtK(scores []float64, labels []int, k int) float64 {
	idx := byScore(scores)
	k = min(k, len(idx))
	if k <= 0 {
		return 0
	}
	var tp float64
	for _, i := range idx[:k] {
		tp += float64(labels[i])
	}
	return tp / float64(k)
}

// DailyPrecisionAtK is the mean over days (UTC) of the share of frauds among
// each day's k highest scores: the handbook's "precision top-k" for a team
// that can review k orders a day.
func DailyPrecisionAtK(times []time.Time, scores []float64, labels []int, k int) float64 {
	type group struct {
		scores []float64
		labels []int
	}
	days := map[time.Time]*group{}
	var order []time.Time
	for i, t := range times {
		d := t.UTC().Truncate(24 * time.Hour)
		g := days[d]
		if g == nil {
			g = &group{}
			days[d] = g
			order = append(order, d)
		}
		g.scores = append(g.scores, scores[i])
		g.labels = append(g.labels, labels[i])
	}
	if len(order) == 0 {
		return 0
	}
	var sum float64
	for _, d := range order {
		g := days[d]
		sum += PrecisionAtK(g.scores, g.labels, k)
	}
	return sum / float64(len(order))
}
