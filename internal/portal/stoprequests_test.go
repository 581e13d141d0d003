package portal_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/portal"
	"github.com/tillit/tillit/internal/signedlink"
	"github.com/tillit/tillit/internal/stoprequest"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// newStopEnv is newEnv with the portal serving stop requests.
func newStopEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	pages, err := portal.New(portal.Config{
		DB: e.app.DB, Checkout: e.app.Checkout, Accounts: e.app.Accounts, Key: []byte(e.app.WebKey),
		StopRequests: e.app.StopRequests, Logger: logscan.LoggerTo(testLog{t}),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/static/", web.Static())
	mux.Handle(portal.Prefix, pages.Handler())
	t.Cleanup(e.srv.Close) // newEnv's cleanup closes the server below
	e.pages, e.srv = pages, httptest.NewServer(mux)
	return e
}

// stopped places an order for amount (captured in full when capture is
// set), has an analyst stop it as checkout's callers do, and returns the
// order's stop request and the path of its signed form link.
func (e *env) stopped(amount int64, capture bool) (stoprequest.Request, string) {
	e.t.Helper()
	id := e.order(amount)
	if capture {
		e.capture(id, amount)
	}
	if err := e.app.Checkout.DecideFraudStatus(e.ctx, "staff:analyst", id, checkout.FraudStopped, "post-approval review"); err != nil {
		e.t.Fatal(err)
	}
	req := e.stopRequest(id)
	u, err := url.Parse(e.app.StopRequests.FormURL(req))
	if err != nil {
		e.t.Fatal(err)
	}
	return req, u.Path
}

// stopRequest returns the order's stop request as it stands.
func (e *env) stopRequest(orderID string) stoprequest.Request {
	e.t.Helper()
	req, found, err := e.app.StopRequests.GetForOrder(e.ctx, "", orderID)
	if err != nil || !found {
		e.t.Fatalf("stop request of %s: %v (found %v)", orderID, err, found)
	}
	return req
}

// runJobs runs the jobs due now (the carrier recall).
func (e *env) runJobs() {
	e.t.Helper()
	if _, err := e.app.Runner.RunDue(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

// wantUnchanged fails unless the stop request is as before: nothing was
// written.
func (e *env) wantUnchanged(before stoprequest.Request) {
	e.t.Helper()
	now := e.stopRequest(before.OrderID)
	if now.Version != before.Version || now.Status != before.Status || now.Answer != before.Answer {
		e.t.Errorf("stop request changed: version %d→%d, status %s→%s, answer %q→%q",
			before.Version, now.Version, before.Status, now.Status, before.Answer, now.Answer)
	}
}

// consumerDetails are the test consumer's details, which no stop-request
// page may show.
var consumerDetails = []string{"Anna", "Jensen", "anna@example.dk", "Sletten", "Klarup", "+4520123456", "1990-05-17"}

// wantNoConsumer fails when a page names the consumer.
func wantNoConsumer(t *testing.T, what, body string) {
	t.Helper()
	for _, d := range consumerDetails {
		if strings.Contains(body, d) {
			t.Errorf("%s shows the consumer's %q", what, d)
		}
	}
}

// stopVariant is one answer and where it leads.
type stopVariant struct {
	name    string
	capture bool
	form    url.Values
	// status, outcome and recall are the request's after the answer and
	// the jobs due.
	status, outcome, recall string
	// refunded is set when the captured amount must be refunded.
	refunded bool
}

// copyForm copies a form, so that posting it (which adds the CSRF token)
// leaves the original as it was.
func copyForm(f url.Values) url.Values {
	out := url.Values{}
	for k, vs := range f {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// stopVariants are the four answers, with their questions' variants.
var stopVariants = []stopVariant{
	{name: "not shipped, Tillit removes", form: url.Values{"answer": {"not_shipped"}, "removal_not_shipped": {"tillit"}},
		status: stoprequest.StatusClosed, outcome: stoprequest.OutcomeRemoved},
	{name: "not shipped, own system removes", form: url.Values{"answer": {"not_shipped"}, "removal_not_shipped": {"merchant"}},
		status: stoprequest.StatusAwaitingRemoval},
	{name: "service cut off", capture: true, form: url.Values{"answer": {"service"}, "service_stopped": {"yes"}, "removal_service": {"tillit"}},
		status: stoprequest.StatusClosed, outcome: stoprequest.OutcomeRemoved, refunded: true},
	{name: "service cannot be stopped", capture: true, form: url.Values{"answer": {"service"}, "service_stopped": {"no"}},
		status: stoprequest.StatusAwaitingDispute},
	{name: "shipped with PostNord", capture: true,
		form:   url.Values{"answer": {"shipped"}, "carrier": {"PostNord"}, "tracking_number": {"RR 1234 5670 6DK"}, "picked_up": {"no"}},
		status: stoprequest.StatusAwaitingReturn, recall: stoprequest.RecallRecalled},
	{name: "shipped with PostNord, already delivered", capture: true,
		form:   url.Values{"answer": {"shipped"}, "carrier": {"Posten"}, "tracking_number": {"RR123456785DK"}, "picked_up": {"yes"}},
		status: stoprequest.StatusClosed, outcome: stoprequest.OutcomeReversed, recall: stoprequest.RecallDelivered},
	{name: "shipped with DB Schenker, unknown number", capture: true,
		form:   url.Values{"answer": {"shipped"}, "carrier": {"DB Schenker (Privpak)"}, "tracking_number": {"RR123456780DK"}, "picked_up": {"unknown"}},
		status: stoprequest.StatusAwaitingReturn, recall: stoprequest.RecallUnknownTracking},
	{name: "shipped with another carrier", capture: true,
		form:   url.Values{"answer": {"shipped"}, "carrier": {"GLS"}, "tracking_number": {"GLS-778812"}, "picked_up": {"yes"}},
		status: stoprequest.StatusAwaitingReturn, recall: stoprequest.RecallByMerchant},
	{name: "shipped without a tracking number", capture: true,
		form:   url.Values{"answer": {"shipped"}, "carrier": {"Bring"}, "no_tracking_number": {"yes"}, "picked_up": {"yes"}},
		status: stoprequest.StatusClosed, outcome: stoprequest.OutcomeReversed},
	{name: "parcel came back", capture: true, form: url.Values{"answer": {"returned"}, "removal_returned": {"tillit"}},
		status: stoprequest.StatusClosed, outcome: stoprequest.OutcomeReturned, refunded: true},
}

// checkVariant checks where an answer led: the request's state, the order's
// refund, the page's result and the audit entry's actor.
func (e *env) checkVariant(c *client, v stopVariant, req stoprequest.Request, page, actor string) {
	e.t.Helper()
	e.runJobs()
	got := e.stopRequest(req.OrderID)
	if got.Status != v.status || got.Outcome != v.outcome || got.RecallStatus != v.recall {
		e.t.Errorf("%s: status %s, outcome %q, recall %q; want %s, %q, %q", v.name, got.Status, got.Outcome, got.RecallStatus, v.status, v.outcome, v.recall)
	}
	o := e.getOrder(req.OrderID)
	if v.refunded && o.RefundedAmount != o.CapturedAmount {
		e.t.Errorf("%s: refunded %d of %d captured", v.name, o.RefundedAmount, o.CapturedAmount)
	}
	if v.name == "not shipped, Tillit removes" && o.Status != checkout.StatusCancelled {
		e.t.Errorf("%s: order %s, want cancelled", v.name, o.Status)
	}
	_, body := c.get(page)
	wantContains(e.t, v.name+" result", body, `id="stop-request-answer"`, `id="stop-request-status"`)
	if v.recall != "" {
		wantContains(e.t, v.name+" result", body, `id="stop-request-recall"`)
	}
	entries := e.auditEntries(req.OrderID, stoprequest.ActionAnswered)
	if len(entries) != 1 || entries[0].Actor != actor {
		e.t.Errorf("%s: answer audited %d times, by %v; want once by %s", v.name, len(entries), entries, actor)
	}
}

func TestStopRequestAnswersInPortal(t *testing.T) {
	e := newStopEnv(t)
	owner := e.user(account.MerchantOwner, "Olivia Owner")
	c := e.client()
	c.signIn(owner)
	for _, v := range stopVariants {
		req, _ := e.stopped(40000, v.capture)
		page := "/portal/stop-requests/" + req.ID
		res, body := c.get(page)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: page %d", v.name, res.StatusCode)
		}
		wantContains(t, v.name+" form", body, `id="answer-form"`, req.Reference, `id="stop-request-why"`, `/portal/orders/`+req.OrderID)
		wantNoConsumer(t, v.name+" page", body)
		// The order's page points to its stop request.
		_, orderPage := c.get("/portal/orders/" + req.OrderID)
		wantContains(t, v.name+" order page", orderPage, `id="order-stop-request"`, `href="`+page+`"`)
		res, body = c.post(page, copyForm(v.form))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page {
			t.Fatalf("%s: answer %d to %q\n%s", v.name, res.StatusCode, res.Header.Get("Location"), body)
		}
		_, body = c.get(page)
		wantContains(t, v.name+" after", body, "Thank you. Your answer is recorded.")
		e.checkVariant(c, v, req, page, "merchant_user:"+owner.ID)
	}
}

func TestStopRequestAnswersByLink(t *testing.T) {
	e := newStopEnv(t)
	e.user(account.MerchantAdmin, "Adam Admin")
	for _, v := range stopVariants {
		req, link := e.stopped(40000, v.capture)
		c := e.client() // not signed in
		res, body := c.get(link)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: link page %d\n%s", v.name, res.StatusCode, body)
		}
		wantContains(t, v.name+" link page", body, `id="answer-form"`, req.Reference, `id="stop-request-amount"`, `id="stop-request-deadline"`)
		wantNoConsumer(t, v.name+" link page", body)
		if strings.Contains(body, `/portal/orders/`) || strings.Contains(body, `class="site-nav"`) {
			t.Errorf("%s: the link page links into the signed-in portal", v.name)
		}
		res, _ = c.post(link, copyForm(v.form))
		wantRedirect(t, res, link)
		e.checkVariant(c, v, req, link, "link")
		_, body = c.get(link)
		wantNoConsumer(t, v.name+" result", body)
		if strings.Contains(body, "RR123456706DK") {
			t.Errorf("%s: the link page shows the tracking number", v.name)
		}
	}
}

func TestStopRequestRemovalConfirmedAfterOwnSystem(t *testing.T) {
	e := newStopEnv(t)
	owner := e.user(account.MerchantOwner, "Olivia Owner")
	for _, byLink := range []bool{false, true} {
		req, link := e.stopped(25000, false)
		c := e.client()
		page := link
		if !byLink {
			c.signIn(owner)
			page = "/portal/stop-requests/" + req.ID
		}
		c.get(page)
		res, _ := c.post(page, url.Values{"answer": {"not_shipped"}, "removal_not_shipped": {"merchant"}})
		wantRedirect(t, res, page)
		_, body := c.get(page)
		wantContains(t, "awaiting removal", body, `id="confirm-form"`, "Awaiting your confirmation")
		if strings.Contains(body, `id="answer-form"`) {
			t.Error("the answer form is offered while a removal is awaited")
		}
		// Confirming before the order system removed it changes nothing.
		before := e.stopRequest(req.OrderID)
		res, body = c.post(page, url.Values{"action": {"confirm"}})
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("early confirm: %d", res.StatusCode)
		}
		wantContains(t, "early confirm", body, "The order can still be charged.")
		e.wantUnchanged(before)
		// The merchant's own system cancels through the API, then confirms.
		e.write(func(tx *store.Tx) error { return e.app.Checkout.Cancel(tx, e.shop.ID, req.OrderID) })
		res, _ = c.post(page, url.Values{"action": {"confirm"}})
		wantRedirect(t, res, page)
		got := e.stopRequest(req.OrderID)
		if got.Status != stoprequest.StatusClosed || got.Outcome != stoprequest.OutcomeRemoved || got.Details.RemovalConfirmedAt == nil {
			t.Errorf("after confirm: %s %s %v", got.Status, got.Outcome, got.Details.RemovalConfirmedAt)
		}
		_, body = c.get(page)
		wantContains(t, "confirmed", body, "The invoice is removed and the stop request is closed.", "Stopped in time: the invoice is removed")
	}
}

func TestStopRequestRecalledParcelComesBack(t *testing.T) {
	e := newStopEnv(t)
	owner := e.user(account.MerchantOwner, "Olivia Owner")
	c := e.client()
	c.signIn(owner)
	req, _ := e.stopped(60000, true)
	page := "/portal/stop-requests/" + req.ID
	c.get(page)
	// A number the carrier does not know is corrected, then recalled.
	res, _ := c.post(page, url.Values{"answer": {"shipped"}, "carrier": {"postnord"}, "tracking_number": {"RR123456780DK"}, "picked_up": {"no"}})
	wantRedirect(t, res, page)
	e.runJobs()
	_, body := c.get(page)
	wantContains(t, "unknown number", body, "The carrier does not know this tracking number", "Correct the tracking number", `value="postnord"`)
	if strings.Contains(body, `name="no_tracking_number"`) {
		t.Error("a correction offers shipping without a tracking number")
	}
	res, body = c.post(page, url.Values{"answer": {"shipped"}, "carrier": {"postnord"}, "tracking_number": {""}, "picked_up": {"no"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty correction: %d", res.StatusCode)
	}
	wantContains(t, "empty correction", body, "Enter the corrected tracking number.")
	res, _ = c.post(page, url.Values{"answer": {"shipped"}, "carrier": {"postnord"}, "tracking_number": {"RR123456706DK"}, "picked_up": {"no"}})
	wantRedirect(t, res, page)
	e.runJobs()
	if got := e.stopRequest(req.OrderID); got.RecallStatus != stoprequest.RecallRecalled || got.TrackingNumber != "RR123456706DK" {
		t.Fatalf("after correction: %s %q", got.RecallStatus, got.TrackingNumber)
	}
	if n := len(e.auditEntries(req.OrderID, stoprequest.ActionAnsweredCorrect)); n != 1 {
		t.Errorf("correction audited %d times", n)
	}
	_, body = c.get(page)
	wantContains(t, "recalled", body, "Recalled: the carrier is sending the parcel back to you", "The parcel has come back to us", "RR123456706DK")
	// The parcel arrives; the merchant registers it returned.
	res, _ = c.post(page, url.Values{"answer": {"returned"}, "removal_returned": {"tillit"}})
	wantRedirect(t, res, page)
	got := e.stopRequest(req.OrderID)
	if got.Status != stoprequest.StatusClosed || got.Outcome != stoprequest.OutcomeReturned {
		t.Errorf("after the return: %s %s", got.Status, got.Outcome)
	}
	if o := e.getOrder(req.OrderID); o.RefundedAmount != 60000 {
		t.Errorf("refunded %d, want the whole order", o.RefundedAmount)
	}
}

func TestStopRequestFormMistakesWriteNothing(t *testing.T) {
	e := newStopEnv(t)
	owner := e.user(account.MerchantOwner, "Olivia Owner")
	c := e.client()
	c.signIn(owner)
	req, _ := e.stopped(30000, true)
	page := "/portal/stop-requests/" + req.ID
	c.get(page)
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{}, "Choose what happened to the order."},
		{url.Values{"answer": {"teleported"}}, "Choose what happened to the order."},
		{url.Values{"answer": {"not_shipped"}}, "Choose who removes the invoice."},
		{url.Values{"answer": {"service"}}, "Say whether the service can be stopped."},
		{url.Values{"answer": {"service"}, "service_stopped": {"yes"}}, "Choose who removes the invoice."},
		{url.Values{"answer": {"shipped"}, "tracking_number": {"RR123456706DK"}, "picked_up": {"no"}}, "Enter the carrier, at most 60 characters."},
		{url.Values{"answer": {"shipped"}, "carrier": {"PostNord"}, "picked_up": {"no"}}, "Enter the tracking number, or state that the parcel was shipped without one."},
		{url.Values{"answer": {"shipped"}, "carrier": {"PostNord"}, "tracking_number": {"RR1"}, "no_tracking_number": {"yes"}, "picked_up": {"no"}},
			"Leave the tracking number empty when you state that the parcel was shipped without one."},
		{url.Values{"answer": {"shipped"}, "carrier": {"PostNord"}, "tracking_number": {"RR#1"}, "picked_up": {"no"}}, "letters and digits only"},
		{url.Values{"answer": {"shipped"}, "carrier": {"PostNord"}, "tracking_number": {"RR123456706DK"}}, "Say whether the parcel has been picked up."},
		{url.Values{"answer": {"returned"}, "removal_returned": {"everyone"}}, "Choose who removes the invoice."},
	} {
		res, body := c.post(page, tc.form)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d, want 422", tc.form, res.StatusCode)
			continue
		}
		wantContains(t, tc.form.Encode(), body, tc.want, `class="notice notice--error error-summary"`)
	}
	e.wantUnchanged(req)
	if n := len(e.auditEntries(req.OrderID, stoprequest.ActionAnswered)); n != 0 {
		t.Errorf("%d answers audited", n)
	}
}

func TestStopRequestViewerReadsOnly(t *testing.T) {
	e := newStopEnv(t)
	viewer := e.user(account.MerchantViewer, "Vera Viewer")
	req, _ := e.stopped(30000, false)
	c := e.client()
	c.signIn(viewer)
	page := "/portal/stop-requests/" + req.ID
	res, body := c.get(page)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("viewer page %d", res.StatusCode)
	}
	wantContains(t, "viewer page", body, `id="viewer-note"`, req.Reference)
	if strings.Contains(body, `id="answer-form"`) {
		t.Error("a viewer is offered the answer form")
	}
	for _, form := range []url.Values{
		{"answer": {"not_shipped"}, "removal_not_shipped": {"tillit"}},
		{"action": {"confirm"}},
	} {
		if res, _ := c.post(page, form); res.StatusCode != http.StatusForbidden {
			t.Errorf("viewer post %v: %d, want 403", form, res.StatusCode)
		}
	}
	e.wantUnchanged(req)
	if o := e.getOrder(req.OrderID); o.Status != checkout.StatusAuthorized {
		t.Errorf("order %s after the viewer's posts", o.Status)
	}
}

func TestStopRequestOfAnotherMerchantIsNotFound(t *testing.T) {
	e := newStopEnv(t)
	e.user(account.MerchantOwner, "Olivia Owner")
	req, _ := e.stopped(30000, false)
	other := e.merchant("Other Shop", "")
	stranger := e.userOf(other, account.MerchantOwner, "Sam Stranger")
	c := e.client()
	c.signIn(stranger)
	page := "/portal/stop-requests/" + req.ID
	if res, _ := c.get(page); res.StatusCode != http.StatusNotFound {
		t.Errorf("another merchant's request: %d, want 404", res.StatusCode)
	}
	if res, _ := c.post(page, url.Values{"answer": {"not_shipped"}, "removal_not_shipped": {"tillit"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("answering another merchant's request: %d, want 404", res.StatusCode)
	}
	_, body := c.get("/portal/stop-requests")
	if strings.Contains(body, req.Reference) || strings.Contains(body, `id="stop-request-banner"`) {
		t.Error("another merchant sees the request in its list or banner")
	}
	e.wantUnchanged(req)
}

func TestStopRequestLinksThatOpenNothing(t *testing.T) {
	e := newStopEnv(t)
	e.user(account.MerchantOwner, "Olivia Owner")
	req, link := e.stopped(30000, false)
	other, otherLink := e.stopped(20000, false)
	token := strings.TrimPrefix(link, stoprequest.FormPath)
	signer, err := signedlink.New([]byte(e.app.WebKey))
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := signedlink.New([]byte(strings.Repeat("another instance's key ", 3)))
	if err != nil {
		t.Fatal(err)
	}
	altered := []byte(token)
	altered[len(altered)/2] ^= 1
	// The link of req re-pointed at the other request, keeping its MAC.
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatal(err)
	}
	repointed := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), req.ID, other.ID, 1)))
	answer := url.Values{"answer": {"not_shipped"}, "removal_not_shipped": {"tillit"}}

	c := e.client()
	c.get(otherLink) // a page with a form, for the CSRF token
	for name, bad := range map[string]string{
		"altered":         string(altered),
		"re-pointed":      repointed,
		"another key":     foreign.Token(stoprequest.LinkPurpose, req.ID, req.LinkExpiresAt),
		"another purpose": signer.Token("case-reply", req.ID, req.LinkExpiresAt),
		"garbage":         "not-a-token",
	} {
		for _, form := range []url.Values{nil, answer, {"action": {"confirm"}}} {
			var (
				res  *http.Response
				body string
			)
			if form == nil {
				res, body = c.get(stoprequest.FormPath + bad)
			} else {
				res, body = c.post(stoprequest.FormPath+bad, copyForm(form))
			}
			if res.StatusCode != http.StatusBadRequest {
				t.Errorf("%s link (%v): %d, want 400", name, form, res.StatusCode)
			}
			wantContains(t, name+" link", body, "This link does not work")
		}
	}
	// A genuine link for something that is not a stop request opens nothing.
	if res, _ := c.get(stoprequest.FormPath + signer.Token(stoprequest.LinkPurpose, req.OrderID, req.LinkExpiresAt)); res.StatusCode != http.StatusNotFound {
		t.Errorf("link for an order id: %d, want 404", res.StatusCode)
	}
	// After expiry the genuine link is gone.
	e.clk.Set(req.LinkExpiresAt.Add(time.Second))
	for _, form := range []url.Values{nil, answer} {
		var (
			res  *http.Response
			body string
		)
		if form == nil {
			res, body = c.get(link)
		} else {
			res, body = c.post(link, copyForm(form))
		}
		if res.StatusCode != http.StatusGone {
			t.Errorf("expired link (%v): %d, want 410", form, res.StatusCode)
		}
		wantContains(t, "expired link", body, "This link has expired")
	}
	e.wantUnchanged(req)
	e.wantUnchanged(other)
	if o := e.getOrder(req.OrderID); o.Status != checkout.StatusAuthorized {
		t.Errorf("order %s after refused links", o.Status)
	}
}

func TestStopRequestAnsweredTwice(t *testing.T) {
	e := newStopEnv(t)
	owner := e.user(account.MerchantOwner, "Olivia Owner")
	req, link := e.stopped(30000, false)
	first := url.Values{"answer": {"not_shipped"}, "removal_not_shipped": {"tillit"}}
	second := url.Values{"answer": {"service"}, "service_stopped": {"no"}}

	viaLink := e.client()
	viaLink.get(link)
	res, _ := viaLink.post(link, first)
	wantRedirect(t, res, link)
	answered := e.stopRequest(req.OrderID)

	// The same link again: the form is gone, and a stale form is refused.
	_, body := viaLink.get(link)
	if strings.Contains(body, `id="answer-form"`) {
		t.Error("an answered request still offers the form")
	}
	res, body = viaLink.post(link, copyForm(second))
	if res.StatusCode != http.StatusConflict {
		t.Errorf("second answer by link: %d, want 409", res.StatusCode)
	}
	wantContains(t, "second answer", body, "This stop request has already been answered", "Stopped in time: the invoice is removed")

	// And in the portal.
	c := e.client()
	c.signIn(owner)
	page := "/portal/stop-requests/" + req.ID
	c.get(page)
	if res, _ := c.post(page, copyForm(second)); res.StatusCode != http.StatusConflict {
		t.Errorf("second answer in the portal: %d, want 409", res.StatusCode)
	}
	if res, _ := c.post(page, url.Values{"action": {"confirm"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("confirming a closed request: %d, want 409", res.StatusCode)
	}
	e.wantUnchanged(answered)
	if n := len(e.auditEntries(req.OrderID, stoprequest.ActionAnswered)); n != 1 {
		t.Errorf("%d answers audited, want 1", n)
	}
}

func TestStopRequestBannerAndList(t *testing.T) {
	e := newStopEnv(t)
	owner := e.user(account.MerchantOwner, "Olivia Owner")
	viewer := e.user(account.MerchantViewer, "Vera Viewer")
	c := e.client()
	c.signIn(owner)
	_, body := c.get("/portal/")
	if strings.Contains(body, `id="stop-request-banner"`) {
		t.Error("a banner without stop requests")
	}
	small, _ := e.stopped(10000, false)
	large, _ := e.stopped(90000, false)
	for _, u := range []account.MerchantUser{owner, viewer} {
		uc := e.client()
		uc.signIn(u)
		for _, path := range []string{"/portal/", "/portal/orders", "/portal/settlements", "/portal/webhooks", "/portal/payment-methods"} {
			_, body := uc.get(path)
			wantContains(t, string(u.Role)+" "+path, body, `id="stop-request-banner"`, "Stop requests waiting for you: 2.", `href="/portal/stop-requests"`)
		}
	}
	// The larger amount comes first at the same deadline.
	_, body = c.get("/portal/stop-requests")
	if i, j := strings.Index(body, large.Reference), strings.Index(body, small.Reference); i < 0 || j < 0 || i > j {
		t.Errorf("list order: %s at %d, %s at %d", large.Reference, i, small.Reference, j)
	}
	wantContains(t, "list", body, `id="waiting"`, `id="none-closed"`, "/portal/orders/"+large.OrderID, "/portal/stop-requests/"+large.ID, "Awaiting your answer")
	if strings.Contains(body, "Overdue") {
		t.Error("overdue before the deadline")
	}
	e.clk.Set(large.DeadlineAt.Add(time.Minute))
	c = e.client() // the session ended meanwhile
	c.signIn(owner)
	_, body = c.get("/portal/stop-requests")
	wantContains(t, "list after the deadline", body, "Overdue")
	_, body = c.get("/portal/stop-requests/" + large.ID)
	wantContains(t, "overdue page", body, "Overdue", "The deadline has passed")

	// Answered, one request leaves the banner's count and moves to closed.
	c.get("/portal/stop-requests/" + small.ID)
	res, _ := c.post("/portal/stop-requests/"+small.ID, url.Values{"answer": {"not_shipped"}, "removal_not_shipped": {"tillit"}})
	wantRedirect(t, res, "/portal/stop-requests/"+small.ID)
	_, body = c.get("/portal/stop-requests")
	wantContains(t, "list after an answer", body, "Stop requests waiting for you: 1.", `id="closed"`, "Stopped in time: the invoice is removed")
}
