package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/store"
)

func TestMerchantFlowFromSessionToRefund(t *testing.T) {
	e := newEnv(t)
	sid, ct := e.session(sampleOrder())

	var sess map[string]any
	e.do(request{method: "GET", path: "/payments/v1/sessions/" + sid}).expect(t, 200).json(t, &sess)
	if sess["status"] != "incomplete" || sess["client_token"] != ct || sess["order_amount"].(float64) != 125000 {
		t.Fatalf("session = %v", sess)
	}
	e.do(request{method: "POST", path: "/payments/v1/sessions/" + sid, body: map[string]any{"merchant_reference2": "cart-7"}}).expect(t, 204)

	auth := e.authorize(sid, ct, consumer("anna@example.dk"))
	if auth["approved"] != true || auth["fraud_status"] != "ACCEPTED" || auth["authorization_token"] == "" {
		t.Fatalf("authorize = %v", auth)
	}
	token := auth["authorization_token"].(string)
	e.do(request{method: "GET", path: "/payments/v1/sessions/" + sid}).expect(t, 200).json(t, &sess)
	if sess["status"] != "complete" || sess["authorization_token"] != token || sess["merchant_reference2"] != "cart-7" {
		t.Fatalf("session after authorize = %v", sess)
	}

	var placed map[string]any
	e.do(request{method: "POST", path: "/payments/v1/authorizations/" + token + "/order", body: sampleOrder()}).expect(t, 200).json(t, &placed)
	orderID := placed["order_id"].(string)
	if placed["fraud_status"] != "ACCEPTED" || placed["redirect_url"] != "https://shop.example/thanks/"+orderID {
		t.Fatalf("order = %v", placed)
	}
	o := e.order(orderID)
	if o["status"] != "AUTHORIZED" || o["remaining_authorized_amount"].(float64) != 125000 || o["merchant_reference1"] != "ORDER-1001" {
		t.Fatalf("order = %v", o)
	}
	if o["expires_at"] != "2026-03-30T09:00:00.000Z" {
		t.Fatalf("expires_at = %v, want 28 days after creation", o["expires_at"])
	}

	cap := e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + orderID + "/captures",
		body: map[string]any{"captured_amount": 100000, "description": "First parcel",
			"shipping_info": []map[string]any{{"shipping_company": "PostNord", "tracking_number": "00370712345678901234"}}}}).expect(t, 201)
	captureID := cap.Header.Get("Capture-Id")
	if len(cap.Body) != 0 || captureID == "" || cap.Header.Get("Location") != e.srv.URL+"/ordermanagement/v1/orders/"+orderID+"/captures/"+captureID {
		t.Fatalf("capture response: body %q headers %v", cap.Body, cap.Header)
	}
	var c map[string]any
	e.do(request{method: "GET", path: "/ordermanagement/v1/orders/" + orderID + "/captures/" + captureID}).expect(t, 200).json(t, &c)
	if c["captured_amount"].(float64) != 100000 || c["description"] != "First parcel" {
		t.Fatalf("capture = %v", c)
	}
	e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + orderID + "/captures/" + captureID + "/shipping-info",
		body: map[string]any{"shipping_info": []map[string]any{{"shipping_company": "GLS", "tracking_number": "123"}}}}).expect(t, 204)
	var list []map[string]any
	e.do(request{method: "GET", path: "/ordermanagement/v1/orders/" + orderID + "/captures"}).expect(t, 200).json(t, &list)
	if len(list) != 1 || len(list[0]["shipping_info"].([]any)) != 2 {
		t.Fatalf("captures = %v", list)
	}
	if o := e.order(orderID); o["status"] != "PART_CAPTURED" || o["remaining_authorized_amount"].(float64) != 25000 {
		t.Fatalf("after partial capture: %v", o)
	}

	ref := e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + orderID + "/refunds",
		body: map[string]any{"refunded_amount": 30000, "description": "Returned boots"}}).expect(t, 201)
	refundID := ref.Header.Get("Refund-Id")
	if refundID == "" || ref.Header.Get("Location") != e.srv.URL+"/ordermanagement/v1/orders/"+orderID+"/refunds/"+refundID {
		t.Fatalf("refund headers %v", ref.Header)
	}
	var rf map[string]any
	e.do(request{method: "GET", path: "/ordermanagement/v1/orders/" + orderID + "/refunds/" + refundID}).expect(t, 200).json(t, &rf)
	if rf["refunded_amount"].(float64) != 30000 {
		t.Fatalf("refund = %v", rf)
	}

	for _, op := range []string{"acknowledge", "extend-authorization-time"} {
		r := e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + orderID + "/" + op}).expect(t, 204)
		if r.Header.Get("Correlation-Id") == "" {
			t.Fatalf("%s: 204 without correlation id", op)
		}
	}
	e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + orderID + "/shipping-info",
		body: map[string]any{"shipping_info": []map[string]any{{"shipping_company": "DHL", "tracking_number": "JD0001"}}}}).expect(t, 204)
	e.do(request{method: "PATCH", path: "/ordermanagement/v1/orders/" + orderID + "/merchant-references",
		body: map[string]any{"merchant_reference1": "ORDER-1001-B"}}).expect(t, 204)
	e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + orderID + "/release-remaining-authorization"}).expect(t, 204)

	o = e.order(orderID)
	if o["status"] != "CAPTURED" || o["captured_amount"].(float64) != 100000 || o["refunded_amount"].(float64) != 30000 ||
		o["remaining_authorized_amount"].(float64) != 0 || o["merchant_reference1"] != "ORDER-1001-B" ||
		len(o["shipping_info"].([]any)) != 1 || len(o["captures"].([]any)) != 1 || len(o["refunds"].([]any)) != 1 {
		t.Fatalf("final order = %v", o)
	}
	e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + orderID + "/refunds", body: map[string]any{"refunded_amount": 70000}}).expect(t, 201)
	if o := e.order(orderID); o["status"] != "CLOSED" {
		t.Fatalf("fully refunded order status = %v", o["status"])
	}
}

func TestMerchantCallsNeedCredentials(t *testing.T) {
	e := newEnv(t)
	orderID := e.placeOrder("anna@example.dk")
	for _, req := range []request{
		{method: "GET", path: "/ordermanagement/v1/orders/" + orderID, noAuth: true},
		{method: "GET", path: "/ordermanagement/v1/orders/" + orderID, user: e.merchant.Username, pass: "wrong"},
		{method: "POST", path: "/payments/v1/sessions", body: sampleOrder(), user: "nobody", pass: "x"},
	} {
		r := e.do(req).expect(t, 401)
		if code := r.errorCode(t); code != "UNAUTHORIZED" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("401 body %s", r.Body)
		}
	}
	other := e.newMerchant(merchantNamed("Other"))
	r := e.do(request{method: "GET", path: "/ordermanagement/v1/orders/" + orderID, user: other.Username, pass: other.Password}).expect(t, 404)
	if r.errorCode(t) != "NO_SUCH_ORDER" {
		t.Fatal("another merchant's order must look unknown")
	}
}

func TestIdempotentCaptureCapturesOnce(t *testing.T) {
	e := newEnv(t)
	orderID := e.placeOrder("anna@example.dk")
	path := "/ordermanagement/v1/orders/" + orderID + "/captures"
	key := map[string]string{"Klarna-Idempotency-Key": "f1d2a5e0-7c1b-4f55-9a43-9d1c7f0e2b11"}
	first := e.do(request{method: "POST", path: path, body: map[string]any{"captured_amount": 50000}, headers: key}).expect(t, 201)
	second := e.do(request{method: "POST", path: path, body: map[string]any{"captured_amount": 50000}, headers: key}).expect(t, 201)
	if first.Header.Get("Capture-Id") != second.Header.Get("Capture-Id") || first.Header.Get("Location") != second.Header.Get("Location") {
		t.Fatalf("replay differs: %v vs %v", first.Header, second.Header)
	}
	if second.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatal("replay not marked")
	}
	if o := e.order(orderID); o["captured_amount"].(float64) != 50000 || len(o["captures"].([]any)) != 1 {
		t.Fatalf("captured twice: %v", o)
	}
	reused := e.do(request{method: "POST", path: path, body: map[string]any{"captured_amount": 100}, headers: key}).expect(t, 409)
	if reused.errorCode(t) != "IDEMPOTENCY_KEY_REUSED" {
		t.Fatal("different body with the same key must be refused")
	}
	// After the 24 hour window the key is free again.
	e.clk.Advance(24*time.Hour + time.Second)
	e.do(request{method: "POST", path: path, body: map[string]any{"captured_amount": 100}, headers: key}).expect(t, 201)
}

func TestRacingIdenticalCapturesCaptureOnce(t *testing.T) {
	e := newEnv(t)
	orderID := e.placeOrder("anna@example.dk")
	path := "/ordermanagement/v1/orders/" + orderID + "/captures"
	const n = 8
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := e.do(request{method: "POST", path: path, body: map[string]any{"captured_amount": 125000},
				headers: map[string]string{"Idempotency-Key": "race-1"}})
			if r.StatusCode != 201 {
				t.Errorf("racer %d: %d %s", i, r.StatusCode, r.Body)
			}
			ids[i] = r.Header.Get("Capture-Id")
		}(i)
	}
	wg.Wait()
	for i := 1; i < n; i++ {
		if ids[i] != ids[0] {
			t.Fatalf("racers got different captures: %v", ids)
		}
	}
	if o := e.order(orderID); o["captured_amount"].(float64) != 125000 || len(o["captures"].([]any)) != 1 {
		t.Fatalf("order after race: %v", o)
	}
}

func TestOrderStatusRules(t *testing.T) {
	e := newEnv(t)
	om := func(id, op string) string { return "/ordermanagement/v1/orders/" + id + "/" + op }

	captured := e.placeOrder("anna@example.dk")
	e.do(request{method: "POST", path: om(captured, "captures"), body: map[string]any{"captured_amount": 125001}}).expect(t, 403).errorCode(t)
	e.do(request{method: "POST", path: om(captured, "captures"), body: map[string]any{"captured_amount": 25000}}).expect(t, 201)
	if code := e.do(request{method: "POST", path: om(captured, "cancel")}).expect(t, 403).errorCode(t); code != "CANCEL_NOT_ALLOWED" {
		t.Fatalf("cancel after capture: %s", code)
	}
	if code := e.do(request{method: "POST", path: om(captured, "captures"), body: map[string]any{"captured_amount": 100001}}).expect(t, 403).errorCode(t); code != "CAPTURE_NOT_ALLOWED" {
		t.Fatalf("over-capture: %s", code)
	}
	if code := e.do(request{method: "POST", path: om(captured, "refunds"), body: map[string]any{"refunded_amount": 25001}}).expect(t, 403).errorCode(t); code != "REFUND_NOT_ALLOWED" {
		t.Fatalf("over-refund: %s", code)
	}

	cancelled := e.placeOrder("anna@example.dk")
	e.do(request{method: "POST", path: om(cancelled, "cancel")}).expect(t, 204)
	if o := e.order(cancelled); o["status"] != "CANCELLED" || o["remaining_authorized_amount"].(float64) != 0 {
		t.Fatalf("cancelled order: %v", o)
	}
	if code := e.do(request{method: "POST", path: om(cancelled, "captures"), body: map[string]any{"captured_amount": 1}}).expect(t, 403).errorCode(t); code != "CAPTURE_NOT_ALLOWED" {
		t.Fatalf("capture after cancel: %s", code)
	}
	if code := e.do(request{method: "POST", path: om(cancelled, "refunds"), body: map[string]any{"refunded_amount": 1}}).expect(t, 403).errorCode(t); code != "REFUND_NOT_ALLOWED" {
		t.Fatalf("refund without capture: %s", code)
	}

	unknown := "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	for _, op := range []string{"captures", "refunds", "cancel", "acknowledge"} {
		if code := e.do(request{method: "POST", path: om(unknown, op), body: map[string]any{"captured_amount": 1, "refunded_amount": 1}}).expect(t, 404).errorCode(t); code != "NO_SUCH_ORDER" {
			t.Fatalf("%s on unknown order: %s", op, code)
		}
	}
	e.do(request{method: "GET", path: "/ordermanagement/v1/orders/not-an-id"}).expect(t, 404)
}

func TestPendingOrderCannotBeCapturedAndIsNotifiedWhenAccepted(t *testing.T) {
	rec := newReceiver(t)
	e := newEnv(t)
	e.merchant = e.newMerchant(merchantWithURL(rec.url()))
	orderID := e.placeOrder("anna+pending-accepted@example.dk")
	if o := e.order(orderID); o["fraud_status"] != "PENDING" {
		t.Fatalf("fraud_status = %v", o["fraud_status"])
	}
	if code := e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + orderID + "/captures", body: map[string]any{"captured_amount": 100}}).expect(t, 403).errorCode(t); code != "CAPTURE_NOT_ALLOWED" {
		t.Fatalf("capture while pending: %s", code)
	}
	e.runJobs()
	if len(rec.events()) != 0 {
		t.Fatal("notified before the review finished")
	}
	e.clk.Advance(5 * time.Minute)
	e.runJobs()
	if o := e.order(orderID); o["fraud_status"] != "ACCEPTED" {
		t.Fatalf("fraud_status after review = %v", o["fraud_status"])
	}
	e.runJobs()
	events := rec.events()
	if len(events) != 1 || events[0]["order_id"] != orderID || events[0]["event_type"] != "FRAUD_RISK_ACCEPTED" || events[0]["event_id"] == "" || events[0]["occurred_at"] == "" {
		t.Fatalf("notifications = %v", events)
	}
	rec.checkSignatures(e.merchant.SigningSecret)
	var log struct {
		Deliveries []map[string]any `json:"deliveries"`
	}
	e.do(request{method: "GET", path: "/notifications/v1/deliveries?order_id=" + orderID}).expect(t, 200).json(t, &log)
	if len(log.Deliveries) != 1 || log.Deliveries[0]["status"] != "delivered" || log.Deliveries[0]["event_type"] != "FRAUD_RISK_ACCEPTED" || log.Deliveries[0]["next_attempt_at"] != nil ||
		len(log.Deliveries[0]["attempts"].([]any)) != 1 {
		t.Fatalf("delivery log = %s", fmt.Sprint(log))
	}
	e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + orderID + "/captures", body: map[string]any{"captured_amount": 100}}).expect(t, 201)
}

func TestRejectedAuthorizationGivesNoToken(t *testing.T) {
	e := newEnv(t)
	sid, ct := e.session(sampleOrder())
	auth := e.authorize(sid, ct, consumer("anna+denied@example.dk"))
	if auth["approved"] != false || auth["fraud_status"] != "REJECTED" || auth["authorization_token"] != nil || len(auth["reasons"].([]any)) == 0 {
		t.Fatalf("authorize = %v", auth)
	}
	young := consumer("kid@example.dk")
	young["customer"] = map[string]any{"date_of_birth": "2015-01-01"}
	sid, ct = e.session(sampleOrder())
	if auth := e.authorize(sid, ct, young); auth["approved"] != false {
		t.Fatalf("minor approved: %v", auth)
	}
}

func TestAuthorizationTokenWorksOnce(t *testing.T) {
	e := newEnv(t)
	sid, ct := e.session(sampleOrder())
	token := e.authorize(sid, ct, consumer("anna@example.dk"))["authorization_token"].(string)
	path := "/payments/v1/authorizations/" + token + "/order"
	e.do(request{method: "POST", path: path, body: sampleOrder()}).expect(t, 200)
	if code := e.do(request{method: "POST", path: path, body: sampleOrder()}).expect(t, 409).errorCode(t); code != "AUTHORIZATION_ALREADY_USED" {
		t.Fatalf("second use: %s", code)
	}
	if code := e.do(request{method: "DELETE", path: "/payments/v1/authorizations/" + token}).expect(t, 409).errorCode(t); code != "AUTHORIZATION_ALREADY_USED" {
		t.Fatalf("cancel used token: %s", code)
	}

	sid2, ct2 := e.session(sampleOrder())
	// A client token of another session is refused.
	if r := e.do(request{method: "POST", path: "/checkout/v1/sessions/" + sid2 + "/authorize", bearer: ct, body: consumer("anna@example.dk")}).expect(t, 401); !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("consumer 401 challenge = %q", r.Header.Get("WWW-Authenticate"))
	}
	token2 := e.authorize(sid2, ct2, consumer("anna@example.dk"))["authorization_token"].(string)
	e.do(request{method: "DELETE", path: "/payments/v1/authorizations/" + token2}).expect(t, 204)
	if code := e.do(request{method: "POST", path: "/payments/v1/authorizations/" + token2 + "/order", body: sampleOrder()}).expect(t, 404).errorCode(t); code != "NO_SUCH_AUTHORIZATION" {
		t.Fatalf("order on cancelled token: %s", code)
	}
	// Authorizations expire after 60 minutes.
	sid3, ct3 := e.session(sampleOrder())
	token3 := e.authorize(sid3, ct3, consumer("anna@example.dk"))["authorization_token"].(string)
	e.clk.Advance(61 * time.Minute)
	e.do(request{method: "POST", path: "/payments/v1/authorizations/" + token3 + "/order", body: sampleOrder()}).expect(t, 404)
}

func TestAuthorizationsExpireUnlessExtended(t *testing.T) {
	e := newEnv(t)
	expiring := e.placeOrder("anna@example.dk")
	extended := e.placeOrder("anna@example.dk")
	partial := e.placeOrder("anna@example.dk")
	e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + partial + "/captures", body: map[string]any{"captured_amount": 1000}}).expect(t, 201)

	e.clk.Advance(20 * 24 * time.Hour)
	e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + extended + "/extend-authorization-time"}).expect(t, 204)
	e.clk.Advance(8*24*time.Hour + time.Minute)
	e.runJobs()
	if s := e.order(expiring)["status"]; s != "EXPIRED" {
		t.Fatalf("status after 28 days = %v", s)
	}
	if o := e.order(partial); o["status"] != "CAPTURED" || o["remaining_authorized_amount"].(float64) != 0 {
		t.Fatalf("part-captured order after expiry = %v", o)
	}
	if s := e.order(extended)["status"]; s != "AUTHORIZED" {
		t.Fatalf("extended order status = %v", s)
	}
	if code := e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + expiring + "/captures", body: map[string]any{"captured_amount": 1}}).expect(t, 403).errorCode(t); code != "CAPTURE_NOT_ALLOWED" {
		t.Fatalf("capture of expired order: %s", code)
	}
	// Extending keeps moving the expiry, but never past 180 days from creation.
	for day := 0; day < 200; day += 20 {
		e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + extended + "/extend-authorization-time"})
		e.clk.Advance(20 * 24 * time.Hour)
		e.runJobs()
	}
	o := e.order(extended)
	if o["status"] != "EXPIRED" {
		t.Fatalf("extended order after 200+ days = %v", o["status"])
	}
	if o["expires_at"] != "2026-08-29T09:00:00.000Z" {
		t.Fatalf("expires_at = %v, want 180 days after creation", o["expires_at"])
	}
	_ = http.StatusOK
}

func TestExpiredIdempotencyKeysAreSwept(t *testing.T) {
	e := newEnv(t)
	orderID := e.placeOrder("anna@example.dk")
	e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + orderID + "/acknowledge", headers: map[string]string{"Idempotency-Key": "k1"}}).expect(t, 204)
	count := func() int {
		var n int
		if err := e.app.DB.Read(context.Background(), func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT COUNT(*) FROM idempotency_keys`).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	e.clk.Advance(2 * time.Hour)
	e.runJobs()
	if count() != 1 {
		t.Fatal("live key swept")
	}
	e.clk.Advance(23 * time.Hour)
	e.runJobs()
	if count() != 0 {
		t.Fatal("expired key kept")
	}
}

func TestRequiredOrderFieldsMustBePresent(t *testing.T) {
	e := newEnv(t)
	for field, mutate := range map[string]func(o map[string]any){
		"order_amount":              func(o map[string]any) { delete(o, "order_amount") },
		"purchase_currency":         func(o map[string]any) { delete(o, "purchase_currency") },
		"order_lines[1].quantity":   func(o map[string]any) { delete(o["order_lines"].([]map[string]any)[1], "quantity") },
		"order_lines[0].unit_price": func(o map[string]any) { delete(o["order_lines"].([]map[string]any)[0], "unit_price") },
	} {
		order := sampleOrder()
		mutate(order)
		r := e.do(request{method: "POST", path: "/payments/v1/sessions", body: order}).expect(t, 400)
		var body struct {
			ErrorMessages []string `json:"error_messages"`
		}
		r.json(t, &body)
		if r.errorCode(t) != "BAD_VALUE" || !strings.Contains(body.ErrorMessages[0], field+" is required") {
			t.Errorf("missing %s: %s", field, r.Body)
		}
	}
}

func TestOperatorDecisionStopsOrderNotifiesAndIsAudited(t *testing.T) {
	rec := newReceiver(t)
	e := newEnv(t)
	e.merchant = e.newMerchant(merchantWithURL(rec.url()))
	orderID := e.placeOrder("anna@example.dk")
	ctx := context.Background()
	if err := e.app.Checkout.DecideFraudStatus(ctx, "operator:ana", orderID, "STOPPED", "order matches a known fraud pattern"); err != nil {
		t.Fatal(err)
	}
	if o := e.order(orderID); o["fraud_status"] != "STOPPED" {
		t.Fatalf("fraud_status = %v", o["fraud_status"])
	}
	if code := e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + orderID + "/captures", body: map[string]any{"captured_amount": 100}}).expect(t, 403).errorCode(t); code != "CAPTURE_NOT_ALLOWED" {
		t.Fatalf("capture of a stopped order: %s", code)
	}
	e.runJobs()
	if ev := rec.events(); len(ev) != 1 || ev[0]["event_type"] != "FRAUD_RISK_STOPPED" || !strings.Contains(fmt.Sprint(ev[0]["stop_request_url"]), "/portal/stop-requests/answer/") {
		t.Fatalf("notifications = %v", ev)
	}
	// The decision is audited, and so is the stop request it opened.
	entries, err := audit.ForSubject(ctx, e.app.DB, orderID)
	actions := map[string]string{}
	for _, en := range entries {
		actions[en.Action] = en.Actor
	}
	if err != nil || len(entries) != 2 || actions["order.fraud_status"] != "operator:ana" || actions["stop_request.opened"] != "system" {
		t.Fatalf("audit entries = %+v, %v", entries, err)
	}
	// Refused decisions change nothing and audit nothing.
	for _, c := range []struct{ order, status, reason string }{
		{orderID, "PENDING", "x"}, {orderID, "ACCEPTED", ""}, {"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "ACCEPTED", "x"},
	} {
		if err := e.app.Checkout.DecideFraudStatus(ctx, "operator:ana", c.order, c.status, c.reason); err == nil {
			t.Errorf("decision %+v accepted", c)
		}
	}
	if r, _ := audit.Verify(ctx, e.app.DB); !r.OK() || r.Entries != 2 {
		t.Fatalf("audit log after refused decisions: %+v", r)
	}
}
