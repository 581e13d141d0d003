package consumerapp

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/web"
)

// requestsPath is the page where a consumer files data-subject requests
// (package dsr) and follows them. A consumer sees only the requests about
// their own person; any other request answers "not found".
const requestsPath = privacyPath + "/requests"

// addRequests serves the request pages.
func (p *Pages) addRequests(mux *access.Router) {
	mux.HandleFunc("GET "+requestsPath, p.signedIn(p.requests))
	mux.HandleFunc("POST "+requestsPath, p.signedIn(p.fileRequest))
	mux.HandleFunc("GET "+requestsPath+"/{id}", p.signedIn(p.request))
	mux.HandleFunc("GET "+requestsPath+"/{id}/document", p.signedIn(p.requestDocument))
}

// requestURL is the page of one of the consumer's requests.
func requestURL(id string) string { return requestsPath + "/" + id }

// requestRow is one of the consumer's requests in the list.
type requestRow struct {
	dsr.Request
	URL   string
	Badge badge
}

// requestBadge shows a request's status.
func requestBadge(r dsr.Request) badge {
	switch r.Status {
	case dsr.StatusCompleted:
		return badge{r.Status.NameKey(), "success"}
	case dsr.StatusPartlyCompleted, dsr.StatusRefused:
		return badge{r.Status.NameKey(), "warning"}
	}
	return badge{r.Status.NameKey(), "info"}
}

// kindChoice is a kind of request the form offers.
type kindChoice struct {
	Kind    dsr.Kind
	Checked bool
}

// countryChoice is a country the form offers.
type countryChoice struct {
	Code     string
	Key      string
	Selected bool
}

// requestsPage is the data of the requests page.
type requestsPage struct {
	shell
	Requests  []requestRow
	Form      *web.Form
	Kinds     []kindChoice
	Scopes    []dsr.ScopeGroup
	Countries []countryChoice
	// MaxDescription is the most characters a description may have.
	MaxDescription int
}

// requests lists the consumer's requests with the form to make one.
func (p *Pages) requests(w http.ResponseWriter, r *http.Request, cv consumerView) {
	form := web.NewForm(nil)
	form.Values.Set("country", dsr.CountryFromLocale(cv.Consumer.Locale))
	p.showRequests(w, r, cv, http.StatusOK, form)
}

// showRequests renders the requests page with form (empty, or as submitted
// with its errors).
func (p *Pages) showRequests(w http.ResponseWriter, r *http.Request, cv consumerView, status int, form *web.Form) {
	list, err := p.cfg.Requests.ForPerson(r.Context(), cv.Consumer.PersonID)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	page := requestsPage{shell: shell{Email: cv.Consumer.Email, Nav: "privacy"}, Form: form, Requests: []requestRow{},
		MaxDescription: dsr.MaxDescription, Scopes: dsr.ScopeGroups()}
	for _, req := range list {
		page.Requests = append(page.Requests, requestRow{Request: req, URL: requestURL(req.ID), Badge: requestBadge(req)})
	}
	for _, k := range dsr.Kinds() {
		page.Kinds = append(page.Kinds, kindChoice{Kind: k, Checked: form.Get("kind") == string(k)})
	}
	for _, a := range dsr.Authorities() {
		page.Countries = append(page.Countries, countryChoice{Code: a.Country, Key: a.CountryKey(), Selected: form.Get("country") == a.Country})
	}
	p.rd.Render(w, r, status, "consumer/requests", page)
}

// fileRequest files the consumer's request; their identity is verified by
// their signing in with the code sent to their address. A kind they already
// have open, and every other mistake, leave nothing written and show the
// form again with the problem.
func (p *Pages) fileRequest(w http.ResponseWriter, r *http.Request, cv consumerView) {
	if !p.parseForm(w, r) {
		return
	}
	form := web.NewForm(r.PostForm)
	kind := dsr.Kind(form.Get("kind"))
	switch {
	case form.Get("kind") == "":
		form.AddError("kind", "dsr.consumer.choose_kind")
	case !kind.Valid():
		form.AddError("kind", "form.invalid_choice")
	case kind.NeedsDescription() && form.Get("description") == "":
		form.AddError("description", "dsr.consumer.description_needed."+string(kind))
	case kind.ScopeProblem(kind.ScopeFrom(form.Values)) != "":
		form.AddError(kind.ScopeField(), kind.ScopeProblem(kind.ScopeFrom(form.Values)))
	}
	form.MaxLength("description", dsr.MaxDescription)
	if c := form.Get("country"); c != "" {
		if _, ok := dsr.AuthorityOf(c); !ok {
			form.AddError("country", "form.invalid_choice")
		}
	}
	if !form.Valid() {
		p.showRequests(w, r, cv, http.StatusUnprocessableEntity, form)
		return
	}
	req, err := p.cfg.Requests.FileByConsumer(r.Context(), dsr.ConsumerFiling{
		ConsumerID: cv.Consumer.ID, PersonID: cv.Consumer.PersonID, Email: cv.Consumer.Email, Locale: web.Lang(r),
		Kind: kind, Country: form.Get("country"), Description: form.Get("description"), Scope: kind.ScopeFrom(form.Values),
	})
	if apperr.Code(err) == dsr.CodeAlreadyOpen {
		form.AddError("kind", "dsr.consumer.already_open")
		p.showRequests(w, r, cv, http.StatusUnprocessableEntity, form)
		return
	}
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "dsr.consumer.filed", "reference", req.Reference, "date", i18n.FormatDate(web.Lang(r), req.DueAt))
	web.Redirect(w, r, requestURL(req.ID))
}

// requestPage is the data of one of the consumer's requests.
type requestPage struct {
	shell
	Case  dsr.Case
	Badge badge
	// Items are the answer's items, as sentences in the page's language.
	Items []string
	// History are the steps shown to the consumer (not staff's reminder).
	History []dsr.Event
	// Authority is who the consumer can complain to, when the answer is
	// not a full yes.
	Authority *dsr.Authority
	// AuthoritiesList is the list of every supervisory authority.
	AuthoritiesList string
}

// request shows one of the consumer's requests: what they asked, its
// deadline, its history and the answer.
func (p *Pages) request(w http.ResponseWriter, r *http.Request, cv consumerView) {
	c, err := p.cfg.Requests.GetForPerson(r.Context(), cv.Consumer.PersonID, r.PathValue("id"))
	if apperr.Code(err) == apperr.NotFound {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	lang := web.Lang(r)
	page := requestPage{shell: shell{Email: cv.Consumer.Email, Nav: "privacy"}, Case: c, Badge: requestBadge(c.Request),
		Items: []string{}, History: []dsr.Event{}, AuthoritiesList: dsr.AuthoritiesListURL}
	for _, it := range c.Outcome {
		key := "dsr.mail.item_done"
		if !it.Done {
			key = "dsr.mail.item_not_done"
		}
		page.Items = append(page.Items, i18n.T(lang, key, "text", dsr.ItemText(lang, it)))
	}
	for _, e := range c.Events {
		if e.Name != dsr.EventReminder {
			page.History = append(page.History, e)
		}
	}
	if c.Status == dsr.StatusPartlyCompleted || c.Status == dsr.StatusRefused {
		a := p.cfg.Requests.AuthorityFor(c.Request)
		page.Authority = &a
	}
	p.rd.Render(w, r, http.StatusOK, "consumer/request", page)
}

// requestDocument hands the consumer the document of their request's
// answer (their data extract) as a download.
func (p *Pages) requestDocument(w http.ResponseWriter, r *http.Request, cv consumerView) {
	info, body, err := p.cfg.Requests.Document(r.Context(), cv.Consumer.PersonID, r.PathValue("id"))
	if apperr.Code(err) == apperr.NotFound {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", info.ContentType)
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", info.Name))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
