package portal_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/portal"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// newDisputeEnv is newEnv with the portal serving disputes.
func newDisputeEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	pages, err := portal.New(portal.Config{
		DB: e.app.DB, Checkout: e.app.Checkout, Accounts: e.app.Accounts, Key: []byte(e.app.WebKey),
		Disputes: e.app.Disputes, Logger: logscan.LoggerTo(testLog{t}),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/static/", web.Static())
	mux.Handle(portal.Prefix, pages.Handler())
	t.Cleanup(e.srv.Close) // newEnv's cleanup closes the server below
	e.pages, e.srv = pages, httptest.NewServer(mux)
	return e
}

// consumerStatement is what the test consumer writes, which no portal page
// may show.
const consumerStatement = "The parcel never came to my flat in Klarup"

// disputed places an order for amount (captured when capture is set) and
// has its consumer dispute it as not received.
func (e *env) disputed(amount int64, capture bool) dispute.Dispute {
	e.t.Helper()
	id := e.order(amount)
	if capture {
		e.capture(id, amount)
	}
	var d dispute.Dispute
	e.write(func(tx *store.Tx) error {
		var person string
		if err := tx.QueryRow(`SELECT person_id FROM orders WHERE id = $1`, id).Scan(&person); err != nil {
			return err
		}
		var err error
		d, err = e.app.Disputes.Open(tx, person, "consumer:test", id, dispute.NotReceived, consumerStatement)
		return err
	})
	return d
}

// dispute reads a dispute as the merchant sees it.
func (e *env) dispute(id string) dispute.View {
	e.t.Helper()
	v, err := e.app.Disputes.MerchantView(e.ctx, e.shop.ID, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

// wantUnanswered fails unless the dispute still waits for the merchant at
// the version given, without documents.
func (e *env) wantUnanswered(id string, version int64) {
	e.t.Helper()
	v := e.dispute(id)
	if v.Dispute.Status != dispute.AwaitingMerchant || v.Dispute.Version != version || len(v.Documents) != 0 {
		e.t.Errorf("dispute changed: %s version %d (want %d), %d documents", v.Dispute.Status, v.Dispute.Version, version, len(v.Documents))
	}
}

// upload is one file of a multipart form.
type upload struct {
	name    string
	content []byte
}

// postMultipart posts a multipart form with files as "documents", with
// the CSRF token of the last page loaded.
func (c *client) postMultipart(path string, fields url.Values, files []upload) (*http.Response, string) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if fields.Get("csrf_token") == "" {
		fields.Set("csrf_token", c.token)
	}
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				c.t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile("documents", f.name)
		if err != nil {
			c.t.Fatal(err)
		}
		if _, err := w.Write(f.content); err != nil {
			c.t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest("POST", c.e.srv.URL+path, &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if m := tokenRE.FindStringSubmatch(string(b)); m != nil {
		c.token = m[1]
	}
	return res, string(b)
}

// pdf is a small PDF document.
var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// signedInAs signs a new user of the shop with the role in.
func (e *env) signedInAs(role account.MerchantRole, name string) *client {
	e.t.Helper()
	c := e.client()
	c.signIn(e.user(role, name))
	return c
}

func version(d dispute.Dispute) string { return strconv.FormatInt(d.Version, 10) }

func TestDisputeBannerListAndDetail(t *testing.T) {
	e := newDisputeEnv(t)
	d := e.disputed(40000, true)
	c := e.signedInAs(account.MerchantOwner, "Olga Owner")
	_, body := c.get("/portal/")
	wantContains(t, "dashboard", body, `id="dispute-banner"`, `id="nav-disputes-count">1<`)

	_, body = c.get(portal.DisputesPath)
	wantContains(t, "list", body, d.Reference, "Not received", "/portal/disputes/"+d.ID, "Waiting for your answer")

	res, body := c.get("/portal/disputes/" + d.ID)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("detail: %d", res.StatusCode)
	}
	wantContains(t, "detail", body, "Buyer protection", "Applies", `id="accept-form"`, `id="contest-form"`, `id="dispute-timeline"`, "opened the dispute")
	if strings.Contains(body, consumerStatement) {
		t.Error("the detail page shows the consumer's statement")
	}
	wantNoConsumer(t, "detail", body)

	_, body = c.get("/portal/orders/" + d.OrderID)
	wantContains(t, "order page", body, `id="order-dispute-`+d.ID+`"`)
}

func TestDisputeAcceptRefund(t *testing.T) {
	e := newDisputeEnv(t)
	d := e.disputed(40000, true)
	c := e.signedInAs(account.MerchantAdmin, "Ada Admin")
	c.get("/portal/disputes/" + d.ID)

	// A part larger than what was captured is refused and writes nothing.
	res, body := c.post("/portal/disputes/"+d.ID+"/accept", url.Values{"resolution": {"refund_part"}, "refund_amount": {"500.00"}, "version": {version(d)}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("too much: %d", res.StatusCode)
	}
	wantContains(t, "too much", body, "more than was captured")
	e.wantUnanswered(d.ID, d.Version)

	res, _ = c.post("/portal/disputes/"+d.ID+"/accept", url.Values{"resolution": {"refund_part"}, "refund_amount": {"150.00"}, "version": {version(d)}})
	wantRedirect(t, res, "/portal/disputes/"+d.ID)
	v := e.dispute(d.ID)
	if v.Dispute.Status != dispute.Closed || v.Dispute.Outcome != dispute.ConsumerWon || v.Dispute.Refunded != 15000 {
		t.Errorf("after accepting: %s %s refunded %d", v.Dispute.Status, v.Dispute.Outcome, v.Dispute.Refunded)
	}
	if o := e.getOrder(d.OrderID); o.RefundedAmount != 15000 {
		t.Errorf("order refunded %d, want 15000", o.RefundedAmount)
	}
	if len(e.auditEntries(d.OrderID, dispute.ActionAccepted)) != 1 {
		t.Error("acceptance not audited")
	}
	_, body = c.get("/portal/disputes/" + d.ID)
	wantContains(t, "after", body, "You accepted the dispute", "Decided in the customer&#39;s favour")
	if strings.Contains(body, `id="accept-form"`) {
		t.Error("a closed dispute still offers the answer forms")
	}
}

func TestDisputeAcceptCancel(t *testing.T) {
	e := newDisputeEnv(t)
	captured := e.disputed(30000, true)
	d := e.disputed(20000, false)
	c := e.signedInAs(account.MerchantOwner, "Olga Owner")

	// An order already captured is not offered cancelling, and a forged
	// post is refused without writing.
	_, body := c.get("/portal/disputes/" + captured.ID)
	if strings.Contains(body, `value="cancel"`) {
		t.Error("a captured order offers cancelling")
	}
	res, body := c.post("/portal/disputes/"+captured.ID+"/accept", url.Values{"resolution": {"cancel"}, "version": {version(captured)}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("cancel captured: %d", res.StatusCode)
	}
	wantContains(t, "cancel captured", body, "can no longer be cancelled")
	e.wantUnanswered(captured.ID, captured.Version)

	_, body = c.get("/portal/disputes/" + d.ID)
	wantContains(t, "uncaptured", body, `value="cancel"`)
	res, _ = c.post("/portal/disputes/"+d.ID+"/accept", url.Values{"resolution": {"cancel"}, "version": {version(d)}})
	wantRedirect(t, res, "/portal/disputes/"+d.ID)
	if o := e.getOrder(d.OrderID); o.Status != checkout.StatusCancelled {
		t.Errorf("order %s, want cancelled", o.Status)
	}
	if v := e.dispute(d.ID); v.Dispute.Resolution != dispute.Cancel {
		t.Errorf("resolution %q", v.Dispute.Resolution)
	}
}

func TestDisputeContestWithDocuments(t *testing.T) {
	e := newDisputeEnv(t)
	d := e.disputed(40000, true)
	c := e.signedInAs(account.MerchantOwner, "Olga Owner")
	c.get("/portal/disputes/" + d.ID)
	path := "/portal/disputes/" + d.ID + "/contest"
	fields := func() url.Values {
		return url.Values{"carrier": {"PostNord"}, "tracking_number": {"00370712345678901"}, "proof_of_delivery": {"Signed by the addressee"},
			"description": {"Delivered to the door on 2 March."}, "version": {version(d)}}
	}
	big := append(append([]byte{}, pdf...), make([]byte, dispute.MaxDocumentBytes)...)
	many := make([]upload, dispute.MaxDocuments+1)
	for i := range many {
		many[i] = upload{"page" + strconv.Itoa(i) + ".pdf", pdf}
	}
	for _, tc := range []struct {
		name  string
		files []upload
		want  string
	}{
		{"oversized", []upload{{"receipt.pdf", pdf}, {"scan.pdf", big}}, "scan.pdf is empty or larger than 5 MB"},
		{"wrong type", []upload{{"notes.pdf", []byte("just text pretending to be a PDF")}}, "notes.pdf is not a PDF, PNG or JPEG file"},
		{"too many", many, "Send at most 5 documents per dispute"},
	} {
		res, body := c.postMultipart(path, fields(), tc.files)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d", tc.name, res.StatusCode)
		}
		wantContains(t, tc.name, body, tc.want, `id="f-documents-error"`, "Delivered to the door")
		e.wantUnanswered(d.ID, d.Version)
	}
	// The description is required.
	f := fields()
	f.Del("description")
	if res, body := c.postMultipart(path, f, nil); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Explain what happened") {
		t.Fatalf("no description: %d", res.StatusCode)
	}
	e.wantUnanswered(d.ID, d.Version)

	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	res, _ := c.postMultipart(path, fields(), []upload{{"receipt.pdf", pdf}, {"photo.png", png}})
	wantRedirect(t, res, "/portal/disputes/"+d.ID)
	v := e.dispute(d.ID)
	if v.Dispute.Status != dispute.AwaitingDecision || len(v.Documents) != 2 || v.Dispute.Evidence.TrackingNumber != "00370712345678901" {
		t.Fatalf("after contesting: %s, %d documents, tracking %q", v.Dispute.Status, len(v.Documents), v.Dispute.Evidence.TrackingNumber)
	}
	_, body := c.get("/portal/disputes/" + d.ID)
	wantContains(t, "contested", body, "Your evidence has been sent", "receipt.pdf", "photo.png", "Waiting for Tillit&#39;s decision")

	// The merchant downloads its document; the read is audited.
	res, got := c.get("/portal/disputes/" + d.ID + "/documents/" + v.Documents[0].ID)
	if res.StatusCode != http.StatusOK || got != string(pdf) || res.Header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "receipt.pdf") {
		t.Errorf("download: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	if len(e.auditEntries(d.OrderID, dispute.ActionDocument)) != 1 {
		t.Error("document read not audited")
	}
	if res, _ := c.get("/portal/disputes/" + d.ID + "/documents/" + d.ID); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown document: %d", res.StatusCode)
	}
}

func TestDisputeViewerMayNotAnswer(t *testing.T) {
	e := newDisputeEnv(t)
	d := e.disputed(40000, true)
	c := e.signedInAs(account.MerchantViewer, "Vic Viewer")
	_, body := c.get("/portal/disputes/" + d.ID)
	wantContains(t, "viewer", body, `id="viewer-note"`)
	if strings.Contains(body, `id="accept-form"`) || strings.Contains(body, `id="contest-form"`) {
		t.Error("a viewer is offered the answer forms")
	}
	res, _ := c.post("/portal/disputes/"+d.ID+"/accept", url.Values{"resolution": {"refund_all"}, "version": {version(d)}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("viewer accept: %d", res.StatusCode)
	}
	res, _ = c.postMultipart("/portal/disputes/"+d.ID+"/contest", url.Values{"description": {"No"}, "version": {version(d)}}, nil)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("viewer contest: %d", res.StatusCode)
	}
	e.wantUnanswered(d.ID, d.Version)
}

func TestDisputeOfAnotherMerchantIsNotFound(t *testing.T) {
	e := newDisputeEnv(t)
	d := e.disputed(40000, true)
	other := e.merchant("Other Shop", "")
	c := e.client()
	c.signIn(e.userOf(other, account.MerchantOwner, "Otto Other"))
	for _, path := range []string{"/portal/disputes/" + d.ID, "/portal/disputes/not-an-id"} {
		if res, _ := c.get(path); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d", path, res.StatusCode)
		}
	}
	res, _ := c.post("/portal/disputes/"+d.ID+"/accept", url.Values{"resolution": {"refund_all"}, "version": {version(d)}})
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("accept: %d", res.StatusCode)
	}
	_, body := c.get(portal.DisputesPath)
	if strings.Contains(body, d.Reference) {
		t.Error("the other merchant lists the dispute")
	}
	e.wantUnanswered(d.ID, d.Version)
}

func TestDisputeAfterDeadlineAndChanged(t *testing.T) {
	e := newDisputeEnv(t)
	d := e.disputed(40000, true)
	c := e.signedInAs(account.MerchantOwner, "Olga Owner")
	c.get("/portal/disputes/" + d.ID)

	// A stale version is refused with a friendly message.
	res, body := c.post("/portal/disputes/"+d.ID+"/accept", url.Values{"resolution": {"refund_all"}, "version": {"99"}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale: %d", res.StatusCode)
	}
	wantContains(t, "stale", body, "The dispute changed while you were answering it")
	e.wantUnanswered(d.ID, d.Version)

	// Past the deadline the page says so and an answer is refused.
	e.clk.Advance(dispute.DefaultRespondWithin + time.Minute)
	c = e.client() // the session has expired meanwhile
	c.signIn(e.user(account.MerchantAdmin, "Ada Admin"))
	_, body = c.get("/portal/disputes/" + d.ID)
	wantContains(t, "late page", body, `id="dispute-late"`, "The deadline has passed")
	if strings.Contains(body, `id="accept-form"`) {
		t.Error("the answer forms are offered after the deadline")
	}
	res, body = c.post("/portal/disputes/"+d.ID+"/accept", url.Values{"resolution": {"refund_all"}, "version": {version(d)}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("late accept: %d", res.StatusCode)
	}
	wantContains(t, "late accept", body, "no longer takes an answer")
	e.wantUnanswered(d.ID, d.Version)
	_, body = c.get("/portal/")
	if strings.Contains(body, `id="dispute-banner"`) {
		t.Error("the banner counts a dispute past its deadline")
	}
}
