package backoffice

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/complaint"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// The staff side of consumer complaints (requirements B5-B7, package
// complaint): the queues of customer service (tier 1) and of the
// independent customer representative (tier 2) with their deadlines and
// missed ones; a complaint's page with its whole timeline (internal notes
// included), assignment, updates to the consumer, internal notes, the
// holding reply, the final answer and, for the representative, the final
// assessment; filing a complaint on a consumer's behalf; and the complaint
// register over a period, on the page and as CSV. Who may do what is
// complaint.MayHandle (tier 1) and complaint.MayReview (tier 2), checked
// here on every request and again by the service, which audits every read
// and every action.

// complaintsPath is the complaint queues' page.
const complaintsPath = Prefix + "complaints"

// Paths of the complaint pages that are not a complaint's own.
const (
	complaintNewPath      = complaintsPath + "/new"
	complaintRegisterPath = complaintsPath + "/register"
	complaintCSVPath      = complaintsPath + "/register.csv"
)

// maxOrderRef is the longest order id the filing form takes.
const maxOrderRef = 100

// dayLayout is how the register's period is written in its form.
const dayLayout = "2006-01-02"

// complaintURL is a complaint's page.
func complaintURL(id string) string { return complaintsPath + "/" + url.PathEscape(id) }

// SeesComplaints reports whether the signed-in member sees the complaint
// pages in the navigation.
func (f frame) SeesComplaints() bool { return f.may("GET " + complaintsPath) }

// FilesComplaints reports whether the signed-in member may file a
// complaint on a consumer's behalf.
func (f frame) FilesComplaints() bool { return complaint.MayHandle(f.Me.Role) }

// requireComplaints serves h to signed-in members whose role passes may,
// and answers 403 to the others.
func (p *Pages) requireComplaints(may func(account.Role) bool, h func(http.ResponseWriter, *http.Request, *viewer)) http.Handler {
	return p.staff(func(w http.ResponseWriter, r *http.Request, v *viewer) {
		if !may(v.Staff.Role) {
			p.rd.Error(w, r, http.StatusForbidden)
			return
		}
		h(w, r, v)
	})
}

// addComplaints serves the complaint pages.
func (p *Pages) addComplaints(mux *access.Router) {
	mux.Handle("GET "+complaintsPath, p.staff(p.complaintQueues))
	mux.Handle("POST "+complaintsPath, p.staff(p.fileComplaint))
	mux.Handle("GET "+complaintNewPath, p.staff(p.newComplaint))
	mux.Handle("GET "+complaintRegisterPath, p.staff(p.complaintRegister))
	mux.Handle("GET "+complaintCSVPath, p.staff(p.complaintRegisterCSV))
	mux.Handle("GET "+complaintsPath+"/{id}", p.staff(p.complaintPage))
	mux.Handle("POST "+complaintsPath+"/{id}/assign", p.staff(p.assignComplaint))
	mux.Handle("POST "+complaintsPath+"/{id}/update", p.staff(p.complaintUpdate))
	mux.Handle("POST "+complaintsPath+"/{id}/note", p.staff(p.complaintNote))
	mux.Handle("POST "+complaintsPath+"/{id}/holding-reply", p.staff(p.holdingReply))
	mux.Handle("POST "+complaintsPath+"/{id}/final-answer", p.staff(p.finalAnswer))
	mux.Handle("POST "+complaintsPath+"/{id}/assessment", p.staff(p.assessComplaint))
}

// complaintBadge is the badge colour of a complaint's status.
func complaintBadge(s complaint.Status) string {
	switch s {
	case complaint.Answered:
		return "success"
	case complaint.InReview:
		return "warning"
	case complaint.Closed:
		return ""
	}
	return "info"
}

// complaintRow is a complaint in a queue.
type complaintRow struct {
	complaint.Complaint
	URL   string
	Badge string
}

// complaintQueuesPage is the data of the queues' page: the tier 1 queue
// for customer service, the tier 2 queue for the representative, both for
// admins.
type complaintQueuesPage struct {
	frame
	ShowTier1, ShowTier2 bool
	Tier1, Tier2         []complaintRow
}

// complaintQueues lists the complaints the member's role handles, the
// nearest deadline first, with the deadlines missed.
func (p *Pages) complaintQueues(w http.ResponseWriter, r *http.Request, v *viewer) {
	list, err := p.cfg.Complaints.Queue(r.Context(), v.Staff)
	if p.complaintError(w, r, "complaint queue", err) {
		return
	}
	page := complaintQueuesPage{frame: newFrame(v, "complaints"), Tier1: []complaintRow{}, Tier2: []complaintRow{},
		ShowTier1: complaint.MayHandle(v.Staff.Role), ShowTier2: complaint.MayReview(v.Staff.Role)}
	for _, c := range list {
		row := complaintRow{Complaint: c, URL: complaintURL(c.ID), Badge: complaintBadge(c.Status)}
		if c.Tier == 2 {
			page.Tier2 = append(page.Tier2, row)
		} else {
			page.Tier1 = append(page.Tier1, row)
		}
	}
	p.rd.Render(w, r, http.StatusOK, "staff/complaints", page)
}

// complaintError answers a complaint service error that the caller does
// not handle itself: 403, 404, 400 or 500; it reports whether it answered.
func (p *Pages) complaintError(w http.ResponseWriter, r *http.Request, what string, err error) bool {
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

// formView is a page's form with helpers building the complaint pages'
// fields (see _complaint.html).
type formView struct {
	Form *web.Form
}

// choiceField is what the staff.complaint_choices partial renders: a
// select, a radio group or a checkbox group with its error.
type choiceField struct {
	Name, ID, Label string
	// Kind is "select", "radio" or "checkbox".
	Kind    string
	Options []option
	Error   *web.Message
}

// textField is what the staff.complaint_textarea partial renders.
type textField struct {
	Name, ID, Label, Hint, Value string
	Required                     bool
	Error                        *web.Message
}

// Choices builds a choice field of kind over opts for the form's field.
func (f formView) Choices(kind, name, label string, opts []option) choiceField {
	return choiceField{Name: name, ID: web.FieldID(name), Label: label, Kind: kind, Options: opts, Error: f.Form.Error(name)}
}

// Text builds a text area for the form's field.
func (f formView) Text(name, label, hint string, required bool) textField {
	return textField{Name: name, ID: web.FieldID(name), Label: label, Hint: hint, Value: f.Form.Get(name), Required: required, Error: f.Form.Error(name)}
}

// newComplaintPage is the data of the form filing a complaint for a
// consumer.
type newComplaintPage struct {
	frame
	formView
	Channels   []option
	Categories []option
	MaxSubject int
	MaxText    int
}

// newComplaint shows the form filing a complaint on a consumer's behalf.
func (p *Pages) newComplaint(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.showNewComplaint(w, r, v, http.StatusOK, web.NewForm(nil))
}

func (p *Pages) showNewComplaint(w http.ResponseWriter, r *http.Request, v *viewer, status int, form *web.Form) {
	page := newComplaintPage{frame: newFrame(v, "complaints"), formView: formView{form}, MaxSubject: complaint.MaxSubject, MaxText: complaint.MaxText}
	for _, ch := range complaint.StaffChannels {
		page.Channels = append(page.Channels, option{Value: string(ch), Key: "complaint.channel." + string(ch), Selected: form.Get("channel") == string(ch)})
	}
	page.Categories = categoryOptions(form.Get("category"))
	p.rd.Render(w, r, status, "staff/complaint_new", page)
}

// categoryOptions are the complaint categories, selected the one chosen.
func categoryOptions(chosen string) []option {
	out := make([]option, 0, len(complaint.Categories))
	for _, c := range complaint.Categories {
		out = append(out, option{Value: string(c), Key: "complaint.category." + string(c), Selected: chosen == string(c)})
	}
	return out
}

// fileComplaint files a complaint for the consumer with the e-mail address,
// as they made it by phone, e-mail, chat or letter. Missing or unknown
// choices, an unknown consumer, an order that is not theirs and text too
// long are shown again (422), writing nothing.
func (p *Pages) fileComplaint(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	form.Required("email")
	form.Email("email")
	form.MaxLength("email", maxEmail)
	channel := complaint.Channel(form.Get("channel"))
	if form.Get("channel") == "" {
		form.AddError("channel", "form.required")
	} else if !slices.Contains(complaint.StaffChannels, channel) {
		form.AddError("channel", "form.invalid_choice")
	}
	category := complaint.Category(form.Get("category"))
	if form.Get("category") == "" {
		form.AddError("category", "form.required")
	} else if !slices.Contains(complaint.Categories, category) {
		form.AddError("category", "form.invalid_choice")
	}
	form.MaxLength("order", maxOrderRef)
	form.MaxLength("subject", complaint.MaxSubject)
	form.Required("text")
	form.MaxLength("text", complaint.MaxText)
	if !form.Valid() {
		p.showNewComplaint(w, r, v, http.StatusUnprocessableEntity, form)
		return
	}
	c, err := p.cfg.Complaints.FileForConsumer(r.Context(), v.Staff, form.Get("email"), channel, complaint.Filing{
		Category: category, OrderID: form.Get("order"), Subject: form.Get("subject"), Text: form.Get("text"),
	})
	switch code := apperr.Code(err); {
	case err == nil:
	case code == apperr.NotFound && form.Get("order") != "":
		// Either the address or the order is unknown to this consumer.
		form.AddError("order", "staffcomplaint.new.no_consumer_order")
	case code == apperr.NotFound:
		form.AddError("email", "staffcomplaint.new.no_consumer")
	default:
		p.complaintError(w, r, "file complaint", err)
		return
	}
	if !form.Valid() {
		p.showNewComplaint(w, r, v, http.StatusUnprocessableEntity, form)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "staffcomplaint.new.filed", "reference", c.Reference)
	web.Redirect(w, r, complaintURL(c.ID))
}

// staffEvent is a timeline entry as staff see it.
type staffEvent struct {
	complaint.Event
	Party coded
	Kind  coded
}

// member is a member of staff a complaint can be assigned to.
type member struct {
	ID       string
	Name     string
	Selected bool
}

// complaintPageData is the data of a complaint's page.
type complaintPageData struct {
	frame
	View     complaint.View
	Badge    string
	Timeline []staffEvent
	// OrderURL is the order's page, empty when there is no order or the
	// viewer may not open it.
	OrderURL string
	// CanWork is whether the viewer works the complaint's tier while it is
	// live (assign, update, note); Members are whom it can be assigned to.
	CanWork bool
	Members []member
	// CanHold, CanAnswer and CanAssess show the holding reply, the final
	// answer and the final assessment.
	CanHold   bool
	CanAnswer bool
	CanAssess bool
	Outcomes  []option
	Causes    []option
	// Problem is the catalog key of why the last form was not taken.
	Problem string
	formView
	MaxText int
}

// complaintPage shows a complaint; the service audits the read.
func (p *Pages) complaintPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.renderComplaint(w, r, v, http.StatusOK, web.NewForm(nil), "")
}

// renderComplaint renders a complaint's page for v with form (empty, or as
// submitted with its errors) and, when problem is set, why the last form
// was not taken.
func (p *Pages) renderComplaint(w http.ResponseWriter, r *http.Request, v *viewer, status int, form *web.Form, problem string) {
	view, err := p.cfg.Complaints.StaffView(r.Context(), v.Staff, r.PathValue("id"))
	if p.complaintError(w, r, "read complaint", err) {
		return
	}
	c := view.Complaint
	role := v.Staff.Role
	works := complaint.MayHandle
	if c.Tier == 2 {
		works = complaint.MayReview
	}
	live := c.Status == complaint.Open || c.Status == complaint.InReview
	page := complaintPageData{
		frame: newFrame(v, "complaints"), View: view, Badge: complaintBadge(c.Status), Timeline: make([]staffEvent, 0, len(view.Timeline)),
		CanWork:   live && works(role),
		CanHold:   c.Tier == 1 && c.Status == complaint.Open && c.Category.PaymentService() && c.HoldingReplyAt == nil && complaint.MayHandle(role),
		CanAnswer: c.Tier == 1 && c.Status == complaint.Open && complaint.MayHandle(role),
		CanAssess: c.Status == complaint.InReview && complaint.MayReview(role),
		Problem:   problem, formView: formView{form}, MaxText: complaint.MaxText,
	}
	for _, e := range view.Timeline {
		page.Timeline = append(page.Timeline, staffEvent{Event: e, Party: codedAs("staffcomplaint.party.", e.Party), Kind: codedAs("staffcomplaint.event.", e.Kind)})
	}
	if c.OrderID != "" && access.Allows(orderPagePattern, access.StaffMember(role)) {
		page.OrderURL = Prefix + "orders/" + url.PathEscape(c.OrderID)
	}
	if page.CanWork {
		staff, err := p.cfg.Accounts.ListStaff(r.Context())
		if err != nil {
			p.fail(w, r, "list staff", err)
			return
		}
		chosen := form.Get("owner")
		if chosen == "" {
			chosen = v.Staff.ID
		}
		for _, st := range staff {
			if st.DisabledAt == nil && works(st.Role) {
				page.Members = append(page.Members, member{ID: st.ID, Name: st.Name, Selected: st.ID == chosen})
			}
		}
	}
	for _, o := range complaint.Outcomes {
		page.Outcomes = append(page.Outcomes, option{Value: string(o), Key: "complaint.outcome." + string(o), Selected: form.Get("outcome") == string(o)})
	}
	for _, rc := range complaint.RootCauses {
		page.Causes = append(page.Causes, option{Value: rc, Key: "complaint.cause." + rc, Selected: form.Has("causes", rc)})
	}
	p.rd.Render(w, r, status, "staff/complaint", page)
}

// complaintForm parses a posted form on a complaint with its version, or
// answers 400 and reports false.
func (p *Pages) complaintForm(w http.ResponseWriter, r *http.Request) (*web.Form, int64, bool) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return nil, 0, false
	}
	form := web.NewForm(r.PostForm)
	version, err := strconv.ParseInt(form.Get("version"), 10, 64)
	if err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return nil, 0, false
	}
	return form, version, true
}

// afterComplaintAction answers the outcome of a staff action on a
// complaint: its page with a flash notice on success; the page again with
// why (409) when the complaint changed meanwhile or no longer takes the
// action; 403, 404, 400 or 500 otherwise. Nothing is written unless it
// succeeded.
func (p *Pages) afterComplaintAction(w http.ResponseWriter, r *http.Request, v *viewer, form *web.Form, err error, done string, args ...any) {
	if err == nil {
		web.Flash(w, r, web.FlashSuccess, done, args...)
		web.Redirect(w, r, complaintURL(r.PathValue("id")))
		return
	}
	if key := refusalKey(err); key != "" {
		p.renderComplaint(w, r, v, http.StatusConflict, form, key)
		return
	}
	p.complaintError(w, r, "complaint action", err)
}

// refusalKey is the catalog key telling staff why their action on a
// complaint was refused: it changed since the page was shown, or is not in
// a state that takes the action (such as a second holding reply); "" for
// any other error.
func refusalKey(err error) string {
	switch apperr.Code(err) {
	case complaint.CodeChanged:
		return "staffcomplaint.changed"
	case complaint.CodeWrongState, apperr.NotAllowed:
		return "staffcomplaint.wrong_state"
	}
	if errors.Is(err, store.ErrConflict) {
		return "staffcomplaint.changed"
	}
	return ""
}

// assignComplaint makes the chosen member (the viewer by default) the
// complaint's owner.
func (p *Pages) assignComplaint(w http.ResponseWriter, r *http.Request, v *viewer) {
	form, version, ok := p.complaintForm(w, r)
	if !ok {
		return
	}
	owner := form.Get("owner")
	if owner == v.Staff.ID {
		owner = ""
	}
	c, err := p.cfg.Complaints.Assign(r.Context(), v.Staff, r.PathValue("id"), version, owner)
	p.afterComplaintAction(w, r, v, form, err, "staffcomplaint.assign.done", "name", c.OwnerName)
}

// complaintUpdate sends the consumer an update.
func (p *Pages) complaintUpdate(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.writeToComplaint(w, r, v, "update", false, "staffcomplaint.update.done")
}

// complaintNote records an internal note only staff see.
func (p *Pages) complaintNote(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.writeToComplaint(w, r, v, "note", true, "staffcomplaint.note.done")
}

// writeToComplaint adds the text of field to the complaint's timeline, for
// the consumer or, internal, for staff only. An empty or too long text is
// shown again (422), writing nothing.
func (p *Pages) writeToComplaint(w http.ResponseWriter, r *http.Request, v *viewer, field string, internal bool, done string) {
	form, version, ok := p.complaintForm(w, r)
	if !ok {
		return
	}
	form.Required(field)
	form.MaxLength(field, complaint.MaxText)
	if !form.Valid() {
		p.renderComplaint(w, r, v, http.StatusUnprocessableEntity, form, "")
		return
	}
	_, err := p.cfg.Complaints.Update(r.Context(), v.Staff, r.PathValue("id"), version, form.Get(field), internal)
	p.afterComplaintAction(w, r, v, form, err, done)
}

// holdingReply tells the consumer why the final answer needs more time.
func (p *Pages) holdingReply(w http.ResponseWriter, r *http.Request, v *viewer) {
	form, version, ok := p.complaintForm(w, r)
	if !ok {
		return
	}
	form.Required("reasons")
	form.MaxLength("reasons", complaint.MaxText)
	if !form.Valid() {
		p.renderComplaint(w, r, v, http.StatusUnprocessableEntity, form, "")
		return
	}
	_, err := p.cfg.Complaints.HoldingReply(r.Context(), v.Staff, r.PathValue("id"), version, form.Get("reasons"))
	p.afterComplaintAction(w, r, v, form, err, "staffcomplaint.holding.done")
}

// answerFrom checks the answer fields of form (outcome, root causes, text,
// remedy) and returns the answer.
func answerFrom(form *web.Form) complaint.Answer {
	outcome := complaint.Outcome(form.Get("outcome"))
	if !slices.Contains(complaint.Outcomes, outcome) {
		form.AddError("outcome", "staffcomplaint.answer.choose_outcome")
	}
	causes := form.Values["causes"]
	if len(causes) == 0 {
		form.AddError("causes", "staffcomplaint.answer.choose_cause")
	}
	for _, c := range causes {
		if !slices.Contains(complaint.RootCauses, c) {
			form.AddError("causes", "form.invalid_choice")
		}
	}
	form.Required("answer")
	form.MaxLength("answer", complaint.MaxText)
	form.MaxLength("remedy", complaint.MaxText)
	return complaint.Answer{Outcome: outcome, Text: form.Get("answer"), RootCauses: causes, Remedy: form.Get("remedy")}
}

// finalAnswer gives customer service's final answer (tier 1).
func (p *Pages) finalAnswer(w http.ResponseWriter, r *http.Request, v *viewer) {
	form, version, ok := p.complaintForm(w, r)
	if !ok {
		return
	}
	a := answerFrom(form)
	if !form.Valid() {
		p.renderComplaint(w, r, v, http.StatusUnprocessableEntity, form, "")
		return
	}
	_, err := p.cfg.Complaints.FinalAnswer(r.Context(), v.Staff, r.PathValue("id"), version, a, form.Get("first_contact") == "yes")
	p.afterComplaintAction(w, r, v, form, err, "staffcomplaint.answer.done")
}

// assessComplaint gives the representative's final assessment (tier 2).
func (p *Pages) assessComplaint(w http.ResponseWriter, r *http.Request, v *viewer) {
	form, version, ok := p.complaintForm(w, r)
	if !ok {
		return
	}
	a := answerFrom(form)
	if !form.Valid() {
		p.renderComplaint(w, r, v, http.StatusUnprocessableEntity, form, "")
		return
	}
	_, err := p.cfg.Complaints.Assess(r.Context(), v.Staff, r.PathValue("id"), version, a)
	p.afterComplaintAction(w, r, v, form, err, "staffcomplaint.assess.done")
}

// causeCount is a root cause in the register with how many complaints
// were closed with it.
type causeCount struct {
	Key   string
	Count int
}

// registerPage is the data of the complaint register's page.
type registerPage struct {
	frame
	Form   *web.Form
	Report *complaint.Report
	Causes []causeCount
	// Last is the period's last day; CSVURL the same report as CSV.
	Last   time.Time
	CSVURL string
}

// registerPeriod reads the period of form (from and to, both days
// included); the current month so far when neither is given.
func (p *Pages) registerPeriod(form *web.Form) complaint.Period {
	now := p.cfg.DB.Clock.Now().UTC()
	if form.Get("from") == "" && form.Get("to") == "" {
		form.Values.Set("from", time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).Format(dayLayout))
		form.Values.Set("to", now.Format(dayLayout))
	}
	from, err := time.Parse(dayLayout, form.Get("from"))
	if err != nil {
		form.AddError("from", "staffcomplaint.register.bad_date")
	}
	to, err := time.Parse(dayLayout, form.Get("to"))
	if err != nil {
		form.AddError("to", "staffcomplaint.register.bad_date")
	}
	if form.Valid() && to.Before(from) {
		form.AddError("to", "staffcomplaint.register.to_before_from")
	}
	return complaint.Period{From: from, To: to.AddDate(0, 0, 1)}
}

// complaintRegister shows the register for a period: the complaints filed
// per category, tier and outcome, how long answers took, the deadlines
// missed, the first-contact resolutions and the root causes.
func (p *Pages) complaintRegister(w http.ResponseWriter, r *http.Request, v *viewer) {
	form := web.NewForm(r.URL.Query())
	period := p.registerPeriod(form)
	page := registerPage{frame: newFrame(v, "complaints"), Form: form}
	status := http.StatusOK
	if form.Valid() {
		rep, err := p.cfg.Complaints.RegisterReport(r.Context(), v.Staff, period)
		if p.complaintError(w, r, "complaint register", err) {
			return
		}
		page.Report, page.Last = &rep, period.To.AddDate(0, 0, -1)
		page.CSVURL = complaintCSVPath + "?" + url.Values{"from": {form.Get("from")}, "to": {form.Get("to")}}.Encode()
		for _, rc := range complaint.RootCauses {
			if n := rep.RootCauses[rc]; n > 0 {
				page.Causes = append(page.Causes, causeCount{Key: "complaint.cause." + rc, Count: n})
			}
		}
	} else {
		status = http.StatusUnprocessableEntity
	}
	p.rd.Render(w, r, status, "staff/complaint_register", page)
}

// complaintRegisterCSV sends the register for a period as a CSV file; a
// malformed period answers 400.
func (p *Pages) complaintRegisterCSV(w http.ResponseWriter, r *http.Request, v *viewer) {
	form := web.NewForm(r.URL.Query())
	period := p.registerPeriod(form)
	if !form.Valid() {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	rep, err := p.cfg.Complaints.RegisterReport(r.Context(), v.Staff, period)
	if p.complaintError(w, r, "complaint register", err) {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "complaints-"+form.Get("from")+"-"+form.Get("to")+".csv"))
	h.Set("Cache-Control", "no-store")
	if err := rep.WriteCSV(w); err != nil {
		p.log.Warn("backoffice: send complaint register", "err", err)
	}
}
