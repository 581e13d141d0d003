package backoffice

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"strconv"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// The dispute handlers' side of buyer protection disputes (requirement B3,
// package dispute): the queue of disputes awaiting a decision and of those
// still awaiting the merchant, with their deadlines; a dispute's page with
// the order, reason, amounts, buyer protection and any exception, the
// timeline with the consumer's statement and the merchant's evidence, and
// links to the merchant's documents; and the decision. The dispute service
// authorises and audits every read of the consumer's data (StaffView,
// Document) and every decision (Decide).

// DisputesQueueKey is the key of the dispute handlers' queue.
const DisputesQueueKey = "disputes"

// disputeURL is a dispute's page.
func disputeURL(id string) string { return Prefix + "disputes/" + id }

// addDisputes adds the dispute queue and serves the dispute pages, their
// documents and the decision.
func (p *Pages) addDisputes(mux *access.Router) {
	p.AddQueue(p.disputeQueue())
	mux.Handle("GET /staff/disputes/{id}", p.staff(p.disputePage))
	mux.Handle("GET /staff/disputes/{id}/documents/{doc}", p.staff(p.disputeDocument))
	mux.Handle("POST /staff/disputes/{id}/decide", p.staff(p.decideDispute))
}

// disputeQueue lists the disputes awaiting a decision, then those awaiting
// the merchant, the nearest deadline first. Each item shows the order
// reference, the merchant, the amount, the status and the deadline.
func (p *Pages) disputeQueue() Queue {
	svc := p.cfg.Disputes
	return Queue{
		Key: DisputesQueueKey, Title: "staffdispute.queue.title", Roles: access.StaffRoles("GET /staff/disputes/{id}"),
		Count: svc.CountStaffQueue,
		List: func(ctx context.Context, limit int) ([]QueueItem, error) {
			ds, err := svc.StaffQueue(ctx, limit)
			if err != nil {
				return nil, err
			}
			names := map[string]string{}
			out := make([]QueueItem, 0, len(ds))
			for _, d := range ds {
				name, ok := names[d.MerchantID]
				if !ok {
					m, err := merchant.Get(ctx, p.cfg.DB, d.MerchantID)
					if err != nil {
						return nil, err
					}
					name, names[d.MerchantID] = m.Name, m.Name
				}
				out = append(out, QueueItem{ID: d.ID, Label: d.Reference, Context: name, Amount: d.Amount, Currency: d.Currency,
					Since: d.CreatedAt, State: "staffdispute.status." + string(d.Status), Due: d.DeadlineAt})
			}
			return out, nil
		},
		ItemURL: func(it QueueItem) string { return disputeURL(it.ID) },
	}
}

// disputeBadge is the badge colour of a dispute's status.
func disputeBadge(s dispute.Status) string {
	switch s {
	case dispute.AwaitingDecision:
		return "warning"
	case dispute.Closed:
		return "success"
	}
	return "info"
}

// decidable reports whether a handler may decide a dispute in status s.
func decidable(s dispute.Status) bool {
	return s == dispute.AwaitingDecision || s == dispute.AwaitingMerchant
}

// disputePage is the data of a dispute's page.
type disputePage struct {
	frame
	View     dispute.View
	Merchant string
	Status   coded
	Badge    string
	// OrderURL is the order's page, empty when the viewer may not open it.
	OrderURL string
	// CanDecide is whether the decision form shows; Form is the submitted
	// one that had errors.
	CanDecide bool
	Form      *web.Form
	MaxReason int
}

// disputePage shows a dispute.
func (p *Pages) disputePage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.renderDispute(w, r, v, http.StatusOK, web.NewForm(nil))
}

// renderDispute renders a dispute's page for v with the decision form; the
// dispute service records in the audit log that v read it.
func (p *Pages) renderDispute(w http.ResponseWriter, r *http.Request, v *viewer, status int, form *web.Form) {
	var view dispute.View
	err := p.cfg.DB.Write(r.Context(), func(tx *store.Tx) (err error) {
		view, err = p.cfg.Disputes.StaffView(tx, v.Staff, r.PathValue("id"))
		return err
	})
	if p.disputeError(w, r, "read dispute", err) {
		return
	}
	d := view.Dispute
	m, err := merchant.Get(r.Context(), p.cfg.DB, d.MerchantID)
	if err != nil {
		p.fail(w, r, "read dispute merchant", err)
		return
	}
	page := disputePage{
		frame: newFrame(v, "home"), View: view, Merchant: m.Name,
		Status: codedAs("staffdispute.status.", string(d.Status)), Badge: disputeBadge(d.Status),
		CanDecide: decidable(d.Status), Form: form, MaxReason: dispute.MaxDecisionReason,
	}
	if v.may(orderPagePattern) {
		page.OrderURL = Prefix + "orders/" + d.OrderID
	}
	p.rd.Render(w, r, status, "staff/dispute", page)
}

// disputeError answers a dispute service error that is not the caller's
// to handle further: 403, 404, 400, or 500; it reports whether it
// answered.
func (p *Pages) disputeError(w http.ResponseWriter, r *http.Request, what string, err error) bool {
	if err == nil {
		return false
	}
	switch apperr.Code(err) {
	case apperr.Forbidden:
		p.rd.Error(w, r, http.StatusForbidden)
	case apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
	case apperr.BadValue:
		p.rd.Error(w, r, http.StatusBadRequest)
	default:
		p.fail(w, r, what, err)
	}
	return true
}

// disputeDocument sends one of the merchant's documents as a download,
// with the content type detected when it was stored; the service audits
// the read.
func (p *Pages) disputeDocument(w http.ResponseWriter, r *http.Request, v *viewer) {
	var (
		info    dispute.DocumentInfo
		content []byte
	)
	err := p.cfg.DB.Write(r.Context(), func(tx *store.Tx) (err error) {
		info, content, err = p.cfg.Disputes.Document(tx, v.Staff, r.PathValue("id"), r.PathValue("doc"))
		return err
	})
	if p.disputeError(w, r, "read dispute document", err) {
		return
	}
	h := w.Header()
	h.Set("Content-Type", info.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": info.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(content)))
	if _, err := w.Write(content); err != nil {
		p.log.Warn("backoffice: send dispute document", "err", err)
	}
}

// decideDispute decides a dispute with the handler's outcome and reason, at
// the version the page showed. A dispute changed or closed meanwhile is
// refused with a notice, writing nothing.
func (p *Pages) decideDispute(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	version, err := strconv.ParseInt(form.Get("version"), 10, 64)
	if err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	outcome := dispute.Outcome(form.Get("outcome"))
	if outcome != dispute.ConsumerWon && outcome != dispute.MerchantWon {
		form.AddError("outcome", "staffdispute.decide.choose_outcome")
	}
	form.Required("reason")
	form.MaxLength("reason", dispute.MaxDecisionReason)
	if !form.Valid() {
		p.renderDispute(w, r, v, http.StatusUnprocessableEntity, form)
		return
	}
	id := r.PathValue("id")
	err = p.cfg.DB.Write(r.Context(), func(tx *store.Tx) error {
		_, err := p.cfg.Disputes.Decide(tx, v.Staff, id, version, outcome, form.Get("reason"))
		return err
	})
	switch code := apperr.Code(err); {
	case code == dispute.CodeChanged || errors.Is(err, store.ErrConflict):
		web.Flash(w, r, web.FlashWarning, "staffdispute.decide.changed")
	case code == dispute.CodeNotOpen || code == apperr.NotAllowed:
		web.Flash(w, r, web.FlashWarning, "staffdispute.decide.not_open")
	default:
		if p.disputeError(w, r, "decide dispute", err) {
			return
		}
		web.Flash(w, r, web.FlashSuccess, "staffdispute.decide.done."+string(outcome))
	}
	web.Redirect(w, r, disputeURL(id))
}
