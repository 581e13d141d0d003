package credit_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/rail"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/credit"
	"github.com/tillit/tillit/internal/risk/engine"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

const (
	dkk       = "DKK"
	lookupKey = "test-consumer-secret"
	dob       = "1990-05-17"
)

// fixture is checkout, repayment and the simulated rail on one database
// with a job runner on a manual clock: the orders and plans a person has
// are made the way production makes them. Orders go through a test-mode
// merchant (its one-time code is fixed); the credit stage is asked with
// live-mode inputs, so its rules apply.
type fixture struct {
	ctx    context.Context
	db     *store.DB
	clk    *clock.Manual
	svc    *checkout.Service
	plans  *repayment.Service
	runner *jobs.Runner
	m      merchant.Merchant
	vault  *vault.Vault
	bureau *countingBureau
	stage  *credit.Stage
}

func newFixture(t testing.TB, cfg credit.Config) *fixture {
	t.Helper()
	ctx := context.Background()
	db, clk := storetest.Open(t)
	logger := logscan.Logger()
	f := &fixture{ctx: ctx, db: db, clk: clk, runner: jobs.NewRunner(db, logger), bureau: &countingBureau{report: goodReport}}
	rails := rail.New(db, rail.NewSimulated(), rail.Config{}, logger)
	vlt := vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()})
	f.vault = vlt
	f.plans = repayment.New(db, rails, repayment.DefaultConfig(), vlt, lookupKey, logger)
	rails.OnConfirmed, rails.OnFailed = f.plans.TransferConfirmed, f.plans.TransferFailed
	rails.Register(f.runner)
	f.plans.Register(f.runner)
	f.svc = checkout.New(db, engine.Pipeline(engine.Config{}), vlt, "k", lookupKey, logger)
	f.svc.Plans = f.plans
	f.svc.Register(f.runner)
	creds, err := merchant.Create(ctx, db, merchant.NewMerchant{Name: "Nordic Rain", TestMode: true, SettlementCurrency: dkk})
	if err != nil {
		t.Fatal(err)
	}
	if f.m, err = merchant.Get(ctx, db, creds.MerchantID); err != nil {
		t.Fatal(err)
	}
	if f.stage, err = credit.NewStage(db, f.bureau, cfg, nil); err != nil {
		t.Fatal(err)
	}
	return f
}

var goodReport = credit.Report{Score: 720, Band: credit.BandB, Reference: "FAKE-1", Bureau: "fake-1"}

// countingBureau answers with report (or err) and counts the questions.
type countingBureau struct {
	mu     sync.Mutex
	calls  int
	report credit.Report
	err    error
	// block makes it wait for the caller's deadline.
	block bool
}

func (b *countingBureau) Lookup(ctx context.Context, _ credit.Subject) (credit.Report, error) {
	b.mu.Lock()
	b.calls++
	rep, err, block := b.report, b.err, b.block
	b.mu.Unlock()
	if block {
		<-ctx.Done()
		return credit.Report{}, ctx.Err()
	}
	return rep, err
}

func (b *countingBureau) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls
}

// authorize authorizes a purchase of amount by the buyer at email and
// returns the authorization token.
func (f *fixture) authorize(t testing.TB, email, category string, amount int64, instrument string) (string, checkout.OrderData) {
	t.Helper()
	data := checkout.OrderData{
		PurchaseCountry: "DK", PurchaseCurrency: dkk, Locale: "da-DK", OrderAmount: amount,
		OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-1", Name: "Rain jacket", Quantity: 1, UnitPrice: amount, TotalAmount: amount}},
	}
	sess, err := f.svc.CreateSession(f.ctx, f.m, data, "https://tillit.example")
	if err != nil {
		t.Fatal(err)
	}
	auth, err := f.svc.Authorize(f.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: category, PaymentInstrument: instrument,
		Customer: checkout.Customer{DateOfBirth: dob},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: email, Phone: "+4520123456",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		OTP: checkout.TestOTP,
	})
	if err != nil || !auth.Approved {
		t.Fatalf("authorize: %+v %v", auth, err)
	}
	return auth.AuthorizationToken, data
}

// order places an order and returns its id.
func (f *fixture) order(t testing.TB, email, category string, amount int64, instrument string) string {
	t.Helper()
	token, data := f.authorize(t, email, category, amount, instrument)
	created, err := f.svc.CreateOrder(f.ctx, f.m, token, data)
	if err != nil {
		t.Fatal(err)
	}
	f.runJobs(t)
	return created.OrderID
}

func (f *fixture) capture(t testing.TB, orderID string, amount int64) {
	t.Helper()
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		_, err := f.svc.Capture(tx, f.m.ID, orderID, checkout.CaptureRequest{CapturedAmount: amount})
		return err
	})
	if err != nil {
		t.Fatalf("capture: %v", err)
	}
}

// pay pays on the person's plan and lets the rail settle it.
func (f *fixture) pay(t testing.TB, email, orderID, what, instrument string) {
	t.Helper()
	if _, err := f.plans.Pay(f.ctx, f.person(t, email), orderID, what, instrument); err != nil {
		t.Fatalf("pay %s: %v", what, err)
	}
	f.runJobs(t)
	f.clk.Advance(time.Minute)
	f.runJobs(t)
}

func (f *fixture) runJobs(t testing.TB) {
	t.Helper()
	for range 20 {
		n, err := f.runner.RunDue(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("jobs keep coming")
}

// advance moves the clock by d a day at a time, running due jobs.
func (f *fixture) advance(t testing.TB, d time.Duration) {
	t.Helper()
	to := f.clk.Now().Add(d)
	for f.clk.Now().Before(to) {
		next := f.clk.Now().Add(24 * time.Hour)
		if next.After(to) {
			next = to
		}
		f.clk.Set(next)
		f.runJobs(t)
	}
}

// person returns the id of the person with the address ("" when Tillit
// has not met them).
func (f *fixture) person(t testing.TB, email string) string {
	t.Helper()
	var id string
	err := f.db.Read(f.ctx, func(tx *store.Tx) error {
		var err error
		id, _, err = person.Lookup(tx, ids.ConsumerKey(lookupKey, email))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// input is a live-mode purchase of amount by the buyer at email, now.
func (f *fixture) input(t testing.TB, email string, amount int64) risk.Input {
	t.Helper()
	return risk.Input{
		MerchantID: f.m.ID, PaymentMethod: repayment.CategoryPayLater, Amount: amount, Currency: dkk, PurchaseCountry: "DK",
		PersonID: f.person(t, email), GivenName: "Anna", FamilyName: "Jensen", DateOfBirth: dob, Email: email, BillingCountry: "DK",
		Keys: risk.Keys{Email: ids.ConsumerKey(lookupKey, email)}, Now: f.clk.Now(),
	}
}

// assess asks the stage about a live-mode purchase.
func (f *fixture) assess(t testing.TB, email string, amount int64) risk.Decision {
	t.Helper()
	d, err := f.stage.Assess(f.ctx, f.input(t, email, amount))
	if err != nil {
		t.Fatal(err)
	}
	return d
}
