package aml_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/aml"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

// env is the alert service on the test's engine with a manual clock and a
// merchant whose orders the tests write directly.
type env struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	clk      *clock.Manual
	svc      *aml.Service
	cfg      aml.Config
	merchant string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, clk := storetest.Open(t)
	t.Cleanup(func() {
		if r, err := audit.Verify(ctx, db); err != nil || !r.OK() {
			t.Errorf("audit verify: %v %v", r.Problems, err)
		}
	})
	creds, err := merchant.Create(ctx, db, merchant.NewMerchant{Name: "Nordic Rain", TestMode: true, SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	vlt := vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()})
	return &env{t: t, ctx: ctx, db: db, clk: clk, svc: aml.New(db, vlt), cfg: aml.DefaultConfig(), merchant: creds.MerchantID}
}

// person returns a new person's id.
func (e *env) person(name string) string {
	e.t.Helper()
	var id string
	e.write(func(tx *store.Tx) (err error) {
		id, err = person.Resolve(tx, ids.Hash(name))
		return err
	})
	return id
}

func (e *env) write(f func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.db.Write(e.ctx, f); err != nil {
		e.t.Fatal(err)
	}
}

// place writes an order for the person, as checkout would, and runs the
// rules for it; it returns the order id.
func (e *env) place(personID string, amount int64, currency, country, billing string) string {
	e.t.Helper()
	id := ids.New()
	e.write(func(tx *store.Tx) error {
		now := store.Micros(tx.Now)
		if _, err := tx.Exec(`INSERT INTO payment_sessions (id, merchant_id, status, purchase_country, purchase_currency, locale, order_amount, data, created_at, expires_at)
			VALUES ($1, $2, 'complete', $3, $4, 'da-DK', $5, '{}', $6, $6)`, id, e.merchant, country, currency, amount, now); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO orders (id, merchant_id, session_id, person_id, reference, status, fraud_status, payment_method, purchase_country, purchase_currency, locale,
			original_order_amount, order_amount, order_tax_amount, data, consumer, created_at, expires_at)
			VALUES ($1, $2, $1, $3, $4, 'AUTHORIZED', 'ACCEPTED', 'pay_later', $5, $6, 'da-DK', $7, $7, 0, '{}', '', $8, $8)`,
			id, e.merchant, personID, id[len(id)-10:], country, currency, amount, now); err != nil {
			return err
		}
		return e.cfg.OnOrderPlaced(tx, aml.Placed{PersonID: personID, OrderID: id, Amount: amount, Currency: currency, Country: country, BillingCountry: billing, At: tx.Now})
	})
	return id
}

// refund writes a refund of the order and runs the rules for it.
func (e *env) refund(orderID string, amount int64) {
	e.t.Helper()
	e.write(func(tx *store.Tx) error {
		if _, err := tx.Exec(`INSERT INTO refunds (id, order_id, refunded_amount, order_lines, refunded_at) VALUES ($1, $2, $3, '[]', $4)`,
			ids.New(), orderID, amount, store.Micros(tx.Now)); err != nil {
			return err
		}
		return e.cfg.OnRefund(tx, orderID)
	})
}

// alerts returns the person's alerts by rule, with their evidence's order
// ids, read as an admin would.
func (e *env) alerts(personID string) map[aml.Rule]aml.Alert {
	e.t.Helper()
	out := map[aml.Rule]aml.Alert{}
	e.write(func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT id FROM aml_alerts WHERE person_id = $1`, personID)
		if err != nil {
			return err
		}
		var alertIDs []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			alertIDs = append(alertIDs, id)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, id := range alertIDs {
			a, err := e.svc.AlertForReview(tx, account.Staff{ID: "admin-1", Role: account.RoleAdmin}, id)
			if err != nil {
				return err
			}
			if prev, dup := out[a.Rule]; dup && a.Status.Live() && prev.Status.Live() {
				e.t.Errorf("two open alerts for rule %s", a.Rule)
			}
			if a.Status.Live() || out[a.Rule].ID == "" {
				out[a.Rule] = a
			}
		}
		return nil
	})
	return out
}

// orderIDs are the order ids of an alert's evidence of the kind.
func orderIDs(a aml.Alert, kind string) []string {
	var out []string
	for _, ev := range a.Evidence {
		if ev.Kind == kind {
			out = append(out, ev.OrderID)
		}
	}
	slices.Sort(out)
	return out
}

func sorted(s ...string) []string { slices.Sort(s); return s }

func TestStructuringFiresOnThreeOrdersJustUnderTheThreshold(t *testing.T) {
	e := newEnv(t)
	anna := e.person("anna")
	o1 := e.place(anna, 950_000, "DKK", "DK", "DK")
	e.clk.Advance(2 * 24 * time.Hour)
	e.place(anna, 899_999, "DKK", "DK", "DK")   // below 90 %: a near miss
	e.place(anna, 1_000_000, "DKK", "DK", "DK") // at the threshold: not under it
	e.place(anna, 95_000, "EUR", "DK", "DK")    // another currency's band
	o2 := e.place(anna, 900_000, "DKK", "DK", "DK")
	if got := e.alerts(anna); len(got) != 0 {
		t.Fatalf("two orders in the band raised %v", got)
	}
	e.clk.Advance(4*24*time.Hour + 23*time.Hour)
	o3 := e.place(anna, 999_999, "DKK", "DK", "DK")
	a, ok := e.alerts(anna)[aml.Structuring]
	if !ok {
		t.Fatal("three orders just under the threshold in 7 days raised no alert")
	}
	if got := orderIDs(a, aml.KindOrder); !slices.Equal(got, sorted(o1, o2, o3)) {
		t.Errorf("evidence = %v, want %v", got, sorted(o1, o2, o3))
	}
	if a.Status != aml.StatusOpen || a.Severity != aml.Structuring.Severity() || a.Params["threshold"] != float64(1_000_000) || a.Params["min_orders"] != float64(3) {
		t.Errorf("alert = %+v", a)
	}

	// Bob's three orders are spread over more than 7 days.
	bob := e.person("bob")
	e.place(bob, 950_000, "DKK", "DK", "DK")
	e.clk.Advance(4 * 24 * time.Hour)
	e.place(bob, 950_000, "DKK", "DK", "DK")
	e.clk.Advance(3*24*time.Hour + time.Second)
	e.place(bob, 950_000, "DKK", "DK", "DK")
	if got := e.alerts(bob); len(got) != 0 {
		t.Errorf("orders over more than 7 days raised %v", got)
	}
}

func TestOneOpenAlertPerPersonAndRuleGainsEvidence(t *testing.T) {
	e := newEnv(t)
	anna := e.person("anna")
	for range 3 {
		e.place(anna, 950_000, "DKK", "DK", "DK")
	}
	first := e.alerts(anna)[aml.Structuring]
	e.clk.Advance(time.Hour)
	o4 := e.place(anna, 960_000, "DKK", "DK", "DK")
	again := e.alerts(anna)[aml.Structuring]
	if again.ID != first.ID || len(again.Evidence) != 4 || !slices.Contains(orderIDs(again, aml.KindOrder), o4) {
		t.Fatalf("a new firing: alert %s with %d pieces of evidence, want %s with 4", again.ID, len(again.Evidence), first.ID)
	}
	if again.Version != first.Version+1 || !again.UpdatedAt.Equal(e.clk.Now()) {
		t.Errorf("version %d, updated %v after new evidence", again.Version, again.UpdatedAt)
	}
	var n int
	e.write(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM aml_alerts WHERE person_id = $1`, anna).Scan(&n)
	})
	if n != 1 {
		t.Errorf("%d alerts, want 1", n)
	}
	if got := len(auditOf(t, e, anna, aml.ActionAlertOpened)); got != 1 {
		t.Errorf("%d opening audit entries, want 1", got)
	}

	// Once closed, the next firing opens a new alert.
	officer := account.Staff{ID: "officer-1", Role: account.RoleAMLOfficer}
	e.write(func(tx *store.Tx) error {
		_, err := e.svc.Act(tx, officer, again.ID, again.Version, aml.Close, "Seasonal stock purchases of a small shop.")
		return err
	})
	e.clk.Advance(time.Hour)
	e.place(anna, 970_000, "DKK", "DK", "DK")
	next := e.alerts(anna)[aml.Structuring]
	if next.ID == again.ID || next.Status != aml.StatusOpen {
		t.Errorf("after closing, a firing went to %s (%s)", next.ID, next.Status)
	}
}

func TestRapidRefundFiresOnRepeatedNearlyWholeRefunds(t *testing.T) {
	e := newEnv(t)
	anna := e.person("anna")
	o1 := e.place(anna, 200_000, "DKK", "DK", "DK")
	e.clk.Advance(47 * time.Hour)
	e.refund(o1, 160_000) // 80 % within 48 hours
	o2 := e.place(anna, 100_000, "DKK", "DK", "DK")
	e.clk.Advance(time.Hour)
	e.refund(o2, 79_999) // under 80 %: a near miss
	o3 := e.place(anna, 100_000, "DKK", "DK", "DK")
	e.clk.Advance(48*time.Hour + time.Second)
	e.refund(o3, 100_000) // too late
	if got := e.alerts(anna); len(got) != 0 {
		t.Fatalf("one rapid refund raised %v", got)
	}
	e.clk.Advance(24 * time.Hour)
	o4 := e.place(anna, 50_000, "DKK", "DK", "DK")
	e.clk.Advance(time.Hour)
	e.refund(o4, 30_000)
	e.refund(o4, 20_000) // two refunds together make the whole order
	a, ok := e.alerts(anna)[aml.RapidRefund]
	if !ok {
		t.Fatal("two rapid refunds raised no alert")
	}
	if got := orderIDs(a, aml.KindRefund); !slices.Equal(got, sorted(o1, o4)) {
		t.Errorf("refund evidence = %v, want %v", got, sorted(o1, o4))
	}
	for _, ev := range a.Evidence {
		if ev.Kind == aml.KindRefund && ev.OrderID == o4 && ev.Amount != 50_000 {
			t.Errorf("refund evidence of the second order = %d, want 50000", ev.Amount)
		}
	}

	// Rapid refunds more than 30 days apart do not fire.
	bob := e.person("bob")
	b1 := e.place(bob, 100_000, "DKK", "DK", "DK")
	e.refund(b1, 100_000)
	e.clk.Advance(31 * 24 * time.Hour)
	b2 := e.place(bob, 100_000, "DKK", "DK", "DK")
	e.refund(b2, 100_000)
	if got := e.alerts(bob); len(got) != 0 {
		t.Errorf("rapid refunds 31 days apart raised %v", got)
	}
}

func TestHighRiskCountryFiresOnPurchaseOrBillingCountry(t *testing.T) {
	e := newEnv(t)
	anna := e.person("anna")
	e.place(anna, 10_000, "DKK", "DK", "DK")
	e.place(anna, 10_000, "DKK", "DK", "")
	if got := e.alerts(anna); len(got) != 0 {
		t.Fatalf("orders from Denmark raised %v", got)
	}
	o1 := e.place(anna, 10_000, "DKK", "DK", "IR")
	o2 := e.place(anna, 20_000, "EUR", "MC", "DK")
	a, ok := e.alerts(anna)[aml.HighRiskCountry]
	if !ok {
		t.Fatal("orders with a listed country raised no alert")
	}
	if got := orderIDs(a, aml.KindOrder); !slices.Equal(got, sorted(o1, o2)) {
		t.Errorf("evidence = %v, want %v", got, sorted(o1, o2))
	}
	if a.Severity <= aml.Structuring.Severity() {
		t.Errorf("severity %d, want the highest", a.Severity)
	}
	for _, c := range []string{"KP", "IR", "MM", "VG"} {
		if !slices.Contains(aml.FATFJurisdictions, c) {
			t.Errorf("%s is not on the default list", c)
		}
	}
}

func TestVelocityFiresOverTheThirtyDayTotal(t *testing.T) {
	e := newEnv(t)
	anna := e.person("anna")
	e.place(anna, 2_000_000, "DKK", "DK", "DK")
	e.clk.Advance(29 * 24 * time.Hour)
	e.place(anna, 3_000_000, "DKK", "DK", "DK") // exactly at the threshold
	e.place(anna, 400_000, "SEK", "SE", "SE")
	if got := e.alerts(anna); len(got) != 0 {
		t.Fatalf("a total at the threshold raised %v", got)
	}
	e.clk.Advance(time.Hour)
	e.place(anna, 1, "DKK", "DK", "DK")
	a, ok := e.alerts(anna)[aml.Velocity]
	if !ok || len(orderIDs(a, aml.KindOrder)) != 3 || a.Params["total"] != float64(5_000_001) {
		t.Fatalf("velocity alert = %+v (%v)", a, ok)
	}

	// Orders older than 30 days do not count.
	bob := e.person("bob")
	e.place(bob, 3_000_000, "DKK", "DK", "DK")
	e.clk.Advance(30*24*time.Hour + time.Second)
	e.place(bob, 3_000_000, "DKK", "DK", "DK")
	if got := e.alerts(bob); len(got) != 0 {
		t.Errorf("orders over more than 30 days raised %v", got)
	}
}

func TestEvidenceHoldsIDsAndAmountsOnly(t *testing.T) {
	e := newEnv(t)
	anna := e.person("anna")
	for range 3 {
		e.place(anna, 950_000, "DKK", "DK", "IR")
	}
	e.write(func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT e.kind, e.order_id, e.amount, e.currency, e.at, a.params FROM aml_alert_evidence e JOIN aml_alerts a ON a.id = e.alert_id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var kind, orderID, currency, params string
			var amount, at int64
			if err := rows.Scan(&kind, &orderID, &amount, &currency, &at, &params); err != nil {
				return err
			}
			n++
			if !ids.Valid(orderID) || (kind != aml.KindOrder && kind != aml.KindRefund) || currency != "DKK" {
				t.Errorf("evidence %s %s %s", kind, orderID, currency)
			}
			var p map[string]any
			if err := json.Unmarshal([]byte(params), &p); err != nil {
				return err
			}
			if strings.Contains(params, anna) || strings.Contains(params, `"IR"`) && p["countries"] == nil {
				t.Errorf("params carry more than the rule's parameters: %s", params)
			}
		}
		if n != 6 {
			t.Errorf("%d pieces of evidence, want 6 (three orders for two rules)", n)
		}
		return rows.Err()
	})
}

// auditOf returns the audit entries about subject with the action.
func auditOf(t *testing.T, e *env, subject, action string) []audit.Entry {
	t.Helper()
	all, err := audit.ForSubject(e.ctx, e.db, subject)
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Entry
	for _, en := range all {
		if en.Action == action {
			out = append(out, en)
		}
	}
	return out
}

func TestActionsAreAuditedAndBadInputWritesNothing(t *testing.T) {
	e := newEnv(t)
	anna := e.person("anna")
	e.place(anna, 10_000, "DKK", "IR", "IR")
	a := e.alerts(anna)[aml.HighRiskCountry]
	officer := account.Staff{ID: "officer-1", Role: account.RoleAMLOfficer}
	act := func(st account.Staff, id string, version int64, action aml.Action, note string) error {
		return e.db.Write(e.ctx, func(tx *store.Tx) error {
			_, err := e.svc.Act(tx, st, id, version, action, note)
			return err
		})
	}
	snapshot := func() string {
		var s string
		e.write(func(tx *store.Tx) error {
			var n int
			err := tx.QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&n)
			if err != nil {
				return err
			}
			var status, note string
			var version int64
			err = tx.QueryRow(`SELECT status, outcome_note, version FROM aml_alerts WHERE id = $1`, a.ID).Scan(&status, &note, &version)
			s = fmt.Sprint(status, "|", note, "|", n, "|", version)
			return err
		})
		return s
	}
	before := snapshot()
	for _, c := range []struct {
		name    string
		st      account.Staff
		id      string
		version int64
		action  aml.Action
		note    string
		code    string
	}{
		{"close without a reason", officer, a.ID, a.Version, aml.Close, "  ", apperr.BadValue},
		{"report without a reference", officer, a.ID, a.Version, aml.Report, "", apperr.BadValue},
		{"unknown action", officer, a.ID, a.Version, "ignore", "x", apperr.BadValue},
		{"note too long", officer, a.ID, a.Version, aml.Close, strings.Repeat("x", aml.MaxNote+1), apperr.BadValue},
		{"unknown alert", officer, ids.New(), 1, aml.Close, "x", apperr.NotFound},
		{"malformed id", officer, "nope", 1, aml.Close, "x", apperr.NotFound},
		{"stale version", officer, a.ID, a.Version - 1, aml.Close, "x", aml.CodeChanged},
		{"risk analyst", account.Staff{ID: "r", Role: account.RoleRiskAnalyst}, a.ID, a.Version, aml.Close, "x", apperr.Forbidden},
		{"data protection", account.Staff{ID: "d", Role: account.RoleDataProtection}, a.ID, a.Version, aml.Close, "x", apperr.Forbidden},
		{"customer service", account.Staff{ID: "c", Role: account.RoleCustomerService}, a.ID, a.Version, aml.Close, "x", apperr.Forbidden},
	} {
		if err := act(c.st, c.id, c.version, c.action, c.note); apperr.Code(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if after := snapshot(); after != before {
		t.Errorf("refused actions wrote: %s, was %s", after, before)
	}
	for _, role := range []account.Role{account.RoleRiskAnalyst, account.RoleDataProtection, account.RoleCustomerService} {
		err := e.db.Write(e.ctx, func(tx *store.Tx) error {
			_, err := e.svc.AlertForReview(tx, account.Staff{ID: "x", Role: role}, a.ID)
			return err
		})
		if apperr.Code(err) != apperr.Forbidden {
			t.Errorf("%s reads an alert: %v", role, err)
		}
	}

	views := len(auditOf(t, e, anna, aml.ActionAlertViewed))
	if err := act(officer, a.ID, a.Version, aml.Escalate, ""); err != nil {
		t.Fatal(err)
	}
	if err := act(officer, a.ID, a.Version+1, aml.Escalate, ""); apperr.Code(err) != apperr.NotAllowed {
		t.Errorf("escalating twice: %v", err)
	}
	if err := act(officer, a.ID, a.Version+1, aml.Report, "Reported to the FIU, reference 2026-4411."); err != nil {
		t.Fatal(err)
	}
	got := e.alerts(anna)[aml.HighRiskCountry]
	if got.Status != aml.StatusReported || got.Note != "Reported to the FIU, reference 2026-4411." || got.ClosedBy != officer.ID ||
		got.EscalatedBy != officer.ID || got.ClosedAt == nil || got.EscalatedAt == nil {
		t.Errorf("reported alert = %+v", got)
	}
	if err := act(officer, a.ID, got.Version, aml.Close, "x"); apperr.Code(err) != apperr.NotAllowed {
		t.Errorf("closing a reported alert: %v", err)
	}
	for _, action := range []string{aml.ActionAlertEscalated, aml.ActionAlertReported} {
		es := auditOf(t, e, anna, action)
		if len(es) != 1 || es[0].Actor != "staff:"+officer.ID || !strings.Contains(string(es[0].Details), a.ID) {
			t.Errorf("%s audited as %+v", action, es)
		}
		if strings.Contains(string(es[0].Details), "FIU") {
			t.Errorf("the note is in the audit log: %s", es[0].Details)
		}
	}
	if n := len(auditOf(t, e, anna, aml.ActionAlertViewed)); n != views+1 {
		t.Errorf("%d views audited, want %d", n, views+1)
	}
	// The note is sealed under the person.
	e.write(func(tx *store.Tx) error {
		var sealed string
		if err := tx.QueryRow(`SELECT outcome_note FROM aml_alerts WHERE id = $1`, a.ID).Scan(&sealed); err != nil {
			return err
		}
		if sealed == "" || strings.Contains(sealed, "FIU") {
			t.Errorf("outcome_note stored as %q", sealed)
		}
		return nil
	})
}

func TestQueueListsLiveAlertsMostSevereFirst(t *testing.T) {
	e := newEnv(t)
	anna, bob := e.person("anna"), e.person("bob")
	for range 3 {
		e.place(anna, 950_000, "DKK", "DK", "DK")
	}
	e.clk.Advance(time.Hour)
	e.place(bob, 10_000, "DKK", "DK", "KP")
	n, err := e.svc.CountLive(e.ctx)
	if err != nil || n != 2 {
		t.Fatalf("CountLive = %d %v", n, err)
	}
	as, err := e.svc.ListLive(e.ctx, 10)
	if err != nil || len(as) != 2 || as[0].Rule != aml.HighRiskCountry || as[1].Rule != aml.Structuring {
		t.Fatalf("ListLive = %+v %v", as, err)
	}
	e.write(func(tx *store.Tx) error {
		_, err := e.svc.Act(tx, account.Staff{ID: "admin-1", Role: account.RoleAdmin}, as[0].ID, as[0].Version, aml.Close, "Billing address typo, customer lives in Denmark.")
		return err
	})
	if as, err := e.svc.ListLive(e.ctx, 10); err != nil || len(as) != 1 || as[0].PersonID != anna {
		t.Errorf("after closing: %+v %v", as, err)
	}
}
