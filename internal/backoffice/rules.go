package backoffice

import (
	"errors"
	"net/http"
	"strings"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/risk/rules"
	"github.com/tillit/tillit/internal/web"
)

// The fraud rules page (requirement T1): risk analysts read the rule set in
// force, the features rules can use and the published versions, and
// publish a new version, which every server applies within
// rules.DefaultInterval without a restart (this one at once). A set that
// does not compile is shown again with every problem by line and column and
// nothing is published. Each publication is audited by package rules.

// rulesPath is the fraud rules page.
const rulesPath = Prefix + "risk/rules"

// rulesHistory is how many published versions the page lists.
const rulesHistory = 20

// addRules serves the fraud rules page.
func (p *Pages) addRules(mux *access.Router) {
	mux.Handle("GET "+rulesPath, p.staff(p.rulesPage))
	mux.Handle("POST "+rulesPath, p.staff(p.publishRules))
}

// SeesRules reports whether the signed-in member may open the fraud rules
// page (the navigation links it).
func (f frame) SeesRules() bool { return f.may("GET " + rulesPath) }

// rulesPageData is the data of the fraud rules page.
type rulesPageData struct {
	frame
	// InForce is the set in force: Version 0 is the built-in one.
	InForce *rules.Set
	Schema  rules.Schema
	History []rules.Published
	Form    *web.Form
	// Problems are why the submitted set was refused, line by line.
	Problems []string
}

// rulesPage shows the set in force in the editor.
func (p *Pages) rulesPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.showRules(w, r, v, http.StatusOK, nil, nil)
}

// showRules renders the page with form (nil: the set in force) and the
// problems of a refused set.
func (p *Pages) showRules(w http.ResponseWriter, r *http.Request, v *viewer, status int, form *web.Form, problems []string) {
	live := p.cfg.Rules
	set, err := live.Current(r.Context())
	if err != nil {
		p.fail(w, r, "read the rules in force", err)
		return
	}
	history, err := rules.History(r.Context(), p.cfg.DB, rulesHistory)
	if err != nil {
		p.fail(w, r, "read the rules' history", err)
		return
	}
	if form == nil {
		form = web.NewForm(nil)
		form.Values.Set("rules", set.Source)
	}
	page := rulesPageData{frame: newFrame(v, "rules"), InForce: set, Schema: live.Schema(), History: history, Form: form, Problems: problems}
	p.rd.Render(w, r, status, "staff/risk_rules", page)
}

// publishRules publishes the submitted set as the next version.
func (p *Pages) publishRules(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	form.Required("rules", "comment")
	form.MaxLength("comment", rules.MaxComment)
	if len(form.Values.Get("rules")) > rules.MaxSource {
		form.AddError("rules", "staff.rules.too_large", "max", rules.MaxSource)
	}
	if !form.Valid() {
		p.showRules(w, r, v, http.StatusUnprocessableEntity, form, nil)
		return
	}
	source := strings.ReplaceAll(form.Values.Get("rules"), "\r\n", "\n")
	var ce *rules.CompileError
	if _, err := rules.Compile(source, p.cfg.Rules.Schema()); errors.As(err, &ce) {
		form.AddError("rules", "staff.rules.refused")
		p.showRules(w, r, v, http.StatusUnprocessableEntity, form, ce.Problems)
		return
	}
	published, err := rules.Publish(r.Context(), p.cfg.DB, p.cfg.Rules.Schema(), source, v.actor(), form.Get("comment"))
	if err != nil {
		p.fail(w, r, "publish rules", err)
		return
	}
	p.cfg.Rules.Expire()
	web.Flash(w, r, web.FlashSuccess, "staff.rules.published", "version", published.Version)
	web.Redirect(w, r, rulesPath)
}
