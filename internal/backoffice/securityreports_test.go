package backoffice_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/reportpage"
	"github.com/tillit/tillit/internal/securityreport"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// newSecurityReportsEnv is the back office with the security queue, and the
// public report page on the same server.
func newSecurityReportsEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	pages, err := backoffice.New(backoffice.Config{Accounts: e.app.Accounts, Checkout: e.app.Checkout, DB: e.app.DB,
		Key: []byte(e.app.WebKey), SecurityReports: e.app.SecurityReports})
	if err != nil {
		t.Fatal(err)
	}
	report, err := reportpage.New(e.app.SecurityReports, []byte(e.app.WebKey), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/static/", web.Static())
	mux.Handle(backoffice.Prefix, pages.Handler())
	mux.Handle(reportpage.Path, report.Handler())
	e.srv.Config.Handler = mux
	e.pages = pages
	return e
}

// phishEML is a suspicious e-mail as a reporter saves it.
const phishEML = "From: <security@tillit-verify.example>\r\nSubject: Confirm your card\r\n\r\nhttps://tillit-verify.example/card\r\n"

// securityReport has someone report a phishing e-mail from the public page
// (with the e-mail as a file when withFile), from a network of its own so
// that no rate limit applies, and returns its id.
func (e *env) securityReport(withFile bool) string {
	e.t.Helper()
	sub := securityreport.Submission{Kind: securityreport.KindEmail, Text: "They asked for my full card number",
		URL: "https://login.tillit-verify.example/card", Lang: i18n.Default}
	if withFile {
		sub.File = &securityreport.Upload{Name: "phish.eml", Content: []byte(phishEML)}
	}
	rc, err := e.app.SecurityReports.SubmitPublic(e.ctx, ids.New(), sub)
	if err != nil {
		e.t.Fatal(err)
	}
	return rc.ID
}

// reportState reads a report's state and version.
func (e *env) reportState(id string) (securityreport.State, int64) {
	e.t.Helper()
	var (
		state   string
		version int64
	)
	if err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT state, version FROM security_reports WHERE id = $1`, id).Scan(&state, &version)
	}); err != nil {
		e.t.Fatal(err)
	}
	return securityreport.State(state), version
}

// versioned is a form at the version with the fields given as name/value
// pairs.
func versioned(version int64, kv ...string) url.Values {
	f := url.Values{"version": {strconv.FormatInt(version, 10)}}
	for i := 0; i < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

// TestSecurityReportRoles: every route of the security queue, for every
// role and for nobody signed in. Only security analysts and admins get
// in; everyone else gets 403 (nobody the sign-in page), the navigation
// links the queue for those who may open it, and a refused action leaves
// the report as it was.
func TestSecurityReportRoles(t *testing.T) {
	e := newSecurityReportsEnv(t)
	for _, role := range append([]account.Role{""}, account.Roles...) {
		t.Run("role="+string(role), func(t *testing.T) {
			id := e.securityReport(true)
			base := "/staff/security-reports/" + id
			c := e.client()
			may := securityreport.MayTriage(role)
			if role == "" {
				c.get("/staff/signin")
			} else {
				c.signIn(e.staff(role, "Member "+string(role)))
				_, home := c.get("/staff/")
				if links := strings.Contains(home, `href="/staff/security-reports"`); links != may {
					t.Errorf("navigation links the queue: %v, want %v", links, may)
				}
			}
			want := func(method, path string, res *http.Response, ok int) {
				t.Helper()
				switch {
				case role == "" && method == "GET":
					if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/staff/signin") {
						t.Errorf("%s %s signed out: %d to %q", method, path, res.StatusCode, res.Header.Get("Location"))
					}
				case role == "":
					if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusForbidden {
						t.Errorf("%s %s signed out: %d", method, path, res.StatusCode)
					}
				case may && res.StatusCode != ok, !may && res.StatusCode != http.StatusForbidden:
					t.Errorf("%s %s: %d (may triage: %v)", method, path, res.StatusCode, may)
				}
			}
			for _, path := range []string{"/staff/security-reports", "/staff/security-reports?state=triaging", base, base + "/file"} {
				res, _ := c.get(path)
				want("GET", path, res, http.StatusOK)
			}
			res, _ := c.post(base+"/take", versioned(1))
			want("POST", base+"/take", res, http.StatusSeeOther)
			_, v := e.reportState(id)
			res, _ = c.post(base+"/close", versioned(v, "outcome", "not_phishing", "notes", "A genuine newsletter"))
			want("POST", base+"/close", res, http.StatusSeeOther)
			state, _ := e.reportState(id)
			if wantState := map[bool]securityreport.State{true: securityreport.StateNotPhishing, false: securityreport.StateNew}[may]; state != wantState {
				t.Errorf("state %s, want %s", state, wantState)
			}
			if n := len(e.auditEntries(id, securityreport.ActionViewed)); (n > 0) != may {
				t.Errorf("%d views audited", n)
			}
		})
	}
}

// TestSecurityReportDownload: the e-mail file comes as an attachment of
// the type read from its bytes, never sniffed, and the download is
// audited; a report without a file has none to download.
func TestSecurityReportDownload(t *testing.T) {
	e := newSecurityReportsEnv(t)
	id := e.securityReport(true)
	c := e.client()
	c.signIn(e.staff(account.RoleSecurityAnalyst, "Sara Analyst"))
	_, pg := c.get("/staff/security-reports/" + id)
	if !strings.Contains(pg, `href="/staff/security-reports/`+id+`/file"`) {
		t.Fatalf("the report's page has no download link:\n%s", pg)
	}
	res, body := c.get("/staff/security-reports/" + id + "/file")
	for h, want := range map[string]string{
		"Content-Type":           "message/rfc822",
		"Content-Disposition":    `attachment; filename=phish.eml`,
		"X-Content-Type-Options": "nosniff",
	} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	if res.StatusCode != http.StatusOK || body != phishEML {
		t.Errorf("download: %d %q", res.StatusCode, body)
	}
	if n := len(e.auditEntries(id, securityreport.ActionFileDownloaded)); n != 1 {
		t.Errorf("%d downloads audited, want 1", n)
	}
	plain := e.securityReport(false)
	if res, _ := c.get("/staff/security-reports/" + plain + "/file"); res.StatusCode != http.StatusNotFound {
		t.Errorf("no file: %d, want 404", res.StatusCode)
	}
	if res, _ := c.get("/staff/security-reports/nosuchreport"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown report: %d, want 404", res.StatusCode)
	}
}

// TestSecurityReportTriage: an analyst finds the report in the queue,
// reads it with the address defanged and never linked, takes it and closes
// it. A stale version answers 409 and writes nothing, closing without
// notes or outcome 422, a malformed version 400.
func TestSecurityReportTriage(t *testing.T) {
	e := newSecurityReportsEnv(t)
	rc, err := e.app.SecurityReports.SubmitPublic(e.ctx, "198.51.100.0/24", securityreport.Submission{Kind: securityreport.KindWebsite,
		Text: "They asked for my full card number", URL: "https://login.tillit-verify.example/card", Email: "reporter@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	id := rc.ID
	base := "/staff/security-reports/" + id
	c := e.client()
	c.signIn(e.staff(account.RoleSecurityAnalyst, "Sara Analyst"))

	res, queue := c.get("/staff/security-reports")
	if res.StatusCode != http.StatusOK || !strings.Contains(queue, `href="`+base+`"`) || !strings.Contains(queue, `id="count-new">1<`) {
		t.Fatalf("queue: %d\n%s", res.StatusCode, queue)
	}
	if _, closed := c.get("/staff/security-reports?state=confirmed_phishing"); !strings.Contains(closed, `id="security-empty"`) {
		t.Error("the closed state lists reports")
	}
	if res, _ := c.get("/staff/security-reports?state=lost"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown state: %d, want 400", res.StatusCode)
	}
	_, pg := c.get(base)
	for _, want := range []string{`<code id="report-url">hxxps://login[.]tillit-verify[.]example/card</code>`,
		"They asked for my full card number", "The public page", `id="take-form"`} {
		if !strings.Contains(pg, want) {
			t.Errorf("the report's page lacks %s", want)
		}
	}
	for _, never := range []string{"https://login.tillit-verify.example", "reporter@example.org"} {
		if strings.Contains(pg, never) {
			t.Errorf("the report's page shows %s", never)
		}
	}
	_, v := e.reportState(id)

	nothingWritten := func(what string, wantState securityreport.State) {
		t.Helper()
		if state, now := e.reportState(id); state != wantState || now != v {
			t.Errorf("%s: now %s at version %d, want %s at %d", what, state, now, wantState, v)
		}
	}
	res, body := c.post(base+"/take", versioned(v+1))
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, `id="report-problem"`) {
		t.Errorf("take at a stale version: %d", res.StatusCode)
	}
	nothingWritten("stale take", securityreport.StateNew)
	if n := len(e.auditEntries(id, securityreport.ActionTaken)); n != 0 {
		t.Errorf("a refused take audited %d times", n)
	}
	if res, _ := c.post(base+"/take", url.Values{"version": {"x"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed version: %d", res.StatusCode)
	}
	res, _ = c.post(base+"/take", versioned(v))
	wantRedirect(t, res, base)
	if _, pg = c.get(base); !strings.Contains(pg, "You now triage report") || !strings.Contains(pg, `id="close-form"`) ||
		!strings.Contains(pg, "Sara Analyst") {
		t.Errorf("after taking:\n%s", pg)
	}
	state, taken := e.reportState(id)
	if state != securityreport.StateTriaging || len(e.auditEntries(id, securityreport.ActionTaken)) != 1 {
		t.Fatalf("after taking: %s", state)
	}
	if res, _ := c.post(base+"/take", versioned(taken)); res.StatusCode != http.StatusConflict {
		t.Errorf("taking a report in triage: %d, want 409", res.StatusCode)
	}
	v = taken
	for name, f := range map[string]url.Values{
		"no notes":   versioned(v, "outcome", "duplicate"),
		"no outcome": versioned(v, "notes", "Same as S-ABCDEF"),
		"bad state":  versioned(v, "outcome", "triaging", "notes", "x"),
		"long notes": versioned(v, "outcome", "duplicate", "notes", strings.Repeat("n", securityreport.MaxNotes+1)),
	} {
		if res, body := c.post(base+"/close", f); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "field__error") {
			t.Errorf("%s: %d", name, res.StatusCode)
		}
		nothingWritten(name, securityreport.StateTriaging)
	}
	res, _ = c.post(base+"/close", versioned(v-1, "outcome", "confirmed_phishing", "notes", "Cloned login page"))
	if res.StatusCode != http.StatusConflict {
		t.Errorf("close at a stale version: %d", res.StatusCode)
	}
	nothingWritten("stale close", securityreport.StateTriaging)
	if n := len(e.auditEntries(id, securityreport.ActionClosed)); n != 0 {
		t.Errorf("a refused close audited %d times", n)
	}
	res, _ = c.post(base+"/close", versioned(v, "outcome", "confirmed_phishing", "notes", "Cloned login page, taken down"))
	wantRedirect(t, res, base)
	_, pg = c.get(base)
	if !strings.Contains(pg, "Cloned login page, taken down") || !strings.Contains(pg, "Confirmed phishing") ||
		strings.Contains(pg, `id="close-form"`) || strings.Contains(pg, `id="take-form"`) {
		t.Errorf("after closing:\n%s", pg)
	}
	if state, _ := e.reportState(id); state != securityreport.StateConfirmedPhishing || len(e.auditEntries(id, securityreport.ActionClosed)) != 1 {
		t.Errorf("after closing: %s", state)
	}
	if _, q := c.get("/staff/security-reports?state=confirmed_phishing"); !strings.Contains(q, `href="`+base+`"`) ||
		!strings.Contains(q, `id="count-confirmed_phishing">1<`) || !strings.Contains(q, `id="count-new">0<`) {
		t.Errorf("queue after closing:\n%s", q)
	}
}
