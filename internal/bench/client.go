package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tillit/tillit/internal/ids"
)

// Step indexes into StepNames.
const (
	stepSession = iota
	stepAuthorize
	stepOrder
	stepCapture
	stepRefund
	numSteps
)

// Amounts of the benchmark's purchase, in minor units (DKK øre).
const (
	orderAmount   = 125000
	refundAmount  = 30000
	maxBodyBytes  = 1 << 20
	maxErrSamples = 10
	confirmation  = "https://shop.example/thanks/{order.id}"
)

// bodies are the request bodies every iteration sends, encoded once so that
// the clients spend as little CPU as possible (they share the machine with
// the in-process server).
type bodies struct {
	session, order, capture, refund []byte
	// authorize holds one body per consumer of the pool; iterations take
	// them in turn.
	authorize [][]byte
	next      atomic.Uint64
}

// consumers is how many different consumers the clients buy as: enough
// that no one person, device or address piles up thousands of purchases
// (which the risk assessment reads) during a run, as in real traffic.
const consumers = 5000

// authorizeBody returns the next consumer's authorize body.
func (b *bodies) authorizeBody() []byte {
	return b.authorize[b.next.Add(1)%uint64(len(b.authorize))]
}

func newBodies() (*bodies, error) {
	order := map[string]any{
		"purchase_country":  "DK",
		"purchase_currency": "DKK",
		"locale":            "da-DK",
		"order_amount":      orderAmount,
		"order_tax_amount":  25000,
		"order_lines": []map[string]any{
			{"type": "physical", "reference": "SKU-1", "name": "Rain jacket", "quantity": 2, "unit_price": 50000,
				"tax_rate": 2500, "total_amount": 100000, "total_discount_amount": 0, "total_tax_amount": 20000},
			{"type": "physical", "reference": "SKU-2", "name": "Boots", "quantity": 1, "unit_price": 30000,
				"tax_rate": 2500, "total_amount": 25000, "total_discount_amount": 5000, "total_tax_amount": 5000},
		},
		"merchant_urls":       map[string]any{"confirmation": confirmation},
		"merchant_reference1": "BENCH-1001",
	}
	consumer := func(i int) map[string]any {
		return map[string]any{
			"payment_method_category": "pay_later",
			"customer":                map[string]any{"date_of_birth": "1990-05-17", "national_identification_number": "1705901234"},
			"billing_address": map[string]any{"given_name": "Anna", "family_name": "Jensen", "email": fmt.Sprintf("anna.jensen%d@example.com", i),
				"phone": fmt.Sprintf("+4520%06d", i), "street_address": fmt.Sprintf("Sletten %d", i), "postal_code": "9270", "city": "Klarup", "country": "DK"},
			"device": map[string]any{"ip": fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), "fingerprint": fmt.Sprintf("bench-%d", i)},
			"otp":    "123456",
		}
	}
	b := &bodies{}
	var err error
	enc := func(v any) []byte {
		raw, e := json.Marshal(v)
		if e != nil && err == nil {
			err = e
		}
		return raw
	}
	b.session = enc(order)
	b.order = b.session
	for i := range consumers {
		b.authorize = append(b.authorize, enc(consumer(i)))
	}
	b.capture = enc(map[string]any{"captured_amount": orderAmount, "description": "Bench parcel"})
	b.refund = enc(map[string]any{"refunded_amount": refundAmount, "description": "Bench partial refund"})
	return b, err
}

// runner is what the clients share.
type runner struct {
	client    *http.Client
	base      string
	basicAuth string
	deadline  time.Time
	// stop is closed when the run is cancelled.
	stop <-chan struct{}
	// reqCtx is not cancelled with the run, so that requests in flight finish
	// and are counted rather than failing.
	reqCtx context.Context
	bodies *bodies

	mu      sync.Mutex
	samples []string
}

// over reports whether no new checkout should start.
func (r *runner) over() bool {
	return r.cancelled() || !time.Now().Before(r.deadline)
}

// cancelled reports whether the run was stopped from outside; only then is a
// checkout abandoned between its steps.
func (r *runner) cancelled() bool {
	select {
	case <-r.stop:
		return true
	default:
	}
	return false
}

func (r *runner) sample(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.samples) < maxErrSamples {
		r.samples = append(r.samples, msg)
	}
}

// worker is one client: it runs one request at a time and keeps its own
// measurements, merged when the run ends.
type worker struct {
	r    *runner
	lat  [numSteps][]time.Duration
	errs [numSteps]int64
	buf  bytes.Buffer
}

func (w *worker) run() {
	for !w.r.over() {
		w.iterate()
	}
}

// reply is a response with its body read (the body aliases the worker's
// buffer until the next request).
type reply struct {
	header http.Header
	body   []byte
}

// iterate runs the full path once. It gives up on the iteration at the first
// failed step. A checkout started before the deadline runs to its end, so
// every step is measured and no order is left half done; only a cancelled
// run stops between steps.
func (w *worker) iterate() {
	r := w.r
	d, res, ok := w.call(stepSession, "/payments/v1/sessions", r.bodies.session, r.basicAuth, "", http.StatusOK)
	if !ok {
		return
	}
	var sess struct {
		SessionID               string            `json:"session_id"`
		ClientToken             string            `json:"client_token"`
		PaymentMethodCategories []json.RawMessage `json:"payment_method_categories"`
	}
	if err := json.Unmarshal(res.body, &sess); err != nil || !ids.Valid(sess.SessionID) || sess.ClientToken == "" || len(sess.PaymentMethodCategories) == 0 {
		w.fail(stepSession, "session response lacks session_id, client_token or payment_method_categories", res.body)
		return
	}
	w.done(stepSession, d)

	if r.cancelled() {
		return
	}
	d, res, ok = w.call(stepAuthorize, "/checkout/v1/sessions/"+sess.SessionID+"/authorize", r.bodies.authorizeBody(), "Bearer "+sess.ClientToken, "", http.StatusOK)
	if !ok {
		return
	}
	var auth struct {
		Approved           bool   `json:"approved"`
		AuthorizationToken string `json:"authorization_token"`
		FraudStatus        string `json:"fraud_status"`
	}
	if err := json.Unmarshal(res.body, &auth); err != nil || !auth.Approved || !ids.Valid(auth.AuthorizationToken) || auth.FraudStatus != "ACCEPTED" {
		w.fail(stepAuthorize, "authorization not approved with a token and fraud_status ACCEPTED", res.body)
		return
	}
	w.done(stepAuthorize, d)

	if r.cancelled() {
		return
	}
	d, res, ok = w.call(stepOrder, "/payments/v1/authorizations/"+auth.AuthorizationToken+"/order", r.bodies.order, r.basicAuth, "", http.StatusOK)
	if !ok {
		return
	}
	var order struct {
		OrderID     string `json:"order_id"`
		RedirectURL string `json:"redirect_url"`
		FraudStatus string `json:"fraud_status"`
	}
	if err := json.Unmarshal(res.body, &order); err != nil || !ids.Valid(order.OrderID) || order.FraudStatus != "ACCEPTED" ||
		order.RedirectURL != strings.ReplaceAll(confirmation, "{order.id}", order.OrderID) {
		w.fail(stepOrder, "order response lacks order_id, redirect_url or fraud_status ACCEPTED", res.body)
		return
	}
	w.done(stepOrder, d)

	orderPath := "/ordermanagement/v1/orders/" + order.OrderID
	if r.cancelled() {
		return
	}
	d, res, ok = w.call(stepCapture, orderPath+"/captures", r.bodies.capture, r.basicAuth, idempotencyKey(), http.StatusCreated)
	if !ok {
		return
	}
	if id := res.header.Get("Capture-Id"); !ids.Valid(id) || !strings.HasSuffix(res.header.Get("Location"), orderPath+"/captures/"+id) || len(res.body) != 0 {
		w.fail(stepCapture, "capture response lacks Capture-Id or a matching Location, or has a body", res.body)
		return
	}
	w.done(stepCapture, d)

	if r.cancelled() {
		return
	}
	d, res, ok = w.call(stepRefund, orderPath+"/refunds", r.bodies.refund, r.basicAuth, "", http.StatusCreated)
	if !ok {
		return
	}
	if id := res.header.Get("Refund-Id"); !ids.Valid(id) || !strings.HasSuffix(res.header.Get("Location"), orderPath+"/refunds/"+id) {
		w.fail(stepRefund, "refund response lacks Refund-Id or a matching Location", res.body)
		return
	}
	w.done(stepRefund, d)
}

// call POSTs body to path and checks the status and the headers every
// response carries. It returns the request's latency (until the body was
// read); on failure the error is already counted.
func (w *worker) call(step int, path string, body []byte, authorization, idemKey string, want int) (time.Duration, reply, bool) {
	r := w.r
	req, err := http.NewRequestWithContext(r.reqCtx, http.MethodPost, r.base+path, bytes.NewReader(body))
	if err != nil {
		w.fail(step, err.Error(), nil)
		return 0, reply{}, false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", authorization)
	if idemKey != "" {
		req.Header.Set("Klarna-Idempotency-Key", idemKey)
	}
	start := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		w.fail(step, err.Error(), nil)
		return 0, reply{}, false
	}
	w.buf.Reset()
	_, err = w.buf.ReadFrom(io.LimitReader(resp.Body, maxBodyBytes))
	resp.Body.Close()
	d := time.Since(start)
	if err != nil {
		w.fail(step, "read response: "+err.Error(), nil)
		return d, reply{}, false
	}
	res := reply{header: resp.Header, body: w.buf.Bytes()}
	switch cid := resp.Header.Get("Correlation-Id"); {
	case resp.StatusCode != want:
		w.fail(step, fmt.Sprintf("status %d, want %d", resp.StatusCode, want), res.body)
		return d, res, false
	case cid == "" || resp.Header.Get("Klarna-Correlation-Id") != cid:
		w.fail(step, "missing or mismatched Correlation-Id / Klarna-Correlation-Id headers", nil)
		return d, res, false
	case want == http.StatusOK && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json"):
		w.fail(step, "Content-Type is "+resp.Header.Get("Content-Type")+", want application/json", res.body)
		return d, res, false
	}
	return d, res, true
}

// done records a successful step.
func (w *worker) done(step int, d time.Duration) {
	w.lat[step] = append(w.lat[step], d)
}

// fail counts a failed step and keeps a sample of it.
func (w *worker) fail(step int, msg string, body []byte) {
	w.errs[step]++
	body = bytes.TrimSpace(body)
	if len(body) > 200 {
		body = body[:200]
	}
	if len(body) > 0 {
		msg += ": " + string(body)
	}
	w.r.sample(StepNames[step] + ": " + msg)
}

// idempotencyKey returns a new random key.
func idempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
