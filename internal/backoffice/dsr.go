package backoffice

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/restriction"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// The data protection team's pages: the queue of data-subject requests
// (package dsr), a request's page where it is worked, and the form to record
// a request on a person's behalf. Only the data protection role (and admin,
// as everywhere) may open them; others get 403. Unlike the other pages,
// a request's page shows personal data (what the person wrote, how staff
// verified them), so opening it and downloading an answer's document are
// audited.

// DSRQueueKey is the key of the queue of data-subject requests.
const DSRQueueKey = "privacy_requests"

// Paths of the request pages.
const (
	dsrPrefix  = Prefix + "privacy-requests/"
	dsrNewPath = dsrPrefix + "new"
)

// dsrURL is a request's page.
func dsrURL(id string) string { return dsrPrefix + id }

// closedListLimit is how many answered requests the queue page lists.
const closedListLimit = 20

// dsrQueue is the queue of open data-subject requests.
func (p *Pages) dsrQueue() Queue {
	return Queue{
		Key:   DSRQueueKey,
		Title: "dsr.staff.queue",
		Roles: access.StaffRoles("GET " + dsrPrefix + "{id}"),
		Count: p.cfg.DSR.CountOpen,
		List: func(ctx context.Context, limit int) ([]QueueItem, error) {
			reqs, err := p.cfg.DSR.Queue(ctx, limit)
			if err != nil {
				return nil, err
			}
			out := make([]QueueItem, 0, len(reqs))
			for _, r := range reqs {
				out = append(out, QueueItem{ID: r.ID, Label: r.Reference, Since: r.ReceivedAt})
			}
			return out, nil
		},
		ItemURL: func(it QueueItem) string { return dsrURL(it.ID) },
	}
}

// addDSR adds the queue of data-subject requests and its pages. The queue
// has its own list page, more specific than the generic one, that shows
// each request's kind, status and deadline.
func (p *Pages) addDSR(mux *access.Router) {
	p.AddQueue(p.dsrQueue())
	mux.Handle("GET "+queueURL(DSRQueueKey), p.staff(p.dsrQueuePage))
	mux.Handle("GET "+dsrNewPath, p.staff(p.dsrNewPage))
	mux.Handle("POST "+dsrNewPath, p.staff(p.dsrFile))
	mux.Handle("GET "+dsrPrefix+"{id}", p.staff(p.dsrPage))
	mux.Handle("GET "+dsrPrefix+"{id}/document", p.staff(p.dsrDocument))
	mux.Handle("POST "+dsrPrefix+"{id}/{step}", p.staff(p.dsrStep))
	mux.Handle("POST "+dsrPrefix+"{id}/entries/{entry}/lift", p.staff(p.dsrLift))
}

// dsrRow is a request in a list.
type dsrRow struct {
	dsr.Request
	URL      string
	Overdue  bool
	DueSoon  bool
	DaysLeft int
}

// newDSRRow describes r as lists show it at now.
func (p *Pages) newDSRRow(r dsr.Request, now time.Time) dsrRow {
	return dsrRow{Request: r, URL: dsrURL(r.ID), Overdue: r.Overdue(now),
		DueSoon: r.DueWithin(now, p.cfg.DSR.RemindBefore()), DaysLeft: r.DaysLeft(now)}
}

// dsrQueueData is the data of the queue page.
type dsrQueueData struct {
	frame
	Open   []dsrRow
	Count  int
	Closed []dsrRow
}

// More reports whether more requests wait than the page lists.
func (d dsrQueueData) More() bool { return d.Count > len(d.Open) }

// dsrQueuePage lists the open requests, the most urgent first, and the
// latest answered ones.
func (p *Pages) dsrQueuePage(w http.ResponseWriter, r *http.Request, v *viewer) {
	n, err := p.cfg.DSR.CountOpen(r.Context())
	if err != nil {
		p.fail(w, r, "count requests", err)
		return
	}
	open, err := p.cfg.DSR.Queue(r.Context(), listLimit)
	if err != nil {
		p.fail(w, r, "list requests", err)
		return
	}
	closed, err := p.cfg.DSR.Closed(r.Context(), closedListLimit)
	if err != nil {
		p.fail(w, r, "list answered requests", err)
		return
	}
	now := p.cfg.DSR.Now()
	page := dsrQueueData{frame: newFrame(v, "home"), Count: max(n, len(open)), Open: []dsrRow{}, Closed: []dsrRow{}}
	for _, req := range open {
		page.Open = append(page.Open, p.newDSRRow(req, now))
	}
	for _, req := range closed {
		page.Closed = append(page.Closed, p.newDSRRow(req, now))
	}
	p.rd.Render(w, r, http.StatusOK, "staff/dsr_queue", page)
}

// option is a choice of a select.
type option struct {
	Value    string
	Key      string
	Selected bool
}

// dsrField is a text area or select of the request pages, as the
// "dsr.textarea" and "dsr.select" partials render it: labelled, with its
// hint, its error and what was submitted.
type dsrField struct {
	Form     *web.Form
	Name     string
	Label    string
	Hint     string
	Required bool
	// Empty is the text of a select's empty first choice; none when "".
	Empty   string
	Options []option
}

// newDSRField builds a field labelled and hinted by catalog keys (hintKey
// may be "") in the request's language.
func newDSRField(r *http.Request, form *web.Form, name, labelKey, hintKey string, required bool, hintArgs ...any) dsrField {
	lang := web.Lang(r)
	f := dsrField{Form: form, Name: name, Label: i18n.T(lang, labelKey), Required: required}
	if hintKey != "" {
		f.Hint = i18n.T(lang, hintKey, hintArgs...)
	}
	return f
}

// kindOptions, countryOptions and languageOptions are the choices of the
// filing form, with the submitted one selected.
func kindOptions(selected string) []option {
	var out []option
	for _, k := range dsr.Kinds() {
		out = append(out, option{Value: string(k), Key: k.NameKey(), Selected: selected == string(k)})
	}
	return out
}

func countryOptions(selected string) []option {
	var out []option
	for _, a := range dsr.Authorities() {
		out = append(out, option{Value: a.Country, Key: a.CountryKey(), Selected: selected == a.Country})
	}
	return out
}

func languageOptions(selected string) []option {
	var out []option
	for _, l := range i18n.Supported {
		out = append(out, option{Value: string(l), Key: "language." + string(l), Selected: selected == string(l)})
	}
	return out
}

// dsrNewData is the data of the filing form.
type dsrNewData struct {
	frame
	Form         *web.Form
	Kind         dsrField
	Scopes       []dsr.ScopeGroup
	Description  dsrField
	IdentityNote dsrField
	Country      dsrField
	Language     dsrField
	// MaxBackdateDays is how many days back the received date may go.
	MaxBackdateDays int
}

// dsrNewPage shows the form to record a request for a person.
func (p *Pages) dsrNewPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.showDSRNew(w, r, v, http.StatusOK, web.NewForm(nil))
}

// showDSRNew renders the filing form.
func (p *Pages) showDSRNew(w http.ResponseWriter, r *http.Request, v *viewer, status int, form *web.Form) {
	lang := form.Get("locale")
	if lang == "" {
		lang = string(web.Lang(r))
	}
	page := dsrNewData{
		frame: newFrame(v, "home"), Form: form,
		MaxBackdateDays: int(dsr.MaxBackdate.Hours() / 24), Scopes: dsr.ScopeGroups(),
		Kind:         newDSRField(r, form, "kind", "dsr.field.kind", "", true),
		Description:  newDSRField(r, form, "description", "dsr.field.description", "dsr.staff.new.description_hint", false, "max", dsr.MaxDescription),
		IdentityNote: newDSRField(r, form, "identity_note", "dsr.field.identity_note", "dsr.staff.new.identity_note_hint", true, "max", dsr.MaxIdentityNote),
		Country:      newDSRField(r, form, "country", "dsr.field.country", "dsr.staff.new.country_hint", false),
		Language:     newDSRField(r, form, "locale", "dsr.field.language", "dsr.staff.new.language_hint", true),
	}
	page.Kind.Empty, page.Kind.Options = i18n.T(web.Lang(r), "dsr.staff.new.choose_kind"), kindOptions(form.Get("kind"))
	page.Country.Empty, page.Country.Options = i18n.T(web.Lang(r), "dsr.country.other"), countryOptions(form.Get("country"))
	page.Language.Options = languageOptions(lang)
	p.rd.Render(w, r, status, "staff/dsr_new", page)
}

// dsrFile records a request a member of the data protection team took for
// a person whose identity they verified. An address Tillit does not know, a
// kind the person already has open, and every other mistake leave nothing
// written and show the form again with the problem by its field.
func (p *Pages) dsrFile(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	form.Required("email")
	form.Email("email")
	form.MaxLength("email", maxEmail)
	kind := dsr.Kind(form.Get("kind"))
	switch {
	case form.Get("kind") == "":
		form.AddError("kind", "form.required")
	case !kind.Valid():
		form.AddError("kind", "form.invalid_choice")
	case kind.NeedsDescription():
		form.Required("description")
	case kind.ScopeProblem(kind.ScopeFrom(form.Values)) != "":
		form.AddError(kind.ScopeField(), kind.ScopeProblem(kind.ScopeFrom(form.Values)))
	}
	form.MaxLength("description", dsr.MaxDescription)
	form.Required("identity_note")
	form.MaxLength("identity_note", dsr.MaxIdentityNote)
	var receivedOn time.Time
	if s := form.Get("received_on"); s != "" {
		day, err := time.Parse(time.DateOnly, s)
		if err != nil {
			form.AddError("received_on", "form.invalid_date")
		}
		receivedOn = day
	}
	if c := form.Get("country"); c != "" {
		if _, ok := dsr.AuthorityOf(c); !ok {
			form.AddError("country", "form.invalid_choice")
		}
	}
	lang, ok := i18n.Parse(form.Get("locale"))
	if !ok {
		form.AddError("locale", "form.invalid_choice")
	}
	if !form.Valid() {
		p.showDSRNew(w, r, v, http.StatusUnprocessableEntity, form)
		return
	}
	req, err := p.cfg.DSR.FileForPerson(r.Context(), v.actor(), dsr.StaffFiling{
		Email: form.Get("email"), Locale: lang, Kind: kind, Country: form.Get("country"),
		Description: form.Get("description"), IdentityNote: form.Get("identity_note"), ReceivedOn: receivedOn,
		Scope: kind.ScopeFrom(form.Values),
	})
	if err != nil {
		switch apperr.Code(err) {
		case dsr.CodeUnknownPerson:
			form.AddError("email", "dsr.staff.unknown_person")
		case dsr.CodeAlreadyOpen:
			form.AddError("kind", "dsr.staff.already_open")
		case apperr.NotAllowed:
			form.AddError("email", "dsr.staff.person_erased")
		case apperr.BadValue:
			// The form checked everything else, so the date is out of range.
			form.AddError("received_on", "dsr.staff.received_on_range", "days", int(dsr.MaxBackdate.Hours()/24))
		default:
			p.fail(w, r, "file request", err)
			return
		}
		p.showDSRNew(w, r, v, http.StatusUnprocessableEntity, form)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "dsr.staff.filed", "reference", req.Reference)
	web.Redirect(w, r, dsrURL(req.ID))
}

// dsrHistoryRow is a step of a request's history as the page shows it.
type dsrHistoryRow struct {
	dsr.Event
	// Moved reports a change of status.
	Moved bool
}

// scopeRow is what a restriction or objection named, as the page shows it.
type scopeRow struct {
	dsr.ScopeLine
	// LiftReason is why its entry was lifted, in the page's language.
	LiftReason string
}

// dsrPageData is the data of a request's page.
type dsrPageData struct {
	frame
	Case dsrRow
	// IdentityNote is how staff verified the person, when they filed it.
	IdentityNote string
	History      []dsrHistoryRow
	Items        []string
	// Scope is what a restriction or objection named, with the entries it
	// led to.
	Scope     []scopeRow
	Authority dsr.Authority
	Others    []dsrRow
	// Steps are what may be done now, by name (dsr.Step).
	Steps map[string]bool
	// CountryKey names the person's country; "" when not known.
	CountryKey string
	Form       *web.Form
	// Problem explains why the last step was not taken, if it was not.
	Problem *web.Message
	// MaxExtension is the most months the deadline may be extended by.
	MaxExtension int
	// The fields of the step forms.
	ExtendReason  dsrField
	Done          dsrField
	NotDone       dsrField
	RefuseReasons dsrField
}

// ExtendChoices are the months the extension form offers: more than the
// request is extended by already.
func (d dsrPageData) ExtendChoices() []int {
	var out []int
	for m := d.Case.ExtensionMonths + 1; m <= d.MaxExtension; m++ {
		out = append(out, m)
	}
	return out
}

// CanAct reports whether any step may be taken.
func (d dsrPageData) CanAct() bool { return len(d.Steps) > 0 }

// dsrPage shows a request for the data protection team to work; the view is
// audited.
func (p *Pages) dsrPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.showDSR(w, r, v, http.StatusOK, web.NewForm(nil), nil)
}

// showDSR renders a request's page with the step forms (empty, or as
// submitted with their errors) and records in the audit log that v saw it.
func (p *Pages) showDSR(w http.ResponseWriter, r *http.Request, v *viewer, status int, form *web.Form, problem *web.Message) {
	c, err := p.cfg.DSR.Get(r.Context(), r.PathValue("id"))
	if apperr.Code(err) == apperr.NotFound {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		p.fail(w, r, "read request", err)
		return
	}
	note, err := p.cfg.DSR.IdentityNote(r.Context(), c.ID)
	if err != nil {
		p.fail(w, r, "read identity note", err)
		return
	}
	others, err := p.cfg.DSR.ForPerson(r.Context(), c.PersonID)
	if err != nil {
		p.fail(w, r, "read the person's requests", err)
		return
	}
	now := p.cfg.DSR.Now()
	lang := web.Lang(r)
	page := dsrPageData{
		frame: newFrame(v, "home"), Case: p.newDSRRow(c.Request, now), IdentityNote: note, Authority: p.cfg.DSR.AuthorityFor(c.Request),
		Steps: map[string]bool{}, Form: form, Problem: problem,
		MaxExtension: dsr.MaxExtensionMonths, History: []dsrHistoryRow{}, Items: []string{}, Others: []dsrRow{},
	}
	page.Case.Description = c.Description
	for _, l := range c.ScopeLines() {
		row := scopeRow{ScopeLine: l}
		if l.Entry != nil {
			row.LiftReason = dsr.Text(lang, l.Entry.LiftReason)
		}
		page.Scope = append(page.Scope, row)
	}
	if c.Country != "" {
		page.CountryKey = dsr.CountryKey(c.Country)
	}
	page.ExtendReason = newDSRField(r, form, "extend_reason", "dsr.field.extend_reason", "dsr.staff.extend_reason_hint", true)
	page.Done = newDSRField(r, form, "done", "dsr.field.done", "dsr.staff.done_hint", false)
	page.NotDone = newDSRField(r, form, "not_done", "dsr.field.not_done", "dsr.staff.not_done_hint", false)
	page.RefuseReasons = newDSRField(r, form, "refuse_reasons", "dsr.field.refuse_reasons", "dsr.staff.refuse_reasons_hint", true)
	for _, step := range p.cfg.DSR.Steps(c.Request, now) {
		page.Steps[string(step)] = true
	}
	for _, e := range c.Events {
		page.History = append(page.History, dsrHistoryRow{Event: e, Moved: e.From != e.To})
	}
	for _, it := range c.Outcome {
		key := "dsr.mail.item_done"
		if !it.Done {
			key = "dsr.mail.item_not_done"
		}
		page.Items = append(page.Items, i18n.T(lang, key, "text", dsr.ItemText(lang, it)))
	}
	for _, o := range others {
		if o.ID != c.ID {
			page.Others = append(page.Others, p.newDSRRow(o, now))
		}
	}
	err = p.cfg.DB.Write(r.Context(), func(tx *store.Tx) error {
		_, err := audit.Append(tx, v.actor(), dsr.AuditViewed, c.ID, map[string]string{"page": "privacy_request"})
		return err
	})
	if err != nil {
		p.fail(w, r, "audit request view", err)
		return
	}
	p.rd.Render(w, r, status, "staff/dsr_request", page)
}

// lines splits a text area into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// dsrStep takes a step on a request: start, extend, carry_out, complete or
// refuse, on the version of the request the form was shown with. A step the
// request no longer allows is refused with a notice and nothing written; a
// request changed meanwhile shows the page again, as it is now, with what
// was typed kept.
func (p *Pages) dsrStep(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	id, step := r.PathValue("id"), dsr.Step(r.PathValue("step"))
	version, err := strconv.ParseInt(form.Get("version"), 10, 64)
	if err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	var req dsr.Request
	switch step {
	case dsr.StepStart:
		req, err = p.cfg.DSR.Start(ctx, v.actor(), id, version)
	case dsr.StepExtend:
		months, convErr := strconv.Atoi(form.Get("months"))
		if convErr != nil || months < 1 || months > dsr.MaxExtensionMonths {
			form.AddError("months", "form.invalid_choice")
		}
		form.Required("extend_reason")
		form.MaxLength("extend_reason", dsr.MaxReason)
		if !form.Valid() {
			p.showDSR(w, r, v, http.StatusUnprocessableEntity, form, nil)
			return
		}
		req, err = p.cfg.DSR.Extend(ctx, v.actor(), id, version, months, form.Get("extend_reason"))
		if apperr.Code(err) == apperr.BadValue {
			form.AddError("months", "form.invalid_choice")
			p.showDSR(w, r, v, http.StatusUnprocessableEntity, form, nil)
			return
		}
	case dsr.StepCarryOut:
		req, err = p.cfg.DSR.CarryOut(ctx, v.actor(), id, version)
	case dsr.StepComplete:
		done, notDone := lines(form.Get("done")), lines(form.Get("not_done"))
		if len(done)+len(notDone) == 0 {
			form.AddError("done", "dsr.staff.answer_needed")
		}
		checkLines(form, "done", done)
		checkLines(form, "not_done", notDone)
		if !form.Valid() {
			p.showDSR(w, r, v, http.StatusUnprocessableEntity, form, nil)
			return
		}
		req, err = p.cfg.DSR.Complete(ctx, v.actor(), id, version, dsr.Answer{Done: done, NotDone: notDone})
	case dsr.StepRefuse:
		reasons := lines(form.Get("refuse_reasons"))
		if len(reasons) == 0 {
			form.AddError("refuse_reasons", "form.required")
		}
		checkLines(form, "refuse_reasons", reasons)
		if !form.Valid() {
			p.showDSR(w, r, v, http.StatusUnprocessableEntity, form, nil)
			return
		}
		req, err = p.cfg.DSR.Refuse(ctx, v.actor(), id, version, reasons)
	default:
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		switch apperr.Code(err) {
		case apperr.NotFound:
			p.rd.Error(w, r, http.StatusNotFound)
		case dsr.CodeChanged:
			p.showDSR(w, r, v, http.StatusConflict, form, &web.Message{Key: "dsr.staff.changed"})
		case apperr.NotAllowed:
			p.showDSR(w, r, v, http.StatusConflict, form, &web.Message{Key: "dsr.staff.not_allowed." + string(step)})
		default:
			p.fail(w, r, "request step "+string(step), err)
		}
		return
	}
	web.Flash(w, r, web.FlashSuccess, "dsr.staff.done."+string(step), "reference", req.Reference)
	web.Redirect(w, r, dsrURL(req.ID))
}

// liftField is the form field of the reason for lifting an entry.
func liftField(entryID string) string { return "lift_" + entryID }

// dsrLift lifts a restriction or objection a request asked for, telling
// the person why (dsr.Service.Lift). Without a reason, or for an entry
// already lifted, the page shows again with the problem and nothing
// changes.
func (p *Pages) dsrLift(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	entry := r.PathValue("entry")
	field := liftField(entry)
	form.Required(field)
	form.MaxLength(field, restriction.MaxReason)
	if !form.Valid() {
		p.showDSR(w, r, v, http.StatusUnprocessableEntity, form, nil)
		return
	}
	lifted, err := p.cfg.DSR.Lift(r.Context(), v.actor(), r.PathValue("id"), entry, form.Get(field))
	switch {
	case err == nil:
	case apperr.Code(err) == apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
		return
	case apperr.Code(err) == apperr.NotAllowed:
		p.showDSR(w, r, v, http.StatusConflict, form, &web.Message{Key: "dsr.staff.already_lifted"})
		return
	default:
		p.fail(w, r, "lift restriction", err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "dsr.staff.lifted", "what", i18n.T(web.Lang(r), lifted.TargetKey()))
	web.Redirect(w, r, dsrURL(r.PathValue("id")))
}

// checkLines adds an error to field when one of its lines is too long.
func checkLines(form *web.Form, field string, ls []string) {
	for _, l := range ls {
		if len([]rune(l)) > dsr.MaxReason {
			form.AddError(field, "form.too_long", "max", dsr.MaxReason)
		}
	}
}

// dsrDocument hands the data protection team the document of a request's
// answer, as the person gets it; the download is audited.
func (p *Pages) dsrDocument(w http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	info, body, err := p.cfg.DSR.Document(r.Context(), "", id)
	if apperr.Code(err) == apperr.NotFound {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		p.fail(w, r, "read document", err)
		return
	}
	err = p.cfg.DB.Write(r.Context(), func(tx *store.Tx) error {
		_, err := audit.Append(tx, v.actor(), dsr.AuditDocumentFetched, id, map[string]any{"size": info.Size})
		return err
	})
	if err != nil {
		p.fail(w, r, "audit document download", err)
		return
	}
	serveDocument(w, info, body)
}

// serveDocument writes a document as a download that is never cached.
func serveDocument(w http.ResponseWriter, info dsr.DocumentInfo, body []byte) {
	h := w.Header()
	h.Set("Content-Type", info.ContentType)
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", info.Name))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
