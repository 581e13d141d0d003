package backoffice_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/stoprequest"
	"github.com/tillit/tillit/internal/store"
)

// stopQueuePath is the stop request queue's page.
const stopQueuePath = "/staff/queues/" + backoffice.StopRequestsQueueKey

// coveredShop creates a test-mode merchant covered by the fraud policy and
// makes it the one e.order buys from.
func (e *env) coveredShop() merchant.Merchant {
	e.t.Helper()
	creds, err := merchant.Create(e.ctx, e.app.DB, merchant.NewMerchant{Name: "Fjord Gear", TestMode: true, SettlementCurrency: "DKK", FraudPolicyCovered: true})
	if err != nil {
		e.t.Fatal(err)
	}
	if e.shop, err = merchant.Get(e.ctx, e.app.DB, creds.MerchantID); err != nil {
		e.t.Fatal(err)
	}
	return e.shop
}

// stopped places an order of amount, captures it in full and has an
// analyst stop it, which opens its stop request (checkout's OnStopped hook
// is the stop request service's Opened); it returns the request.
func (e *env) stopped(amount int64) stoprequest.Request {
	e.t.Helper()
	id := e.order("anna@example.dk", amount)
	err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		_, err := e.app.Checkout.Capture(tx, e.shop.ID, id, checkout.CaptureRequest{CapturedAmount: amount, Description: "Shipped"})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.app.Checkout.DecideFraudStatus(e.ctx, "staff:test", id, checkout.FraudStopped, "Known fraud ring"); err != nil {
		e.t.Fatal(err)
	}
	return e.stopRequest(id)
}

// stopRequest reads an order's stop request with its tracking number.
func (e *env) stopRequest(orderID string) stoprequest.Request {
	e.t.Helper()
	r, found, err := e.app.StopRequests.GetForOrder(e.ctx, "", orderID)
	if err != nil || !found {
		e.t.Fatalf("stop request of %s: %v %v", orderID, found, err)
	}
	return r
}

// testTracking is the tracking number the merchant gives in the tests.
const testTracking = "GLS40712345678"

// shippedWithGLS answers r as the merchant: shipped with a carrier Tillit
// cannot recall through, so the request waits for the parcel to come back.
func (e *env) shippedWithGLS(r stoprequest.Request) stoprequest.Request {
	e.t.Helper()
	out, err := e.app.StopRequests.Answer(e.ctx, r.MerchantID, r.ID, "api", stoprequest.Input{
		Answer: stoprequest.AnswerShipped, Carrier: "GLS", TrackingNumber: testTracking, PickedUp: "unknown"})
	if err != nil {
		e.t.Fatal(err)
	}
	if out.Status != stoprequest.StatusAwaitingReturn || out.RecallStatus != stoprequest.RecallByMerchant {
		e.t.Fatalf("after the answer: %s %s", out.Status, out.RecallStatus)
	}
	return out
}

// settleForm is the analyst's form settling r as a fraud loss.
func settleForm(r stoprequest.Request, reason string) url.Values {
	return url.Values{"version": {strconv.FormatInt(r.Version, 10)}, "reason": {reason}}
}

// dkk formats an amount of øre as the English pages show it.
func dkk(minor int64) string { return i18n.FormatMoney(i18n.English, minor, "DKK") }

// wantLedgerBalanced fails unless every balance rebuilds from the entries.
func (e *env) wantLedgerBalanced() {
	e.t.Helper()
	if r, err := ledger.Verify(e.ctx, e.app.DB); err != nil || !r.OK() {
		e.t.Fatalf("ledger verify: %v %v", r.Problems, err)
	}
}

// TestStopRequestRoleMatrix: every staff role against the queue, a
// request's page and settling it. Security analysts and admins see the
// queue and the page and settle; every other role gets 403 and writes
// nothing. The page shows nothing personal about the consumer, and the
// tracking number only on request.
func TestStopRequestRoleMatrix(t *testing.T) {
	e := newDecisionsEnv(t)
	for _, role := range account.Roles {
		t.Run(string(role), func(t *testing.T) {
			r := e.shippedWithGLS(e.stopped(60_000))
			pagePath := "/staff/stop-requests/" + r.ID
			st := e.staff(role, "Member "+strings.ReplaceAll(string(role), "_", " "))
			c := e.client()
			c.signIn(st)
			mayWork := role == account.RoleSecurityAnalyst || role == account.RoleAdmin
			want := map[bool]int{true: http.StatusOK, false: http.StatusForbidden}
			_, home := c.get("/staff/")
			if got := strings.Contains(home, stopQueuePath); got != mayWork {
				t.Errorf("home lists the stop request queue: %v, want %v", got, mayWork)
			}
			res, body := c.get(stopQueuePath)
			if res.StatusCode != want[mayWork] || (mayWork && !strings.Contains(body, pagePath)) {
				t.Errorf("GET queue: %d, want %d", res.StatusCode, want[mayWork])
			}
			res, body = c.get(pagePath)
			if res.StatusCode != want[mayWork] {
				t.Errorf("GET page: %d, want %d", res.StatusCode, want[mayWork])
			}
			if mayWork {
				page := html.UnescapeString(body)
				for _, s := range []string{r.Reference, "Nordic Rain", "Already shipped", "GLS", "The merchant must recall the parcel itself",
					"Waiting for the parcel to come back", "/staff/orders/" + r.OrderID, `id="settle-form"`, "Stop request sent", "Merchant answered"} {
					if !strings.Contains(page, s) {
						t.Errorf("page lacks %q", s)
					}
				}
				for _, s := range []string{"Jensen", "anna@example.dk", "+4520123456", "Sletten", testTracking} {
					if strings.Contains(page, s) {
						t.Errorf("page shows %q", s)
					}
				}
			}
			c.get("/staff/")
			res, _ = c.post(pagePath+"/settle", settleForm(r, "Parcel not back after 30 days"))
			if mayWork {
				wantRedirect(t, res, pagePath)
				if got := e.stopRequest(r.OrderID); got.Outcome != stoprequest.OutcomeReversed {
					t.Errorf("outcome %q, want %q", got.Outcome, stoprequest.OutcomeReversed)
				}
			} else if res.StatusCode != http.StatusForbidden {
				t.Errorf("POST settle: %d, want 403", res.StatusCode)
			}
			if n := len(e.auditEntries(r.OrderID, stoprequest.ActionWrittenOff)); n != map[bool]int{true: 1, false: 0}[mayWork] {
				t.Errorf("%d write-offs audited", n)
			}
			if !mayWork && e.stopRequest(r.OrderID).Version != r.Version {
				t.Error("a refused role changed the stop request")
			}
		})
	}
	e.wantLedgerBalanced()
}

// TestStopRequestQueueOrder: the queue lists the request with the nearer
// deadline first, though the later one is larger, with the merchant,
// status and deadline; a request past its deadline unanswered shows as
// overdue.
func TestStopRequestQueueOrder(t *testing.T) {
	e := newDecisionsEnv(t)
	first := e.stopped(20_000)
	e.clk.Advance(time.Hour)
	second := e.stopped(90_000)
	analyst := e.staff(account.RoleSecurityAnalyst, "Sam Security")
	c := e.client()
	c.signIn(analyst)
	_, body := c.get(stopQueuePath)
	i, j := strings.Index(body, first.Reference), strings.Index(body, second.Reference)
	if i < 0 || j < 0 || i > j {
		t.Fatalf("queue order: %s at %d, %s at %d", first.Reference, i, second.Reference, j)
	}
	for _, s := range []string{"Waiting: 2", "Nordic Rain", "Waiting for the merchant", "Deadline",
		first.DeadlineAt.UTC().Format("2006-01-02T15:04:05Z")} {
		if !strings.Contains(html.UnescapeString(body), s) {
			t.Errorf("queue lacks %q", s)
		}
	}
	if strings.Contains(body, "Overdue") {
		t.Error("a request in time shows as overdue")
	}
	e.clk.Advance(48 * time.Hour)
	c = e.client() // the session ended meanwhile
	c.signIn(analyst)
	_, body = c.get(stopQueuePath)
	if !strings.Contains(body, `<strong>Overdue: no answer</strong>`) {
		t.Error("the queue does not show the overdue requests")
	}
}

// TestSettleStopRequest: an analyst settles a shipped parcel that did not
// come back as a fraud loss. With the fraud policy met (a covered merchant
// answering in time) the request closes written off, the merchant is paid
// back excluding VAT and the notice says so; without it (a merchant not
// covered, or an answer after the deadline) the claim is reversed to the
// merchant with the return line only. The ledger balances after each, and
// the write-off is audited with the analyst and the reason.
func TestSettleStopRequest(t *testing.T) {
	for _, tc := range []struct {
		name    string
		covered bool
		late    bool
		met     bool
		outcome string
		notice  string
	}{
		{"policy met", true, false, true, stoprequest.OutcomeWrittenOff, "Return (fraud), " + dkk(50_000) + ", and Fraud policy, " + dkk(40_000) + ", excluding VAT"},
		{"not covered", false, false, false, stoprequest.OutcomeReversed, "Return (fraud), " + dkk(50_000) + ", and no Fraud policy line"},
		{"answered late", true, true, false, stoprequest.OutcomeReversed, "Return (fraud), " + dkk(50_000) + ", and no Fraud policy line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newDecisionsEnv(t)
			if tc.covered {
				e.coveredShop()
			}
			r := e.stopped(50_000)
			if tc.late {
				e.clk.Advance(49 * time.Hour)
			}
			r = e.shippedWithGLS(r)
			analyst := e.staff(account.RoleSecurityAnalyst, "Sam Security")
			c := e.client()
			c.signIn(analyst)
			pagePath := "/staff/stop-requests/" + r.ID
			_, body := c.get(pagePath)
			wantPolicy := map[bool]string{true: "The fraud policy is met", false: "The fraud policy is not met"}[tc.met]
			if !strings.Contains(body, `id="stop-policy-met">`+wantPolicy+`<`) {
				t.Errorf("page does not say %q", wantPolicy)
			}
			res, _ := c.post(pagePath+"/settle", settleForm(r, "Carrier shows the parcel delivered"))
			wantRedirect(t, res, pagePath)
			_, body = c.get(pagePath)
			if !strings.Contains(html.UnescapeString(body), tc.notice) {
				t.Errorf("notice lacks %q", tc.notice)
			}
			got := e.stopRequest(r.OrderID)
			if got.Status != stoprequest.StatusClosed || got.Outcome != tc.outcome {
				t.Errorf("request %s %s, want closed %s", got.Status, got.Outcome, tc.outcome)
			}
			en := e.auditEntries(r.OrderID, stoprequest.ActionWrittenOff)
			if len(en) != 1 || en[0].Actor != "staff:"+analyst.ID {
				t.Fatalf("write-off audit %+v", en)
			}
			var d struct {
				PolicyMet    bool   `json:"policy_met"`
				Returned     int64  `json:"returned"`
				PolicyAmount int64  `json:"policy_amount"`
				Reason       string `json:"reason"`
			}
			if err := json.Unmarshal(en[0].Details, &d); err != nil {
				t.Fatal(err)
			}
			wantPolicyAmount := map[bool]int64{true: 40_000, false: 0}[tc.met]
			if d.PolicyMet != tc.met || d.Returned != 50_000 || d.PolicyAmount != wantPolicyAmount || d.Reason != "Carrier shows the parcel delivered" {
				t.Errorf("write-off %+v", d)
			}
			if o, err := e.app.Checkout.ReviewOrder(e.ctx, r.OrderID); err != nil || o.Status != checkout.StatusClosed {
				t.Errorf("order %s %v, want CLOSED", o.Status, err)
			}
			for _, s := range []string{`id="stop-writeoff-return">` + dkk(50_000) + `<`, "Settled as a fraud loss", "Carrier shows the parcel delivered"} {
				if !strings.Contains(html.UnescapeString(body), s) {
					t.Errorf("page after settling lacks %q", s)
				}
			}
			if strings.Contains(body, `id="settle-form"`) {
				t.Error("a closed request still offers to settle")
			}
			e.wantLedgerBalanced()
		})
	}
}

// TestSettleStopRequestRefused: a missing or too long reason is shown again
// (422), a bad version is 400, a forged CSRF token 403; an unanswered
// request, a stale version and a closed request are refused with a notice;
// none of them writes anything.
func TestSettleStopRequestRefused(t *testing.T) {
	e := newDecisionsEnv(t)
	open := e.stopped(30_000)
	r := e.shippedWithGLS(e.stopped(50_000))
	analyst := e.staff(account.RoleSecurityAnalyst, "Sam Security")
	c := e.client()
	c.signIn(analyst)
	pagePath := "/staff/stop-requests/" + r.ID
	_, body := c.get("/staff/stop-requests/" + open.ID)
	if strings.Contains(body, `id="settle-form"`) || !strings.Contains(body, "The merchant has not answered yet.") {
		t.Error("an unanswered request offers to settle")
	}
	nothingWritten := func(what string) {
		t.Helper()
		for _, want := range []stoprequest.Request{open, r} {
			if got := e.stopRequest(want.OrderID); got.Version != want.Version || got.Status != want.Status {
				t.Errorf("%s changed the request of %s", what, want.Reference)
			}
			if n := len(e.auditEntries(want.OrderID, stoprequest.ActionWrittenOff)); n != 0 {
				t.Errorf("%s: %d write-offs", what, n)
			}
		}
	}
	c.get(pagePath)
	res, body := c.post(pagePath+"/settle", settleForm(r, "  "))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "f-reason-error") {
		t.Errorf("no reason: %d", res.StatusCode)
	}
	res, body = c.post(pagePath+"/settle", settleForm(r, strings.Repeat("x", 501)))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "f-reason-error") {
		t.Errorf("long reason: %d", res.StatusCode)
	}
	bad := settleForm(r, "Lost")
	bad.Set("version", "x")
	if res, _ := c.post(pagePath+"/settle", bad); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad version: %d", res.StatusCode)
	}
	forged := settleForm(r, "Lost")
	forged.Set("csrf_token", "forged")
	if res, _ := c.post(pagePath+"/settle", forged); res.StatusCode != http.StatusForbidden {
		t.Errorf("forged CSRF token: %d", res.StatusCode)
	}
	if res, _ := c.post("/staff/stop-requests/"+r.OrderID+"/settle", settleForm(r, "Lost")); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown request: %d", res.StatusCode)
	}
	nothingWritten("a refused form")

	res, _ = c.post("/staff/stop-requests/"+open.ID+"/settle", settleForm(open, "Lost"))
	wantRedirect(t, res, "/staff/stop-requests/"+open.ID)
	if _, body := c.get("/staff/stop-requests/" + open.ID); !strings.Contains(body, "The stop request changed while you were looking at it") {
		t.Error("no notice for an unanswered request")
	}
	stale := r
	stale.Version--
	res, _ = c.post(pagePath+"/settle", settleForm(stale, "Lost"))
	wantRedirect(t, res, pagePath)
	if _, body := c.get(pagePath); !strings.Contains(body, "The stop request changed while you were looking at it") {
		t.Error("no notice for a stale version")
	}
	nothingWritten("a stale or unanswered request")

	res, _ = c.post(pagePath+"/settle", settleForm(r, "Lost"))
	wantRedirect(t, res, pagePath)
	c.get(pagePath)
	res, _ = c.post(pagePath+"/settle", settleForm(e.stopRequest(r.OrderID), "Lost again"))
	wantRedirect(t, res, pagePath)
	if _, body := c.get(pagePath); !strings.Contains(body, "This stop request is already closed, so nothing was changed.") {
		t.Error("no notice for a closed request")
	}
	if n := len(e.auditEntries(r.OrderID, stoprequest.ActionWrittenOff)); n != 1 {
		t.Errorf("%d write-offs after settling twice", n)
	}
	e.wantLedgerBalanced()
}

// TestStopRequestTrackingAndOrderPage: showing the tracking number is
// audited with the view; the order's page links to its stop request for
// security analysts and shows its status without the link to risk
// analysts.
func TestStopRequestTrackingAndOrderPage(t *testing.T) {
	e := newDecisionsEnv(t)
	r := e.shippedWithGLS(e.stopped(50_000))
	analyst := e.staff(account.RoleSecurityAnalyst, "Sam Security")
	c := e.client()
	c.signIn(analyst)
	pagePath := "/staff/stop-requests/" + r.ID
	_, body := c.get(pagePath)
	if strings.Contains(body, testTracking) || !strings.Contains(body, `id="show-tracking"`) {
		t.Error("the tracking number shows without asking")
	}
	_, body = c.get(pagePath + "?tracking=show")
	if !strings.Contains(body, `<code id="stop-tracking-number">`+testTracking+`</code>`) {
		t.Error("the tracking number does not show on request")
	}
	var shown []bool
	for _, en := range e.auditEntries(r.OrderID, backoffice.ActionOrderViewed) {
		var d struct {
			Page  string `json:"page"`
			ID    string `json:"stop_request_id"`
			Shown bool   `json:"tracking_number_shown"`
		}
		if err := json.Unmarshal(en.Details, &d); err != nil {
			t.Fatal(err)
		}
		if d.Page == "stop_request" && d.ID == r.ID && en.Actor == "staff:"+analyst.ID {
			shown = append(shown, d.Shown)
		}
	}
	if len(shown) != 2 || shown[0] || !shown[1] {
		t.Errorf("views audited %v, want [false true]", shown)
	}

	_, body = c.get("/staff/orders/" + r.OrderID)
	if !strings.Contains(body, `<a href="`+pagePath+`" id="stop-request-link">`) || !strings.Contains(body, "Waiting for the parcel to come back") {
		t.Error("the order page does not link to its stop request")
	}
	risk := e.client()
	risk.signIn(e.staff(account.RoleRiskAnalyst, "Rita Risk"))
	_, body = risk.get("/staff/orders/" + r.OrderID)
	if !strings.Contains(body, `id="stop-request-status"`) || strings.Contains(body, `id="stop-request-link"`) {
		t.Error("a risk analyst's order page should show the stop request without the link")
	}
}
