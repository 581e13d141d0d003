package retention_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/consent"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/retention"
	"github.com/tillit/tillit/internal/stoprequest"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

// shopper is a test person and everything that identifies them.
type shopper struct{ email, given, family, street, dob, nationalID, phone, ip string }

func (s shopper) secrets() []string {
	return []string{s.email, s.given, s.family, s.street, s.dob, s.nationalID, s.phone, s.ip}
}

var (
	anna = shopper{"anna.jensen@example.dk", "Annabella", "Jensenius", "Slettenvej 17", "1987-04-21", "210487-1234", "+4520304050", "198.51.100.23"}
	bo   = shopper{"bo.berg@example.dk", "Bonifacius", "Bergstrand", "Havnegade 99", "1979-11-02", "021179-4321", "+4560708090", "203.0.113.77"}
)

// shop is the whole platform with a manual clock, for the person-level
// rules: real purchases, captures, refunds, plans and consents.
type shop struct {
	*world
	app *app.App
	m   merchant.Merchant
}

func newShop(t *testing.T) *shop {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(storetest.Start)
	a, err := app.New(ctx, app.Config{DatabaseURL: storetest.DSN(t), Clock: clk, Logger: logscan.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	w := worldOn(t, a.DB, clk, a.Vault, retention.Config{})
	m, err := merchant.Get(ctx, a.DB, w.merchant)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if r, err := ledger.Verify(ctx, a.DB); err != nil || !r.OK() {
			t.Errorf("ledger verify: %v %v", r.Problems, err)
		}
		if r, err := audit.Verify(ctx, a.DB); err != nil || !r.OK() {
			t.Errorf("audit verify: %v %v", r.Problems, err)
		}
	})
	return &shop{world: w, app: a, m: m}
}

// buy places a pay-later order for s and returns its id.
func (s *shop) buy(who shopper, amount int64) string {
	s.t.Helper()
	address := checkout.Address{GivenName: who.given, FamilyName: who.family, Email: who.email, Phone: who.phone,
		StreetAddress: who.street, PostalCode: "9270", City: "Klarup", Country: "DK"}
	data := checkout.OrderData{
		PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "da-DK", OrderAmount: amount, MerchantReference1: "ORDER-" + who.given,
		OrderLines:     []checkout.OrderLine{{Type: "physical", Name: "Paraply", Quantity: 1, UnitPrice: amount, TotalAmount: amount}},
		BillingAddress: &address,
	}
	sess, err := s.app.Checkout.CreateSession(s.ctx, s.m, data, "https://tillit.example")
	if err != nil {
		s.t.Fatal(err)
	}
	auth, err := s.app.Checkout.Authorize(s.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later", BillingAddress: &address, OTP: checkout.TestOTP,
		Customer: checkout.Customer{DateOfBirth: who.dob, NationalIdentificationNumber: who.nationalID},
		Device:   checkout.Device{IP: who.ip, UserAgent: "Mozilla/5.0 (test)"},
	})
	if err != nil || !auth.Approved {
		s.t.Fatalf("authorize: %+v %v", auth, err)
	}
	created, err := s.app.Checkout.CreateOrder(s.ctx, s.m, auth.AuthorizationToken, data)
	if err != nil {
		s.t.Fatal(err)
	}
	return created.OrderID
}

// write runs fn in a transaction.
func (s *shop) write(fn func(tx *store.Tx) error) {
	s.t.Helper()
	if err := s.db.Write(s.ctx, fn); err != nil {
		s.t.Fatal(err)
	}
}

// runJobs runs every due job (plans, e-mails).
func (s *shop) runJobs() {
	s.t.Helper()
	for range 20 {
		n, err := s.app.Runner.RunDue(s.ctx)
		if err != nil {
			s.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// personOf returns the person an order belongs to.
func (s *shop) personOf(orderID string) string {
	s.t.Helper()
	var id string
	if err := s.db.Read(s.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COALESCE(person_id, '') FROM orders WHERE id = $1`, orderID).Scan(&id)
	}); err != nil || id == "" {
		s.t.Fatalf("order %s names no person: %v", orderID, err)
	}
	return id
}

// dump returns every stored value of every table, for scanning.
func (s *shop) dump() string {
	var b strings.Builder
	for table, rows := range s.snapshot() {
		for _, r := range rows {
			b.WriteString(table + " " + r + "\n")
		}
	}
	return b.String()
}

// TestPersonRecordsAfterTheLongestPeriod follows a customer from her
// purchase to the end of every period: her app account goes when the
// relationship ends, her withdrawn consents three years later, and ten
// years after her last contract ended (the contract claims outlast AML's
// five years after the relationship and bookkeeping's seven after the year
// end) her orders are anonymised for the books, everything else about her
// deleted, her key shredded: nothing readable of her remains, the ledger
// still balances, and another customer with an open debt keeps everything.
func TestPersonRecordsAfterTheLongestPeriod(t *testing.T) {
	s := newShop(t)

	// Anna signs in to the app, buys, the shop captures and later refunds
	// everything: her plan closes on 10 March 2026 at 14:00.
	if err := s.app.Accounts.RequestLoginCode(s.ctx, anna.email, "da-DK"); err != nil {
		t.Fatal(err)
	}
	mail, err := s.app.Accounts.DemoMailbox(s.ctx, anna.email, 1)
	if err != nil || len(mail) == 0 {
		t.Fatalf("no sign-in code: %v", err)
	}
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(mail[0].Body)
	logscan.Secret(logscan.OneTimeCode, code)
	consumer, err := s.app.Accounts.VerifyLoginCode(s.ctx, anna.email, code)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.app.Accounts.StartSession(s.ctx, "consumer", consumer.ID, "", "Mozilla/5.0", anna.ip); err != nil {
		t.Fatal(err)
	}
	order := s.buy(anna, 12500)
	boOrder := s.buy(bo, 5000)
	annaID, boID := s.personOf(order), s.personOf(boOrder)
	s.clk.Set(at(2026, 3, 2, 10, 0))
	for _, o := range []string{order, boOrder} {
		s.write(func(tx *store.Tx) error {
			_, err := s.app.Checkout.Capture(tx, s.m.ID, o, checkout.CaptureRequest{CapturedAmount: map[string]int64{order: 12500, boOrder: 5000}[o],
				Description: "Shipped", ShippingInfo: []checkout.ShippingInfo{{ShippingCompany: "PostNord", TrackingNumber: "00370712345678901234"}}})
			return err
		})
	}
	s.runJobs()
	for _, c := range []struct {
		purpose consent.Purpose
		granted bool
		at      time.Time
	}{{consent.DirectMarketing, true, at(2026, 3, 3, 9, 0)}, {consent.CallRecording, true, at(2026, 3, 3, 9, 0)}, {consent.CallRecording, false, at(2026, 3, 4, 9, 0)}} {
		s.clk.Set(c.at)
		if _, err := s.app.Consents.Set(s.ctx, annaID, c.purpose, c.granted, consent.SourceApp, "consumer:"+consumer.ID); err != nil {
			t.Fatal(err)
		}
	}
	// The security team stops Anna's order after it shipped; the shop
	// answers with the carrier and the tracking number (sealed under her).
	if err := s.app.Checkout.DecideFraudStatus(s.ctx, "staff:analyst", order, checkout.FraudStopped, "linked to confirmed fraud"); err != nil {
		t.Fatal(err)
	}
	s.write(func(tx *store.Tx) error {
		r, _, err := stoprequest.ForOrder(tx, order)
		if err != nil {
			return err
		}
		_, err = s.app.StopRequests.Respond(tx, s.m.ID, r.ID, "api", stoprequest.Input{Answer: stoprequest.AnswerShipped, Carrier: "GLS",
			TrackingNumber: "GLS123456", PickedUp: "no"})
		return err
	})
	contractEnd := at(2026, 3, 10, 14, 0)
	s.clk.Set(contractEnd)
	s.write(func(tx *store.Tx) error {
		_, err := s.app.Checkout.Refund(tx, s.m.ID, order, checkout.RefundRequest{RefundedAmount: 12500, Description: "Returned by Annabella"})
		return err
	})
	s.runJobs()
	if n := s.count(`SELECT COUNT(*) FROM payment_plans WHERE order_id = $1 AND closed_at = $2`, order, us(contractEnd)); n != 1 {
		t.Fatalf("Anna's plan did not close at the refund")
	}
	var sealed string
	s.write(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT consumer FROM orders WHERE id = $1`, order).Scan(&sealed)
	})

	// Her relationship ends on 30 April; Bo's is marked ended too, but he
	// still owes his purchase, so nothing of his may go.
	ended := at(2026, 4, 30, 10, 0)
	s.write(func(tx *store.Tx) error {
		for _, p := range []string{annaID, boID} {
			if err := person.SetRelationshipEnded(tx, p, &ended); err != nil {
				return err
			}
		}
		return nil
	})
	// Expired sign-in counters and the like go first, and are not what
	// this test is about.
	s.clk.Set(at(2026, 3, 11, 0, 0))
	s.run()

	var sessionEnd time.Time
	s.write(func(tx *store.Tx) error {
		var end int64
		err := tx.QueryRow(`SELECT expires_at FROM web_sessions WHERE subject_id = $1`, consumer.ID).Scan(&end)
		sessionEnd = store.FromMicros(end)
		return err
	})
	var firings []firing
	firings = append(firings,
		// Her browser session ends by itself, before the account goes
		// three months after the relationship.
		firing{at: sessionEnd, items: map[string]int{retention.RuleWebSessions: 1},
			want: map[string]change{"web_sessions": {1, 0}}},
		firing{at: ended.AddDate(0, 3, 0), items: map[string]int{retention.RuleConsumerAccounts: 1},
			want: map[string]change{"consumers": {1, 0}, "known_devices": {1, 0}}},
		firing{at: at(2029, 4, 30, 10, 0), items: map[string]int{retention.RuleConsentRecords: 1},
			want: map[string]change{"consents": {1, 0}, "consent_history": {2, 0}}},
	)
	firings = append(firings, s.outboxFirings()...)
	sort.Slice(firings, func(i, j int) bool { return firings[i].at.Before(firings[j].at) })
	for _, f := range firings {
		s.fires(f)
	}

	final := at(2036, 3, 10, 14, 0)
	s.clk.Set(final.AddDate(0, 0, -1))
	want := s.annasRows(annaID, order)
	s.fires(firing{at: final, items: map[string]int{retention.RulePersonRecords: 1}, want: want})

	// Nothing readable of Anna is left anywhere; Bo is untouched.
	dump := s.dump()
	for _, secret := range anna.secrets() {
		if strings.Contains(dump, secret) {
			t.Errorf("%q is still stored", secret)
		}
	}
	s.write(func(tx *store.Tx) error {
		if _, err := s.vault.Open(tx, annaID, person.ContextConsumer, sealed); !errors.Is(err, vault.ErrShredded) {
			t.Errorf("Anna's sealed details still open: %v", err)
		}
		var boSealed string
		if err := tx.QueryRow(`SELECT consumer FROM orders WHERE id = $1 AND person_id = $2`, boOrder, boID).Scan(&boSealed); err != nil {
			return err
		}
		if doc, err := s.vault.OpenString(tx, boID, person.ContextConsumer, boSealed); err != nil || !strings.Contains(doc, bo.given) {
			t.Errorf("Bo's details, kept for his open debt, do not open: %v", err)
		}
		return nil
	})
	if n := s.count(`SELECT COUNT(*) FROM retention_retired_persons WHERE person_id = $1`, boID) +
		s.count(`SELECT COUNT(*) FROM payment_plans WHERE order_id = $1 AND closed_at IS NULL`, boOrder); n != 1 {
		t.Errorf("Bo, who still owes, was retired or lost his plan")
	}
	if n := s.count(`SELECT COUNT(*) FROM orders WHERE id = $1 AND person_id IS NULL AND captured_amount = 12500 AND refunded_amount = 12500`, order); n != 1 {
		t.Errorf("Anna's order is not kept, anonymised, for the books")
	}
	if n := s.count(`SELECT COUNT(*) FROM stop_requests WHERE order_id = $1 AND person_id IS NULL AND carrier = '' AND tracking_number = ''
		AND answer = 'shipped'`, order); n != 1 {
		t.Errorf("the stop request of Anna's order is not kept with the merchant's answer and without her")
	}
	entries, err := audit.ForSubject(s.ctx, s.db, annaID)
	if err != nil {
		t.Fatal(err)
	}
	if last := entries[len(entries)-1]; last.Action != retention.ActionPersonRetired || last.Actor != retention.ActorRetention ||
		!strings.Contains(string(last.Details), `"purpose":"legal_claims"`) {
		t.Errorf("the retirement is not audited: %+v", last)
	}

	// Far later nothing more goes.
	s.clk.Set(at(2050, 1, 1, 0, 0))
	before := s.snapshot()
	s.run()
	if d := diff(before, s.snapshot()); len(d) > 0 {
		t.Errorf("a run in 2050 changed %s", describe(d))
	}
}

// outboxFirings are the moments the e-mails of the test go: three months
// after each was queued.
func (s *shop) outboxFirings() []firing {
	s.t.Helper()
	byEnd := map[time.Time]int{}
	s.write(func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT created_at FROM outbox_messages`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var created int64
			if err := rows.Scan(&created); err != nil {
				return err
			}
			byEnd[store.FromMicros(created).AddDate(0, 3, 0)]++
		}
		return rows.Err()
	})
	var out []firing
	for end, n := range byEnd {
		out = append(out, firing{at: end, items: map[string]int{retention.RuleOutboxMessages: n},
			want: map[string]change{"outbox_messages": {n, 0}}})
	}
	return out
}

// annasRows is what the person-level rule changes for Anna: her rows of
// each table, deleted or (for the books) anonymised.
func (s *shop) annasRows(id, order string) map[string]change {
	s.t.Helper()
	want := map[string]change{"persons": {1, 1}, "subject_keys": {1, 1}, "retention_retired_persons": {0, 1}}
	sessions := `(SELECT session_id FROM orders WHERE id = '` + order + `')`
	counts := []struct {
		table, where string
		anonymised   bool
	}{
		{"orders", "id = '" + order + "'", true},
		{"captures", "order_id = '" + order + "'", true},
		{"refunds", "order_id = '" + order + "'", true},
		{"stop_requests", "order_id = '" + order + "'", true},
		{"payment_sessions", "id IN " + sessions, true},
		{"authorizations", "person_id = $1 OR session_id IN " + sessions, false},
		{"payment_plans", "order_id = '" + order + "'", false},
		{"plan_installments", "order_id = '" + order + "'", false},
		{"plan_payments", "order_id = '" + order + "'", false},
		{"plan_statements", "order_id = '" + order + "'", false},
		{"rail_transfers", "order_id = '" + order + "'", false},
		{"webhook_events", "order_id = '" + order + "'", false},
		{"consents", "subject = $1", false},
		{"consent_history", "subject = $1", false},
		{"disclosures", "person_id = $1", false},
		{"decision_contests", "person_id = $1", false},
		{"risk_assessments", "person_id = $1", false},
		{"risk_observations", "person_id = $1", false},
		{"data_subject_requests", "person_id = $1", false},
	}
	for _, c := range counts {
		query := fmt.Sprintf(`SELECT COUNT(*) FROM %s WHERE %s`, c.table, c.where)
		var n int
		if strings.Contains(c.where, "$1") {
			n = s.count(query, id)
		} else {
			n = s.count(query)
		}
		if n == 0 {
			continue
		}
		if c.anonymised {
			want[c.table] = change{n, n}
		} else {
			want[c.table] = change{n, 0}
		}
	}
	return want
}
