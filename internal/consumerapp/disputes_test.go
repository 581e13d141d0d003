package consumerapp_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/consumerapp"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// newProblemsEnv is the consumer app with the dispute and return pages and
// the fraud investigation, as the application wires them.
func newProblemsEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, true)
	pages, err := consumerapp.New(consumerapp.Config{
		Accounts: e.app.Accounts, Plans: e.app.Plans, Key: []byte(e.app.WebKey), Demo: true,
		FraudCases: e.app.FraudCases, Disputes: e.app.Disputes, Returns: e.app.Returns,
		Logger: logscan.Logger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(consumerapp.Prefix, pages.Handler())
	mux.Handle("GET /static/", web.Static())
	e.srv.Config.Handler = mux
	return e
}

// line is an order line of quantity items at unit (minor units) each.
func line(typ, name string, quantity, unit int64) checkout.OrderLine {
	return checkout.OrderLine{Type: typ, Reference: "SKU-" + name, Name: name, Quantity: quantity, UnitPrice: unit, TotalAmount: quantity * unit}
}

// shippedOrder places a pay-later order with the lines for the consumer
// with the address, captures it in full and returns its id.
func (e *env) shippedOrder(email string, lines ...checkout.OrderLine) string {
	e.t.Helper()
	var amount int64
	for _, l := range lines {
		amount += l.TotalAmount
	}
	data := checkout.OrderData{PurchaseCountry: "DK", PurchaseCurrency: dkk, Locale: "en-DK", OrderAmount: amount, OrderLines: lines}
	sess, err := e.app.Checkout.CreateSession(e.ctx, e.m, data, "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	auth, err := e.app.Checkout.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: repayment.CategoryPayLater,
		Customer:              checkout.Customer{DateOfBirth: "1990-05-17"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: email, Phone: "+4520123456",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		OTP: checkout.TestOTP,
	})
	if err != nil || !auth.Approved {
		e.t.Fatalf("authorize: %+v %v", auth, err)
	}
	created, err := e.app.Checkout.CreateOrder(e.ctx, e.m, auth.AuthorizationToken, data)
	if err != nil {
		e.t.Fatal(err)
	}
	e.capture(created.OrderID, amount)
	return created.OrderID
}

// disputes returns the disputes of an order of the consumer with the
// address.
func (e *env) disputes(email, orderID string) []dispute.Dispute {
	e.t.Helper()
	ds, err := e.app.Disputes.ForOrder(e.ctx, e.subject(email), orderID)
	if err != nil {
		e.t.Fatal(err)
	}
	return ds
}

// mails returns the subjects of the e-mails queued to the address,
// newest first.
func (e *env) mails(email string) []string {
	e.t.Helper()
	msgs, err := e.app.Accounts.DemoMailbox(e.ctx, email, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, m.Subject)
	}
	return out
}

// disputeID returns the id of the dispute whose page the client is on.
func disputeID(t *testing.T, pg page) string {
	t.Helper()
	id, ok := strings.CutPrefix(pg.path, "/app/disputes/")
	if !ok || !ids.Valid(id) || pg.status != http.StatusOK {
		t.Fatalf("not on a dispute page: %s (%d)\n%s", pg.path, pg.status, pg.body)
	}
	return id
}

// version reads the version field of the page's form.
func version(t *testing.T, pg page) string {
	t.Helper()
	_, rest, ok := strings.Cut(pg.body, `name="version" value="`)
	if !ok {
		t.Fatalf("no version on the page:\n%s", pg.body)
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

func TestEachReasonOpensADisputeAndPausesThePlan(t *testing.T) {
	e := newProblemsEnv(t)
	c := e.client()
	c.signIn(anna)
	referralSubject := i18n.T(i18n.English, "dispute.consumer_mail.referred.subject", "reference", "")
	for _, tc := range []struct {
		reason dispute.Reason
		lines  []checkout.OrderLine
		// want are texts the dispute's page shows.
		want []string
	}{
		{dispute.NotReceived, []checkout.OrderLine{line("physical", "Rain jacket", 1, 60000)},
			[]string{"Item not received", "Waiting for the merchant", "Applies.", "If they do not, buyer protection decides in your favour."}},
		{dispute.NotAsDescribed, []checkout.OrderLine{line("gift_card", "Gift card", 1, 50000)},
			[]string{"Not as described or faulty", "Does not apply. Gift cards are not covered", "Then a member of our team decides."}},
		{dispute.ReturnedNotRefunded, []checkout.OrderLine{line("physical", "Boots", 1, 90000)},
			[]string{"Returned but not refunded", "Applies."}},
		{dispute.Unauthorised, []checkout.OrderLine{line("physical", "Phone", 1, 250000)},
			[]string{"Purchase not made by me", "With our fraud team", "our fraud team investigates instead", "You reported this purchase on"}},
		{dispute.WrongInvoice, []checkout.OrderLine{line("physical", "Lamp", 1, 40000)},
			[]string{"Wrong invoice", "Does not apply.", "Then a member of our team decides."}},
	} {
		t.Run(string(tc.reason), func(t *testing.T) {
			orderID := e.shippedOrder(anna, tc.lines...)
			due := e.plan(orderID).Installments[0].Due
			mailsBefore := len(e.mails(anna))

			pg := c.get("/app/orders/" + orderID)
			if !strings.Contains(pg.body, `href="/app/orders/`+orderID+`/problem"`) || !pg.has("Report a problem") {
				t.Fatalf("the order page offers no report:\n%s", pg.body)
			}
			pg = c.get("/app/orders/" + orderID + "/problem")
			for _, want := range []string{"What went wrong?", "Item not received", "Wrong invoice",
				"Exception: Gift cards are not covered", "Buyer protection does not cover this", "This goes to our fraud team, not to the merchant.",
				"Your payments pause at once for 30 days"} {
				if !pg.has(want) {
					t.Errorf("problem page lacks %q", want)
				}
			}

			pg = c.post("/app/orders/"+orderID+"/disputes", url.Values{"reason": {string(tc.reason)}, "statement": {"It went wrong <b>badly</b>."}})
			id := disputeID(t, pg)
			for _, want := range append(tc.want, "It went wrong <b>badly</b>.", "You reported the problem", "DKK") {
				if !pg.has(want) {
					t.Errorf("dispute page lacks %q:\n%s", want, pg.body)
				}
			}
			if strings.Contains(pg.body, "<b>badly</b>") {
				t.Error("the consumer's words are not escaped")
			}
			ds := e.disputes(anna, orderID)
			if len(ds) != 1 || ds[0].ID != id || ds[0].Reason != tc.reason {
				t.Fatalf("disputes: %+v", ds)
			}
			pl := e.plan(orderID)
			if pl.PausedUntil == nil || !pl.Installments[0].Due.After(due) {
				t.Errorf("the plan is not paused: paused until %v, due %v (was %v)", pl.PausedUntil, pl.Installments[0].Due, due)
			}
			if !pg.has("Payments paused until") {
				t.Error("the dispute page does not say until when the payments are paused")
			}

			// The order's page lists the dispute and no longer offers a report.
			pg = c.get("/app/orders/" + orderID)
			if !strings.Contains(pg.body, `href="/app/disputes/`+id+`"`) || strings.Contains(pg.body, `/problem"`) {
				t.Errorf("order page after opening:\n%s", pg.body)
			}
			if !pg.has("your next payment is due on") {
				t.Error("the order page does not show the moved due date")
			}

			all := e.mails(anna)
			mails := all[:len(all)-mailsBefore]
			if tc.reason == dispute.Unauthorised {
				_, ok, err := e.app.FraudCases.ForConsumer(e.ctx, e.subject(anna), orderID)
				if err != nil || !ok {
					t.Errorf("no fraud case: %v", err)
				}
				if strings.Contains(pg.body, `id="information-form"`) {
					t.Error("a referred dispute takes information the fraud team never reads")
				}
				// The consumer hears once about the referral: the fraud
				// case opened with it sends nothing of its own.
				if len(mails) != 1 || !strings.HasPrefix(mails[0], strings.TrimSpace(referralSubject)) {
					t.Errorf("e-mails to the consumer on referral: %q", mails)
				}
			} else if len(mails) != 1 {
				t.Errorf("e-mails to the consumer on opening: %q", mails)
			}
		})
	}
}

func TestReportingAPurchaseNotMadeOpensADispute(t *testing.T) {
	e := newProblemsEnv(t)
	c := e.client()
	c.signIn(anna)
	orderID := e.shippedOrder(anna, line("physical", "Phone", 1, 250000))
	c.get("/app/orders/" + orderID + "/not-mine")
	pg := c.post("/app/orders/"+orderID+"/not-mine", url.Values{"statement": {"Never seen this shop."}})
	id := disputeID(t, pg)
	if !pg.has("Our security team is investigating") || !pg.has("With our fraud team") {
		t.Errorf("after the report:\n%s", pg.body)
	}
	ds := e.disputes(anna, orderID)
	if len(ds) != 1 || ds[0].ID != id || ds[0].Reason != dispute.Unauthorised || ds[0].FraudCaseID == "" {
		t.Fatalf("the report opened no referred dispute: %+v", ds)
	}
	// Reported again through either door: nothing more is opened.
	pg = c.post("/app/orders/"+orderID+"/not-mine", url.Values{"statement": {"Again."}})
	if pg.status != http.StatusConflict || !pg.has("This order already has an open dispute.") {
		t.Errorf("second report: %d", pg.status)
	}
	pg = c.post("/app/orders/"+orderID+"/disputes", url.Values{"reason": {"not_received"}})
	if pg.status != http.StatusConflict || !pg.has("This order already has an open dispute.") {
		t.Errorf("second dispute: %d", pg.status)
	}
	if n := len(e.disputes(anna, orderID)); n != 1 {
		t.Errorf("%d disputes", n)
	}
}

func TestDisputesOfAnotherConsumerAreNotFound(t *testing.T) {
	e := newProblemsEnv(t)
	c := e.client()
	c.signIn(anna)
	orderID := e.shippedOrder(anna, line("physical", "Rain jacket", 2, 30000))
	c.get("/app/orders/" + orderID + "/problem")
	id := disputeID(t, c.post("/app/orders/"+orderID+"/disputes", url.Values{"reason": {"not_received"}}))
	pg := c.get("/app/orders/" + orderID + "/return")
	pg = c.post("/app/orders/"+orderID+"/returns", url.Values{"quantity_0": {"1"}, "carrier": {"GLS"}, "tracking_number": {"GLS123"}})
	retPath := pg.path
	if pg.status != http.StatusOK || !strings.Contains(retPath, "/returns/") {
		t.Fatalf("register: %d at %s", pg.status, retPath)
	}

	bobOrder := e.shippedOrder(bob, line("physical", "Hat", 1, 10000))
	other := e.client()
	other.signIn(bob)
	other.get("/app/orders/" + bobOrder)
	for _, path := range []string{"/app/orders/" + orderID + "/problem", "/app/disputes/" + id, "/app/disputes/not-an-id",
		"/app/disputes/" + ids.New(), "/app/orders/" + orderID + "/return", retPath, "/app/orders/" + bobOrder + "/returns/" + ids.New()} {
		if pg := other.get(path); pg.status != http.StatusNotFound {
			t.Errorf("bob GET %s: %d", path, pg.status)
		}
	}
	for path, form := range map[string]url.Values{
		"/app/orders/" + orderID + "/disputes":                   {"reason": {"wrong_invoice"}},
		"/app/disputes/" + id + "/information":                   {"version": {"2"}, "information": {"Mine now."}},
		"/app/orders/" + orderID + "/returns":                    {"quantity_0": {"1"}, "carrier": {"GLS"}, "tracking_number": {"X1"}},
		retPath + "/cancel":                                      {"version": {"1"}},
		"/app/orders/" + bobOrder + "/returns/" + id + "/cancel": {"version": {"1"}},
	} {
		if pg := other.post(path, form); pg.status != http.StatusNotFound {
			t.Errorf("bob POST %s: %d", path, pg.status)
		}
	}
	v, err := e.app.Disputes.ConsumerView(e.ctx, e.subject(anna), id)
	if err != nil || len(v.Timeline) != 1 {
		t.Errorf("bob changed anna's dispute: %+v %v", v.Timeline, err)
	}
	rs, err := e.app.Returns.ForOrder(e.ctx, e.subject(anna), orderID)
	if err != nil || len(rs) != 1 || rs[0].Status != "registered" {
		t.Errorf("bob changed anna's return: %+v %v", rs, err)
	}
	if n := len(e.disputes(bob, bobOrder)); n != 0 {
		t.Errorf("bob's order has %d disputes", n)
	}
}

func TestBadDisputeInputWritesNothing(t *testing.T) {
	e := newProblemsEnv(t)
	c := e.client()
	c.signIn(anna)
	orderID := e.shippedOrder(anna, line("physical", "Rain jacket", 1, 60000))
	c.get("/app/orders/" + orderID + "/problem")
	for name, tc := range map[string]struct {
		form   url.Values
		status int
		want   string
	}{
		"no reason":      {url.Values{"statement": {"Hm."}}, http.StatusUnprocessableEntity, "Choose what went wrong."},
		"unknown reason": {url.Values{"reason": {"changed_my_mind"}}, http.StatusUnprocessableEntity, "Choose one of the options."},
		"long statement": {url.Values{"reason": {"not_received"}, "statement": {strings.Repeat("x", dispute.MaxStatement+1)}},
			http.StatusUnprocessableEntity, "Use no more than 2000 characters."},
		"control characters": {url.Values{"reason": {"not_received"}, "statement": {"bad\x00byte"}}, http.StatusUnprocessableEntity,
			"Write plain text only"},
		"no CSRF token": {url.Values{"reason": {"not_received"}, web.CSRFFieldName: {"forged"}}, http.StatusForbidden, ""},
	} {
		pg := c.post("/app/orders/"+orderID+"/disputes", tc.form)
		if pg.status != tc.status || !pg.has(tc.want) {
			t.Errorf("%s: %d, want %d with %q", name, pg.status, tc.status, tc.want)
		}
	}
	if pg := c.post("/app/orders/"+ids.New()+"/disputes", url.Values{"reason": {"not_received"}}); pg.status != http.StatusNotFound {
		t.Errorf("unknown order: %d", pg.status)
	}
	if n := len(e.disputes(anna, orderID)); n != 0 || e.plan(orderID).PausedUntil != nil {
		t.Fatalf("bad input opened %d disputes or paused the plan", n)
	}

	// The problem page can arrive with a reason chosen; an unknown one is
	// ignored.
	if pg := c.get("/app/orders/" + orderID + "/problem?reason=wrong_invoice"); !strings.Contains(pg.body, `value="wrong_invoice" checked`) {
		t.Error("the reason in the link is not chosen")
	}
	if pg := c.get("/app/orders/" + orderID + "/problem?reason=nonsense"); pg.status != http.StatusOK || strings.Contains(pg.body, "checked") {
		t.Error("an unknown reason in the link is chosen")
	}

	// Information: checked, version-checked.
	pg := c.post("/app/orders/"+orderID+"/disputes", url.Values{"reason": {"not_as_described"}})
	id := disputeID(t, pg)
	v := version(t, pg)
	info := "/app/disputes/" + id + "/information"
	if pg := c.post(info, url.Values{"version": {v}, "information": {"  "}}); pg.status != http.StatusUnprocessableEntity || !pg.has("Fill in this field.") {
		t.Errorf("empty information: %d", pg.status)
	}
	if pg := c.post(info, url.Values{"version": {"x"}, "information": {"Photo taken."}}); pg.status != http.StatusBadRequest {
		t.Errorf("bad version: %d", pg.status)
	}
	stale, _ := strconv.Atoi(v)
	pg = c.post(info, url.Values{"version": {strconv.Itoa(stale - 1)}, "information": {"Stale words."}})
	if pg.status != http.StatusConflict || !pg.has("The dispute changed while you were writing.") || !pg.has("Stale words.") {
		t.Errorf("stale version: %d\n%s", pg.status, pg.body)
	}
	view, err := e.app.Disputes.ConsumerView(e.ctx, e.subject(anna), id)
	if err != nil || len(view.Timeline) != 1 {
		t.Fatalf("bad information was written: %+v %v", view.Timeline, err)
	}
	pg = c.post(info, url.Values{"version": {v}, "information": {"The seam split on day one."}})
	if pg.status != http.StatusOK || pg.path != "/app/disputes/"+id || !pg.has("Your information is added") ||
		!pg.has("You added information") || !pg.has("The seam split on day one.") {
		t.Errorf("information: %d at %s\n%s", pg.status, pg.path, pg.body)
	}
	// The version the page held is stale now.
	if pg := c.post(info, url.Values{"version": {v}, "information": {"Again."}}); pg.status != http.StatusConflict {
		t.Errorf("reused version: %d", pg.status)
	}
}

func TestDisputePageShowsTheAnswerAndTheDecision(t *testing.T) {
	e := newProblemsEnv(t)
	c := e.client()
	c.signIn(anna)
	contested := e.shippedOrder(anna, line("physical", "Rain jacket", 1, 60000))
	accepted := e.shippedOrder(anna, line("physical", "Boots", 1, 90000))
	c.get("/app/orders/" + contested + "/problem")
	id1 := disputeID(t, c.post("/app/orders/"+contested+"/disputes", url.Values{"reason": {"not_received"}}))
	id2 := disputeID(t, c.post("/app/orders/"+accepted+"/disputes", url.Values{"reason": {"not_as_described"}}))
	pg := c.get("/app/disputes/" + id1)
	if !pg.has("The merchant has not answered yet.") || !pg.has("Merchant must answer by") {
		t.Errorf("unanswered:\n%s", pg.body)
	}

	load := func(id string) dispute.Dispute {
		v, err := e.app.Disputes.ConsumerView(e.ctx, e.subject(anna), id)
		if err != nil {
			t.Fatal(err)
		}
		return v.Dispute
	}
	v1, v2 := load(id1).Version, load(id2).Version
	err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		if _, err := e.app.Disputes.Contest(tx, e.m.ID, id1, "merchant:olga", v1, dispute.Contest{
			Carrier: "PostNord", TrackingNumber: "PN123456789DK", ProofOfDelivery: "Signed for by A. Jensen",
			Description: "Delivered to the door on Monday.",
			Documents:   []dispute.Upload{{Name: "receipt.pdf", Content: []byte("%PDF-1.4 receipt")}},
		}); err != nil {
			return err
		}
		_, err := e.app.Disputes.Accept(tx, e.m.ID, id2, "merchant:olga", v2, dispute.Acceptance{Resolution: dispute.Refund})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	pg = c.get("/app/disputes/" + id1)
	for _, want := range []string{"The merchant disagreed with your dispute on", "PostNord", "PN123456789DK", "Signed for by A. Jensen",
		"Delivered to the door on Monday.", "receipt.pdf", "Being decided", "A member of our team is weighing"} {
		if !pg.has(want) {
			t.Errorf("contested page lacks %q", want)
		}
	}
	pg = c.get("/app/disputes/" + id2)
	for _, want := range []string{"The merchant accepted your dispute on", "Decided in your favour", "DKK\u00a0900.00 is refunded to you", "Decided on"} {
		if !pg.has(want) {
			t.Errorf("accepted page lacks %q:\n%s", want, pg.body)
		}
	}
	if strings.Contains(pg.body, `id="information-form"`) {
		t.Error("a closed dispute takes information")
	}
	if pg := c.post("/app/disputes/"+id2+"/information", url.Values{"version": {strconv.FormatInt(load(id2).Version, 10)}, "information": {"Thanks."}}); pg.status != http.StatusConflict ||
		!pg.has("This dispute can no longer take more information.") {
		t.Errorf("information on a closed dispute: %d", pg.status)
	}

	handler, err := e.app.Accounts.CreateStaff(e.ctx, "cli", account.NewStaff{Email: "handler@tillit.example", Name: "Dana Handler",
		Role: account.RoleDisputeHandler, Password: "Lantern-harbour-violet-1987"})
	if err != nil {
		t.Fatal(err)
	}
	v1 = load(id1).Version
	err = e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		_, err := e.app.Disputes.Decide(tx, handler, id1, v1, dispute.MerchantWon, "Delivery proven by carrier scan.")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	pg = c.get("/app/disputes/" + id1)
	for _, want := range []string{"Decided for the merchant", "Your payments run again from the moved due dates", "Next payment due"} {
		if !pg.has(want) {
			t.Errorf("decided page lacks %q", want)
		}
	}
	if pg.has("Delivery proven by carrier scan.") {
		t.Error("the handler's audited reason is shown to the consumer")
	}
	// Closed disputes leave the order open to a new report.
	if pg := c.get("/app/orders/" + contested); !strings.Contains(pg.body, `/problem"`) || !strings.Contains(pg.body, "/app/disputes/"+id1) {
		t.Errorf("order page after the decision:\n%s", pg.body)
	}
}
