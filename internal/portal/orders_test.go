package portal_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/portal"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

// TestOrderActions captures part of an order, refunds part, releases the
// rest, and cancels another order, all through the order page: each runs the
// checkout operation with its audit entry, shows its notice, and leaves a
// ledger that verifies.
func TestOrderActions(t *testing.T) {
	e := newEnv(t)
	admin := e.user(account.MerchantAdmin, "Ada Admin")
	order := e.place(orderSpec{merchant: e.shop, amount: 125000, method: "pay_in_parts", ref: "SHOP-1001"})
	c := e.client()
	c.signIn(admin)

	res, body := c.get("/portal/orders/" + order)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("order page: %d", res.StatusCode)
	}
	ref := e.reference(order)
	wantContains(t, "order page", body, "Order "+ref, "SHOP-1001", "Pay in 3", "Authorized", "Rain jacket",
		`name="capture_amount" type="text" value="1250.00"`, "Capture what you have shipped, at most DKK\u00a01,250.00.",
		"Cancel order", "Order placed for DKK\u00a01,250.00")
	for _, personal := range []string{"Jensen", "Sletten", "Klarup", "1990-05-17", "+4520123456", "anna@example.dk"} {
		if strings.Contains(body, personal) {
			t.Errorf("order page shows the buyer's %q", personal)
		}
	}
	if strings.Contains(body, "Release the rest") || strings.Contains(body, "Amount to refund") {
		t.Error("an uncaptured order offers release or refund")
	}

	// Capture part, in Danish notation, from a Danish page.
	res, _ = c.get("/portal/orders/" + order + "?lang=da")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("Danish order page: %d", res.StatusCode)
	}
	res, _ = c.post("/portal/orders/"+order+"/capture", url.Values{"capture_amount": {"1.000,00"}})
	wantRedirect(t, res, "/portal/orders/"+order)
	_, body = c.get("/portal/orders/" + order)
	wantContains(t, "Danish order page after capture", body, "1.000,00\u00a0kr. er trukket.", "Delvist trukket")
	_, body = c.get("/portal/orders/" + order + "?lang=en")
	wantContains(t, "order page after capture", body, "Partly captured",
		"<dd id=\"order-captured\">DKK\u00a01,000.00</dd>", "<dd id=\"order-remaining\">DKK\u00a0250.00</dd>", "Release the rest",
		"DKK\u00a01,000.00 captured", "Ada Admin", "The buyer&#39;s payments")
	o := e.getOrder(order)
	if o.Status != checkout.StatusPartCaptured || o.CapturedAmount != 100000 || len(o.Captures) != 1 {
		t.Fatalf("after capture: %s, captured %d", o.Status, o.CapturedAmount)
	}
	if got := e.auditEntries(order, portal.ActionCaptured); len(got) != 1 || got[0].Actor != "merchant_user:"+admin.ID ||
		!strings.Contains(string(got[0].Details), o.Captures[0].CaptureID) || !strings.Contains(string(got[0].Details), `"amount":100000`) {
		t.Errorf("capture audit: %+v", got)
	}
	e.verifyLedger()

	// Submitting the same page again is refused: the order changed.
	stale := c.state
	res, _ = c.post("/portal/orders/"+order+"/capture", url.Values{"capture_amount": {"250.00"}, "state": {"PART_CAPTURED.0.0.125000"}})
	wantRedirect(t, res, "/portal/orders/"+order)
	if _, body := c.get("/portal/orders/" + order); !strings.Contains(body, "The order changed after you opened it, so nothing was done.") {
		t.Error("no notice about the changed order")
	}
	if c.state != stale {
		t.Fatalf("the page's state changed by a refused capture: %q, was %q", c.state, stale)
	}

	// Refund part with a description.
	res, _ = c.post("/portal/orders/"+order+"/refund", url.Values{"refund_amount": {"300"}, "refund_description": {"Returned one sleeve"}})
	wantRedirect(t, res, "/portal/orders/"+order)
	_, body = c.get("/portal/orders/" + order)
	wantContains(t, "order page after refund", body, "DKK\u00a0300.00 was refunded.", "Returned one sleeve",
		"<dd id=\"order-refunded\">DKK\u00a0300.00</dd>", "DKK\u00a0300.00 refunded")
	if got := e.auditEntries(order, portal.ActionRefunded); len(got) != 1 || got[0].Actor != "merchant_user:"+admin.ID {
		t.Errorf("refund audit: %+v", got)
	}
	e.verifyLedger()

	// Release the rest: the order is captured in full.
	res, _ = c.post("/portal/orders/"+order+"/release", nil)
	wantRedirect(t, res, "/portal/orders/"+order)
	_, body = c.get("/portal/orders/" + order)
	wantContains(t, "order page after release", body, "DKK\u00a0250.00 of the authorization was released.", "Remaining authorization released")
	if o := e.getOrder(order); o.Status != checkout.StatusCaptured || o.RemainingAuthorizedAmount != 0 {
		t.Errorf("after release: %s, remaining %d", o.Status, o.RemainingAuthorizedAmount)
	}
	if strings.Contains(body, "Amount to capture") || strings.Contains(body, "Cancel order") {
		t.Error("a captured order still offers capture or cancel")
	}
	if len(e.auditEntries(order, portal.ActionReleased)) != 1 {
		t.Error("the release was not audited")
	}

	// Cancel an order that has no captures.
	other := e.order(20000)
	c.get("/portal/orders/" + other)
	res, _ = c.post("/portal/orders/"+other+"/cancel", nil)
	wantRedirect(t, res, "/portal/orders/"+other)
	_, body = c.get("/portal/orders/" + other)
	wantContains(t, "cancelled order page", body, "The order was cancelled.", "Cancelled", "Order cancelled")
	if o := e.getOrder(other); o.Status != checkout.StatusCancelled {
		t.Errorf("after cancel: %s", o.Status)
	}
	if got := e.auditEntries(other, portal.ActionCancelled); len(got) != 1 || got[0].Actor != "merchant_user:"+admin.ID {
		t.Errorf("cancel audit: %+v", got)
	}
	if strings.Contains(body, `action="/portal/orders/`+other+`/`) {
		t.Error("a cancelled order still has action forms")
	}
	e.verifyLedger()
}

// TestOrderActionErrors shows bad amounts and refusals as form errors and
// changes nothing.
func TestOrderActionErrors(t *testing.T) {
	e := newEnv(t)
	owner := e.user(account.MerchantOwner, "Olivia Owner")
	order := e.order(50000)
	c := e.client()
	c.signIn(owner)
	c.get("/portal/orders/" + order)

	errorOf := func(body, field string) string {
		m := regexp.MustCompile(`id="f-` + field + `-error"><span class="visually-hidden">Error: </span>([^<]*)</p>`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return m[1]
	}
	for _, tc := range []struct{ amount, want string }{
		{"", "Fill in this field."},
		{"-5", "Enter an amount above zero."},
		{"0.00", "Enter an amount above zero."},
		{"12.345", "DKK amounts have at most 2 decimals."},
		{"99999999999999999999999", "Enter an amount no larger than DKK\u00a0100,000,000,000.00."},
		{"1,00", "Enter an amount, for example 1250.50."},
		{"five", "Enter an amount, for example 1250.50."},
		{"500.01", "You can capture at most DKK\u00a0500.00."},
	} {
		res, body := c.post("/portal/orders/"+order+"/capture", url.Values{"capture_amount": {tc.amount}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("capture %q: %d, want 422", tc.amount, res.StatusCode)
			continue
		}
		if got := errorOf(body, "capture_amount"); got != tc.want {
			t.Errorf("capture %q: error %q, want %q", tc.amount, got, tc.want)
		}
		if !strings.Contains(body, `<a href="#f-capture_amount">`) || !strings.Contains(body, `value="`+htmlEscape(tc.amount)+`"`) {
			t.Errorf("capture %q: no error summary, or the typed amount was lost", tc.amount)
		}
	}

	// A refund above what was captured is a form error, not a change.
	e.capture(order, 20000)
	c.get("/portal/orders/" + order)
	res, body := c.post("/portal/orders/"+order+"/refund", url.Values{"refund_amount": {"200.01"}, "refund_description": {"Too much"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("refund above captured: %d", res.StatusCode)
	}
	if got := errorOf(body, "refund_amount"); got != "You can refund at most DKK\u00a0200.00: what was captured and not yet refunded." {
		t.Errorf("refund error %q", got)
	}
	wantContains(t, "refused refund", body, `value="Too much"`, `aria-invalid="true"`)
	res, body = c.post("/portal/orders/"+order+"/refund", url.Values{"refund_amount": {"10"}, "refund_description": {strings.Repeat("x", 256)}})
	if res.StatusCode != http.StatusUnprocessableEntity || errorOf(body, "refund_description") != "Use no more than 255 characters." {
		t.Errorf("long description: %d %q", res.StatusCode, errorOf(body, "refund_description"))
	}
	// Cancelling a captured order is refused with a notice.
	res, _ = c.post("/portal/orders/"+order+"/cancel", nil)
	wantRedirect(t, res, "/portal/orders/"+order)
	if o := e.getOrder(order); o.CapturedAmount != 20000 || o.RefundedAmount != 0 || o.Status != checkout.StatusPartCaptured {
		t.Errorf("refused actions changed the order: %s captured %d refunded %d", o.Status, o.CapturedAmount, o.RefundedAmount)
	}
	if len(e.auditEntries(order, portal.ActionRefunded))+len(e.auditEntries(order, portal.ActionCaptured)) != 0 {
		t.Error("a refused action was audited")
	}

	// An order whose fraud check is pending cannot be captured yet.
	pending := e.place(orderSpec{merchant: e.shop, amount: 30000, email: "anna+pending-accepted@example.dk"})
	_, body = c.get("/portal/orders/" + pending)
	wantContains(t, "pending order", body, "Pending review", "once our fraud check has accepted it")
	if strings.Contains(body, "Amount to capture") {
		t.Error("a pending order offers capture")
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// TestViewerSeesNoActions shows a viewer the order without forms.
func TestViewerSeesNoActions(t *testing.T) {
	e := newEnv(t)
	order := e.order(50000)
	c := e.client()
	c.signIn(e.user(account.MerchantViewer, "Victor Viewer"))
	res, body := c.get("/portal/orders/" + order)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("order page: %d", res.StatusCode)
	}
	if strings.Contains(body, `action="/portal/orders/`) || strings.Contains(body, "Manage the order") {
		t.Error("a viewer sees action forms")
	}
	_, body = c.get("/portal/payment-methods")
	if strings.Contains(body, `action="/portal/payment-methods"`) || !strings.Contains(body, "Only owners and admins can change the payment methods.") {
		t.Error("a viewer can change the payment methods")
	}
}

// TestOtherMerchantsDataIsNotFound answers another merchant's order and
// settlement exactly like unknown ones, on every page and action.
func TestOtherMerchantsDataIsNotFound(t *testing.T) {
	e := newEnv(t)
	rival := e.merchant("Rival Shop", "")
	theirs := e.place(orderSpec{merchant: rival, amount: 40000, ref: "RIVAL-1"})
	mine := e.order(10000)
	e.write(func(tx *store.Tx) error {
		_, err := e.app.Checkout.Capture(tx, rival.ID, theirs, checkout.CaptureRequest{CapturedAmount: 40000})
		return err
	})
	e.clk.Advance(24 * time.Hour)
	theirSettlement := e.settle(rival, storetest.Start)

	c := e.client()
	c.signIn(e.user(account.MerchantOwner, "Olivia Owner"))
	// The pages differ only in their links (the language switch names the
	// page's own address).
	links := regexp.MustCompile(`href="[^"]*"`)
	_, notFound := c.get("/portal/orders/01890000-0000-7000-8000-000000000000")
	notFound = links.ReplaceAllString(notFound, "")
	for _, path := range []string{"/portal/orders/" + theirs, "/portal/settlements/" + theirSettlement.ID, "/portal/settlements/" + theirSettlement.ID + "/csv"} {
		res, body := c.get(path)
		if res.StatusCode != http.StatusNotFound || links.ReplaceAllString(body, "") != notFound {
			t.Errorf("GET %s: %d, and the page differs from an unknown id's: %v", path, res.StatusCode, links.ReplaceAllString(body, "") != notFound)
		}
	}
	c.get("/portal/orders/" + mine)
	for _, action := range []string{"capture", "refund", "cancel", "release"} {
		res, _ := c.post("/portal/orders/"+theirs+"/"+action, url.Values{"capture_amount": {"1"}, "refund_amount": {"1"}})
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s on another merchant's order: %d, want 404", action, res.StatusCode)
		}
	}
	for _, path := range []string{"/portal/orders?q=" + theirs, "/portal/orders?q=RIVAL-1", "/portal/orders", "/portal/settlements", "/portal/webhooks?order=" + theirs} {
		if _, body := c.get(path); strings.Contains(body, "/portal/orders/"+theirs) || strings.Contains(body, ">RIVAL-1<") || strings.Contains(body, theirSettlement.ID) {
			t.Errorf("%s shows the other merchant's data", path)
		}
	}
	if o, err := e.app.Checkout.GetOrder(e.ctx, rival.ID, theirs); err != nil || o.RefundedAmount != 0 || o.Status != checkout.StatusCaptured {
		t.Errorf("the other merchant's order changed: %+v %v", o.Status, err)
	}
}

// TestOrderListFiltersAndPages filters the list by status, method, search,
// amount and dates, and pages through it with cursors that keep the
// filters.
func TestOrderListFiltersAndPages(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.signIn(e.user(account.MerchantViewer, "Victor Viewer"))
	// 53 orders a minute apart: more than a page.
	var ids []string
	for i := range portal.PageSize + 3 {
		spec := orderSpec{merchant: e.shop, amount: int64(10000 + 100*i), ref: fmt.Sprintf("R-%02d", i)}
		if i%10 == 0 {
			spec.method = "pay_now"
		}
		ids = append(ids, e.place(spec))
		e.clk.Advance(time.Minute)
	}
	e.capture(ids[5], 1000)
	rows := regexp.MustCompile(`<a href="/portal/orders/([0-9a-f-]{36})">`)
	list := func(query string) ([]string, string) {
		t.Helper()
		res, body := c.get("/portal/orders" + query)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("orders%s: %d\n%s", query, res.StatusCode, body)
		}
		var got []string
		for _, m := range rows.FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		return got, body
	}
	newest := func(n ...int) []string {
		var out []string
		for _, i := range n {
			out = append(out, ids[i])
		}
		return out
	}

	first, body := list("")
	if len(first) != portal.PageSize || first[0] != ids[len(ids)-1] || strings.Contains(body, "Newer orders") || !strings.Contains(body, "Older orders") {
		t.Fatalf("first page: %d orders, first %s", len(first), first[0])
	}
	older := regexp.MustCompile(`href="(/portal/orders\?after=[^"]+)" rel="next"`).FindStringSubmatch(body)
	second, body := list(strings.ReplaceAll(strings.TrimPrefix(older[1], "/portal/orders"), "&amp;", "&"))
	if !equal(second, newest(2, 1, 0)) || !strings.Contains(body, "Newer orders") || strings.Contains(body, "Older orders") {
		t.Errorf("second page: %v", second)
	}
	newer := regexp.MustCompile(`href="(/portal/orders\?before=[^"]+)" rel="prev"`).FindStringSubmatch(body)
	back, _ := list(strings.ReplaceAll(strings.TrimPrefix(newer[1], "/portal/orders"), "&amp;", "&"))
	if !equal(back, first) {
		t.Errorf("back to the first page: %d orders", len(back))
	}

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"?status=PART_CAPTURED", newest(5)},
		{"?method=pay_now", newest(50, 40, 30, 20, 10, 0)},
		{"?q=R-07", newest(7)},
		{"?q=" + ids[9], newest(9)},
		{"?q=" + strings.ToLower(e.reference(ids[11])), newest(11)},
		{"?min_amount=150.00&max_amount=152", newest(52, 51, 50)},
		{"?min_amount=100&max_amount=100", newest(0)},
		{"?method=pay_now&min_amount=140", newest(50, 40)},
		{"?from=2026-03-02&to=2026-03-02", nil}, // filled below: every order is on that day
		{"?from=2026-03-03", []string{}},
	} {
		want := tc.want
		if want == nil {
			want = append([]string{}, first...)
		}
		got, body := list(tc.query)
		if !equal(got, want) {
			t.Errorf("%s: %d orders %v, want %v", tc.query, len(got), got, want)
		}
		if len(want) == 0 && !strings.Contains(body, "No order matches these filters.") {
			t.Errorf("%s: no empty notice", tc.query)
		}
	}
	// Paging keeps the filters.
	_, body = list("?min_amount=100")
	if !strings.Contains(body, "min_amount=100") || !strings.Contains(body, "Clear filters") {
		t.Error("the older link lost the filter")
	}

	for _, tc := range []struct{ query, field, want string }{
		{"?status=LOST", "status", "Choose one of the options."},
		{"?from=2026-02-30", "from", "Enter a date that exists."},
		{"?from=2026-03-05&to=2026-03-01", "to", "Enter an end date that is not before the start date."},
		{"?min_amount=-1", "min_amount", "Enter an amount above zero."},
		{"?max_amount=1.234", "max_amount", "DKK amounts have at most 2 decimals."},
		{"?min_amount=5&max_amount=4", "max_amount", "Enter a maximum that is not below the minimum."},
	} {
		res, body := c.get("/portal/orders" + tc.query)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<a href="#f-`+tc.field+`">`+htmlEscape(tc.want)+`</a>`) {
			t.Errorf("%s: %d, want 422 with %q on %s", tc.query, res.StatusCode, tc.want, tc.field)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestDashboardFigures shows a period's sales, refunds, orders, open
// authorizations and approval rate per currency, formatted per language.
func TestDashboardFigures(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	viewer := e.user(account.MerchantViewer, "Victor Viewer")
	c.signIn(viewer)
	if _, body := c.get("/portal/"); !strings.Contains(body, "Nothing was sold or refunded in this period") {
		t.Error("an empty dashboard has no notice")
	}

	a := e.order(100000)
	b := e.order(250050)
	eur := e.place(orderSpec{merchant: e.shop, amount: 5000, currency: "EUR"})
	if id := e.place(orderSpec{merchant: e.shop, amount: 1000, email: "anna+denied@example.dk"}); id != "" {
		t.Fatal("the denied authorization was approved")
	}
	e.capture(a, 100000)
	e.capture(b, 50000)
	e.write(func(tx *store.Tx) error {
		if _, err := e.app.Checkout.Capture(tx, e.shop.ID, eur, checkout.CaptureRequest{CapturedAmount: 5000}); err != nil {
			return err
		}
		_, err := e.app.Checkout.Refund(tx, e.shop.ID, a, checkout.RefundRequest{RefundedAmount: 12345})
		return err
	})
	e.clk.Advance(24 * time.Hour)
	c.signIn(viewer)

	_, body := c.get("/portal/")
	row := func(body, currency string) string {
		m := regexp.MustCompile(`(?s)<td data-label="[^"]*">` + currency + `</td>(.*?)</tr>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no %s row:\n%s", currency, body)
		}
		return regexp.MustCompile(`<[^>]+>|\s+`).ReplaceAllString(m[1], " ")
	}
	if got, want := strings.Join(strings.Fields(row(body, "DKK")), " "), "DKK 1,500.00 DKK 123.45 2 DKK 2,000.50"; got != want {
		t.Errorf("DKK row %q, want %q", got, want)
	}
	if got, want := strings.Join(strings.Fields(row(body, "EUR")), " "), "€50.00 €0.00 1 €0.00"; got != want {
		t.Errorf("EUR row %q, want %q", got, want)
	}
	wantContains(t, "dashboard", body, "Approval rate: 75.0% (3 of 4 authorizations approved).", "2\u00a0Feb\u00a02026 to 3\u00a0Mar\u00a02026")

	// In Danish, and for a period that holds nothing but open authorizations.
	_, body = c.get("/portal/?lang=da&from=2026-03-03&to=2026-03-03")
	if got, want := strings.Join(strings.Fields(row(body, "DKK")), " "), "0,00 kr. 0,00 kr. 0 2.000,50 kr."; got != want {
		t.Errorf("Danish DKK row %q, want %q", got, want)
	}
	wantContains(t, "Danish dashboard", body, "Godkendelsesrate: 0,0 % (0 af 0 godkendelser blev godkendt).", "3.\u00a0mar.\u00a02026 til 3.\u00a0mar.\u00a02026")

	res, body := c.get("/portal/?lang=en&from=2024-01-01&to=2026-03-01")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose a period of at most 366 days.") {
		t.Errorf("a long period: %d", res.StatusCode)
	}
}
