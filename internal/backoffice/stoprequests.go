package backoffice

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/stoprequest"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// The security analysts' side of stop requests (requirements T3-T6, package
// stoprequest): the queue of requests not closed, in the service's priority
// order; a request's page with the merchant's answer, the carrier recall,
// whether the fraud policy is met and the timeline from the audit log; and
// settling a request whose parcel did not come back as a fraud loss
// (stoprequest.Service.WriteOff, which audits it). The tracking number is
// the consumer's personal data, sealed by the vault: the page shows it on
// request (?tracking=show), and every view of the page is audited
// (ActionOrderViewed with page "stop_request", saying whether the tracking
// number was shown). An order's page links to its stop request.

// StopRequestsQueueKey is the key of the security analysts' queue of stop
// requests that are not closed, unanswered first, then the nearest
// deadline, then the largest amount.
const StopRequestsQueueKey = "stop_requests"

// showTracking is the query string of a stop request's page that shows the
// tracking number.
const showTracking = "tracking=show"

// maxSettleReason is the longest reason, in characters, for settling a
// stop request as a fraud loss.
const maxSettleReason = 500

// stopRequestURL is a stop request's page.
func stopRequestURL(id string) string { return Prefix + "stop-requests/" + id }

// addStopRequests adds the stop request queue and serves the request pages
// and the settle action.
func (p *Pages) addStopRequests(mux *access.Router) {
	p.AddQueue(p.stopRequestQueue())
	mux.Handle("GET /staff/stop-requests/{id}", p.staff(p.stopRequestPage))
	mux.Handle("POST /staff/stop-requests/{id}/settle", p.staff(p.settleStopRequest))
}

// stopRequestQueue lists the stop requests not closed in priority order.
// Each item shows the order reference, merchant, amount, status (overdue
// when unanswered past the deadline) and deadline.
func (p *Pages) stopRequestQueue() Queue {
	svc := p.cfg.StopRequests
	return Queue{
		Key: StopRequestsQueueKey, Title: "stoprequest.staff.queue.title", Roles: access.StaffRoles("GET /staff/stop-requests/{id}"),
		Count: func(ctx context.Context) (int, error) { return svc.CountWaiting(ctx, "") },
		List: func(ctx context.Context, limit int) ([]QueueItem, error) {
			rs, err := svc.Queue(ctx, limit)
			if err != nil {
				return nil, err
			}
			now := p.cfg.DB.Clock.Now()
			names := map[string]string{}
			out := make([]QueueItem, 0, len(rs))
			for _, r := range rs {
				name, ok := names[r.MerchantID]
				if !ok {
					m, err := merchant.Get(ctx, p.cfg.DB, r.MerchantID)
					if err != nil {
						return nil, err
					}
					name, names[r.MerchantID] = m.Name, m.Name
				}
				out = append(out, QueueItem{ID: r.ID, Label: r.Reference, Context: name, Amount: r.Amount, Currency: r.Currency,
					Since: r.CreatedAt, State: stopStatus(r, now).Key, Alert: r.Overdue(now), Due: r.DeadlineAt})
			}
			return out, nil
		},
		ItemURL: func(it QueueItem) string { return stopRequestURL(it.ID) },
	}
}

// stopStatus is a request's status at now as the pages show it: overdue
// for an open request past its deadline.
func stopStatus(r stoprequest.Request, now time.Time) coded {
	if r.Overdue(now) {
		return codedAs("stoprequest.staff.status.", "overdue")
	}
	return codedAs("stoprequest.staff.status.", r.Status)
}

// stopBadge is the badge colour of a request's status at now.
func stopBadge(r stoprequest.Request, now time.Time) string {
	switch {
	case r.Overdue(now):
		return "error"
	case r.Status == stoprequest.StatusOpen:
		return "warning"
	case r.Status == stoprequest.StatusClosed:
		return "success"
	}
	return "info"
}

// settleable reports whether a request in status may be settled as a fraud
// loss: the merchant shipped and the parcel has not come back, or a
// service could not be stopped and the platform waits for a dispute.
func settleable(status string) bool {
	return status == stoprequest.StatusAwaitingReturn || status == stoprequest.StatusAwaitingDispute
}

// stopRequestPage is the data of a stop request's page.
type stopRequestPage struct {
	frame
	Request stoprequest.Request
	Order   checkout.ReviewItem
	Status  coded
	Badge   string
	// Answer, Removal, PickedUp, Recall and Outcome explain the request's
	// codes (empty Code when unset).
	Answer   coded
	Removal  coded
	PickedUp coded
	Recall   coded
	Outcome  coded
	// ServiceStopped is the answer about a service: "yes", "no" or "".
	ServiceStopped string
	// TrackingShown is whether the page shows the tracking number;
	// HasTracking whether the merchant gave one; TrackingGone whether it
	// can no longer be read (the consumer's data was erased).
	TrackingShown bool
	HasTracking   bool
	TrackingGone  bool
	// Policy is whether the fraud policy covers the order, with its
	// conditions.
	Policy policyView
	// WriteOff is what settling the request as a fraud loss did, from the
	// audit log, when it was settled so.
	WriteOff *writeOffView
	Timeline []stopEvent
	// CanSettle is whether the settle form shows; Form is the submitted
	// one that had errors.
	CanSettle bool
	Form      *web.Form
	MaxReason int
}

// policyView is the fraud policy (T6) as it applies to the order: Met is
// stoprequest.PolicyMet; the others are its conditions.
type policyView struct {
	Met            bool
	Covered        bool
	AnsweredInTime bool
	Tracking       bool
}

// writeOffView is a write-off's settlement lines: Returned ("Return
// (fraud)") and, when the policy was met, PolicyAmount ("Fraud policy").
type writeOffView struct {
	PolicyMet    bool
	Returned     int64
	PolicyAmount int64
	Currency     string
	Reason       string
}

// stopEvent is a step of the request's timeline, from an audit entry about
// the order whose action starts with "stop_request.".
type stopEvent struct {
	At     time.Time
	Actor  string
	Action coded
	// Notes are the step's codes explained (an answer, the status and
	// outcome it led to, a recall's outcome); Reminders numbers a reminder.
	Notes     []coded
	Reminders int
	// WriteOff is set on a write-off step.
	WriteOff *writeOffView
}

// auditDetails is the union of the details stop request audit entries
// carry (codes, amounts and staff reasons, nothing personal).
type auditDetails struct {
	Answer       string `json:"answer"`
	Status       string `json:"status"`
	Outcome      string `json:"outcome"`
	Reason       string `json:"reason"`
	Reminders    int    `json:"reminders"`
	PolicyMet    bool   `json:"policy_met"`
	Returned     int64  `json:"returned"`
	PolicyAmount int64  `json:"policy_amount"`
	Currency     string `json:"currency"`
}

// stopEventOf turns an audit entry into a timeline step.
func stopEventOf(e audit.Entry) (stopEvent, error) {
	var d auditDetails
	if err := json.Unmarshal(e.Details, &d); err != nil {
		return stopEvent{}, err
	}
	ev := stopEvent{At: e.At, Actor: e.Actor, Action: codedAs("stoprequest.staff.action.", strings.TrimPrefix(e.Action, "stop_request."))}
	switch e.Action {
	case stoprequest.ActionAnswered, stoprequest.ActionAnsweredCorrect:
		ev.Notes = []coded{codedAs("stoprequest.staff.answer.", d.Answer), codedAs("stoprequest.staff.status.", d.Status)}
		if d.Outcome != "" {
			ev.Notes = append(ev.Notes, codedAs("stoprequest.staff.outcome.", d.Outcome))
		}
	case stoprequest.ActionRemovalConfirm:
		ev.Notes = []coded{codedAs("stoprequest.staff.outcome.", d.Outcome)}
	case stoprequest.ActionRecalled:
		ev.Notes = []coded{codedAs("stoprequest.staff.recall.", d.Outcome)}
	case stoprequest.ActionReminderSent:
		ev.Reminders = d.Reminders
	case stoprequest.ActionWrittenOff:
		ev.WriteOff = &writeOffView{PolicyMet: d.PolicyMet, Returned: d.Returned, PolicyAmount: d.PolicyAmount, Currency: d.Currency, Reason: d.Reason}
	}
	return ev, nil
}

// stopRequestPage shows a stop request.
func (p *Pages) stopRequestPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.renderStopRequest(w, r, v, http.StatusOK, web.NewForm(nil))
}

// renderStopRequest renders a stop request's page for v with the settle
// form, and records in the audit log that v saw it and whether the
// tracking number was shown.
func (p *Pages) renderStopRequest(w http.ResponseWriter, r *http.Request, v *viewer, status int, form *web.Form) {
	sr, err := p.cfg.StopRequests.Get(r.Context(), "", r.PathValue("id"))
	if apperr.Code(err) == apperr.NotFound {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		p.fail(w, r, "read stop request", err)
		return
	}
	o, err := p.cfg.Checkout.ReviewOrder(r.Context(), sr.OrderID)
	if err != nil {
		p.fail(w, r, "read stop request order", err)
		return
	}
	m, err := merchant.Get(r.Context(), p.cfg.DB, sr.MerchantID)
	if err != nil {
		p.fail(w, r, "read stop request merchant", err)
		return
	}
	now := p.cfg.DB.Clock.Now()
	hasTracking := sr.Answer == stoprequest.AnswerShipped && !sr.Details.NoTrackingNumber
	shown := hasTracking && sr.TrackingNumber != "" && r.URL.RawQuery == showTracking
	page := stopRequestPage{
		frame: newFrame(v, "home"), Request: sr, Order: o, Status: stopStatus(sr, now), Badge: stopBadge(sr, now),
		TrackingShown: shown, HasTracking: hasTracking, TrackingGone: hasTracking && sr.TrackingNumber == "",
		Policy: policyView{Covered: m.FraudPolicyCovered, AnsweredInTime: sr.AnsweredAt != nil && sr.AnsweredInTime,
			Tracking: !sr.Details.NoTrackingNumber},
		Timeline: []stopEvent{}, CanSettle: settleable(sr.Status), Form: form, MaxReason: maxSettleReason,
	}
	if !shown {
		page.Request.TrackingNumber = ""
	}
	if sr.Answer != "" {
		page.Answer = codedAs("stoprequest.staff.answer.", sr.Answer)
	}
	if sr.Details.InvoiceRemoval != "" {
		page.Removal = codedAs("stoprequest.staff.removal.", sr.Details.InvoiceRemoval)
	}
	if sr.Details.PickedUp != "" {
		page.PickedUp = codedAs("stoprequest.staff.picked_up.", sr.Details.PickedUp)
	}
	if sr.RecallStatus != "" {
		page.Recall = codedAs("stoprequest.staff.recall.", sr.RecallStatus)
	}
	if sr.Outcome != "" {
		page.Outcome = codedAs("stoprequest.staff.outcome.", sr.Outcome)
	}
	if s := sr.Details.ServiceStopped; s != nil {
		page.ServiceStopped = map[bool]string{true: "yes", false: "no"}[*s]
	}
	entries, err := audit.ForSubject(r.Context(), p.cfg.DB, sr.OrderID)
	if err != nil {
		p.fail(w, r, "read stop request audit", err)
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Action, "stop_request.") {
			continue
		}
		ev, err := stopEventOf(e)
		if err != nil {
			p.fail(w, r, "decode audit entry", err)
			return
		}
		if ev.WriteOff != nil {
			page.WriteOff = ev.WriteOff
		}
		page.Timeline = append(page.Timeline, ev)
	}
	err = p.cfg.DB.Write(r.Context(), func(tx *store.Tx) (err error) {
		if page.Policy.Met, err = stoprequest.PolicyMet(tx, sr.OrderID); err != nil {
			return err
		}
		_, err = audit.Append(tx, v.actor(), ActionOrderViewed, sr.OrderID, map[string]any{
			"page": "stop_request", "stop_request_id": sr.ID, "tracking_number_shown": shown})
		return err
	})
	if err != nil {
		p.fail(w, r, "audit stop request view", err)
		return
	}
	p.rd.Render(w, r, status, "staff/stop_request", page)
}

// Errors of settling a stop request that write nothing and are told to the
// analyst: the request closed meanwhile, or changed since the page showed
// it (or is not waiting for a return or dispute).
var (
	errStopClosed = errors.New("backoffice: the stop request is closed")
	errStopStale  = errors.New("backoffice: the stop request changed")
)

// settleStopRequest settles a request whose parcel did not come back (or
// whose service could not be stopped) as a fraud loss, with the analyst's
// reason, at the version the page showed: the claim is cancelled,
// "Return (fraud)" takes the amount back from the merchant and, when the
// fraud policy is met, "Fraud policy" pays it back excluding VAT. A request
// closed or changed meanwhile is refused with a notice, writing nothing.
func (p *Pages) settleStopRequest(w http.ResponseWriter, r *http.Request, v *viewer) {
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
	id := r.PathValue("id")
	sr, err := p.cfg.StopRequests.Get(r.Context(), "", id)
	if apperr.Code(err) == apperr.NotFound {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		p.fail(w, r, "read stop request", err)
		return
	}
	form.Required("reason")
	form.MaxLength("reason", maxSettleReason)
	if !form.Valid() {
		p.renderStopRequest(w, r, v, http.StatusUnprocessableEntity, form)
		return
	}
	var wo checkout.FraudWriteOff
	err = p.cfg.DB.Write(r.Context(), func(tx *store.Tx) error {
		cur, found, err := stoprequest.ForOrder(tx, sr.OrderID)
		switch {
		case err != nil:
			return err
		case !found || cur.ID != sr.ID:
			return errStopStale
		case cur.Status == stoprequest.StatusClosed:
			return errStopClosed
		case cur.Version != version || !settleable(cur.Status):
			return errStopStale
		}
		wo, err = p.cfg.StopRequests.WriteOff(tx, v.actor(), cur.OrderID, form.Get("reason"))
		return err
	})
	lang := web.Lang(r)
	switch {
	case errors.Is(err, errStopClosed):
		web.Flash(w, r, web.FlashWarning, "stoprequest.staff.settle.closed")
	case errors.Is(err, errStopStale) || errors.Is(err, store.ErrConflict):
		web.Flash(w, r, web.FlashWarning, "stoprequest.staff.settle.changed")
	case apperr.Code(err) == apperr.NotAllowed:
		web.Flash(w, r, web.FlashWarning, "stoprequest.staff.settle.nothing")
	case apperr.Code(err) == apperr.BadValue:
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	case err != nil:
		p.fail(w, r, "settle stop request", err)
		return
	case wo.Returned == 0:
		web.Flash(w, r, web.FlashSuccess, "stoprequest.staff.settle.done_released")
	case wo.PolicyAmount > 0:
		web.Flash(w, r, web.FlashSuccess, "stoprequest.staff.settle.done_met",
			"returned", i18n.FormatMoney(lang, wo.Returned, wo.Currency), "policy", i18n.FormatMoney(lang, wo.PolicyAmount, wo.Currency))
	default:
		web.Flash(w, r, web.FlashSuccess, "stoprequest.staff.settle.done_not_met",
			"returned", i18n.FormatMoney(lang, wo.Returned, wo.Currency))
	}
	web.Redirect(w, r, stopRequestURL(id))
}

// orderStopRequest is the stop request section of an order's page.
type orderStopRequest struct {
	Request stoprequest.Request
	Status  coded
	Badge   string
	Outcome coded
	// URL is the request's page, empty when the viewer may not open it.
	URL string
}

// loadOrderStopRequest reads the order's stop request, if any, for its
// page.
func (p *Pages) loadOrderStopRequest(ctx context.Context, v *viewer, page *orderPage) error {
	if p.cfg.StopRequests == nil {
		return nil
	}
	return p.cfg.DB.Read(ctx, func(tx *store.Tx) error {
		sr, found, err := stoprequest.ForOrder(tx, page.Order.OrderID)
		if err != nil || !found {
			return err
		}
		s := &orderStopRequest{Request: sr, Status: stopStatus(sr, tx.Now), Badge: stopBadge(sr, tx.Now)}
		if sr.Outcome != "" {
			s.Outcome = codedAs("stoprequest.staff.outcome.", sr.Outcome)
		}
		if v.may("GET /staff/stop-requests/{id}") {
			s.URL = stopRequestURL(sr.ID)
		}
		page.StopRequest = s
		return nil
	})
}
