package dispute_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/settlement"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

// password is every test account's password.
const password = "Lantern-harbour-violet-1987"

// ownerEmail is the merchant owner's address.
const ownerEmail = "owner@nordicrain.example"

// env is the whole platform on the test's database engine with a manual
// clock and one merchant with an owner; the merchant has a notification
// URL, so dispute.opened webhooks are recorded for delivery.
type env struct {
	t    *testing.T
	ctx  context.Context
	app  *app.App
	clk  *clock.Manual
	shop merchant.Merchant
	svc  *dispute.Service
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
	return &env{t: t, ctx: ctx, app: a, clk: clk, shop: shop, svc: a.Disputes}
}

// buyer is who places an order.
type buyer struct {
	given, family, email, phone, street string
}

var (
	anna = buyer{"Anna", "Jensen", "anna@example.dk", "+4520123456", "Sletten 1"}
	carl = buyer{"Carl", "Nielsen", "carl.nielsen@example.dk", "+4531987654", "Vestergade 12"}
)

// order places a pay-later order for the buyer with one line of the type
// and returns its id.
func (e *env) order(b buyer, amount int64, lineType string) string {
	e.t.Helper()
	data := checkout.OrderData{
		PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "da-DK", OrderAmount: amount, OrderTaxAmount: amount / 5,
		OrderLines: []checkout.OrderLine{{Type: lineType, Reference: "SKU-1", Name: "Rain jacket", Quantity: 1,
			UnitPrice: amount, TaxRate: 2500, TotalAmount: amount, TotalTaxAmount: amount / 5}},
	}
	sess, err := e.app.Checkout.CreateSession(e.ctx, e.shop, data, "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	auth, err := e.app.Checkout.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later",
		Customer:              checkout.Customer{DateOfBirth: "1990-05-17"},
		BillingAddress: &checkout.Address{GivenName: b.given, FamilyName: b.family, Email: b.email, Phone: b.phone,
			StreetAddress: b.street, PostalCode: "9270", City: "Klarup", Country: "DK"},
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

// shipped places and captures an order in full.
func (e *env) shipped(b buyer, amount int64) string {
	e.t.Helper()
	id := e.order(b, amount, "physical")
	e.write(func(tx *store.Tx) error {
		_, err := e.app.Checkout.Capture(tx, e.shop.ID, id, checkout.CaptureRequest{CapturedAmount: amount})
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

// open opens a dispute as the order's consumer.
func (e *env) open(orderID string, reason dispute.Reason, statement string) dispute.Dispute {
	e.t.Helper()
	var d dispute.Dispute
	e.write(func(tx *store.Tx) (err error) {
		d, err = e.svc.Open(tx, e.person(orderID), "consumer:test", orderID, reason, statement)
		return err
	})
	return d
}

// get reads a dispute as its consumer.
func (e *env) get(orderID, id string) dispute.View {
	e.t.Helper()
	v, err := e.svc.ConsumerView(e.ctx, e.person(orderID), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return v
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

// staff creates a member of staff with the role.
func (e *env) staff(role account.Role) account.Staff {
	e.t.Helper()
	st, err := e.app.Accounts.CreateStaff(e.ctx, "cli", account.NewStaff{
		Email: strings.ReplaceAll(string(role), "_", ".") + "@tillit.example", Name: "Member " + strings.ReplaceAll(string(role), "_", " "),
		Role: role, Password: password,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

// count returns the result of a COUNT query.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	e.read(func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) })
	return n
}

// auditBy counts the audit entries about subject with the action by
// actor ("" for any).
func (e *env) auditBy(subject, action, actor string) int {
	e.t.Helper()
	all, err := audit.ForSubject(e.ctx, e.app.DB, subject)
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, en := range all {
		if en.Action == action && (actor == "" || en.Actor == actor) {
			n++
		}
	}
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

// reminderSubjects are the subjects of payment reminders to a Danish
// order's consumer.
var reminderSubjects = []string{i18n.T(i18n.Danish, "mail.reminder_before.subject"), i18n.T(i18n.Danish, "mail.reminder_overdue.subject")}

// reminders counts the payment reminders e-mailed to the buyer.
func (e *env) reminders(b buyer) int {
	n := 0
	for _, s := range e.mails(b.email) {
		for _, r := range reminderSubjects {
			if s == r {
				n++
			}
		}
	}
	return n
}

// plan returns the order's due dates and late fees.
func (e *env) plan(orderID string) ([]time.Time, int64, *time.Time) {
	e.t.Helper()
	p, err := e.app.Plans.Get(e.ctx, orderID)
	if err != nil {
		e.t.Fatal(err)
	}
	var (
		dues []time.Time
		fees int64
	)
	for _, in := range p.Installments {
		dues = append(dues, in.Due)
		fees += in.LateFee
	}
	return dues, fees, p.PausedUntil
}

// settle runs the merchant's settlement of the current day and returns its
// lines' amounts by kind.
func (e *env) settle() map[string]int64 {
	e.t.Helper()
	start, end := settlement.DayPeriod(e.clk.Now())
	s, err := settlement.Run(e.ctx, e.app.DB, e.shop.ID, start, end)
	if err != nil {
		e.t.Fatal(err)
	}
	_, lines, err := settlement.Get(e.ctx, e.app.DB, s.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	byKind := map[string]int64{}
	for _, l := range lines {
		byKind[l.Kind] += l.Amount
	}
	return byKind
}

// orderState returns an order's status, captured and refunded amounts.
func (e *env) orderState(orderID string) (string, int64, int64) {
	e.t.Helper()
	var (
		status             string
		captured, refunded int64
	)
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT status, captured_amount, refunded_amount FROM orders WHERE id = $1`, orderID).Scan(&status, &captured, &refunded)
	})
	return status, captured, refunded
}
