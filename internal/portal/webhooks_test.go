package portal_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/store"
)

// TestWebhookLog shows a merchant's notifications with their delivery
// state: a failed attempt with its answer and the next attempt, then the
// delivery; and narrows the log to one order.
func TestWebhookLog(t *testing.T) {
	e := newEnv(t)
	var calls atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(hook.Close)
	shop := e.merchant("Hooked Shop", hook.URL+"/tillit")
	order := e.place(orderSpec{merchant: shop, amount: 30000, email: "anna+pending-accepted@example.dk"})
	quiet := e.place(orderSpec{merchant: shop, amount: 10000, email: "bo+pending-accepted@example.dk"})
	e.write(func(tx *store.Tx) error { return e.app.Checkout.SetFraudStatus(tx, order, checkout.FraudAccepted) })
	e.clk.Advance(time.Minute)
	e.write(func(tx *store.Tx) error { return e.app.Checkout.SetFraudStatus(tx, quiet, checkout.FraudRejected) })

	c := e.client()
	c.signIn(e.userOf(shop, account.MerchantViewer, "Victor Viewer"))
	_, body := c.get("/portal/webhooks")
	rows := regexp.MustCompile(`(?s)<tr>\s*<td data-label="Created">.*?</tr>`).FindAllString(body, -1)
	if len(rows) != 2 || !strings.Contains(rows[0], "FRAUD_RISK_REJECTED") || !strings.Contains(rows[1], "FRAUD_RISK_ACCEPTED") {
		t.Fatalf("log before delivery: %d rows\n%s", len(rows), body)
	}
	wantContains(t, "undelivered event", rows[1], "Queued", `class="num">0</td>`)

	// The first attempt fails: the log shows the answer and when we retry.
	e.clk.Advance(time.Second)
	if _, err := e.app.Runner.RunDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	_, body = c.get("/portal/webhooks")
	rows = regexp.MustCompile(`(?s)<tr>\s*<td data-label="Created">.*?</tr>`).FindAllString(body, -1)
	failed, delivered := rows[0], rows[1]
	if strings.Contains(rows[0], "<code>204</code>") {
		failed, delivered = rows[1], rows[0]
	}
	wantContains(t, "failed attempt", failed, "Retrying", `class="num">1</td>`, "<code>503</code>", `<td data-label="Next attempt"><time datetime="2026-03-02T09:01:31Z">`)
	wantContains(t, "delivered event", delivered, "Delivered", `class="num">1</td>`, "<code>204</code>")

	// The retry succeeds.
	e.clk.Advance(time.Minute)
	if _, err := e.app.Runner.RunDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	_, body = c.get("/portal/webhooks")
	if n := strings.Count(body, ">Delivered</span>"); n != 2 || strings.Contains(body, ">Retrying</span>") {
		t.Errorf("after the retry: %d delivered\n%s", n, body)
	}

	// The log narrows to one order, and the order's history shows it.
	_, body = c.get("/portal/webhooks?order=" + order)
	if strings.Count(body, `data-label="Created"`) != 1 || !strings.Contains(body, "FRAUD_RISK_ACCEPTED") {
		t.Errorf("log of one order:\n%s", body)
	}
	_, body = c.get("/portal/orders/" + order)
	wantContains(t, "order history", body, "Notification FRAUD_RISK_ACCEPTED: Delivered")
	res, body := c.get("/portal/webhooks?order=not-an-id")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter an order id as shown on the order&#39;s page.") {
		t.Errorf("a bad order id: %d", res.StatusCode)
	}
	// Another merchant sees none of it.
	other := e.client()
	other.signIn(e.user(account.MerchantOwner, "Olivia Owner"))
	if _, body := other.get("/portal/webhooks"); !strings.Contains(body, "No notifications yet.") {
		t.Error("another merchant sees the notifications")
	}
}
