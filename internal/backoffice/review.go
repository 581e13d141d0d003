package backoffice

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/risk/postapproval"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// decidePattern is the route of deciding an order in manual review; the
// roles the access table gives it work the review queue.
const decidePattern = "POST /staff/orders/{id}/decision"

// orderPagePattern is the route of an order's page; pages link to it only
// for a viewer the access table lets open it.
const orderPagePattern = "GET /staff/orders/{id}"

// ReviewQueueKey is the key of the queue of orders in manual review.
const ReviewQueueKey = "manual_review"

// actionFraudDecision is the audit action of checkout.DecideFraudStatus.
const actionFraudDecision = "order.fraud_status"

// maxReason is the longest decision reason, in bytes, that
// checkout.DecideFraudStatus takes.
const maxReason = 500

// orderURL is an order's review page.
func orderURL(id string) string { return Prefix + "orders/" + id }

// reviewQueue is the queue of open orders whose fraud status is PENDING.
func (p *Pages) reviewQueue() Queue {
	return Queue{
		Key:   ReviewQueueKey,
		Title: "staff.queue.manual_review",
		Roles: access.StaffRoles(decidePattern),
		Count: p.cfg.Checkout.CountInReview,
		List: func(ctx context.Context, limit int) ([]QueueItem, error) {
			orders, err := p.cfg.Checkout.InReview(ctx, limit)
			if err != nil {
				return nil, err
			}
			out := make([]QueueItem, 0, len(orders))
			for _, o := range orders {
				out = append(out, QueueItem{ID: o.OrderID, Label: o.Reference, Context: o.MerchantName,
					Amount: o.Amount, Currency: o.Currency, Since: o.CreatedAt})
			}
			return out, nil
		},
		ItemURL: func(it QueueItem) string { return orderURL(it.ID) },
	}
}

// coded is a code from the domain (a status, a payment method, a reason)
// with the catalog key that explains it, when the catalog has one.
type coded struct {
	Code string
	Key  string
}

// codedAs looks code up under a catalog prefix ("staff.reason." and the
// code in lower case).
func codedAs(prefix, code string) coded {
	c := coded{Code: code}
	if k := prefix + strings.ToLower(code); i18n.Has(k) {
		c.Key = k
	}
	return c
}

// fraudBadge is the badge colour of a fraud status.
func fraudBadge(status string) string {
	switch status {
	case checkout.FraudAccepted:
		return "success"
	case checkout.FraudPending:
		return "warning"
	}
	return "error"
}

// orderPage is the data of an order's review page.
type orderPage struct {
	frame
	Order      checkout.ReviewItem
	Method     coded
	Status     coded
	Fraud      coded
	FraudBadge string
	Reasons    []coded
	// Pending is whether the order awaits a decision (and the form shows).
	Pending   bool
	Form      *web.Form
	Decisions []decisionRow
	// Records are the order's automated decision records, oldest first;
	// Linked the orders sharing its e-mail address, phone, device or
	// shipping address.
	Records []recordRow
	Linked  []linkedRow
	// Review is the order's post-approval review, if it had one; MayAct
	// whether the viewer may act on it, with ReviewForm.
	Review     *reviewView
	MayAct     bool
	ReviewForm *web.Form
	MaxReason  int
	// MayDecide is whether the viewer may decide the order (the decision
	// form shows to them); Screening the sanctions screening section, for
	// AML officers when the order was held for or flagged by a match.
	MayDecide bool
	Screening *screeningView
	// StopRequest is the order's stop request, if it has one.
	StopRequest *orderStopRequest
}

// decisionRow is an earlier fraud decision on the order, from the audit log.
type decisionRow struct {
	At     time.Time
	Actor  string
	Status coded
	Reason string
}

// orderPage shows an order for review; the view is audited.
func (p *Pages) orderPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.showOrder(w, r, v, http.StatusOK, web.NewForm(nil))
}

// showOrder renders an order's page with the decision form, and records in
// the audit log that v saw it.
func (p *Pages) showOrder(w http.ResponseWriter, r *http.Request, v *viewer, status int, form *web.Form) {
	p.showOrderWith(w, r, v, status, form, web.NewForm(nil))
}

// showOrderWith renders an order's page with the decision form and the
// post-approval review's form.
func (p *Pages) showOrderWith(w http.ResponseWriter, r *http.Request, v *viewer, status int, form, reviewForm *web.Form) {
	p.renderOrder(w, r, v, status, form, reviewForm, web.NewForm(nil))
}

// renderOrder renders an order's page with the decision form, the
// post-approval review's form and the screening section's form.
func (p *Pages) renderOrder(w http.ResponseWriter, r *http.Request, v *viewer, status int, form, reviewForm, screeningForm *web.Form) {
	id := r.PathValue("id")
	o, err := p.cfg.Checkout.ReviewOrder(r.Context(), id)
	if apperr.Code(err) == apperr.NoSuchOrder {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		p.fail(w, r, "read order", err)
		return
	}
	entries, err := audit.ForSubject(r.Context(), p.cfg.DB, o.OrderID)
	if err != nil {
		p.fail(w, r, "read order audit", err)
		return
	}
	page := orderPage{
		frame: newFrame(v, "home"), Order: o,
		Method: codedAs("staff.method.", o.PaymentMethod), Status: codedAs("staff.order_status.", o.Status),
		Fraud: codedAs("staff.fraud_status.", o.FraudStatus), FraudBadge: fraudBadge(o.FraudStatus),
		Pending: o.FraudStatus == checkout.FraudPending, Form: form, Reasons: []coded{}, Decisions: []decisionRow{},
		ReviewForm: reviewForm, MaxReason: postapproval.MaxReason, MayAct: p.cfg.Reviews != nil && postapproval.MayWork(v.Staff.Role),
		MayDecide: v.may(decidePattern),
	}
	if err := p.loadRiskParts(r.Context(), &page); err != nil {
		p.fail(w, r, "read order risk", err)
		return
	}
	if !page.MayDecide && !page.screened() {
		p.rd.Error(w, r, http.StatusForbidden)
		return
	}
	if err := p.loadOrderScreening(r.Context(), v, &page, screeningForm, r.URL.RawQuery == showBuyer); err != nil {
		p.fail(w, r, "screen the order's buyer", err)
		return
	}
	if err := p.loadOrderStopRequest(r.Context(), v, &page); err != nil {
		p.fail(w, r, "read order stop request", err)
		return
	}
	for _, reason := range o.Reasons {
		page.Reasons = append(page.Reasons, codedAs("staff.reason.", reason))
	}
	for _, e := range entries {
		if e.Action != actionFraudDecision {
			continue
		}
		var d struct {
			FraudStatus string `json:"fraud_status"`
			Reason      string `json:"reason"`
		}
		if err := json.Unmarshal(e.Details, &d); err != nil {
			p.fail(w, r, "decode audit entry", err)
			return
		}
		page.Decisions = append(page.Decisions, decisionRow{At: e.At, Actor: e.Actor,
			Status: codedAs("staff.fraud_status.", d.FraudStatus), Reason: d.Reason})
	}
	err = p.cfg.DB.Write(r.Context(), func(tx *store.Tx) error {
		_, err := audit.Append(tx, v.actor(), ActionOrderViewed, o.OrderID, map[string]string{"page": "order_review"})
		return err
	})
	if err != nil {
		p.fail(w, r, "audit order view", err)
		return
	}
	p.rd.Render(w, r, status, "staff/order", page)
}

// decide records an analyst's decision on a PENDING order: ACCEPTED or
// REJECTED, with a reason. checkout.DecideFraudStatus notifies the merchant
// and audits the decision.
func (p *Pages) decide(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	decision := form.Get("decision")
	if decision != checkout.FraudAccepted && decision != checkout.FraudRejected {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form.Required("reason")
	if len(form.Get("reason")) > maxReason {
		form.AddError("reason", "form.too_long", "max", maxReason)
	}
	id := r.PathValue("id")
	o, err := p.cfg.Checkout.ReviewOrder(r.Context(), id)
	if apperr.Code(err) == apperr.NoSuchOrder {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		p.fail(w, r, "read order", err)
		return
	}
	if o.FraudStatus != checkout.FraudPending {
		web.Flash(w, r, web.FlashWarning, "staff.order.already_decided", "reference", o.Reference)
		web.Redirect(w, r, orderURL(o.OrderID))
		return
	}
	if !form.Valid() {
		p.showOrder(w, r, v, http.StatusUnprocessableEntity, form)
		return
	}
	if err := p.cfg.Checkout.DecideFraudStatus(r.Context(), v.actor(), o.OrderID, decision, form.Get("reason")); err != nil {
		p.fail(w, r, "decide fraud status", err)
		return
	}
	key := "staff.order.accepted"
	if decision == checkout.FraudRejected {
		key = "staff.order.rejected"
	}
	web.Flash(w, r, web.FlashSuccess, key, "reference", o.Reference)
	web.Redirect(w, r, queueURL(ReviewQueueKey))
}
