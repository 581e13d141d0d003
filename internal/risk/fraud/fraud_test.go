package fraud_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/restriction"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/fraud"
	"github.com/tillit/tillit/internal/risk/history"
	"github.com/tillit/tillit/internal/risk/model/shipped"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

type env struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	clk      *clock.Manual
	stage    *fraud.Stage
	merchant string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, clk := storetest.Open(t)
	// Daytime in Copenhagen: the hour features are those of an ordinary
	// afternoon.
	clk.Set(time.Date(2026, 11, 18, 13, 0, 0, 0, time.UTC))
	creds, err := merchant.Create(ctx, db, merchant.NewMerchant{Name: "Nordic Rain", SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := shipped.Load()
	if err != nil {
		t.Fatal(err)
	}
	stage, err := fraud.New(db, m, fraud.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, db: db, clk: clk, stage: stage, merchant: creds.MerchantID}
}

// buyer is someone buying, identified by keyed hashes as checkout gives
// them.
type buyer struct {
	name, device, address string
	person                string
}

func (e *env) write(f func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.db.Write(e.ctx, f); err != nil {
		e.t.Fatal(err)
	}
}

// resolve gives the buyer a person, as an earlier authorization would.
func (e *env) resolve(b *buyer) {
	e.write(func(tx *store.Tx) (err error) {
		b.person, err = person.Resolve(tx, ids.Hash("email:"+b.name))
		return err
	})
}

func (b *buyer) input(e *env, amount int64, shipsElsewhere bool) risk.Input {
	in := risk.Input{
		MerchantID: e.merchant, PaymentMethod: "pay_later", Amount: amount, Currency: "DKK", PurchaseCountry: "DK",
		PersonID: b.person, BillingCountry: "DK", ShipsElsewhere: shipsElsewhere, Now: e.clk.Now(),
		Keys: risk.Keys{Email: ids.Hash("email:" + b.name), Device: ids.Hash("device:" + b.device), Shipping: ids.Hash("address:" + b.address)},
	}
	if b.person != "" {
		e.db.Read(e.ctx, func(tx *store.Tx) error {
			p, err := person.Get(tx, b.person)
			in.PersonSince = p.CreatedAt
			return err
		})
	}
	return in
}

func (e *env) assess(in risk.Input) risk.Decision {
	e.t.Helper()
	d, err := e.stage.Assess(e.ctx, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

// remember records an assessed purchase in the history, as checkout does.
func (e *env) remember(b *buyer, in risk.Input, outcome string) {
	e.t.Helper()
	if b.person == "" {
		e.resolve(b)
	}
	e.write(func(tx *store.Tx) error {
		return history.Record(tx, history.Observation{AuthorizationToken: ids.New(), PersonID: b.person, MerchantID: e.merchant,
			Amount: in.Amount, Currency: in.Currency, Outcome: outcome, Keys: in.Keys, ShipsElsewhere: in.ShipsElsewhere})
	})
}

func TestOrdinaryPurchasesAreAccepted(t *testing.T) {
	e := newEnv(t)
	anna := &buyer{name: "anna", device: "anna-phone", address: "klarup"}
	in := anna.input(e, 45_000, false)
	d := e.assess(in)
	if d.Outcome != risk.Accepted || len(d.Reasons) != 0 {
		t.Fatalf("a first purchase of 450.00: %s %v (score %.3f, factors %+v)", d.Outcome, d.Reasons, d.Score, d.Factors)
	}
	if d.Score <= 0 || d.Score >= 1 || d.Versions["model"] != e.stage.Model().ID || d.Summary["history_orders"] != "0" {
		t.Errorf("record: score %v versions %v summary %v", d.Score, d.Versions, d.Summary)
	}
	e.remember(anna, in, d.Outcome)
	// A month of her ordinary purchases makes the next one look safer still
	// (the first has left the 30-day window by then).
	for range 6 {
		e.clk.Advance(5 * 24 * time.Hour)
		in := anna.input(e, 40_000, false)
		d := e.assess(in)
		if d.Outcome != risk.Accepted {
			t.Fatalf("a returning customer's purchase: %s %v", d.Outcome, d.Reasons)
		}
		e.remember(anna, in, d.Outcome)
	}
	e.clk.Advance(24 * time.Hour)
	later := e.assess(anna.input(e, 40_000, false))
	if later.Score >= d.Score || later.Summary["history_orders"] != "6" {
		t.Errorf("with history: score %.4f (first %.4f), history %s", later.Score, d.Score, later.Summary["history_orders"])
	}
}

// TestDeviceRingIsStopped: new identities one after another on one device,
// shipping to one drop address, at night: the model reads the ring from
// the history and the later ones are held or declined, with the device and
// address features among the reasons.
func TestDeviceRingIsStopped(t *testing.T) {
	e := newEnv(t)
	e.clk.Set(time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC))
	var last risk.Decision
	for i := range 6 {
		b := &buyer{name: fmt.Sprintf("ring-%d", i), device: "rogue", address: "drop"}
		in := b.input(e, 380_000, true)
		last = e.assess(in)
		e.remember(b, in, last.Outcome)
		e.clk.Advance(10 * time.Minute)
	}
	if last.Outcome == risk.Accepted {
		t.Fatalf("the sixth identity on one device: %s, score %.3f, factors %+v", last.Outcome, last.Score, last.Factors)
	}
	if !slices.Contains(last.Reasons, fraud.ReasonScoreHigh) && !slices.Contains(last.Reasons, fraud.ReasonScoreReview) {
		t.Errorf("reasons %v", last.Reasons)
	}
	names := []string{}
	for _, f := range last.Factors {
		names = append(names, f.Name)
	}
	if !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "device_") || strings.HasPrefix(n, "shipping_") }) {
		t.Errorf("the ring's features are not among the top factors: %v", names)
	}
}

// TestRestrictedHistoryIsLeftOut: a person who restricted the processing of
// their purchase history is scored without it (D6).
func TestRestrictedHistoryIsLeftOut(t *testing.T) {
	e := newEnv(t)
	bo := &buyer{name: "bo", device: "bo-laptop", address: "aarhus"}
	for range 3 {
		in := bo.input(e, 30_000, false)
		e.remember(bo, in, risk.Accepted)
		e.clk.Advance(24 * time.Hour)
	}
	if d := e.assess(bo.input(e, 30_000, false)); d.Summary["history_orders"] != "3" || d.Summary["history"] != "" {
		t.Fatalf("before the restriction: %v", d.Summary)
	}
	e.write(func(tx *store.Tx) error {
		_, err := restriction.Restrict(tx, bo.person, []privacy.CategoryID{privacy.CategoryPurchase}, "", "staff:dpo")
		return err
	})
	d := e.assess(bo.input(e, 30_000, false))
	if d.Summary["history"] != "restricted" || d.Summary["history_orders"] != "0" {
		t.Errorf("after the restriction: %v", d.Summary)
	}
}

// TestTestModeIsScoredNotApplied: a test-mode merchant's purchase is scored
// for the record, but its outcome comes from the test tags only.
func TestTestModeIsScoredNotApplied(t *testing.T) {
	e := newEnv(t)
	e.clk.Set(time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC))
	var d risk.Decision
	for i := range 6 {
		b := &buyer{name: fmt.Sprintf("t-%d", i), device: "rogue", address: "drop"}
		in := b.input(e, 380_000, true)
		in.TestMode = true
		d = e.assess(in)
		e.remember(b, in, d.Outcome)
	}
	if d.Outcome != risk.Accepted || d.Summary["test_mode"] == "" || d.Score == 0 {
		t.Errorf("test mode: %s %v %v", d.Outcome, d.Score, d.Summary)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []fraud.Config{{}, {Review: 0.9, Reject: 0.5}, {Review: 0.5, Reject: 1.5}} {
		if c.Validate() == nil {
			t.Errorf("%+v validated", c)
		}
	}
	if err := fraud.DefaultConfig().Validate(); err != nil {
		t.Error(err)
	}
}
