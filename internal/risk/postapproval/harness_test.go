package postapproval_test

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/risk/postapproval"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

// receiver is a merchant's webhook endpoint: it keeps every body it gets.
type receiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got [][]byte
}

func newReceiver(t *testing.T) *receiver {
	rec := &receiver{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.got = append(rec.got, body)
		rec.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

// bodies returns the raw bodies received so far.
func (rec *receiver) bodies() [][]byte {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([][]byte(nil), rec.got...)
}

// env is the whole platform on the test's engine with a manual clock, a
// test-mode merchant whose notifications go to a receiver, and the
// post-approval service.
type env struct {
	t    *testing.T
	ctx  context.Context
	app  *app.App
	clk  *clock.Manual
	svc  *postapproval.Service
	shop merchant.Merchant
	rec  *receiver
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(storetest.Start)
	a, err := app.New(ctx, app.Config{DatabaseURL: storetest.DSN(t), Clock: clk, Logger: logscan.Logger()})
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
	rec := newReceiver(t)
	creds, err := merchant.Create(ctx, a.DB, merchant.NewMerchant{Name: "Nordic Rain", TestMode: true, SettlementCurrency: "DKK",
		NotificationURL: rec.srv.URL + "/notify"})
	if err != nil {
		t.Fatal(err)
	}
	shop, err := merchant.Get(ctx, a.DB, creds.MerchantID)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, app: a, clk: clk, svc: a.Reviews, shop: shop, rec: rec}
}

// buyer is who authorizes a purchase.
type buyer struct {
	email, device string
}

// order places an approved order for the buyer through checkout and
// returns its id. Buyers with different e-mail addresses have different
// phones and addresses.
func (e *env) order(b buyer, amount int64) string {
	e.t.Helper()
	n := crc32.ChecksumIEEE([]byte(b.email))
	data := checkout.OrderData{
		PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "da-DK", OrderAmount: amount, OrderTaxAmount: amount / 5,
		OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-1", Name: "Rain jacket", Quantity: 1,
			UnitPrice: amount, TaxRate: 2500, TotalAmount: amount, TotalTaxAmount: amount / 5}},
	}
	sess, err := e.app.Checkout.CreateSession(e.ctx, e.shop, data, "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	auth, err := e.app.Checkout.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later",
		Customer:              checkout.Customer{DateOfBirth: "1990-05-17"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: b.email, Phone: fmt.Sprintf("+4520%06d", n%1_000_000),
			StreetAddress: fmt.Sprintf("Sletten %d", n%1000), PostalCode: "9270", City: "Klarup", Country: "DK"},
		Device: checkout.Device{IP: "192.0.2.10", Fingerprint: b.device},
		OTP:    checkout.TestOTP,
	})
	if err != nil || !auth.Approved {
		e.t.Fatalf("authorize: %+v %v", auth, err)
	}
	created, err := e.app.Checkout.CreateOrder(e.ctx, e.shop, auth.AuthorizationToken, data)
	if err != nil {
		e.t.Fatal(err)
	}
	if created.FraudStatus != checkout.FraudAccepted {
		e.t.Fatalf("order %s is %s, want ACCEPTED", created.OrderID, created.FraudStatus)
	}
	return created.OrderID
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

// raise raises a signal and returns the orders it reviewed.
func (e *env) raise(sig postapproval.Signal) []string {
	e.t.Helper()
	var out []string
	e.write(func(tx *store.Tx) (err error) {
		out, err = e.svc.Raise(tx, sig)
		return err
	})
	return out
}

// review returns the order's review; it fails the test when there is none.
func (e *env) review(orderID string) postapproval.Review {
	e.t.Helper()
	var (
		r  postapproval.Review
		ok bool
	)
	e.read(func(tx *store.Tx) (err error) {
		r, ok, err = e.svc.ForOrder(tx, orderID)
		return err
	})
	if !ok {
		e.t.Fatalf("order %s has no review", orderID)
	}
	return r
}

// hasReview reports whether the order was ever reviewed.
func (e *env) hasReview(orderID string) bool {
	e.t.Helper()
	var ok bool
	e.read(func(tx *store.Tx) (err error) {
		_, ok, err = e.svc.ForOrder(tx, orderID)
		return err
	})
	return ok
}

// act runs an analyst's action and returns its error.
func (e *env) act(st account.Staff, r postapproval.Review, action postapproval.Action, reason string) error {
	e.t.Helper()
	return e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		_, err := e.svc.Act(tx, st, r.ID, r.Version, action, reason)
		return err
	})
}

// fraudStatus returns an order's fraud status and status.
func (e *env) fraudStatus(orderID string) (string, string) {
	e.t.Helper()
	o, err := e.app.Checkout.ReviewOrder(e.ctx, orderID)
	if err != nil {
		e.t.Fatal(err)
	}
	return o.FraudStatus, o.Status
}

// runJobs runs every job due (webhook deliveries among them).
func (e *env) runJobs() {
	e.t.Helper()
	if _, err := e.app.Runner.RunDue(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

// events decodes the webhooks the merchant received.
func (e *env) events() []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, b := range e.rec.bodies() {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			e.t.Fatalf("webhook body %s: %v", b, err)
		}
		out = append(out, m)
	}
	return out
}

// analyst is a security analyst as the service sees them.
var analyst = account.Staff{ID: ids.New(), Role: account.RoleSecurityAnalyst}

// personOf returns an order's person.
func (e *env) personOf(orderID string) string {
	e.t.Helper()
	var id string
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT person_id FROM orders WHERE id = $1`, orderID).Scan(&id)
	})
	return id
}

// containsAny reports whether s contains any of subs.
func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
