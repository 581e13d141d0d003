package screening_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/screening"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

const analyst = "staff:aml-analyst"

// write runs fn in a write transaction and fails the test on an error.
func write(t *testing.T, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Write(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// TestFalsePositiveSuppressesTheEntryForTheIdentity follows an analyst's
// decision: the customer "Samir Ali" born 12 May 1968 alerts on OFAC entry
// 22101; the analyst marks it a false positive for them; screening them
// again (with the names in another order) no longer raises it, while
// another birth date still does; revoking the decision raises it again.
// The decision holds no name or birth date, and both steps are audited.
func TestFalsePositiveSuppressesTheEntryForTheIdentity(t *testing.T) {
	db, _ := storetest.Open(t)
	ctx := context.Background()
	d, err := screening.OpenDecisions(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var personID string
	write(t, db, func(tx *store.Tx) (err error) {
		personID, err = person.Resolve(tx, strings.Repeat("c3", 32))
		return err
	})
	l := lists(t)
	q := screening.Query{Name: "Samir Ali", BirthDate: date(t, "1968-05-12"), Type: screening.Individual}
	matches := l.Screen(q)
	if len(matches) == 0 || matches[0].EntryID != "22101" || !matches[0].Alert {
		t.Fatalf("Samir Ali: want an alert on ofac-sdn/22101 first, got %+v", matches)
	}

	var fp screening.FalsePositive
	write(t, db, func(tx *store.Tx) (err error) {
		fp, err = d.MarkFalsePositive(tx, personID, q, matches[0].List, matches[0].EntryID, analyst, "Passport seen: born in Aarhus, never in Syria.")
		return err
	})
	if !fp.InForce() || fp.PersonID != personID || fp.List != screening.ListOFAC || fp.EntryID != "22101" || fp.CreatedBy != analyst {
		t.Errorf("decision = %+v", fp)
	}
	write(t, db, func(tx *store.Tx) error {
		again, err := d.MarkFalsePositive(tx, personID, q, screening.ListOFAC, "22101", analyst, "Again.")
		if err == nil && again.ID != fp.ID {
			t.Errorf("a second decision for the same identity and entry made %s, want the first (%s) kept", again.ID, fp.ID)
		}
		return err
	})

	filter := func(q screening.Query) (kept, suppressed []screening.Match) {
		t.Helper()
		err := db.Read(ctx, func(tx *store.Tx) (err error) {
			kept, suppressed, err = d.Filter(tx, q, l.Screen(q))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return kept, suppressed
	}
	has := func(ms []screening.Match, id string) bool {
		for _, m := range ms {
			if m.EntryID == id {
				return true
			}
		}
		return false
	}
	reordered := screening.Query{Name: "ALI, Samir", BirthDate: q.BirthDate, Type: screening.Individual}
	if kept, suppressed := filter(reordered); has(kept, "22101") || !has(suppressed, "22101") {
		t.Errorf("after the decision: kept %v, suppressed %v; want 22101 suppressed", ids(kept), ids(suppressed))
	}
	other := screening.Query{Name: "Samir Ali", BirthDate: date(t, "1968-05-13"), Type: screening.Individual}
	if d.IdentityKey(other) == d.IdentityKey(q) {
		t.Error("two birth dates hash alike")
	}
	if _, suppressed := filter(other); len(suppressed) > 0 {
		t.Errorf("another identity had %v suppressed", ids(suppressed))
	}

	err = db.Read(ctx, func(tx *store.Tx) error {
		var key, row string
		if err := tx.QueryRow(`SELECT identity_key, id || person_id || list_name || entry_id || reason || created_by FROM screening_false_positives`).Scan(&key, &row); err != nil {
			return err
		}
		if key != d.IdentityKey(q) || len(key) != 64 {
			t.Errorf("identity_key = %q, want the keyed hash", key)
		}
		for _, s := range []string{"Samir", "SAMIR", "samir", "1968"} {
			if strings.Contains(key+row, s) {
				t.Errorf("the decision row holds %q in clear", s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	write(t, db, func(tx *store.Tx) error {
		_, err := d.Revoke(tx, fp.ID, analyst, "Wrong customer file.")
		return err
	})
	if kept, _ := filter(q); !has(kept, "22101") {
		t.Error("after revoking, 22101 is still suppressed")
	}
	write(t, db, func(tx *store.Tx) error {
		fs, err := screening.ForPerson(tx, personID)
		if err != nil {
			return err
		}
		if len(fs) != 1 || fs[0].InForce() || fs[0].RevokedBy != analyst || fs[0].RevokeReason != "Wrong customer file." {
			t.Errorf("ForPerson = %+v", fs)
		}
		_, err = d.Revoke(tx, fp.ID, analyst, "Twice.")
		if apperr.Code(err) != apperr.NotAllowed {
			t.Errorf("revoking twice: %v, want NOT_ALLOWED", err)
		}
		return nil
	})

	entries, err := audit.ForSubject(ctx, db, personID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if e.Actor != analyst || strings.Contains(string(e.Details), "Samir") || !strings.Contains(string(e.Details), fp.ID) {
			t.Errorf("audit entry %+v", e)
		}
	}
	if strings.Join(actions, ",") != screening.AuditFalsePositive+","+screening.AuditRevoked {
		t.Errorf("audited %v", actions)
	}
}

// TestFalsePositiveBadInput checks the errors of bad decisions: nothing is
// written.
func TestFalsePositiveBadInput(t *testing.T) {
	db, _ := storetest.Open(t)
	d, err := screening.OpenDecisions(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var personID string
	write(t, db, func(tx *store.Tx) (err error) {
		personID, err = person.Resolve(tx, strings.Repeat("d4", 32))
		return err
	})
	q := screening.Query{Name: "Samir Ali"}
	for _, c := range []struct {
		name, q, list, entry, actor, reason, code string
	}{
		{"no reason", q.Name, screening.ListOFAC, "22101", analyst, "  ", apperr.BadValue},
		{"long reason", q.Name, screening.ListOFAC, "22101", analyst, strings.Repeat("x", screening.MaxReason+1), apperr.BadValue},
		{"no name", "--", screening.ListOFAC, "22101", analyst, "ok", apperr.BadValue},
		{"no entry", q.Name, screening.ListOFAC, "", analyst, "ok", apperr.BadValue},
		{"no actor", q.Name, screening.ListOFAC, "22101", "", "ok", apperr.BadValue},
	} {
		err := db.Write(context.Background(), func(tx *store.Tx) error {
			_, err := d.MarkFalsePositive(tx, personID, screening.Query{Name: c.q}, c.list, c.entry, c.actor, c.reason)
			return err
		})
		if apperr.Code(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	err = db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := d.Revoke(tx, "no-such-id", analyst, "ok")
		return err
	})
	if apperr.Code(err) != apperr.NotFound {
		t.Errorf("revoking an unknown decision: %v, want NOT_FOUND", err)
	}
	err = db.Read(context.Background(), func(tx *store.Tx) error {
		fs, err := screening.ForPerson(tx, personID)
		if len(fs) != 0 {
			t.Errorf("bad input wrote %+v", fs)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ids lists the entry ids of matches.
func ids(ms []screening.Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.List+"/"+m.EntryID)
	}
	return out
}
