package backoffice

import (
	"context"
	"net/http"
	"strconv"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/aml"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// AMLQueueKey is the key of the AML officers' queue of transaction
// monitoring alerts (requirement T8). Opening an alert and every action on
// it is audited by package aml.
const AMLQueueKey = "aml_alerts"

// alertURL is an alert's page.
func alertURL(id string) string { return Prefix + "aml/alerts/" + id }

// addAML adds the queue of AML alerts and serves the alert pages.
func (p *Pages) addAML(mux *access.Router) {
	svc := p.cfg.AML
	p.AddQueue(Queue{
		Key: AMLQueueKey, Title: "aml.queue.title", Roles: access.StaffRoles("GET /staff/aml/alerts/{id}"),
		Count: svc.CountLive,
		List: func(ctx context.Context, limit int) ([]QueueItem, error) {
			as, err := svc.ListLive(ctx, limit)
			if err != nil {
				return nil, err
			}
			out := make([]QueueItem, 0, len(as))
			for _, a := range as {
				out = append(out, QueueItem{ID: a.ID, Label: contestLabel(a.ID), Context: string(a.Rule) + " · " + string(a.Status), Since: a.OpenedAt})
			}
			return out, nil
		},
		ItemURL: func(it QueueItem) string { return alertURL(it.ID) },
	})
	mux.Handle("GET /staff/aml/alerts/{id}", p.staff(p.alertPage))
	mux.Handle("POST /staff/aml/alerts/{id}/action", p.staff(p.actOnAlert))
}

// alertPage is the data of an alert's page.
type alertPage struct {
	frame
	Alert    aml.Alert
	QueueURL string
	Form     *web.Form
	MaxNote  int
}

// Live reports whether the alert waits for an officer (and the form shows).
func (a alertPage) Live() bool { return a.Alert.Status.Live() }

// CanEscalate reports whether the alert may still be escalated.
func (a alertPage) CanEscalate() bool { return a.Alert.Status == aml.StatusOpen }

// OrderURL is the back-office page of an order in the evidence.
func (alertPage) OrderURL(id string) string { return Prefix + "orders/" + id }

// alertPage shows an alert with its evidence and the officer's form; the
// view is audited.
func (p *Pages) alertPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.showAlert(w, r, v, http.StatusOK, web.NewForm(nil))
}

// showAlert renders an alert's page for v.
func (p *Pages) showAlert(w http.ResponseWriter, r *http.Request, v *viewer, status int, form *web.Form) {
	var a aml.Alert
	err := p.cfg.DB.Write(r.Context(), func(tx *store.Tx) (err error) {
		a, err = p.cfg.AML.AlertForReview(tx, v.Staff, r.PathValue("id"))
		return err
	})
	if p.contestFailed(w, r, err) {
		return
	}
	page := alertPage{frame: newFrame(v, "home"), Alert: a, QueueURL: queueURL(AMLQueueKey), Form: form, MaxNote: aml.MaxNote}
	p.rd.Render(w, r, status, "staff/aml_alert", page)
}

// actOnAlert records an officer's action: escalate, close with no action
// or report, the latter two with a reason or reference.
func (p *Pages) actOnAlert(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	action := aml.Action(form.Get("action"))
	if !action.Valid() {
		form.AddError("action", "aml.alert.choose_action")
	}
	if action != aml.Escalate {
		form.Required("note")
	}
	form.MaxLength("note", aml.MaxNote)
	version, err := strconv.ParseInt(form.Get("version"), 10, 64)
	if err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	if !form.Valid() {
		p.showAlert(w, r, v, http.StatusUnprocessableEntity, form)
		return
	}
	id := r.PathValue("id")
	err = p.cfg.DB.Write(r.Context(), func(tx *store.Tx) error {
		_, err := p.cfg.AML.Act(tx, v.Staff, id, version, action, form.Get("note"))
		return err
	})
	switch apperr.Code(err) {
	case aml.CodeChanged:
		web.Flash(w, r, web.FlashWarning, "aml.alert.changed")
		web.Redirect(w, r, alertURL(id))
		return
	case apperr.NotAllowed:
		web.Flash(w, r, web.FlashWarning, "aml.alert.not_live")
		web.Redirect(w, r, alertURL(id))
		return
	}
	if p.contestFailed(w, r, err) {
		return
	}
	web.Flash(w, r, web.FlashSuccess, "aml.alert.recorded")
	web.Redirect(w, r, queueURL(AMLQueueKey))
}
