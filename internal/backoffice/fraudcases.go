package backoffice

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/fraudcase"
	"github.com/tillit/tillit/internal/web"
)

// FraudCaseQueueKey is the key of the security analysts' queue of open
// fraud investigations (requirement T7), oldest first. Package fraudcase
// audits every action on a case, and every view and export of one.
const FraudCaseQueueKey = "fraud_cases"

// fraudCaseURL is a case's page.
func fraudCaseURL(id string) string { return Prefix + "fraud-cases/" + id }

// newFraudCasePath is the page where staff open a case for a caller.
const newFraudCasePath = Prefix + "fraud-cases/new"

// OpensFraudCases reports whether the signed-in member may open a fraud
// case for a caller (the navigation links to the page).
func (f frame) OpensFraudCases() bool { return fraudcase.MayOpen(f.Me.Role) }

// addFraudCases adds the queue of fraud cases and serves the case pages,
// their actions and exports, and the page opening a case for a caller.
func (p *Pages) addFraudCases(mux *access.Router) {
	svc := p.cfg.FraudCases
	p.AddQueue(Queue{
		Key: FraudCaseQueueKey, Title: "fraudcase.queue.title", Roles: access.StaffRoles("GET /staff/fraud-cases/{id}"),
		Count: svc.CountOpen,
		List: func(ctx context.Context, limit int) ([]QueueItem, error) {
			cs, err := svc.List(ctx, limit)
			if err != nil {
				return nil, err
			}
			out := make([]QueueItem, 0, len(cs))
			for _, c := range cs {
				out = append(out, QueueItem{ID: c.ID, Label: c.Reference, Context: c.MerchantName, State: "fraudcase.channel." + string(c.Channel),
					Amount: c.Amount, Currency: c.Currency, Since: c.OpenedAt})
			}
			return out, nil
		},
		ItemURL: func(it QueueItem) string { return fraudCaseURL(it.ID) },
	})
	mux.Handle("GET "+newFraudCasePath, p.staff(p.newFraudCase))
	mux.Handle("POST "+Prefix+"fraud-cases", p.staff(p.openFraudCase))
	mux.Handle("GET "+Prefix+"fraud-cases/{id}", p.staff(p.fraudCasePage))
	mux.Handle("POST "+Prefix+"fraud-cases/{id}/note", p.staff(p.fraudCaseAction(actNote)))
	mux.Handle("POST "+Prefix+"fraud-cases/{id}/ask", p.staff(p.fraudCaseAction(actAsk)))
	mux.Handle("POST "+Prefix+"fraud-cases/{id}/close", p.staff(p.fraudCaseAction(actClose)))
	mux.Handle("GET "+Prefix+"fraud-cases/{id}/export.json", p.staff(p.fraudCaseJSON))
	mux.Handle("GET "+Prefix+"fraud-cases/{id}/export", p.staff(p.fraudCasePrint))
}

// newFraudCasePage is the data of the page opening a case.
type newFraudCasePage struct {
	frame
	Form         *web.Form
	MaxReason    int
	MaxStatement int
}

// newFraudCase shows the form opening a case on behalf of a caller.
func (p *Pages) newFraudCase(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.showNewFraudCase(w, r, v, http.StatusOK, web.NewForm(nil))
}

func (p *Pages) showNewFraudCase(w http.ResponseWriter, r *http.Request, v *viewer, status int, form *web.Form) {
	p.rd.Render(w, r, status, "staff/fraud_case_new", newFraudCasePage{frame: newFrame(v, "fraud_case_new"), Form: form,
		MaxReason: fraudcase.MaxReason, MaxStatement: fraudcase.MaxStatement})
}

// openFraudCase opens a case for a caller: the order's reference, the
// member's reason and what the caller said. A missing or unknown order, a
// missing reason or text too long is shown again (422), writing nothing.
func (p *Pages) openFraudCase(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	form.Required("order", "reason")
	form.MaxLength("order", 100)
	form.MaxLength("reason", fraudcase.MaxReason)
	form.MaxLength("statement", fraudcase.MaxStatement)
	if !form.Valid() {
		p.showNewFraudCase(w, r, v, http.StatusUnprocessableEntity, form)
		return
	}
	c, err := p.cfg.FraudCases.OpenByStaff(r.Context(), v.Staff, form.Get("order"), form.Get("reason"), form.Get("statement"))
	switch apperr.Code(err) {
	case apperr.NotFound:
		form.AddError("order", "fraudcase.new.no_order")
	case fraudcase.CodeAlreadyOpen:
		form.AddError("order", "fraudcase.new.already_open")
	case apperr.NotAllowed:
		form.AddError("order", "fraudcase.new.no_person")
	case apperr.BadValue:
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	case apperr.Forbidden:
		p.rd.Error(w, r, http.StatusForbidden)
		return
	default:
		if err != nil {
			p.fail(w, r, "open fraud case", err)
			return
		}
	}
	if !form.Valid() {
		p.showNewFraudCase(w, r, v, http.StatusUnprocessableEntity, form)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "fraudcase.new.opened", "reference", c.Reference)
	if fraudcase.MayWork(v.Staff.Role) {
		web.Redirect(w, r, fraudCaseURL(c.ID))
		return
	}
	web.Redirect(w, r, Prefix)
}

// fraudCasePageData is the data of a case's page.
type fraudCasePageData struct {
	frame
	File     fraudcase.File
	Status   coded
	Outcome  coded
	Channel  coded
	Timeline []timelineRow
	Records  []fraudRecordRow
	Review   *fraudReviewRow
	// Forms of the actions; the one that failed carries its errors.
	NoteForm, AskForm, CloseForm *web.Form
	MaxReason, MaxText           int
	// Live is whether the case is not closed (the action forms show).
	Live bool
}

// timelineRow is an event on the case's page.
type timelineRow struct {
	fraudcase.Event
	KindKey string
	RoleKey string
	Outcome coded
}

// fraudRecordRow is an automated decision record among the signals.
type fraudRecordRow struct {
	fraudcase.DecisionSignal
	Outcome coded
	Reasons []coded
}

// ScorePercent is the fraud score in percent.
func (r fraudRecordRow) ScorePercent() string { return strconv.FormatFloat(100*r.Score, 'f', 1, 64) }

// fraudReviewRow is the order's post-approval review among the signals.
type fraudReviewRow struct {
	fraudcase.ReviewSignal
	Status  coded
	Answer  coded
	Signals []coded
}

// fraudCasePage shows a case; the view is audited by package fraudcase.
func (p *Pages) fraudCasePage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.showFraudCase(w, r, v, http.StatusOK, "", nil)
}

// showFraudCase renders a case's page; failed names the action whose form
// is shown again with its errors.
func (p *Pages) showFraudCase(w http.ResponseWriter, r *http.Request, v *viewer, status int, failed string, form *web.Form) {
	f, err := p.cfg.FraudCases.Get(r.Context(), v.Staff, r.PathValue("id"))
	if !p.caseReadable(w, r, err) {
		return
	}
	page := fraudCasePageData{
		frame: newFrame(v, "home"), File: f, Live: f.Case.Status.Live(),
		Status: codedAs("fraudcase.status.", string(f.Case.Status)), Channel: codedAs("fraudcase.channel.", string(f.Case.Channel)),
		NoteForm: web.NewForm(nil), AskForm: web.NewForm(nil), CloseForm: web.NewForm(nil),
		MaxReason: fraudcase.MaxReason, MaxText: fraudcase.MaxText,
	}
	if f.Case.Outcome != "" {
		page.Outcome = codedAs("fraudcase.outcome.", string(f.Case.Outcome))
	}
	switch failed {
	case actNote:
		page.NoteForm = form
	case actAsk:
		page.AskForm = form
	case actClose:
		page.CloseForm = form
	}
	page.Timeline, page.Records, page.Review = caseRows(f)
	p.rd.Render(w, r, status, "staff/fraud_case", page)
}

// caseRows explains a file's timeline and signals with catalog keys.
func caseRows(f fraudcase.File) ([]timelineRow, []fraudRecordRow, *fraudReviewRow) {
	timeline := make([]timelineRow, 0, len(f.Timeline))
	for _, e := range f.Timeline {
		row := timelineRow{Event: e, KindKey: "fraudcase.event." + string(e.Kind), RoleKey: actorRoleKey(e.Role)}
		if e.Outcome != "" {
			row.Outcome = codedAs("fraudcase.outcome.", string(e.Outcome))
		}
		timeline = append(timeline, row)
	}
	records := make([]fraudRecordRow, 0, len(f.Signals.Decisions))
	for _, d := range f.Signals.Decisions {
		row := fraudRecordRow{DecisionSignal: d, Outcome: codedAs("staff.fraud_status.", d.Outcome), Reasons: []coded{}}
		for _, reason := range d.Reasons {
			row.Reasons = append(row.Reasons, codedAs("staff.reason.", reason))
		}
		records = append(records, row)
	}
	var review *fraudReviewRow
	if rv := f.Signals.Review; rv != nil {
		review = &fraudReviewRow{ReviewSignal: *rv, Status: codedAs("riskreview.status.", rv.Status), Signals: []coded{}}
		if rv.Answer != "" {
			review.Answer = codedAs("riskreview.answer.", rv.Answer)
		}
		for _, m := range rv.Signals {
			review.Signals = append(review.Signals, codedAs("riskreview.signal.", m.Kind))
		}
	}
	return timeline, records, review
}

// actorRoleKey is the catalog key naming an actor's role on the timeline.
func actorRoleKey(role string) string {
	switch role {
	case fraudcase.RoleConsumer, fraudcase.RoleMerchant, fraudcase.RoleSystem:
		return "fraudcase.role." + role
	}
	return "staff.role." + role
}

// caseReadable answers a failed read of a case (404, 403, 500) and reports
// whether it succeeded.
func (p *Pages) caseReadable(w http.ResponseWriter, r *http.Request, err error) bool {
	switch apperr.Code(err) {
	case apperr.NotFound, apperr.NoSuchOrder:
		p.rd.Error(w, r, http.StatusNotFound)
	case apperr.Forbidden:
		p.rd.Error(w, r, http.StatusForbidden)
	case apperr.BadValue:
		p.rd.Error(w, r, http.StatusBadRequest)
	default:
		if err == nil {
			return true
		}
		p.fail(w, r, "read fraud case", err)
	}
	return false
}

// The analysts' actions on a case.
const (
	actNote  = "note"
	actAsk   = "ask"
	actClose = "close"
)

// fraudCaseAction serves one of the analysts' actions: each needs a reason
// and the case's version the analyst saw; a note and a question their
// text, closing an outcome. A form with errors is shown again (422),
// writing nothing.
func (p *Pages) fraudCaseAction(action string) func(http.ResponseWriter, *http.Request, *viewer) {
	return func(w http.ResponseWriter, r *http.Request, v *viewer) {
		if err := r.ParseForm(); err != nil {
			p.rd.Error(w, r, http.StatusBadRequest)
			return
		}
		form := web.NewForm(r.PostForm)
		ver, err := strconv.ParseInt(form.Get("version"), 10, 64)
		if err != nil {
			p.rd.Error(w, r, http.StatusBadRequest)
			return
		}
		// Each action's form has fields of its own (one page holds all
		// three): <action>_reason, <action>_text.
		reasonField, textField := action+"_reason", action+"_text"
		form.Required(reasonField)
		form.MaxLength(reasonField, fraudcase.MaxReason)
		switch action {
		case actNote, actAsk:
			form.Required(textField)
			form.MaxLength(textField, fraudcase.MaxText)
		case actClose:
			if !fraudcase.Outcome(form.Get("outcome")).Valid() {
				form.AddError("outcome", "fraudcase.case.choose_outcome")
			}
		}
		if !form.Valid() {
			p.showFraudCase(w, r, v, http.StatusUnprocessableEntity, action, form)
			return
		}
		id, svc, ctx := r.PathValue("id"), p.cfg.FraudCases, r.Context()
		flash := "fraudcase.case.done." + action
		switch action {
		case actNote:
			_, err = svc.AddNote(ctx, v.Staff, id, ver, form.Get(textField), form.Get(reasonField))
		case actAsk:
			_, err = svc.AskMerchant(ctx, v.Staff, id, ver, form.Get(textField), form.Get(reasonField))
		case actClose:
			outcome := fraudcase.Outcome(form.Get("outcome"))
			flash += "." + string(outcome)
			_, err = svc.Close(ctx, v.Staff, id, ver, outcome, form.Get(reasonField))
		}
		switch apperr.Code(err) {
		case fraudcase.CodeChanged:
			web.Flash(w, r, web.FlashWarning, "fraudcase.case.changed")
			web.Redirect(w, r, fraudCaseURL(id))
			return
		case apperr.NotAllowed:
			web.Flash(w, r, web.FlashWarning, "fraudcase.case.not_allowed")
			web.Redirect(w, r, fraudCaseURL(id))
			return
		case apperr.NotFound:
			p.rd.Error(w, r, http.StatusNotFound)
			return
		case apperr.Forbidden:
			p.rd.Error(w, r, http.StatusForbidden)
			return
		case apperr.BadValue:
			p.rd.Error(w, r, http.StatusBadRequest)
			return
		}
		if err != nil {
			p.fail(w, r, "act on fraud case", err)
			return
		}
		web.Flash(w, r, web.FlashSuccess, flash)
		if action == actClose {
			web.Redirect(w, r, queueURL(FraudCaseQueueKey))
			return
		}
		web.Redirect(w, r, fraudCaseURL(id))
	}
}

// fraudCaseJSON hands out the case file for a police report as JSON; the
// export is audited.
func (p *Pages) fraudCaseJSON(w http.ResponseWriter, r *http.Request, v *viewer) {
	x, err := p.cfg.FraudCases.Export(r.Context(), v.Staff, r.PathValue("id"), "json")
	if !p.caseReadable(w, r, err) {
		return
	}
	body, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		p.fail(w, r, "encode fraud case", err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", `attachment; filename="fraud-case-`+x.CaseID+`.json"`)
	_, _ = w.Write(append(body, '\n'))
}

// fraudCasePrintPage is the data of the printable case file.
type fraudCasePrintPage struct {
	frame
	Export   fraudcase.Export
	Status   coded
	Outcome  coded
	Timeline []timelineRow
	Records  []fraudRecordRow
	Review   *fraudReviewRow
}

// fraudCasePrint shows the case file for a police report as a printable
// page; the export is audited.
func (p *Pages) fraudCasePrint(w http.ResponseWriter, r *http.Request, v *viewer) {
	x, err := p.cfg.FraudCases.Export(r.Context(), v.Staff, r.PathValue("id"), "html")
	if !p.caseReadable(w, r, err) {
		return
	}
	f := fraudcase.File{Signals: x.Signals}
	for _, e := range x.Timeline {
		f.Timeline = append(f.Timeline, fraudcase.Event{At: e.At, Role: e.Role, Kind: fraudcase.EventKind(e.Action), Text: e.Text, Outcome: fraudcase.Outcome(e.Outcome)})
	}
	page := fraudCasePrintPage{frame: newFrame(v, "home"), Export: x, Status: codedAs("fraudcase.status.", x.Status)}
	if x.Outcome != "" {
		page.Outcome = codedAs("fraudcase.outcome.", x.Outcome)
	}
	page.Timeline, page.Records, page.Review = caseRows(f)
	p.rd.Render(w, r, http.StatusOK, "staff/fraud_case_print", page)
}
