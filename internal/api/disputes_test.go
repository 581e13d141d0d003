package api_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/api"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/store"
)

// disputePDF reads as a PDF; disputePNG as a PNG.
var (
	disputePDF = []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	disputePNG = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 32)...)
)

// theirWords is what the consumer writes when opening a dispute; it must
// never reach the merchant's API.
const theirWords = "Nothing came and my neighbour Birte saw no courier"

// apiDispute is a dispute as the API answers it.
type apiDispute struct {
	DisputeID      string `json:"dispute_id"`
	OrderID        string `json:"order_id"`
	OrderReference string `json:"order_reference"`
	Reason         string `json:"reason"`
	Status         string `json:"status"`
	Outcome        string `json:"outcome"`
	Resolution     string `json:"resolution"`
	Amount         int64  `json:"amount"`
	RefundedAmount int64  `json:"refunded_amount"`
	CanRespond     bool   `json:"can_respond"`
	Version        int64  `json:"version"`
	Evidence       *struct {
		Carrier         string `json:"carrier"`
		TrackingNumber  string `json:"tracking_number"`
		ProofOfDelivery string `json:"proof_of_delivery"`
		Description     string `json:"description"`
	} `json:"evidence"`
	Timeline []struct {
		Party string `json:"party"`
		Kind  string `json:"kind"`
		Body  string `json:"body"`
	} `json:"timeline"`
	Documents []struct {
		Name        string `json:"name"`
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
	} `json:"documents"`
}

// disputeList is GET /disputes/v1/disputes.
type disputeList struct {
	Disputes   []apiDispute `json:"disputes"`
	Pagination struct {
		Count  int    `json:"count"`
		Total  int    `json:"total"`
		Offset int    `json:"offset"`
		Next   string `json:"next"`
		Prev   string `json:"prev"`
	} `json:"pagination"`
}

// dp is the path of a dispute, or of one of its answers.
func dp(id, rest string) string { return "/disputes/v1/disputes/" + id + rest }

// capturedOrder places an order as the env's merchant and captures it in full.
func (e *env) capturedOrder() string {
	e.t.Helper()
	id := e.placeOrder("anna@example.dk")
	e.do(request{method: "POST", path: om(id, "/captures"), body: map[string]any{"captured_amount": 125000}}).expect(e.t, 201)
	return id
}

// openDispute has the order's consumer dispute it, through the service.
func (e *env) openDispute(orderID string, reason dispute.Reason) dispute.Dispute {
	e.t.Helper()
	var d dispute.Dispute
	err := e.app.DB.Write(e.t.Context(), func(tx *store.Tx) error {
		var person string
		if err := tx.QueryRow(`SELECT person_id FROM orders WHERE id = $1`, orderID).Scan(&person); err != nil {
			return err
		}
		var err error
		d, err = e.app.Disputes.Open(tx, person, "consumer:test", orderID, reason, theirWords)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

// dispute reads a dispute through the API as the env's merchant and checks
// that the consumer's words are not in it.
func (e *env) dispute(id string) apiDispute {
	e.t.Helper()
	r := e.do(request{method: "GET", path: dp(id, "")}).expect(e.t, 200)
	if bytes.Contains(r.Body, []byte("Birte")) {
		e.t.Fatalf("the consumer's words reached the merchant: %s", r.Body)
	}
	var d apiDispute
	r.json(e.t, &d)
	return d
}

// documents encodes uploads as the contest body's documents.
func documents(files map[string][]byte) []map[string]any {
	var out []map[string]any
	for name, content := range files {
		out = append(out, map[string]any{"name": name, "content": base64.StdEncoding.EncodeToString(content)})
	}
	return out
}

// TestDisputeAPIAcceptsWithPartialRefund: the merchant lists its dispute,
// reads it without the consumer's words, accepts it with a partial refund
// (replayed with its idempotency key), the order is refunded that much, the
// dispute closes as consumer_won and the dispute.closed webhook tells the
// merchant so.
func TestDisputeAPIAcceptsWithPartialRefund(t *testing.T) {
	rec := newReceiver(t)
	e := newEnv(t)
	e.merchant = e.newMerchant(merchantWithURL(rec.url()))
	orderID := e.capturedOrder()
	d := e.openDispute(orderID, dispute.NotReceived)

	var list disputeList
	e.do(request{method: "GET", path: "/disputes/v1/disputes"}).expect(t, 200).json(t, &list)
	if len(list.Disputes) != 1 || list.Disputes[0].DisputeID != d.ID || list.Disputes[0].Status != "awaiting_merchant" ||
		!list.Disputes[0].CanRespond || list.Disputes[0].Amount != 125000 || list.Pagination.Total != 1 || list.Pagination.Next != "" {
		t.Fatalf("list = %+v", list)
	}
	got := e.dispute(d.ID)
	if got.OrderID != orderID || got.Reason != "not_received" || got.Version != d.Version || got.Evidence != nil ||
		len(got.Timeline) != 1 || got.Timeline[0].Party != "consumer" || got.Timeline[0].Kind != "opened" || got.Timeline[0].Body != "" {
		t.Fatalf("dispute = %+v", got)
	}

	key := map[string]string{"Klarna-Idempotency-Key": "accept-1"}
	accept := map[string]any{"version": got.Version, "resolution": "refund", "amount": 40000}
	first := e.do(request{method: "POST", path: dp(d.ID, "/accept"), body: accept, headers: key}).expect(t, 200)
	var after apiDispute
	first.json(t, &after)
	if after.Status != "closed" || after.Outcome != "consumer_won" || after.Resolution != "refund" || after.RefundedAmount != 40000 || after.CanRespond {
		t.Fatalf("after accepting: %+v", after)
	}
	replay := e.do(request{method: "POST", path: dp(d.ID, "/accept"), body: accept, headers: key}).expect(t, 200)
	if replay.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(replay.Body, first.Body) {
		t.Fatalf("replay: %v %s", replay.Header, replay.Body)
	}
	if o := e.order(orderID); o["refunded_amount"] != float64(40000) {
		t.Fatalf("order refunded %v, want 40000 once", o["refunded_amount"])
	}
	if tl := e.dispute(d.ID).Timeline; len(tl) != 3 || tl[1].Kind != "accepted" || tl[1].Party != "merchant" || tl[2].Kind != "decided" {
		t.Fatalf("timeline %+v", tl)
	}
	e.runJobs()
	var closed map[string]any
	for _, ev := range rec.events() {
		if ev["event_type"] == dispute.WebhookClosed {
			closed = ev
		}
	}
	if closed["dispute_id"] != d.ID || closed["outcome"] != "consumer_won" || closed["refunded_amount"] != float64(40000) {
		t.Fatalf("dispute.closed webhook %v among %v", closed, rec.events())
	}
	wantCode := func(r resp, status int, code string) {
		t.Helper()
		r.expect(t, status)
		if got := r.errorCode(t); got != code {
			t.Fatalf("error_code %s, want %s", got, code)
		}
	}
	wantCode(e.do(request{method: "POST", path: dp(d.ID, "/accept"), body: map[string]any{"version": after.Version, "resolution": "refund"}}), 409, dispute.CodeNotOpen)
}

// TestDisputeAPIContestsWithDocuments: the merchant contests with its
// evidence and two documents in base64; the dispute waits for a decision,
// and reading it shows the evidence, the merchant's words on the timeline
// and the documents with the types read from their bytes.
func TestDisputeAPIContestsWithDocuments(t *testing.T) {
	e := newEnv(t)
	d := e.openDispute(e.capturedOrder(), dispute.NotReceived)
	body := map[string]any{"version": d.Version, "carrier": "PostNord", "tracking_number": "RR123456785DK",
		"proof_of_delivery": "Signed for at the parcel shop", "description": "Delivered on the 3rd to the parcel shop",
		"documents": documents(map[string][]byte{"receipt.pdf": disputePDF, "photo.png": disputePNG})}
	var after apiDispute
	e.do(request{method: "POST", path: dp(d.ID, "/contest"), body: body, headers: map[string]string{"Idempotency-Key": "contest-1"}}).expect(t, 200).json(t, &after)
	if after.Status != "awaiting_decision" || after.CanRespond || after.Evidence == nil || after.Evidence.TrackingNumber != "RR123456785DK" {
		t.Fatalf("after contesting: %+v", after)
	}
	got := e.dispute(d.ID)
	types := map[string]string{}
	for _, doc := range got.Documents {
		types[doc.Name] = doc.ContentType
	}
	if len(got.Documents) != 2 || types["receipt.pdf"] != "application/pdf" || types["photo.png"] != "image/png" {
		t.Fatalf("documents %+v", got.Documents)
	}
	last := got.Timeline[len(got.Timeline)-1]
	if last.Kind != "contested" || last.Party != "merchant" || last.Body != "Delivered on the 3rd to the parcel shop" || got.Evidence.Carrier != "PostNord" {
		t.Fatalf("timeline %+v, evidence %+v", got.Timeline, got.Evidence)
	}
	var list disputeList
	e.do(request{method: "GET", path: "/disputes/v1/disputes?status=awaiting_decision"}).expect(t, 200).json(t, &list)
	if len(list.Disputes) != 1 || list.Disputes[0].DisputeID != d.ID {
		t.Fatalf("awaiting_decision list %+v", list)
	}
	e.do(request{method: "GET", path: "/disputes/v1/disputes?status=awaiting_merchant"}).expect(t, 200).json(t, &list)
	if len(list.Disputes) != 0 || list.Pagination.Total != 0 {
		t.Fatalf("awaiting_merchant list %+v", list)
	}
}

// TestDisputeAPIPages: three disputes read two at a time, newest first,
// following pagination.next and prev.
func TestDisputeAPIPages(t *testing.T) {
	e := newEnv(t)
	var opened []string
	for range 3 {
		opened = append(opened, e.openDispute(e.capturedOrder(), dispute.NotAsDescribed).ID)
		e.clk.Advance(time.Minute)
	}
	var first, second disputeList
	e.do(request{method: "GET", path: "/disputes/v1/disputes?size=2"}).expect(t, 200).json(t, &first)
	if first.Pagination.Count != 2 || first.Pagination.Total != 3 || first.Pagination.Prev != "" ||
		first.Disputes[0].DisputeID != opened[2] || first.Disputes[1].DisputeID != opened[1] {
		t.Fatalf("first page %+v", first)
	}
	next := strings.TrimPrefix(first.Pagination.Next, e.srv.URL)
	if next != "/disputes/v1/disputes?offset=2&size=2" {
		t.Fatalf("next %q", first.Pagination.Next)
	}
	e.do(request{method: "GET", path: next}).expect(t, 200).json(t, &second)
	if second.Pagination.Count != 1 || second.Pagination.Offset != 2 || second.Pagination.Next != "" ||
		second.Disputes[0].DisputeID != opened[0] || strings.TrimPrefix(second.Pagination.Prev, e.srv.URL) != "/disputes/v1/disputes?offset=0&size=2" {
		t.Fatalf("second page %+v", second)
	}
}

// TestDisputeAPIAfterTheDeadline: past the deadline the merchant can no
// longer answer, even before the deadline job ran.
func TestDisputeAPIAfterTheDeadline(t *testing.T) {
	e := newEnv(t)
	d := e.openDispute(e.capturedOrder(), dispute.WrongInvoice)
	e.clk.Advance(e.app.Disputes.Config().For(dispute.WrongInvoice).RespondWithin + time.Second)
	if got := e.dispute(d.ID); got.CanRespond || got.Status != "awaiting_merchant" {
		t.Fatalf("past the deadline: %+v", got)
	}
	r := e.do(request{method: "POST", path: dp(d.ID, "/contest"), body: map[string]any{"version": d.Version, "description": "Too late"}}).expect(t, 409)
	if code := r.errorCode(t); code != dispute.CodeNotOpen {
		t.Fatalf("error_code %s", code)
	}
}

// TestBadInputDisputeAPI sends the dispute endpoints bad input, another
// merchant's dispute, stale versions and oversized bodies: each is refused
// with a 4xx in the public error shape and nothing is written.
func TestBadInputDisputeAPI(t *testing.T) {
	e := newEnv(t)
	orderID := e.capturedOrder()
	d := e.openDispute(orderID, dispute.NotReceived)
	other := e.newMerchant(merchantNamed("Other Shop"))
	as := func(r request) request { r.user, r.pass = other.Username, other.Password; return r }
	accept := func(body any) request { return request{method: "POST", path: dp(d.ID, "/accept"), body: body} }
	contest := func(body map[string]any) request {
		if _, ok := body["version"]; !ok {
			body["version"] = d.Version
		}
		return request{method: "POST", path: dp(d.ID, "/contest"), body: body}
	}
	evidence := func(kv ...any) map[string]any {
		b := map[string]any{"description": "Delivered on the 3rd"}
		for i := 0; i < len(kv); i += 2 {
			b[kv[i].(string)] = kv[i+1]
		}
		return b
	}
	bad := func(name string, req request, field string) biCase {
		return biCase{name: name, req: req, status: 400, code: "BAD_VALUE", field: field}
	}
	notFound := func(name string, req request) biCase {
		return biCase{name: name, req: req, status: 404, code: "NOT_FOUND"}
	}
	six := map[string][]byte{}
	for i := range 6 {
		six["doc"+strconv.Itoa(i)+".pdf"] = disputePDF
	}
	v := d.Version
	cases := []biCase{
		// Lists.
		bad("list unknown status", request{method: "GET", path: "/disputes/v1/disputes?status=open"}, "status"),
		bad("list size zero", request{method: "GET", path: "/disputes/v1/disputes?size=0"}, "size"),
		bad("list size too large", request{method: "GET", path: "/disputes/v1/disputes?size=101"}, "size"),
		bad("list negative offset", request{method: "GET", path: "/disputes/v1/disputes?offset=-1"}, "offset"),
		bad("list offset word", request{method: "GET", path: "/disputes/v1/disputes?offset=next"}, "offset"),

		// Someone else's, or nobody's, dispute.
		notFound("read unknown dispute", request{method: "GET", path: dp(biUnknownID, "")}),
		notFound("read non-UUID dispute", request{method: "GET", path: dp("42", "")}),
		notFound("read another merchant's dispute", as(request{method: "GET", path: dp(d.ID, "")})),
		notFound("accept another merchant's dispute", as(accept(map[string]any{"version": v, "resolution": "refund"}))),
		notFound("contest another merchant's dispute", as(contest(evidence()))),
		notFound("accept unknown dispute", request{method: "POST", path: dp(biUnknownID, "/accept"), body: map[string]any{"version": v, "resolution": "refund"}}),
		notFound("contest non-UUID dispute", request{method: "POST", path: dp("x", "/contest"), body: evidence("version", v)}),

		// Versions.
		bad("accept without version", accept(map[string]any{"resolution": "refund"}), "version"),
		bad("contest without version", request{method: "POST", path: dp(d.ID, "/contest"), body: evidence()}, "version"),
		bad("accept version string", accept(map[string]any{"version": "1", "resolution": "refund"}), "version"),
		{name: "accept stale version", req: accept(map[string]any{"version": v - 1, "resolution": "refund"}), status: 409, code: dispute.CodeChanged},
		{name: "contest future version", req: contest(evidence("version", v+1)), status: 409, code: dispute.CodeChanged},

		// Acceptance.
		bad("accept no resolution", accept(map[string]any{"version": v}), "resolution"),
		bad("accept unknown resolution", accept(map[string]any{"version": v, "resolution": "refund_all"}), "resolution"),
		bad("accept negative amount", accept(map[string]any{"version": v, "resolution": "refund", "amount": -1}), "amount"),
		bad("accept cancel with amount", accept(map[string]any{"version": v, "resolution": "cancel", "amount": 100}), "amount"),
		bad("accept more than captured", accept(map[string]any{"version": v, "resolution": "refund", "amount": 125001}), "amount"),
		bad("accept fractional amount", accept(map[string]any{"version": v, "resolution": "refund", "amount": 1.5}), "amount"),
		{name: "accept cancel of a captured order", req: accept(map[string]any{"version": v, "resolution": "cancel"}), status: 403, code: "CANCEL_NOT_ALLOWED"},

		// Evidence.
		bad("contest without description", contest(map[string]any{"carrier": "GLS"}), "description"),
		bad("contest blank description", contest(evidence("description", "   ")), "description"),
		bad("contest description too long", contest(evidence("description", strings.Repeat("d", dispute.MaxEvidenceText+1))), "description"),
		bad("contest proof too long", contest(evidence("proof_of_delivery", strings.Repeat("p", dispute.MaxEvidenceText+1))), "proof_of_delivery"),
		bad("contest carrier too long", contest(evidence("carrier", strings.Repeat("c", dispute.MaxCarrier+1))), "carrier"),
		bad("contest tracking without carrier", contest(evidence("tracking_number", "RR123456785DK")), "carrier"),
		bad("contest tracking with spaces", contest(evidence("carrier", "GLS", "tracking_number", "RR 1234")), "tracking_number"),
		bad("contest description NUL", contest(evidence("description", "a\x00b")), "description"),
		bad("contest documents object", contest(evidence("documents", map[string]any{})), "documents"),

		// Documents.
		bad("contest document not base64", contest(evidence("documents", []map[string]any{{"name": "a.pdf", "content": "%%%"}})), "documents[0].content"),
		bad("contest document url-safe base64", contest(evidence("documents", []map[string]any{{"name": "a.pdf", "content": "-_-_"}})), "documents[0].content"),
		bad("contest document empty", contest(evidence("documents", []map[string]any{{"name": "a.pdf", "content": ""}})), "documents"),
		bad("contest document without name", contest(evidence("documents", documents(map[string][]byte{"": disputePDF}))), "documents.name"),
		bad("contest document name too long", contest(evidence("documents", documents(map[string][]byte{strings.Repeat("n", 201) + ".pdf": disputePDF}))), "documents.name"),
		bad("contest document is text", contest(evidence("documents", documents(map[string][]byte{"fake.pdf": []byte("just some text, not a PDF")}))), "documents"),
		bad("contest document is HTML", contest(evidence("documents", documents(map[string][]byte{"page.pdf": []byte("<html><body>x</body></html>")}))), "documents"),
		bad("contest document too large", contest(evidence("documents", documents(map[string][]byte{"big.pdf": append(bytes.Clone(disputePDF), make([]byte, dispute.MaxDocumentBytes)...)}))), "documents"),
		bad("contest six documents", contest(evidence("documents", documents(six))), "documents"),

		// Bodies.
		bad("accept malformed", accept(`{"version": 1,`), ""),
		bad("contest array", request{method: "POST", path: dp(d.ID, "/contest"), body: "[]"}, ""),
		{name: "accept text/plain", req: request{method: "POST", path: dp(d.ID, "/accept"), body: `{"version":1,"resolution":"refund"}`, headers: map[string]string{"Content-Type": "text/plain"}},
			status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "accept over 1 MB", req: accept(`{"resolution":"` + strings.Repeat("r", api.MaxBodyBytes) + `"}`), status: 413, code: "REQUEST_TOO_LARGE"},
		{name: "accept unauthenticated", req: request{method: "POST", path: dp(d.ID, "/accept"), body: map[string]any{"version": v, "resolution": "refund"}, noAuth: true},
			status: 401, code: "UNAUTHORIZED"},
		{name: "list wrong method", req: request{method: "DELETE", path: "/disputes/v1/disputes"}, status: 405, code: "METHOD_NOT_ALLOWED", allow: "GET, HEAD"},
		{name: "accept wrong method", req: request{method: "GET", path: dp(d.ID, "/accept")}, status: 405, code: "METHOD_NOT_ALLOWED", allow: "POST"},
	}
	for i := range cases {
		if cases[i].code == "BAD_VALUE" && cases[i].field == "" {
			cases[i].msg = "JSON"
		}
	}
	e.biRun(t, cases, orderID)
	if got := e.dispute(d.ID); got.Version != d.Version || got.Status != "awaiting_merchant" || len(got.Documents) != 0 || got.Evidence != nil {
		t.Fatalf("the dispute changed: %+v", got)
	}
}

// TestDisputeAPIContestBodyLimit: a contest body beyond
// api.MaxContestBodyBytes is refused with 413 whether its length is
// declared or streamed, and nothing is written.
func TestDisputeAPIContestBodyLimit(t *testing.T) {
	e := newEnv(t)
	d := e.openDispute(e.capturedOrder(), dispute.NotReceived)
	before := biSnap(t, e.app.DB)
	huge := `{"description":"` + strings.Repeat("x", api.MaxContestBodyBytes) + `"}`
	for _, declared := range []bool{true, false} {
		r := httptest.NewRequest(http.MethodPost, dp(d.ID, "/contest"), strings.NewReader(huge))
		r.Header.Set("Content-Type", "application/json")
		r.SetBasicAuth(e.merchant.Username, e.merchant.Password)
		if !declared {
			r.ContentLength = -1
		}
		w := httptest.NewRecorder()
		e.app.API.Handler().ServeHTTP(w, r)
		if w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(w.Body.String(), `"error_code":"REQUEST_TOO_LARGE"`) {
			t.Fatalf("declared %v: %d %.300s", declared, w.Code, w.Body.String())
		}
	}
	if diff := before.diff(biSnap(t, e.app.DB)); diff != "" {
		t.Fatalf("a refused contest changed the database:%s", diff)
	}
	// Within the limit, a body with five documents near their largest is read.
	big := append(bytes.Clone(disputePDF), make([]byte, dispute.MaxDocumentBytes-len(disputePDF))...)
	docs := map[string][]byte{}
	for i := range dispute.MaxDocuments {
		docs["part"+strconv.Itoa(i)+".pdf"] = big
	}
	e.do(request{method: "POST", path: dp(d.ID, "/contest"), body: map[string]any{"version": d.Version, "description": "Delivered", "documents": documents(docs)}}).expect(t, 200)
	if got := e.dispute(d.ID); len(got.Documents) != dispute.MaxDocuments || got.Documents[0].Size != dispute.MaxDocumentBytes {
		t.Fatalf("documents %+v", got.Documents)
	}
}
