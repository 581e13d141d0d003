package consumerapp

import (
	"net/http"
	"strconv"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/risk/postapproval"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// verifyPath is the page where the consumer answers the security team's
// verification requests: did they make this purchase?
const verifyPath = Prefix + "verify"

// Fields of the answer form.
const (
	answerField = "answer"
	noteField   = "note"
)

// verifyPage is the data of the verification page.
type verifyPage struct {
	shell
	Requests []verifyView
	// Form is the answer form that failed, shown with its errors.
	Form    *web.Form
	MaxNote int
}

// verifyView is one request on the page; the answer form of the request
// whose answer failed carries its error and values.
type verifyView struct {
	postapproval.Verification
	// FieldID is the id of the request's first radio button (the error
	// summary's target for the failed form).
	FieldID     string
	NoteID      string
	AnswerError *web.Message
	NoteError   *web.Message
	Answer      string
	Note        string
}

// verify shows the verification requests waiting for the consumer.
func (p *Pages) verify(w http.ResponseWriter, r *http.Request, cv consumerView) {
	p.showVerify(w, r, cv, http.StatusOK, "", nil)
}

// showVerify renders the page; failedID and form are the answer that
// failed, if any.
func (p *Pages) showVerify(w http.ResponseWriter, r *http.Request, cv consumerView, status int, failedID string, form *web.Form) {
	page := verifyPage{shell: shell{Email: cv.Consumer.Email}, Form: form, MaxNote: postapproval.MaxNote}
	err := p.cfg.Verifications.DB().Read(r.Context(), func(tx *store.Tx) error {
		vs, err := p.cfg.Verifications.Verifications(tx, cv.Consumer.PersonID)
		if err != nil {
			return err
		}
		page.Requests = make([]verifyView, 0, len(vs))
		for i, v := range vs {
			view := verifyView{Verification: v, FieldID: "answer-" + strconv.Itoa(i), NoteID: "note-" + strconv.Itoa(i)}
			if v.ReviewID == failedID && form != nil {
				view.FieldID, view.NoteID = web.FieldID(answerField), web.FieldID(noteField)
				view.AnswerError, view.NoteError = form.Error(answerField), form.Error(noteField)
				view.Answer, view.Note = form.Get(answerField), form.Get(noteField)
			}
			page.Requests = append(page.Requests, view)
		}
		return nil
	})
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.rd.Render(w, r, status, "consumer/verify", page)
}

// answer records the consumer's answer to one of their verification
// requests. No choice or a too long note is shown again with its error
// (422); a request that is not theirs answers 404, one no longer awaiting
// an answer 409, writing nothing.
func (p *Pages) answer(w http.ResponseWriter, r *http.Request, cv consumerView) {
	if !p.parseForm(w, r) {
		return
	}
	id := r.PathValue("review")
	form := web.NewForm(r.PostForm)
	made := form.Get(answerField)
	if made != postapproval.AnswerMade && made != postapproval.AnswerNotMade {
		form.AddError(answerField, "riskreview.consumer.choose")
	}
	form.MaxLength(noteField, postapproval.MaxNote)
	if !form.Valid() {
		p.showVerify(w, r, cv, http.StatusUnprocessableEntity, id, form)
		return
	}
	err := p.cfg.Verifications.DB().Write(r.Context(), func(tx *store.Tx) error {
		return p.cfg.Verifications.Answer(tx, cv.Consumer.PersonID, "consumer:"+cv.Consumer.ID, id, made == postapproval.AnswerMade, form.Get(noteField))
	})
	switch apperr.Code(err) {
	case apperr.Internal:
		if err != nil {
			p.serverError(w, r, err)
			return
		}
	case apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
		return
	case apperr.NotAllowed:
		p.rd.Error(w, r, http.StatusConflict)
		return
	default:
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "riskreview.consumer.answered")
	web.Redirect(w, r, verifyPath)
}
