package consumerapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/returns"
	"github.com/tillit/tillit/internal/store"
)

// returnsOf returns the returns of an order of the consumer with the
// address, newest first.
func (e *env) returnsOf(email, orderID string) []returns.Return {
	e.t.Helper()
	rs, err := e.app.Returns.ForOrder(e.ctx, e.subject(email), orderID)
	if err != nil {
		e.t.Fatal(err)
	}
	return rs
}

// returnPage checks the client is on a return's page and returns its path.
func returnPage(t *testing.T, pg page, orderID string) string {
	t.Helper()
	if pg.status != http.StatusOK || !strings.HasPrefix(pg.path, "/app/orders/"+orderID+"/returns/") {
		t.Fatalf("not on a return page: %s (%d)\n%s", pg.path, pg.status, pg.body)
	}
	return pg.path
}

func TestConsumerRegistersAndWithdrawsAReturn(t *testing.T) {
	e := newProblemsEnv(t)
	c := e.client()
	c.signIn(anna)
	orderID := e.shippedOrder(anna, line("physical", "Rain jacket", 2, 20000), line("physical", "Cap", 1, 5000))
	due := e.plan(orderID).Installments[0].Due

	pg := c.get("/app/orders/" + orderID)
	if !strings.Contains(pg.body, `href="/app/orders/`+orderID+`/return"`) {
		t.Fatalf("the order page offers no return:\n%s", pg.body)
	}
	pg = c.get("/app/orders/" + orderID + "/return")
	for _, want := range []string{"Rain jacket (you bought 2)", "Cap (you bought 1)", `name="quantity_0"`, `name="quantity_1"`,
		"pause for 21 days", "Tracking number"} {
		if !pg.has(want) {
			t.Errorf("return form lacks %q", want)
		}
	}

	// Mistakes are shown by their fields; nothing is registered.
	for name, tc := range map[string]struct {
		form url.Values
		want string
	}{
		"nothing chosen":   {url.Values{"quantity_0": {"0"}, "carrier": {"GLS"}, "tracking_number": {"GLS1"}}, "Enter how many of at least one item"},
		"too many":         {url.Values{"quantity_0": {"3"}, "carrier": {"GLS"}, "tracking_number": {"GLS1"}}, "Enter a whole number from 0 to 2."},
		"not a number":     {url.Values{"quantity_1": {"one"}, "carrier": {"GLS"}, "tracking_number": {"GLS1"}}, "Enter a whole number from 0 to 1."},
		"negative":         {url.Values{"quantity_1": {"-1"}, "carrier": {"GLS"}, "tracking_number": {"GLS1"}}, "Enter a whole number from 0 to 1."},
		"no carrier":       {url.Values{"quantity_0": {"1"}, "tracking_number": {"GLS1"}}, "Fill in this field."},
		"no tracking":      {url.Values{"quantity_0": {"1"}, "carrier": {"GLS"}}, "Fill in this field."},
		"long tracking":    {url.Values{"quantity_0": {"1"}, "carrier": {"GLS"}, "tracking_number": {strings.Repeat("9", returns.MaxTracking+1)}}, "Use no more than 40 characters."},
		"two-line carrier": {url.Values{"quantity_0": {"1"}, "carrier": {"GLS\nDHL"}, "tracking_number": {"GLS1"}}, "Write it on one line."},
	} {
		pg := c.post("/app/orders/"+orderID+"/returns", tc.form)
		if pg.status != http.StatusUnprocessableEntity || !pg.has(tc.want) {
			t.Errorf("%s: %d, want 422 with %q", name, pg.status, tc.want)
		}
	}
	if n := len(e.returnsOf(anna, orderID)); n != 0 || e.plan(orderID).PausedUntil != nil {
		t.Fatalf("bad forms registered %d returns or paused the plan", n)
	}

	pg = c.post("/app/orders/"+orderID+"/returns", url.Values{"quantity_0": {"1"}, "quantity_1": {""}, "carrier": {"PostNord"}, "tracking_number": {"PN00112233DK"}})
	path := returnPage(t, pg, orderID)
	for _, want := range []string{"Your return is registered.", "Return registered", "1 × Rain jacket", "DKK\u00a0200.00", "PostNord", "PN00112233DK",
		"Payments paused until", "Withdraw the return"} {
		if !pg.has(want) {
			t.Errorf("return page lacks %q:\n%s", want, pg.body)
		}
	}
	rs := e.returnsOf(anna, orderID)
	if len(rs) != 1 || rs[0].Status != returns.Registered || rs[0].Lines[0].Quantity != 1 || rs[0].TrackingNumber != "PN00112233DK" {
		t.Fatalf("registered: %+v", rs)
	}
	pl := e.plan(orderID)
	if pl.PausedUntil == nil || !pl.Installments[0].Due.After(due) {
		t.Errorf("the plan is not paused: %v, due %v (was %v)", pl.PausedUntil, pl.Installments[0].Due, due)
	}
	pg = c.get("/app/orders/" + orderID)
	if !strings.Contains(pg.body, `href="`+path+`"`) || strings.Contains(pg.body, `/return"`) || !pg.has("your next payment is due on") {
		t.Errorf("order page with a live return:\n%s", pg.body)
	}

	// A second return while one is live is refused.
	pg = c.post("/app/orders/"+orderID+"/returns", url.Values{"quantity_1": {"1"}, "carrier": {"GLS"}, "tracking_number": {"GLS2"}})
	if pg.status != http.StatusConflict || !pg.has("This order already has a return registered.") {
		t.Errorf("second return: %d", pg.status)
	}

	// Withdrawing: a stale or bad version changes nothing.
	c.get(path)
	if pg := c.post(path+"/cancel", url.Values{"version": {"0"}}); pg.status != http.StatusConflict || !pg.has("The return changed since you opened this page.") {
		t.Errorf("stale withdrawal: %d", pg.status)
	}
	if pg := c.post(path+"/cancel", url.Values{"version": {"one"}}); pg.status != http.StatusBadRequest {
		t.Errorf("bad version: %d", pg.status)
	}
	if e.returnsOf(anna, orderID)[0].Status != returns.Registered {
		t.Fatal("a bad withdrawal withdrew the return")
	}
	pg = c.post(path+"/cancel", url.Values{"version": {version(t, c.get(path))}})
	if pg.status != http.StatusOK || pg.path != "/app/orders/"+orderID || !pg.has("The return is withdrawn") || !pg.has("Withdrawn") {
		t.Errorf("withdrawal: %d at %s", pg.status, pg.path)
	}
	if e.returnsOf(anna, orderID)[0].Status != returns.Cancelled || e.plan(orderID).PausedUntil != nil {
		t.Error("the return is not withdrawn, or the plan still paused")
	}
	if pg := c.get(path); strings.Contains(pg.body, `id="cancel-return"`) || !pg.has("You withdrew this return") {
		t.Error("a withdrawn return can be withdrawn again")
	}
}

func TestUnrefundedReturnInvitesADispute(t *testing.T) {
	e := newProblemsEnv(t)
	c := e.client()
	c.signIn(anna)
	orderID := e.shippedOrder(anna, line("physical", "Rain jacket", 1, 60000))
	c.get("/app/orders/" + orderID + "/return")
	path := returnPage(t, c.post("/app/orders/"+orderID+"/returns", url.Values{"quantity_0": {"1"}, "carrier": {"GLS"}, "tracking_number": {"GLS77"}}), orderID)
	if pg := c.get("/app/orders/" + orderID); pg.has("Report a return that was not refunded") {
		t.Error("invited while the return is live")
	}

	e.advanceDays(22)
	if st := e.returnsOf(anna, orderID)[0].Status; st != returns.Unrefunded {
		t.Fatalf("after the pause: %s", st)
	}
	invite := `href="/app/orders/` + orderID + `/problem?reason=returned_not_refunded"`
	for _, p := range []string{"/app/orders/" + orderID, path} {
		pg := c.get(p)
		if !strings.Contains(pg.body, invite) || !pg.has("Not refunded") {
			t.Errorf("%s lacks the invitation:\n%s", p, pg.body)
		}
	}
	pg := c.get("/app/orders/" + orderID + "/problem?reason=returned_not_refunded")
	if !strings.Contains(pg.body, `value="returned_not_refunded" checked`) {
		t.Error("the invitation does not choose the reason")
	}
	disputeID(t, c.post("/app/orders/"+orderID+"/disputes", url.Values{"reason": {"returned_not_refunded"}}))
	if pg := c.get("/app/orders/" + orderID); strings.Contains(pg.body, invite) {
		t.Error("still invited after the dispute opened")
	}
}

func TestRefundOfAPaidReturnIsPaidBack(t *testing.T) {
	e := newProblemsEnv(t)
	c := e.client()
	c.signIn(anna)
	orderID := e.shippedOrder(anna, line("physical", "Rain jacket", 1, 60000))
	c.get("/app/orders/" + orderID)
	c.post("/app/orders/"+orderID+"/pay", url.Values{"what": {"all"}})
	e.settle()
	c.get("/app/orders/" + orderID + "/return")
	path := returnPage(t, c.post("/app/orders/"+orderID+"/returns", url.Values{"quantity_0": {"1"}, "carrier": {"GLS"}, "tracking_number": {"GLS88"}}), orderID)

	err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		_, err := e.app.Checkout.Refund(tx, e.m.ID, orderID, checkout.RefundRequest{RefundedAmount: 60000})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.settle()
	if pg := c.get(path); !pg.has("Refunded") || !pg.has("The shop has refunded you.") || strings.Contains(pg.body, `id="cancel-return"`) {
		t.Errorf("refunded return:\n%s", pg.body)
	}
	pg := c.get("/app/orders/" + orderID)
	if !pg.has("DKK\u00a0600.00 paid back to you on") {
		t.Errorf("the order page does not show the payout:\n%s", pg.body)
	}
	// Nothing is left to return on a refunded order.
	if pg := c.post("/app/orders/"+orderID+"/returns", url.Values{"quantity_0": {"1"}, "carrier": {"GLS"}, "tracking_number": {"GLS89"}}); pg.status != http.StatusConflict ||
		!pg.has("Nothing has been sent on this order yet, or it is all refunded") {
		t.Errorf("return of a refunded order: %d", pg.status)
	}
}
