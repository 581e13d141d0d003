package support_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/consumerapp"
	"github.com/tillit/tillit/internal/support"
	"github.com/tillit/tillit/internal/support/contactpage"
	"github.com/tillit/tillit/internal/web"
)

// client is a browser without JavaScript: it keeps cookies, follows
// redirects with GET and posts forms with the CSRF token of the last page.
type client struct {
	t    testing.TB
	base string
	http *http.Client
	csrf string
}

// page is a loaded page after any redirects.
type page struct {
	status int
	path   string
	body   string
}

// has reports whether the page's text (entities decoded) contains s.
func (p page) has(s string) bool { return strings.Contains(html.UnescapeString(p.body), s) }

func (e *env) client(base string) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &client{t: e.t, base: base, http: &http.Client{Jar: jar}}
}

// withCookie gives the client a session cookie for path.
func (c *client) withCookie(name, value, path string) *client {
	u, _ := url.Parse(c.base + path)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: path}})
	return c
}

var csrfPattern = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (c *client) do(method, path string, form url.Values) page {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	pg := page{status: res.StatusCode, path: res.Request.URL.Path, body: string(b)}
	if m := csrfPattern.FindStringSubmatch(pg.body); m != nil {
		c.csrf = html.UnescapeString(m[1])
	}
	return pg
}

func (c *client) get(path string) page { c.t.Helper(); return c.do(http.MethodGet, path, nil) }

func (c *client) post(path string, form url.Values) page {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set(web.CSRFFieldName, c.csrf)
	return c.do(http.MethodPost, path, form)
}

// consumerClient is a browser signed in to the app as the consumer.
func (e *env) consumerClient(base string, c consumer) *client {
	e.t.Helper()
	token, _, err := e.app.Accounts.StartSession(e.ctx, account.KindConsumer, c.ID, "", "test", "127.0.0.1")
	if err != nil {
		e.t.Fatal(err)
	}
	return e.client(base).withCookie(consumerapp.SessionCookie, token, consumerapp.Prefix)
}

// staffClient is a browser signed in to the back office as the member.
func (e *env) staffClient(m *staffMember) *client {
	e.t.Helper()
	begun, err := e.app.Accounts.BeginSignIn(e.ctx, account.KindStaff, m.ID, "", "test", "127.0.0.1")
	if err != nil || begun.Pending == nil {
		e.t.Fatalf("begin sign-in: %+v %v", begun, err)
	}
	done, err := e.app.Accounts.CompleteSignIn(e.ctx, account.KindStaff, begun.Pending.Token, m.auth.Code(e.t, e.clk.Now()), "test", "127.0.0.1")
	if err != nil || done.Token == "" {
		e.t.Fatalf("complete sign-in: %+v %v", done, err)
	}
	return e.client(e.srv.URL).withCookie(backoffice.CookieName, done.Token, backoffice.Prefix)
}

// conversationID is the id of the conversation whose page pg is.
func conversationID(t testing.TB, pg page, prefix string) string {
	t.Helper()
	id, ok := strings.CutPrefix(pg.path, prefix)
	if !ok || id == "" || strings.Contains(id, "/") {
		t.Fatalf("not on a conversation page: %d at %s", pg.status, pg.path)
	}
	return id
}

func TestConsumerAndStaffPages(t *testing.T) {
	e := newEnv(t)
	anna, bo := e.signUp("anna@example.dk"), e.signUp("bo@example.dk")
	order := e.order(anna.email)
	boOrder := e.order(bo.email)
	cs := e.member(account.RoleCustomerService, "Carla Service")
	analyst := e.member(account.RoleSecurityAnalyst, "Sam Analyst")
	a, b := e.consumerClient(e.srv.URL, anna), e.consumerClient(e.srv.URL, bo)

	pg := a.get("/app/support")
	if pg.status != http.StatusOK || !pg.has("Contact us") || !pg.has(`value="`+order+`"`) || pg.has(boOrder) || !pg.has(`href="/app/support"`) {
		t.Fatalf("list: %d %s", pg.status, pg.body)
	}
	before := e.snapshot()
	if pg = a.post("/app/support", url.Values{"message": {"  "}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("no message: %d", pg.status)
	}
	if pg = a.post("/app/support", url.Values{"message": {"Where?"}, "order": {boOrder}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("Bo's order: %d", pg.status)
	}
	if pg = a.post("/app/support", url.Values{"message": {strings.Repeat("x", support.MaxMessage+1)}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("too long: %d", pg.status)
	}
	e.unchanged("refused forms", before)

	pg = a.post("/app/support", url.Values{"message": {"Where is my rain jacket?"}, "order": {order}, "subject": {"Jacket"}})
	id := conversationID(t, pg, "/app/support/")
	if pg.status != http.StatusOK || !pg.has("Where is my rain jacket?") || !pg.has("Waiting for customer service") || pg.has(`id="ask-person"`) {
		t.Errorf("conversation page: %d %s", pg.status, pg.body)
	}
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(pg.body)[1]

	// Bo gets nothing of Anna's conversation.
	before = e.snapshot()
	if pg = b.get("/app/support/" + id); pg.status != http.StatusNotFound {
		t.Errorf("Bo reads Anna's: %d", pg.status)
	}
	b.get("/app/support")
	if pg = b.post("/app/support/"+id+"/messages", url.Values{"version": {version}, "message": {"Hi"}}); pg.status != http.StatusNotFound {
		t.Errorf("Bo writes in Anna's: %d", pg.status)
	}
	if pg = a.post("/app/support/"+id+"/messages", url.Values{"version": {"x"}, "message": {"Hi"}}); pg.status != http.StatusBadRequest {
		t.Errorf("malformed version: %d", pg.status)
	}
	e.unchanged("refused messages", before)

	// Staff answer while Anna writes: her message is refused and kept.
	staff := e.staffClient(cs)
	if pg = e.staffClient(analyst).get("/staff/support"); pg.status != http.StatusForbidden {
		t.Errorf("an analyst opens the inbox: %d", pg.status)
	}
	pg = staff.get("/staff/support")
	if pg.status != http.StatusOK || !pg.has("Jacket") || !pg.has("Handed over by the assistant:") || !pg.has(`href="/staff/support"`) {
		t.Fatalf("queue: %d %s", pg.status, pg.body)
	}
	pg = staff.get("/staff/support/" + id)
	if pg.status != http.StatusOK || !pg.has("Where is my rain jacket?") {
		t.Fatalf("staff conversation page: %d", pg.status)
	}
	if pg = staff.post("/staff/support/"+id+"/reply", url.Values{"version": {version}, "text": {" "}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("empty reply: %d", pg.status)
	}
	if pg = staff.post("/staff/support/"+id+"/reply", url.Values{"version": {version}, "text": {"It left the warehouse today."}}); pg.status != http.StatusOK ||
		!pg.has("Answered") || !pg.has("Your answer is sent") {
		t.Errorf("reply: %d %s", pg.status, pg.body)
	}
	pg = a.post("/app/support/"+id+"/messages", url.Values{"version": {version}, "message": {"Any news?"}})
	if pg.status != http.StatusConflict || !pg.has("New messages arrived") || !pg.has("Any news?") || !pg.has("It left the warehouse today.") {
		t.Errorf("stale message: %d %s", pg.status, pg.body)
	}
	pg = a.get("/app/support/" + id)
	version = regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(pg.body)[1]
	if pg = a.post("/app/support/"+id+"/messages", url.Values{"version": {version}, "message": {"Thank you!"}}); pg.status != http.StatusOK || !pg.has("Thank you!") {
		t.Errorf("message: %d", pg.status)
	}

	// Customer service turns it into a complaint.
	pg = staff.get("/staff/support/" + id)
	version = regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(pg.body)[1]
	before = e.snapshot()
	if pg = staff.post("/staff/support/"+id+"/complaint", url.Values{"version": {version}, "category": {"nonsense"}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("unknown category: %d", pg.status)
	}
	if pg = staff.post("/staff/support/"+id+"/dispute", url.Values{"version": {version}, "order": {boOrder}, "reason": {"not_received"}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("a dispute on Bo's order: %d", pg.status)
	}
	e.unchanged("refused conversions", before)
	pg = staff.post("/staff/support/"+id+"/complaint", url.Values{"version": {version}, "category": {"order"}, "order": {order}})
	if pg.status != http.StatusOK || !pg.has("The case is open") || !pg.has(`href="/staff/complaints/`) || pg.has(`id="reply-form"`) {
		t.Errorf("converted: %d %s", pg.status, pg.body)
	}
	pg = a.get("/app/support/" + id)
	if !pg.has("a complaint") || !pg.has(`href="/app/complaints/`) || pg.has(`id="message-form"`) {
		t.Errorf("Anna's converted conversation: %s", pg.body)
	}
	if pg = a.get("/app/complaints"); !pg.has("Jacket") {
		t.Error("Anna's complaints do not list the conversation's complaint")
	}
}

func TestAssistantMessagesAreMarkedAndAPersonCanBeAsked(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp("anna@example.dk")
	pages, err := consumerapp.New(consumerapp.Config{Accounts: e.app.Accounts, Plans: e.app.Plans, Key: []byte(e.app.WebKey),
		Support: e.service(&fakeFirstLine{})})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(pages.Handler())
	t.Cleanup(srv.Close)
	a := e.consumerClient(srv.URL, anna)
	a.get("/app/support")
	pg := a.post("/app/support", url.Values{"message": {"Can I pause a payment?"}})
	id := conversationID(t, pg, "/app/support/")
	if pg.status != http.StatusOK || !pg.has("You wrote: Can I pause a payment?") || !pg.has("Automated assistant, not a person") ||
		!pg.has("With the assistant") || !pg.has(`id="ask-person"`) {
		t.Fatalf("assistant's answer: %d %s", pg.status, pg.body)
	}
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(pg.body)[1]
	pg = a.post("/app/support/"+id+"/person", url.Values{"version": {version}})
	if pg.status != http.StatusOK || !pg.has("Customer service has your conversation now") || !pg.has("Waiting for customer service") || pg.has(`id="ask-person"`) {
		t.Errorf("after asking for a person: %d %s", pg.status, pg.body)
	}
}

func TestPublicContactPages(t *testing.T) {
	e := newEnv(t)
	cs := e.member(account.RoleCustomerService, "Carla Service")
	v := e.client(e.srv.URL)
	pg := v.get("/support/contact")
	if pg.status != http.StatusOK || !pg.has("Contact Tillit") {
		t.Fatalf("form: %d", pg.status)
	}
	before := e.snapshot()
	if pg = v.post("/support/contact", url.Values{"email": {"nobody"}, "message": {"Hi"}}); pg.status != http.StatusUnprocessableEntity || !pg.has("Enter the e-mail address") {
		t.Errorf("bad address: %d", pg.status)
	}
	if pg = v.post("/support/contact", url.Values{"email": {"vera@example.nl"}, "message": {""}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("no message: %d", pg.status)
	}
	big := url.Values{"email": {"vera@example.nl"}, "message": {strings.Repeat("x", contactpage.MaxBody)}}
	if pg = v.post("/support/contact", big); pg.status != http.StatusRequestEntityTooLarge {
		t.Errorf("huge body: %d", pg.status)
	}
	e.unchanged("refused contact forms", before)

	pg = v.post("/support/contact", url.Values{"email": {"vera@example.nl"}, "message": {"Is this e-mail from you?"}})
	ref := regexp.MustCompile(`SUP-[2-9A-Z]{6}`).FindString(pg.body)
	if pg.status != http.StatusOK || ref == "" || !pg.has("Thank you.") {
		t.Fatalf("thanks: %d %s", pg.status, pg.body)
	}
	mail := e.mails("vera@example.nl")
	link := regexp.MustCompile(`(/support/conversations/\S+)`).FindStringSubmatch(mail[0].Body)
	if link == nil {
		t.Fatalf("no link in %q", mail[0].Body)
	}
	path := link[1]
	pg = v.get(path)
	if pg.status != http.StatusOK || !pg.has("Is this e-mail from you?") || !pg.has(ref) {
		t.Fatalf("the visitor's page: %d", pg.status)
	}
	if got := v.get(path + "x"); got.status != http.StatusNotFound {
		t.Errorf("altered link: %d", got.status)
	}
	id := strings.Split(strings.TrimPrefix(path, support.VisitorPath), "/")[0]

	// Customer service answers; the visitor answers through the link.
	staff := e.staffClient(cs)
	spg := staff.get("/staff/support/" + id)
	if !spg.has("vera@example.nl") || !spg.has("Contact form") {
		t.Errorf("staff do not see where a contact-form conversation came from: %s", spg.body)
	}
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(spg.body)[1]
	if spg = staff.post("/staff/support/"+id+"/reply", url.Values{"version": {version}, "text": {"No, it is not. Delete it."}}); spg.status != http.StatusOK {
		t.Fatalf("reply: %d", spg.status)
	}
	if pg = v.post(path, url.Values{"version": {"1"}, "message": {"Thanks"}}); pg.status != http.StatusConflict || !pg.has("No, it is not.") {
		t.Errorf("stale answer: %d", pg.status)
	}
	pg = v.get(path)
	version = regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(pg.body)[1]
	if pg = v.post(path, url.Values{"version": {version}, "message": {"Thanks, deleted."}}); pg.status != http.StatusOK || !pg.has("Your message is sent.") ||
		!pg.has("Thanks, deleted.") {
		t.Errorf("answer: %d %s", pg.status, pg.body)
	}

	e.clk.Advance(support.DefaultLinkLifetime + time.Hour)
	if pg = v.get(path); pg.status != http.StatusGone {
		t.Errorf("expired link: %d", pg.status)
	}
}
