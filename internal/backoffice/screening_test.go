package backoffice_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/screening"
	"github.com/tillit/tillit/internal/web"
)

// newScreeningEnv is newEnv with the screening page served.
func newScreeningEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	pages, err := backoffice.New(backoffice.Config{
		Accounts: e.app.Accounts, Checkout: e.app.Checkout, DB: e.app.DB, Key: []byte(e.app.WebKey),
		Screening: e.app.Screening, Logger: logscan.Logger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/static/", web.Static())
	mux.Handle(backoffice.Prefix, pages.Handler())
	e.pages, e.srv = pages, httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

// TestScreeningRoles: only AML officers and admins see the screening page
// and may reload the lists; the others get 403 and reload nothing.
func TestScreeningRoles(t *testing.T) {
	e := newScreeningEnv(t)
	for _, role := range account.Roles {
		t.Run(string(role), func(t *testing.T) {
			allowed := role == account.RoleAMLOfficer || role == account.RoleAdmin
			c := e.client()
			c.signIn(e.staff(role, "Member "+strings.ReplaceAll(string(role), "_", " ")))
			_, home := c.get("/staff/")
			if got := strings.Contains(home, `href="/staff/screening"`); got != allowed {
				t.Errorf("navigation links the screening page: %v, want %v", got, allowed)
			}
			res, _ := c.get("/staff/screening")
			want := http.StatusForbidden
			if allowed {
				want = http.StatusOK
			}
			if res.StatusCode != want {
				t.Errorf("GET /staff/screening: %d, want %d", res.StatusCode, want)
			}
			c.get("/staff/")
			res, _ = c.post("/staff/screening/reload", nil)
			if allowed {
				want = http.StatusSeeOther
			}
			if res.StatusCode != want {
				t.Errorf("POST /staff/screening/reload: %d, want %d", res.StatusCode, want)
			}
		})
	}
	reloads, err := audit.ForSubject(e.ctx, e.app.DB, "screening:"+e.app.Screening.Status().Version)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range reloads {
		if r.Action == screening.AuditReloaded {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d reloads audited, want 2 (the AML officer's and the admin's)", n)
	}
	signedOut := e.client()
	if res, _ := signedOut.get("/staff/screening"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d", res.StatusCode)
	}
	if res, _ := signedOut.post("/staff/screening/reload", nil); res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") == "/staff/screening" {
		t.Error("signed out: the reload went through")
	}
}

// TestScreeningPage: the page shows the shipped lists, their entries and
// version; a reload swaps them, is audited for the officer and re-screens
// the customers with live orders (an ordinary name: no hit). A listed
// buyer's authorization is held for review by the assessment.
func TestScreeningPage(t *testing.T) {
	e := newScreeningEnv(t)
	officer := e.staff(account.RoleAMLOfficer, "Olga Officer")
	e.order("anna@example.dk", 49_900)

	c := e.client()
	c.signIn(officer)
	res, body := c.get("/staff/screening")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("page: %d", res.StatusCode)
	}
	st := e.app.Screening.Status()
	for _, want := range []string{"Sanctions screening", "<code>shipped</code>", `<code id="screening-version">` + st.Version + "</code>",
		`id="list-ofac-sdn"`, "8976", `id="list-un-sc"`, "1003", "OFAC Specially Designated Nationals"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	res, _ = c.post("/staff/screening/reload", nil)
	wantRedirect(t, res, "/staff/screening")
	_, body = c.get("/staff/screening")
	if !strings.Contains(body, "The lists are reloaded.") {
		t.Error("no notice after the reload")
	}
	if _, err := e.app.Runner.RunDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	entries, err := audit.ForSubject(e.ctx, e.app.DB, "screening:"+st.Version)
	if err != nil {
		t.Fatal(err)
	}
	var reloaded, rescreened bool
	for _, en := range entries {
		switch en.Action {
		case screening.AuditReloaded:
			reloaded = en.Actor == "staff:"+officer.ID
		case screening.AuditRescreened:
			rescreened = strings.Contains(string(en.Details), `"people_screened":1`) && strings.Contains(string(en.Details), `"hits":0`)
		}
		if strings.Contains(strings.ToLower(string(en.Details)), "jensen") {
			t.Errorf("audit entry names the customer: %s", en.Details)
		}
	}
	if !reloaded || !rescreened {
		t.Errorf("audit of the reload (%v) and of the re-screening (%v): %+v", reloaded, rescreened, entries)
	}

	// The assessment screens: a listed buyer waits for review.
	data := checkout.OrderData{PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "da-DK", OrderAmount: 10_000, OrderTaxAmount: 2_000,
		OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-1", Name: "Rain jacket", Quantity: 1,
			UnitPrice: 10_000, TaxRate: 2500, TotalAmount: 10_000, TotalTaxAmount: 2_000}}}
	sess, err := e.app.Checkout.CreateSession(e.ctx, e.shop, data, "https://tillit.example")
	if err != nil {
		t.Fatal(err)
	}
	auth, err := e.app.Checkout.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later", Customer: checkout.Customer{DateOfBirth: "1974-01-09"},
		BillingAddress: &checkout.Address{GivenName: "Darren", FamilyName: "Debono", Email: "darren@example.com", Phone: "+4520123457",
			StreetAddress: "Sletten 2", PostalCode: "9270", City: "Klarup", Country: "DK"},
		OTP: checkout.TestOTP,
	})
	if err != nil || auth.FraudStatus != checkout.FraudPending || !slices.Contains(auth.Reasons, screening.ReasonSanctionsMatch) {
		t.Errorf("a listed buyer: %+v %v, want PENDING with SANCTIONS_MATCH", auth, err)
	}
}
