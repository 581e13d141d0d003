package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

func TestHealthReadinessAndMetrics(t *testing.T) {
	e := newEnv(t)
	e.do(request{method: "GET", path: "/healthz", noAuth: true}).expect(t, 200)
	e.do(request{method: "GET", path: "/readyz", noAuth: true}).expect(t, 200)
	e.placeOrder("anna@example.dk")
	m := e.do(request{method: "GET", path: "/metrics", noAuth: true}).expect(t, 200)
	text := string(m.Body)
	for _, want := range []string{
		`tillit_http_requests_total{route="POST /payments/v1/sessions",status="200"} 1`,
		`tillit_http_request_duration_seconds_count{route="POST /checkout/v1/sessions/{session_id}/authorize"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q:\n%s", want, text)
		}
	}
	doc := e.do(request{method: "GET", path: "/openapi.json", noAuth: true}).expect(t, 200)
	if !bytes.Contains(doc.Body, []byte(`"openapi"`)) {
		t.Fatal("openapi document missing")
	}
	badge := e.do(request{method: "GET", path: "/assets/payment-methods/pay_later.svg", noAuth: true}).expect(t, 200)
	if badge.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatal("badge is not SVG")
	}
	e.do(request{method: "GET", path: "/assets/payment-methods/nope.svg", noAuth: true}).expect(t, 404)
}

func TestReadinessFailsWithoutDatabase(t *testing.T) {
	e := newEnv(t)
	other, err := store.Open(context.Background(), storetest.DSN(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	other.Close()
	e.app.API.DB = other
	if code := e.do(request{method: "GET", path: "/readyz", noAuth: true}).expect(t, 503).errorCode(t); code != "SERVICE_UNAVAILABLE" {
		t.Fatalf("readyz code %s", code)
	}
	e.app.API.DB = e.app.DB
}

func TestLiveMerchantNeedsTheCodeSentThroughTheOutbox(t *testing.T) {
	e := newEnv(t)
	e.merchant = e.newMerchant(merchant.NewMerchant{Name: "Live Shop", SettlementCurrency: "DKK"})
	sid, ct := e.session(sampleOrder())
	body := consumer("anna@example.dk")
	// The test code is not accepted by a live merchant.
	if code := e.do(request{method: "POST", path: "/checkout/v1/sessions/" + sid + "/authorize", bearer: ct, body: body}).expect(t, 403).errorCode(t); code != "INVALID_OTP" {
		t.Fatalf("test code on live merchant: %s", code)
	}
	e.do(request{method: "POST", path: "/checkout/v1/sessions/" + sid + "/otp", bearer: ct, body: map[string]any{"email": "anna@example.dk"}}).expect(t, 204)
	msgs, err := e.app.Accounts.DemoMailbox(context.Background(), "anna@example.dk", 0)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("mails to anna@example.dk: %+v %v", msgs, err)
	}
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(msgs[0].Body)
	logscan.Secret(logscan.OneTimeCode, code)
	if code == "" {
		t.Fatalf("outbox message: %q", msgs[0].Body)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	body["otp"] = wrong
	e.do(request{method: "POST", path: "/checkout/v1/sessions/" + sid + "/authorize", bearer: ct, body: body}).expect(t, 403)
	body["otp"] = code
	if auth := e.authorize(sid, ct, body); auth["approved"] != true {
		t.Fatalf("authorize with the sent code: %v", auth)
	}
	// The code works once.
	sid2, ct2 := e.session(sampleOrder())
	e.do(request{method: "POST", path: "/checkout/v1/sessions/" + sid2 + "/authorize", bearer: ct2, body: body}).expect(t, 403)
}

func TestOTPAttemptsAreLimited(t *testing.T) {
	e := newEnv(t)
	e.merchant = e.newMerchant(merchant.NewMerchant{Name: "Live Shop", SettlementCurrency: "DKK"})
	sid, ct := e.session(sampleOrder())
	e.do(request{method: "POST", path: "/checkout/v1/sessions/" + sid + "/otp", bearer: ct, body: map[string]any{"email": "anna@example.dk"}}).expect(t, 204)
	msgs, err := e.app.Accounts.DemoMailbox(context.Background(), "anna@example.dk", 0)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("mails to anna@example.dk: %+v %v", msgs, err)
	}
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(msgs[0].Body)
	logscan.Secret(logscan.OneTimeCode, code)
	body := consumer("anna@example.dk")
	for i := 0; i < 5; i++ {
		body["otp"] = "99999" + string(rune('0'+i))
		if body["otp"] == code {
			continue
		}
		e.do(request{method: "POST", path: "/checkout/v1/sessions/" + sid + "/authorize", bearer: ct, body: body}).expect(t, 403)
	}
	body["otp"] = code
	e.do(request{method: "POST", path: "/checkout/v1/sessions/" + sid + "/authorize", bearer: ct, body: body}).expect(t, 403)
}

// syncBuffer is a log sink that tests can read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogsCarryNoPersonalDataOrSecrets(t *testing.T) {
	logs := &syncBuffer{}
	clk := clock.NewManual(storetest.Start)
	a, err := app.New(context.Background(), app.Config{DatabaseURL: storetest.DSN(t), Clock: clk,
		Logger: slog.New(logscan.Handler(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.API.Handler())
	defer srv.Close()
	e := &env{t: t, app: a, srv: srv, clk: clk}
	e.merchant = e.newMerchant(merchant.NewMerchant{Name: "Shop", TestMode: true, SettlementCurrency: "DKK"})
	orderID := e.placeOrder("anna.secret@example.dk")
	e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + orderID + "/captures", body: map[string]any{"captured_amount": 1000}}).expect(t, 201)
	e.do(request{method: "POST", path: "/payments/v1/sessions", body: "{broken"}).expect(t, 400)
	e.do(request{method: "GET", path: "/ordermanagement/v1/orders/" + orderID, user: e.merchant.Username, pass: "wrong-password"}).expect(t, 401)
	out := logs.String()
	if !strings.Contains(out, `"correlation_id"`) {
		t.Fatalf("no request logs: %s", out)
	}
	for _, secret := range []string{"anna.secret", "Jensen", "1705901234", "1990-05-17", "Sletten", "+4520123456", "192.0.2.10",
		e.merchant.Password, "wrong-password", e.merchant.SigningSecret} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q", secret)
		}
	}
}
