package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/notify"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

var ctx = context.Background()

const secret = "whsec_test_secret"

// received is one request the test receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver is a real HTTP server answering with scripted status codes.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []received
	status func(n int) int // status for the n-th request (1-based)
}

func newReceiver(t *testing.T, status func(n int) int) *receiver {
	rc := &receiver{status: status}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{header: r.Header.Clone(), body: body})
		n := len(rc.got)
		rc.mu.Unlock()
		code := rc.status(n)
		if code >= 300 && code < 400 {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, strings.Repeat("upstream exploded ", 50))
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

type env struct {
	db     *store.DB
	clk    *clock.Manual
	runner *jobs.Runner
}

func setup(t *testing.T) env {
	t.Helper()
	db, clk := storetest.Open(t)
	logger := logscan.Logger()
	runner := jobs.NewRunner(db, logger)
	notify.NewDeliverer(db, nil, logger).Register(runner)
	return env{db: db, clk: clk, runner: runner}
}

func (e env) merchant(t *testing.T, url string) string {
	t.Helper()
	id := ids.New()
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO merchants (id, name, test_mode, notification_url, signing_secret, settlement_currency, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, "Test shop", true, url, secret, "NOK", store.Micros(tx.Now))
		return err
	})
	if err != nil {
		t.Fatalf("insert merchant: %v", err)
	}
	return id
}

func (e env) enqueueFraud(t *testing.T, merchantID, orderID string) notify.Event {
	t.Helper()
	var ev notify.Event
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		body := notify.FraudEventBody(orderID, "FRAUD_RISK_ACCEPTED", "", tx.Now)
		var err error
		ev, err = notify.Enqueue(tx, merchantID, orderID, "FRAUD_RISK_ACCEPTED", "", body)
		return err
	})
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return ev
}

func (e env) runDue(t *testing.T) int {
	t.Helper()
	n, err := e.runner.RunDue(ctx)
	if err != nil {
		t.Fatalf("RunDue: %v", err)
	}
	return n
}

func (e env) delivery(t *testing.T, merchantID, eventID string) notify.Delivery {
	t.Helper()
	ds, err := notify.Deliveries(ctx, e.db, merchantID, "", 100)
	if err != nil {
		t.Fatalf("Deliveries: %v", err)
	}
	for _, d := range ds {
		if d.Event.ID == eventID {
			return d
		}
	}
	t.Fatalf("event %s not in delivery log", eventID)
	return notify.Delivery{}
}

func TestDeliveredWithValidSignature(t *testing.T) {
	e := setup(t)
	rc := newReceiver(t, func(int) int { return http.StatusNoContent })
	m := e.merchant(t, rc.srv.URL+"/hooks")
	orderID := ids.New()
	ev := e.enqueueFraud(t, m, orderID)

	if n := e.runDue(t); n != 1 {
		t.Fatalf("ran %d jobs", n)
	}
	reqs := rc.requests()
	if len(reqs) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if err := notify.Verify(secret, r.header.Get("Tillit-Signature"), r.body, e.clk.Now(), 5*time.Minute); err != nil {
		t.Fatalf("signature does not verify: %v (header %q)", err, r.header.Get("Tillit-Signature"))
	}
	for h, want := range map[string]string{
		"Content-Type":      "application/json",
		"User-Agent":        "Tillit-Webhooks/1",
		"Tillit-Event-Id":   ev.ID,
		"Tillit-Event-Type": "FRAUD_RISK_ACCEPTED",
	} {
		if got := r.header.Get(h); got != want {
			t.Errorf("header %s = %q, want %q", h, got, want)
		}
	}
	var body map[string]string
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("body: %v", err)
	}
	want := map[string]string{
		"order_id":    orderID,
		"event_type":  "FRAUD_RISK_ACCEPTED",
		"event_id":    ev.ID,
		"occurred_at": storetest.Start.Format("2006-01-02T15:04:05.000Z"),
	}
	if len(body) != len(want) {
		t.Errorf("body = %v, want %v", body, want)
	}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("body[%s] = %q, want %q", k, body[k], v)
		}
	}

	d := e.delivery(t, m, ev.ID)
	if d.Status != notify.StatusDelivered || !d.DeliveredAt.Equal(e.clk.Now()) || len(d.Attempts) != 1 {
		t.Fatalf("delivery = %+v", d)
	}
	if a := d.Attempts[0]; a.Number != 1 || a.StatusCode != 204 || a.Error != "" || !a.At.Equal(e.clk.Now()) {
		t.Fatalf("attempt = %+v", a)
	}
	e.clk.Advance(24 * time.Hour)
	e.runDue(t)
	if len(rc.requests()) != 1 {
		t.Fatalf("delivered event sent again")
	}
}

func TestRetriedUntilDelivered(t *testing.T) {
	e := setup(t)
	rc := newReceiver(t, func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	m := e.merchant(t, rc.srv.URL)
	ev := e.enqueueFraud(t, m, ids.New())
	start := e.clk.Now()

	if d := e.delivery(t, m, ev.ID); !d.NextAttemptAt.Equal(start) {
		t.Errorf("queued event: next attempt %v, want %v", d.NextAttemptAt, start)
	}
	e.runDue(t) // attempt 1: 500, retry in 30s
	if got := len(rc.requests()); got != 1 {
		t.Fatalf("requests = %d, want 1", got)
	}
	if d := e.delivery(t, m, ev.ID); d.Status != notify.StatusPending || !d.NextAttemptAt.Equal(start.Add(30*time.Second)) {
		t.Errorf("after a failed attempt: %s, next attempt %v, want %v", d.Status, d.NextAttemptAt, start.Add(30*time.Second))
	}
	e.runDue(t) // not due yet
	e.clk.Advance(29 * time.Second)
	e.runDue(t)
	if got := len(rc.requests()); got != 1 {
		t.Fatalf("retried before the backoff: %d requests", got)
	}
	e.clk.Advance(time.Second)
	e.runDue(t) // attempt 2: 500, retry in 1m
	e.clk.Advance(59 * time.Second)
	e.runDue(t)
	if got := len(rc.requests()); got != 2 {
		t.Fatalf("requests = %d, want 2", got)
	}
	e.clk.Advance(time.Second)
	e.runDue(t) // attempt 3: 200
	if got := len(rc.requests()); got != 3 {
		t.Fatalf("requests = %d, want 3", got)
	}

	d := e.delivery(t, m, ev.ID)
	if d.Status != notify.StatusDelivered || len(d.Attempts) != 3 || !d.NextAttemptAt.IsZero() {
		t.Fatalf("delivery = %+v", d)
	}
	wantAt := []time.Time{start, start.Add(30 * time.Second), start.Add(90 * time.Second)}
	wantCode := []int{500, 500, 200}
	for i, a := range d.Attempts {
		if a.Number != i+1 || a.StatusCode != wantCode[i] || !a.At.Equal(wantAt[i]) {
			t.Errorf("attempt %d = %+v", i+1, a)
		}
		if i < 2 && (!strings.HasPrefix(a.Error, "HTTP 500: upstream exploded") || len(a.Error) > 220) {
			t.Errorf("attempt %d error = %q (%d chars)", i+1, a.Error, len(a.Error))
		}
	}
	// Each attempt is signed afresh with its own timestamp.
	for i, r := range rc.requests() {
		if err := notify.Verify(secret, r.header.Get("Tillit-Signature"), r.body, wantAt[i], time.Second); err != nil {
			t.Errorf("request %d: %v", i+1, err)
		}
	}
}

func TestGivesUpAfter24Hours(t *testing.T) {
	e := setup(t)
	rc := newReceiver(t, func(int) int { return http.StatusServiceUnavailable })
	m := e.merchant(t, rc.srv.URL)
	ev := e.enqueueFraud(t, m, ids.New())
	start := e.clk.Now()

	for e.clk.Now().Before(start.Add(25 * time.Hour)) {
		e.runDue(t)
		e.clk.Advance(time.Minute)
	}
	d := e.delivery(t, m, ev.ID)
	if d.Status != notify.StatusFailed {
		t.Fatalf("status = %s, want failed", d.Status)
	}
	// 0, 30s, 1m30, 3m30, 7m30, 15m30, 31m30, 63m30, then hourly until the
	// last attempt at exactly 24h.
	attempts := d.Attempts
	if len(attempts) < 20 || len(attempts) != len(rc.requests()) {
		t.Fatalf("%d attempts logged, %d requests", len(attempts), len(rc.requests()))
	}
	if last := attempts[len(attempts)-1]; !last.At.Equal(start.Add(24*time.Hour)) || last.StatusCode != 503 {
		t.Fatalf("last attempt = %+v, want one at 24h", last)
	}
	for i := 1; i < len(attempts); i++ {
		if gap := attempts[i].At.Sub(attempts[i-1].At); gap > time.Hour+time.Minute {
			t.Fatalf("gap %v between attempts %d and %d", gap, i, i+1)
		}
	}
	sent := len(rc.requests())
	e.clk.Advance(48 * time.Hour)
	e.runDue(t)
	if len(rc.requests()) != sent {
		t.Fatalf("attempts after giving up")
	}
	var jobsLeft int
	_ = e.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM jobs`).Scan(&jobsLeft)
	})
	if jobsLeft != 0 {
		t.Fatalf("%d jobs left after giving up", jobsLeft)
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	e := setup(t)
	rc := newReceiver(t, func(int) int { return http.StatusFound })
	m := e.merchant(t, rc.srv.URL)
	ev := e.enqueueFraud(t, m, ids.New())
	e.runDue(t)
	if got := len(rc.requests()); got != 1 {
		t.Fatalf("requests = %d, want 1 (redirect followed?)", got)
	}
	d := e.delivery(t, m, ev.ID)
	if d.Status != notify.StatusPending || d.Attempts[0].StatusCode != 302 {
		t.Fatalf("delivery = %+v", d)
	}
}

func TestUnreachableReceiverIsRecorded(t *testing.T) {
	e := setup(t)
	rc := newReceiver(t, func(int) int { return 200 })
	url := rc.srv.URL
	rc.srv.Close() // nothing listens any more
	m := e.merchant(t, url+"/hook?token=s3cret")
	ev := e.enqueueFraud(t, m, ids.New())
	e.runDue(t)
	d := e.delivery(t, m, ev.ID)
	a := d.Attempts[0]
	if d.Status != notify.StatusPending || a.StatusCode != 0 || a.Error == "" || strings.Contains(a.Error, "s3cret") {
		t.Fatalf("delivery = %+v, attempt %+v", d, a)
	}
}

func TestNoURL(t *testing.T) {
	e := setup(t)
	m := e.merchant(t, "")
	ev := e.enqueueFraud(t, m, ids.New())
	if ev.URL != "" {
		t.Fatalf("URL = %q", ev.URL)
	}
	if n := e.runDue(t); n != 0 {
		t.Fatalf("ran %d jobs for an event without URL", n)
	}
	if d := e.delivery(t, m, ev.ID); d.Status != notify.StatusNoURL || len(d.Attempts) != 0 {
		t.Fatalf("delivery = %+v", d)
	}
}

func TestExplicitURLOverridesMerchant(t *testing.T) {
	e := setup(t)
	rc := newReceiver(t, func(int) int { return 200 })
	m := e.merchant(t, "")
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		_, err := notify.Enqueue(tx, m, "", "settlement.ready", rc.srv.URL, []byte(`{"settlement_id":"s1"}`))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.runDue(t)
	if got := rc.requests(); len(got) != 1 || string(got[0].body) != `{"settlement_id":"s1"}` || got[0].header.Get("Tillit-Event-Type") != "settlement.ready" {
		t.Fatalf("requests = %+v", got)
	}
}

func TestEnqueueInRolledBackTxSendsNothing(t *testing.T) {
	e := setup(t)
	rc := newReceiver(t, func(int) int { return 200 })
	m := e.merchant(t, rc.srv.URL)
	boom := errors.New("order update failed")
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		body := notify.FraudEventBody(ids.New(), "FRAUD_RISK_REJECTED", "", tx.Now)
		if _, err := notify.Enqueue(tx, m, "", "FRAUD_RISK_REJECTED", "", body); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write = %v", err)
	}
	e.runDue(t)
	e.clk.Advance(time.Hour)
	e.runDue(t)
	if got := len(rc.requests()); got != 0 {
		t.Fatalf("receiver got %d requests", got)
	}
	if ds, err := notify.Deliveries(ctx, e.db, m, "", 10); err != nil || len(ds) != 0 {
		t.Fatalf("Deliveries = %v, %v", ds, err)
	}
}

func TestDeliveriesOrderAndFilter(t *testing.T) {
	e := setup(t)
	m := e.merchant(t, "")
	other := e.merchant(t, "")
	order1, order2 := ids.New(), ids.New()
	first := e.enqueueFraud(t, m, order1)
	e.clk.Advance(time.Second)
	second := e.enqueueFraud(t, m, order2)
	e.clk.Advance(time.Second)
	third := e.enqueueFraud(t, m, order1)
	e.enqueueFraud(t, other, order1)

	ds, err := notify.Deliveries(ctx, e.db, m, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 || ds[0].Event.ID != third.ID || ds[1].Event.ID != second.ID || ds[2].Event.ID != first.ID {
		t.Fatalf("Deliveries = %+v", ds)
	}
	ds, _ = notify.Deliveries(ctx, e.db, m, order1, 0)
	if len(ds) != 2 || ds[0].Event.ID != third.ID || ds[1].Event.ID != first.ID {
		t.Fatalf("filtered = %+v", ds)
	}
	ds, _ = notify.Deliveries(ctx, e.db, m, "", 1)
	if len(ds) != 1 || ds[0].Event.ID != third.ID {
		t.Fatalf("limited = %+v", ds)
	}
}

func TestEventIDFromBodyIsIdempotent(t *testing.T) {
	e := setup(t)
	m := e.merchant(t, "")
	eventID := ids.New()
	enqueue := func() error {
		return e.db.Write(ctx, func(tx *store.Tx) error {
			ev, err := notify.Enqueue(tx, m, "", "FRAUD_RISK_STOPPED", "", notify.FraudEventBody("o1", "FRAUD_RISK_STOPPED", eventID, tx.Now))
			if err == nil && ev.ID != eventID {
				t.Errorf("event id = %s, want %s", ev.ID, eventID)
			}
			return err
		})
	}
	if err := enqueue(); err != nil {
		t.Fatal(err)
	}
	if err := enqueue(); !store.IsUniqueViolation(err) {
		t.Fatalf("second enqueue = %v, want unique violation", err)
	}
}

func TestVerify(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	body := []byte(`{"order_id":"o1","event_type":"FRAUD_RISK_ACCEPTED"}`)
	header := notify.Sign(secret, now, body)
	if !strings.HasPrefix(header, "t=1772442000,v1=") || len(header) != len("t=1772442000,v1=")+64 {
		t.Fatalf("header = %q", header)
	}
	if err := notify.Verify(secret, header, body, now.Add(4*time.Minute), 5*time.Minute); err != nil {
		t.Fatalf("valid signature rejected: %v", err)
	}
	cases := []struct {
		name   string
		secret string
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"tampered body", secret, header, []byte(`{"order_id":"o2","event_type":"FRAUD_RISK_ACCEPTED"}`), now, notify.ErrInvalidSignature},
		{"wrong secret", "whsec_other", header, body, now, notify.ErrInvalidSignature},
		{"stale", secret, header, body, now.Add(6 * time.Minute), notify.ErrStaleSignature},
		{"from the future", secret, header, body, now.Add(-6 * time.Minute), notify.ErrStaleSignature},
		{"tampered timestamp", secret, strings.Replace(header, "t=1772442000", "t=1772442060", 1), body, now, notify.ErrInvalidSignature},
		{"empty", secret, "", body, now, notify.ErrInvalidSignature},
		{"no v1", secret, "t=1772442000", body, now, notify.ErrInvalidSignature},
		{"garbage", secret, "nonsense", body, now, notify.ErrInvalidSignature},
	}
	for _, c := range cases {
		if err := notify.Verify(c.secret, c.header, c.body, c.now, 5*time.Minute); !errors.Is(err, c.want) {
			t.Errorf("%s: Verify = %v, want %v", c.name, err, c.want)
		}
	}
	// During a secret rotation a header may carry several v1 signatures.
	rotated := header + ",v1=" + strings.TrimPrefix(notify.Sign("whsec_new", now, body), "t=1772442000,v1=")
	if err := notify.Verify("whsec_new", rotated, body, now, time.Minute); err != nil {
		t.Fatalf("rotated header: %v", err)
	}
}
