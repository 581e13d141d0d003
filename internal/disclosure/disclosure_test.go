package disclosure_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/disclosure"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

// setup returns a database with two people and a merchant.
func setup(t *testing.T) (db *store.DB, anna, bob, shop string) {
	t.Helper()
	ctx := context.Background()
	db, _ = storetest.Open(t)
	creds, err := merchant.Create(ctx, db, merchant.NewMerchant{Name: "Nordic Rain", SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Write(ctx, func(tx *store.Tx) (err error) {
		if anna, err = person.Resolve(tx, "key-anna"); err != nil {
			return err
		}
		bob, err = person.Resolve(tx, "key-bob")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return db, anna, bob, creds.MerchantID
}

func list(t *testing.T, db *store.DB, personID string) []disclosure.Disclosure {
	t.Helper()
	var out []disclosure.Disclosure
	err := db.Read(context.Background(), func(tx *store.Tx) (err error) {
		out, err = disclosure.ForPerson(tx, personID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func record(db *store.DB, d disclosure.Disclosure) (disclosure.Disclosure, error) {
	var out disclosure.Disclosure
	err := db.Write(context.Background(), func(tx *store.Tx) (err error) {
		out, err = disclosure.Record(tx, d)
		return err
	})
	return out, err
}

func TestOrderPlacedRecordsWhatTheMerchantReceives(t *testing.T) {
	db, anna, bob, shop := setup(t)
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error { return disclosure.OrderPlaced(tx, anna, shop, "order-1") })
	if err != nil {
		t.Fatal(err)
	}
	got := list(t, db, anna)
	if len(got) != 1 {
		t.Fatalf("disclosures = %+v", got)
	}
	d := got[0]
	want := []privacy.CategoryID{privacy.CategoryIdentity, privacy.CategoryContact, privacy.CategoryAddress}
	if d.RecipientKind != disclosure.Merchant || d.RecipientID != shop || d.RecipientName != "Nordic Rain" || !slices.Equal(d.Categories, want) ||
		d.Purpose != privacy.PurposeCreditAgreement || d.LegalBasis != privacy.Contract || d.Reference != "order-1" ||
		!d.OccurredAt.Equal(storetest.Start) || d.PersonID != anna || d.ID == "" {
		t.Errorf("disclosure = %+v", d)
	}
	if len(list(t, db, bob)) != 0 {
		t.Error("Bob sees Anna's disclosure")
	}
	err = db.Write(ctx, func(tx *store.Tx) error { return disclosure.OrderPlaced(tx, anna, "no-such-merchant", "order-2") })
	if apperr.Code(err) != apperr.NotFound {
		t.Errorf("unknown merchant: %v", err)
	}
	if n := len(list(t, db, anna)); n != 1 {
		t.Errorf("%d disclosures after a failed one", n)
	}
}

func TestRecordChecksTheRegistry(t *testing.T) {
	db, anna, _, shop := setup(t)
	valid := func() disclosure.Disclosure {
		return disclosure.Disclosure{
			PersonID: anna, RecipientKind: disclosure.DebtCollector, RecipientName: "Nordic Collect A/S",
			Categories: []privacy.CategoryID{privacy.CategoryIdentity, privacy.CategoryPayment},
			Purpose:    privacy.PurposeDebtCollection, LegalBasis: privacy.LegitimateInterest, Reference: "order-9",
		}
	}
	bad := map[string]func(*disclosure.Disclosure){
		"no person":              func(d *disclosure.Disclosure) { d.PersonID = "" },
		"unknown person":         func(d *disclosure.Disclosure) { d.PersonID = "someone" },
		"unknown recipient kind": func(d *disclosure.Disclosure) { d.RecipientKind = "friend" },
		"no recipient name":      func(d *disclosure.Disclosure) { d.RecipientName = " " },
		"no categories":          func(d *disclosure.Disclosure) { d.Categories = nil },
		"unknown category":       func(d *disclosure.Disclosure) { d.Categories = []privacy.CategoryID{"shoe_size"} },
		"category not of purpose": func(d *disclosure.Disclosure) {
			d.Categories = []privacy.CategoryID{privacy.CategoryVulnerability}
		},
		"category twice": func(d *disclosure.Disclosure) {
			d.Categories = []privacy.CategoryID{privacy.CategoryPayment, privacy.CategoryPayment}
		},
		"unknown purpose":            func(d *disclosure.Disclosure) { d.Purpose = "curiosity" },
		"recipient not of purpose":   func(d *disclosure.Disclosure) { d.RecipientKind = disclosure.CreditBureau },
		"another legal basis":        func(d *disclosure.Disclosure) { d.LegalBasis = privacy.Consent },
		"no legal basis":             func(d *disclosure.Disclosure) { d.LegalBasis = "" },
		"merchant for debt purposes": func(d *disclosure.Disclosure) { d.RecipientKind, d.RecipientID = disclosure.Merchant, shop },
	}
	for name, change := range bad {
		d := valid()
		change(&d)
		if _, err := record(db, d); apperr.Code(err) != apperr.BadValue {
			t.Errorf("%s: %v, want BAD_VALUE", name, err)
		}
	}
	if n := len(list(t, db, anna)); n != 0 {
		t.Fatalf("%d disclosures written by bad requests", n)
	}

	first, err := record(db, valid())
	if err != nil {
		t.Fatal(err)
	}
	second := valid()
	second.RecipientKind, second.RecipientName = disclosure.Authority, "Skattestyrelsen"
	second.Purpose, second.LegalBasis = privacy.PurposeBookkeeping, privacy.LegalObligation
	second.OccurredAt = storetest.Start.Add(time.Hour)
	if _, err := record(db, second); err != nil {
		t.Fatal(err)
	}
	got := list(t, db, anna)
	if len(got) != 2 || got[0].RecipientName != "Skattestyrelsen" || got[1].ID != first.ID || !got[0].OccurredAt.Equal(second.OccurredAt) {
		t.Errorf("disclosures, newest first = %+v", got)
	}
}

func TestRecipientKindsMatchTheRegistry(t *testing.T) {
	kinds := []disclosure.RecipientKind{disclosure.Merchant, disclosure.CreditBureau, disclosure.DebtCollector,
		disclosure.Authority, disclosure.Processor, disclosure.PaymentProvider}
	for _, k := range kinds {
		if !k.Valid() {
			t.Errorf("%s is not valid", k)
		}
		for _, lang := range i18n.Supported {
			if _, ok := i18n.Message(lang, k.Key()); !ok {
				t.Errorf("%s: no name for %s", lang, k)
			}
		}
	}
	if disclosure.RecipientKind("merchants").Valid() {
		t.Error("a registry recipient is taken for a kind")
	}
}
