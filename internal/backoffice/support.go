package backoffice

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/complaint"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/support"
	"github.com/tillit/tillit/internal/web"
)

// The staff side of the support inbox (package support): customer
// service's queue of conversations (waiting for staff first, longest
// waiting first, with what the assistant handed over), and a conversation's
// page with its messages, the reply form, "assign to me", closing, and the
// one-step conversions into a complaint, a dispute or a privacy request.
// Who may is support.MayWork, checked by the access table and again by the
// service, which audits every read and action.

// supportPath is the support queue's page.
const supportPath = Prefix + "support"

// conversationURL is a conversation's page.
func conversationURL(id string) string { return supportPath + "/" + url.PathEscape(id) }

// SeesSupport reports whether the signed-in member sees the support inbox
// in the navigation.
func (f frame) SeesSupport() bool { return f.may("GET " + supportPath) }

// addSupport serves the support pages.
func (p *Pages) addSupport(mux *access.Router) {
	mux.Handle("GET "+supportPath, p.staff(p.supportQueue))
	mux.Handle("GET "+supportPath+"/{id}", p.staff(p.conversationPage))
	mux.Handle("POST "+supportPath+"/{id}/reply", p.staff(p.replyConversation))
	mux.Handle("POST "+supportPath+"/{id}/assign", p.staff(p.assignConversation))
	mux.Handle("POST "+supportPath+"/{id}/close", p.staff(p.closeConversation))
	mux.Handle("POST "+supportPath+"/{id}/complaint", p.staff(p.convertToComplaint))
	mux.Handle("POST "+supportPath+"/{id}/dispute", p.staff(p.convertToDispute))
	mux.Handle("POST "+supportPath+"/{id}/privacy-request", p.staff(p.convertToPrivacyRequest))
}

// conversationBadge is the badge colour of a conversation's status.
func conversationBadge(s support.Status) string {
	switch s {
	case support.WaitingForStaff:
		return "warning"
	case support.Answered:
		return "success"
	case support.WithAssistant:
		return "info"
	}
	return ""
}

// conversationRow is a conversation in the queue.
type conversationRow struct {
	support.Conversation
	URL   string
	Badge string
}

// supportQueuePage is the data of the queue.
type supportQueuePage struct {
	frame
	Waiting  []conversationRow
	Answered []conversationRow
}

// supportQueue lists the conversations waiting for staff, then those
// answered.
func (p *Pages) supportQueue(w http.ResponseWriter, r *http.Request, v *viewer) {
	list, err := p.cfg.Support.Queue(r.Context(), v.Staff)
	if p.supportError(w, r, "support queue", err) {
		return
	}
	page := supportQueuePage{frame: newFrame(v, "support"), Waiting: []conversationRow{}, Answered: []conversationRow{}}
	for _, c := range list {
		row := conversationRow{Conversation: c, URL: conversationURL(c.ID), Badge: conversationBadge(c.Status)}
		if c.Status == support.WaitingForStaff {
			page.Waiting = append(page.Waiting, row)
		} else {
			page.Answered = append(page.Answered, row)
		}
	}
	p.rd.Render(w, r, http.StatusOK, "staff/support", page)
}

// supportError answers a support service error the caller does not handle
// itself: 403, 404, 400 or 500; it reports whether it answered.
func (p *Pages) supportError(w http.ResponseWriter, r *http.Request, what string, err error) bool {
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

// staffMessage is a message as staff read it.
type staffMessage struct {
	support.Message
	AuthorKey string
	When      string
	Assistant bool
}

// conversationPageData is the data of a conversation's page.
type conversationPageData struct {
	frame
	View  support.StaffView
	Badge string
	// Messages are the conversation's, oldest first.
	Messages []staffMessage
	// OrderURL is the order's page, empty when there is none or the viewer
	// may not open it; OrderRef its reference; CaseURL the page of the
	// case it became.
	OrderURL string
	OrderRef string
	CaseURL  string
	CaseKey  string
	// Live shows the reply, assign, close and convert forms; Mine tells
	// whether the viewer has it.
	Live bool
	Mine bool
	// Convertible shows the conversions (not yet converted).
	Convertible bool
	Orders      []orderOption
	Categories  []option
	Reasons     []option
	Kinds       []option
	Countries   []option
	Scopes      []dsr.ScopeGroup
	// Problem is the catalog key of why the last form was not taken.
	Problem string
	formView
	MaxMessage int
}

// orderOption is one of the person's orders as a choice, its label
// written out.
type orderOption struct {
	Value, Label string
	Selected     bool
}

// staffCaseURL is the back-office page of the case a conversation became.
func staffCaseURL(c support.Conversation) string {
	switch c.ConvertedKind {
	case support.CaseComplaint:
		return complaintURL(c.ConvertedID)
	case support.CaseDispute:
		return Prefix + "disputes/" + url.PathEscape(c.ConvertedID)
	case support.CasePrivacyRequest:
		return Prefix + "privacy-requests/" + url.PathEscape(c.ConvertedID)
	}
	return ""
}

// conversationPage shows a conversation; the service audits the read.
func (p *Pages) conversationPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.renderConversation(w, r, v, http.StatusOK, web.NewForm(nil), "")
}

// renderConversation renders a conversation's page for v with form (empty,
// or as submitted with its errors) and, when problem is set, why the last
// form was not taken.
func (p *Pages) renderConversation(w http.ResponseWriter, r *http.Request, v *viewer, status int, form *web.Form, problem string) {
	view, err := p.cfg.Support.StaffThread(r.Context(), v.Staff, r.PathValue("id"))
	if p.supportError(w, r, "read conversation", err) {
		return
	}
	c := view.Conversation
	lang := web.Lang(r)
	page := conversationPageData{
		frame: newFrame(v, "support"), View: view, Badge: conversationBadge(c.Status), Messages: make([]staffMessage, 0, len(view.Messages)),
		Live: c.Status.Open(), Mine: c.AssignedTo == v.Staff.ID, Convertible: c.Status != support.Converted,
		CaseURL: staffCaseURL(c), Problem: problem, formView: formView{form}, MaxMessage: support.MaxMessage,
		Categories: categoryOptions(form.Get("category")), Kinds: kindOptions(form.Get("kind")),
		Countries: countryOptions(form.Get("country")), Scopes: dsr.ScopeGroups(),
	}
	if c.ConvertedKind != "" {
		page.CaseKey = "support.case." + string(c.ConvertedKind)
	}
	for _, m := range view.Messages {
		page.Messages = append(page.Messages, staffMessage{Message: m, AuthorKey: "support.party." + string(m.Author),
			When: support.When(lang, m.At), Assistant: m.Author == support.AuthorAssistant})
	}
	if c.OrderID != "" && access.Allows(orderPagePattern, access.StaffMember(v.Staff.Role)) {
		page.OrderURL = Prefix + "orders/" + url.PathEscape(c.OrderID)
	}
	chosen := form.Get("order")
	if chosen == "" {
		chosen = c.OrderID
	}
	for _, o := range view.Orders {
		if o.ID == c.OrderID {
			page.OrderRef = o.Reference
		}
		page.Orders = append(page.Orders, orderOption{Value: o.ID, Label: i18n.T(lang, "staffsupport.order_option", "reference", o.Reference,
			"date", i18n.FormatDate(lang, o.CreatedAt)), Selected: o.ID == chosen})
	}
	for _, reason := range dispute.Reasons {
		page.Reasons = append(page.Reasons, option{Value: string(reason), Key: "dispute.reason." + string(reason), Selected: form.Get("reason") == string(reason)})
	}
	p.rd.Render(w, r, status, "staff/support_conversation", page)
}

// conversationForm parses a posted form on a conversation with its
// version, or answers 400 and reports false.
func (p *Pages) conversationForm(w http.ResponseWriter, r *http.Request) (*web.Form, int64, bool) {
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

// conversationRefusal is the catalog key telling staff why their action on
// a conversation was refused: it changed since the page was shown, or no
// longer takes the action; "" for any other error.
func conversationRefusal(err error) string {
	switch apperr.Code(err) {
	case support.CodeChanged:
		return "staffsupport.changed"
	case support.CodeWrongState:
		return "staffsupport.wrong_state"
	}
	if errors.Is(err, store.ErrConflict) {
		return "staffsupport.changed"
	}
	return ""
}

// afterConversationAction answers the outcome of a staff action: the page
// with a flash notice on success; the page again with why (409) when the
// conversation changed meanwhile or no longer takes the action; 403, 404,
// 400 or 500 otherwise. Nothing is written unless it succeeded.
func (p *Pages) afterConversationAction(w http.ResponseWriter, r *http.Request, v *viewer, form *web.Form, err error, done string) {
	if err == nil {
		web.Flash(w, r, web.FlashSuccess, done)
		web.Redirect(w, r, conversationURL(r.PathValue("id")))
		return
	}
	if key := conversationRefusal(err); key != "" {
		p.renderConversation(w, r, v, http.StatusConflict, form, key)
		return
	}
	p.supportError(w, r, "conversation action", err)
}

// replyConversation sends customer service's answer.
func (p *Pages) replyConversation(w http.ResponseWriter, r *http.Request, v *viewer) {
	form, version, ok := p.conversationForm(w, r)
	if !ok {
		return
	}
	form.Required("text")
	form.MaxLength("text", support.MaxMessage)
	if !form.Valid() {
		p.renderConversation(w, r, v, http.StatusUnprocessableEntity, form, "")
		return
	}
	_, err := p.cfg.Support.Reply(r.Context(), v.Staff, r.PathValue("id"), version, form.Values.Get("text"))
	p.afterConversationAction(w, r, v, form, err, "staffsupport.reply.done")
}

// assignConversation makes the viewer responsible for the conversation.
func (p *Pages) assignConversation(w http.ResponseWriter, r *http.Request, v *viewer) {
	form, version, ok := p.conversationForm(w, r)
	if !ok {
		return
	}
	_, err := p.cfg.Support.Assign(r.Context(), v.Staff, r.PathValue("id"), version, "")
	p.afterConversationAction(w, r, v, form, err, "staffsupport.assign.done")
}

// closeConversation closes the conversation.
func (p *Pages) closeConversation(w http.ResponseWriter, r *http.Request, v *viewer) {
	form, version, ok := p.conversationForm(w, r)
	if !ok {
		return
	}
	_, err := p.cfg.Support.Close(r.Context(), v.Staff, r.PathValue("id"), version)
	p.afterConversationAction(w, r, v, form, err, "staffsupport.close.done")
}

// afterConversion answers a conversion: the case's page is linked from the
// conversation's on success; a refusal the service explains by a field
// (an order not the person's, a dispute already open, a request of the
// kind already open, nothing left to dispute) is shown on the form (422 or
// 409); the rest as afterConversationAction.
func (p *Pages) afterConversion(w http.ResponseWriter, r *http.Request, v *viewer, form *web.Form, err error) {
	field, key, status := "", "", http.StatusUnprocessableEntity
	switch apperr.Code(err) {
	case apperr.NotFound:
		if form.Get("order") != "" {
			field, key = "order", "form.invalid_choice"
		}
	case apperr.BadValue:
		e, _ := apperr.As(err)
		for _, f := range []string{"order", "category", "reason", "kind", "scope", "country", "identity_note", "subject"} {
			if e != nil && strings.HasPrefix(e.Message, "Bad value: "+f+" ") {
				field, key = f, "form.invalid_choice"
			}
		}
		if field == "identity_note" {
			key = "staffsupport.convert.identity_needed"
		}
	case dispute.CodeAlreadyOpen:
		field, key, status = "order", "staffsupport.convert.dispute_open", http.StatusConflict
	case dsr.CodeAlreadyOpen:
		field, key, status = "kind", "staffsupport.convert.request_open", http.StatusConflict
	case apperr.NotAllowed:
		p.renderConversation(w, r, v, http.StatusConflict, form, "staffsupport.convert.not_allowed")
		return
	}
	if field != "" {
		form.AddError(field, key)
		p.renderConversation(w, r, v, status, form, "")
		return
	}
	p.afterConversationAction(w, r, v, form, err, "staffsupport.convert.done")
}

// convertToComplaint files a complaint from the conversation.
func (p *Pages) convertToComplaint(w http.ResponseWriter, r *http.Request, v *viewer) {
	form, version, ok := p.conversationForm(w, r)
	if !ok {
		return
	}
	category := complaint.Category(form.Get("category"))
	if !slices.Contains(complaint.Categories, category) {
		form.AddError("category", "form.invalid_choice")
	}
	form.MaxLength("subject", complaint.MaxSubject)
	if !form.Valid() {
		p.renderConversation(w, r, v, http.StatusUnprocessableEntity, form, "")
		return
	}
	_, err := p.cfg.Support.ConvertToComplaint(r.Context(), v.Staff, r.PathValue("id"), version, support.ComplaintConversion{
		Category: category, OrderID: form.Get("order"), Subject: form.Get("subject")})
	p.afterConversion(w, r, v, form, err)
}

// convertToDispute opens a dispute of one of the person's orders from the
// conversation.
func (p *Pages) convertToDispute(w http.ResponseWriter, r *http.Request, v *viewer) {
	form, version, ok := p.conversationForm(w, r)
	if !ok {
		return
	}
	form.Required("order")
	reason := dispute.Reason(form.Get("reason"))
	if !reason.Valid() {
		form.AddError("reason", "form.invalid_choice")
	}
	if !form.Valid() {
		p.renderConversation(w, r, v, http.StatusUnprocessableEntity, form, "")
		return
	}
	_, err := p.cfg.Support.ConvertToDispute(r.Context(), v.Staff, r.PathValue("id"), version, support.DisputeConversion{
		OrderID: form.Get("order"), Reason: reason})
	p.afterConversion(w, r, v, form, err)
}

// convertToPrivacyRequest files a data-subject request from the
// conversation.
func (p *Pages) convertToPrivacyRequest(w http.ResponseWriter, r *http.Request, v *viewer) {
	form, version, ok := p.conversationForm(w, r)
	if !ok {
		return
	}
	kind := dsr.Kind(form.Get("kind"))
	switch {
	case !kind.Valid():
		form.AddError("kind", "form.invalid_choice")
	case kind.ScopeProblem(kind.ScopeFrom(form.Values)) != "":
		form.AddError(kind.ScopeField(), kind.ScopeProblem(kind.ScopeFrom(form.Values)))
	}
	if c := form.Get("country"); c != "" {
		if _, ok := dsr.AuthorityOf(c); !ok {
			form.AddError("country", "form.invalid_choice")
		}
	}
	form.MaxLength("identity_note", dsr.MaxIdentityNote)
	if !form.Valid() {
		p.renderConversation(w, r, v, http.StatusUnprocessableEntity, form, "")
		return
	}
	_, err := p.cfg.Support.ConvertToPrivacyRequest(r.Context(), v.Staff, r.PathValue("id"), version, support.PrivacyConversion{
		Kind: kind, Scope: kind.ScopeFrom(form.Values), Country: form.Get("country"), IdentityNote: form.Get("identity_note")})
	p.afterConversion(w, r, v, form, err)
}
