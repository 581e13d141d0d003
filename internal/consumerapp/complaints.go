package consumerapp

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/complaint"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// The consumer's side of complaints (requirements B5-B7, package
// complaint): the list of their complaints, the form to file one (about an
// order of theirs or not), and each complaint's page with its status, who
// handles it, its deadlines, what happened so far, a form to add
// information, the request for a review by the independent customer
// representative, and, after a final answer, the bodies they can take the
// complaint to. A consumer sees only their own complaints; any other id
// answers "not found".

// complaintsPath is the list of the consumer's complaints.
const complaintsPath = Prefix + "complaints"

// addComplaints serves the complaint pages.
func (p *Pages) addComplaints(mux *access.Router) {
	mux.HandleFunc("GET "+complaintsPath, p.signedIn(p.complaints))
	mux.HandleFunc("POST "+complaintsPath, p.signedIn(p.fileComplaint))
	mux.HandleFunc("GET "+complaintsPath+"/new", p.signedIn(p.newComplaint))
	mux.HandleFunc("GET "+complaintsPath+"/{id}", p.signedIn(p.complaintPage))
	mux.HandleFunc("POST "+complaintsPath+"/{id}/information", p.signedIn(p.addComplaintInformation))
	mux.HandleFunc("POST "+complaintsPath+"/{id}/review", p.signedIn(p.requestComplaintReview))
}

// complaintURL is the page of one of the consumer's complaints.
func complaintURL(id string) string { return complaintsPath + "/" + url.PathEscape(id) }

// newComplaintURL is the form filing a complaint, about the order when
// orderID is set.
func newComplaintURL(orderID string) string {
	if orderID == "" {
		return complaintsPath + "/new"
	}
	return complaintsPath + "/new?" + url.Values{"order": {orderID}}.Encode()
}

// complaintBadge shows a complaint's status.
func complaintBadge(s complaint.Status) badge {
	switch s {
	case complaint.Answered:
		return badge{"complaint.status.answered", "success"}
	case complaint.InReview:
		return badge{"complaint.status.in_review", "warning"}
	case complaint.Closed:
		return badge{"complaint.status.closed", ""}
	}
	return badge{"complaint.status.open", "info"}
}

// complaintRow is one of the consumer's complaints in the list.
type complaintRow struct {
	complaint.Complaint
	URL   string
	Badge badge
}

// complaintsPage is the data of the list of the consumer's complaints.
type complaintsPage struct {
	shell
	Complaints []complaintRow
}

// complaints lists the consumer's complaints, newest first.
func (p *Pages) complaints(w http.ResponseWriter, r *http.Request, cv consumerView) {
	list, err := p.cfg.Complaints.Mine(r.Context(), cv.Consumer.PersonID)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	page := complaintsPage{shell: shell{Email: cv.Consumer.Email, Nav: "complaints"}, Complaints: []complaintRow{}}
	for _, c := range list {
		page.Complaints = append(page.Complaints, complaintRow{Complaint: c, URL: complaintURL(c.ID), Badge: complaintBadge(c.Status)})
	}
	p.rd.Render(w, r, http.StatusOK, "consumer/complaints", page)
}

// complaintChoice is an option of a select on the complaint form.
type complaintChoice struct {
	Value    string
	Key      string
	Label    string
	Selected bool
}

// newComplaintPage is the data of the form filing a complaint.
type newComplaintPage struct {
	shell
	Form       *web.Form
	Categories []complaintChoice
	// Orders are the consumer's own orders, to say which one it is about.
	Orders     []complaintChoice
	MaxSubject int
	MaxText    int
}

// newComplaint shows the form filing a complaint; ?order= chooses one of
// the consumer's orders (and the order category) beforehand.
func (p *Pages) newComplaint(w http.ResponseWriter, r *http.Request, cv consumerView) {
	form := web.NewForm(nil)
	if o := r.URL.Query().Get("order"); o != "" {
		form.Values.Set("order", o)
		form.Values.Set("category", string(complaint.CategoryOrder))
	}
	p.showNewComplaint(w, r, cv, http.StatusOK, form)
}

// consumerOrders returns the consumer's orders as choices, the one form
// names selected.
func (p *Pages) consumerOrders(r *http.Request, cv consumerView, form *web.Form) ([]complaintChoice, error) {
	plans, err := p.cfg.Plans.ForPerson(r.Context(), cv.Consumer.PersonID)
	if err != nil {
		return nil, err
	}
	lang := web.Lang(r)
	out := make([]complaintChoice, 0, len(plans))
	for _, pl := range plans {
		out = append(out, complaintChoice{Value: pl.OrderID, Selected: form.Get("order") == pl.OrderID,
			Label: i18n.T(lang, "complaintapp.new.order_option", "reference", pl.OrderReference, "merchant", pl.MerchantName,
				"date", i18n.FormatDate(lang, pl.CreatedAt))})
	}
	return out, nil
}

// showNewComplaint renders the form (empty, or as submitted with its
// errors).
func (p *Pages) showNewComplaint(w http.ResponseWriter, r *http.Request, cv consumerView, status int, form *web.Form) {
	orders, err := p.consumerOrders(r, cv, form)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	page := newComplaintPage{shell: shell{Email: cv.Consumer.Email, Nav: "complaints"}, Form: form, Orders: orders,
		MaxSubject: complaint.MaxSubject, MaxText: complaint.MaxText}
	for _, c := range complaint.Categories {
		page.Categories = append(page.Categories, complaintChoice{Value: string(c), Key: "complaint.category." + string(c), Selected: form.Get("category") == string(c)})
	}
	p.rd.Render(w, r, status, "consumer/complaint_new", page)
}

// fileComplaint files the consumer's complaint and shows its page with the
// acknowledgement: its reference and the dates Tillit answers by. A
// missing or unknown category, an order that is not theirs, a missing text
// and text too long are shown again (422), writing nothing.
func (p *Pages) fileComplaint(w http.ResponseWriter, r *http.Request, cv consumerView) {
	if !p.parseForm(w, r) {
		return
	}
	form := web.NewForm(r.PostForm)
	category := complaint.Category(form.Get("category"))
	if form.Get("category") == "" {
		form.AddError("category", "complaintapp.new.choose_category")
	} else if !slices.Contains(complaint.Categories, category) {
		form.AddError("category", "form.invalid_choice")
	}
	if o := form.Get("order"); o != "" {
		orders, err := p.consumerOrders(r, cv, form)
		if err != nil {
			p.serverError(w, r, err)
			return
		}
		if !slices.ContainsFunc(orders, func(c complaintChoice) bool { return c.Value == o }) {
			form.AddError("order", "form.invalid_choice")
		}
	}
	form.MaxLength("subject", complaint.MaxSubject)
	form.Required("text")
	form.MaxLength("text", complaint.MaxText)
	if !form.Valid() {
		p.showNewComplaint(w, r, cv, http.StatusUnprocessableEntity, form)
		return
	}
	c, err := p.cfg.Complaints.File(r.Context(), cv.Consumer.PersonID, "consumer:"+cv.Consumer.ID, complaint.Filing{
		Category: category, OrderID: form.Get("order"), Subject: form.Get("subject"), Text: form.Get("text"),
	})
	switch apperr.Code(err) {
	case apperr.BadValue:
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	case apperr.NotFound:
		form.AddError("order", "form.invalid_choice")
		p.showNewComplaint(w, r, cv, http.StatusUnprocessableEntity, form)
		return
	default:
		if err != nil {
			p.serverError(w, r, err)
			return
		}
	}
	lang := web.Lang(r)
	if c.PSD2At != nil {
		web.Flash(w, r, web.FlashSuccess, "complaintapp.filed_psd2", "reference", c.Reference,
			"target", i18n.FormatDate(lang, c.TargetAt), "psd2", i18n.FormatDate(lang, *c.PSD2At))
	} else {
		web.Flash(w, r, web.FlashSuccess, "complaintapp.filed", "reference", c.Reference, "target", i18n.FormatDate(lang, c.TargetAt))
	}
	web.Redirect(w, r, complaintURL(c.ID))
}

// complaintEvent is an event of a complaint as the consumer sees it.
type complaintEvent struct {
	At       time.Time
	PartyKey string
	KindKey  string
	Body     string
}

// catalogKeyOr returns prefix+code when the catalog has it, else fallback.
func catalogKeyOr(prefix, code, fallback string) string {
	if k := prefix + code; i18n.Has(k) {
		return k
	}
	return fallback
}

// complaintPageData is the data of one of the consumer's complaints.
type complaintPageData struct {
	shell
	Complaint complaint.Complaint
	Badge     badge
	// OrderURL is the page of the order it is about, if any; OrderRef the
	// order's reference.
	OrderURL string
	OrderRef string
	Timeline []complaintEvent
	// Bodies are where the consumer can take the complaint after a final
	// answer (the national board and FIN-NET); empty before.
	Bodies []complaint.Board
	// CanAdd is whether the consumer can add information (the complaint
	// is being handled); CanReview whether they can ask for a review.
	CanAdd    bool
	CanReview bool
	// Problem is the catalog key of why the last form was not taken.
	Problem string
	Form    *web.Form
	MaxText int
}

// complaintPage shows one of the consumer's complaints.
func (p *Pages) complaintPage(w http.ResponseWriter, r *http.Request, cv consumerView) {
	p.showComplaint(w, r, cv, http.StatusOK, web.NewForm(nil), "")
}

// showComplaint renders one of the consumer's complaints with form (empty,
// or as submitted with its errors) and, when problem is set, the notice
// saying why the last form was not taken.
func (p *Pages) showComplaint(w http.ResponseWriter, r *http.Request, cv consumerView, status int, form *web.Form, problem string) {
	v, err := p.cfg.Complaints.ConsumerView(r.Context(), cv.Consumer.PersonID, r.PathValue("id"))
	if apperr.Code(err) == apperr.NotFound {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	c := v.Complaint
	page := complaintPageData{shell: shell{Email: cv.Consumer.Email, Nav: "complaints"}, Complaint: c, Badge: complaintBadge(c.Status),
		Timeline: []complaintEvent{}, Form: form, Problem: problem, MaxText: complaint.MaxText,
		CanAdd:    c.Status == complaint.Open || c.Status == complaint.InReview,
		CanReview: c.Status == complaint.Answered && c.ReviewUntil != nil && p.cfg.Clock.Now().Before(*c.ReviewUntil),
	}
	if c.AnsweredAt != nil {
		page.Bodies = v.Bodies
	}
	if c.OrderID != "" {
		if pl, err := p.cfg.Plans.PersonPlan(r.Context(), cv.Consumer.PersonID, c.OrderID); err == nil {
			page.OrderURL, page.OrderRef = orderPath(c.OrderID), pl.OrderReference
		}
	}
	for _, e := range v.Timeline {
		page.Timeline = append(page.Timeline, complaintEvent{At: e.At, Body: e.Body,
			PartyKey: catalogKeyOr("complaintapp.party.", e.Party, "complaintapp.party.system"),
			KindKey:  catalogKeyOr("complaintapp.event.", e.Kind, "complaintapp.event.other")})
	}
	p.rd.Render(w, r, status, "consumer/complaint", page)
}

// complaintForm parses a posted form on a complaint with its version, or
// answers 400 and reports false.
func (p *Pages) complaintForm(w http.ResponseWriter, r *http.Request) (*web.Form, int64, bool) {
	if !p.parseForm(w, r) {
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

// refusalKey is the catalog key telling the consumer why their action on a
// complaint was refused: it changed since the page was shown, or no longer
// takes the action (such as a review asked for after the window closed);
// "" for any other error.
func refusalKey(err error) string {
	switch apperr.Code(err) {
	case complaint.CodeChanged:
		return "complaintapp.changed"
	case complaint.CodeWrongState, apperr.NotAllowed:
		return "complaintapp.wrong_state"
	}
	if errors.Is(err, store.ErrConflict) {
		return "complaintapp.changed"
	}
	return ""
}

// afterComplaintAction answers the outcome of a consumer's action on a
// complaint: the page with a flash notice on success, the page again with
// why otherwise (409 when it changed meanwhile), writing nothing.
func (p *Pages) afterComplaintAction(w http.ResponseWriter, r *http.Request, cv consumerView, form *web.Form, err error, done string) {
	switch {
	case err == nil:
		web.Flash(w, r, web.FlashSuccess, done)
		web.Redirect(w, r, complaintURL(r.PathValue("id")))
	case apperr.Code(err) == apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
	case apperr.Code(err) == apperr.BadValue:
		p.rd.Error(w, r, http.StatusBadRequest)
	case refusalKey(err) != "":
		p.showComplaint(w, r, cv, http.StatusConflict, form, refusalKey(err))
	default:
		p.serverError(w, r, err)
	}
}

// addComplaintInformation adds what the consumer wrote to a complaint being handled.
func (p *Pages) addComplaintInformation(w http.ResponseWriter, r *http.Request, cv consumerView) {
	form, version, ok := p.complaintForm(w, r)
	if !ok {
		return
	}
	form.Required("information")
	form.MaxLength("information", complaint.MaxText)
	if !form.Valid() {
		p.showComplaint(w, r, cv, http.StatusUnprocessableEntity, form, "")
		return
	}
	_, err := p.cfg.Complaints.AddInformation(r.Context(), cv.Consumer.PersonID, "consumer:"+cv.Consumer.ID, r.PathValue("id"), version, form.Get("information"))
	p.afterComplaintAction(w, r, cv, form, err, "complaintapp.information_added")
}

// requestComplaintReview asks the independent customer representative to review an
// answered complaint, with the consumer's optional reason.
func (p *Pages) requestComplaintReview(w http.ResponseWriter, r *http.Request, cv consumerView) {
	form, version, ok := p.complaintForm(w, r)
	if !ok {
		return
	}
	form.MaxLength("reason", complaint.MaxText)
	if !form.Valid() {
		p.showComplaint(w, r, cv, http.StatusUnprocessableEntity, form, "")
		return
	}
	_, err := p.cfg.Complaints.RequestReview(r.Context(), cv.Consumer.PersonID, "consumer:"+cv.Consumer.ID, r.PathValue("id"), version, form.Get("reason"))
	p.afterComplaintAction(w, r, cv, form, err, "complaintapp.review_requested")
}
