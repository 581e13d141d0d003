package consumerapp_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/consumerapp"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/reportpage"
	"github.com/tillit/tillit/internal/securityreport"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// reportClient is a signed-in consumer of an app whose report form allows
// two reports per person an hour.
func reportClient(t *testing.T) (*env, *client) {
	t.Helper()
	e := newEnv(t, false)
	svc, err := securityreport.New(securityreport.Config{DB: e.app.DB, Vault: e.app.Vault, LookupKey: e.app.LookupKey,
		PerPerson: securityreport.Limit{Max: 2, Window: time.Hour}, Logger: logscan.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := consumerapp.New(consumerapp.Config{Accounts: e.app.Accounts, Plans: e.app.Plans, Key: []byte(e.app.WebKey),
		SecurityReports: svc, Logger: logscan.LoggerTo(testLog{t})})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(consumerapp.Prefix, pages.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := e.client()
	c.base = srv.URL
	c.signIn(anna)
	return e, c
}

// postReport sends the app's report form as multipart with the fields,
// the CSRF token (unless token is false) and an optional file.
func (c *client) postReport(fields map[string]string, token bool, fileName string, file []byte) page {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if token {
		_ = mw.WriteField(web.CSRFFieldName, c.csrf)
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if fileName != "" {
		fw, _ := mw.CreateFormFile("file", fileName)
		_, _ = fw.Write(file)
	}
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.base+"/app/report-suspicious", &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, path: req.URL.RequestURI(), body: string(b)}
}

// securityReports counts the stored reports of the person (all reports
// when person is "").
func (e *env) securityReports(person string) int {
	e.t.Helper()
	var n int
	if err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM security_reports WHERE person_id = $1 OR $1 = ''`, person).Scan(&n)
	}); err != nil {
		e.t.Fatal(err)
	}
	return n
}

var referenceRE = regexp.MustCompile(`S-[2-9A-Z]{6}`)

// TestReportSuspiciousFromApp: a signed-in consumer finds the form in the
// navigation, without the address field, sends a report with an e-mail
// file and sees its reference; it is stored under their person and
// acknowledged at their address.
func TestReportSuspiciousFromApp(t *testing.T) {
	e, c := reportClient(t)
	home := c.get("/app/")
	if !strings.Contains(home.body, `href="/app/report-suspicious"`) {
		t.Fatal("the app's navigation has no link to the report form")
	}
	form := c.get("/app/report-suspicious")
	if form.status != http.StatusOK || !strings.Contains(form.body, `id="report-form"`) || !strings.Contains(form.body, `action="/app/report-suspicious"`) {
		t.Fatalf("form: %d\n%s", form.status, form.body)
	}
	if strings.Contains(form.body, `name="email"`) || !strings.Contains(form.body, `aria-current="page">Report a scam`) {
		t.Error("the app's form asks for an address, or the navigation does not mark the page")
	}
	eml := "From: <help@tillit-secure.example>\r\nSubject: Your account is locked\r\n\r\nSign in at https://tillit-secure.example\r\n"
	pg := c.postReport(map[string]string{"kind": "email", "text": "An e-mail says my account is locked",
		"url": "tillit-secure.example/login"}, true, "locked.eml", []byte(eml))
	ref := referenceRE.FindString(pg.body)
	if pg.status != http.StatusOK || ref == "" || !strings.Contains(pg.body, `id="report-thanks"`) || !pg.has("We have sent a confirmation") {
		t.Fatalf("submit: %d\n%s", pg.status, pg.body)
	}
	var person string
	if err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT person_id FROM consumers`).Scan(&person)
	}); err != nil {
		t.Fatal(err)
	}
	if n := e.securityReports(person); n != 1 {
		t.Fatalf("%d reports under the consumer's person, want 1", n)
	}
	msgs, err := e.app.Accounts.DemoMailbox(e.ctx, anna, 1)
	if err != nil || len(msgs) == 0 || !strings.Contains(msgs[0].Subject, ref) {
		t.Errorf("no acknowledgement naming %s: %+v %v", ref, msgs, err)
	}
	if pg := c.postReport(map[string]string{"kind": "website", "text": " "}, true, "", nil); pg.status != http.StatusUnprocessableEntity ||
		!strings.Contains(pg.body, "f-text-error") {
		t.Errorf("empty text: %d", pg.status)
	}
	if n := e.securityReports(""); n != 1 {
		t.Errorf("%d reports after a refused one, want 1", n)
	}
}

// TestReportSuspiciousRefusals: without the CSRF token (403), with a body
// over the cap (413) or signed out (to the sign-in page) nothing is
// stored; past the per-person limit the form says so (429).
func TestReportSuspiciousRefusals(t *testing.T) {
	e, c := reportClient(t)
	c.get("/app/report-suspicious")
	ok := map[string]string{"kind": "sms", "text": "A text message asks me to pay a parcel fee"}
	if pg := c.postReport(ok, false, "", nil); pg.status != http.StatusForbidden {
		t.Errorf("no CSRF token: %d", pg.status)
	}
	if pg := c.postReport(ok, true, "big.eml", bytes.Repeat([]byte("a"), reportpage.MaxBody)); pg.status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d", pg.status)
	}
	out := e.client()
	out.base = c.base
	out.get("/app/signin")
	if pg := out.postReport(ok, true, "", nil); pg.status != http.StatusSeeOther {
		t.Errorf("signed out: %d, want 303 to the sign-in page", pg.status)
	}
	if n := e.securityReports(""); n != 0 {
		t.Fatalf("refused posts stored %d reports", n)
	}
	for i := range 2 {
		if pg := c.postReport(ok, true, "", nil); pg.status != http.StatusOK {
			t.Fatalf("report %d: %d", i+1, pg.status)
		}
	}
	pg := c.postReport(ok, true, "", nil)
	if pg.status != http.StatusTooManyRequests || !pg.has("several reports from you in a short time") {
		t.Errorf("over the limit: %d", pg.status)
	}
	if n := e.securityReports(""); n != 2 {
		t.Errorf("%d reports, want 2", n)
	}
}
