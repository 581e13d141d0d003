package screening

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestBoundIsSafe checks the pruning of Screen: for a mix of queries, no
// name of the lists scores more than bound says it can, so no match
// Screen skips unscored could have reached ReportThreshold.
func TestBoundIsSafe(t *testing.T) {
	l, err := Load("testdata")
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	queries := []string{"Muhammad Ali", "Mohamed Abdullah Ahmed", "J. Smith", "Sergei Ivanov", "Abu Bakr al-Baghdadi",
		"Saddam Hussein", "Kim Jong Un", "Maria Garcia Lopez", "Usama", "Banco Nacional de Cuba", "A B Khan", "Ivan T"}
	for _, e := range l.entries[:len(l.entries):len(l.entries)] {
		if r.IntN(100) == 0 {
			queries = append(queries, e.Names[r.IntN(len(e.Names))].Full)
		}
	}
	checked := 0
	for qi, name := range queries {
		birth := time.Time{}
		if qi%2 == 1 {
			birth = time.Date(1940+r.IntN(60), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		}
		s := l.scratch.Get().(*scratch)
		qt, total, initials := l.prepare(s, Tokens(name))
		heaviest, queryInitials := 0.0, 0
		for i := range qt {
			heaviest = max(heaviest, qt[i].weight)
			if qt[i].initial {
				queryInitials++
			}
		}
		for n := range l.names {
			in := &l.names[n]
			e := l.entries[in.entry]
			sim, evidence := l.scoreName(qt, in, s, nil)
			if e.Names[in.name].Quality == Weak {
				sim *= WeakAliasFactor
			}
			score, _, _, _ := finalScore(e, sim, evidence, birth)
			b := l.bound(s, int32(n), total, initials, heaviest, queryInitials, !birth.IsZero() && len(e.BirthDates) > 0)
			if score > b+0.0005 {
				t.Errorf("%q: %s/%s name %q scores %.3f above its bound %.3f", name, e.List, e.ID, e.Names[in.name].Full, score, b)
			}
			checked++
		}
		s.reset()
		l.scratch.Put(s)
	}
	t.Logf("%d queries, %d name scores checked", len(queries), checked)
}
