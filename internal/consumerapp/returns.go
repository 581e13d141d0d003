package consumerapp

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/returns"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// Returns in the app (requirement B4, package returns): an order with
// something sent offers "Register a return" (returnFormPath), where the
// consumer enters how many of each line they sent back, the carrier and
// the tracking number; the payments pause until the merchant registers
// the refund. A return's page (returnPath) shows its status and the end
// of the pause, withdraws a return still registered, and, after a pause
// that ended without a refund, invites the consumer to open a
// returned_not_refunded dispute.

// Form fields of the return form; a line's quantity is quantityField
// followed by the line's index.
const (
	carrierField  = "carrier"
	trackingField = "tracking_number"
	linesField    = "lines"
	quantityField = "quantity_"
)

// returnFormPath is the form registering a return of an order.
func returnFormPath(orderID string) string { return orderPath(orderID) + "/return" }

// returnPath is the page of one of the order's returns.
func returnPath(orderID, id string) string {
	return orderPath(orderID) + "/returns/" + url.PathEscape(id)
}

// addReturns serves the return pages.
func (p *Pages) addReturns(mux *access.Router) {
	mux.HandleFunc("GET "+Prefix+"orders/{order}/return", p.signedIn(p.returnForm))
	mux.HandleFunc("POST "+Prefix+"orders/{order}/returns", p.signedIn(p.registerReturn))
	mux.HandleFunc("GET "+Prefix+"orders/{order}/returns/{id}", p.signedIn(p.returnPage))
	mux.HandleFunc("POST "+Prefix+"orders/{order}/returns/{id}/cancel", p.signedIn(p.cancelReturn))
}

// returnBadge is a return's status as a badge.
func returnBadge(st returns.Status) badge {
	switch st {
	case returns.Refunded:
		return badge{"return.status.refunded", "success"}
	case returns.Unrefunded:
		return badge{"return.status.unrefunded", "warning"}
	case returns.Cancelled:
		return badge{"return.status.cancelled", ""}
	}
	return badge{"return.status." + string(st), "info"}
}

// returnLine is an order line on the return form.
type returnLine struct {
	returns.Line
	Field string
	Value string
	Error *web.Message
}

// returnFormPage is the data of the return form.
type returnFormPage struct {
	shell
	Plan        repayment.Plan
	Lines       []returnLine
	Form        *web.Form
	PauseDays   int
	PausedUntil time.Time
	MaxCarrier  int
	MaxTracking int
}

// returnForm shows the form registering a return of one of the
// consumer's orders.
func (p *Pages) returnForm(w http.ResponseWriter, r *http.Request, cv consumerView) {
	pl, ok := p.consumerPlan(w, r, cv)
	if !ok {
		return
	}
	lines, err := p.orderLines(r, cv, pl.OrderID)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.showReturnForm(w, r, cv, pl, lines, http.StatusOK, web.NewForm(nil))
}

// orderLines reads the lines of the consumer's order a return may name.
func (p *Pages) orderLines(r *http.Request, cv consumerView, orderID string) ([]returns.Line, error) {
	var lines []returns.Line
	err := p.cfg.Plans.DB.Read(r.Context(), func(tx *store.Tx) (err error) {
		lines, err = returns.OrderLines(tx, cv.Consumer.PersonID, orderID)
		return err
	})
	return lines, err
}

// showReturnForm renders the return form with form (empty, or as sent
// with its errors).
func (p *Pages) showReturnForm(w http.ResponseWriter, r *http.Request, cv consumerView, pl repayment.Plan, lines []returns.Line, status int, form *web.Form) {
	days := p.cfg.Returns.Config().PauseDays
	page := returnFormPage{shell: shell{Email: cv.Consumer.Email}, Plan: pl, Form: form, PauseDays: days, PausedUntil: pl.PausedUntilAfterNewHold(p.cfg.Clock.Now(), days),
		MaxCarrier: returns.MaxCarrier, MaxTracking: returns.MaxTracking}
	for _, l := range lines {
		field := quantityField + strconv.Itoa(l.Index)
		page.Lines = append(page.Lines, returnLine{Line: l, Field: field, Value: form.Get(field), Error: form.Error(field)})
	}
	p.rd.Render(w, r, status, "consumer/return", page)
}

// registerReturn registers the consumer's return of lines of their order;
// the payments pause. Mistakes show the form again (422); an order with a
// live return or nothing sent answers 409 with the form, another person's
// order 404; each writes nothing.
func (p *Pages) registerReturn(w http.ResponseWriter, r *http.Request, cv consumerView) {
	if !p.parseForm(w, r) {
		return
	}
	pl, ok := p.consumerPlan(w, r, cv)
	if !ok {
		return
	}
	lines, err := p.orderLines(r, cv, pl.OrderID)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	form := web.NewForm(r.PostForm)
	var chosen []returns.Line
	for _, l := range lines {
		field := quantityField + strconv.Itoa(l.Index)
		v := form.Get(field)
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > l.Quantity {
			form.AddError(field, "consumerreturn.form.bad_quantity", "max", l.Quantity)
			continue
		}
		if n > 0 {
			chosen = append(chosen, returns.Line{Index: l.Index, Quantity: n})
		}
	}
	if form.Valid() && len(chosen) == 0 {
		form.AddError(linesField, "consumerreturn.form.choose_lines")
	}
	form.Required(carrierField, trackingField)
	form.MaxLength(carrierField, returns.MaxCarrier)
	form.MaxLength(trackingField, returns.MaxTracking)
	for _, f := range []string{carrierField, trackingField} {
		if strings.ContainsAny(form.Get(f), "\r\n") {
			form.AddError(f, "consumerreturn.form.one_line")
		}
	}
	if !form.Valid() {
		p.showReturnForm(w, r, cv, pl, lines, http.StatusUnprocessableEntity, form)
		return
	}
	var ret returns.Return
	err = p.cfg.Plans.DB.Write(r.Context(), func(tx *store.Tx) (err error) {
		ret, err = p.cfg.Returns.Register(tx, cv.Consumer.PersonID, consumerActor(cv), pl.OrderID,
			returns.Return{Lines: chosen, Carrier: form.Get(carrierField), TrackingNumber: form.Get(trackingField)})
		return err
	})
	switch errCode(err) {
	case "":
		web.Flash(w, r, web.FlashSuccess, "consumerreturn.registered", "date", i18n.FormatDate(web.Lang(r), ret.PauseUntil))
		web.Redirect(w, r, returnPath(pl.OrderID, ret.ID))
		return
	case returns.CodeAlreadyRegistered:
		form.AddError(linesField, "consumerreturn.already")
	case apperr.NotAllowed:
		form.AddError(linesField, "consumerreturn.nothing_sent")
	case apperr.BadValue:
		form.AddError(linesField, "consumerreturn.form.check")
		p.showReturnForm(w, r, cv, pl, lines, http.StatusUnprocessableEntity, form)
		return
	case apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
		return
	default:
		p.serverError(w, r, err)
		return
	}
	p.showReturnForm(w, r, cv, pl, lines, http.StatusConflict, form)
}

// returnRow is a return as the order's page and the return's page show it.
type returnRow struct {
	returns.Return
	URL    string
	Status badge
	// CanCancel is whether the consumer may still withdraw it.
	CanCancel bool
}

// returnPageData is the data of a return's page.
type returnPageData struct {
	shell
	Plan   repayment.Plan
	Return returnRow
	// InviteURL is the form opening a returned_not_refunded dispute, when
	// the pause ended without a refund and no dispute followed.
	InviteURL string
	// Error is why the last withdrawal failed, if it did.
	Error string
}

// returnPage shows one of the returns of the consumer's order; any other
// answers 404.
func (p *Pages) returnPage(w http.ResponseWriter, r *http.Request, cv consumerView) {
	pl, ret, ok := p.consumerReturn(w, r, cv)
	if ok {
		p.showReturn(w, r, cv, pl, ret, http.StatusOK, "")
	}
}

// consumerReturn loads the order and the return of the request's path if
// both are the consumer's; otherwise it answers 404 and reports false.
func (p *Pages) consumerReturn(w http.ResponseWriter, r *http.Request, cv consumerView) (repayment.Plan, returns.Return, bool) {
	pl, ok := p.consumerPlan(w, r, cv)
	if !ok {
		return pl, returns.Return{}, false
	}
	rs, err := p.cfg.Returns.ForOrder(r.Context(), cv.Consumer.PersonID, pl.OrderID)
	if err != nil {
		p.serverError(w, r, err)
		return pl, returns.Return{}, false
	}
	for _, ret := range rs {
		if ret.ID == r.PathValue("id") {
			return pl, ret, true
		}
	}
	p.rd.Error(w, r, http.StatusNotFound)
	return pl, returns.Return{}, false
}

// showReturn renders a return's page with status; errKey is the catalog
// key of a failed withdrawal, or "".
func (p *Pages) showReturn(w http.ResponseWriter, r *http.Request, cv consumerView, pl repayment.Plan, ret returns.Return, status int, errKey string) {
	page := returnPageData{shell: shell{Email: cv.Consumer.Email}, Plan: pl, Return: returnRowOf(pl.OrderID, ret), Error: errKey}
	if ret.Status == returns.Unrefunded && p.cfg.Disputes != nil {
		_, ds, live, err := p.disputesOf(r, cv, pl.OrderID)
		if err != nil {
			p.serverError(w, r, err)
			return
		}
		if invited(ret, ds, live) {
			page.InviteURL = problemPath(pl.OrderID, dispute.ReturnedNotRefunded)
		}
	}
	p.rd.Render(w, r, status, "consumer/returnpage", page)
}

// returnRowOf is a return as the pages show it.
func returnRowOf(orderID string, ret returns.Return) returnRow {
	return returnRow{Return: ret, URL: returnPath(orderID, ret.ID), Status: returnBadge(ret.Status), CanCancel: ret.Status == returns.Registered}
}

// cancelReturn withdraws the consumer's registered return; the payments
// run again. A return changed since the page was read, or no longer
// registered, shows its page again with the reason (409); a bad version
// answers 400 and another person's return 404; each writes nothing.
func (p *Pages) cancelReturn(w http.ResponseWriter, r *http.Request, cv consumerView) {
	if !p.parseForm(w, r) {
		return
	}
	pl, ret, ok := p.consumerReturn(w, r, cv)
	if !ok {
		return
	}
	version, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get(versionField)), 10, 64)
	if err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	err = p.cfg.Plans.DB.Write(r.Context(), func(tx *store.Tx) error {
		_, err := p.cfg.Returns.Cancel(tx, cv.Consumer.PersonID, consumerActor(cv), ret.ID, version)
		return err
	})
	var key string
	switch errCode(err) {
	case "":
		web.Flash(w, r, web.FlashSuccess, "consumerreturn.cancelled")
		web.Redirect(w, r, orderPath(pl.OrderID))
		return
	case returns.CodeChanged:
		key = "consumerreturn.changed"
	case returns.CodeNotLive:
		key = "consumerreturn.not_live"
	case apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
		return
	default:
		p.serverError(w, r, err)
		return
	}
	if pl, ret, ok = p.consumerReturn(w, r, cv); ok {
		p.showReturn(w, r, cv, pl, ret, http.StatusConflict, key)
	}
}
