package restriction_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/restriction"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

const staff = "staff:dpo"

// setup opens a database with two people and returns it with their ids.
func setup(t *testing.T) (db *store.DB, anna, bob string) {
	t.Helper()
	db, _ = storetest.Open(t)
	write(t, db, func(tx *store.Tx) error {
		var err error
		if anna, err = person.Resolve(tx, strings.Repeat("a1", 32)); err != nil {
			return err
		}
		bob, err = person.Resolve(tx, strings.Repeat("b2", 32))
		return err
	})
	return db, anna, bob
}

// write runs fn in a write transaction and fails the test on an error.
func write(t *testing.T, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Write(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// permits asks Permits in a read transaction.
func permits(t *testing.T, db *store.DB, personID string, p privacy.PurposeID, cats ...privacy.CategoryID) bool {
	t.Helper()
	var ok bool
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		ok, err = restriction.Permits(tx, personID, p, cats...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// count returns the number of entries stored.
func count(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM processing_restrictions`).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRestrictedCategoryIsNotUsedByLegitimateInterestPurposes(t *testing.T) {
	db, anna, bob := setup(t)
	write(t, db, func(tx *store.Tx) error {
		_, err := restriction.Restrict(tx, anna, []privacy.CategoryID{privacy.CategoryPurchase}, "", staff)
		return err
	})
	cases := []struct {
		purpose privacy.PurposeID
		cats    []privacy.CategoryID
		want    bool
		why     string
	}{
		{privacy.PurposeFraudPrevention, nil, false, "legitimate interest, uses purchases"},
		{privacy.PurposeFraudPrevention, []privacy.CategoryID{privacy.CategoryPurchase, privacy.CategoryDevice}, false, "asks for the restricted category"},
		{privacy.PurposeFraudPrevention, []privacy.CategoryID{privacy.CategoryDevice}, true, "asks only for a category not restricted"},
		{privacy.PurposeModelImprovement, nil, false, "legitimate interest, uses purchases"},
		{privacy.PurposeSimilarOffers, nil, false, "legitimate interest, uses purchases"},
		{privacy.PurposeAccountSecurity, nil, true, "legitimate interest, but uses no purchases"},
		{privacy.PurposeCreditAgreement, nil, true, "contract: a restriction does not stop it"},
		{privacy.PurposeBookkeeping, nil, true, "legal obligation"},
		{privacy.PurposeLegalClaims, nil, true, "legal claims go on (Art. 18(2))"},
	}
	for _, c := range cases {
		if got := permits(t, db, anna, c.purpose, c.cats...); got != c.want {
			t.Errorf("Permits(anna, %s, %v) = %v, want %v (%s)", c.purpose, c.cats, got, c.want, c.why)
		}
		if !permits(t, db, bob, c.purpose, c.cats...) {
			t.Errorf("Permits(bob, %s) = false: anna's restriction reached bob", c.purpose)
		}
	}
}

func TestObjectionStopsThePurposeAtOnce(t *testing.T) {
	db, anna, bob := setup(t)
	write(t, db, func(tx *store.Tx) error {
		_, err := restriction.Object(tx, anna, []privacy.PurposeID{privacy.PurposeSimilarOffers, privacy.PurposeModelImprovement}, "", "consumer:anna")
		return err
	})
	for _, p := range []privacy.PurposeID{privacy.PurposeSimilarOffers, privacy.PurposeModelImprovement} {
		if permits(t, db, anna, p) {
			t.Errorf("%s still permitted after anna objected", p)
		}
		if !permits(t, db, bob, p) {
			t.Errorf("%s not permitted for bob, who did not object", p)
		}
	}
	for _, p := range []privacy.PurposeID{privacy.PurposeFraudPrevention, privacy.PurposeDirectMarketing, privacy.PurposeCreditAgreement} {
		if !permits(t, db, anna, p) {
			t.Errorf("%s stopped by an objection to other purposes", p)
		}
	}
}

func TestEntriesAreNotDoubledAndLiftEndsThem(t *testing.T) {
	db, anna, _ := setup(t)
	var first, again []restriction.Entry
	write(t, db, func(tx *store.Tx) error {
		var err error
		first, err = restriction.Restrict(tx, anna, []privacy.CategoryID{privacy.CategoryDevice, privacy.CategoryPayment}, "", staff)
		if err != nil {
			return err
		}
		again, err = restriction.Restrict(tx, anna, []privacy.CategoryID{privacy.CategoryPayment}, "", staff)
		return err
	})
	if len(first) != 2 || len(again) != 1 || again[0].ID != first[1].ID {
		t.Fatalf("restricting payment twice gave %+v then %+v, want the same entry", first, again)
	}
	if n := count(t, db); n != 2 {
		t.Fatalf("%d entries stored, want 2", n)
	}
	var lifted restriction.Entry
	write(t, db, func(tx *store.Tx) error {
		var err error
		lifted, err = restriction.Lift(tx, first[0].ID, staff, "accuracy checked")
		return err
	})
	if lifted.InForce() || lifted.LiftedBy != staff || lifted.LiftReason != "accuracy checked" {
		t.Fatalf("lifted entry = %+v", lifted)
	}
	if !permits(t, db, anna, privacy.PurposeFraudPrevention, privacy.CategoryDevice) {
		t.Error("device data still restricted after the restriction was lifted")
	}
	if permits(t, db, anna, privacy.PurposeFraudPrevention, privacy.CategoryPayment) {
		t.Error("payment data no longer restricted though only the device restriction was lifted")
	}
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := restriction.Lift(tx, first[0].ID, staff, "again")
		return err
	})
	if apperr.Code(err) != apperr.NotAllowed {
		t.Errorf("lifting twice: %v, want NOT_ALLOWED", err)
	}
	entries, err := audit.ForSubject(context.Background(), db, first[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Action != restriction.AuditLifted || entries[0].Actor != staff {
		t.Errorf("audit of the lift = %+v", entries)
	}
	err = db.Read(context.Background(), func(tx *store.Tx) error {
		all, err := restriction.ForPerson(tx, anna)
		if err != nil {
			return err
		}
		inForce, err := restriction.InForceFor(tx, anna)
		if len(all) != 2 || len(inForce) != 1 || inForce[0].Target != string(privacy.CategoryPayment) {
			t.Errorf("ForPerson = %+v, InForceFor = %+v", all, inForce)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Restricting the device data again makes a new entry in force.
	write(t, db, func(tx *store.Tx) error {
		again, err := restriction.Restrict(tx, anna, []privacy.CategoryID{privacy.CategoryDevice}, "", staff)
		if err == nil && (again[0].ID == first[0].ID || !again[0].InForce()) {
			t.Errorf("restricting after a lift gave %+v", again[0])
		}
		return err
	})
}

func TestBadInputWritesNothing(t *testing.T) {
	db, anna, _ := setup(t)
	bad := []struct {
		name string
		fn   func(tx *store.Tx) error
		code string
	}{
		{"no category", func(tx *store.Tx) error { _, err := restriction.Restrict(tx, anna, nil, "", staff); return err }, apperr.BadValue},
		{"unknown category", func(tx *store.Tx) error {
			_, err := restriction.Restrict(tx, anna, []privacy.CategoryID{privacy.CategoryPurchase, "horoscope"}, "", staff)
			return err
		}, apperr.BadValue},
		{"purpose without a right to object", func(tx *store.Tx) error {
			_, err := restriction.Object(tx, anna, []privacy.PurposeID{privacy.PurposeCreditAgreement}, "", staff)
			return err
		}, apperr.BadValue},
		{"direct marketing, which is consent's", func(tx *store.Tx) error {
			_, err := restriction.Object(tx, anna, []privacy.PurposeID{privacy.PurposeDirectMarketing}, "", staff)
			return err
		}, apperr.BadValue},
		{"workforce purpose", func(tx *store.Tx) error {
			_, err := restriction.Object(tx, anna, []privacy.PurposeID{privacy.PurposeWorkforceAccounts}, "", staff)
			return err
		}, apperr.BadValue},
		{"unknown entry", func(tx *store.Tx) error { _, err := restriction.Lift(tx, "nope", staff, "why"); return err }, apperr.NotFound},
	}
	for _, c := range bad {
		err := db.Write(context.Background(), c.fn)
		if apperr.Code(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	var id string
	write(t, db, func(tx *store.Tx) error {
		e, err := restriction.Restrict(tx, anna, []privacy.CategoryID{privacy.CategoryDevice}, "", staff)
		if err == nil {
			id = e[0].ID
		}
		return err
	})
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := restriction.Lift(tx, id, staff, "  ")
		return err
	})
	if apperr.Code(err) != apperr.BadValue {
		t.Errorf("lift without a reason: %v, want BAD_VALUE", err)
	}
	if n := count(t, db); n != 1 {
		t.Errorf("%d entries stored after bad input, want only the good one", n)
	}
	if permits(t, db, anna, privacy.PurposeFraudPrevention, privacy.CategoryDevice) {
		t.Error("the restriction was lifted by a lift without a reason")
	}
}

func TestErasedPersonsKeptDataServesOnlyItsGrounds(t *testing.T) {
	db, anna, _ := setup(t)
	write(t, db, func(tx *store.Tx) error { return person.MarkErased(tx, anna) })
	for _, p := range privacy.Purposes() {
		if !slices.Contains(p.Subjects, privacy.SubjectConsumer) {
			continue
		}
		want := p.Erasure != privacy.NoErasureException
		if got := permits(t, db, anna, p.ID); got != want {
			t.Errorf("after erasure Permits(%s) = %v, want %v", p.ID, got, want)
		}
	}
}

func TestChoices(t *testing.T) {
	objectable := restriction.Objectable()
	for _, p := range privacy.Purposes() {
		consumer := slices.Contains(p.Subjects, privacy.SubjectConsumer)
		if got := slices.Contains(objectable, p.ID); got != (p.Basis == privacy.LegitimateInterest && consumer) {
			t.Errorf("Objectable has %s = %v", p.ID, got)
		}
	}
	if !slices.Contains(objectable, privacy.PurposeSimilarOffers) {
		t.Errorf("a consumer cannot object to similar offers: %v", objectable)
	}
	restrictable := restriction.Restrictable()
	if !slices.Contains(restrictable, privacy.CategoryPurchase) || len(restrictable) == 0 {
		t.Errorf("Restrictable = %v", restrictable)
	}
}
