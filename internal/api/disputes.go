package api

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// The dispute endpoints (B2) let a merchant's integration list its
// disputes, read one with its timeline and documents, and answer it before
// the deadline, as the portal does: accept (Tillit refunds or cancels at
// once) or contest with evidence and documents sent as base64. Every
// answer names the version of the dispute it was made against, so that an
// answer given meanwhile (in the portal, or by another process) is not
// overwritten. The consumer's own words never reach these endpoints:
// dispute.MerchantView leaves them out, and the answers carry no texts but
// the merchant's own.

// Page sizes of GET /disputes/v1/disputes.
const (
	defaultDisputePage = 20
	maxDisputePage     = 100
)

// maxDisputeOffset bounds the offset of a page of disputes.
const maxDisputeOffset = 1_000_000

// MaxContestBodyBytes is the largest body POST .../contest accepts (413
// beyond it): every document at its largest in base64, and room for the
// evidence's texts.
const MaxContestBodyBytes = dispute.MaxDocuments*((dispute.MaxDocumentBytes+2)/3*4) + 1<<20

// disputeJSON is a dispute as the API shows it to its merchant.
type disputeJSON struct {
	DisputeID       string             `json:"dispute_id"`
	OrderID         string             `json:"order_id"`
	OrderReference  string             `json:"order_reference"`
	Reason          dispute.Reason     `json:"reason"`
	Status          dispute.Status     `json:"status"`
	Outcome         dispute.Outcome    `json:"outcome,omitempty"`
	Resolution      dispute.Resolution `json:"resolution,omitempty"`
	BuyerProtection bool               `json:"buyer_protection"`
	Amount          int64              `json:"amount"`
	RefundedAmount  int64              `json:"refunded_amount"`
	Currency        string             `json:"currency"`
	CreatedAt       string             `json:"created_at"`
	DeadlineAt      string             `json:"deadline_at"`
	RespondedAt     string             `json:"responded_at,omitempty"`
	DecidedAt       string             `json:"decided_at,omitempty"`
	// CanRespond is set while the merchant may still accept or contest.
	CanRespond bool  `json:"can_respond"`
	Version    int64 `json:"version"`
}

// evidenceJSON is the merchant's evidence of a contested dispute.
type evidenceJSON struct {
	Carrier         string `json:"carrier,omitempty"`
	TrackingNumber  string `json:"tracking_number,omitempty"`
	ProofOfDelivery string `json:"proof_of_delivery,omitempty"`
	Description     string `json:"description,omitempty"`
}

// answeredDispute is the answer to accepting or contesting: the dispute
// after the answer, with the merchant's evidence.
type answeredDispute struct {
	disputeJSON
	Evidence *evidenceJSON `json:"evidence,omitempty"`
}

// disputeDetail is GET /disputes/v1/disputes/{dispute_id}.
type disputeDetail struct {
	answeredDispute
	Timeline  []eventJSON    `json:"timeline"`
	Documents []documentJSON `json:"documents"`
}

// eventJSON is one entry of a dispute's timeline; body is set only for the
// merchant's own entries.
type eventJSON struct {
	At    string `json:"at"`
	Party string `json:"party"`
	Kind  string `json:"kind"`
	Body  string `json:"body,omitempty"`
}

// documentJSON describes a document the merchant sent, without its content.
type documentJSON struct {
	DocumentID  string `json:"document_id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	UploadedAt  string `json:"uploaded_at"`
}

// disputeList is GET /disputes/v1/disputes.
type disputeList struct {
	Disputes   []disputeJSON `json:"disputes"`
	Pagination pagination    `json:"pagination"`
}

// pagination describes one page of a list: how many it holds, how many
// match in all, where it starts and the URLs of the pages around it.
type pagination struct {
	Count  int    `json:"count"`
	Total  int    `json:"total"`
	Offset int    `json:"offset"`
	Next   string `json:"next,omitempty"`
	Prev   string `json:"prev,omitempty"`
}

// acceptRequest is the body of POST .../accept.
type acceptRequest struct {
	Version    *int64             `json:"version"`
	Resolution dispute.Resolution `json:"resolution"`
	Amount     int64              `json:"amount"`
}

// contestRequest is the body of POST .../contest.
type contestRequest struct {
	Version         *int64            `json:"version"`
	Carrier         string            `json:"carrier"`
	TrackingNumber  string            `json:"tracking_number"`
	ProofOfDelivery string            `json:"proof_of_delivery"`
	Description     string            `json:"description"`
	Documents       []documentRequest `json:"documents"`
}

// documentRequest is one document of a contest, its content in standard
// base64.
type documentRequest struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

// withDisputes answers 404 when the API serves no disputes.
func (a *API) withDisputes(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if a.Disputes == nil {
			a.writeError(w, r, apperr.New(apperr.NotFound, "Disputes are not served here."))
			return
		}
		h(w, r)
	}
}

// viewDispute shows d as of now.
func viewDispute(d dispute.Dispute, now time.Time) disputeJSON {
	v := disputeJSON{
		DisputeID: d.ID, OrderID: d.OrderID, OrderReference: d.Reference, Reason: d.Reason, Status: d.Status, Outcome: d.Outcome,
		Resolution: d.Resolution, BuyerProtection: d.Protected, Amount: d.Amount, RefundedAmount: d.Refunded, Currency: d.Currency,
		CreatedAt: apiTime(d.CreatedAt), DeadlineAt: apiTime(d.DeadlineAt),
		CanRespond: d.Status == dispute.AwaitingMerchant && now.Before(d.DeadlineAt), Version: d.Version,
	}
	if d.RespondedAt != nil {
		v.RespondedAt = apiTime(*d.RespondedAt)
	}
	if d.DecidedAt != nil {
		v.DecidedAt = apiTime(*d.DecidedAt)
	}
	return v
}

// answered shows d with the merchant's evidence, when there is some.
func answered(d dispute.Dispute, now time.Time) answeredDispute {
	out := answeredDispute{disputeJSON: viewDispute(d, now)}
	if ev := d.Evidence; ev != (dispute.Evidence{}) {
		out.Evidence = &evidenceJSON{Carrier: ev.Carrier, TrackingNumber: ev.TrackingNumber, ProofOfDelivery: ev.ProofOfDelivery, Description: ev.Description}
	}
	return out
}

// pageParam reads an integer query parameter from lo to hi, def when
// absent.
func pageParam(q url.Values, name string, def, lo, hi int) (int, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, apperr.BadField(name, "must be an integer from %d to %d", lo, hi)
	}
	return n, nil
}

// listDisputes answers one page of the merchant's disputes, newest first,
// optionally only those in one status.
func (a *API) listDisputes(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size, err := pageParam(q, "size", defaultDisputePage, 1, maxDisputePage)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	offset, err := pageParam(q, "offset", 0, 0, maxDisputeOffset)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	status := dispute.Status(q.Get("status"))
	list, total, err := a.Disputes.MerchantPage(r.Context(), currentMerchant(r).ID, status, offset, size)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	now := a.DB.Clock.Now()
	out := disputeList{Disputes: make([]disputeJSON, 0, len(list)), Pagination: pagination{Count: len(list), Total: total, Offset: offset}}
	for _, d := range list {
		out.Disputes = append(out.Disputes, viewDispute(d, now))
	}
	link := func(at int) string {
		v := url.Values{"offset": {strconv.Itoa(at)}, "size": {strconv.Itoa(size)}}
		if status != "" {
			v.Set("status", string(status))
		}
		return a.baseURL(r) + "/disputes/v1/disputes?" + v.Encode()
	}
	if offset+len(list) < total {
		out.Pagination.Next = link(offset + len(list))
	}
	if offset > 0 {
		out.Pagination.Prev = link(max(offset-size, 0))
	}
	writeJSON(w, http.StatusOK, out)
}

// getDispute answers one of the merchant's disputes with its timeline and
// documents.
func (a *API) getDispute(w http.ResponseWriter, r *http.Request) {
	v, err := a.Disputes.MerchantView(r.Context(), currentMerchant(r).ID, r.PathValue("dispute_id"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := disputeDetail{answeredDispute: answered(v.Dispute, a.DB.Clock.Now()),
		Timeline: make([]eventJSON, 0, len(v.Timeline)), Documents: make([]documentJSON, 0, len(v.Documents))}
	for _, e := range v.Timeline {
		out.Timeline = append(out.Timeline, eventJSON{At: apiTime(e.At), Party: e.Party, Kind: e.Kind, Body: e.Body})
	}
	for _, d := range v.Documents {
		out.Documents = append(out.Documents, documentJSON{DocumentID: d.ID, Name: d.Name, ContentType: d.ContentType, Size: d.Size, UploadedAt: apiTime(d.UploadedAt)})
	}
	writeJSON(w, http.StatusOK, out)
}

// disputeID returns the path's dispute id; one that cannot be an id is
// unknown.
func disputeID(r *http.Request) (string, error) {
	id := r.PathValue("dispute_id")
	if !ids.Valid(id) {
		return "", apperr.New(apperr.NotFound, "No such dispute.")
	}
	return id, nil
}

// requireVersion checks that an answer names the version it was made
// against.
func requireVersion(v *int64) error {
	if v == nil {
		return apperr.BadField("version", "is required: send the version of the dispute you read")
	}
	return nil
}

// acceptDispute accepts one of the merchant's disputes: Tillit refunds the
// amount (everything captured and not refunded when left out) or cancels
// an order nothing of which was captured, and the dispute closes.
func (a *API) acceptDispute(w http.ResponseWriter, r *http.Request) {
	var in acceptRequest
	body, err := decode(w, r, &in, false)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	id, err := disputeID(r)
	if err == nil {
		err = requireVersion(in.Version)
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	m := currentMerchant(r)
	a.mutate(w, r, body, func(tx *store.Tx) (result, error) {
		d, err := a.Disputes.Accept(tx, m.ID, id, "api", *in.Version, dispute.Acceptance{Resolution: in.Resolution, Amount: in.Amount})
		if err != nil {
			return result{}, err
		}
		return jsonResult(answered(d, tx.Now))
	})
}

// contestDispute contests one of the merchant's disputes with its evidence
// and documents; a dispute handler decides. The dispute service checks
// every field and document (size, type read from the bytes, how many)
// before anything is written.
func (a *API) contestDispute(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > MaxContestBodyBytes {
		a.writeError(w, r, apperr.New(apperr.TooLarge, "The request body is larger than %d bytes.", MaxContestBodyBytes))
		return
	}
	var in contestRequest
	body, err := decodeLimit(w, r, &in, false, MaxContestBodyBytes)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	id, err := disputeID(r)
	if err == nil {
		err = requireVersion(in.Version)
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	c := dispute.Contest{Carrier: in.Carrier, TrackingNumber: in.TrackingNumber, ProofOfDelivery: in.ProofOfDelivery, Description: in.Description}
	for i, doc := range in.Documents {
		content, err := base64.StdEncoding.DecodeString(doc.Content)
		if err != nil {
			a.writeError(w, r, apperr.BadField("documents["+strconv.Itoa(i)+"].content", "must be standard base64"))
			return
		}
		c.Documents = append(c.Documents, dispute.Upload{Name: doc.Name, Content: content})
	}
	m := currentMerchant(r)
	a.mutate(w, r, body, func(tx *store.Tx) (result, error) {
		d, err := a.Disputes.Contest(tx, m.ID, id, "api", *in.Version, c)
		if err != nil {
			return result{}, err
		}
		return jsonResult(answered(d, tx.Now))
	})
}
