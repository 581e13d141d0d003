package portal

import (
	"net/http"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/fraudcase"
	"github.com/tillit/tillit/internal/signedlink"
	"github.com/tillit/tillit/internal/web"
)

// caseReplyPath is the pattern of the page where a merchant answers a
// fraud investigator's request for more information, through the signed
// link e-mailed to them (fraudcase.ReplyPath): no portal sign-in, the link
// works for one case only and until it expires.
const caseReplyPath = "/portal/fraud-cases/{id}/reply/{token}"

// replyField is the answer's field on the form.
const replyField = "reply"

// caseReplyPage is the data of the reply page.
type caseReplyPage struct {
	page
	Request  fraudcase.Request
	Form     *web.Form
	MaxReply int
	Action   string
}

// caseReply shows the request a link opens: the order, the question, the
// merchant's earlier answers and the answer form.
func (p *Pages) caseReply(w http.ResponseWriter, r *http.Request) {
	req, ok := p.caseRequest(w, r)
	if !ok {
		return
	}
	p.showCaseReply(w, r, req, http.StatusOK, web.NewForm(nil))
}

func (p *Pages) showCaseReply(w http.ResponseWriter, r *http.Request, req fraudcase.Request, status int, form *web.Form) {
	p.rd.Render(w, r, status, "merchant/casereply", caseReplyPage{Request: req, Form: form, MaxReply: fraudcase.MaxReply, Action: r.URL.Path})
}

// caseRequest reads the request the link in the path opens, or answers: a
// forged or altered link or another case's 404, an expired one 410.
func (p *Pages) caseRequest(w http.ResponseWriter, r *http.Request) (fraudcase.Request, bool) {
	req, err := p.cfg.FraudCases.Request(r.Context(), r.PathValue("id"), r.PathValue("token"))
	switch apperr.Code(err) {
	case apperr.BadValue, apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
	case signedlink.CodeExpired:
		p.rd.Error(w, r, http.StatusGone)
	default:
		if err == nil {
			return req, true
		}
		p.fail(w, r, "read fraud case request", err)
	}
	return fraudcase.Request{}, false
}

// postCaseReply records the merchant's answer. An empty or too long answer
// is shown again (422) and a closed case answers 409, writing nothing; the
// merchant may answer again.
func (p *Pages) postCaseReply(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	req, ok := p.caseRequest(w, r)
	if !ok {
		return
	}
	if !req.Open {
		p.rd.Error(w, r, http.StatusConflict)
		return
	}
	form := web.NewForm(r.PostForm)
	form.Required(replyField)
	form.MaxLength(replyField, fraudcase.MaxReply)
	if !form.Valid() {
		p.showCaseReply(w, r, req, http.StatusUnprocessableEntity, form)
		return
	}
	err := p.cfg.FraudCases.Reply(r.Context(), r.PathValue("id"), r.PathValue("token"), form.Get(replyField))
	switch apperr.Code(err) {
	case apperr.NotAllowed:
		p.rd.Error(w, r, http.StatusConflict)
		return
	case apperr.BadValue, apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
		return
	case signedlink.CodeExpired:
		p.rd.Error(w, r, http.StatusGone)
		return
	default:
		if err != nil {
			p.fail(w, r, "record fraud case reply", err)
			return
		}
	}
	web.Flash(w, r, web.FlashSuccess, "fraudcase.reply.sent")
	web.Redirect(w, r, r.URL.Path)
}
