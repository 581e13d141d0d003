package consumerapp_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/consumerapp"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/store"
)

func TestSignInWithACodeFromTheOutbox(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()

	pg := c.get("/app/")
	if pg.status != http.StatusOK || pg.path != "/app/signin" || !pg.has("Sign in") {
		t.Fatalf("signed out, / gave %d at %s", pg.status, pg.path)
	}
	pg = c.post("/app/signin", url.Values{"email": {" Anna@Example.com "}})
	if pg.status != http.StatusOK || pg.path != "/app/signin/code" {
		t.Fatalf("after the e-mail form: %d at %s", pg.status, pg.path)
	}
	if !pg.has("Enter the code we sent to Anna@Example.com") || !pg.has(`href="/demo/mailbox?email=Anna%40Example.com"`) {
		t.Errorf("code page: %s", pg.body)
	}
	code := e.lastCode(anna)

	// A wrong code is refused politely, with the error by the field.
	wrong := string('0'+(code[0]-'0'+1)%10) + code[1:]
	pg = c.post("/app/signin/code", url.Values{"code": {wrong}})
	if pg.status != http.StatusUnprocessableEntity || !pg.has("That code is wrong or has expired") || !pg.has(`aria-invalid="true"`) {
		t.Fatalf("wrong code: %d %s", pg.status, pg.body)
	}
	if c.cookie(consumerapp.SessionCookie) != "" {
		t.Fatal("a wrong code gave a session")
	}

	pg = c.post("/app/signin/code", url.Values{"code": {code}})
	if pg.status != http.StatusOK || pg.path != "/app/" || !pg.has("Signed in as anna@example.com") || !pg.has("Your purchases") {
		t.Fatalf("after the code: %d at %s", pg.status, pg.path)
	}
	var session string
	for _, sc := range pg.cookies {
		if strings.HasPrefix(sc, consumerapp.SessionCookie+"=") {
			session = sc
		}
	}
	for _, attr := range []string{"Path=/app/", "HttpOnly", "SameSite=Lax", "Max-Age="} {
		if !strings.Contains(session, attr) {
			t.Errorf("session cookie %q lacks %s", session, attr)
		}
	}
	if strings.Contains(session, "Secure") {
		t.Errorf("session cookie %q is Secure on plain HTTP without SecureCookies", session)
	}

	// Signed in, the sign-in pages lead to the app.
	if pg := c.get("/app/signin"); pg.path != "/app/" {
		t.Errorf("sign-in page when signed in: at %s", pg.path)
	}
	// The code worked once.
	other := e.client()
	other.get("/app/signin")
	other.post("/app/signin", url.Values{"email": {anna}})
	if pg := other.post("/app/signin/code", url.Values{"code": {code}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("a used code: %d", pg.status)
	}
}

func TestSessionCookieIsSecureWhenConfigured(t *testing.T) {
	e := newEnv(t, true)
	pages, err := consumerapp.New(consumerapp.Config{Accounts: e.app.Accounts, Plans: e.app.Plans, Key: []byte(e.app.WebKey), SecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(pages.Handler())
	t.Cleanup(srv.Close)
	c := e.client()
	c.base = srv.URL
	c.get("/app/signin")
	pg := c.post("/app/signin", url.Values{"email": {anna}})
	// The app's cookies are marked Secure even on plain HTTP.
	if len(pg.cookies) == 0 || !slices.ContainsFunc(pg.cookies, func(s string) bool { return strings.Contains(s, "Secure") }) {
		t.Fatalf("cookies %q", pg.cookies)
	}
}

func TestExpiredCodeIsRefused(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	c.get("/app/signin")
	c.post("/app/signin", url.Values{"email": {anna}})
	code := e.lastCode(anna)
	e.clk.Advance(account.LoginCodeLifetime + time.Second)
	if pg := c.post("/app/signin/code", url.Values{"code": {code}}); pg.status != http.StatusUnprocessableEntity || !pg.has("wrong or has expired") {
		t.Fatalf("expired code: %d", pg.status)
	}
	if pg := c.post("/app/signin/code", url.Values{"code": {""}}); pg.status != http.StatusUnprocessableEntity || !pg.has("Fill in this field.") {
		t.Fatalf("empty code: %d", pg.status)
	}
}

func TestSignInFormErrors(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	c.get("/app/signin")
	if pg := c.post("/app/signin", url.Values{"email": {"anna@"}}); pg.status != http.StatusUnprocessableEntity || !pg.has("Enter an e-mail address such as name@example.com.") {
		t.Fatalf("bad address: %d", pg.status)
	}
	// The code page without an address goes back to the e-mail form.
	if pg := c.get("/app/signin/code"); pg.path != "/app/signin" {
		t.Fatalf("code page without an address: at %s", pg.path)
	}
	if pg := c.post("/app/signin/code", url.Values{"code": {"123456"}}); pg.path != "/app/signin" || !pg.has("enter your e-mail address again") {
		t.Fatalf("code without an address: at %s", pg.path)
	}
}

func TestTooManyCodeRequestsAreRefusedPolitely(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	c.get("/app/signin")
	var pg page
	for i := range account.DefaultCodeRequestMax + 1 {
		pg = c.post("/app/signin", url.Values{"email": {anna}})
		if i < account.DefaultCodeRequestMax && pg.status != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, pg.status)
		}
	}
	if pg.status != http.StatusTooManyRequests || !pg.has("Please wait a while") || pg.path != "/app/signin" {
		t.Fatalf("one request too many: %d at %s", pg.status, pg.path)
	}
	// The resend button on the code page says a new code went out.
	c2 := e.client()
	c2.get("/app/signin")
	c2.post("/app/signin", url.Values{"email": {bob}})
	if pg := c2.post("/app/signin", url.Values{"email": {bob}, "resend": {"1"}}); pg.path != "/app/signin/code" || !pg.has("We sent you a new code") {
		t.Fatalf("resend: %d at %s", pg.status, pg.path)
	}
}

func TestSignedOutVisitorsGoToSignIn(t *testing.T) {
	e := newEnv(t, true)
	id := e.order(anna, repayment.CategoryPayIn3, 60000, 0)
	c := e.client()
	for _, path := range []string{"/app/", "/app/orders/" + id, "/app/orders/" + id + "/receipts/x"} {
		pg := c.get(path)
		if len(pg.redirects) == 0 || pg.redirects[0] != "/app/signin" || pg.path != "/app/signin" {
			t.Errorf("%s signed out: redirects %v, at %s", path, pg.redirects, pg.path)
		}
	}
	// A cookie that names no live session is dropped, with a notice.
	u, _ := url.Parse(e.srv.URL + "/app/")
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: consumerapp.SessionCookie, Value: "forged", Path: "/app/"}})
	pg := c.get("/app/")
	if pg.path != "/app/signin" || !pg.has("You were signed out") || c.cookie(consumerapp.SessionCookie) != "" {
		t.Fatalf("forged cookie: at %s", pg.path)
	}
	if pg := c.get("/app/no-such-page"); pg.status != http.StatusNotFound {
		t.Errorf("unknown page: %d", pg.status)
	}
}

func TestAnotherConsumersOrderIsNotFound(t *testing.T) {
	e := newEnv(t, true)
	mine := e.order(anna, repayment.CategoryPayIn3, 60000, 0)
	theirs := e.order(bob, repayment.CategoryPayIn3, 90000, 0)
	e.capture(theirs, 90000)
	bobs := e.client()
	bobs.signIn(bob)
	pg := bobs.get("/app/orders/" + theirs)
	bobs.post("/app/orders/"+theirs+"/pay", url.Values{"what": {repayment.PayNext}})
	e.settle()
	receipt := e.plan(theirs).Receipts[0].ID

	c := e.client()
	home := c.signIn(anna)
	if !home.has(e.reference(mine)) || home.has(e.reference(theirs)) {
		t.Errorf("home lists the wrong orders")
	}
	if pg = c.get("/app/orders/" + mine); pg.status != http.StatusOK {
		t.Fatalf("own order: %d", pg.status)
	}
	for _, path := range []string{"/app/orders/" + theirs, "/app/orders/" + theirs + "/receipts/" + receipt, "/app/orders/no-such-order"} {
		if pg := c.get(path); pg.status != http.StatusNotFound || !pg.has("Page not found") || pg.has("Nordic Rain") {
			t.Errorf("%s: %d", path, pg.status)
		}
	}
	if pg := c.post("/app/orders/"+theirs+"/pay", url.Values{"what": {repayment.PayAll}}); pg.status != http.StatusNotFound {
		t.Errorf("paying another's order: %d", pg.status)
	}
	if p := e.plan(theirs); len(p.Receipts) != 1 {
		t.Errorf("another consumer's payment went through: %+v", p.Receipts)
	}
}

func TestPayWithNothingOwedShowsAnError(t *testing.T) {
	e := newEnv(t, true)
	id := e.order(anna, repayment.CategoryPayLater, 20000, 0)
	c := e.client()
	c.signIn(anna)
	pg := c.get("/app/orders/" + id)
	if pg.has("Pay next instalment") || !pg.has("Your payment plan starts when the shop sends your order.") || !pg.has("Not sent yet") {
		t.Errorf("order not yet captured: %s", pg.body)
	}
	pg = c.post("/app/orders/"+id+"/pay", url.Values{"what": {repayment.PayNext}})
	if pg.status != http.StatusOK || pg.path != "/app/orders/"+id || !pg.has("There is nothing to pay on this order right now.") || !pg.has(`role="alert"`) {
		t.Fatalf("pay with nothing owed: %d at %s", pg.status, pg.path)
	}
	if pg := c.post("/app/orders/"+id+"/pay", url.Values{"what": {"half"}}); pg.status != http.StatusBadRequest {
		t.Errorf("pay half: %d", pg.status)
	}
}

func TestPayNextInstalmentThenSeeItPaidWithAReceipt(t *testing.T) {
	e := newEnv(t, true)
	id := e.order(anna, repayment.CategoryPayIn3, 60000, 0)
	e.capture(id, 60000)
	c := e.client()
	home := c.signIn(anna)
	instalment := i18n.FormatMoney(i18n.English, 20000, dkk)
	if !home.has(instalment) || !home.has("Upcoming payments") || !home.has(i18n.FormatMoney(i18n.English, 60000, dkk)) || !home.has("Pay in 3") {
		t.Fatalf("home: %s", home.body)
	}

	c.get("/app/orders/" + id)
	pg := c.post("/app/orders/"+id+"/pay", url.Values{"what": {repayment.PayNext}})
	if pg.path != "/app/orders/"+id || !pg.has("Your payment of "+instalment+" has started") || !pg.has("Your payment of "+instalment+" is being processed") {
		t.Fatalf("after paying: %s", pg.body)
	}
	if pg.has("Pay next instalment") {
		t.Error("the pay buttons show while a payment is processing")
	}
	pending := e.plan(id).Receipts[0].ID
	if pg := c.get("/app/orders/" + id + "/receipts/" + pending); pg.status != http.StatusNotFound {
		t.Errorf("receipt of a pending payment: %d", pg.status)
	}
	// A second payment while the first is on its way is refused.
	pg = c.post("/app/orders/"+id+"/pay", url.Values{"what": {repayment.PayAll}})
	if !pg.has("already being processed") {
		t.Errorf("second payment: %s", pg.body)
	}

	e.settle()
	pg = c.get("/app/orders/" + id)
	if strings.Count(pg.body, ">Paid</span>") != 1 || strings.Count(pg.body, ">Due</span>") != 2 || !pg.has("Completed") || !pg.has("View receipt") {
		t.Fatalf("after the rail confirmed: %s", pg.body)
	}
	pg = c.get("/app/orders/" + id + "/receipts/" + pending)
	if pg.status != http.StatusOK || !pg.has(instalment) || !pg.has(e.reference(id)) || !pg.has("Nordic Rain") || !pg.has(pending) {
		t.Fatalf("receipt: %d %s", pg.status, pg.body)
	}
	if pg := c.get("/app/"); !pg.has(i18n.FormatMoney(i18n.English, 40000, dkk)) {
		t.Errorf("home after paying: %s", pg.body)
	}
}

func TestCSRFIsEnforced(t *testing.T) {
	e := newEnv(t, true)
	id := e.order(anna, repayment.CategoryPayIn3, 60000, 0)
	e.capture(id, 60000)
	c := e.client()
	c.get("/app/signin")
	before := c.csrf
	c.signIn(anna)

	if pg := c.post("/app/signout", url.Values{"csrf_token": {""}}); pg.status != http.StatusForbidden {
		t.Errorf("sign out without a token: %d", pg.status)
	}
	// A token from before signing in is bound to no session.
	if pg := c.post("/app/orders/"+id+"/pay", url.Values{"what": {repayment.PayNext}, "csrf_token": {before}}); pg.status != http.StatusForbidden {
		t.Errorf("pay with a signed-out token: %d", pg.status)
	}
	if p := e.plan(id); len(p.Receipts) != 0 {
		t.Fatalf("a refused request paid: %+v", p.Receipts)
	}
	if pg := c.get("/app/"); pg.status != http.StatusOK || pg.path != "/app/" {
		t.Errorf("still signed in: %d at %s", pg.status, pg.path)
	}
}

func TestSignOutRevokesTheSession(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	c.signIn(anna)
	token := c.cookie(consumerapp.SessionCookie)
	if _, err := e.app.Accounts.LookupSession(e.ctx, account.KindConsumer, token); err != nil {
		t.Fatal(err)
	}
	pg := c.post("/app/signout", nil)
	if pg.path != "/app/signin" || !pg.has("You are signed out.") || c.cookie(consumerapp.SessionCookie) != "" {
		t.Fatalf("sign out: at %s", pg.path)
	}
	// The old cookie, kept by someone, no longer works.
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(e.srv.URL + "/app/")
	jar.SetCookies(u, []*http.Cookie{{Name: consumerapp.SessionCookie, Value: token, Path: "/app/"}})
	thief := e.client()
	thief.http.Jar = jar
	if pg := thief.get("/app/"); pg.path != "/app/signin" {
		t.Fatalf("old cookie after sign-out: at %s", pg.path)
	}
	if _, err := e.app.Accounts.LookupSession(e.ctx, account.KindConsumer, token); err == nil {
		t.Fatal("the session lives on")
	}
}

func TestPagesInTheConsumersLanguage(t *testing.T) {
	e := newEnv(t, true)
	id := e.order(anna, repayment.CategoryFinancing, 1200000, 12)
	e.capture(id, 1200000)
	c := e.client()
	c.signIn(anna)
	pg := c.get("/app/?lang=da")
	if !pg.has("Dine køb") || !pg.has(`<html lang="da">`) || !pg.has(i18n.FormatMoney(i18n.Danish, e.plan(id).Installments[0].Amount, dkk)) || !pg.has(i18n.FormatDate(i18n.Danish, e.plan(id).Installments[0].Due)) {
		t.Fatalf("Danish home: %s", pg.body)
	}
	pg = c.get("/app/orders/" + id)
	if !pg.has("Finansieringsvilkår") || !pg.has("19,95 %") || !pg.has("Renter ") {
		t.Fatalf("Danish order page: %s", pg.body)
	}
	if pg := c.get("/app/orders/" + id + "?lang=en"); !pg.has("19.95%") || !pg.has("Interest ") {
		t.Fatalf("English order page: %s", pg.body)
	}
}

func TestDemoMailbox(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	c.get("/app/signin")
	c.post("/app/signin", url.Values{"email": {anna}})
	pg := c.get("/demo/mailbox?email=" + url.QueryEscape(anna))
	if pg.status != http.StatusOK || !pg.has("This is a demo tool") || !pg.has(e.lastCode(anna)) || !pg.has("E-mails to "+anna) {
		t.Fatalf("mailbox: %d %s", pg.status, pg.body)
	}
	if pg := c.get("/demo/mailbox?email=nobody%40example.com"); !pg.has("No e-mails for this address.") {
		t.Errorf("empty mailbox: %s", pg.body)
	}
	if pg := c.get("/demo/mailbox?email=nobody"); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("bad address: %d", pg.status)
	}

	off := newEnv(t, false)
	oc := off.client()
	if pg := oc.get("/demo/mailbox?email=" + url.QueryEscape(anna)); pg.status != http.StatusNotFound {
		t.Errorf("mailbox outside demo mode: %d", pg.status)
	}
	oc.get("/app/signin")
	if pg := oc.post("/app/signin", url.Values{"email": {anna}}); pg.has("/demo/mailbox") {
		t.Error("the code page links to the mailbox outside demo mode")
	}
}

func TestPausedOrderAndMoneyPaidBack(t *testing.T) {
	e := newEnv(t, true)
	paused := e.order(anna, repayment.CategoryPayLater, 20000, 0)
	e.capture(paused, 20000)
	if err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error { return e.app.Plans.Pause(tx, paused, "dispute:test", 30) }); err != nil {
		t.Fatal(err)
	}
	refunded := e.order(anna, repayment.CategoryPayLater, 30000, 0)
	e.capture(refunded, 30000)
	c := e.client()
	c.signIn(anna)
	pg := c.get("/app/orders/" + paused)
	until := e.plan(paused).PausedUntil
	if until == nil || !pg.has("Payments on this order are paused until "+i18n.FormatDate(i18n.English, *until)) || !pg.has(">Paused</span>") {
		t.Fatalf("paused order: %s", pg.body)
	}

	// Paid in full, then partly refunded: the difference goes back.
	c.get("/app/orders/" + refunded)
	c.post("/app/orders/"+refunded+"/pay", url.Values{"what": {repayment.PayAll}})
	e.settle()
	err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		_, err := e.app.Checkout.Refund(tx, e.m.ID, refunded, checkout.RefundRequest{RefundedAmount: 10000})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	pg = c.get("/app/orders/" + refunded)
	if !pg.has("Money paid back to you") || !pg.has("Processing") {
		t.Fatalf("payout on its way: %s", pg.body)
	}
	e.settle()
	pg = c.get("/app/orders/" + refunded)
	if strings.Count(pg.body, "Completed") != 2 || strings.Count(pg.body, ">View receipt</a>") != 2 || !pg.has(">Paid</span>") {
		t.Fatalf("after the payout: %s", pg.body)
	}
	var payout string
	for _, r := range e.plan(refunded).Receipts {
		if r.Kind == repayment.KindPayout {
			payout = r.ID
		}
	}
	if pg := c.get("/app/orders/" + refunded + "/receipts/" + payout); pg.status != http.StatusOK || !pg.has(i18n.FormatMoney(i18n.English, 10000, dkk)) || !pg.has("Money paid back to you") {
		t.Fatalf("payout receipt: %d %s", pg.status, pg.body)
	}
}
