package screening_test

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/screening"
)

// find returns the match of an entry among ms, or nil.
func find(ms []screening.Match, list, id string) *screening.Match {
	for i := range ms {
		if ms[i].List == list && ms[i].EntryID == id {
			return &ms[i]
		}
	}
	return nil
}

// TestExplanation checks what a match says: entry, matched alias, score and
// why (token pairs, unmatched tokens, birth date).
func TestExplanation(t *testing.T) {
	l := lists(t)
	ms := l.Screen(screening.Query{Name: "Santander Lozada", BirthDate: date(t, "1964-08-17")})
	m := find(ms, screening.ListOFAC, "8158")
	if m == nil {
		t.Fatalf("8158 not found: %v", ids(ms))
	}
	want := screening.Match{List: "ofac-sdn", EntryID: "8158", Type: screening.Individual, PrimaryName: "MANCUSO GOMEZ, Salvatore",
		MatchedName: "LOZADA, Santander", NameQuality: screening.Strong, Score: 1, Alert: true, Programs: []string{"SDNTK"}}
	got := *m
	got.Why = screening.Why{}
	if b, w := mustJSON(t, got), mustJSON(t, want); b != w {
		t.Errorf("match = %s\nwant    %s", b, w)
	}
	why := m.Why
	if len(why.Pairs) != 2 || why.Pairs[0].Similarity != 1 || why.DOB != screening.DOBExact || why.ListedDOB != "17 Aug 1964" ||
		why.NameScore != 1 || len(why.UnmatchedQuery) != 0 || len(why.UnmatchedListed) != 0 {
		t.Errorf("why = %s", mustJSON(t, why))
	}
	for _, p := range why.Pairs {
		if p.Query != p.Listed || p.Weight <= 0 {
			t.Errorf("pair %+v", p)
		}
	}
	if !strings.Contains(why.Summary, `"LOZADA, Santander"`) || !strings.Contains(why.Summary, "17 Aug 1964 (exact)") {
		t.Errorf("summary %q", why.Summary)
	}

	// A misspelt, partial query: the fuzzy pair and the listed token left
	// over are explained.
	ms = l.Screen(screening.Query{Name: "Ambrose Mutinhri"})
	m = find(ms, screening.ListOFAC, "9468")
	if m == nil {
		t.Fatalf("9468 not found: %v", ids(ms))
	}
	var fuzzy *screening.TokenPair
	for i, p := range m.Why.Pairs {
		if p.Query == "mutinhri" {
			fuzzy = &m.Why.Pairs[i]
		}
	}
	if fuzzy == nil || fuzzy.Listed != "mutinhiri" || fuzzy.Similarity >= 1 || fuzzy.Similarity < screening.MinTokenSimilarity ||
		m.Why.DOB != screening.DOBNone || !strings.Contains(m.Why.Summary, "no birth date") {
		t.Errorf("why = %s", mustJSON(t, m.Why))
	}
}

// mustJSON encodes v.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestBirthDateSignal checks the birth date as a strong signal: an agreeing
// date raises a score, a conflicting one drops it below the alert
// threshold, and none leaves it.
func TestBirthDateSignal(t *testing.T) {
	l := lists(t)
	score := func(dob string) (float64, screening.DOBResult) {
		m := find(l.Screen(screening.Query{Name: "Ivan Tsertsel", BirthDate: date(t, dob)}), screening.ListOFAC, "32277")
		if m == nil {
			return 0, screening.DOBConflict
		}
		return m.Score, m.Why.DOB
	}
	none, r := score("")
	if r != screening.DOBNone || none == 0 {
		t.Fatalf("no date: %.3f %s", none, r)
	}
	match, r := score("1966-09-08")
	if r != screening.DOBExact || match <= none || match < screening.AlertThreshold {
		t.Errorf("matching date: %.3f %s, no date %.3f", match, r, none)
	}
	conflict, _ := score("1985-03-01")
	if conflict >= screening.AlertThreshold || conflict >= none*0.7 {
		t.Errorf("conflicting date: %.3f, no date %.3f", conflict, none)
	}
}

// TestInitials checks that initials match names starting with them, with
// less weight than the name.
func TestInitials(t *testing.T) {
	l := lists(t)
	full := find(l.Screen(screening.Query{Name: "Ousmane Illiassou Djibo"}), screening.ListOFAC, "32391")
	initial := find(l.Screen(screening.Query{Name: "O. I. Djibo", BirthDate: date(t, "1984-03-03")}), screening.ListOFAC, "32391")
	if full == nil || initial == nil {
		t.Fatalf("full %v, initials %v", full, initial)
	}
	if initial.Why.NameScore >= full.Why.NameScore || initial.Why.Evidence-5 >= full.Why.Evidence {
		t.Errorf("initials: name %.3f evidence %.3f; full name: %.3f %.3f", initial.Why.NameScore, initial.Why.Evidence, full.Why.NameScore, full.Why.Evidence)
	}
	if initial.Why.Pairs[len(initial.Why.Pairs)-1].Similarity != screening.InitialSimilarity {
		t.Errorf("pairs %+v", initial.Why.Pairs)
	}
	if wrong := find(l.Screen(screening.Query{Name: "X. Y. Djibo", BirthDate: date(t, "1984-03-03")}), screening.ListOFAC, "32391"); wrong != nil && wrong.Alert {
		t.Errorf("other initials alert: %+v", wrong)
	}
}

// TestWeakAlias checks that a match on a weak alias counts less than the
// same match on a strong one.
func TestWeakAlias(t *testing.T) {
	l := lists(t)
	m := find(l.Screen(screening.Query{Name: "Petit Chapori"}), screening.ListOFAC, "32391")
	if m == nil || m.NameQuality != screening.Weak || m.Why.NameScore > screening.WeakAliasFactor {
		t.Fatalf("weak alias match %+v", m)
	}
}

// TestQueryType checks the entry type filter and empty queries.
func TestQueryType(t *testing.T) {
	l := lists(t)
	if m := find(l.Screen(screening.Query{Name: "Banco Nacional de Cuba", Type: screening.Individual}), screening.ListOFAC, "306"); m != nil {
		t.Errorf("an individual query found the bank: %+v", m)
	}
	if m := find(l.Screen(screening.Query{Name: "Banco Nacional de Cuba", Type: screening.Entity}), screening.ListOFAC, "306"); m == nil || !m.Alert {
		t.Errorf("an entity query did not find the bank: %+v", m)
	}
	for _, name := range []string{"", "  ", "--", "Mr."} {
		if ms := l.Screen(screening.Query{Name: name}); len(ms) != 0 {
			t.Errorf("%q matched %v", name, ids(ms))
		}
	}
	if ms := l.Screen(screening.Query{Name: strings.Repeat("Muhammad ", 40)}); len(ms) > screening.MaxMatches {
		t.Errorf("%d matches", len(ms))
	}
}

// TestCommonNameSweep screens every pairing of common given names and
// surnames of many origins (1,600 names) with a random birth date, as a
// checkout would, and counts the alerts: the people are made up, so an
// alert is a false one. Without a birth date a name that is itself a listed name (such as
// "Sergei Ivanov") may alert: that is the point of screening; the birth
// date is what clears it.
func TestCommonNameSweep(t *testing.T) {
	l := lists(t)
	first := []string{"Muhammad", "Ahmed", "Ali", "Hassan", "Omar", "Fatima", "Maria", "Jose", "Juan", "Carlos", "Anna", "Lars", "Mette",
		"Ivan", "Sergei", "Olga", "Kim", "Li", "John", "Peter", "Abdul", "Ibrahim", "Yusuf", "Mustafa", "Khalid", "Said", "Abdullah",
		"Mahmoud", "Hussein", "Ali Reza", "Jorge", "Luis", "Miguel", "Dmitry", "Alexander", "Andrei", "Nikolai", "Ana", "Rosa", "Aisha"}
	last := []string{"Ali", "Hassan", "Ahmed", "Khan", "Mohammed", "Hussein", "Rahman", "Abdullah", "Ibrahim", "Garcia", "Lopez",
		"Rodriguez", "Hernandez", "Martinez", "Gonzalez", "Perez", "Sanchez", "Ramirez", "Jensen", "Nielsen", "Hansen", "Ivanov",
		"Petrov", "Smirnov", "Kim", "Lee", "Park", "Wang", "Li", "Chen", "Smith", "Jones", "Al-Masri", "Haddad", "Saleh", "Mahmoud",
		"Yusuf", "Karimi", "Ahmadi", "Hosseini"}
	r := rand.New(rand.NewPCG(1, 2))
	names, withoutDOB, withDOB := 0, 0, 0
	for _, f := range first {
		for _, s := range last {
			names++
			name := f + " " + s
			birth := time.Date(1950+r.IntN(50), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
			if ms := l.Screen(screening.Query{Name: name, Type: screening.Individual}); len(ms) > 0 && ms[0].Alert {
				withoutDOB++
			}
			if ms := l.Screen(screening.Query{Name: name, BirthDate: birth, Type: screening.Individual}); len(ms) > 0 && ms[0].Alert {
				withDOB++
				t.Logf("alert: %q born %s: %s/%s %q %.3f: %s", name, birth.Format(time.DateOnly), ms[0].List, ms[0].EntryID, ms[0].MatchedName, ms[0].Score, ms[0].Why.Summary)
			}
		}
	}
	t.Logf("%d common names: %d alert without a birth date (%.1f%%), %d with a random one (%.2f%%)",
		names, withoutDOB, 100*float64(withoutDOB)/float64(names), withDOB, 100*float64(withDOB)/float64(names))
	if withDOB*200 > names {
		t.Errorf("%d of %d common names with a birth date alert, want at most 0.5%%", withDOB, names)
	}
}
