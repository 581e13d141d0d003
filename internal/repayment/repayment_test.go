package repayment_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/rail"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/risk/engine"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

const (
	dkk           = "DKK"
	email         = "anna@example.com"
	consumerKeyOf = "test-consumer-secret"
)

// fixture is checkout, repayment and the simulated rail on one database, with
// a job runner driven by a manual clock.
type fixture struct {
	ctx    context.Context
	db     *store.DB
	clk    *clock.Manual
	svc    *checkout.Service
	plans  *repayment.Service
	runner *jobs.Runner
	m      merchant.Merchant
}

func newFixture(t *testing.T, cfg repayment.Config) *fixture {
	t.Helper()
	f := newFixtureWith(t, cfg)
	t.Cleanup(func() { f.verify(t) })
	return f
}

// newFixtureNoVerify is a fixture for tests that break the ledger on purpose.
func newFixtureNoVerify(t *testing.T) *fixture { return newFixtureWith(t, repayment.DefaultConfig()) }

func newFixtureWith(t *testing.T, cfg repayment.Config) *fixture {
	t.Helper()
	ctx := context.Background()
	db, clk := storetest.Open(t)
	logger := logscan.Logger()
	f := &fixture{ctx: ctx, db: db, clk: clk, runner: jobs.NewRunner(db, logger)}
	rails := newRail(db, logger)
	vlt := vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()})
	f.plans = repayment.New(db, rails, cfg, vlt, consumerKeyOf, logger)
	connectRail(rails, f.plans, f.runner)
	f.plans.Register(f.runner)
	f.svc = checkout.New(db, engine.Pipeline(engine.Config{}), vlt, "k", consumerKeyOf, logger)
	f.svc.Plans = f.plans
	f.svc.Register(f.runner)
	creds, err := merchant.Create(ctx, db, merchant.NewMerchant{Name: "Nordic Rain", TestMode: true, SettlementCurrency: dkk})
	if err != nil {
		t.Fatal(err)
	}
	if f.m, err = merchant.Get(ctx, db, creds.MerchantID); err != nil {
		t.Fatal(err)
	}
	return f
}

// verify fails the test unless the ledger, with the plan invariants, is sound.
func (f *fixture) verify(t *testing.T) {
	t.Helper()
	r, err := ledger.Verify(f.ctx, f.db)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("ledger verify: %v", r.Problems)
	}
}

// order places an order through checkout with the given method and returns
// its id.
func (f *fixture) order(t *testing.T, category string, amount int64, months int, instrument string) string {
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
		PaymentMethodCategory: category, FinancingMonths: months, PaymentInstrument: instrument,
		Customer: checkout.Customer{DateOfBirth: "1990-05-17"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: email, Phone: "+4520123456",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		OTP: checkout.TestOTP,
	})
	if err != nil || !auth.Approved {
		t.Fatalf("authorize: %+v %v", auth, err)
	}
	created, err := f.svc.CreateOrder(f.ctx, f.m, auth.AuthorizationToken, data)
	if err != nil {
		t.Fatal(err)
	}
	return created.OrderID
}

func (f *fixture) capture(t *testing.T, orderID string, amount int64, shippingDelay int) {
	t.Helper()
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		_, err := f.svc.Capture(tx, f.m.ID, orderID, checkout.CaptureRequest{CapturedAmount: amount, ShippingDelay: int64(shippingDelay)})
		return err
	})
	if err != nil {
		t.Fatalf("capture: %v", err)
	}
}

func (f *fixture) refund(t *testing.T, orderID string, amount int64) {
	t.Helper()
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		_, err := f.svc.Refund(tx, f.m.ID, orderID, checkout.RefundRequest{RefundedAmount: amount})
		return err
	})
	if err != nil {
		t.Fatalf("refund: %v", err)
	}
}

// runJobs runs every job due now, repeatedly, until none is left.
func (f *fixture) runJobs(t *testing.T) {
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

// advance moves the clock day by day to t, running due jobs each day.
func (f *fixture) advanceTo(t *testing.T, to time.Time) {
	t.Helper()
	for f.clk.Now().Before(to) {
		next := f.clk.Now().Add(24 * time.Hour)
		if next.After(to) {
			next = to
		}
		f.clk.Set(next)
		f.runJobs(t)
	}
}

// person returns the id of the person with the address, made when Tillit
// does not know them yet.
func (f *fixture) person(t *testing.T, address string) string {
	t.Helper()
	var id string
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		var err error
		id, err = person.Resolve(tx, ids.ConsumerKey(consumerKeyOf, address))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) plan(t *testing.T, orderID string) repayment.Plan {
	t.Helper()
	p, err := f.plans.PersonPlan(f.ctx, f.person(t, email), orderID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) pay(t *testing.T, orderID, what string) repayment.Payment {
	t.Helper()
	p, err := f.plans.Pay(f.ctx, f.person(t, email), orderID, what, "")
	if err != nil {
		t.Fatalf("pay %s: %v", what, err)
	}
	f.runJobs(t)
	f.clk.Advance(time.Minute)
	f.runJobs(t)
	return p
}

func (f *fixture) receivable(t *testing.T, orderID string) int64 {
	t.Helper()
	var b int64
	if err := f.db.Read(f.ctx, func(tx *store.Tx) error {
		var err error
		b, err = ledger.Balance(tx, ledger.ReceivableAccount(orderID), dkk)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return b
}

// messages returns the outbox messages to the consumer, opened, oldest
// first, after checking that they are stored sealed under the person's key.
func (f *fixture) messages(t *testing.T) []outbox.Message {
	t.Helper()
	var out []outbox.Message
	if err := f.db.Read(f.ctx, func(tx *store.Tx) error {
		var err error
		if out, err = outbox.To(tx, f.plans.Vault, consumerKeyOf, outbox.Email, email, 1000); err != nil {
			return err
		}
		slices.Reverse(out)
		for _, m := range out {
			var stored string
			if err := tx.QueryRow(`SELECT recipient || subject || body FROM outbox_messages WHERE id = $1`, m.ID).Scan(&stored); err != nil {
				return err
			}
			if m.PersonID == "" || strings.Contains(stored, email) || strings.Contains(stored, m.Subject) {
				t.Errorf("message %s is not sealed under a person: %q", m.ID, stored)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// mails returns the subjects of the outbox messages to the consumer.
func (f *fixture) mails(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, m := range f.messages(t) {
		out = append(out, m.Subject)
	}
	return out
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// subject is the subject of a consumer e-mail in the test orders' language.
func subject(kind string) string { return i18n.T(i18n.Danish, "mail."+kind+".subject") }

func day(t time.Time) time.Time { return plan.Date(t) }

func TestPayLaterDueDateCountsFromShippingAndPaysInFull(t *testing.T) {
	f := newFixture(t, repayment.DefaultConfig())
	id := f.order(t, repayment.CategoryPayLater, 50000, 0, "")
	f.clk.Advance(3 * 24 * time.Hour) // the merchant captures three days after purchase
	captured := f.clk.Now()
	f.capture(t, id, 50000, 2) // and ships two days after capture
	p := f.plan(t, id)
	if len(p.Installments) != 1 {
		t.Fatalf("installments: %+v", p.Installments)
	}
	if want := plan.AddDays(captured, 2+30); !p.Installments[0].Due.Equal(want) {
		t.Fatalf("due %v, want %v (30 days after shipping)", p.Installments[0].Due, want)
	}
	if p.Outstanding != 50000 || f.receivable(t, id) != 50000 || p.Status != repayment.StatusOpen {
		t.Fatalf("plan %+v, receivable %d", p, f.receivable(t, id))
	}
	f.pay(t, id, repayment.PayAll)
	p = f.plan(t, id)
	if p.Outstanding != 0 || p.Status != repayment.StatusClosed || f.receivable(t, id) != 0 {
		t.Fatalf("after paying: %+v", p)
	}
	if len(p.Receipts) != 1 || p.Receipts[0].Status != repayment.PaymentSettled || p.Receipts[0].Amount != 50000 {
		t.Fatalf("receipts %+v", p.Receipts)
	}
	if count(f.mails(t), subject("payment_received")) != 1 {
		t.Fatalf("mails %v", f.mails(t))
	}
	// Paid before the due date: no reminders, no late fees.
	f.advanceTo(t, plan.AddDays(captured, 80))
	if got := f.mails(t); count(got, subject("reminder_before"))+count(got, subject("reminder_overdue")) != 0 {
		t.Fatalf("reminders after payment: %v", got)
	}
}

func TestRemindersAndCappedLateFees(t *testing.T) {
	cfg := repayment.DefaultConfig()
	cfg.LateFeeCap = map[string]int64{dkk: 15000} // one and a half fees
	f := newFixture(t, cfg)
	id := f.order(t, repayment.CategoryPayLater, 20000, 0, "")
	f.capture(t, id, 20000, 0)
	due := plan.AddDays(f.clk.Now(), 30)

	f.advanceTo(t, plan.AddDays(due, -3).Add(time.Hour))
	if got := f.mails(t); count(got, subject("reminder_before")) != 1 || count(got, subject("reminder_overdue")) != 0 {
		t.Fatalf("before due: %v", got)
	}
	f.advanceTo(t, plan.AddDays(due, 7).Add(time.Hour))
	p := f.plan(t, id)
	if p.Installments[0].LateFee != 10000 || p.Outstanding != 30000 || f.receivable(t, id) != 30000 {
		t.Fatalf("after first overdue reminder: %+v", p.Installments)
	}
	var body string
	for _, m := range f.messages(t) {
		if m.Subject == subject("reminder_overdue") {
			body = m.Body
			break
		}
	}
	// In the order's language (da-DK), with Danish amounts and the fee named.
	if !strings.Contains(body, "rykkergebyr på 100,00\u00a0kr.") {
		t.Fatalf("overdue mail body %q", body)
	}
	if !strings.Contains(body, "300,00") {
		t.Fatalf("overdue mail body %q lacks the amount owed", body)
	}
	f.advanceTo(t, plan.AddDays(due, 40))
	p = f.plan(t, id)
	if p.Installments[0].LateFee != 15000 || p.Outstanding != 35000 {
		t.Fatalf("late fees above the cap: %+v", p.Installments)
	}
	if got := f.mails(t); count(got, subject("reminder_overdue")) != 3 {
		t.Fatalf("overdue reminders: %v", got)
	}
	f.verify(t)
	f.pay(t, id, repayment.PayAll)
	if p := f.plan(t, id); p.Status != repayment.StatusClosed || p.Paid != 35000 {
		t.Fatalf("after paying late: %+v", p)
	}
}

func TestRefundInTheMiddleOfPayIn3(t *testing.T) {
	f := newFixture(t, repayment.DefaultConfig())
	id := f.order(t, repayment.CategoryPayIn3, 10000, 0, "")
	f.capture(t, id, 10000, 0)
	p := f.plan(t, id)
	var amounts []int64
	for _, in := range p.Installments {
		amounts = append(amounts, in.Amount)
	}
	if len(amounts) != 3 || amounts[0] != 3334 || amounts[1] != 3333 || amounts[2] != 3333 {
		t.Fatalf("instalments %v", amounts)
	}
	if !p.Installments[1].Due.Equal(plan.AddDays(p.Installments[0].Due, 30)) {
		t.Fatalf("due dates %+v", p.Installments)
	}
	f.pay(t, id, repayment.PayNext)
	if p := f.plan(t, id); p.Installments[0].Paid != 3334 || p.Outstanding != 6666 {
		t.Fatalf("after first instalment: %+v", p)
	}

	// A refund of 5000 in the middle: the last instalments shrink first.
	f.refund(t, id, 5000)
	p = f.plan(t, id)
	if p.Installments[0].Amount != 3334 || p.Installments[1].Amount != 1666 || p.Installments[2].Amount != 0 || p.Outstanding != 1666 {
		t.Fatalf("after refund: %+v", p.Installments)
	}
	if f.receivable(t, id) != 1666 {
		t.Fatalf("receivable %d", f.receivable(t, id))
	}

	// Refunding the rest leaves nothing owed and pays the first instalment back.
	f.refund(t, id, 5000)
	f.runJobs(t)
	f.clk.Advance(time.Minute)
	f.runJobs(t)
	p = f.plan(t, id)
	if p.Outstanding != 0 || p.Credit != 0 || p.Status != repayment.StatusClosed {
		t.Fatalf("after full refund: %+v", p)
	}
	var payout *repayment.Receipt
	for i, r := range p.Receipts {
		if r.Kind == repayment.KindPayout {
			payout = &p.Receipts[i]
		}
	}
	if payout == nil || payout.Amount != 3334 || payout.Status != repayment.PaymentSettled {
		t.Fatalf("payout %+v", p.Receipts)
	}
	if f.receivable(t, id) != 0 {
		t.Fatalf("receivable %d", f.receivable(t, id))
	}
}

func TestPayNowChargesAtPurchaseAndReturnsWhatIsNotCaptured(t *testing.T) {
	f := newFixture(t, repayment.DefaultConfig())
	id := f.order(t, repayment.CategoryPayNow, 10000, 0, "sim:ok")
	f.runJobs(t)
	f.clk.Advance(time.Minute)
	f.runJobs(t)
	p := f.plan(t, id)
	if p.Credit != 10000 || f.receivable(t, id) != -10000 || len(p.Installments) != 0 {
		t.Fatalf("after purchase: %+v receivable %d", p, f.receivable(t, id))
	}
	f.capture(t, id, 6000, 0)
	p = f.plan(t, id)
	if p.Credit != 4000 || p.Outstanding != 0 || p.Installments[0].Paid != 6000 {
		t.Fatalf("after capture: %+v", p)
	}
	err := f.db.Write(f.ctx, func(tx *store.Tx) error { return f.svc.ReleaseRemaining(tx, f.m.ID, id) })
	if err != nil {
		t.Fatal(err)
	}
	f.runJobs(t)
	f.clk.Advance(time.Minute)
	f.runJobs(t)
	p = f.plan(t, id)
	if p.Credit != 0 || p.Status != repayment.StatusClosed || f.receivable(t, id) != 0 {
		t.Fatalf("after release: %+v", p)
	}
}

func TestPayNowFailedChargeIsRemindedAndCanBePaidAgain(t *testing.T) {
	f := newFixture(t, repayment.DefaultConfig())
	id := f.order(t, repayment.CategoryPayNow, 10000, 0, "sim:fail:insufficient_funds")
	f.runJobs(t)
	f.clk.Advance(time.Minute)
	f.runJobs(t)
	if got := f.mails(t); count(got, subject("payment_failed")) != 1 {
		t.Fatalf("mails %v", got)
	}
	f.capture(t, id, 10000, 0)
	f.advanceTo(t, plan.AddDays(f.clk.Now(), 8))
	p := f.plan(t, id)
	if p.Outstanding != 20000 || p.Installments[0].LateFee != 10000 {
		t.Fatalf("overdue pay-now: %+v", p)
	}
	if _, err := f.plans.Pay(f.ctx, f.person(t, email), id, repayment.PayAll, "sim:ok"); err != nil {
		t.Fatal(err)
	}
	f.runJobs(t)
	f.clk.Advance(time.Minute)
	f.runJobs(t)
	if p := f.plan(t, id); p.Status != repayment.StatusClosed {
		t.Fatalf("after paying again: %+v", p)
	}
}

func TestFinancingScheduleStatementsAndClosing(t *testing.T) {
	f := newFixture(t, repayment.DefaultConfig())
	id := f.order(t, repayment.CategoryFinancing, 1200000, 12, "")
	f.capture(t, id, 1200000, 0)
	start := day(f.clk.Now())
	offer, err := plan.Offer(1200000, plan.Terms{Months: 12, NominalRateBP: 1995})
	if err != nil {
		t.Fatal(err)
	}
	p := f.plan(t, id)
	if len(p.Installments) != 12 || p.Total != offer.TotalPayable || f.receivable(t, id) != offer.TotalPayable {
		t.Fatalf("plan total %d, offer %+v, receivable %d", p.Total, offer, f.receivable(t, id))
	}
	if !p.Installments[0].Due.Equal(plan.AddMonths(start, 1)) {
		t.Fatalf("first due %v", p.Installments[0].Due)
	}
	// Pay the first instalment, then let the month end: one statement.
	f.advanceTo(t, plan.AddMonths(start, 1).Add(-time.Hour*30))
	f.pay(t, id, repayment.PayNext)
	f.advanceTo(t, plan.AddMonths(start, 1).Add(time.Hour))
	st, err := f.plans.Statements(f.ctx, id)
	if err != nil || len(st) != 1 {
		t.Fatalf("statements %+v %v", st, err)
	}
	first := p.Installments[0].Amount
	// The goods shipped on the day of capture, so the first period carries
	// the whole credit as its charge.
	if st[0].OpeningBalance != 0 || st[0].Charges != offer.TotalPayable || st[0].Payments != first || st[0].ClosingBalance != offer.TotalPayable-first || st[0].Final {
		t.Fatalf("first statement %+v", st[0])
	}
	if st[0].NextDueDate == nil || !st[0].NextDueDate.Equal(plan.AddMonths(start, 2)) {
		t.Fatalf("next due %v", st[0].NextDueDate)
	}
	// Pay everything: the next statement is the final one and closes the credit.
	f.pay(t, id, repayment.PayAll)
	if p := f.plan(t, id); p.Status != repayment.StatusClosed {
		t.Fatalf("plan %+v", p)
	}
	f.advanceTo(t, plan.AddMonths(start, 4))
	st, _ = f.plans.Statements(f.ctx, id)
	if len(st) != 2 || !st[1].Final || st[1].ClosingBalance != 0 || st[1].OpeningBalance != offer.TotalPayable-first {
		t.Fatalf("statements %+v", st)
	}
}

func TestFinancingFullRefundWaivesInterest(t *testing.T) {
	f := newFixture(t, repayment.DefaultConfig())
	id := f.order(t, repayment.CategoryFinancing, 600000, 6, "")
	f.capture(t, id, 600000, 0)
	f.refund(t, id, 600000)
	p := f.plan(t, id)
	if p.Total != 0 || p.Status != repayment.StatusClosed || f.receivable(t, id) != 0 {
		t.Fatalf("after full refund: %+v receivable %d", p, f.receivable(t, id))
	}
}

func TestFinancingTakesOneCapture(t *testing.T) {
	f := newFixture(t, repayment.DefaultConfig())
	id := f.order(t, repayment.CategoryFinancing, 600000, 6, "")
	f.capture(t, id, 300000, 0)
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		_, err := f.svc.Capture(tx, f.m.ID, id, checkout.CaptureRequest{CapturedAmount: 1000})
		return err
	})
	if apperr.Code(err) != apperr.CaptureNotAllowed {
		t.Fatalf("second financing capture: %v", err)
	}
}

func TestPauseMovesDueDatesAndStopsFees(t *testing.T) {
	f := newFixture(t, repayment.DefaultConfig())
	id := f.order(t, repayment.CategoryPayLater, 20000, 0, "")
	f.capture(t, id, 20000, 0)
	due := plan.AddDays(f.clk.Now(), 30)
	f.advanceTo(t, plan.AddDays(due, -10))
	if err := f.db.Write(f.ctx, func(tx *store.Tx) error { return f.plans.Pause(tx, id, "dispute:test", 30) }); err != nil {
		t.Fatal(err)
	}
	p := f.plan(t, id)
	if !p.Installments[0].Due.Equal(plan.AddDays(due, 30)) || p.PausedUntil == nil {
		t.Fatalf("paused plan %+v", p)
	}
	f.advanceTo(t, plan.AddDays(due, 20))
	if got := f.mails(t); count(got, subject("reminder_overdue")) != 0 || f.plan(t, id).Installments[0].LateFee != 0 {
		t.Fatalf("fees while paused: %v", got)
	}
	f.advanceTo(t, plan.AddDays(due, 38))
	if p := f.plan(t, id); p.Installments[0].LateFee != 10000 {
		t.Fatalf("after the pause: %+v", p.Installments)
	}
}

func TestConsumerSeesOnlyTheirOwnPlans(t *testing.T) {
	f := newFixture(t, repayment.DefaultConfig())
	id := f.order(t, repayment.CategoryPayLater, 20000, 0, "")
	other := f.person(t, "someone@example.com")
	if _, err := f.plans.PersonPlan(f.ctx, other, id); apperr.Code(err) != apperr.NoSuchOrder {
		t.Fatalf("other consumer: %v", err)
	}
	if _, err := f.plans.Pay(f.ctx, other, id, repayment.PayAll, ""); apperr.Code(err) != apperr.NoSuchOrder {
		t.Fatalf("other consumer pays: %v", err)
	}
	list, err := f.plans.ForPerson(f.ctx, f.person(t, " ANNA@example.com "))
	if err != nil || len(list) != 1 || list[0].OrderID != id || list[0].MerchantName != "Nordic Rain" {
		t.Fatalf("list %+v %v", list, err)
	}
}

func TestPayRefusals(t *testing.T) {
	f := newFixture(t, repayment.DefaultConfig())
	id := f.order(t, repayment.CategoryPayLater, 20000, 0, "")
	key := f.person(t, email)
	if _, err := f.plans.Pay(f.ctx, key, id, repayment.PayAll, ""); apperr.Code(err) != apperr.NotAllowed {
		t.Fatalf("nothing captured yet: %v", err)
	}
	if _, err := f.plans.Pay(f.ctx, key, id, "half", ""); apperr.Code(err) != apperr.BadValue {
		t.Fatalf("bad what: %v", err)
	}
	f.capture(t, id, 20000, 0)
	if _, err := f.plans.Pay(f.ctx, key, id, repayment.PayAll, "sim:slow"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.plans.Pay(f.ctx, key, id, repayment.PayAll, ""); apperr.Code(err) != apperr.NotAllowed {
		t.Fatalf("second payment while one is on its way: %v", err)
	}
}

func TestFailedPayoutIsRetried(t *testing.T) {
	f := newFixture(t, repayment.DefaultConfig())
	id := f.order(t, repayment.CategoryPayLater, 20000, 0, "")
	f.capture(t, id, 20000, 0)
	f.pay(t, id, repayment.PayAll)
	// The consumer's account closes before the refund is paid back.
	if err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		return tx.ExecOne(`UPDATE payment_plans SET instrument = $1 WHERE order_id = $2`, "sim:fail:account_closed", id)
	}); err != nil {
		t.Fatal(err)
	}
	f.refund(t, id, 20000)
	f.runJobs(t)
	f.clk.Advance(time.Minute)
	f.runJobs(t)
	p := f.plan(t, id)
	if p.Credit != 20000 || p.Status != repayment.StatusOpen || f.receivable(t, id) != -20000 {
		t.Fatalf("after failed payout: %+v", p)
	}
	f.verify(t)
	if err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		return tx.ExecOne(`UPDATE payment_plans SET instrument = $1 WHERE order_id = $2`, "sim:ok", id)
	}); err != nil {
		t.Fatal(err)
	}
	f.advanceTo(t, f.clk.Now().Add(25*time.Hour))
	f.clk.Advance(time.Minute)
	f.runJobs(t)
	p = f.plan(t, id)
	if p.Credit != 0 || p.Status != repayment.StatusClosed || f.receivable(t, id) != 0 {
		t.Fatalf("after retry: %+v", p)
	}
	payouts := 0
	for _, r := range p.Receipts {
		if r.Kind == repayment.KindPayout {
			payouts++
			if r.Status == repayment.PaymentFailed && !strings.Contains(r.Purpose, "overpayment") {
				t.Fatalf("receipt %+v", r)
			}
		}
	}
	if payouts != 2 {
		t.Fatalf("receipts %+v", p.Receipts)
	}
}

// newRail is the rail service on the simulated adapter.
func newRail(db *store.DB, logger *slog.Logger) *rail.Service {
	return rail.New(db, rail.NewSimulated(), rail.Config{}, logger)
}

// connectRail settles transfers into the plans and runs the rail's jobs.
func connectRail(r *rail.Service, plans *repayment.Service, runner *jobs.Runner) {
	r.OnConfirmed = plans.TransferConfirmed
	r.OnFailed = plans.TransferFailed
	r.Register(runner)
}

func TestVerifyCatchesAPlanOutOfStepWithTheLedger(t *testing.T) {
	for _, c := range []struct{ name, query, label string }{
		{"instalment marked paid without money", `UPDATE plan_installments SET paid = amount WHERE order_id = $1`, "payment plan differs from the order's receivable"},
		{"credit appears from nowhere", `UPDATE payment_plans SET credit = credit + 1 WHERE order_id = $1`, "payment plan differs from the order's receivable"},
		{"principal changed", `UPDATE plan_installments SET principal = principal + 1, amount = amount + 1 WHERE order_id = $1 AND number = 1`, "payment plan principal differs"},
		{"amount not the sum of its parts", `UPDATE plan_installments SET fee = fee + 1 WHERE order_id = $1 AND number = 2`, "instalment amounts out of range"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixtureNoVerify(t)
			id := f.order(t, repayment.CategoryPayIn3, 9000, 0, "")
			f.capture(t, id, 9000, 0)
			if err := f.db.Write(f.ctx, func(tx *store.Tx) error { _, err := tx.Exec(c.query, id); return err }); err != nil {
				t.Fatal(err)
			}
			r, err := ledger.Verify(f.ctx, f.db)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range r.Problems {
				found = found || strings.HasPrefix(p, c.label)
			}
			if !found {
				t.Fatalf("problems %v, want %q", r.Problems, c.label)
			}
		})
	}
}
