package reportpage_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/reportpage"
	"github.com/tillit/tillit/internal/securityreport"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
	"github.com/tillit/tillit/internal/web"
)

// site is the public page on a test server, with the database behind it.
type site struct {
	t      *testing.T
	db     *store.DB
	origin string
}

func newSite(t *testing.T) *site {
	t.Helper()
	db, _ := storetest.Open(t)
	v := vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()})
	secret, err := db.InstanceSecret(context.Background(), ids.ConsumerKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	logger := logscan.Logger()
	svc, err := securityreport.New(securityreport.Config{DB: db, Vault: v, LookupKey: secret, Logger: logger,
		PerNetwork: securityreport.Limit{Max: 2, Window: 3600e9}})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := reportpage.New(svc, []byte(strings.Repeat("k", web.MinKeyLen)), false, logger)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(reportpage.Path, pages.Handler())
	mux.Handle(web.StaticPrefix, web.Static())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &site{t: t, db: db, origin: srv.URL}
}

// browser is a client with its own cookies and the page's CSRF token.
type browser struct {
	c     *http.Client
	token string
}

var tokenRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (s *site) browser() *browser {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{c: &http.Client{Jar: jar}}
	resp, err := b.c.Get(s.origin + reportpage.Path)
	if err != nil {
		s.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("GET: %d", resp.StatusCode)
	}
	for _, want := range []string{"report-form", "report-tips", `enctype="multipart/form-data"`} {
		if !strings.Contains(string(body), want) {
			s.t.Errorf("the page lacks %s", want)
		}
	}
	m := tokenRE.FindStringSubmatch(string(body))
	if m == nil {
		s.t.Fatal("no CSRF token on the page")
	}
	b.token = m[1]
	return b
}

// post submits the form with fields and an optional file; it returns the
// status and the page.
func (s *site) post(b *browser, fields map[string]string, fileName string, file []byte) (int, string) {
	s.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if fileName != "" {
		fw, _ := mw.CreateFormFile("file", fileName)
		_, _ = fw.Write(file)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.origin+reportpage.Path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (s *site) reports() int {
	s.t.Helper()
	var n int
	if err := s.db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM security_reports`).Scan(&n)
	}); err != nil {
		s.t.Fatal(err)
	}
	return n
}

const eml = "From: <support@tillit-help.example>\r\nSubject: Verify now\r\n\r\nhttps://tillit-help.example/verify\r\n"

// TestPublicSubmission: a report with a file is taken and its reference
// shown; the reporter's address gets the acknowledgement.
func TestPublicSubmission(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	status, body := s.post(b, map[string]string{"csrf_token": b.token, "kind": "email", "text": "Asked for my card number",
		"url": "https://tillit-help.example/verify", "email": "me@example.org"}, "phish.eml", []byte(eml))
	if status != http.StatusOK || !regexp.MustCompile(`S-[2-9A-Z]{6}`).MatchString(body) || !strings.Contains(body, "report-thanks") {
		t.Fatalf("submit: %d %s", status, body)
	}
	if s.reports() != 1 {
		t.Errorf("%d reports stored", s.reports())
	}
}

// TestRefusals: a missing or wrong CSRF token is 403, bad fields 422 with
// the form again, an oversized body 413, and the network's limit 429; none
// of them stores anything.
func TestRefusals(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	ok := map[string]string{"csrf_token": b.token, "kind": "website", "text": "A shop copying Tillit's checkout"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for kk, vv := range ok {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	if status, _ := s.post(b, with("csrf_token", ""), "", nil); status != http.StatusForbidden {
		t.Errorf("no token: %d", status)
	}
	if status, _ := s.post(s.browser(), ok, "", nil); status != http.StatusForbidden {
		t.Errorf("another browser's token: %d", status)
	}
	for name, c := range map[string]struct {
		fields   map[string]string
		file     string
		content  []byte
		errField string
	}{
		"bad kind":     {with("kind", "fax"), "", nil, "f-kind-error"},
		"no text":      {with("text", ""), "", nil, "f-text-error"},
		"long text":    {with("text", strings.Repeat("x", securityreport.MaxText+1)), "", nil, "f-text-error"},
		"bad url":      {with("url", "javascript:alert(1)"), "", nil, "f-url-error"},
		"bad email":    {with("email", "nobody"), "", nil, "f-email-error"},
		"html as .eml": {ok, "x.eml", []byte("<html><script>x</script></html>"), "f-file-error"},
		"pdf":          {ok, "x.pdf", []byte("%PDF-1.4"), "f-file-error"},
	} {
		status, body := s.post(b, c.fields, c.file, c.content)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, c.errField) {
			t.Errorf("%s: %d, error %s shown: %v", name, status, c.errField, strings.Contains(body, c.errField))
		}
	}
	if status, _ := s.post(b, ok, "big.eml", bytes.Repeat([]byte("a"), reportpage.MaxBody)); status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized: %d", status)
	}
	if n := s.reports(); n != 0 {
		t.Fatalf("refused posts stored %d reports", n)
	}
	for i := range 2 {
		if status, _ := s.post(b, ok, "", nil); status != http.StatusOK {
			t.Fatalf("report %d: %d", i+1, status)
		}
	}
	if status, body := s.post(b, ok, "", nil); status != http.StatusTooManyRequests || !strings.Contains(body, "f-text-error") {
		t.Errorf("over the limit: %d", status)
	}
	if n := s.reports(); n != 2 {
		t.Errorf("%d reports, want 2", n)
	}
}
