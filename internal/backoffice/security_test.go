package backoffice_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/api"
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/card"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/totp"
	"github.com/tillit/tillit/internal/web"
)

// The card network's credential in these tests.
const (
	networkUser = "network"
	networkPass = "Card-network-secret-42"
)

// newSecurityEnv is newEnv with the card network's API and the consumer
// security pages served.
func newSecurityEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	logscan.Secret(logscan.Password, networkPass)
	e.app.API.CardNetwork = api.CardNetworkCredential{Username: networkUser, Password: networkPass}
	pages, err := backoffice.New(backoffice.Config{
		Accounts: e.app.Accounts, Checkout: e.app.Checkout, DB: e.app.DB, Key: []byte(e.app.WebKey), Cards: e.app.Cards, LookupKey: e.app.LookupKey,
		Logger: logscan.LoggerTo(testLog{t}),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/static/", web.Static())
	mux.Handle(backoffice.Prefix, pages.Handler())
	mux.Handle("/cards/", e.app.API.Handler())
	e.srv.Config.Handler = mux
	e.pages = pages
	return e
}

// consumer signs the address up as a consumer and returns their person id.
func (e *env) consumer(email string) string {
	e.t.Helper()
	if err := e.app.Accounts.RequestLoginCode(e.ctx, email, "da-DK"); err != nil {
		e.t.Fatal(err)
	}
	mail, err := e.app.Accounts.DemoMailbox(e.ctx, email, 1)
	if err != nil || len(mail) == 0 {
		e.t.Fatalf("no sign-in code: %v", err)
	}
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(mail[0].Body)
	logscan.Secret(logscan.OneTimeCode, code)
	c, err := e.app.Accounts.VerifyLoginCode(e.ctx, email, code)
	if err != nil {
		e.t.Fatal(err)
	}
	return c.PersonID
}

// virtualCard issues the person a virtual card and returns it with its
// details.
func (e *env) virtualCard(personID string) (card.Card, card.Details) {
	e.t.Helper()
	c, err := e.app.Cards.Create(e.ctx, personID, card.NewCard{Kind: card.KindVirtual, Amount: 500_000, Currency: "DKK", Locale: "da-DK", PaymentMethod: "pay_later"})
	if err != nil {
		e.t.Fatal(err)
	}
	d, err := e.app.Cards.Reveal(e.ctx, personID, c.ID, card.Reauth{VerifiedAt: e.clk.Now()})
	if err != nil {
		e.t.Fatal(err)
	}
	logscan.Secret(logscan.CardNumber, d.Number)
	logscan.Secret(logscan.CVV, d.CVV)
	return c, d
}

// networkRef numbers the card network's requests.
var networkRef int

// pay asks the card network's endpoint to authorize a purchase with the
// card and returns the status and decline reason.
func (e *env) pay(d card.Details) (status, reason string) {
	e.t.Helper()
	networkRef++
	body, err := json.Marshal(card.AuthorizationRequest{Amount: 10_000, Currency: "DKK", MerchantName: "Boots & Co", MerchantCategoryCode: "5661",
		CardNumber: d.Number, ExpiryMonth: d.ExpiryMonth, ExpiryYear: d.ExpiryYear, CVV: d.CVV, NetworkReference: "net-sec-" + strconv.Itoa(networkRef)})
	if err != nil {
		e.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/cards/v1/authorizations", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(networkUser, networkPass)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Status        string `json:"status"`
		DeclineReason string `json:"decline_reason"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusOK {
		e.t.Fatalf("authorization: %d %v", res.StatusCode, err)
	}
	return out.Status, out.DeclineReason
}

// TestSecurityRoleMatrix: "My security" is every member's; a staff
// member's page, unlocking and resetting two-step verification are the
// admins'; the consumer security pages are security analysts' and admins'.
// Other roles get 403 and change nothing; a browser without a session is
// sent to sign in.
func TestSecurityRoleMatrix(t *testing.T) {
	e := newSecurityEnv(t)
	member := e.staff(account.RoleCustomerService, "Mira Member")
	person := e.consumer("matrix@example.dk")
	c, _ := e.virtualCard(person)
	type route struct {
		method, path string
		form         url.Values
		roles        []account.Role // nil: every role
		ok           int
	}
	analysts := []account.Role{account.RoleSecurityAnalyst, account.RoleAdmin}
	routes := []route{
		{"GET", "/staff/my-security", nil, nil, http.StatusOK},
		{"GET", "/staff/staff/" + member.ID, nil, []account.Role{account.RoleAdmin}, http.StatusOK},
		{"POST", "/staff/staff/" + member.ID + "/unlock", url.Values{}, []account.Role{account.RoleAdmin}, http.StatusSeeOther},
		{"POST", "/staff/staff/" + member.ID + "/reset-two-step", url.Values{"reason": {"Matrix check"}}, []account.Role{account.RoleAdmin}, http.StatusSeeOther},
		{"GET", "/staff/consumer-security", nil, analysts, http.StatusOK},
		{"POST", "/staff/consumer-security", url.Values{"email": {"matrix@example.dk"}}, analysts, http.StatusSeeOther},
		{"GET", "/staff/consumer-security/" + person, nil, analysts, http.StatusOK},
		{"POST", "/staff/consumer-security/" + person + "/freeze", url.Values{"card": {c.ID}, "reason": {"Matrix check"}}, analysts, http.StatusSeeOther},
		{"POST", "/staff/consumer-security/" + person + "/unfreeze", url.Values{"card": {c.ID}, "reason": {"Matrix check"}}, analysts, http.StatusSeeOther},
	}
	for _, role := range append([]account.Role{""}, account.Roles...) {
		name := string(role)
		if role == "" {
			name = "nobody"
		}
		t.Run(name, func(t *testing.T) {
			cl := e.client()
			if role != "" {
				cl.signIn(e.staff(role, "Member "+strings.ReplaceAll(name, "_", " ")))
			} else {
				cl.get("/staff/signin")
			}
			for _, rt := range routes {
				if rt.method == "POST" {
					cl.get("/staff/")
				}
				res, _ := cl.do(rt.method, rt.path, withToken(rt.form, cl))
				want := rt.ok
				switch {
				case role == "":
					want = http.StatusSeeOther
				case rt.roles != nil && !containsRole(rt.roles, role):
					want = http.StatusForbidden
				}
				if res.StatusCode != want {
					t.Errorf("%s %s: %d, want %d", rt.method, rt.path, res.StatusCode, want)
				}
				if role == "" && !strings.HasPrefix(res.Header.Get("Location"), "/staff/signin") {
					t.Errorf("%s %s without a session: to %q", rt.method, rt.path, res.Header.Get("Location"))
				}
			}
		})
	}
	// Only the analyst's and the admin's freezes (each undone) were made.
	if got := len(e.auditEntries(person, card.ActionCardFrozen)); got != 2 {
		t.Errorf("%d card.frozen entries, want 2", got)
	}
}

// withToken adds the client's CSRF token to a form (nil stays nil).
func withToken(form url.Values, c *client) url.Values {
	if form == nil {
		return nil
	}
	out := url.Values{"csrf_token": {c.token}}
	for k, v := range form {
		out[k] = v
	}
	return out
}

// TestUnlockStaffAudited: a member locked out by wrong passwords shows as
// locked on their page; an admin's unlock lets them sign in at once and is
// audited with the admin as actor.
func TestUnlockStaffAudited(t *testing.T) {
	e := newSecurityEnv(t)
	admin := e.staff(account.RoleAdmin, "Ada Admin")
	locked := e.staff(account.RoleSecurityAnalyst, "Lukas Locked")
	intruder := e.client()
	for range account.DefaultSignInMax {
		intruder.submitSignIn(locked.Email, "Wrong-password-every-time-1")
	}
	if res, _ := intruder.submitSignIn(locked.Email, staffPassword); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("locked member with the right password: %d", res.StatusCode)
	}

	c := e.client()
	c.signIn(admin)
	_, page := c.get("/staff/staff/" + locked.ID)
	if !strings.Contains(page, `action="/staff/staff/`+locked.ID+`/unlock"`) {
		t.Fatalf("no unlock button on the locked member's page:\n%s", page)
	}
	res, _ := c.post("/staff/staff/"+locked.ID+"/unlock", nil)
	wantRedirect(t, res, "/staff/staff/"+locked.ID)
	if until, err := e.app.Accounts.LockedUntil(e.ctx, account.KindStaff, locked.ID); err != nil || !until.IsZero() {
		t.Fatalf("still locked: %v %v", until, err)
	}
	entries := e.auditEntries(locked.ID, "account.unlocked")
	if len(entries) != 1 || entries[0].Actor != "staff:"+admin.ID {
		t.Fatalf("unlock audit: %+v", entries)
	}
	if _, page := c.get("/staff/staff/" + locked.ID); strings.Contains(page, "/unlock\"") {
		t.Error("unlock button shown for a member who is not locked")
	}
	e.client().signIn(locked)

	// Unknown member: 404, nothing audited.
	c.get("/staff/")
	if res, _ := c.post("/staff/staff/0190b1f3-0000-7000-8000-000000000000/unlock", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown member: %d", res.StatusCode)
	}
}

// TestStaffFreezeDeclinesCard: a security analyst finds a consumer by
// address, freezes their account (reason required), and the consumer's
// next card authorization is declined "frozen"; unfreezing lets it through;
// a frozen card alone declines too. Every change and page view is audited.
func TestStaffFreezeDeclinesCard(t *testing.T) {
	e := newSecurityEnv(t)
	analyst := e.staff(account.RoleSecurityAnalyst, "Sia Analyst")
	person := e.consumer("frida@example.dk")
	other := e.consumer("olaf@example.dk")
	c, details := e.virtualCard(person)
	otherCard, _ := e.virtualCard(other)

	cl := e.client()
	cl.signIn(analyst)
	cl.get("/staff/consumer-security")
	if res, _ := cl.post("/staff/consumer-security", url.Values{"email": {"nobody@example.dk"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown address: %d", res.StatusCode)
	}
	if res, _ := cl.post("/staff/consumer-security", url.Values{"email": {"not an address"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("malformed address: %d", res.StatusCode)
	}
	res, _ := cl.post("/staff/consumer-security", url.Values{"email": {"Frida@Example.dk"}})
	page := consumerPath(person)
	wantRedirect(t, res, page)
	_, body := cl.get(page)
	if !strings.Contains(body, c.Last4) || strings.Contains(body, details.Number) || strings.Contains(body, details.Number[6:12]) {
		t.Fatal("the page must show the last four digits and never the number")
	}
	if got := len(e.auditEntries(person, backoffice.ActionConsumerSecurityViewed)); got != 1 {
		t.Errorf("%d page views audited, want 1", got)
	}

	if status, _ := e.pay(details); status != "approved" {
		t.Fatalf("before the freeze: %s", status)
	}

	// Bad input writes nothing.
	for _, tc := range []struct {
		name string
		path string
		form url.Values
		want int
	}{
		{"no reason", page + "/freeze", url.Values{"reason": {"  "}}, http.StatusUnprocessableEntity},
		{"long reason", page + "/freeze", url.Values{"reason": {strings.Repeat("x", card.MaxReason+1)}}, http.StatusUnprocessableEntity},
		{"another person's card", page + "/freeze", url.Values{"card": {otherCard.ID}, "reason": {"Stolen"}}, http.StatusNotFound},
		{"unknown card", page + "/freeze", url.Values{"card": {"nope"}, "reason": {"Stolen"}}, http.StatusNotFound},
		{"unknown person", consumerPath("0190b1f3-0000-7000-8000-000000000000") + "/freeze", url.Values{"reason": {"Stolen"}}, http.StatusNotFound},
	} {
		cl.get(page)
		if res, _ := cl.post(tc.path, tc.form); res.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, res.StatusCode, tc.want)
		}
	}
	if n := len(e.auditEntries(person, card.ActionAccountFrozen)) + len(e.auditEntries(person, card.ActionCardFrozen)) +
		len(e.auditEntries(other, card.ActionCardFrozen)); n != 0 {
		t.Fatalf("%d freezes after bad input, want 0", n)
	}

	cl.get(page)
	res, _ = cl.post(page+"/freeze", url.Values{"reason": {"Caller reports a stolen phone"}})
	wantRedirect(t, res, page)
	if status, reason := e.pay(details); status != "declined" || reason != card.DeclineFrozen {
		t.Fatalf("after the staff freeze: %s %s", status, reason)
	}
	entries := e.auditEntries(person, card.ActionAccountFrozen)
	if len(entries) != 1 || entries[0].Actor != "staff:"+analyst.ID {
		t.Fatalf("freeze audit: %+v", entries)
	}
	if _, body := cl.get(page); !strings.Contains(body, `action="`+page+`/unfreeze"`) {
		t.Error("a frozen account's page offers no unfreeze")
	}

	res, _ = cl.post(page+"/unfreeze", url.Values{"reason": {}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unfreeze without a reason: %d", res.StatusCode)
	}
	cl.get(page)
	res, _ = cl.post(page+"/unfreeze", url.Values{"reason": {"Phone found again"}})
	wantRedirect(t, res, page)
	if status, _ := e.pay(details); status != "approved" {
		t.Fatalf("after the unfreeze: %s", status)
	}

	// The card alone.
	cl.get(page)
	res, _ = cl.post(page+"/freeze", url.Values{"card": {c.ID}, "reason": {"Card number seen on a phishing site"}})
	wantRedirect(t, res, page)
	if status, reason := e.pay(details); status != "declined" || reason != card.DeclineFrozen {
		t.Fatalf("after the card freeze: %s %s", status, reason)
	}
	cl.get(page)
	res, _ = cl.post(page+"/unfreeze", url.Values{"card": {c.ID}, "reason": {"New card details not needed"}})
	wantRedirect(t, res, page)
	if status, _ := e.pay(details); status != "approved" {
		t.Fatalf("after the card unfreeze: %s", status)
	}
	if got := len(e.auditEntries(person, card.ActionCardUnfrozen)); got != 1 {
		t.Errorf("%d card.unfrozen entries, want 1", got)
	}
}

// consumerPath is a consumer's security page.
func consumerPath(personID string) string { return "/staff/consumer-security/" + personID }

// TestMySecurity: a member of staff sees their sessions, ends another one
// (signed out at its next request, audited), makes new recovery codes with
// a current code, and has no way to turn two-step verification off.
func TestMySecurity(t *testing.T) {
	e := newSecurityEnv(t)
	st := e.staff(account.RoleCustomerService, "Mads Mine")
	a, b := e.client(), e.client()
	a.signIn(st)
	b.signIn(st)
	_, page := a.get("/staff/my-security")
	if n := strings.Count(page, `<tr id="session-`); n != 2 {
		t.Fatalf("%d sessions listed, want 2", n)
	}
	sessions, err := e.app.Accounts.ListSessions(e.ctx, account.KindStaff, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	var bSession string
	for _, s := range sessions {
		if !strings.Contains(page, `action="/staff/my-security/sessions/`+s.ID+`/revoke"`) {
			continue
		}
		bSession = s.ID
	}
	if bSession == "" {
		t.Fatal("no revoke button for the other session")
	}
	// Another member cannot end it.
	stranger := e.client()
	stranger.signIn(e.staff(account.RoleAdmin, "Sven Stranger"))
	stranger.get("/staff/my-security")
	if res, _ := stranger.post("/staff/my-security/sessions/"+bSession+"/revoke", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("someone else's session: %d", res.StatusCode)
	}
	a.get("/staff/my-security")
	res, _ := a.post("/staff/my-security/sessions/"+bSession+"/revoke", nil)
	wantRedirect(t, res, "/staff/my-security#sessions")
	if res, _ := b.get("/staff/"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/staff/signin") {
		t.Fatalf("revoked session's next request: %d", res.StatusCode)
	}
	if got := len(e.auditEntries(st.ID, backoffice.ActionSessionRevoked)); got != 1 {
		t.Errorf("%d session_revoked entries, want 1", got)
	}

	a.get("/staff/my-security")
	if res, _ := a.post("/staff/my-security/recovery-codes", url.Values{"regenerate_code": {"123456"}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong code: %d", res.StatusCode)
	}
	if res, _ := a.post("/staff/my-security/recovery-codes", url.Values{"regenerate_code": {""}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("empty code: %d", res.StatusCode)
	}
	e.clk.Advance(5 * totp.Period)
	res, page = a.post("/staff/my-security/recovery-codes", url.Values{"regenerate_code": {e.auth[st.ID].Code(t, e.clk.Now())}})
	if res.StatusCode != http.StatusOK || len(recoveryRE.FindAllString(page, -1)) != account.RecoveryCodeCount {
		t.Fatalf("regenerate: %d", res.StatusCode)
	}
	if got := len(e.auditEntries(st.ID, "staff.recovery_codes_regenerated")); got != 1 {
		t.Errorf("%d regenerated entries, want 1", got)
	}
	if strings.Contains(page, "two-step/disable") {
		t.Error("staff are offered to turn two-step verification off")
	}
	if res, _ := a.post("/staff/my-security/two-step/disable", url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Errorf("disable route: %d, want 404", res.StatusCode)
	}
}

// TestEnrolmentLinkAtSignIn: a member of staff without an authenticator
// gets a working otpauth:// link on the code page (html/template would
// turn an unmarked one into "#ZgotmplZ").
func TestEnrolmentLinkAtSignIn(t *testing.T) {
	e := newEnv(t)
	st, err := e.app.Accounts.CreateStaff(e.ctx, "cli", account.NewStaff{Email: "nina.new@tillit.example", Name: "Nina New", Role: account.RoleAMLOfficer, Password: staffPassword})
	if err != nil {
		t.Fatal(err)
	}
	c := e.client()
	res, _ := c.submitSignIn(st.Email, staffPassword)
	_, page := c.get(res.Header.Get("Location"))
	if !strings.Contains(page, `id="totp-link"`) || !strings.Contains(page, `href="otpauth://totp/`) {
		t.Fatalf("no working authenticator link on the code page:\n%s", page)
	}
}
