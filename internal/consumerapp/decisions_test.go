package consumerapp_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/decision"
	"github.com/tillit/tillit/internal/disclosure"
	"github.com/tillit/tillit/internal/store"
)

// newDecisionsEnv is newEnv serving the whole app as wired, so the consumer
// app has its decisions page.
func newDecisionsEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, false)
	e.srv.Close()
	e.srv = httptest.NewServer(e.app.Handler)
	return e
}

// refused runs a purchase through checkout that the credit check refuses:
// one above the credit limit (which the fraud rules refer too), or one by a
// buyer born on dob who is under 18. The authorization names the buyer's
// person (set here when checkout has not).
func (e *env) refused(email, dob string, amount int64) {
	e.t.Helper()
	data := checkout.OrderData{
		PurchaseCountry: "DK", PurchaseCurrency: dkk, Locale: "da-DK", OrderAmount: amount,
		OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-9", Name: "Sofa", Quantity: 1, UnitPrice: amount, TotalAmount: amount}},
	}
	sess, err := e.app.Checkout.CreateSession(e.ctx, e.m, data, "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.app.Checkout.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later", Customer: checkout.Customer{DateOfBirth: dob},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: email, Phone: "+4520123456",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		OTP: checkout.TestOTP,
	})
	if err != nil || res.Approved {
		e.t.Fatalf("authorize: %+v %v", res, err)
	}
	person := e.subject(email)
	err = e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE authorizations SET person_id = $1 WHERE session_id = $2 AND person_id IS NULL`, person, sess.SessionID)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// decisionsOf returns the decisions about the consumer with the address.
func (e *env) decisionsOf(email string) []decision.Decision {
	e.t.Helper()
	var out []decision.Decision
	person := e.subject(email)
	err := e.app.DB.Read(e.ctx, func(tx *store.Tx) (err error) {
		out, err = e.app.Decisions.ForPerson(tx, person)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// contests counts the stored contests.
func (e *env) contests() int {
	e.t.Helper()
	var n int
	if err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM decision_contests`).Scan(&n)
	}); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func contestPath(ref string) string { return "/app/decisions/" + ref + "/contest" }

func TestDecisionsPageShowsOwnDecisionsAndDisclosures(t *testing.T) {
	e := newDecisionsEnv(t)
	orderID := e.order(anna, "pay_later", 50000, 0)
	e.refused(anna, "1990-05-17", 6_000_000)
	e.order(bob, "pay_later", 12300, 0)
	annaID := e.subject(anna)
	err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		return disclosure.OrderPlaced(tx, annaID, e.m.ID, orderID)
	})
	if err != nil {
		t.Fatal(err)
	}

	if pg := e.client().get("/app/decisions"); pg.path != "/app/signin" {
		t.Fatalf("signed out: %d at %s", pg.status, pg.path)
	}
	c := e.client()
	c.signIn(anna)
	if pg := c.get("/app/privacy"); !strings.Contains(pg.body, `href="/app/decisions"`) {
		t.Error("the privacy page does not link to the decisions page")
	}
	pg := c.get("/app/decisions?lang=en")
	if pg.status != http.StatusOK {
		t.Fatalf("decisions page: %d\n%s", pg.status, pg.body)
	}
	for _, want := range []string{
		"Credit check: Nordic Rain", "Fraud check: Nordic Rain", "Declined", "Sent to a person for review", "Approved",
		"The amount is more than we lend for a single purchase.", "Large purchases are checked by a person before they go ahead.",
		"None of our checks raised a concern.", "60,000.00", "500.00",
		"Who we have shared your data with", "(Shop)", "Identity, Contact details", "The credit agreement",
		// The decision record: what weighed in the fraud model, and which
		// rules and model decided.
		"What weighed most in the decision", "How long you have been our customer and your earlier purchases",
		"Decided with: Fraud rules, version 0; Fraud model gbt-",
	} {
		if !pg.has(want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Count(pg.body, "<article") != 4 || strings.Contains(pg.body, "123,00") {
		t.Errorf("the page shows %d decisions (want Anna's 4) or Bob's purchase", strings.Count(pg.body, "<article"))
	}
	if da := c.get("/app/decisions?lang=da"); !da.has("Kreditvurdering: Nordic Rain") || !da.has("Afvist") || !da.has("Butik") {
		t.Error("the Danish page is not in Danish")
	}

	bobs := c.e.decisionsOf(bob)
	mine := c.e.decisionsOf(anna)
	refused := mine[0]
	if refused.Outcome != decision.Refused || !strings.Contains(pg.body, contestPath(refused.Ref)) {
		t.Fatalf("no contest form for %+v", refused)
	}
	c.get("/app/decisions?lang=en")

	// Someone else's decision: 404 and nothing written.
	if got := c.post(contestPath(bobs[0].Ref), url.Values{"statement": {"Mine now."}}); got.status != http.StatusNotFound {
		t.Errorf("contest of Bob's decision: %d", got.status)
	}
	if got := c.post(contestPath(bobs[0].Ref), url.Values{"statement": {""}}); got.status != http.StatusNotFound {
		t.Errorf("empty contest of Bob's decision: %d", got.status)
	}
	// An empty statement: the form again with its error, nothing written.
	got := c.post(contestPath(refused.Ref), url.Values{"statement": {"  "}})
	if got.status != http.StatusUnprocessableEntity || !strings.Contains(got.body, `href="#f-statement"`) || !strings.Contains(got.body, `id="f-statement"`) ||
		!strings.Contains(got.body, "<details open>") {
		t.Errorf("empty statement: %d\n%s", got.status, got.body)
	}
	if e.contests() != 0 {
		t.Fatal("a refused contest was stored")
	}

	got = c.post(contestPath(refused.Ref), url.Values{"statement": {"My income covers <this>."}})
	if got.status != http.StatusOK || got.path != "/app/decisions" || !got.has("A member of our staff will review the decision") ||
		!got.has("Under review") || !got.has("My income covers <this>.") || strings.Contains(got.body, "My income covers <this>") {
		t.Fatalf("after contesting: %d at %s\n%s", got.status, got.path, got.body)
	}
	if strings.Contains(got.body, contestPath(refused.Ref)) {
		t.Error("the decision under review still offers the form")
	}
	again := c.post(contestPath(refused.Ref), url.Values{"statement": {"Again."}})
	if again.status != http.StatusConflict || !again.has("You have already asked for a review of this decision.") {
		t.Errorf("second contest: %d\n%s", again.status, again.body)
	}
	if e.contests() != 1 {
		t.Errorf("%d contests stored", e.contests())
	}

	// Bob sees his own decisions only, and that his order went to the shop
	// with his details.
	b := e.client()
	b.signIn(bob)
	bp := b.get("/app/decisions?lang=en")
	if bp.has("My income covers") || bp.has("60,000.00") || strings.Count(bp.body, "<article") != 2 || bp.has("We have not shared your personal data with anyone.") ||
		!strings.Contains(bp.body, `id="disclosures"`) {
		t.Errorf("Bob's page:\n%s", bp.body)
	}

	// A reviewer answers; Anna reads the answer.
	analyst, err := e.app.Accounts.CreateStaff(e.ctx, "cli", account.NewStaff{Email: "risk@tillit.example", Name: "Rita Risk",
		Role: account.RoleRiskAnalyst, Password: "Lantern-harbour-violet-1987"})
	if err != nil {
		t.Fatal(err)
	}
	open := c.e.decisionsOf(anna)[0].Open()
	err = e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		_, err := e.app.Decisions.Review(tx, analyst, open.ID, decision.Overturned, "We checked again; please try the purchase once more.")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	pg = c.get("/app/decisions?lang=en")
	if !pg.has("Reviewed: the decision was wrong") || !pg.has("We checked again; please try the purchase once more.") || !strings.Contains(pg.body, contestPath(refused.Ref)) {
		t.Errorf("after the review:\n%s", pg.body)
	}
}
