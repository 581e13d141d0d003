package consent_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/consent"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

// Two people's subject ids, shaped like consumer keys.
var (
	anna = strings.Repeat("a1", 32)
	bob  = strings.Repeat("b2", 32)
)

var webKey = []byte("0123456789abcdef0123456789abcdef")

func setup(t *testing.T) (*consent.Service, *clock.Manual) {
	t.Helper()
	db, clk := storetest.Open(t)
	svc, err := consent.New(db, webKey)
	if err != nil {
		t.Fatal(err)
	}
	return svc, clk
}

// set changes a consent and fails the test on an error.
func set(t *testing.T, svc *consent.Service, subject string, p consent.Purpose, granted bool, src consent.Source, actor string) bool {
	t.Helper()
	changed, err := svc.Set(context.Background(), subject, p, granted, src, actor)
	if err != nil {
		t.Fatalf("set %s %s=%v: %v", subject[:4], p, granted, err)
	}
	return changed
}

// granted reads a consent the way a sender would, in a transaction.
func granted(t *testing.T, svc *consent.Service, subject string, p consent.Purpose) bool {
	t.Helper()
	var ok bool
	err := svc.DB.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		ok, err = consent.Granted(tx, subject, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func history(t *testing.T, svc *consent.Service, subject string) []consent.Change {
	t.Helper()
	h, err := svc.History(context.Background(), subject)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestNoConsentUnlessGiven(t *testing.T) {
	svc, _ := setup(t)
	cur, err := svc.Current(context.Background(), anna)
	if err != nil {
		t.Fatal(err)
	}
	if len(cur) != len(consent.Purposes()) {
		t.Fatalf("%d purposes, want %d", len(cur), len(consent.Purposes()))
	}
	for i, c := range cur {
		if c.Purpose != consent.Purposes()[i] || c.Granted || c.UpdatedAt != nil {
			t.Errorf("a stranger's consent: %+v", c)
		}
		if granted(t, svc, anna, c.Purpose) {
			t.Errorf("Granted(%s) without consent", c.Purpose)
		}
	}
	// Withdrawing what was never given changes nothing.
	if set(t, svc, anna, consent.DirectMarketing, false, consent.SourceApp, "consumer:1") {
		t.Error("withdrawing a consent never given reported a change")
	}
	if h := history(t, svc, anna); len(h) != 0 {
		t.Errorf("history after no change: %+v", h)
	}
}

func TestHistoryOnlyOnChange(t *testing.T) {
	svc, clk := setup(t)
	given := storetest.Start
	if !set(t, svc, anna, consent.DirectMarketing, true, consent.SourceCheckout, "") {
		t.Fatal("giving consent reported no change")
	}
	clk.Advance(time.Hour)
	if set(t, svc, anna, consent.DirectMarketing, true, consent.SourceApp, "consumer:1") {
		t.Error("giving it again reported a change")
	}
	if !granted(t, svc, anna, consent.DirectMarketing) {
		t.Fatal("consent given but not granted")
	}
	clk.Advance(24 * time.Hour)
	withdrawn := clk.Now()
	if !set(t, svc, anna, consent.DirectMarketing, false, consent.SourceApp, "consumer:1") {
		t.Fatal("withdrawing reported no change")
	}
	if set(t, svc, anna, consent.DirectMarketing, false, consent.SourceUnsubscribeLink, "") {
		t.Error("withdrawing again reported a change")
	}
	set(t, svc, anna, consent.CallRecording, true, consent.SourceApp, "consumer:1")
	set(t, svc, bob, consent.DirectMarketing, true, consent.SourceApp, "consumer:2")

	if granted(t, svc, anna, consent.DirectMarketing) {
		t.Error("withdrawn consent still granted")
	}
	if !granted(t, svc, anna, consent.CallRecording) || granted(t, svc, anna, consent.VulnerableCustomerSupport) {
		t.Error("purposes are not independent")
	}

	h := history(t, svc, anna)
	type row struct {
		p       consent.Purpose
		granted bool
		src     consent.Source
		actor   string
		at      time.Time
	}
	var got []row
	for _, c := range h {
		if c.Subject != anna || c.ID == "" {
			t.Errorf("change %+v", c)
		}
		got = append(got, row{c.Purpose, c.Granted, c.Source, c.Actor, c.OccurredAt})
	}
	want := []row{
		{consent.CallRecording, true, consent.SourceApp, "consumer:1", withdrawn},
		{consent.DirectMarketing, false, consent.SourceApp, "consumer:1", withdrawn},
		{consent.DirectMarketing, true, consent.SourceCheckout, "", given},
	}
	if !slices.Equal(got, want) {
		t.Errorf("history:\n got %+v\nwant %+v", got, want)
	}

	cur, err := svc.Current(context.Background(), anna)
	if err != nil {
		t.Fatal(err)
	}
	byPurpose := map[consent.Purpose]consent.Consent{}
	for _, c := range cur {
		byPurpose[c.Purpose] = c
	}
	if c := byPurpose[consent.DirectMarketing]; c.Granted || c.UpdatedAt == nil || !c.UpdatedAt.Equal(withdrawn) {
		t.Errorf("direct marketing now: %+v", c)
	}
	if c := byPurpose[consent.CallRecording]; !c.Granted {
		t.Errorf("call recording now: %+v", c)
	}
	if c := byPurpose[consent.VulnerableCustomerSupport]; c.Granted || c.UpdatedAt != nil {
		t.Errorf("vulnerable-customer support now: %+v", c)
	}
}

func TestStaffChangesAreAudited(t *testing.T) {
	svc, _ := setup(t)
	set(t, svc, anna, consent.VulnerableCustomerSupport, true, consent.SourceStaff, "staff:s1")
	entries, err := audit.ForSubject(context.Background(), svc.DB, anna)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Actor != "staff:s1" || entries[0].Action != consent.ActionChanged ||
		string(entries[0].Details) != `{"granted":true,"purpose":"vulnerable_customer_support"}` {
		t.Errorf("audit entries: %+v", entries)
	}
	// App changes are the person's own, not audited.
	set(t, svc, anna, consent.CallRecording, true, consent.SourceApp, "consumer:1")
	if entries, _ := audit.ForSubject(context.Background(), svc.DB, anna); len(entries) != 1 {
		t.Errorf("%d audit entries after an app change, want 1", len(entries))
	}
}

func TestSetRefusesBadInput(t *testing.T) {
	svc, _ := setup(t)
	for _, tc := range []struct {
		name    string
		subject string
		purpose consent.Purpose
		source  consent.Source
		actor   string
	}{
		{"no subject", "", consent.DirectMarketing, consent.SourceCheckout, ""},
		{"long subject", strings.Repeat("x", 129), consent.DirectMarketing, consent.SourceCheckout, ""},
		{"unknown purpose", anna, "newsletter", consent.SourceCheckout, ""},
		{"unknown source", anna, consent.DirectMarketing, "email", ""},
		{"app without actor", anna, consent.DirectMarketing, consent.SourceApp, ""},
		{"staff without actor", anna, consent.DirectMarketing, consent.SourceStaff, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.Set(context.Background(), tc.subject, tc.purpose, true, tc.source, tc.actor)
			if apperr.Code(err) != apperr.BadValue {
				t.Errorf("err = %v, want BAD_VALUE", err)
			}
		})
	}
	if h := history(t, svc, anna); len(h) != 0 {
		t.Errorf("refused changes wrote history: %+v", h)
	}
}

func TestConcurrentChangesKeepOneHistory(t *testing.T) {
	svc, _ := setup(t)
	const n = 8
	errs := make(chan error, n)
	changes := make(chan bool, n)
	for range n {
		go func() {
			changed, err := svc.Set(context.Background(), anna, consent.DirectMarketing, true, consent.SourceApp, "consumer:1")
			errs <- err
			changes <- changed
		}()
	}
	count := 0
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		if <-changes {
			count++
		}
	}
	if count != 1 || len(history(t, svc, anna)) != 1 {
		t.Errorf("%d changes reported and %d in history, want 1 each", count, len(history(t, svc, anna)))
	}
}

func TestPurposesHaveTextInEveryLanguage(t *testing.T) {
	for _, p := range consent.Purposes() {
		if !p.Valid() {
			t.Errorf("%s is not valid", p)
		}
		for _, key := range []string{p.NameKey(), p.DescriptionKey()} {
			for _, l := range i18n.Supported {
				if _, ok := i18n.Message(l, key); !ok {
					t.Errorf("%s has no %q", l, key)
				}
			}
		}
	}
	if consent.Purpose("newsletter").Valid() {
		t.Error("an unknown purpose is valid")
	}
}

func TestNewRefusesAShortKey(t *testing.T) {
	db, _ := storetest.Open(t)
	if _, err := consent.New(db, webKey[:31]); err == nil {
		t.Error("a 31-byte key was accepted")
	}
}
