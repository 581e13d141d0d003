package consumerapp

import (
	"net/http"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/fraudcase"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/web"
)

// fraudClaim is the latest fraud case of an order as its page shows it.
type fraudClaim struct {
	// NoticeKey is the catalog key of the notice about the case; empty
	// when there is none and the consumer may report the purchase.
	NoticeKey string
	// Kind is the notice's style (info, success, warning).
	Kind     string
	OpenedAt time.Time
	// MayReport is whether the report link shows.
	MayReport bool
}

// fraudClaimOf returns what the order's page shows about reporting the
// purchase, or nil when the app does not take reports.
func (p *Pages) fraudClaimOf(r *http.Request, cv consumerView, orderID string) (*fraudClaim, error) {
	if p.cfg.FraudCases == nil {
		return nil, nil
	}
	c, ok, err := p.cfg.FraudCases.ForConsumer(r.Context(), cv.Consumer.PersonID, orderID)
	if err != nil {
		return nil, err
	}
	fc := &fraudClaim{MayReport: !ok || c.Status == fraudcase.StatusClosed && c.Outcome != fraudcase.VictimConfirmed}
	switch {
	case !ok:
	case c.Status.Live():
		fc.NoticeKey, fc.Kind, fc.OpenedAt = "fraudcase.consumer.open_notice", "info", c.OpenedAt
		fc.MayReport = false
	case c.Outcome == fraudcase.VictimConfirmed:
		fc.NoticeKey, fc.Kind = "fraudcase.consumer.victim_notice", "success"
	default:
		fc.NoticeKey, fc.Kind = "fraudcase.consumer.stands_notice", "warning"
	}
	return fc, nil
}

// notMinePage is the data of the report form.
type notMinePage struct {
	shell
	Plan         repayment.Plan
	Form         *web.Form
	MaxStatement int
}

// notMine shows the form reporting one of the consumer's purchases as not
// made by them; a purchase already under investigation goes back to its
// page.
func (p *Pages) notMine(w http.ResponseWriter, r *http.Request, cv consumerView) {
	pl, ok := p.consumerPlan(w, r, cv)
	if !ok {
		return
	}
	fc, err := p.fraudClaimOf(r, cv, pl.OrderID)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	if !fc.MayReport {
		web.Flash(w, r, web.FlashInfo, "fraudcase.consumer.already_open")
		web.Redirect(w, r, orderPath(pl.OrderID))
		return
	}
	p.showNotMine(w, r, cv, pl, http.StatusOK, web.NewForm(nil))
}

func (p *Pages) showNotMine(w http.ResponseWriter, r *http.Request, cv consumerView, pl repayment.Plan, status int, form *web.Form) {
	p.rd.Render(w, r, status, "consumer/fraudclaim", notMinePage{shell: shell{Email: cv.Consumer.Email}, Plan: pl, Form: form,
		MaxStatement: fraudcase.MaxStatement})
}

// reportNotMine opens a fraud case on one of the consumer's purchases with
// their optional statement; the purchase's payments pause. A statement too
// long is shown again (422), another person's order answers 404, writing
// nothing.
func (p *Pages) reportNotMine(w http.ResponseWriter, r *http.Request, cv consumerView) {
	if !p.parseForm(w, r) {
		return
	}
	pl, ok := p.consumerPlan(w, r, cv)
	if !ok {
		return
	}
	form := web.NewForm(r.PostForm)
	form.MaxLength(statementField, fraudcase.MaxStatement)
	if !form.Valid() {
		p.showNotMine(w, r, cv, pl, http.StatusUnprocessableEntity, form)
		return
	}
	if p.cfg.Disputes != nil {
		p.reportAsDispute(w, r, cv, pl, form)
		return
	}
	_, err := p.cfg.FraudCases.OpenByConsumer(r.Context(), cv.Consumer.PersonID, "consumer:"+cv.Consumer.ID,
		fraudcase.Opening{OrderID: pl.OrderID, Statement: form.Get(statementField)})
	switch apperr.Code(err) {
	case fraudcase.CodeAlreadyOpen:
		web.Flash(w, r, web.FlashInfo, "fraudcase.consumer.already_open")
	case apperr.NotFound, apperr.NotAllowed:
		p.rd.Error(w, r, http.StatusNotFound)
		return
	case apperr.BadValue:
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	default:
		if err != nil {
			p.serverError(w, r, err)
			return
		}
		web.Flash(w, r, web.FlashSuccess, "fraudcase.consumer.opened")
	}
	web.Redirect(w, r, orderPath(pl.OrderID))
}
