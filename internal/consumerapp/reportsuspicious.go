package consumerapp

import (
	"embed"
	"net/http"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/reportpage"
	"github.com/tillit/tillit/internal/web"
)

// A signed-in consumer's report of a suspicious e-mail, website, text
// message or call (requirement T11, package securityreport): the public
// page's form (package reportpage) within the app, without the address
// field, since the acknowledgement goes to the account's address. The
// report is sealed under the consumer's person and rate-limited per person;
// the thanks page names the reference. The POST's body is capped before the
// CSRF check reads it (reportpage.LimitBody, mounted in New).

// reportPath is the app's report form.
const reportPath = Prefix + "report-suspicious"

//go:embed templates/app/_shared.html templates/report/*.html
var reportTemplates embed.FS

// reportView is the data of the report page: the navigation and the
// shared form.
type reportView struct {
	shell
	reportpage.Page
}

// addReportSuspicious parses the report page and serves it.
func (p *Pages) addReportSuspicious(mux *access.Router) error {
	if err := reportpage.AddPages(p.rd, "consumer", reportTemplates, "templates/app/_shared.html", "templates/report/*.html"); err != nil {
		return err
	}
	mux.HandleFunc("GET "+reportPath, p.signedIn(p.reportForm))
	mux.HandleFunc("POST "+reportPath, p.signedIn(p.submitReport))
	return nil
}

// reportForm shows the empty form.
func (p *Pages) reportForm(w http.ResponseWriter, r *http.Request, cv consumerView) {
	p.rd.Render(w, r, http.StatusOK, "consumer/report_suspicious", p.reportView(cv, web.NewForm(nil)))
}

// reportView is the report page for cv with form.
func (p *Pages) reportView(cv consumerView, form *web.Form) reportView {
	return reportView{shell: shell{Email: cv.Consumer.Email, Nav: "report"}, Page: reportpage.NewPage(form, reportPath, false)}
}

// submitReport takes the consumer's report and shows its reference, or the
// form again with what to correct (422), or the limit reached (429).
func (p *Pages) submitReport(w http.ResponseWriter, r *http.Request, cv consumerView) {
	form, sub, status := reportpage.ReadForm(r)
	if status != 0 {
		p.rd.Error(w, r, status)
		return
	}
	defer r.MultipartForm.RemoveAll()
	if !form.Valid() {
		p.rd.Render(w, r, http.StatusUnprocessableEntity, "consumer/report_suspicious", p.reportView(cv, form))
		return
	}
	rc, err := p.cfg.SecurityReports.SubmitAsConsumer(r.Context(), cv.Consumer.PersonID, "consumer:"+cv.Consumer.ID, sub)
	if err != nil {
		if status = reportpage.FormError(form, err); status == http.StatusInternalServerError {
			p.serverError(w, r, err)
			return
		}
		p.rd.Render(w, r, status, "consumer/report_suspicious", p.reportView(cv, form))
		return
	}
	page := p.reportView(cv, web.NewForm(nil))
	page.Thanks = &rc
	p.rd.Render(w, r, http.StatusOK, "consumer/report_suspicious", page)
}

// limitReportBody caps the body of a suspicious report, the one form of the
// app that takes a file, before next (and its CSRF check) parses it; every
// other request passes untouched.
func limitReportBody(rd *web.Renderer, next http.Handler) http.Handler {
	limited := reportpage.LimitBody(rd, next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == reportPath {
			limited.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
