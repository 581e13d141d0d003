package features

// Encoding holds the merchant-category target encoding: each category's
// fraud rate in the training period, smoothed towards the overall rate so
// that rare categories do not get extreme values. It is fitted once, on the
// training period only, and shipped inside the model, so scoring never sees
// labels from the period it is evaluated on.
type Encoding struct {
	// Prior is the overall fraud rate of the training period; unknown
	// categories get it.
	Prior float64 `json:"prior"`
	// CategoryRisk maps a category to its smoothed fraud rate.
	CategoryRisk map[string]float64 `json:"category_risk"`
}

// DefaultSmoothing is the weight, in orders, of the prior in FitEncoding.
const DefaultSmoothing = 200

// FitEncoding computes the category encoding from labelled training orders:
// (frauds + smoothing*prior) / (orders + smoothing) per category.
func FitEncoding(train []Tx, smoothing float64) Encoding {
	type tally struct{ n, frauds float64 }
	byCat := map[string]*tally{}
	var all tally
	for i := range train {
		t := byCat[train[i].Category]
		if t == nil {
			t = &tally{}
			byCat[train[i].Category] = t
		}
		t.n++
		t.frauds += float64(train[i].Label)
		all.n++
		all.frauds += float64(train[i].Label)
	}
	enc := Encoding{CategoryRisk: map[string]float64{}}
	if all.n > 0 {
		enc.Prior = all.frauds / all.n
	}
	for cat, t := range byCat {
		enc.CategoryRisk[cat] = (t.frauds + smoothing*enc.Prior) / (t.n + smoothing)
	}
	return enc
}

// Category returns the encoded risk of a merchant category.
func (e *Encoding) Category(c string) float64 {
	if e == nil {
		return 0
	}
	if r, ok := e.CategoryRisk[c]; ok {
		return r
	}
	return e.Prior
}
