package portal

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// The merchant side of disputes (B2): the count of disputes waiting for the
// merchant in the navigation and a banner on the overview, the list of the
// merchant's live disputes, and each dispute with its timeline and the two
// answers: accept (refund all or part, or cancel an order nothing of which
// was captured) or contest with evidence and up to dispute.MaxDocuments
// documents. Viewers read; owners and admins answer. Each answer sends back
// the version the page showed, so that an answer made meanwhile (by a
// colleague or through the API) is not overwritten. The consumer's own words
// never reach these pages: dispute.MerchantView leaves them out.

// DisputesPath is the list of the merchant's disputes.
const DisputesPath = Prefix + "disputes"

// maxUploadBody limits a dispute answer's request body: every document at
// its largest, and room for the form's fields and the multipart framing.
const maxUploadBody = dispute.MaxDocuments*dispute.MaxDocumentBytes + 1<<20

// uploadMemory is how much of an upload is held in memory; the rest goes
// to temporary files, removed when the request ends.
const uploadMemory = 8 << 20

// disputeURL is the page of one of the merchant's disputes.
func disputeURL(id string) string { return DisputesPath + "/" + id }

// The fields of the answer forms.
const (
	fieldVersion     = "version"
	fieldResolution  = "resolution"
	fieldRefundPart  = "refund_amount"
	fieldProof       = "proof_of_delivery"
	fieldDescription = "description"
	fieldDocuments   = "documents"
)

// The accept form's choices.
const (
	acceptRefundAll  = "refund_all"
	acceptRefundPart = "refund_part"
	acceptCancel     = "cancel"
)

// routeDisputes serves the dispute pages on mux and returns inner wrapped
// so that every signed-in page knows how many disputes wait for the
// merchant, and a dispute answer's body is limited before anything reads
// it (the CSRF check parses the form).
func (p *Pages) routeDisputes(mux *access.Router, inner http.Handler) http.Handler {
	mux.HandleFunc("GET "+DisputesPath, p.signedIn(p.disputes))
	mux.HandleFunc("GET "+DisputesPath+"/{id}", p.signedIn(p.disputePage))
	mux.HandleFunc("POST "+DisputesPath+"/{id}/accept", p.signedIn(p.acceptDispute))
	mux.HandleFunc("POST "+DisputesPath+"/{id}/contest", p.signedIn(p.contestDispute))
	mux.HandleFunc("GET "+DisputesPath+"/{id}/documents/{doc}", p.signedIn(p.disputeDocument))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, DisputesPath+"/") {
			if r.ContentLength > maxUploadBody {
				p.rd.Error(w, r, http.StatusRequestEntityTooLarge)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxUploadBody)
		}
		if st := state(r); st.user != nil && st.err == nil {
			st.user.DisputesWaiting, st.err = p.cfg.Disputes.CountAwaitingMerchant(r.Context(), st.user.MerchantID)
		}
		inner.ServeHTTP(w, r)
	})
}

// disputeView is a dispute as the pages show it.
type disputeView struct {
	dispute.Dispute
	// Answerable is set while the merchant may still answer.
	Answerable bool
	// Late is set while the dispute waits for the merchant past its
	// deadline (the deadline job has not run yet).
	Late bool
}

// ReasonKey is the catalog key of the dispute's reason.
func (v disputeView) ReasonKey() string { return "portaldispute.reason." + string(v.Reason) }

// StatusKey is the catalog key of the dispute's status (its outcome once
// closed).
func (v disputeView) StatusKey() string {
	if v.Status == dispute.Closed {
		return "portaldispute.outcome." + string(v.Outcome)
	}
	return "portaldispute.status." + string(v.Status)
}

// StatusBadge is the badge colour of the dispute's status.
func (v disputeView) StatusBadge() string {
	switch {
	case v.Late:
		return "error"
	case v.Status == dispute.AwaitingMerchant:
		return "warning"
	case v.Status == dispute.Closed:
		return "neutral"
	}
	return "info"
}

// viewOf builds the view of d as of the portal's clock.
func (p *Pages) viewOf(d dispute.Dispute) disputeView {
	waiting := d.Status == dispute.AwaitingMerchant
	before := p.cfg.DB.Clock.Now().Before(d.DeadlineAt)
	return disputeView{Dispute: d, Answerable: waiting && before, Late: waiting && !before}
}

// disputesData is the list of the merchant's disputes.
type disputesData struct {
	page
	Disputes []disputeView
}

// disputes lists the merchant's live disputes, the closest deadline first.
func (p *Pages) disputes(w http.ResponseWriter, r *http.Request, u *user) {
	list, err := p.cfg.Disputes.MerchantDisputes(r.Context(), u.MerchantID)
	if err != nil {
		p.fail(w, r, "list disputes", err)
		return
	}
	data := disputesData{page: page{User: u, Section: "disputes"}}
	for _, d := range list {
		data.Disputes = append(data.Disputes, p.viewOf(d))
	}
	p.rd.Render(w, r, http.StatusOK, "merchant/disputes", data)
}

// disputeData is one dispute's page.
type disputeData struct {
	page
	Dispute   disputeView
	Timeline  []dispute.Event
	Documents []dispute.DocumentInfo
	// CanAnswer shows the answer forms (an owner or admin, before the
	// deadline); ReadOnly tells a viewer why there are none.
	CanAnswer, ReadOnly bool
	// CanCancel offers cancelling (nothing of the order was captured).
	CanCancel bool
	// Refundable is what was captured and not refunded.
	Refundable int64
	// AcceptForm and ContestForm hold the forms' values and errors.
	AcceptForm, ContestForm *web.Form
	// DocumentsLeft is how many more documents the merchant may send.
	DocumentsLeft int
	// MaxMB is the largest document, in megabytes.
	MaxMB int
	// Proof and Description are the contest form's text areas.
	Proof, Description textArea
	// Problem is why the last submission did nothing.
	Problem *web.Message
}

// textArea is a labelled text area of a form.
type textArea struct {
	Form                    *web.Form
	Name, LabelKey, HintKey string
	Max                     int
	Required                bool
}

// loadDispute reads the merchant's dispute of the request's path, or
// answers 404 or 500 and returns false.
func (p *Pages) loadDispute(w http.ResponseWriter, r *http.Request, u *user) (dispute.View, bool) {
	v, err := p.cfg.Disputes.MerchantView(r.Context(), u.MerchantID, r.PathValue("id"))
	if apperr.Code(err) == apperr.NotFound {
		p.rd.Error(w, r, http.StatusNotFound)
		return v, false
	}
	if err != nil {
		p.fail(w, r, "read dispute", err)
		return v, false
	}
	return v, true
}

// disputePage shows one of the merchant's disputes.
func (p *Pages) disputePage(w http.ResponseWriter, r *http.Request, u *user) {
	v, ok := p.loadDispute(w, r, u)
	if !ok {
		return
	}
	p.showDispute(w, r, u, v, http.StatusOK, nil, nil, nil)
}

// showDispute renders a dispute's page with the forms given (fresh ones
// when nil) and the problem of the last submission.
func (p *Pages) showDispute(w http.ResponseWriter, r *http.Request, u *user, v dispute.View, status int, accept, contest *web.Form, problem *web.Message) {
	o, err := p.cfg.Checkout.GetOrder(r.Context(), u.MerchantID, v.Dispute.OrderID)
	if err != nil {
		p.fail(w, r, "read disputed order", err)
		return
	}
	dv := p.viewOf(v.Dispute)
	data := disputeData{
		page: page{User: u, Section: "disputes"}, Dispute: dv, Timeline: v.Timeline, Documents: v.Documents,
		CanAnswer: dv.Answerable && u.CanManage(), ReadOnly: dv.Answerable && !u.CanManage(),
		CanCancel:  o.Status == checkout.StatusAuthorized && o.CapturedAmount == 0,
		Refundable: o.CapturedAmount - o.RefundedAmount, AcceptForm: accept, ContestForm: contest,
		DocumentsLeft: max(dispute.MaxDocuments-len(v.Documents), 0), MaxMB: dispute.MaxDocumentBytes >> 20, Problem: problem,
	}
	version := strconv.FormatInt(v.Dispute.Version, 10)
	if data.AcceptForm == nil {
		data.AcceptForm = web.NewForm(nil)
	}
	if data.ContestForm == nil {
		data.ContestForm = web.NewForm(nil)
	}
	for _, f := range []*web.Form{data.AcceptForm, data.ContestForm} {
		if f.Get(fieldVersion) == "" {
			f.Values.Set(fieldVersion, version)
		}
	}
	data.Proof = textArea{Form: data.ContestForm, Name: fieldProof, LabelKey: "portaldispute.form.proof", HintKey: "portaldispute.form.proof_hint", Max: dispute.MaxEvidenceText}
	data.Description = textArea{Form: data.ContestForm, Name: fieldDescription, LabelKey: "portaldispute.form.description",
		HintKey: "portaldispute.form.description_hint", Max: dispute.MaxEvidenceText, Required: true}
	p.rd.Render(w, r, status, "merchant/dispute", data)
}

// formVersion reads the version a form sends back; -1 when it is missing
// or not a number, which the service refuses as changed.
func formVersion(form *web.Form) int64 {
	n, err := strconv.ParseInt(form.Get(fieldVersion), 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// acceptDispute accepts one of the merchant's disputes: a full or partial
// refund, or cancelling an order nothing of which was captured.
func (p *Pages) acceptDispute(w http.ResponseWriter, r *http.Request, u *user) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	v, ok := p.loadDispute(w, r, u)
	if !ok {
		return
	}
	form := web.NewForm(r.PostForm)
	in := dispute.Acceptance{Resolution: dispute.Refund}
	switch form.Get(fieldResolution) {
	case acceptRefundAll:
	case acceptRefundPart:
		o, err := p.cfg.Checkout.GetOrder(r.Context(), u.MerchantID, v.Dispute.OrderID)
		if err != nil {
			p.fail(w, r, "read disputed order", err)
			return
		}
		amount, msg := parseAmount(web.Lang(r), form.Get(fieldRefundPart), v.Dispute.Currency)
		switch {
		case form.Get(fieldRefundPart) == "":
			form.AddError(fieldRefundPart, "form.required")
		case msg != nil:
			form.AddError(fieldRefundPart, msg.Key, msg.Args...)
		case amount > o.CapturedAmount-o.RefundedAmount:
			form.AddError(fieldRefundPart, "portaldispute.error.refund_too_much")
		}
		in.Amount = amount
	case acceptCancel:
		in.Resolution = dispute.Cancel
	default:
		form.AddError(fieldResolution, "portaldispute.error.resolution")
	}
	if !form.Valid() {
		p.showDispute(w, r, u, v, http.StatusUnprocessableEntity, form, nil, nil)
		return
	}
	err := p.cfg.DB.Write(r.Context(), func(tx *store.Tx) error {
		_, err := p.cfg.Disputes.Accept(tx, u.MerchantID, v.Dispute.ID, u.actor(), formVersion(form), in)
		return err
	})
	p.answered(w, r, u, v, err, "portaldispute.accepted", form, nil)
}

// answered ends an answer: success goes back to the page with a notice;
// a dispute changed meanwhile, answered or past its deadline is shown as
// it stands now (409); a value the service refuses shows the form again
// (422). Nothing was written unless the answer was taken.
func (p *Pages) answered(w http.ResponseWriter, r *http.Request, u *user, v dispute.View, err error, done string, accept, contest *web.Form) {
	if err == nil {
		web.Flash(w, r, web.FlashSuccess, done)
		web.Redirect(w, r, disputeURL(v.Dispute.ID))
		return
	}
	var key string
	switch apperr.Code(err) {
	case dispute.CodeChanged:
		key = "portaldispute.error.changed"
	case dispute.CodeNotOpen:
		key = "portaldispute.error.not_open"
	case apperr.CancelNotAllowed:
		key = "portaldispute.error.cancel_not_allowed"
	case apperr.BadValue:
		p.showDispute(w, r, u, v, http.StatusUnprocessableEntity, accept, contest, &web.Message{Key: "portaldispute.error.invalid"})
		return
	case apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
		return
	default:
		p.fail(w, r, "answer dispute", err)
		return
	}
	now, reloadErr := p.cfg.Disputes.MerchantView(r.Context(), u.MerchantID, v.Dispute.ID)
	if reloadErr != nil {
		p.fail(w, r, "reload dispute", reloadErr)
		return
	}
	p.showDispute(w, r, u, now, http.StatusConflict, nil, nil, &web.Message{Key: key})
}

// contestDispute contests one of the merchant's disputes with its
// evidence and documents. A form with mistakes, or a document too large,
// of the wrong type or one too many, is shown again with the reason and
// nothing is stored.
func (p *Pages) contestDispute(w http.ResponseWriter, r *http.Request, u *user) {
	if err := r.ParseMultipartForm(uploadMemory); err != nil {
		status := http.StatusBadRequest
		if _, tooLarge := err.(*http.MaxBytesError); tooLarge {
			status = http.StatusRequestEntityTooLarge
		}
		p.rd.Error(w, r, status)
		return
	}
	defer r.MultipartForm.RemoveAll()
	v, ok := p.loadDispute(w, r, u)
	if !ok {
		return
	}
	form := web.NewForm(r.PostForm)
	in := dispute.Contest{
		Carrier: form.Get(fieldCarrier), TrackingNumber: form.Get(fieldTracking),
		ProofOfDelivery: form.Get(fieldProof), Description: form.Get(fieldDescription),
	}
	checkEvidence(form, in)
	in.Documents = readDocuments(form, r.MultipartForm.File[fieldDocuments], dispute.MaxDocuments-len(v.Documents))
	if !form.Valid() {
		p.showDispute(w, r, u, v, http.StatusUnprocessableEntity, nil, form, nil)
		return
	}
	err := p.cfg.DB.Write(r.Context(), func(tx *store.Tx) error {
		_, err := p.cfg.Disputes.Contest(tx, u.MerchantID, v.Dispute.ID, u.actor(), formVersion(form), in)
		return err
	})
	p.answered(w, r, u, v, err, "portaldispute.contested", nil, form)
}

// checkEvidence adds an error to form for each evidence field the service
// would refuse, in the reader's words.
func checkEvidence(form *web.Form, in dispute.Contest) {
	text := func(name, value string, max int) {
		if utf8.RuneCountInString(value) > max || strings.ContainsRune(value, 0) {
			form.AddError(name, "portaldispute.error.too_long", "max", max)
		}
	}
	text(fieldCarrier, in.Carrier, dispute.MaxCarrier)
	text(fieldProof, in.ProofOfDelivery, dispute.MaxEvidenceText)
	text(fieldDescription, in.Description, dispute.MaxEvidenceText)
	if in.Description == "" {
		form.AddError(fieldDescription, "portaldispute.error.description")
	}
	switch {
	case utf8.RuneCountInString(in.TrackingNumber) > dispute.MaxTracking || strings.IndexFunc(in.TrackingNumber, func(c rune) bool {
		return !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '-'
	}) >= 0:
		form.AddError(fieldTracking, "portaldispute.error.tracking", "max", dispute.MaxTracking)
	case in.TrackingNumber != "" && in.Carrier == "":
		form.AddError(fieldCarrier, "portaldispute.error.carrier")
	}
}

// readDocuments reads the uploaded files (at most left of them), adding an
// error to form for one too many, too large, empty, of the wrong type or
// with an unusable name. The type is read from the bytes, never the name.
func readDocuments(form *web.Form, files []*multipart.FileHeader, left int) []dispute.Upload {
	var out []dispute.Upload
	for _, fh := range files {
		if fh.Filename == "" && fh.Size == 0 {
			continue // the field left empty
		}
		if len(out) == left {
			form.AddError(fieldDocuments, "portaldispute.error.too_many", "max", dispute.MaxDocuments)
			return nil
		}
		name := strings.TrimSpace(fh.Filename)
		if name == "" || utf8.RuneCountInString(name) > dispute.MaxDocumentName || !utf8.ValidString(name) {
			form.AddError(fieldDocuments, "portaldispute.error.document_name", "max", dispute.MaxDocumentName)
			return nil
		}
		if fh.Size == 0 || fh.Size > dispute.MaxDocumentBytes {
			form.AddError(fieldDocuments, "portaldispute.error.document_size", "name", name, "max", dispute.MaxDocumentBytes>>20)
			return nil
		}
		content, err := readUpload(fh)
		if err != nil {
			form.AddError(fieldDocuments, "portaldispute.error.document_unreadable", "name", name)
			return nil
		}
		ct, _, _ := strings.Cut(http.DetectContentType(content), ";")
		if !slices.Contains(dispute.DocumentTypes, ct) {
			form.AddError(fieldDocuments, "portaldispute.error.document_type", "name", name)
			return nil
		}
		out = append(out, dispute.Upload{Name: name, Content: content})
	}
	return out
}

// readUpload reads an uploaded file's bytes.
func readUpload(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, dispute.MaxDocumentBytes+1))
}

// disputeDocument downloads a document the merchant sent with its
// evidence; the read is audited. Anyone of the merchant may read it.
func (p *Pages) disputeDocument(w http.ResponseWriter, r *http.Request, u *user) {
	var (
		info    dispute.DocumentInfo
		content []byte
	)
	err := p.cfg.DB.Write(r.Context(), func(tx *store.Tx) (err error) {
		info, content, err = p.cfg.Disputes.MerchantDocument(tx, u.MerchantID, u.actor(), r.PathValue("id"), r.PathValue("doc"))
		return err
	})
	if apperr.Code(err) == apperr.NotFound {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		p.fail(w, r, "read dispute document", err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", info.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(content)))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": info.Name}))
	h.Set("Cache-Control", "private, no-store")
	_, _ = w.Write(content)
}

// orderDisputes returns the merchant's disputes of an order for its page,
// or nil when the portal has no dispute service.
func (p *Pages) orderDisputes(ctx context.Context, merchantID, orderID string) ([]disputeView, error) {
	if p.cfg.Disputes == nil {
		return nil, nil
	}
	list, err := p.cfg.Disputes.MerchantForOrder(ctx, merchantID, orderID)
	if err != nil {
		return nil, err
	}
	out := make([]disputeView, len(list))
	for i, d := range list {
		out[i] = p.viewOf(d)
	}
	return out, nil
}
