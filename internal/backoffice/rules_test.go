package backoffice_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/risk/rules"
	"github.com/tillit/tillit/internal/web"
)

// newRulesEnv is the back office with the fraud rules page, on the rules
// the platform's checkout applies.
func newRulesEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	pages, err := backoffice.New(backoffice.Config{Accounts: e.app.Accounts, Checkout: e.app.Checkout, DB: e.app.DB,
		Key: []byte(e.app.WebKey), Rules: e.app.Rules})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/static/", web.Static())
	mux.Handle(backoffice.Prefix, pages.Handler())
	e.srv.Config.Handler = mux
	e.pages = pages
	return e
}

func TestRulesPageByRole(t *testing.T) {
	e := newRulesEnv(t)
	for role, want := range map[account.Role]int{
		account.RoleRiskAnalyst: http.StatusOK, account.RoleAdmin: http.StatusOK,
		account.RoleDataProtection: http.StatusForbidden, account.RoleSecurityAnalyst: http.StatusForbidden, account.RoleCustomerService: http.StatusForbidden,
	} {
		c := e.client()
		c.signIn(e.staff(role, "Member "+string(role)))
		res, body := c.get("/staff/risk/rules")
		if res.StatusCode != want {
			t.Errorf("%s GET: %d, want %d", role, res.StatusCode, want)
		}
		if links := strings.Contains(body, `href="/staff/risk/rules"`); links != (want == http.StatusOK) {
			t.Errorf("%s: the navigation links the rules: %v", role, links)
		}
		res, _ = c.post("/staff/risk/rules", url.Values{"rules": {rules.DefaultSource}, "comment": {"x"}})
		if (res.StatusCode == http.StatusForbidden) != (want == http.StatusForbidden) {
			t.Errorf("%s POST: %d", role, res.StatusCode)
		}
	}
}

func TestRiskAnalystPublishesRulesThatApplyAtOnce(t *testing.T) {
	e := newRulesEnv(t)
	analyst := e.staff(account.RoleRiskAnalyst, "Rita Risk")
	c := e.client()
	c.signIn(analyst)

	_, body := c.get("/staff/risk/rules")
	for _, want := range []string{"The built-in rules are in force (3 rules)", "HIGH_AMOUNT_REVIEW when amount &gt; 2000000", `<code>ships_abroad</code>`,
		"No version has been published yet."} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	before := e.order("bo@example.dk", 50000)
	if got := e.fraudStatus(before); got != "ACCEPTED" {
		t.Fatalf("before: %s", got)
	}

	// Rules with mistakes, or without a comment: nothing is published and
	// what was typed stays.
	res, body := c.post("/staff/risk/rules", url.Values{"rules": {"review SMALL_TRIAL when amont < 100000\nreject X when true"}, "comment": {"Trial"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `line 1: column 25: unknown feature &#34;amont&#34;`) ||
		!strings.Contains(body, "line 2: the reason code") || !strings.Contains(body, "review SMALL_TRIAL when amont") {
		t.Fatalf("broken rules: %d\n%s", res.StatusCode, body)
	}
	res, body = c.post("/staff/risk/rules", url.Values{"rules": {"review SMALL_TRIAL when amount < 100000"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-comment"`) {
		t.Fatalf("no comment: %d", res.StatusCode)
	}
	if h, _ := rules.History(e.ctx, e.app.DB, 5); len(h) != 0 {
		t.Fatalf("refused rules were published: %+v", h)
	}

	source := rules.DefaultSource + "review SMALL_TRIAL when amount < 100000 && payment_method == \"pay_later\"\r\n"
	res, _ = c.post("/staff/risk/rules", url.Values{"rules": {source}, "comment": {"Review small pay-later orders for a week"}})
	wantRedirect(t, res, "/staff/risk/rules")
	_, body = c.get("/staff/risk/rules")
	if !strings.Contains(body, "Version 1 is in force, with 4 rules.") || !strings.Contains(body, "Review small pay-later orders for a week") {
		t.Errorf("after publishing:\n%s", body)
	}
	if got := e.auditEntries("risk_rules:1", rules.AuditPublished); len(got) != 1 || got[0].Actor != "staff:"+analyst.ID {
		t.Errorf("audit: %+v", got)
	}
	// The next order is assessed by the new rules, without a restart.
	after := e.order("bo@example.dk", 50000)
	if got := e.fraudStatus(after); got != "PENDING" {
		t.Errorf("after publishing: %s", got)
	}
}
