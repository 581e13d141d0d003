package consumerapp

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/support"
	"github.com/tillit/tillit/internal/web"
)

// The consumer's side of the support inbox (package support): their
// conversations with Tillit and the form to open one (about an order of
// theirs or not), and each conversation's page with its messages — the
// assistant's marked as the assistant's —, a reply form while it is open,
// the "talk to a person" button while the assistant has it, and the case it
// became. A consumer sees only their own conversations; any other id
// answers "not found".

// supportPath is the list of the consumer's conversations.
const supportPath = Prefix + "support"

// addSupport serves the support pages.
func (p *Pages) addSupport(mux *access.Router) {
	mux.HandleFunc("GET "+supportPath, p.signedIn(p.supportList))
	mux.HandleFunc("POST "+supportPath, p.signedIn(p.openConversation))
	mux.HandleFunc("GET "+supportPath+"/{id}", p.signedIn(p.conversationPage))
	mux.HandleFunc("POST "+supportPath+"/{id}/messages", p.signedIn(p.postMessage))
	mux.HandleFunc("POST "+supportPath+"/{id}/person", p.signedIn(p.askForPerson))
}

// conversationURL is the page of one of the consumer's conversations.
func conversationURL(id string) string { return supportPath + "/" + url.PathEscape(id) }

// conversationBadge shows a conversation's status.
func conversationBadge(s support.Status) badge {
	key := "support.status." + string(s)
	switch s {
	case support.Answered:
		return badge{key, "success"}
	case support.WaitingForStaff:
		return badge{key, "warning"}
	case support.WithAssistant:
		return badge{key, "info"}
	}
	return badge{key, ""}
}

// conversationRow is one of the consumer's conversations in the list.
type conversationRow struct {
	support.Conversation
	URL   string
	Badge badge
}

// supportChoice is an option of the order select.
type supportChoice struct {
	Value, Label string
	Selected     bool
}

// supportListPage is the data of the list of conversations with the form
// opening one.
type supportListPage struct {
	shell
	Conversations []conversationRow
	Form          *web.Form
	Orders        []supportChoice
	MaxSubject    int
	MaxMessage    int
}

// supportList lists the consumer's conversations, newest first, under the
// form opening one; ?order= chooses one of their orders beforehand.
func (p *Pages) supportList(w http.ResponseWriter, r *http.Request, cv consumerView) {
	form := web.NewForm(nil)
	if o := r.URL.Query().Get("order"); o != "" {
		form.Values.Set("order", o)
	}
	p.showSupportList(w, r, cv, http.StatusOK, form)
}

// supportOrders returns the consumer's orders as choices, the one the form
// names selected.
func (p *Pages) supportOrders(r *http.Request, cv consumerView, form *web.Form) ([]supportChoice, error) {
	plans, err := p.cfg.Plans.ForPerson(r.Context(), cv.Consumer.PersonID)
	if err != nil {
		return nil, err
	}
	lang := web.Lang(r)
	out := make([]supportChoice, 0, len(plans))
	for _, pl := range plans {
		out = append(out, supportChoice{Value: pl.OrderID, Selected: form.Get("order") == pl.OrderID,
			Label: i18n.T(lang, "supportapp.order_option", "reference", pl.OrderReference, "merchant", pl.MerchantName,
				"date", i18n.FormatDate(lang, pl.CreatedAt))})
	}
	return out, nil
}

// showSupportList renders the list with the form (empty, or as submitted
// with its errors).
func (p *Pages) showSupportList(w http.ResponseWriter, r *http.Request, cv consumerView, status int, form *web.Form) {
	list, err := p.cfg.Support.Mine(r.Context(), cv.Consumer.PersonID)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	orders, err := p.supportOrders(r, cv, form)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	page := supportListPage{shell: shell{Email: cv.Consumer.Email, Nav: "support"}, Conversations: []conversationRow{}, Form: form,
		Orders: orders, MaxSubject: support.MaxSubject, MaxMessage: support.MaxMessage}
	for _, c := range list {
		page.Conversations = append(page.Conversations, conversationRow{Conversation: c, URL: conversationURL(c.ID), Badge: conversationBadge(c.Status)})
	}
	p.rd.Render(w, r, status, "consumer/support", page)
}

// openConversation opens the consumer's conversation and shows it, with
// the assistant's answer when it has one. An order that is not theirs, a
// missing message and text too long are shown again (422); too many new
// conversations 429; each writes nothing.
func (p *Pages) openConversation(w http.ResponseWriter, r *http.Request, cv consumerView) {
	if !p.parseForm(w, r) {
		return
	}
	form := web.NewForm(r.PostForm)
	form.MaxLength("subject", support.MaxSubject)
	form.Required("message")
	form.MaxLength("message", support.MaxMessage)
	if !form.Valid() {
		p.showSupportList(w, r, cv, http.StatusUnprocessableEntity, form)
		return
	}
	c, err := p.cfg.Support.Open(r.Context(), cv.Consumer.PersonID, "consumer:"+cv.Consumer.ID, support.Opening{
		OrderID: form.Get("order"), Subject: form.Get("subject"), Message: form.Values.Get("message"), Lang: web.Lang(r),
	})
	switch code := apperr.Code(err); {
	case err == nil:
	case code == apperr.NotFound:
		form.AddError("order", "form.invalid_choice")
		p.showSupportList(w, r, cv, http.StatusUnprocessableEntity, form)
		return
	case code == apperr.TooManyRequests:
		form.AddError("message", "supportapp.too_many")
		p.showSupportList(w, r, cv, http.StatusTooManyRequests, form)
		return
	case code == apperr.BadValue:
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	default:
		p.serverError(w, r, err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "supportapp.opened", "reference", c.Reference)
	web.Redirect(w, r, conversationURL(c.ID))
}

// conversationMessage is a message as the consumer sees it.
type conversationMessage struct {
	support.Message
	// AuthorKey names who wrote it; Assistant marks the assistant's.
	// When is its date and time.
	AuthorKey string
	When      string
	Assistant bool
	Mine      bool
}

// conversationPageData is the data of one of the consumer's conversations.
type conversationPageData struct {
	shell
	Conversation support.Conversation
	Badge        badge
	Messages     []conversationMessage
	// OrderURL and OrderRef name the order it is about, if any.
	OrderURL string
	OrderRef string
	// CaseURL and CaseKey link to the case it became, and name its kind.
	CaseURL string
	CaseKey string
	// CanWrite shows the reply form; CanAskPerson the "talk to a person"
	// button.
	CanWrite     bool
	CanAskPerson bool
	// Problem is the catalog key of why the last form was not taken.
	Problem    string
	Form       *web.Form
	MaxMessage int
}

// caseURL is the consumer's page of the case a conversation became.
func caseURL(c support.Conversation) string {
	switch c.ConvertedKind {
	case support.CaseComplaint:
		return complaintURL(c.ConvertedID)
	case support.CaseDispute:
		return disputePath(c.ConvertedID)
	case support.CasePrivacyRequest:
		return requestURL(url.PathEscape(c.ConvertedID))
	}
	return ""
}

// conversationPage shows one of the consumer's conversations.
func (p *Pages) conversationPage(w http.ResponseWriter, r *http.Request, cv consumerView) {
	p.showConversation(w, r, cv, http.StatusOK, web.NewForm(nil), "")
}

// showConversation renders one of the consumer's conversations with form
// (empty, or as submitted with its errors) and, when problem is set, why
// the last form was not taken.
func (p *Pages) showConversation(w http.ResponseWriter, r *http.Request, cv consumerView, status int, form *web.Form, problem string) {
	t, err := p.cfg.Support.ConsumerThread(r.Context(), cv.Consumer.PersonID, r.PathValue("id"))
	if apperr.Code(err) == apperr.NotFound {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	c := t.Conversation
	page := conversationPageData{shell: shell{Email: cv.Consumer.Email, Nav: "support"}, Conversation: c, Badge: conversationBadge(c.Status),
		Messages: make([]conversationMessage, 0, len(t.Messages)), CanWrite: c.Status.Open(), CanAskPerson: c.Status == support.WithAssistant,
		Problem: problem, Form: form, MaxMessage: support.MaxMessage, CaseURL: caseURL(c)}
	if c.ConvertedKind != "" {
		page.CaseKey = "support.case." + string(c.ConvertedKind)
	}
	if c.OrderID != "" {
		if pl, err := p.cfg.Plans.PersonPlan(r.Context(), cv.Consumer.PersonID, c.OrderID); err == nil {
			page.OrderURL, page.OrderRef = orderPath(c.OrderID), pl.OrderReference
		}
	}
	lang := web.Lang(r)
	for _, m := range t.Messages {
		page.Messages = append(page.Messages, conversationMessage{Message: m, AuthorKey: "support.author." + string(m.Author), When: support.When(lang, m.At),
			Assistant: m.Author == support.AuthorAssistant, Mine: m.Author == support.AuthorConsumer})
	}
	p.rd.Render(w, r, status, "consumer/support_conversation", page)
}

// conversationForm parses a posted form on a conversation with its
// version, or answers 400 and reports false.
func (p *Pages) conversationForm(w http.ResponseWriter, r *http.Request) (*web.Form, int64, bool) {
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

// supportRefusal is the catalog key telling the consumer why their action
// on a conversation was refused: it changed since the page was shown (new
// messages), or takes no more messages; "" for any other error.
func supportRefusal(err error) string {
	switch apperr.Code(err) {
	case support.CodeChanged:
		return "supportapp.changed"
	case support.CodeWrongState:
		return "supportapp.wrong_state"
	}
	if errors.Is(err, store.ErrConflict) {
		return "supportapp.changed"
	}
	return ""
}

// afterConversationAction answers the outcome of a consumer's action on a
// conversation: the page on success, the page again with why otherwise
// (409 when it changed meanwhile, the text kept), writing nothing.
func (p *Pages) afterConversationAction(w http.ResponseWriter, r *http.Request, cv consumerView, form *web.Form, err error) {
	switch {
	case err == nil:
		web.Redirect(w, r, conversationURL(r.PathValue("id"))+"#latest")
	case apperr.Code(err) == apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
	case apperr.Code(err) == apperr.BadValue:
		p.rd.Error(w, r, http.StatusBadRequest)
	case supportRefusal(err) != "":
		p.showConversation(w, r, cv, http.StatusConflict, form, supportRefusal(err))
	default:
		p.serverError(w, r, err)
	}
}

// postMessage adds the consumer's message; the assistant, while it has the
// conversation, answers at once.
func (p *Pages) postMessage(w http.ResponseWriter, r *http.Request, cv consumerView) {
	form, version, ok := p.conversationForm(w, r)
	if !ok {
		return
	}
	form.Required("message")
	form.MaxLength("message", support.MaxMessage)
	if !form.Valid() {
		p.showConversation(w, r, cv, http.StatusUnprocessableEntity, form, "")
		return
	}
	_, err := p.cfg.Support.Post(r.Context(), cv.Consumer.PersonID, "consumer:"+cv.Consumer.ID, r.PathValue("id"), version, form.Values.Get("message"))
	p.afterConversationAction(w, r, cv, form, err)
}

// askForPerson passes the conversation from the assistant to customer
// service.
func (p *Pages) askForPerson(w http.ResponseWriter, r *http.Request, cv consumerView) {
	form, version, ok := p.conversationForm(w, r)
	if !ok {
		return
	}
	_, err := p.cfg.Support.HandOver(r.Context(), cv.Consumer.PersonID, "consumer:"+cv.Consumer.ID, r.PathValue("id"), version, "")
	if err == nil {
		web.Flash(w, r, web.FlashSuccess, "supportapp.handed_over")
	}
	p.afterConversationAction(w, r, cv, form, err)
}
