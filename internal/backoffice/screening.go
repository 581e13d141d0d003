package backoffice

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/screening"
	"github.com/tillit/tillit/internal/web"
)

// The screening page (requirement T8): which sanctions lists the serving
// process screens with (source, version, entries per list, when they were
// loaded) and a reload button. A reload swaps the lists and queues the
// re-screening of existing customers; package screening audits it. Only
// AML officers (and admins) may open the page or reload.

// screeningPath is the screening page.
const screeningPath = Prefix + "screening"

// addScreening serves the screening page.
func (p *Pages) addScreening(mux *access.Router) {
	mux.Handle("GET "+screeningPath, p.staff(p.screeningPage))
	mux.Handle("POST "+screeningPath+"/reload", p.staff(p.reloadScreening))
}

// SeesScreening reports whether the signed-in member may open the
// screening page (the navigation links it).
func (f frame) SeesScreening() bool { return f.may("GET " + screeningPath) }

// screeningPageData is the data of the screening page.
type screeningPageData struct {
	frame
	Status screening.Status
	Lists  []screeningList
}

// screeningList is one list's line: its name, the catalog key of its
// title and its entries.
type screeningList struct {
	Name, Key string
	Entries   int
}

// screeningPage shows the lists in use.
func (p *Pages) screeningPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	st := p.cfg.Screening.Status()
	page := screeningPageData{frame: newFrame(v, "screening"), Status: st}
	for name, n := range st.Counts {
		page.Lists = append(page.Lists, screeningList{Name: name, Key: "screening.list." + strings.ReplaceAll(name, "-", "_"), Entries: n})
	}
	slices.SortFunc(page.Lists, func(a, b screeningList) int { return cmp.Compare(a.Name, b.Name) })
	p.rd.Render(w, r, http.StatusOK, "staff/screening", page)
}

// reloadScreening reloads the lists for the signed-in member. Lists that
// do not load leave the current ones in use and say so.
func (p *Pages) reloadScreening(w http.ResponseWriter, r *http.Request, v *viewer) {
	_, err := p.cfg.Screening.Reload(r.Context(), v.actor())
	if err != nil && !errors.Is(err, screening.ErrLists) {
		p.fail(w, r, "reload the screening lists", err)
		return
	}
	if err != nil {
		p.log.Warn("backoffice: screening lists did not load", "err", err)
		web.Flash(w, r, web.FlashError, "screening.staff.reload_failed")
		web.Redirect(w, r, screeningPath)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "screening.staff.reloaded")
	web.Redirect(w, r, screeningPath)
}
