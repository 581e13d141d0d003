package securityreport_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/securityreport"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

const password = "Lantern-harbour-violet-1987"

// env is the service on the test's database engine with a manual clock.
type env struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	clk      *clock.Manual
	accounts *account.Service
	svc      *securityreport.Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, clk := storetest.Open(t)
	v := vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()})
	secret, err := db.InstanceSecret(ctx, ids.ConsumerKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := securityreport.New(securityreport.Config{DB: db, Vault: v, LookupKey: secret,
		Logger: logscan.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if r, err := audit.Verify(ctx, db); err != nil || !r.OK() {
			t.Errorf("audit verify: %v %v", r.Problems, err)
		}
	})
	return &env{t: t, ctx: ctx, db: db, clk: clk, accounts: account.New(db, account.DefaultConfig(), secret, v), svc: svc}
}

// signUp signs a consumer in with a sign-in code; it returns their person
// and actor.
func (e *env) signUp(email string) (string, string) {
	e.t.Helper()
	if err := e.accounts.RequestLoginCode(e.ctx, email, "en-GB"); err != nil {
		e.t.Fatal(err)
	}
	mail, err := e.accounts.DemoMailbox(e.ctx, email, 1)
	if err != nil || len(mail) == 0 {
		e.t.Fatalf("no sign-in code: %v", err)
	}
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(mail[0].Body)
	logscan.Secret(logscan.OneTimeCode, code)
	c, err := e.accounts.VerifyLoginCode(e.ctx, email, code)
	if err != nil {
		e.t.Fatal(err)
	}
	return c.PersonID, "consumer:" + c.ID
}

func (e *env) staff(name string, role account.Role) account.Staff {
	e.t.Helper()
	logscan.Secret(logscan.Password, password)
	st, err := e.accounts.CreateStaff(e.ctx, "cli", account.NewStaff{Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@tillit.example",
		Name: name, Role: role, Password: password})
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.Read(e.ctx, func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) }); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// snapshot counts the rows a report may write.
func (e *env) snapshot() [5]int {
	return [5]int{e.count(`SELECT COUNT(*) FROM security_reports`), e.count(`SELECT COUNT(*) FROM audit_log`),
		e.count(`SELECT COUNT(*) FROM outbox_messages`), e.count(`SELECT COUNT(*) FROM sign_in_throttle`),
		e.count(`SELECT COALESCE(SUM(version), 0) FROM security_reports`)}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := apperr.Code(err); err == nil || got != code {
		t.Errorf("%s: got %v, want %s", what, err, code)
	}
}

const eml = "From: \"Tillit Support\" <support@tillit-secure.example>\r\nSubject: Your account is locked\r\n\r\nClick here to unlock: https://tillit-login.example/x\r\n"

// TestPublicReportSealedAndAcknowledged: a public report with an address
// and an e-mail file is stored sealed (nothing readable in the row), the
// reporter gets the reference by e-mail, and the submission is audited.
func TestPublicReportSealedAndAcknowledged(t *testing.T) {
	e := newEnv(t)
	rc, err := e.svc.SubmitPublic(e.ctx, "192.0.2.0/24", securityreport.Submission{Kind: securityreport.KindEmail,
		Text: "Mail asking for my card number", URL: "https://tillit-login.example/x", Email: "Reporter@Example.org",
		File: &securityreport.Upload{Name: "phish.eml", Content: []byte(eml)}, Lang: i18n.Danish})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^S-[2-9A-Z]{6}$`).MatchString(rc.Reference) || !rc.Acknowledged {
		t.Errorf("receipt %+v", rc)
	}
	var text, url, email, content, ct string
	if err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT text, url, reporter_email, file_content, file_type FROM security_reports WHERE id = $1`, rc.ID).
			Scan(&text, &url, &email, &content, &ct)
	}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{text, url, email, content} {
		if !strings.HasPrefix(v, "v1.") || strings.Contains(v, "tillit-login") || strings.Contains(v, "card") || strings.Contains(v, "reporter") {
			t.Errorf("a field is not sealed: %q", v[:min(len(v), 40)])
		}
	}
	if ct != "message/rfc822" {
		t.Errorf("file type %q", ct)
	}
	mail, err := e.accounts.DemoMailbox(e.ctx, "reporter@example.org", 5)
	if err != nil || len(mail) != 1 || !strings.Contains(mail[0].Subject, rc.Reference) || !strings.Contains(mail[0].Body, rc.Reference) {
		t.Fatalf("acknowledgement: %v %+v", err, mail)
	}
	if !strings.Contains(mail[0].Subject, "anmeldelse") {
		t.Errorf("acknowledgement not in Danish: %q", mail[0].Subject)
	}
	if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = $1 AND subject = $2`, securityreport.ActionSubmitted, rc.ID); n != 1 {
		t.Errorf("%d audit entries for the submission", n)
	}
}

// TestBadInputWritesNothing: every refused submission writes nothing.
func TestBadInputWritesNothing(t *testing.T) {
	e := newEnv(t)
	ok := securityreport.Submission{Kind: securityreport.KindWebsite, Text: "A fake shop"}
	html := []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
	cases := []struct {
		name  string
		edit  func(s *securityreport.Submission)
		field string
	}{
		{"unknown kind", func(s *securityreport.Submission) { s.Kind = "fax" }, "kind"},
		{"empty text", func(s *securityreport.Submission) { s.Text = "  " }, "text"},
		{"text too long", func(s *securityreport.Submission) { s.Text = strings.Repeat("x", securityreport.MaxText+1) }, "text"},
		{"text with NUL", func(s *securityreport.Submission) { s.Text = "a\x00b" }, "text"},
		{"javascript URL", func(s *securityreport.Submission) { s.URL = "javascript:alert(1)" }, "url"},
		{"ftp URL", func(s *securityreport.Submission) { s.URL = "ftp://files.example/x" }, "url"},
		{"URL with space", func(s *securityreport.Submission) { s.URL = "https://exa mple.com" }, "url"},
		{"URL too long", func(s *securityreport.Submission) {
			s.URL = "https://example.com/" + strings.Repeat("a", securityreport.MaxURL)
		}, "url"},
		{"bad e-mail", func(s *securityreport.Submission) { s.Email = "not-an-address" }, "email"},
		{"oversized file", func(s *securityreport.Submission) {
			s.File = &securityreport.Upload{Name: "big.eml", Content: bytes.Repeat([]byte("a"), securityreport.MaxFileBytes+1)}
		}, "file"},
		{"empty file", func(s *securityreport.Submission) { s.File = &securityreport.Upload{Name: "x.eml"} }, "file"},
		{"HTML named .eml", func(s *securityreport.Submission) { s.File = &securityreport.Upload{Name: "x.eml", Content: html} }, "file"},
		{"PDF", func(s *securityreport.Submission) {
			s.File = &securityreport.Upload{Name: "x.pdf", Content: []byte("%PDF-1.4\n")}
		}, "file"},
		{"text named .msg", func(s *securityreport.Submission) {
			s.File = &securityreport.Upload{Name: "x.msg", Content: []byte(eml)}
		}, "file"},
		{"name with a slash", func(s *securityreport.Submission) {
			s.File = &securityreport.Upload{Name: "../x.eml", Content: []byte(eml)}
		}, "file"},
	}
	before := e.snapshot()
	for _, c := range cases {
		sub := ok
		c.edit(&sub)
		_, err := e.svc.SubmitPublic(e.ctx, "198.51.100.0/24", sub)
		wantCode(t, c.name, err, apperr.BadValue)
		if err != nil && !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: %v does not name %s", c.name, err, c.field)
		}
	}
	if after := e.snapshot(); after != before {
		t.Errorf("refused submissions wrote: %v → %v", before, after)
	}
}

// TestRateLimits: the public page takes PerNetwork reports per network and
// PerEmail per address in an hour, then refuses (writing nothing), and
// takes them again after the window.
func TestRateLimits(t *testing.T) {
	e := newEnv(t)
	sub := securityreport.Submission{Kind: securityreport.KindSMS, Text: "A text about a parcel fee"}
	for i := range 5 {
		if _, err := e.svc.SubmitPublic(e.ctx, "203.0.113.0/24", sub); err != nil {
			t.Fatalf("report %d: %v", i+1, err)
		}
	}
	before := e.snapshot()
	_, err := e.svc.SubmitPublic(e.ctx, "203.0.113.0/24", sub)
	wantCode(t, "sixth from the network", err, apperr.TooManyRequests)
	if after := e.snapshot(); after != before {
		t.Errorf("a refused report wrote: %v → %v", before, after)
	}
	if _, err := e.svc.SubmitPublic(e.ctx, "203.0.114.0/24", sub); err != nil {
		t.Errorf("another network: %v", err)
	}
	withMail := sub
	withMail.Email = "busy@example.org"
	for i := range 3 {
		if _, err := e.svc.SubmitPublic(e.ctx, "10.0."+string(rune('1'+i))+".0/24", withMail); err != nil {
			t.Fatalf("mail report %d: %v", i+1, err)
		}
	}
	_, err = e.svc.SubmitPublic(e.ctx, "10.9.9.0/24", withMail)
	wantCode(t, "fourth for the address", err, apperr.TooManyRequests)
	e.clk.Advance(time.Hour)
	if _, err := e.svc.SubmitPublic(e.ctx, "203.0.113.0/24", sub); err != nil {
		t.Errorf("after the window: %v", err)
	}
	person, actor := e.signUp("anna@example.org")
	for i := range 10 {
		if _, err := e.svc.SubmitAsConsumer(e.ctx, person, actor, sub); err != nil {
			t.Fatalf("consumer report %d: %v", i+1, err)
		}
	}
	_, err = e.svc.SubmitAsConsumer(e.ctx, person, actor, sub)
	wantCode(t, "eleventh from the person", err, apperr.TooManyRequests)
}

// TestTriage: take, close with notes; wrong states, stale versions and
// roles that do not triage are refused and write nothing; the file comes
// back as uploaded; every action is audited under the person.
func TestTriage(t *testing.T) {
	e := newEnv(t)
	person, actor := e.signUp("bo@example.org")
	rc, err := e.svc.SubmitAsConsumer(e.ctx, person, actor, securityreport.Submission{Kind: securityreport.KindEmail,
		Text: "It asked me to confirm my password", URL: "tillit-secure.example/login",
		File: &securityreport.Upload{Name: "mail.eml", Content: []byte(eml)}})
	if err != nil {
		t.Fatal(err)
	}
	if mail, _ := e.accounts.DemoMailbox(e.ctx, "bo@example.org", 5); len(mail) == 0 || !strings.Contains(mail[0].Body, rc.Reference) {
		t.Errorf("no acknowledgement to the consumer's address")
	}
	analyst := e.staff("Sam Analyst", account.RoleSecurityAnalyst)
	admin := e.staff("Ada Admin", account.RoleAdmin)
	for _, role := range account.Roles {
		if securityreport.MayTriage(role) != (role == account.RoleSecurityAnalyst || role == account.RoleAdmin) {
			t.Errorf("MayTriage(%s) = %v", role, securityreport.MayTriage(role))
		}
	}
	service := e.staff("Cy Service", account.RoleCustomerService)
	before := e.snapshot()
	if _, err := e.svc.View(e.ctx, service, rc.ID); apperr.Code(err) != apperr.Forbidden {
		t.Errorf("customer service viewed: %v", err)
	}
	if _, err := e.svc.Take(e.ctx, service, rc.ID, 1); apperr.Code(err) != apperr.Forbidden {
		t.Errorf("customer service took: %v", err)
	}
	if _, _, err := e.svc.File(e.ctx, service, rc.ID); apperr.Code(err) != apperr.Forbidden {
		t.Errorf("customer service downloaded: %v", err)
	}
	_, err = e.svc.Close(e.ctx, analyst, rc.ID, 1, securityreport.StateNotPhishing, "fine")
	wantCode(t, "close a new report", err, securityreport.CodeWrongState)
	_, err = e.svc.Take(e.ctx, analyst, rc.ID, 7)
	wantCode(t, "stale version", err, securityreport.CodeChanged)
	_, err = e.svc.Take(e.ctx, analyst, ids.New(), 1)
	wantCode(t, "unknown report", err, apperr.NotFound)
	if after := e.snapshot(); after != before {
		t.Errorf("refused actions wrote: %v → %v", before, after)
	}
	rep, err := e.svc.View(e.ctx, analyst, rc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Text != "It asked me to confirm my password" || rep.Defanged() != "tillit-secure[.]example/login" || rep.File == nil || rep.File.Name != "mail.eml" {
		t.Errorf("view %+v", rep)
	}
	info, content, err := e.svc.File(e.ctx, analyst, rc.ID)
	if err != nil || string(content) != eml || info.Type != "message/rfc822" {
		t.Errorf("file %+v %q %v", info, content, err)
	}
	taken, err := e.svc.Take(e.ctx, analyst, rc.ID, rep.Version)
	if err != nil || taken.State != securityreport.StateTriaging || taken.OwnerName != "Sam Analyst" {
		t.Fatalf("take: %+v %v", taken, err)
	}
	_, err = e.svc.Take(e.ctx, admin, rc.ID, taken.Version)
	wantCode(t, "take twice", err, securityreport.CodeWrongState)
	_, err = e.svc.Close(e.ctx, analyst, rc.ID, taken.Version, securityreport.StateTriaging, "x")
	wantCode(t, "close as triaging", err, apperr.BadValue)
	_, err = e.svc.Close(e.ctx, analyst, rc.ID, taken.Version, securityreport.StateConfirmedPhishing, strings.Repeat("n", securityreport.MaxNotes+1))
	wantCode(t, "notes too long", err, apperr.BadValue)
	closed, err := e.svc.Close(e.ctx, admin, rc.ID, taken.Version, securityreport.StateConfirmedPhishing, "Domain reported for takedown")
	if err != nil || closed.State != securityreport.StateConfirmedPhishing || closed.ClosedAt == nil || closed.ClosingNotes != "Domain reported for takedown" {
		t.Fatalf("close: %+v %v", closed, err)
	}
	_, err = e.svc.Close(e.ctx, admin, rc.ID, closed.Version, securityreport.StateDuplicate, "again")
	wantCode(t, "close twice", err, securityreport.CodeWrongState)
	for _, a := range []string{securityreport.ActionSubmitted, securityreport.ActionViewed, securityreport.ActionFileDownloaded,
		securityreport.ActionTaken, securityreport.ActionClosed} {
		if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = $1 AND subject = $2`, a, person); n != 1 {
			t.Errorf("%d audit entries %s under the person", n, a)
		}
	}
	list, err := e.svc.Queue(e.ctx, analyst, securityreport.StateConfirmedPhishing)
	if err != nil || len(list) != 1 || list[0].Text != "" {
		t.Errorf("queue %+v %v", list, err)
	}
	if _, err := e.svc.Queue(e.ctx, service, securityreport.StateNew); apperr.Code(err) != apperr.Forbidden {
		t.Errorf("queue for customer service: %v", err)
	}
}

// TestDefang: addresses never come out as something that links.
func TestDefang(t *testing.T) {
	for in, want := range map[string]string{
		"https://login.tillit.example/a.b?x=1": "hxxps://login[.]tillit[.]example/a.b?x=1",
		"http://example.com":                   "hxxp://example[.]com",
		"www.fake-shop.example":                "www[.]fake-shop[.]example",
		"":                                     "",
	} {
		if got := securityreport.Defang(in); got != want {
			t.Errorf("Defang(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNetworkOf: the rate limit counts an IPv4 /24 and an IPv6 /48.
func TestNetworkOf(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.77:5123":             "192.0.2.0/24",
		"[2001:db8:1234:5678::1]:443": "2001:db8:1234::/48",
		"not-an-ip":                   "not-an-ip",
	} {
		if got := securityreport.NetworkOf(in); got != want {
			t.Errorf("NetworkOf(%q) = %q, want %q", in, got, want)
		}
	}
}
