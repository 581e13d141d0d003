package features

import (
	"slices"
	"time"
)

// SortByTime orders a data set by time, keeping the given order among orders
// placed at the same instant: the order Offline takes as "earlier".
func SortByTime(txs []Tx) {
	slices.SortStableFunc(txs, func(a, b Tx) int { return a.Time.Compare(b.Time) })
}

// Offline computes the features of every order of a data set sorted by time
// (SortByTime), each from the orders before it, exactly as Compute would
// online: for each order it gathers the earlier orders that share a key
// within RelatedWindow, as a database query for the order would return
// them, and keeps the merchant's aggregates up to date with sliding
// windows.
func Offline(txs []Tx, enc *Encoding) []Vector {
	out := make([]Vector, len(txs))
	ns := make([]int64, len(txs))
	for i := range txs {
		ns[i] = txs[i].Time.UnixNano()
	}
	idx := newKeyIndex()
	terms := map[string]*terminalWindows{}
	stamp := make([]int, len(txs)) // stamp[j] == i+1: order j already gathered for order i
	var related []Tx
	for i := range txs {
		tx := &txs[i]
		related = related[:0]
		gather := func(list []int, w time.Duration) {
			for k := len(list) - 1; k >= 0; k-- {
				j := list[k]
				if ns[i]-ns[j] >= int64(w) {
					return
				}
				if stamp[j] != i+1 {
					stamp[j] = i + 1
					related = append(related, txs[j])
				}
			}
		}
		gather(idx.customer[tx.Customer], RelatedWindow)
		gather(idx.device[tx.Device], Week)
		gather(idx.email[tx.Email], Week)
		gather(idx.ip[tx.IP], Week)
		gather(idx.shipping[tx.Shipping], Week)
		var term TerminalStats
		tw := terms[tx.Terminal]
		if tx.Terminal != "" && tw == nil {
			tw = &terminalWindows{cum: []int{0}}
			terms[tx.Terminal] = tw
		}
		if tw != nil {
			term = tw.stats(ns, ns[i])
			tw.list = append(tw.list, i)
			tw.cum = append(tw.cum, tw.cum[len(tw.cum)-1]+tx.Label)
		}
		out[i] = Compute(*tx, related, term, enc)
		idx.add(tx, i)
	}
	return out
}

// terminalWindows keeps one merchant's orders with a pointer per window
// edge: the first order in list younger than the edge. Orders arrive in
// time order, so the pointers only move forward.
type terminalWindows struct {
	list                          []int // positions of the merchant's orders
	cum                           []int // cum[k]: frauds among list[:k]
	day, week, month, delay, tail int
}

// stats returns the aggregates for an order at now (nanoseconds).
func (w *terminalWindows) stats(ns []int64, now int64) TerminalStats {
	advance := func(p *int, edge time.Duration) int {
		for *p < len(w.list) && now-ns[w.list[*p]] >= int64(edge) {
			*p++
		}
		return *p
	}
	n := len(w.list)
	day, week, month := advance(&w.day, Day), advance(&w.week, Week), advance(&w.month, 30*Day)
	delay, tail := advance(&w.delay, LabelDelay), advance(&w.tail, TerminalWindow)
	return TerminalStats{
		Count1d: n - day, Count7d: n - week, Count30d: n - month,
		Labelled: delay - tail, Frauds: w.cum[delay] - w.cum[tail],
	}
}

// keyIndex lists, per key, the positions of the orders seen so far.
type keyIndex struct {
	customer, device, email, ip, shipping, terminal map[string][]int
}

func newKeyIndex() *keyIndex {
	return &keyIndex{
		customer: map[string][]int{}, device: map[string][]int{}, email: map[string][]int{},
		ip: map[string][]int{}, shipping: map[string][]int{}, terminal: map[string][]int{},
	}
}

func (x *keyIndex) add(tx *Tx, i int) {
	for _, e := range []struct {
		m   map[string][]int
		key string
	}{{x.customer, tx.Customer}, {x.device, tx.Device}, {x.email, tx.Email}, {x.ip, tx.IP}, {x.shipping, tx.Shipping}, {x.terminal, tx.Terminal}} {
		if e.key != "" {
			e.m[e.key] = append(e.m[e.key], i)
		}
	}
}
