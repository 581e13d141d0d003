package backoffice

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/securityreport"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// The security queue of reported suspicious e-mails and websites
// (requirement T11, package securityreport): the reports of one state with
// the count of every state; a report's page with its kind, what the
// reporter wrote, the address defanged (never a link), through which
// channel it came (not who sent it), its owner and dates; the download of
// the attached e-mail, never rendered; and taking a new report and closing
// one in triage with an outcome and notes, each at the version the page
// showed. Only security analysts and admins may use them; the service
// audits every view, download and change.

// securityReportsPath is the queue; a report's page is under it, named by
// its id.
const securityReportsPath = Prefix + "security-reports"

// SeesSecurityReports reports whether the signed-in member may open the
// security queue.
func (f frame) SeesSecurityReports() bool { return f.may("GET " + securityReportsPath) }

// securityReportURL is a report's page.
func securityReportURL(id string) string { return securityReportsPath + "/" + url.PathEscape(id) }

// addSecurityReports serves the queue, the report pages and their actions.
func (p *Pages) addSecurityReports(mux *access.Router) {
	mux.Handle("GET "+securityReportsPath, p.staff(p.securityReportQueue))
	mux.Handle("GET "+securityReportsPath+"/{id}", p.staff(p.securityReportPage))
	mux.Handle("GET "+securityReportsPath+"/{id}/file", p.staff(p.securityReportFile))
	mux.Handle("POST "+securityReportsPath+"/{id}/take", p.staff(p.takeSecurityReport))
	mux.Handle("POST "+securityReportsPath+"/{id}/close", p.staff(p.closeSecurityReport))
}

// securityStateTab is a state of the queue with its count.
type securityStateTab struct {
	State   securityreport.State
	Count   int
	Current bool
}

// securityQueuePage is the data of the queue.
type securityQueuePage struct {
	frame
	States  []securityStateTab
	State   securityreport.State
	Reports []securityreport.Report
}

// securityReportQueue lists the reports in the state asked for (?state=,
// new by default), oldest first, with the count of every state.
func (p *Pages) securityReportQueue(w http.ResponseWriter, r *http.Request, v *viewer) {
	state := securityreport.State(r.URL.Query().Get("state"))
	if state == "" {
		state = securityreport.StateNew
	}
	if !state.Valid() {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	svc := p.cfg.SecurityReports
	counts, err := svc.Counts(r.Context(), v.Staff)
	if err != nil {
		p.securityReportError(w, r, "count security reports", err)
		return
	}
	reports, err := svc.Queue(r.Context(), v.Staff, state)
	if err != nil {
		p.securityReportError(w, r, "list security reports", err)
		return
	}
	page := securityQueuePage{frame: newFrame(v, "security_reports"), State: state, Reports: reports}
	for _, s := range securityreport.States {
		page.States = append(page.States, securityStateTab{State: s, Count: counts[s], Current: s == state})
	}
	p.rd.Render(w, r, http.StatusOK, "staff/security_reports", page)
}

// securityReportPageData is the data of a report's page.
type securityReportPageData struct {
	frame
	Report securityreport.Report
	// Problem is the catalog key saying why an action was refused.
	Problem string
	// Form is the closing form as sent, with its errors.
	Form     *web.Form
	Outcomes []securityreport.State
	MaxNotes int
}

// securityReportPage shows a report.
func (p *Pages) securityReportPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.renderSecurityReport(w, r, v, http.StatusOK, web.NewForm(nil), "")
}

// renderSecurityReport opens the report for v (audited by the service)
// and renders its page with the closing form and, when set, the problem.
func (p *Pages) renderSecurityReport(w http.ResponseWriter, r *http.Request, v *viewer, status int, form *web.Form, problem string) {
	rep, err := p.cfg.SecurityReports.View(r.Context(), v.Staff, r.PathValue("id"))
	if err != nil {
		p.securityReportError(w, r, "view security report", err)
		return
	}
	p.rd.Render(w, r, status, "staff/security_report", securityReportPageData{frame: newFrame(v, "security_reports"),
		Report: rep, Problem: problem, Form: form, Outcomes: securityreport.Outcomes, MaxNotes: securityreport.MaxNotes})
}

// securityReportFile hands over the report's e-mail file as an attachment
// of the type read from its bytes (never HTML), which the browser must not
// sniff nor show.
func (p *Pages) securityReportFile(w http.ResponseWriter, r *http.Request, v *viewer) {
	info, content, err := p.cfg.SecurityReports.File(r.Context(), v.Staff, r.PathValue("id"))
	if err != nil {
		p.securityReportError(w, r, "download security report file", err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", info.Type)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": info.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(content)))
	if _, err := w.Write(content); err != nil {
		p.log.Warn("backoffice: write security report file", "err", err)
	}
}

// securityReportForm parses a posted action's form and its version, or
// answers 400 and reports false.
func (p *Pages) securityReportForm(w http.ResponseWriter, r *http.Request) (*web.Form, int64, bool) {
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

// takeSecurityReport makes the viewer the owner of a new report.
func (p *Pages) takeSecurityReport(w http.ResponseWriter, r *http.Request, v *viewer) {
	form, version, ok := p.securityReportForm(w, r)
	if !ok {
		return
	}
	rep, err := p.cfg.SecurityReports.Take(r.Context(), v.Staff, r.PathValue("id"), version)
	p.afterSecurityReportAction(w, r, v, form, err, "securityreport.staff.taken.flash", "reference", rep.Reference)
}

// closeSecurityReport concludes a report in triage with the outcome and
// notes.
func (p *Pages) closeSecurityReport(w http.ResponseWriter, r *http.Request, v *viewer) {
	form, version, ok := p.securityReportForm(w, r)
	if !ok {
		return
	}
	rep, err := p.cfg.SecurityReports.Close(r.Context(), v.Staff, r.PathValue("id"), version,
		securityreport.State(form.Get("outcome")), form.Values.Get("notes"))
	p.afterSecurityReportAction(w, r, v, form, err, "securityreport.closed.flash", "reference", rep.Reference)
}

// afterSecurityReportAction answers the outcome of an action: the report's
// page with a notice on success; the page again with the fields to correct
// (422), or with why (409) when the report changed meanwhile or is in
// another state; 403, 404 or 500 otherwise. Only success wrote anything.
func (p *Pages) afterSecurityReportAction(w http.ResponseWriter, r *http.Request, v *viewer, form *web.Form, err error, done string, args ...any) {
	if err == nil {
		web.Flash(w, r, web.FlashSuccess, done, args...)
		web.Redirect(w, r, securityReportURL(r.PathValue("id")))
		return
	}
	switch apperr.Code(err) {
	case apperr.BadValue:
		e, _ := apperr.As(err)
		field := "notes"
		if strings.HasPrefix(e.Message, "Bad value: outcome ") {
			field = "outcome"
		}
		form.AddError(field, "securityreport.error."+field, "max", securityreport.MaxNotes)
		p.renderSecurityReport(w, r, v, http.StatusUnprocessableEntity, form, "")
	case securityreport.CodeChanged:
		p.renderSecurityReport(w, r, v, http.StatusConflict, web.NewForm(nil), "securityreport.error.changed")
	case securityreport.CodeWrongState:
		p.renderSecurityReport(w, r, v, http.StatusConflict, web.NewForm(nil), "securityreport.error.wrong_state")
	default:
		if errors.Is(err, store.ErrConflict) {
			p.renderSecurityReport(w, r, v, http.StatusConflict, web.NewForm(nil), "securityreport.error.changed")
			return
		}
		p.securityReportError(w, r, "security report action", err)
	}
}

// securityReportError answers a service error: 403, 404, 400 or 500.
func (p *Pages) securityReportError(w http.ResponseWriter, r *http.Request, what string, err error) {
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
}
