package consumerapp

import (
	"net/http"
	"strconv"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/decision"
	"github.com/tillit/tillit/internal/disclosure"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// decisionsPath is the page of the automated decisions about the consumer
// and the disclosures of their data.
const decisionsPath = Prefix + "decisions"

// statementField is the name of the contest form's statement field.
const statementField = "statement"

// decisionsPage is the data of the decisions page.
type decisionsPage struct {
	shell
	Decisions   []decisionView
	Disclosures []disclosure.Disclosure
	// Form is the contest form that failed, shown again with its errors.
	Form *web.Form
	// MaxStatement is the longest statement, in characters.
	MaxStatement int
}

// decisionView is one decision as the page shows it. Its statement field
// has its own id; the field of the form that failed is
// web.FieldID(statementField), the one the error summary links to.
type decisionView struct {
	decision.Decision
	// Badge is the colour of the outcome's badge.
	Badge string
	// SettledKey explains what a person decided since, if anything.
	SettledKey string
	FieldID    string
	// Error and Value are the failed form's error and statement, on the
	// decision whose form failed.
	Error *web.Message
	Value string
}

// outcomeBadge is the badge colour of an outcome.
func outcomeBadge(o decision.Outcome) string {
	switch o {
	case decision.Approved:
		return "success"
	case decision.Referred:
		return "warning"
	}
	return "error"
}

// decisions shows the consumer's automated decisions, with their reasons,
// contests and a form to contest each that is not under review, and the
// disclosures of their data.
func (p *Pages) decisions(w http.ResponseWriter, r *http.Request, cv consumerView) {
	p.showDecisions(w, r, cv, http.StatusOK, "", nil)
}

// showDecisions renders the page; failedRef and form are the contest form
// that failed, if any.
func (p *Pages) showDecisions(w http.ResponseWriter, r *http.Request, cv consumerView, status int, failedRef string, form *web.Form) {
	page := decisionsPage{shell: shell{Email: cv.Consumer.Email, Nav: "decisions"}, Form: form, MaxStatement: decision.MaxStatement}
	err := p.cfg.Decisions.DB.Read(r.Context(), func(tx *store.Tx) error {
		ds, err := p.cfg.Decisions.ForPerson(tx, cv.Consumer.PersonID)
		if err != nil {
			return err
		}
		page.Decisions = make([]decisionView, 0, len(ds))
		for i, d := range ds {
			v := decisionView{Decision: d, Badge: outcomeBadge(d.Outcome), FieldID: web.FieldID(statementField) + "-" + strconv.Itoa(i)}
			if d.SettledAs != "" {
				v.SettledKey = "decision.settled." + string(d.SettledAs)
			}
			if d.Ref == failedRef && form != nil {
				v.FieldID, v.Error, v.Value = web.FieldID(statementField), form.Error(statementField), form.Get(statementField)
			}
			page.Decisions = append(page.Decisions, v)
		}
		page.Disclosures, err = disclosure.ForPerson(tx, cv.Consumer.PersonID)
		return err
	})
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.rd.Render(w, r, status, "consumer/decisions", page)
}

// contest files the consumer's contest of one of their decisions. An empty
// or too long statement is shown again with its error (422); a decision
// that is not theirs answers 404 and one already under review 409, writing
// nothing.
func (p *Pages) contest(w http.ResponseWriter, r *http.Request, cv consumerView) {
	if !p.parseForm(w, r) {
		return
	}
	ref := r.PathValue("ref")
	form := web.NewForm(r.PostForm)
	form.Required(statementField)
	form.MaxLength(statementField, decision.MaxStatement)
	if !form.Valid() {
		p.showInvalid(w, r, cv, ref, form)
		return
	}
	err := p.cfg.Decisions.DB.Write(r.Context(), func(tx *store.Tx) error {
		_, err := p.cfg.Decisions.Contest(tx, decision.ContestRequest{
			PersonID: cv.Consumer.PersonID, DecisionRef: ref, Statement: form.Get(statementField),
			ReplyTo: cv.Consumer.Email, Locale: string(web.Lang(r)),
		})
		return err
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
	case decision.CodeAlreadyContested:
		form.AddError(statementField, "consumer.decisions.already_contested")
		p.showDecisions(w, r, cv, http.StatusConflict, ref, form)
		return
	default:
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "consumer.decisions.contested")
	web.Redirect(w, r, decisionsPath)
}

// showInvalid shows a contest form with errors again (422), when the
// decision is the consumer's; any other answers 404.
func (p *Pages) showInvalid(w http.ResponseWriter, r *http.Request, cv consumerView, ref string, form *web.Form) {
	var ds []decision.Decision
	err := p.cfg.Decisions.DB.Read(r.Context(), func(tx *store.Tx) (err error) {
		ds, err = p.cfg.Decisions.ForPerson(tx, cv.Consumer.PersonID)
		return err
	})
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	for _, d := range ds {
		if d.Ref == ref {
			p.showDecisions(w, r, cv, http.StatusUnprocessableEntity, ref, form)
			return
		}
	}
	p.rd.Error(w, r, http.StatusNotFound)
}
