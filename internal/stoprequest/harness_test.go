package stoprequest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/settlement"
	"github.com/tillit/tillit/internal/stoprequest"
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

// env is the whole platform on the test's engine with a manual clock and a
// merchant covered by the fraud policy, with an owner who gets the
// merchant's e-mail and a webhook receiver.
type env struct {
	t     *testing.T
	ctx   context.Context
	app   *app.App
	clk   *clock.Manual
	svc   *stoprequest.Service
	shop  merchant.Merchant
	creds merchant.Credentials
	rec   *receiver
	api   *httptest.Server
}

// ownerEmail is the merchant owner's address.
const ownerEmail = "owner@nordic-rain.example"

func newEnv(t *testing.T, covered bool) *env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(storetest.Start)
	a, err := app.New(ctx, app.Config{DatabaseURL: storetest.DSN(t), Clock: clk, BaseURL: "https://pay.tillit.example",
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
	rec := newReceiver(t)
	creds, err := merchant.Create(ctx, a.DB, merchant.NewMerchant{Name: "Nordic Rain", TestMode: true, SettlementCurrency: "DKK",
		NotificationURL: rec.srv.URL + "/notify", FraudPolicyCovered: covered})
	if err != nil {
		t.Fatal(err)
	}
	shop, err := merchant.Get(ctx, a.DB, creds.MerchantID)
	if err != nil {
		t.Fatal(err)
	}
	logscan.Secret(logscan.Password, "correct horse battery staple 42")
	if _, err := a.Accounts.CreateMerchantUser(ctx, "cli", account.NewMerchantUser{MerchantID: shop.ID, Email: ownerEmail, Name: "Ole Holm",
		Role: account.MerchantOwner, Password: "correct horse battery staple 42"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.API.Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, ctx: ctx, app: a, clk: clk, svc: a.StopRequests, shop: shop, creds: creds, rec: rec, api: srv}
}

// buyerEmail is the address the orders are bought with.
const buyerEmail = "anna.jensen@example.dk"

// order places an approved order of amount (VAT 25% included: tax is
// amount/5) and returns its id.
func (e *env) order(amount int64) string {
	e.t.Helper()
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
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: buyerEmail, Phone: "+4520123456",
			StreetAddress: "Sletten 4", PostalCode: "9270", City: "Klarup", Country: "DK"},
		Device: checkout.Device{IP: "192.0.2.10", Fingerprint: "device-1"},
		OTP:    checkout.TestOTP,
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

// capture captures amount of the order.
func (e *env) capture(orderID string, amount int64) {
	e.t.Helper()
	e.write(func(tx *store.Tx) error {
		_, err := e.app.Checkout.Capture(tx, e.shop.ID, orderID, checkout.CaptureRequest{CapturedAmount: amount})
		return err
	})
}

// stop stops the order as an analyst would and returns its stop request.
func (e *env) stop(orderID string) stoprequest.Request {
	e.t.Helper()
	if err := e.app.Checkout.DecideFraudStatus(e.ctx, "staff:"+ids.New(), orderID, checkout.FraudStopped, "linked to confirmed fraud"); err != nil {
		e.t.Fatal(err)
	}
	return e.request(orderID)
}

// request returns the order's stop request, failing without one.
func (e *env) request(orderID string) stoprequest.Request {
	e.t.Helper()
	r, ok, err := e.svc.GetForOrder(e.ctx, "", orderID)
	if err != nil || !ok {
		e.t.Fatalf("stop request of %s: %v %v", orderID, ok, err)
	}
	return r
}

// answer answers the request as the merchant's integration would.
func (e *env) answer(r stoprequest.Request, in stoprequest.Input) (stoprequest.Request, error) {
	return e.svc.Answer(e.ctx, e.shop.ID, r.ID, "api", in)
}

func (e *env) mustAnswer(r stoprequest.Request, in stoprequest.Input) stoprequest.Request {
	e.t.Helper()
	out, err := e.answer(r, in)
	if err != nil {
		e.t.Fatalf("answer %+v: %v", in, err)
	}
	return out
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

// runJobs runs every job due (webhook deliveries, recalls, reminders).
func (e *env) runJobs() {
	e.t.Helper()
	for range 5 {
		n, err := e.app.Runner.RunDue(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// advance moves the clock and runs what became due.
func (e *env) advance(d time.Duration) {
	e.t.Helper()
	e.clk.Advance(d)
	e.runJobs()
}

// mails returns the subjects and bodies of the e-mails to the owner, newest
// first.
func (e *env) mails() []outbox.Message {
	e.t.Helper()
	secret, err := e.app.DB.InstanceSecret(e.ctx, ids.ConsumerKeySecret)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []outbox.Message
	e.read(func(tx *store.Tx) (err error) {
		out, err = outbox.To(tx, e.app.Vault, secret, outbox.Email, ownerEmail, 100)
		return err
	})
	return out
}

// order state: status, captured, refunded.
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

// settle runs the merchant's settlement of the current day and returns its
// lines by kind (amounts summed).
func (e *env) settle() (settlement.Settlement, map[string]int64) {
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
	return s, byKind
}

// balance returns a ledger account's balance in DKK.
func (e *env) balance(account string) int64 {
	e.t.Helper()
	var b int64
	e.read(func(tx *store.Tx) (err error) {
		b, err = ledger.Balance(tx, account, "DKK")
		return err
	})
	return b
}

// s10 returns a valid UPU S10 tracking number whose serial ends in last
// (the simulated carriers answer by it: 0-6 recalled, 7-8 delivered, 9
// unknown).
func s10(serial int, last int) string {
	digits := fmt.Sprintf("%07d%d", serial%10_000_000, last)
	weights := []int{8, 6, 4, 2, 3, 5, 9, 7}
	sum := 0
	for i, w := range weights {
		sum += int(digits[i]-'0') * w
	}
	check := 11 - sum%11
	switch check {
	case 10:
		check = 0
	case 11:
		check = 5
	}
	return fmt.Sprintf("RR%s%dDK", digits, check)
}

// apiCall sends a request to the merchant API with the merchant's
// credentials and decodes the JSON answer into out (when not nil).
func (e *env) apiCall(method, path, body string, out any) int {
	e.t.Helper()
	req, err := http.NewRequest(method, e.api.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.SetBasicAuth(e.creds.Username, e.creds.Password)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode
}

// sscc returns the GS1 SSCC of 17 digits with its check digit.
func sscc(digits string) string {
	sum := 0
	for i := range len(digits) {
		w := 1
		if (len(digits)-i)%2 == 1 {
			w = 3
		}
		sum += int(digits[i]-'0') * w
	}
	return fmt.Sprintf("%s%d", digits, (10-sum%10)%10)
}

func ptr[T any](v T) *T { return &v }

// events decodes the webhooks the merchant received.
func (e *env) events() []map[string]any {
	e.t.Helper()
	e.rec.mu.Lock()
	defer e.rec.mu.Unlock()
	var out []map[string]any
	for _, b := range e.rec.got {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			e.t.Fatalf("webhook body %s: %v", b, err)
		}
		out = append(out, m)
	}
	return out
}

// newEnvMerchant returns e with a second merchant's credentials on the same
// platform.
func newEnvMerchant(t *testing.T, e *env) *env {
	t.Helper()
	creds, err := merchant.Create(e.ctx, e.app.DB, merchant.NewMerchant{Name: "Other Shop", TestMode: true, SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	other := *e
	other.creds = creds
	return &other
}
