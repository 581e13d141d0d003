// Package contactpage serves the support inbox's public pages (package
// support), for someone without an account:
//
//	GET  /support/contact                        the contact form
//	POST /support/contact                        e-mail address and message;
//	                                             the thanks page names the
//	                                             conversation's reference
//	GET  /support/conversations/{id}/{token}     the conversation a signed
//	                                             link (e-mailed) opens
//	POST /support/conversations/{id}/{token}     the visitor's answer
//
// Bodies are capped before anything reads them (the CSRF check parses the
// form), forms carry the usual CSRF token, and the service rate-limits new
// conversations per client network and per address.
package contactpage

import (
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/securityreport"
	"github.com/tillit/tillit/internal/signedlink"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/support"
	"github.com/tillit/tillit/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Paths of the pages. Prefix is where Handler is mounted.
const (
	Prefix      = "/support/"
	ContactPath = Prefix + "contact"
)

// MaxBody caps a posted form: the longest message in four-byte characters,
// and room for the other fields.
const MaxBody = 4*support.MaxMessage + 16<<10

// Pages serves the public support pages.
type Pages struct {
	svc     *support.Service
	rd      *web.Renderer
	log     *slog.Logger
	handler http.Handler
}

// New returns the pages over svc. key signs CSRF tokens: at least
// web.MinKeyLen bytes (the instance's web key).
func New(svc *support.Service, key []byte, secureCookies bool, logger *slog.Logger) (*Pages, error) {
	if svc == nil {
		return nil, errors.New("contactpage: a support.Service is required")
	}
	if logger == nil {
		logger = slog.Default()
	}
	rd, err := web.NewRenderer(web.Options{Key: key, SecureCookies: secureCookies, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("contactpage: %w", err)
	}
	if err := rd.AddPages("support", templates, "templates/*.html"); err != nil {
		return nil, fmt.Errorf("contactpage: %w", err)
	}
	p := &Pages{svc: svc, rd: rd, log: logger}
	mux := access.NewRouter(access.Gate{}) // public pages only
	mux.HandleFunc("GET "+ContactPath, p.form)
	mux.HandleFunc("POST "+ContactPath, p.submit)
	mux.HandleFunc("GET "+support.VisitorPath+"{id}/{token}", p.conversation)
	mux.HandleFunc("POST "+support.VisitorPath+"{id}/{token}", p.answer)
	mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) { rd.Error(w, r, http.StatusNotFound) })
	inner := rd.Middleware(mux)
	p.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if r.ContentLength > MaxBody {
				rd.Error(w, r, http.StatusRequestEntityTooLarge)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
		}
		inner.ServeHTTP(w, r)
	})
	return p, nil
}

// Handler serves every path under Prefix.
func (p *Pages) Handler() http.Handler { return p.handler }

// contactPage is the data of the contact form; Thanks is set once the
// conversation is open.
type contactPage struct {
	Form       *web.Form
	MaxMessage int
	Thanks     *support.Receipt
}

// form shows the empty contact form.
func (p *Pages) form(w http.ResponseWriter, r *http.Request) {
	p.rd.Render(w, r, http.StatusOK, "support/contact", contactPage{Form: web.NewForm(nil), MaxMessage: support.MaxMessage})
}

// parse parses a posted form, or answers 413 or 400 and reports false.
func (p *Pages) parse(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			p.rd.Error(w, r, http.StatusRequestEntityTooLarge)
		} else {
			p.rd.Error(w, r, http.StatusBadRequest)
		}
		return false
	}
	return true
}

// submit opens a conversation from the contact form. A bad address, a
// missing message or one too long are shown again (422), too many new
// conversations from the network or for the address 429; each writes
// nothing.
func (p *Pages) submit(w http.ResponseWriter, r *http.Request) {
	if !p.parse(w, r) {
		return
	}
	form := web.NewForm(r.PostForm)
	if _, err := support.CheckEmail(form.Get("email")); err != nil {
		form.AddError("email", "supportpublic.error.email")
	}
	form.Required("message")
	form.MaxLength("message", support.MaxMessage)
	page := contactPage{Form: form, MaxMessage: support.MaxMessage}
	if !form.Valid() {
		p.rd.Render(w, r, http.StatusUnprocessableEntity, "support/contact", page)
		return
	}
	rc, err := p.svc.OpenForVisitor(r.Context(), securityreport.NetworkOf(r.RemoteAddr), support.VisitorOpening{
		Email: form.Get("email"), Message: form.Values.Get("message"), Lang: web.Lang(r)})
	switch code := apperr.Code(err); {
	case err == nil:
		p.rd.Render(w, r, http.StatusOK, "support/contact", contactPage{Form: web.NewForm(nil), MaxMessage: support.MaxMessage, Thanks: &rc})
	case code == apperr.TooManyRequests:
		form.AddError("message", "supportpublic.error.too_many")
		p.rd.Render(w, r, http.StatusTooManyRequests, "support/contact", page)
	case code == apperr.BadValue:
		p.rd.Error(w, r, http.StatusBadRequest)
	default:
		p.fail(w, r, err)
	}
}

// fail logs an unexpected error (nothing personal) and answers 500.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	p.log.Error("contactpage: request failed", "err", err)
	p.rd.Error(w, r, http.StatusInternalServerError)
}

// visitorMessage is a message as the visitor sees it.
type visitorMessage struct {
	support.Message
	AuthorKey string
	When      string
	Assistant bool
}

// threadPage is the data of a visitor's conversation page.
type threadPage struct {
	Conversation support.Conversation
	Messages     []visitorMessage
	CaseKey      string
	// Action is where the answer form posts: the page's own address.
	Action     string
	Problem    string
	Form       *web.Form
	MaxMessage int
}

// conversation shows the conversation a signed link opens.
func (p *Pages) conversation(w http.ResponseWriter, r *http.Request) {
	p.showConversation(w, r, http.StatusOK, web.NewForm(nil), "")
}

// linkError answers a link that opens nothing: 410 for an expired one, 404
// otherwise; it reports whether it answered.
func (p *Pages) linkError(w http.ResponseWriter, r *http.Request, err error) bool {
	if err == nil {
		return false
	}
	switch apperr.Code(err) {
	case signedlink.CodeExpired:
		p.rd.Error(w, r, http.StatusGone)
	case apperr.BadValue, apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
	default:
		p.fail(w, r, err)
	}
	return true
}

// showConversation renders the conversation with form (empty, or as
// submitted with its errors) and, when problem is set, why the last answer
// was not taken.
func (p *Pages) showConversation(w http.ResponseWriter, r *http.Request, status int, form *web.Form, problem string) {
	t, err := p.svc.VisitorThread(r.Context(), r.PathValue("id"), r.PathValue("token"))
	if p.linkError(w, r, err) {
		return
	}
	c := t.Conversation
	page := threadPage{Conversation: c, Action: r.URL.Path, Problem: problem, Form: form, MaxMessage: support.MaxMessage}
	if c.ConvertedKind != "" {
		page.CaseKey = "support.case." + string(c.ConvertedKind)
	}
	lang := web.Lang(r)
	for _, m := range t.Messages {
		page.Messages = append(page.Messages, visitorMessage{Message: m, AuthorKey: "support.author." + string(m.Author),
			When: support.When(lang, m.At), Assistant: m.Author == support.AuthorAssistant})
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	p.rd.Render(w, r, status, "support/conversation", page)
}

// answer adds the visitor's answer through their link. A missing or too
// long message is shown again (422); a conversation changed meanwhile or
// closed 409 with why; each writes nothing.
func (p *Pages) answer(w http.ResponseWriter, r *http.Request) {
	if !p.parse(w, r) {
		return
	}
	form := web.NewForm(r.PostForm)
	version, err := strconv.ParseInt(form.Get("version"), 10, 64)
	if err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form.Required("message")
	form.MaxLength("message", support.MaxMessage)
	if !form.Valid() {
		p.showConversation(w, r, http.StatusUnprocessableEntity, form, "")
		return
	}
	_, err = p.svc.VisitorPost(r.Context(), r.PathValue("id"), r.PathValue("token"), version, form.Values.Get("message"))
	switch {
	case err == nil:
		web.Flash(w, r, web.FlashSuccess, "supportpublic.sent")
		web.Redirect(w, r, r.URL.Path)
	case apperr.Code(err) == support.CodeChanged || errors.Is(err, store.ErrConflict):
		p.showConversation(w, r, http.StatusConflict, form, "supportapp.changed")
	case apperr.Code(err) == support.CodeWrongState:
		p.showConversation(w, r, http.StatusConflict, form, "supportapp.wrong_state")
	default:
		// The message was checked above: a BAD_VALUE is the link's.
		p.linkError(w, r, err)
	}
}
