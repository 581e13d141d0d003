package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/store/storetest"
)

// env is a running Tillit on the test's database engine, served over real
// HTTP on loopback, with a manual clock and one test-mode merchant.
type env struct {
	t        testing.TB
	app      *app.App
	srv      *httptest.Server
	clk      *clock.Manual
	merchant merchant.Credentials
}

// newEnv starts Tillit and checks, when the test ends, that the ledger
// balances.
func newEnv(t testing.TB) *env {
	t.Helper()
	clk := clock.NewManual(storetest.Start)
	a, err := app.New(context.Background(), app.Config{
		DatabaseURL: storetest.DSN(t), Clock: clk,
		Logger:              logscan.Logger(),
		CardNetworkUsername: cardNetworkUser, CardNetworkPassword: cardNetworkPass,
	})
	if err != nil {
		t.Fatal(err)
	}
	logscan.Secret(logscan.Password, cardNetworkPass)
	srv := httptest.NewServer(a.API.Handler())
	e := &env{t: t, app: a, srv: srv, clk: clk}
	t.Cleanup(func() {
		srv.Close()
		report, err := ledger.Verify(context.Background(), a.DB)
		if err != nil {
			t.Errorf("ledger verify: %v", err)
		} else if !report.OK() {
			t.Errorf("ledger does not balance: %v", report.Problems)
		}
		a.Close()
	})
	e.merchant = e.newMerchant(merchant.NewMerchant{Name: "Test Shop", TestMode: true, SettlementCurrency: "DKK"})
	return e
}

func (e *env) newMerchant(m merchant.NewMerchant) merchant.Credentials {
	e.t.Helper()
	creds, err := merchant.Create(context.Background(), e.app.DB, m)
	if err != nil {
		e.t.Fatal(err)
	}
	logscan.Secret(logscan.Password, creds.Password)
	return creds
}

// resp is a response with its body read.
type resp struct {
	*http.Response
	Body []byte
}

// json decodes the body into v.
func (r resp) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// errorCode returns the error_code of a public error body.
func (r resp) errorCode(t testing.TB) string {
	t.Helper()
	var body struct {
		ErrorCode     string   `json:"error_code"`
		ErrorMessages []string `json:"error_messages"`
		CorrelationID string   `json:"correlation_id"`
	}
	r.json(t, &body)
	if len(body.ErrorMessages) == 0 || body.CorrelationID == "" || body.CorrelationID != r.Header.Get("Correlation-Id") {
		t.Fatalf("error body not in the public shape: %s", r.Body)
	}
	return body.ErrorCode
}

// request is one HTTP call's options.
// The card network's credential in tests.
const (
	cardNetworkUser = "card-network"
	cardNetworkPass = "Network-secret-in-tests-7"
)

type request struct {
	method, path string
	body         any // encoded as JSON unless []byte or string
	user, pass   string
	bearer       string
	headers      map[string]string
	noAuth       bool
}

// do sends a request, as the env's merchant unless told otherwise.
func (e *env) do(req request) resp {
	e.t.Helper()
	var body io.Reader
	switch b := req.body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	r, err := http.NewRequest(req.method, e.srv.URL+req.path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	switch {
	case req.bearer != "":
		r.Header.Set("Authorization", "Bearer "+req.bearer)
	case req.user != "":
		r.SetBasicAuth(req.user, req.pass)
	case !req.noAuth:
		r.SetBasicAuth(e.merchant.Username, e.merchant.Password)
	}
	for k, v := range req.headers {
		r.Header.Set(k, v)
	}
	res, err := e.srv.Client().Do(r)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if res.Header.Get("Correlation-Id") == "" || res.Header.Get("Klarna-Correlation-Id") != res.Header.Get("Correlation-Id") {
		e.t.Fatalf("%s %s: missing correlation id headers", req.method, req.path)
	}
	return resp{Response: res, Body: raw}
}

// expect fails the test unless the response has the wanted status.
func (r resp) expect(t testing.TB, status int) resp {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, status, r.Body)
	}
	return r
}

// sampleOrder is a valid two-line Danish purchase of 1,250.00 DKK with 25% VAT.
func sampleOrder() map[string]any {
	return map[string]any{
		"purchase_country":  "DK",
		"purchase_currency": "DKK",
		"locale":            "da-DK",
		"order_amount":      125000,
		"order_tax_amount":  25000,
		"order_lines": []map[string]any{
			{"type": "physical", "reference": "SKU-1", "name": "Rain jacket", "quantity": 2, "unit_price": 50000,
				"tax_rate": 2500, "total_amount": 100000, "total_discount_amount": 0, "total_tax_amount": 20000},
			{"type": "physical", "reference": "SKU-2", "name": "Boots", "quantity": 1, "unit_price": 30000,
				"tax_rate": 2500, "total_amount": 25000, "total_discount_amount": 5000, "total_tax_amount": 5000},
		},
		"merchant_urls":       map[string]any{"confirmation": "https://shop.example/thanks/{order.id}"},
		"merchant_reference1": "ORDER-1001",
	}
}

// consumer is a valid authorization request for an adult Danish consumer.
func consumer(email string) map[string]any {
	return map[string]any{
		"payment_method_category": "pay_later",
		"customer":                map[string]any{"date_of_birth": "1990-05-17", "national_identification_number": "1705901234"},
		"billing_address": map[string]any{"given_name": "Anna", "family_name": "Jensen", "email": email,
			"phone": "+4520123456", "street_address": "Sletten 1", "postal_code": "9270", "city": "Klarup", "country": "DK"},
		"device": map[string]any{"ip": "192.0.2.10", "fingerprint": "abc123"},
		"otp":    "123456",
	}
}

// session creates a payment session and returns its id and client token.
func (e *env) session(order map[string]any) (string, string) {
	e.t.Helper()
	var s struct {
		SessionID   string `json:"session_id"`
		ClientToken string `json:"client_token"`
	}
	e.do(request{method: "POST", path: "/payments/v1/sessions", body: order}).expect(e.t, 200).json(e.t, &s)
	return s.SessionID, s.ClientToken
}

// authorize authorizes a session as the consumer and returns the answer.
func (e *env) authorize(sessionID, clientToken string, body map[string]any) map[string]any {
	e.t.Helper()
	var out map[string]any
	e.do(request{method: "POST", path: "/checkout/v1/sessions/" + sessionID + "/authorize", bearer: clientToken, body: body}).expect(e.t, 200).json(e.t, &out)
	return out
}

// placeOrder runs session, authorization and order placement and returns the
// order id.
func (e *env) placeOrder(email string) string {
	e.t.Helper()
	sid, ct := e.session(sampleOrder())
	auth := e.authorize(sid, ct, consumer(email))
	token, _ := auth["authorization_token"].(string)
	if token == "" {
		e.t.Fatalf("authorization not approved: %v", auth)
	}
	var out struct {
		OrderID string `json:"order_id"`
	}
	e.do(request{method: "POST", path: "/payments/v1/authorizations/" + token + "/order", body: sampleOrder()}).expect(e.t, 200).json(e.t, &out)
	return out.OrderID
}

// order reads an order.
func (e *env) order(id string) map[string]any {
	e.t.Helper()
	var o map[string]any
	e.do(request{method: "GET", path: "/ordermanagement/v1/orders/" + id}).expect(e.t, 200).json(e.t, &o)
	return o
}

// runJobs runs every job due at the clock's time.
func (e *env) runJobs() int {
	e.t.Helper()
	n, err := e.app.Runner.RunDue(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}
