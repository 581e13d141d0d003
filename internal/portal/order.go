package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/notify"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/stoprequest"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// Audit actions of the order changes made in the portal; the subject is the
// order.
const (
	ActionCaptured  = "order.captured"
	ActionRefunded  = "order.refunded"
	ActionCancelled = "order.cancelled"
	ActionReleased  = "order.released"
)

// maxDescription is the longest refund description, in bytes, that
// checkout takes.
const maxDescription = 255

// orderData is an order's page.
type orderData struct {
	page
	labelled
	Order   checkout.Order
	Summary checkout.OrderSummary
	// Currency is the order's currency.
	Currency             string
	CreatedAt, ExpiresAt time.Time
	Lines                []lineView
	Captures             []captureRow
	Refunds              []refundRow
	Events               []eventRow
	Plan                 *repayment.Plan
	PlanStatusKey        string
	// Today is the start of the UTC day the page was made: an instalment
	// due before it is late.
	Today time.Time
	// Refundable is what was captured and not refunded.
	Refundable int64
	// The actions the order allows now, for a user who may change orders.
	CanCapture, CanRefund, CanCancel, CanRelease bool
	// AwaitingFraud is set while an open order cannot be captured because
	// its fraud status is not ACCEPTED.
	AwaitingFraud bool
	// State is the order's state when the page was made; each form sends it
	// back, and a change made meanwhile is refused (a double submit, or a
	// change from the API or a colleague).
	State                   string
	CaptureForm, RefundForm *web.Form
	// Messages are the order's merchant support messages and the form to
	// send one; nil when the portal has no message service.
	Messages *messagesView
	// StopRequest is the order's stop request, when it has one.
	StopRequest *stoprequest.Request
	// Disputes are the order's disputes, newest first (disputes.go).
	Disputes []disputeView
	// Returns are the order's returns, newest first (returns.go).
	Returns []returnView
	// Problem is why the last submission did nothing, when it did not.
	Problem *web.Message
}

// lineView is one order line, with its tax rate as a percentage.
type lineView struct {
	checkout.OrderLine
	TaxRate string
}

// captureRow is one capture of the order.
type captureRow struct {
	checkout.Capture
	At time.Time
	By string
}

// refundRow is one refund of the order.
type refundRow struct {
	checkout.Refund
	At time.Time
	By string
}

// eventRow is one entry of the order's history, in the reader's words, and
// who did it (empty when not a person).
type eventRow struct {
	At   time.Time
	Text string
	By   string
}

// orderState is the part of an order every action depends on.
func orderState(o checkout.Order) string {
	return fmt.Sprintf("%s.%d.%d.%d", o.Status, o.CapturedAmount, o.RefundedAmount, o.RemainingAuthorizedAmount)
}

// loadOrder returns the user's merchant's order of the request's path, or
// answers 404 (also for another merchant's order) or 500 and returns false.
func (p *Pages) loadOrder(w http.ResponseWriter, r *http.Request, u *user) (checkout.Order, checkout.OrderSummary, bool) {
	id := r.PathValue("id")
	o, err := p.cfg.Checkout.GetOrder(r.Context(), u.MerchantID, id)
	var sum checkout.OrderSummary
	if err == nil {
		sum, err = p.cfg.Checkout.GetOrderSummary(r.Context(), u.MerchantID, id)
	}
	if apperr.Code(err) == apperr.NoSuchOrder {
		p.rd.Error(w, r, http.StatusNotFound)
		return checkout.Order{}, checkout.OrderSummary{}, false
	}
	if err != nil {
		p.fail(w, r, "read order", err)
		return checkout.Order{}, checkout.OrderSummary{}, false
	}
	return o, sum, true
}

func (p *Pages) order(w http.ResponseWriter, r *http.Request, u *user) {
	o, sum, ok := p.loadOrder(w, r, u)
	if !ok {
		return
	}
	p.showOrder(w, r, u, o, sum, http.StatusOK, captureForm(web.Lang(r), o), web.NewForm(nil))
}

// captureForm is the capture form as a page first shows it: the whole
// remaining amount, which the user may lower.
func captureForm(lang i18n.Lang, o checkout.Order) *web.Form {
	f := web.NewForm(nil)
	f.Values.Set("capture_amount", amountInput(lang, o.RemainingAuthorizedAmount, o.PurchaseCurrency))
	return f
}

// showOrder renders an order's page with the action forms as given, and
// the merchant support message form when one is given.
func (p *Pages) showOrder(w http.ResponseWriter, r *http.Request, u *user, o checkout.Order, sum checkout.OrderSummary, status int, capture, refund *web.Form, message ...*web.Form) {
	var form *web.Form
	if len(message) > 0 {
		form = message[0]
	}
	p.renderOrder(w, r, u, o, sum, status, capture, refund, form, nil)
}

// renderOrder renders an order's page with the action forms as given, the
// merchant support message form (nil for an empty one) and problem, why the
// last submission did nothing (nil when it did).
func (p *Pages) renderOrder(w http.ResponseWriter, r *http.Request, u *user, o checkout.Order, sum checkout.OrderSummary, status int, capture, refund, message *web.Form, problem *web.Message) {
	ctx, lang := r.Context(), web.Lang(r)
	amount := func(minor int64) string { return i18n.FormatMoney(lang, minor, o.PurchaseCurrency) }
	now := p.cfg.DB.Clock.Now()
	data := orderData{
		page: page{User: u, Section: "orders"}, labelled: labelled{o.Status, o.FraudStatus, sum.PaymentMethod},
		Order: o, Summary: sum, Currency: o.PurchaseCurrency, CreatedAt: apiTime(o.CreatedAt), ExpiresAt: apiTime(o.ExpiresAt),
		Refundable: o.CapturedAmount - o.RefundedAmount, State: orderState(o), Today: utcDay(now),
		CaptureForm: capture, RefundForm: refund, Problem: problem,
	}
	for _, l := range o.OrderLines {
		data.Lines = append(data.Lines, lineView{OrderLine: l, TaxRate: basisPoints(lang, l.TaxRate)})
	}
	open := o.Status == checkout.StatusAuthorized || o.Status == checkout.StatusPartCaptured
	expired := !data.ExpiresAt.After(now)
	data.AwaitingFraud = open && o.FraudStatus != checkout.FraudAccepted
	if u.CanManage() {
		data.CanCapture = open && !expired && o.FraudStatus == checkout.FraudAccepted && o.RemainingAuthorizedAmount > 0
		data.CanRefund = data.Refundable > 0
		data.CanCancel = o.Status == checkout.StatusAuthorized && o.CapturedAmount == 0
		data.CanRelease = o.Status == checkout.StatusPartCaptured
	}
	names, err := p.userNames(ctx, u.MerchantID)
	if err != nil {
		p.fail(w, r, "read users", err)
		return
	}
	entries, err := audit.ForSubject(ctx, p.cfg.DB, o.OrderID)
	if err != nil {
		p.fail(w, r, "read order audit", err)
		return
	}
	// Who made each capture and refund in the portal, by its id.
	madeBy := map[string]string{}
	data.Events = append(data.Events, eventRow{At: data.CreatedAt, Text: i18n.T(lang, "merchant.event.placed", "amount", amount(o.OriginalOrderAmount))})
	for _, e := range entries {
		id, isUser := strings.CutPrefix(e.Actor, "merchant_user:")
		if !isUser {
			continue // staff and system entries are Tillit's own
		}
		var d struct {
			CaptureID string `json:"capture_id"`
			RefundID  string `json:"refund_id"`
		}
		if err := json.Unmarshal(e.Details, &d); err != nil {
			p.fail(w, r, "decode audit entry", err)
			return
		}
		switch e.Action {
		case ActionCaptured:
			madeBy[d.CaptureID] = names[id]
		case ActionRefunded:
			madeBy[d.RefundID] = names[id]
		case ActionCancelled:
			data.Events = append(data.Events, eventRow{At: e.At, Text: i18n.T(lang, "merchant.event.cancelled"), By: names[id]})
		case ActionReleased:
			data.Events = append(data.Events, eventRow{At: e.At, Text: i18n.T(lang, "merchant.event.released"), By: names[id]})
		}
	}
	for _, c := range o.Captures {
		row := captureRow{Capture: c, At: apiTime(c.CapturedAt), By: madeBy[c.CaptureID]}
		data.Captures = append(data.Captures, row)
		data.Events = append(data.Events, eventRow{At: row.At, Text: i18n.T(lang, "merchant.event.captured", "amount", amount(c.CapturedAmount)), By: row.By})
	}
	for _, rf := range o.Refunds {
		row := refundRow{Refund: rf, At: apiTime(rf.RefundedAt), By: madeBy[rf.RefundID]}
		data.Refunds = append(data.Refunds, row)
		data.Events = append(data.Events, eventRow{At: row.At, Text: i18n.T(lang, "merchant.event.refunded", "amount", amount(rf.RefundedAmount)), By: row.By})
	}
	deliveries, err := notify.Deliveries(ctx, p.cfg.DB, u.MerchantID, o.OrderID, WebhookLogSize)
	if err != nil {
		p.fail(w, r, "read webhooks", err)
		return
	}
	for _, d := range deliveries {
		data.Events = append(data.Events, eventRow{At: d.Event.CreatedAt,
			Text: i18n.T(lang, "merchant.event.webhook", "type", d.Event.Type, "status", i18n.T(lang, webhookStatusKey(d)))})
	}
	sort.SliceStable(data.Events, func(i, j int) bool { return data.Events[i].At.Before(data.Events[j].At) })
	if p.cfg.Checkout.Plans != nil {
		pl, err := p.cfg.Checkout.Plans.Get(ctx, o.OrderID)
		switch {
		case err == nil:
			data.Plan, data.PlanStatusKey = &pl, planStatusKey(pl.Status)
		case apperr.Code(err) != apperr.NoSuchOrder:
			p.fail(w, r, "read payment plan", err)
			return
		}
	}
	if p.cfg.StopRequests != nil {
		sr, found, err := p.cfg.StopRequests.GetForOrder(ctx, u.MerchantID, o.OrderID)
		if err != nil {
			p.fail(w, r, "read stop request", err)
			return
		}
		if found {
			data.StopRequest = &sr
		}
	}
	if data.Disputes, err = p.orderDisputes(ctx, u.MerchantID, o.OrderID); err != nil {
		p.fail(w, r, "read disputes", err)
		return
	}
	if data.Returns, err = p.orderReturns(ctx, u, o.OrderID); err != nil {
		p.fail(w, r, "read returns", err)
		return
	}
	if p.cfg.Messages != nil {
		if data.Messages, err = p.loadMessages(ctx, o.OrderID, message); err != nil {
			p.fail(w, r, "read messages", err)
			return
		}
	}
	p.rd.Render(w, r, status, "merchant/order", data)
}

// userNames maps the ids of a merchant's users to their names, for the
// order history.
func (p *Pages) userNames(ctx context.Context, merchantID string) (map[string]string, error) {
	users, err := p.cfg.Accounts.ListMerchantUsers(ctx, merchantID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(users))
	for _, mu := range users {
		out[mu.ID] = mu.Name
	}
	return out, nil
}

// orderAction reads the form of an order action and loads the order. It
// answers itself, and returns false, when the form does not parse, the order
// is not the merchant's, or the order changed since the page was made (the
// user is sent back to the order with a notice, so that a double submit
// never captures or refunds twice).
func (p *Pages) orderAction(w http.ResponseWriter, r *http.Request, u *user) (*web.Form, checkout.Order, checkout.OrderSummary, bool) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return nil, checkout.Order{}, checkout.OrderSummary{}, false
	}
	o, sum, ok := p.loadOrder(w, r, u)
	if !ok {
		return nil, checkout.Order{}, checkout.OrderSummary{}, false
	}
	form := web.NewForm(r.PostForm)
	if form.Get("state") != orderState(o) {
		web.Flash(w, r, web.FlashWarning, "merchant.order.changed")
		web.Redirect(w, r, orderURL(o.OrderID))
		return nil, checkout.Order{}, checkout.OrderSummary{}, false
	}
	return form, o, sum, true
}

// change runs an order change and its audit entry in one transaction.
func (p *Pages) change(ctx context.Context, u *user, action, orderID string, op func(tx *store.Tx) (map[string]any, error)) error {
	return p.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		details, err := op(tx)
		if err != nil {
			return err
		}
		_, err = audit.Append(tx, u.actor(), action, orderID, details)
		return err
	})
}

// capture captures the amount typed (the whole remaining amount unless the
// user changed it).
func (p *Pages) capture(w http.ResponseWriter, r *http.Request, u *user) {
	form, o, sum, ok := p.orderAction(w, r, u)
	if !ok {
		return
	}
	lang := web.Lang(r)
	amount, msg := parseAmount(lang, form.Get("capture_amount"), o.PurchaseCurrency)
	switch {
	case form.Get("capture_amount") == "":
		form.AddError("capture_amount", "form.required")
	case msg != nil:
		form.AddError("capture_amount", msg.Key, msg.Args...)
	case amount > o.RemainingAuthorizedAmount:
		form.AddError("capture_amount", "merchant.capture.too_much", "max", i18n.FormatMoney(lang, o.RemainingAuthorizedAmount, o.PurchaseCurrency))
	}
	if form.Valid() {
		err := p.change(r.Context(), u, ActionCaptured, o.OrderID, func(tx *store.Tx) (map[string]any, error) {
			c, err := p.cfg.Checkout.Capture(tx, u.MerchantID, o.OrderID, checkout.CaptureRequest{CapturedAmount: amount})
			return map[string]any{"capture_id": c.CaptureID, "amount": amount, "currency": o.PurchaseCurrency}, err
		})
		switch {
		case err == nil:
		case apperr.Code(err) == apperr.CaptureNotAllowed:
			form.AddError("capture_amount", "merchant.capture.not_allowed")
		default:
			p.fail(w, r, "capture", err)
			return
		}
	}
	if !form.Valid() {
		p.showOrder(w, r, u, o, sum, http.StatusUnprocessableEntity, form, web.NewForm(nil))
		return
	}
	web.Flash(w, r, web.FlashSuccess, "merchant.capture.done", "amount", i18n.FormatMoney(lang, amount, o.PurchaseCurrency))
	web.Redirect(w, r, orderURL(o.OrderID))
}

// refund refunds the amount typed, with an optional description.
func (p *Pages) refund(w http.ResponseWriter, r *http.Request, u *user) {
	form, o, sum, ok := p.orderAction(w, r, u)
	if !ok {
		return
	}
	lang := web.Lang(r)
	refundable := o.CapturedAmount - o.RefundedAmount
	amount, msg := parseAmount(lang, form.Get("refund_amount"), o.PurchaseCurrency)
	switch {
	case form.Get("refund_amount") == "":
		form.AddError("refund_amount", "form.required")
	case msg != nil:
		form.AddError("refund_amount", msg.Key, msg.Args...)
	case amount > refundable:
		form.AddError("refund_amount", "merchant.refund.too_much", "max", i18n.FormatMoney(lang, refundable, o.PurchaseCurrency))
	}
	description := form.Get("refund_description")
	if len(description) > maxDescription {
		form.AddError("refund_description", "form.too_long", "max", maxDescription)
	}
	if form.Valid() {
		err := p.change(r.Context(), u, ActionRefunded, o.OrderID, func(tx *store.Tx) (map[string]any, error) {
			rf, err := p.cfg.Checkout.Refund(tx, u.MerchantID, o.OrderID, checkout.RefundRequest{RefundedAmount: amount, Description: description})
			return map[string]any{"refund_id": rf.RefundID, "amount": amount, "currency": o.PurchaseCurrency}, err
		})
		switch {
		case err == nil:
		case apperr.Code(err) == apperr.RefundNotAllowed:
			form.AddError("refund_amount", "merchant.refund.too_much", "max", i18n.FormatMoney(lang, refundable, o.PurchaseCurrency))
		default:
			p.fail(w, r, "refund", err)
			return
		}
	}
	if !form.Valid() {
		p.showOrder(w, r, u, o, sum, http.StatusUnprocessableEntity, captureForm(lang, o), form)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "merchant.refund.done", "amount", i18n.FormatMoney(lang, amount, o.PurchaseCurrency))
	web.Redirect(w, r, orderURL(o.OrderID))
}

// cancel cancels an order without captures.
func (p *Pages) cancel(w http.ResponseWriter, r *http.Request, u *user) {
	_, o, _, ok := p.orderAction(w, r, u)
	if !ok {
		return
	}
	err := p.change(r.Context(), u, ActionCancelled, o.OrderID, func(tx *store.Tx) (map[string]any, error) {
		return map[string]any{"amount": o.OrderAmount, "currency": o.PurchaseCurrency}, p.cfg.Checkout.Cancel(tx, u.MerchantID, o.OrderID)
	})
	switch {
	case err == nil:
		web.Flash(w, r, web.FlashSuccess, "merchant.cancel.done")
	case apperr.Code(err) == apperr.CancelNotAllowed:
		web.Flash(w, r, web.FlashError, "merchant.cancel.not_allowed")
	default:
		p.fail(w, r, "cancel", err)
		return
	}
	web.Redirect(w, r, orderURL(o.OrderID))
}

// release releases what is left of a part-captured order's authorization.
func (p *Pages) release(w http.ResponseWriter, r *http.Request, u *user) {
	_, o, _, ok := p.orderAction(w, r, u)
	if !ok {
		return
	}
	lang := web.Lang(r)
	err := p.change(r.Context(), u, ActionReleased, o.OrderID, func(tx *store.Tx) (map[string]any, error) {
		return map[string]any{"amount": o.RemainingAuthorizedAmount, "currency": o.PurchaseCurrency},
			p.cfg.Checkout.ReleaseRemaining(tx, u.MerchantID, o.OrderID)
	})
	switch {
	case err == nil:
		web.Flash(w, r, web.FlashSuccess, "merchant.release.done", "amount", i18n.FormatMoney(lang, o.RemainingAuthorizedAmount, o.PurchaseCurrency))
	case apperr.Code(err) == apperr.NotAllowed:
		web.Flash(w, r, web.FlashError, "merchant.release.not_allowed")
	default:
		p.fail(w, r, "release", err)
		return
	}
	web.Redirect(w, r, orderURL(o.OrderID))
}
