package backoffice_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/screening"
	"github.com/tillit/tillit/internal/store"
)

// liveShop creates a live (not test-mode) merchant.
func (e *env) liveShop() merchant.Merchant {
	e.t.Helper()
	creds, err := merchant.Create(e.ctx, e.app.DB, merchant.NewMerchant{Name: "Harbour Books", SettlementCurrency: "DKK"})
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := merchant.Get(e.ctx, e.app.DB, creds.MerchantID)
	if err != nil || m.TestMode {
		e.t.Fatalf("live merchant: %+v %v", m, err)
	}
	return m
}

var mailedCodeRE = regexp.MustCompile(`code is (\d{6})`)

// buyAt runs a purchase through checkout at the merchant for the buyer,
// with the one-time code the consumer was mailed, and creates the order
// when it is approved; it returns the authorization and the order id.
func (e *env) buyAt(m merchant.Merchant, given, family, dob, email string, amount int64) (checkout.AuthorizeResult, string) {
	e.t.Helper()
	data := checkout.OrderData{PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "en-DK", OrderAmount: amount, OrderTaxAmount: amount / 5,
		OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-7", Name: "Atlas", Quantity: 1,
			UnitPrice: amount, TaxRate: 2500, TotalAmount: amount, TotalTaxAmount: amount / 5}}}
	sess, err := e.app.Checkout.CreateSession(e.ctx, m, data, "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.app.Checkout.RequestOTP(e.ctx, sess.SessionID, sess.ClientToken, checkout.OTPRequest{Email: email}); err != nil {
		e.t.Fatal(err)
	}
	msgs, err := e.app.Accounts.DemoMailbox(e.ctx, email, 1)
	if err != nil || len(msgs) == 0 {
		e.t.Fatalf("mailbox: %v %v", msgs, err)
	}
	code := mailedCodeRE.FindStringSubmatch(msgs[0].Body)
	if code == nil {
		e.t.Fatalf("no code in the mail")
	}
	logscan.Secret(logscan.OneTimeCode, code[1])
	auth, err := e.app.Checkout.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later", Customer: checkout.Customer{DateOfBirth: dob},
		BillingAddress: &checkout.Address{GivenName: given, FamilyName: family, Email: email, Phone: "+4520123499",
			StreetAddress: "Havnegade 3", PostalCode: "1058", City: "København", Country: "DK"},
		OTP: code[1],
	})
	if err != nil || !auth.Approved {
		e.t.Fatalf("authorize: %+v %v", auth, err)
	}
	created, err := e.app.Checkout.CreateOrder(e.ctx, m, auth.AuthorizationToken, data)
	if err != nil {
		e.t.Fatal(err)
	}
	return auth, created.OrderID
}

// heldBuyer is a buyer on the sanctions lists, as package screening's
// tests use.
var heldBuyer = struct{ given, family, dob, email string }{"Darren", "Debono", "1974-01-09", "darren.d@example.com"}

// buyListed runs a purchase of the listed buyer at the merchant.
func (e *env) buyListed(m merchant.Merchant, amount int64) (checkout.AuthorizeResult, string) {
	e.t.Helper()
	return e.buyAt(m, heldBuyer.given, heldBuyer.family, heldBuyer.dob, heldBuyer.email, amount)
}

// personOf returns an order's person.
func (e *env) personOf(orderID string) string {
	e.t.Helper()
	var id string
	if err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT person_id FROM orders WHERE id = $1`, orderID).Scan(&id)
	}); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// TestOrderScreeningRoles: the screening section of a held order shows to
// AML officers and admins only, the decision POST refuses every other role
// and decides nothing; AML officers open only orders with the section, and
// do not get the order's decision form.
func TestOrderScreeningRoles(t *testing.T) {
	e := newDecisionsEnv(t)
	shop := e.liveShop()
	_, held := e.buyListed(shop, 20_000)
	plain := e.order("anna@example.dk", 30_000)
	orderPath := "/staff/orders/" + held
	for _, role := range account.Roles {
		t.Run(string(role), func(t *testing.T) {
			c := e.client()
			c.signIn(e.staff(role, "Member "+strings.ReplaceAll(string(role), "_", " ")))
			sees := role == account.RoleAMLOfficer || role == account.RoleAdmin
			opens := sees || role == account.RoleRiskAnalyst || role == account.RoleSecurityAnalyst
			res, body := c.get(orderPath)
			want := map[bool]int{true: http.StatusOK, false: http.StatusForbidden}[opens]
			if res.StatusCode != want {
				t.Fatalf("GET held order: %d, want %d", res.StatusCode, want)
			}
			if got := strings.Contains(body, `id="screening"`); got != sees {
				t.Errorf("the screening section shows: %v, want %v", got, sees)
			}
			if sees && !strings.Contains(body, `class="fp-form"`) {
				t.Error("no false-positive form")
			}
			if role == account.RoleAMLOfficer {
				if strings.Contains(body, `/decision"`) || !strings.Contains(body, `id="decided-by-reviewers"`) {
					t.Error("the AML officer gets the order's decision form")
				}
				if res, _ := c.get("/staff/orders/" + plain); res.StatusCode != http.StatusForbidden {
					t.Errorf("AML officer on an order without a match: %d, want 403", res.StatusCode)
				}
			}
			c.get("/staff/")
			res, _ = c.post(orderPath+"/screening/false-positive", url.Values{"list": {screening.ListOFAC}, "entry": {"1"},
				"version": {e.app.Screening.Status().Version}, "fp_reason": {"Different person."}})
			if sees {
				if res.StatusCode == http.StatusForbidden {
					t.Errorf("POST refused for %s", role)
				}
			} else if res.StatusCode != http.StatusForbidden {
				t.Errorf("POST: %d, want 403", res.StatusCode)
			}
		})
	}
	if n := len(e.auditEntries(e.personOf(held), screening.AuditFalsePositive)); n != 0 {
		t.Errorf("%d decisions recorded for entry 1, want none (it does not match)", n)
	}
}

// TestOrderScreeningFalsePositive: a listed buyer's purchase at a live
// merchant is held for SANCTIONS_MATCH; the AML officer sees the match
// (list, entry, name, score, why, listed birth date, programmes) and, on
// request, the buyer's name; the views are audited. A missing reason is
// shown again and decides nothing, a forged CSRF token is refused, the
// decision is audited and shows who, when and why; a second one says the
// screening changed. The buyer's next purchase is accepted; a revocation
// holds the one after again.
func TestOrderScreeningFalsePositive(t *testing.T) {
	e := newDecisionsEnv(t)
	shop := e.liveShop()
	auth, held := e.buyListed(shop, 20_000)
	if auth.FraudStatus != checkout.FraudPending || !slices.Contains(auth.Reasons, screening.ReasonSanctionsMatch) {
		t.Fatalf("listed buyer: %s %v, want PENDING with SANCTIONS_MATCH", auth.FraudStatus, auth.Reasons)
	}
	person := e.personOf(held)
	officer := e.staff(account.RoleAMLOfficer, "Olga Officer")
	c := e.client()
	c.signIn(officer)
	orderPath := "/staff/orders/" + held

	// The hold is in the AML officers' queue, which leads to the order.
	if res, body := c.get("/staff/queues/" + backoffice.SanctionsQueueKey); res.StatusCode != http.StatusOK || !strings.Contains(body, `href="`+orderPath+`"`) {
		t.Fatalf("sanctions queue: %d, links the held order: %v", res.StatusCode, strings.Contains(body, orderPath))
	}
	if res, body := c.get("/staff/queues/" + backoffice.ReviewQueueKey); res.StatusCode == http.StatusOK && strings.Contains(body, orderPath) {
		t.Error("the AML officer sees the manual review queue")
	}

	res, body := c.get(orderPath)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("order page: %d", res.StatusCode)
	}
	page := html.UnescapeString(body)
	for _, want := range []string{"Sanctions screening", "OFAC Specially Designated Nationals", "DEBONO, Darren", "Why it matched",
		"birth date agrees with listed", "09 Jan 1974", "Not this person (false positive)", "Undecided"} {
		if !strings.Contains(page, want) {
			t.Errorf("section lacks %q", want)
		}
	}
	if strings.Contains(page, "1974-01-09") || strings.Contains(page, `id="screening-name"`) {
		t.Error("the buyer's identity shows without being asked for")
	}
	_, body = c.get(orderPath + "?buyer=show")
	if !strings.Contains(body, `<dd id="screening-name">Darren Debono</dd>`) || !strings.Contains(body, `<dd id="screening-dob">1974-01-09</dd>`) {
		t.Error("the buyer's name and birth date do not show on request")
	}
	views := e.auditEntries(person, backoffice.ActionScreeningViewed)
	if len(views) != 2 || views[0].Actor != "staff:"+officer.ID || !strings.Contains(string(views[1].Details), `"buyer_shown":true`) ||
		!strings.Contains(string(views[1].Details), held) {
		t.Errorf("views audited: %+v", views)
	}
	for _, v := range views {
		if strings.Contains(strings.ToLower(string(v.Details)), "debono") {
			t.Errorf("the audit entry names the buyer: %s", v.Details)
		}
	}

	// The form of the first match.
	form := url.Values{}
	for _, name := range []string{"list", "entry", "version"} {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]+)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no %s in the form", name)
		}
		form.Set(name, html.UnescapeString(m[1]))
	}
	if n := strings.Count(body, `class="fp-form"`); n != 1 {
		t.Fatalf("%d matches, want 1", n)
	}
	res, body = c.post(orderPath+"/screening/false-positive", form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-fp_reason"`) {
		t.Errorf("no reason: %d", res.StatusCode)
	}
	forged := url.Values{}
	for k, v := range form {
		forged[k] = v
	}
	forged.Set("csrf_token", "forged")
	forged.Set("fp_reason", "Different birth place.")
	if res, _ := c.post(orderPath+"/screening/false-positive", forged); res.StatusCode != http.StatusForbidden {
		t.Errorf("forged CSRF token: %d, want 403", res.StatusCode)
	}
	if n := len(e.auditEntries(person, screening.AuditFalsePositive)); n != 0 {
		t.Fatalf("%d decisions after refused posts", n)
	}
	// A decision on lists other than the page's changes nothing.
	c.get(orderPath)
	stale := url.Values{"list": {form.Get("list")}, "entry": {form.Get("entry")}, "version": {"older-lists"}, "fp_reason": {"Other person."}}
	res, _ = c.post(orderPath+"/screening/false-positive", stale)
	wantRedirect(t, res, orderPath+"#screening")
	if n := len(e.auditEntries(person, screening.AuditFalsePositive)); n != 0 {
		t.Fatalf("%d decisions on stale lists", n)
	}
	c.get(orderPath)
	form.Set("fp_reason", "Buyer is a Danish schoolteacher; passport checked.")
	res, _ = c.post(orderPath+"/screening/false-positive", form)
	wantRedirect(t, res, orderPath+"#screening")
	_, body = c.get(orderPath)
	page = html.UnescapeString(body)
	for _, want := range []string{"The match is marked as a false positive", "staff:" + officer.ID, "Buyer is a Danish schoolteacher; passport checked.", "Revoke the decision"} {
		if !strings.Contains(page, want) {
			t.Errorf("after the decision the page lacks %q", want)
		}
	}
	res, _ = c.post(orderPath+"/screening/false-positive", form)
	wantRedirect(t, res, orderPath+"#screening")
	if _, body := c.get(orderPath); !strings.Contains(html.UnescapeString(body), "The screening changed since the page was loaded") {
		t.Error("deciding twice does not say so")
	}
	decided := e.auditEntries(person, screening.AuditFalsePositive)
	if len(decided) != 1 || decided[0].Actor != "staff:"+officer.ID || !strings.Contains(string(decided[0].Details), form.Get("entry")) {
		t.Fatalf("decisions audited: %+v", decided)
	}
	if got := e.fraudStatus(held); got != checkout.FraudPending {
		t.Errorf("the held order is %s: the order is still the reviewers' to decide", got)
	}

	// The buyer's next purchase is not held for the decided entries.
	_, body = c.get(orderPath)
	if strings.Contains(body, `class="fp-form"`) {
		t.Fatal("an undecided match is left") // the lists have one Darren Debono
	}
	next, _ := e.buyListed(shop, 15_000)
	if next.FraudStatus != checkout.FraudAccepted || slices.Contains(next.Reasons, screening.ReasonSanctionsMatch) {
		t.Errorf("after the false positive: %s %v, want ACCEPTED", next.FraudStatus, next.Reasons)
	}

	// Revoking needs a reason, and holds the buyer again.
	id := regexp.MustCompile(`name="decision" value="([^"]+)"`).FindStringSubmatch(body)
	if id == nil {
		t.Fatal("no revoke form")
	}
	res, _ = c.post(orderPath+"/screening/revoke", url.Values{"decision": {id[1]}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("revoke without a reason: %d", res.StatusCode)
	}
	c.get(orderPath)
	res, _ = c.post(orderPath+"/screening/revoke", url.Values{"decision": {id[1]}, "revoke_reason": {"Passport was forged."}})
	wantRedirect(t, res, orderPath+"#screening")
	if n := len(e.auditEntries(person, screening.AuditRevoked)); n != 1 {
		t.Errorf("%d revocations audited", n)
	}
	again, _ := e.buyListed(shop, 12_000)
	if again.FraudStatus != checkout.FraudPending || !slices.Contains(again.Reasons, screening.ReasonSanctionsMatch) {
		t.Errorf("after the revocation: %s %v, want PENDING with SANCTIONS_MATCH", again.FraudStatus, again.Reasons)
	}

	// A risk analyst settles the order; the section is not theirs.
	analyst := e.staff(account.RoleRiskAnalyst, "Rita Analyst")
	ac := e.client()
	ac.signIn(analyst)
	if _, body := ac.get(orderPath); strings.Contains(body, `id="screening"`) || !strings.Contains(body, `/decision"`) {
		t.Error("the risk analyst's page")
	}
	if res, _ := ac.post(orderPath+"/screening/revoke", url.Values{"decision": {id[1]}, "revoke_reason": {"x"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("risk analyst revoking: %d", res.StatusCode)
	}
}
