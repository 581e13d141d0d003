package consumerapp_test

import (
	"bytes"
	"github.com/tillit/tillit/internal/person"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/consent"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// subject is the consent subject of the consumer with the address: the
// person their consumer key leads to, made when Tillit did not know them.
func (e *env) subject(email string) string {
	e.t.Helper()
	secret, err := e.app.DB.InstanceSecret(e.ctx, ids.ConsumerKeySecret)
	if err != nil {
		e.t.Fatal(err)
	}
	var id string
	err = e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		var err error
		id, err = person.Resolve(tx, ids.ConsumerKey(secret, email))
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// granted reports whether the consumer with the address has given consent
// to purpose.
func (e *env) granted(email string, purpose consent.Purpose) bool {
	e.t.Helper()
	var ok bool
	err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
		var err error
		ok, err = consent.Granted(tx, e.subject(email), purpose)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return ok
}

// history returns the consent history of the consumer with the address.
func (e *env) history(email string) []consent.Change {
	e.t.Helper()
	h, err := e.app.Consents.History(e.ctx, e.subject(email))
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

// setConsent changes a consent as if elsewhere (at checkout).
func (e *env) setConsent(email string, purpose consent.Purpose, granted bool) {
	e.t.Helper()
	if _, err := e.app.Consents.Set(e.ctx, e.subject(email), purpose, granted, consent.SourceCheckout, ""); err != nil {
		e.t.Fatal(err)
	}
}

// unsubscribePath is the path of the consumer's unsubscribe link for purpose.
func (e *env) unsubscribePath(email string, purpose consent.Purpose) string {
	e.t.Helper()
	u, err := e.app.Consents.UnsubscribeURL("https://pay.example.com", e.subject(email), purpose)
	if err != nil {
		e.t.Fatal(err)
	}
	return strings.TrimPrefix(u, "https://pay.example.com")
}

// altered changes one character in the middle of an unsubscribe link's
// token (the last one may only carry padding bits).
func altered(link string) string {
	i := len(link) - 20
	c := byte('A')
	if link[i] == 'A' {
		c = 'B'
	}
	return link[:i] + string(c) + link[i+1:]
}

// choose is the privacy form choosing to give or withdraw purpose.
func choose(purpose consent.Purpose, choice string) url.Values {
	return url.Values{"purpose": {string(purpose)}, "choice": {choice}}
}

func TestPrivacyChoicesGiveAndWithdraw(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	c.signIn(anna)

	pg := c.get("/app/privacy")
	if pg.status != http.StatusOK || !pg.has("Your privacy choices") || !pg.has(`href="/app/privacy" aria-current="page"`) {
		t.Fatalf("privacy page: %d %s", pg.status, pg.body)
	}
	for _, want := range []string{"Marketing from Tillit", "Extra support from customer service", "Call recording",
		"Every message has a link to unsubscribe", "You have not made any choices yet."} {
		if !pg.has(want) {
			t.Errorf("privacy page lacks %q", want)
		}
	}
	if n := strings.Count(pg.body, "No consent"); n != 3 {
		t.Errorf("%d purposes without consent, want 3", n)
	}
	if strings.Contains(pg.body, "Withdraw consent") {
		t.Error("a consent never given can be withdrawn")
	}

	// Giving consent takes effect at once, with a notice and a history row.
	pg = c.post("/app/privacy", choose(consent.DirectMarketing, "give"))
	if pg.status != http.StatusOK || pg.path != "/app/privacy" || !pg.has("You have given your consent to: Marketing from Tillit.") {
		t.Fatalf("after giving consent: %d at %s", pg.status, pg.path)
	}
	if !e.granted(anna, consent.DirectMarketing) || e.granted(anna, consent.CallRecording) {
		t.Fatal("consent not given at once, or given to more than asked")
	}
	if !pg.has("Consent given") || !pg.has("Withdraw consent: Marketing from Tillit") || !pg.has("Since 2\u00a0Mar\u00a02026") {
		t.Errorf("page after giving consent: %s", pg.body)
	}
	if n := strings.Count(pg.body, "<tr>") - 1; n != 1 || !pg.has("In the app") {
		t.Errorf("%d history rows, want 1: %s", n, pg.body)
	}
	// Giving it again changes nothing.
	c.post("/app/privacy", choose(consent.DirectMarketing, "give"))
	if h := e.history(anna); len(h) != 1 || h[0].Source != consent.SourceApp || !strings.HasPrefix(h[0].Actor, "consumer:") {
		t.Errorf("history after giving twice: %+v", h)
	}

	pg = c.post("/app/privacy", choose(consent.DirectMarketing, "withdraw"))
	if !pg.has("You have withdrawn your consent to: Marketing from Tillit. This took effect at once.") {
		t.Fatalf("after withdrawing: %s", pg.body)
	}
	if e.granted(anna, consent.DirectMarketing) {
		t.Fatal("consent still given after withdrawing")
	}
	if h := e.history(anna); len(h) != 2 || h[0].Granted || !pg.has("Consent withdrawn") {
		t.Errorf("history after withdrawing: %+v", h)
	}

	// Made elsewhere, a change shows how it was made.
	e.setConsent(anna, consent.CallRecording, true)
	if pg := c.get("/app/privacy"); !pg.has("At checkout") || !pg.has("Withdraw consent: Call recording") {
		t.Errorf("a consent given at checkout: %s", pg.body)
	}

	// A form that names no purpose or choice is refused.
	for _, form := range []url.Values{choose("newsletter", "give"), choose(consent.CallRecording, "maybe"), {}} {
		if pg := c.post("/app/privacy", form); pg.status != http.StatusBadRequest {
			t.Errorf("form %v: %d", form, pg.status)
		}
	}
	if len(e.history(anna)) != 3 {
		t.Error("a refused form changed a consent")
	}
}

func TestPrivacyPageShowsOnlyTheConsumersOwnChoices(t *testing.T) {
	e := newEnv(t, true)
	annas, bobs := e.client(), e.client()
	annas.signIn(anna)
	bobs.signIn(bob)
	annas.get("/app/privacy")
	annas.post("/app/privacy", choose(consent.DirectMarketing, "give"))
	annas.post("/app/privacy", choose(consent.VulnerableCustomerSupport, "give"))

	pg := bobs.get("/app/privacy")
	if pg.status != http.StatusOK || strings.Contains(pg.body, "Consent given") || !pg.has("You have not made any choices yet.") {
		t.Errorf("Bob's page shows Anna's choices: %s", pg.body)
	}
	// Bob's change is his alone.
	bobs.post("/app/privacy", choose(consent.CallRecording, "give"))
	if e.granted(anna, consent.CallRecording) || !e.granted(bob, consent.CallRecording) || e.granted(bob, consent.DirectMarketing) {
		t.Error("a change reached the other consumer")
	}
	pg = annas.get("/app/privacy")
	if n := strings.Count(pg.body, "Consent given"); n != 4 {
		// Two badges and two history rows.
		t.Errorf("Anna's page has %d times Consent given, want 4", n)
	}
	if strings.Contains(pg.body, "Withdraw consent: Call recording") {
		t.Error("Anna's page shows Bob's consent")
	}
}

func TestPrivacyPageNeedsSignInAndCSRF(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	if pg := c.get("/app/privacy"); pg.path != "/app/signin" {
		t.Errorf("signed out, the privacy page is at %s", pg.path)
	}
	c.get("/app/signin")
	before := c.csrf
	if pg := c.post("/app/privacy", choose(consent.DirectMarketing, "give")); pg.path != "/app/signin" {
		t.Errorf("signed out, posting choices ends at %s", pg.path)
	}
	c.signIn(anna)
	c.get("/app/privacy")
	form := choose(consent.DirectMarketing, "give")
	form.Set("csrf_token", "")
	if pg := c.post("/app/privacy", form); pg.status != http.StatusForbidden {
		t.Errorf("without a token: %d", pg.status)
	}
	form.Set("csrf_token", before)
	if pg := c.post("/app/privacy", form); pg.status != http.StatusForbidden {
		t.Errorf("with a signed-out token: %d", pg.status)
	}
	if e.granted(anna, consent.DirectMarketing) || len(e.history(anna)) != 0 {
		t.Error("a refused request changed a consent")
	}
}

func TestUnsubscribeLinkWithoutSignIn(t *testing.T) {
	e := newEnv(t, true)
	e.setConsent(anna, consent.DirectMarketing, true)
	e.setConsent(anna, consent.CallRecording, true)
	e.setConsent(bob, consent.DirectMarketing, true)
	link := e.unsubscribePath(anna, consent.DirectMarketing)

	// A browser that never signed in opens the link: withdrawn at once.
	c := e.client()
	for range 2 {
		pg := c.get(link)
		if pg.status != http.StatusOK || pg.path != link || !pg.has("You are unsubscribed") ||
			!pg.has("We have withdrawn your consent to: Marketing from Tillit.") {
			t.Fatalf("unsubscribe: %d at %s: %s", pg.status, pg.path, pg.body)
		}
		if e.granted(anna, consent.DirectMarketing) {
			t.Fatal("still subscribed after the link")
		}
	}
	if !e.granted(anna, consent.CallRecording) || !e.granted(bob, consent.DirectMarketing) {
		t.Error("the link withdrew more than its own consent")
	}
	h := e.history(anna)
	if len(h) != 3 || h[0].Source != consent.SourceUnsubscribeLink || h[0].Granted || h[0].Purpose != consent.DirectMarketing {
		t.Errorf("history: %+v", h)
	}

	// Forged and malformed links get a clear page and write nothing.
	e.setConsent(anna, consent.DirectMarketing, true)
	token := strings.TrimPrefix(link, consent.UnsubscribePath)
	for _, bad := range []string{altered(token), "not-a-token", strings.Repeat("x", 700), "%21%21"} {
		pg := c.get(consent.UnsubscribePath + bad)
		if pg.status != http.StatusBadRequest || !pg.has("This unsubscribe link does not work") {
			t.Errorf("link %q: %d", bad, pg.status)
		}
	}
	if !e.granted(anna, consent.DirectMarketing) || len(e.history(anna)) != 4 {
		t.Error("a bad link changed a consent")
	}
}

// oneClick posts like a mail client following RFC 8058: no cookies, no CSRF
// token, from another origin.
func (e *env) oneClick(path, contentType string, body io.Reader) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Origin", "https://mail.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		e.t.Errorf("one-click answer lacks the security headers: %v", res.Header)
	}
	return res.StatusCode, string(b)
}

func TestOneClickUnsubscribe(t *testing.T) {
	e := newEnv(t, true)
	e.setConsent(anna, consent.DirectMarketing, true)
	link := e.unsubscribePath(anna, consent.DirectMarketing)
	const form = "application/x-www-form-urlencoded"

	// Without the one-click body the POST is refused and writes nothing.
	for _, body := range []string{"", "List-Unsubscribe=Yes", "Other=One-Click"} {
		if status, _ := e.oneClick(link, form, strings.NewReader(body)); status != http.StatusBadRequest {
			t.Errorf("body %q: %d", body, status)
		}
	}
	if !e.granted(anna, consent.DirectMarketing) {
		t.Fatal("a POST without the one-click body unsubscribed")
	}
	// A forged token is refused.
	if status, body := e.oneClick(altered(link), form, strings.NewReader("List-Unsubscribe=One-Click")); status != http.StatusBadRequest ||
		!strings.Contains(body, "This unsubscribe link does not work") {
		t.Errorf("forged token: %d", status)
	}
	if !e.granted(anna, consent.DirectMarketing) {
		t.Fatal("a forged token unsubscribed")
	}

	for range 2 {
		status, body := e.oneClick(link, form, strings.NewReader("List-Unsubscribe=One-Click"))
		if status != http.StatusOK || !strings.Contains(body, "You are unsubscribed") {
			t.Fatalf("one-click: %d %s", status, body)
		}
		if e.granted(anna, consent.DirectMarketing) {
			t.Fatal("still subscribed after one-click")
		}
	}
	if h := e.history(anna); len(h) != 2 || h[0].Source != consent.SourceUnsubscribeLink {
		t.Errorf("history: %+v", h)
	}

	// Mail clients may send the body as multipart/form-data.
	e.setConsent(anna, consent.DirectMarketing, true)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("List-Unsubscribe", "One-Click"); err != nil {
		t.Fatal(err)
	}
	mw.Close()
	if status, _ := e.oneClick(link, mw.FormDataContentType(), &buf); status != http.StatusOK || e.granted(anna, consent.DirectMarketing) {
		t.Errorf("multipart one-click: %d", status)
	}

	// Only this route is exempt from CSRF: other posts from a mail client
	// are still refused.
	if status, _ := e.oneClick("/app/privacy", form, strings.NewReader(choose(consent.DirectMarketing, "give").Encode())); status != http.StatusForbidden {
		t.Errorf("a cross-site post to the privacy page: %d", status)
	}
}
