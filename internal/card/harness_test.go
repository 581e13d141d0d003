package card_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync"
	"testing"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/card"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

const (
	networkUser = "network"
	networkPass = "Card-network-secret-42"
	annaEmail   = "anna@example.dk"
)

// logBuffer collects the app's log lines from many goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// env is the whole platform on the test's engine with a manual clock, a
// card network credential, a test merchant (for checkout purchases) and
// logs captured for inspection.
type env struct {
	t    *testing.T
	ctx  context.Context
	app  *app.App
	clk  *clock.Manual
	logs *logBuffer
	shop merchant.Merchant
	srv  http.Handler
}

// newEnv starts Tillit; when the test ends it checks that the ledger
// balances and the audit chain is intact.
func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(storetest.Start)
	logs := &logBuffer{}
	a, err := app.New(ctx, app.Config{DatabaseURL: storetest.DSN(t), Clock: clk, BaseURL: "https://tillit.example",
		Logger:              slog.New(logscan.Handler(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		CardNetworkUsername: networkUser, CardNetworkPassword: networkPass})
	if err != nil {
		t.Fatal(err)
	}
	logscan.Secret(logscan.Password, networkPass)
	t.Cleanup(func() {
		if r, err := ledger.Verify(ctx, a.DB); err != nil || !r.OK() {
			t.Errorf("ledger verify: %v %v", r.Problems, err)
		}
		if r, err := audit.Verify(ctx, a.DB); err != nil || !r.OK() {
			t.Errorf("audit verify: %v %v", r.Problems, err)
		}
		a.Close()
	})
	creds, err := merchant.Create(ctx, a.DB, merchant.NewMerchant{Name: "Nordic Rain", TestMode: true, SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	shop, err := merchant.Get(ctx, a.DB, creds.MerchantID)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, app: a, clk: clk, logs: logs, shop: shop, srv: a.API.Handler()}
}

// signUp gives the address a consumer account and returns its person.
func (e *env) signUp(email string) string {
	e.t.Helper()
	if err := e.app.Accounts.RequestLoginCode(e.ctx, email, "da-DK"); err != nil {
		e.t.Fatal(err)
	}
	mail, err := e.app.Accounts.DemoMailbox(e.ctx, email, 1)
	if err != nil || len(mail) == 0 {
		e.t.Fatalf("no sign-in code: %v", err)
	}
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(mail[0].Body)
	logscan.Secret(logscan.OneTimeCode, code)
	c, err := e.app.Accounts.VerifyLoginCode(e.ctx, email, code)
	if err != nil {
		e.t.Fatal(err)
	}
	return c.PersonID
}

// fresh is a proof of a re-authentication that just happened.
func (e *env) fresh() card.Reauth { return card.Reauth{VerifiedAt: e.clk.Now()} }

// issue creates a card and reveals its details.
func (e *env) issue(personID string, n card.NewCard) (card.Card, card.Details) {
	e.t.Helper()
	if n.Kind == "" {
		n.Kind = card.KindOneTime
	}
	if n.Currency == "" {
		n.Currency = "DKK"
	}
	if n.Locale == "" {
		n.Locale = "da-DK"
	}
	if n.PaymentMethod == "" {
		n.PaymentMethod = "pay_later"
	}
	if n.Amount == 0 {
		n.Amount = 50_000
	}
	c, err := e.app.Cards.Create(e.ctx, personID, n)
	if err != nil {
		e.t.Fatal(err)
	}
	d, err := e.app.Cards.Reveal(e.ctx, personID, c.ID, e.fresh())
	if err != nil {
		e.t.Fatal(err)
	}
	logscan.Secret(logscan.CardNumber, d.Number)
	logscan.Secret(logscan.CVV, d.CVV)
	return c, d
}

var refSeq struct {
	sync.Mutex
	n int
}

// request is an authorization request for the card's details buying
// amount at Boots & Co, with a fresh network reference.
func request(d card.Details, amount int64) card.AuthorizationRequest {
	refSeq.Lock()
	refSeq.n++
	n := refSeq.n
	refSeq.Unlock()
	return card.AuthorizationRequest{Amount: amount, Currency: "DKK", MerchantName: "Boots & Co", MerchantCategoryCode: "5661",
		CardNumber: d.Number, ExpiryMonth: d.ExpiryMonth, ExpiryYear: d.ExpiryYear, CVV: d.CVV,
		NetworkReference: "net-" + strconv.Itoa(n)}
}

// post sends body to the authorization endpoint as the network and
// returns the status and decoded answer.
func (e *env) post(body any, user, pass string) (int, map[string]any) {
	e.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			e.t.Fatal(err)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "/cards/v1/authorizations", bytes.NewReader(raw))
	r.Header.Set("Content-Type", "application/json")
	if user != "" {
		r.SetBasicAuth(user, pass)
	}
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	var out map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &out)
	return w.Code, out
}

// authorize posts the request as the network and returns the answer's
// status and decline reason.
func (e *env) authorize(req card.AuthorizationRequest) (status, reason string) {
	e.t.Helper()
	code, out := e.post(req, networkUser, networkPass)
	if code != http.StatusOK {
		e.t.Fatalf("authorization answered %d: %v", code, out)
	}
	status, _ = out["status"].(string)
	reason, _ = out["decline_reason"].(string)
	return status, reason
}

func (e *env) read(f func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.app.DB.Read(e.ctx, f); err != nil {
		e.t.Fatal(err)
	}
}

// count runs a COUNT query.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	e.read(func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) })
	return n
}

// checkoutAuthorize authorizes a checkout purchase at the test merchant
// for the address.
func (e *env) checkoutAuthorize(email string) (checkout.AuthorizeResult, error) {
	e.t.Helper()
	data := checkout.OrderData{PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "da-DK", OrderAmount: 10_000, OrderTaxAmount: 2_000,
		OrderLines: []checkout.OrderLine{{Type: "physical", Name: "Umbrella", Quantity: 1, UnitPrice: 10_000, TaxRate: 2500,
			TotalAmount: 10_000, TotalTaxAmount: 2_000}}}
	sess, err := e.app.Checkout.CreateSession(e.ctx, e.shop, data, "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	return e.app.Checkout.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later", Customer: checkout.Customer{DateOfBirth: "1990-05-17"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: email, Phone: "+4520123456",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		OTP: checkout.TestOTP})
}
