package backoffice

import (
	"net/http"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/retention"
	"github.com/tillit/tillit/internal/web"
)

// The retention page (requirement D9): the dry run of the retention engine
// (package retention), what a run now would delete, anonymise or shred and
// under which purpose's rule, the latest runs, and a "run now" button that
// queues a run, audited. Only the data protection role (and admin) may
// open it. It shows rules, purposes, counts and dates, never a person.

// retentionPath is the retention page.
const retentionPath = Prefix + "retention"

// retentionRuns is how many of the latest runs the page lists.
const retentionRuns = 10

// addRetention serves the retention page.
func (p *Pages) addRetention(mux *access.Router) {
	mux.Handle("GET "+retentionPath, p.staff(p.retentionPage))
	mux.Handle("POST "+retentionPath+"/run", p.staff(p.runRetention))
}

// SeesRetention reports whether the signed-in member may open the
// retention page (the navigation links it).
func (f frame) SeesRetention() bool { return f.may("GET " + retentionPath) }

// retentionPageData is the data of the retention page.
type retentionPageData struct {
	frame
	Report retention.Report
	Lines  []retentionLine
	Runs   []retention.Run
}

// retentionLine is a line of the dry run with its texts.
type retentionLine struct {
	retention.Line
	// RuleKey and PurposeKey are the catalog keys of the rule's and the
	// purpose's names; RuleText is the registry's rule in the page's
	// language.
	RuleKey, PurposeKey, RuleText string
}

// retentionPage shows the dry run at the database's clock and the latest
// runs.
func (p *Pages) retentionPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	engine := p.cfg.Retention
	rep, err := engine.Plan(r.Context(), p.cfg.DB.Clock.Now())
	if err != nil {
		p.fail(w, r, "retention dry run", err)
		return
	}
	runs, err := engine.Runs(r.Context(), retentionRuns)
	if err != nil {
		p.fail(w, r, "retention runs", err)
		return
	}
	lang := web.Lang(r)
	page := retentionPageData{frame: newFrame(v, "retention"), Report: rep, Runs: runs}
	for _, l := range rep.Lines {
		page.Lines = append(page.Lines, retentionLine{Line: l, RuleKey: "retention.rule." + l.Rule,
			PurposeKey: "privacy.purpose." + string(l.Purpose), RuleText: l.Retention.Text(lang)})
	}
	p.rd.Render(w, r, http.StatusOK, "staff/retention", page)
}

// runRetention queues a run now for the signed-in member; the engine
// audits the request and the run.
func (p *Pages) runRetention(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := p.cfg.Retention.RequestRun(r.Context(), v.actor()); err != nil {
		p.fail(w, r, "request a retention run", err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "retention.staff.run_requested")
	web.Redirect(w, r, retentionPath)
}
