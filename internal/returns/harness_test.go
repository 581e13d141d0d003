package returns_test

import (
	"context"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/returns"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

const (
	password   = "Lantern-harbour-violet-1987"
	ownerEmail = "owner@nordicrain.example"
	annaEmail  = "anna@example.dk"
)

// env is the whole platform on the test's database engine with a manual
// clock and one merchant (with an owner and a notification URL).
type env struct {
	t    *testing.T
	ctx  context.Context
	app  *app.App
	clk  *clock.Manual
	shop merchant.Merchant
	svc  *returns.Service
}

// newEnv starts Tillit; when the test ends it checks that the ledger
// balances and the audit chain is intact.
func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(storetest.Start)
	a, err := app.New(ctx, app.Config{DatabaseURL: storetest.DSN(t), Clock: clk, BaseURL: "https://tillit.example",
		Logger: logscan.Logger()})
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
		a.Close()
	})
	creds, err := merchant.Create(ctx, a.DB, merchant.NewMerchant{Name: "Nordic Rain", TestMode: true, SettlementCurrency: "DKK",
		NotificationURL: "http://127.0.0.1:9/notify"})
	if err != nil {
		t.Fatal(err)
	}
	shop, err := merchant.Get(ctx, a.DB, creds.MerchantID)
	if err != nil {
		t.Fatal(err)
	}
	logscan.Secret(logscan.Password, password)
	if _, err := a.Accounts.CreateMerchantUser(ctx, "cli", account.NewMerchantUser{MerchantID: shop.ID, Email: ownerEmail, Name: "Olga Owner",
		Role: account.MerchantOwner, Password: password}); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, app: a, clk: clk, shop: shop, svc: a.Returns}
}

// placed places a pay-later order (two jackets of 200.00 DKK and a cap of
// 50.00 DKK) for the buyer with the e-mail address, captures nothing.
func (e *env) placed(email string) string {
	e.t.Helper()
	data := checkout.OrderData{
		PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "da-DK", OrderAmount: 45_000, OrderTaxAmount: 9_000,
		OrderLines: []checkout.OrderLine{
			{Type: "physical", Reference: "JACKET", Name: "Rain jacket", Quantity: 2, UnitPrice: 20_000, TaxRate: 2500, TotalAmount: 40_000, TotalTaxAmount: 8_000},
			{Type: "physical", Reference: "CAP", Name: "Rain cap", Quantity: 1, UnitPrice: 5_000, TaxRate: 2500, TotalAmount: 5_000, TotalTaxAmount: 1_000},
		},
	}
	sess, err := e.app.Checkout.CreateSession(e.ctx, e.shop, data, "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	auth, err := e.app.Checkout.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later",
		Customer:              checkout.Customer{DateOfBirth: "1990-05-17"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: email, Phone: "+4520123456",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		OTP: checkout.TestOTP,
	})
	if err != nil || !auth.Approved {
		e.t.Fatalf("authorize: %+v %v", auth, err)
	}
	created, err := e.app.Checkout.CreateOrder(e.ctx, e.shop, auth.AuthorizationToken, data)
	if err != nil {
		e.t.Fatal(err)
	}
	return created.OrderID
}

// shipped places an order as placed does and captures it in full.
func (e *env) shipped(email string) string {
	e.t.Helper()
	id := e.placed(email)
	e.write(func(tx *store.Tx) error {
		_, err := e.app.Checkout.Capture(tx, e.shop.ID, id, checkout.CaptureRequest{CapturedAmount: 45_000})
		return err
	})
	return id
}

// person returns the person an order belongs to.
func (e *env) person(orderID string) string {
	e.t.Helper()
	var p string
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT person_id FROM orders WHERE id = $1`, orderID).Scan(&p)
	})
	return p
}

// register registers a return of one jacket as the order's consumer.
func (e *env) register(orderID string) returns.Return {
	e.t.Helper()
	var r returns.Return
	e.write(func(tx *store.Tx) (err error) {
		r, err = e.svc.Register(tx, e.person(orderID), "consumer:test", orderID, returns.Return{
			Lines: []returns.Line{{Index: 0, Quantity: 1}}, Carrier: "PostNord", TrackingNumber: "RR123456785DK"})
		return err
	})
	return r
}

// refund refunds amount of the order as the merchant, through checkout
// (which calls the returns' OnRefund hook), and returns the refund's id.
func (e *env) refund(orderID string, amount int64) string {
	e.t.Helper()
	var id string
	e.write(func(tx *store.Tx) error {
		rf, err := e.app.Checkout.Refund(tx, e.shop.ID, orderID, checkout.RefundRequest{RefundedAmount: amount})
		id = rf.RefundID
		return err
	})
	return id
}

// latest returns the order's newest return as its consumer reads it.
func (e *env) latest(orderID string) returns.Return {
	e.t.Helper()
	rs, err := e.svc.ForOrder(e.ctx, e.person(orderID), orderID)
	if err != nil || len(rs) == 0 {
		e.t.Fatalf("returns of %s: %v %v", orderID, rs, err)
	}
	return rs[0]
}

func (e *env) write(f func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.app.DB.Write(e.ctx, f); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) read(f func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.app.DB.Read(e.ctx, f); err != nil {
		e.t.Fatal(err)
	}
}

// try runs f in a write transaction and returns its error.
func (e *env) try(f func(tx *store.Tx) error) error { return e.app.DB.Write(e.ctx, f) }

// runJobs runs every job due now until none is left; webhook deliveries
// to the unreachable URL just fail and are retried later.
func (e *env) runJobs() {
	e.t.Helper()
	for range 100 {
		n, err := e.app.Runner.RunDue(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	e.t.Fatal("jobs keep coming")
}

// advanceDays moves the clock day by day, running the due jobs each day.
func (e *env) advanceDays(days int) {
	e.t.Helper()
	for range days {
		e.clk.Advance(24 * time.Hour)
		e.runJobs()
	}
}

// auditBy counts the audit entries about subject with the action by actor.
func (e *env) auditBy(subject, action, actor string) int {
	e.t.Helper()
	all, err := audit.ForSubject(e.ctx, e.app.DB, subject)
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, en := range all {
		if en.Action == action && en.Actor == actor {
			n++
		}
	}
	return n
}

// count returns the result of a COUNT query.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	e.read(func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) })
	return n
}

// mails returns the subjects of the e-mails queued to the address.
func (e *env) mails(email string) []string {
	e.t.Helper()
	msgs, err := e.app.Accounts.DemoMailbox(e.ctx, email, 200)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, m.Subject)
	}
	return out
}

// reminders counts the payment reminders e-mailed to the address.
func (e *env) reminders(email string) int {
	n := 0
	for _, s := range e.mails(email) {
		if s == i18n.T(i18n.Danish, "mail.reminder_before.subject") || s == i18n.T(i18n.Danish, "mail.reminder_overdue.subject") {
			n++
		}
	}
	return n
}

// plan returns the order's payment plan.
func (e *env) plan(orderID string) repayment.Plan {
	e.t.Helper()
	p, err := e.app.Plans.Get(e.ctx, orderID)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}
