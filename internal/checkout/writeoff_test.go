package checkout_test

import (
	"context"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/rail"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/risk/engine"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

// writeOffEnv is checkout with payment plans and the simulated rail, so a
// write-off's effect on what the consumer owes can be seen.
type writeOffEnv struct {
	t      *testing.T
	ctx    context.Context
	db     *store.DB
	clk    *clock.Manual
	svc    *checkout.Service
	plans  *repayment.Service
	runner *jobs.Runner
	m      merchant.Merchant
}

func newWriteOffEnv(t *testing.T) *writeOffEnv {
	t.Helper()
	ctx := context.Background()
	db, clk := storetest.Open(t)
	logger := logscan.Logger()
	e := &writeOffEnv{t: t, ctx: ctx, db: db, clk: clk, runner: jobs.NewRunner(db, logger)}
	rails := rail.New(db, rail.NewSimulated(), rail.Config{}, logger)
	vlt := vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()})
	e.plans = repayment.New(db, rails, repayment.DefaultConfig(), vlt, "consumer-lookup-key", logger)
	rails.OnConfirmed, rails.OnFailed = e.plans.TransferConfirmed, e.plans.TransferFailed
	rails.Register(e.runner)
	e.plans.Register(e.runner)
	e.svc = checkout.New(db, engine.Pipeline(engine.Config{}), vlt, "k", "consumer-lookup-key", logger)
	e.svc.Plans = e.plans
	e.svc.Register(e.runner)
	creds, err := merchant.Create(ctx, db, merchant.NewMerchant{Name: "Written Off Shop", TestMode: true, SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	if e.m, err = merchant.Get(ctx, db, creds.MerchantID); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.verify)
	return e
}

// order places an accepted order of amount with 25% VAT included.
func (e *writeOffEnv) order(category string, amount int64) string {
	e.t.Helper()
	tax := amount - amount*10000/12500
	data := checkout.OrderData{
		PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "da-DK", OrderAmount: amount, OrderTaxAmount: tax,
		OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-1", Name: "Rain jacket", Quantity: 1, UnitPrice: amount,
			TaxRate: 2500, TotalAmount: amount, TotalTaxAmount: tax}},
	}
	sess, err := e.svc.CreateSession(e.ctx, e.m, data, "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	auth, err := e.svc.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: category,
		Customer:              checkout.Customer{DateOfBirth: "1990-05-17", NationalIdentificationNumber: "1705901234"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: "anna@example.com", Phone: "+4520123456",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		Device: checkout.Device{IP: "192.0.2.10", Fingerprint: "abc123"},
		OTP:    checkout.TestOTP,
	})
	if err != nil || !auth.Approved {
		e.t.Fatalf("authorize: %+v %v", auth, err)
	}
	created, err := e.svc.CreateOrder(e.ctx, e.m, auth.AuthorizationToken, data)
	if err != nil {
		e.t.Fatal(err)
	}
	return created.OrderID
}

func (e *writeOffEnv) write(fn func(tx *store.Tx) error) error { return e.db.Write(e.ctx, fn) }

func (e *writeOffEnv) capture(orderID string, amount int64) {
	e.t.Helper()
	if err := e.write(func(tx *store.Tx) error {
		_, err := e.svc.Capture(tx, e.m.ID, orderID, checkout.CaptureRequest{CapturedAmount: amount})
		return err
	}); err != nil {
		e.t.Fatalf("capture: %v", err)
	}
}

func (e *writeOffEnv) refund(orderID string, amount int64) error {
	return e.write(func(tx *store.Tx) error {
		_, err := e.svc.Refund(tx, e.m.ID, orderID, checkout.RefundRequest{RefundedAmount: amount})
		return err
	})
}

func (e *writeOffEnv) writeOff(orderID string, policyMet bool) (checkout.FraudWriteOff, error) {
	var out checkout.FraudWriteOff
	err := e.write(func(tx *store.Tx) error {
		var err error
		out, err = e.svc.FraudWriteOff(tx, orderID, policyMet, "")
		return err
	})
	return out, err
}

// runJobs runs every job due now until none is left.
func (e *writeOffEnv) runJobs() {
	e.t.Helper()
	for range 20 {
		n, err := e.runner.RunDue(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	e.t.Fatal("jobs keep coming")
}

func (e *writeOffEnv) balance(account string) int64 {
	e.t.Helper()
	var b int64
	if err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		var err error
		b, err = ledger.Balance(tx, account, "DKK")
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *writeOffEnv) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.Read(e.ctx, func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) }); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *writeOffEnv) verify() {
	e.t.Helper()
	r, err := ledger.Verify(e.ctx, e.db)
	if err != nil || !r.OK() {
		e.t.Fatalf("ledger verify: %+v %v", r.Problems, err)
	}
}

func (e *writeOffEnv) getOrder(id string) checkout.Order {
	e.t.Helper()
	o, err := e.svc.GetOrder(e.ctx, e.m.ID, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

// wantBalances checks the merchant's payable, the order's receivable and
// the fraud losses.
func (e *writeOffEnv) wantBalances(orderID string, payable, receivable, losses int64) {
	e.t.Helper()
	if p, r, l := e.balance(ledger.PayableAccount(e.m.ID)), e.balance(ledger.ReceivableAccount(orderID)), e.balance(ledger.FraudLossAccount("DKK")); p != payable || r != receivable || l != losses {
		e.t.Errorf("payable %d, receivable %d, fraud losses %d; want %d, %d, %d", p, r, l, payable, receivable, losses)
	}
}

// wantFraudRefund checks the order's one fraud refund row and that the
// order's refunds list shows it.
func (e *writeOffEnv) wantFraudRefund(orderID string, w checkout.FraudWriteOff) {
	e.t.Helper()
	var (
		kind, description  string
		amount, policy, at int64
	)
	if err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT kind, description, refunded_amount, fraud_policy_amount, refunded_at FROM refunds WHERE id = $1 AND order_id = $2`, w.RefundID, orderID).
			Scan(&kind, &description, &amount, &policy, &at)
	}); err != nil {
		e.t.Fatalf("fraud refund row: %v", err)
	}
	if kind != checkout.RefundKindFraud || description != checkout.FraudWriteOffDescription || amount != w.Returned || policy != w.PolicyAmount ||
		at != store.Micros(e.clk.Now()) {
		e.t.Errorf("refund row kind %q, description %q, amount %d, policy %d, at %d", kind, description, amount, policy, at)
	}
	o := e.getOrder(orderID)
	var found bool
	for _, r := range o.Refunds {
		if r.RefundID == w.RefundID {
			found = r.Type == checkout.RefundKindFraud && r.RefundedAmount == w.Returned && r.Description == checkout.FraudWriteOffDescription
		} else if r.Type != "" {
			e.t.Errorf("merchant refund %+v has a type", r)
		}
	}
	if !found {
		e.t.Errorf("order refunds %+v do not list the write-off %+v", o.Refunds, w)
	}
}

func TestFraudWriteOffPolicyMet(t *testing.T) {
	e := newWriteOffEnv(t)
	id := e.order(repayment.CategoryPayLater, 10000) // VAT 2000
	e.capture(id, 10000)
	w, err := e.writeOff(id, true)
	if err != nil {
		t.Fatal(err)
	}
	if w.RefundID == "" || w.Returned != 10000 || w.PolicyAmount != 8000 || w.Currency != "DKK" {
		t.Fatalf("write-off %+v", w)
	}
	o := e.getOrder(id)
	if o.Status != checkout.StatusClosed || o.CapturedAmount != 10000 || o.RefundedAmount != 10000 || o.RemainingAuthorizedAmount != 0 {
		t.Fatalf("order %s captured %d refunded %d remaining %d", o.Status, o.CapturedAmount, o.RefundedAmount, o.RemainingAuthorizedAmount)
	}
	e.wantFraudRefund(id, w)
	// The claim went back to the merchant (+10000) and the policy paid
	// 8000 back: Tillit owes the merchant 8000 and bears it as a loss.
	e.wantBalances(id, -8000, 0, 8000)
	for kind, want := range map[string]int{ledger.KindFraudReturn: 1, ledger.KindFraudPolicy: 1, ledger.KindRefund: 0} {
		if n := e.count(`SELECT COUNT(*) FROM ledger_journals WHERE kind = $1 AND reference = $2 AND order_id = $3`, kind, w.RefundID, id); n != want {
			t.Errorf("%d %s journals, want %d", n, kind, want)
		}
	}
	e.verify()

	// The consumer owes nothing: the plan is closed and months later no
	// reminder or late fee has come.
	p, err := e.plans.Get(e.ctx, id)
	if err != nil || p.Outstanding != 0 || p.Status != repayment.StatusClosed {
		t.Fatalf("plan %+v %v", p, err)
	}
	for range 90 {
		e.clk.Advance(24 * time.Hour)
		e.runJobs()
	}
	if n := e.count(`SELECT COUNT(*) FROM ledger_journals WHERE order_id = $1 AND kind = $2`, id, ledger.KindLateFee); n != 0 {
		t.Errorf("%d late fees after the write-off", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM outbox_messages`); n != 0 {
		t.Errorf("%d messages (reminders) to the consumer after the write-off", n)
	}

	// The merchant cannot refund what was written off.
	if err := e.refund(id, 1); apperr.Code(err) != apperr.RefundNotAllowed {
		t.Errorf("merchant refund after the write-off: %v", err)
	}
	// A second write-off is refused and writes nothing.
	before := [3]int{e.count(`SELECT COUNT(*) FROM refunds`), e.count(`SELECT COUNT(*) FROM ledger_journals`), e.count(`SELECT COUNT(*) FROM ledger_entries`)}
	for _, met := range []bool{true, false} {
		if _, err := e.writeOff(id, met); apperr.Code(err) != apperr.NotAllowed {
			t.Errorf("second write-off (policy met %v): %v", met, err)
		}
	}
	after := [3]int{e.count(`SELECT COUNT(*) FROM refunds`), e.count(`SELECT COUNT(*) FROM ledger_journals`), e.count(`SELECT COUNT(*) FROM ledger_entries`)}
	if before != after {
		t.Errorf("refused write-off wrote: %v -> %v", before, after)
	}
	e.wantBalances(id, -8000, 0, 8000)
}

func TestFraudWriteOffPolicyNotMet(t *testing.T) {
	e := newWriteOffEnv(t)
	id := e.order(repayment.CategoryPayLater, 10000)
	e.capture(id, 10000)
	w, err := e.writeOff(id, false)
	if err != nil {
		t.Fatal(err)
	}
	if w.Returned != 10000 || w.PolicyAmount != 0 {
		t.Fatalf("write-off %+v", w)
	}
	e.wantFraudRefund(id, w)
	// The claim is reversed to the merchant: Tillit owes it nothing.
	e.wantBalances(id, 0, 0, 0)
	if n := e.count(`SELECT COUNT(*) FROM ledger_journals WHERE kind = $1`, ledger.KindFraudPolicy); n != 0 {
		t.Errorf("%d fraud policy journals", n)
	}
	if o := e.getOrder(id); o.Status != checkout.StatusClosed {
		t.Errorf("order %s", o.Status)
	}
	if p, err := e.plans.Get(e.ctx, id); err != nil || p.Outstanding != 0 || p.Status != repayment.StatusClosed {
		t.Fatalf("plan %+v %v", p, err)
	}
}

func TestFraudWriteOffUncapturedOrderIsCancelled(t *testing.T) {
	e := newWriteOffEnv(t)
	id := e.order(repayment.CategoryPayLater, 10000)
	w, err := e.writeOff(id, true)
	if err != nil {
		t.Fatal(err)
	}
	if w.RefundID != "" || w.Returned != 0 || w.PolicyAmount != 0 || w.Currency != "DKK" {
		t.Fatalf("write-off %+v", w)
	}
	o := e.getOrder(id)
	if o.Status != checkout.StatusCancelled || o.CapturedAmount != 0 || o.RemainingAuthorizedAmount != 0 || len(o.Refunds) != 0 {
		t.Fatalf("order %+v", o)
	}
	if n := e.count(`SELECT COUNT(*) FROM ledger_journals`); n != 0 {
		t.Errorf("%d journals for an uncaptured write-off", n)
	}
	if p, err := e.plans.Get(e.ctx, id); err != nil || p.Status != repayment.StatusClosed {
		t.Fatalf("plan %+v %v", p, err)
	}
	// Nothing is left: a second write-off is refused.
	if _, err := e.writeOff(id, true); apperr.Code(err) != apperr.NotAllowed {
		t.Errorf("second write-off: %v", err)
	}
}

func TestFraudWriteOffPartCapturedReleasesTheRest(t *testing.T) {
	e := newWriteOffEnv(t)
	id := e.order(repayment.CategoryPayLater, 9999) // VAT 2000
	e.capture(id, 3333)
	w, err := e.writeOff(id, true)
	if err != nil {
		t.Fatal(err)
	}
	// VAT share 2000 × 3333 / 9999 = 666.67, rounded to 667.
	if w.Returned != 3333 || w.PolicyAmount != 3333-667 {
		t.Fatalf("write-off %+v", w)
	}
	o := e.getOrder(id)
	if o.Status != checkout.StatusClosed || o.CapturedAmount != 3333 || o.RefundedAmount != 3333 || o.RemainingAuthorizedAmount != 0 {
		t.Fatalf("order %s captured %d refunded %d remaining %d", o.Status, o.CapturedAmount, o.RefundedAmount, o.RemainingAuthorizedAmount)
	}
	if n := e.count(`SELECT COUNT(*) FROM orders WHERE id = $1 AND released_amount = 6666`, id); n != 1 {
		t.Error("the uncaptured 6666 was not released")
	}
	e.wantFraudRefund(id, w)
	e.wantBalances(id, -2666, 0, 2666)
	if err := e.write(func(tx *store.Tx) error {
		_, err := e.svc.Capture(tx, e.m.ID, id, checkout.CaptureRequest{CapturedAmount: 1})
		return err
	}); apperr.Code(err) != apperr.CaptureNotAllowed {
		t.Errorf("capture after the write-off: %v", err)
	}
}

func TestFraudWriteOffTakesBackOnlyWhatWasNotRefunded(t *testing.T) {
	e := newWriteOffEnv(t)
	id := e.order(repayment.CategoryPayLater, 10000)
	e.capture(id, 6000)
	e.capture(id, 4000)
	if err := e.refund(id, 4000); err != nil {
		t.Fatal(err)
	}
	w, err := e.writeOff(id, true)
	if err != nil {
		t.Fatal(err)
	}
	// 6000 left; its VAT share 2000 × 6000 / 10000 = 1200.
	if w.Returned != 6000 || w.PolicyAmount != 4800 {
		t.Fatalf("write-off %+v", w)
	}
	o := e.getOrder(id)
	if o.Status != checkout.StatusClosed || o.RefundedAmount != 10000 || len(o.Refunds) != 2 {
		t.Fatalf("order %+v", o)
	}
	for _, c := range o.Captures {
		if c.RefundedAmount != c.CapturedAmount {
			t.Errorf("capture %s refunded %d of %d", c.CaptureID, c.RefundedAmount, c.CapturedAmount)
		}
	}
	e.wantFraudRefund(id, w)
	e.wantBalances(id, -4800, 0, 4800)
}

func TestFraudWriteOffPaysBackWhatTheConsumerPaid(t *testing.T) {
	e := newWriteOffEnv(t)
	id := e.order(repayment.CategoryPayLater, 10000)
	e.capture(id, 10000)
	var personID string
	if err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT person_id FROM orders WHERE id = $1`, id).Scan(&personID)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.plans.Pay(e.ctx, personID, id, repayment.PayAll, ""); err != nil {
		t.Fatal(err)
	}
	e.runJobs()
	e.clk.Advance(time.Minute)
	e.runJobs()
	if p, _ := e.plans.Get(e.ctx, id); p.Paid != 10000 {
		t.Fatalf("consumer paid %d", p.Paid)
	}
	if _, err := e.writeOff(id, true); err != nil {
		t.Fatal(err)
	}
	e.runJobs()
	e.clk.Advance(time.Minute)
	e.runJobs()
	// The 10000 the victim paid went back to them through the rail.
	if n := e.count(`SELECT COUNT(*) FROM plan_payments WHERE order_id = $1 AND kind = 'payout' AND amount = 10000`, id); n != 1 {
		t.Errorf("%d payouts of 10000 to the consumer", n)
	}
	e.wantBalances(id, -8000, 0, 8000)
}

func TestFraudWriteOffUnknownOrder(t *testing.T) {
	e := newWriteOffEnv(t)
	for _, id := range []string{ids.New(), "not-an-id"} {
		if _, err := e.writeOff(id, true); apperr.Code(err) != apperr.NoSuchOrder {
			t.Errorf("write-off of %q: %v", id, err)
		}
	}
}
