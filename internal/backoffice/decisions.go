package backoffice

import (
	"context"
	"net/http"
	"time"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/decision"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// The queues of contested automated decisions (requirement D7): credit and
// fraud decisions for risk analysts and the data protection team, AML
// decisions for AML officers, as decision.MayReview says. The contest page
// shows the person's statement, personal data: every opening of it is
// audited (decision.ActionContestViewed), as is every review.
const (
	ContestedQueueKey    = "contested_decisions"
	ContestedAMLQueueKey = "contested_aml_decisions"
)

// contestURL is a contest's review page.
func contestURL(id string) string { return Prefix + "contests/" + id }

// contestQueueKey is the key of the queue a contest of kind k waits in.
func contestQueueKey(k decision.Kind) string {
	if k == decision.AML {
		return ContestedAMLQueueKey
	}
	return ContestedQueueKey
}

// addDecisions adds the queues of contested decisions and serves the
// contest pages.
func (p *Pages) addDecisions(mux *access.Router) {
	p.AddQueue(p.contestQueue(ContestedQueueKey, "staff.queue.contested_decisions",
		[]account.Role{account.RoleRiskAnalyst, account.RoleDataProtection}, decision.Credit, decision.Fraud))
	p.AddQueue(p.contestQueue(ContestedAMLQueueKey, "staff.queue.contested_aml_decisions",
		[]account.Role{account.RoleAMLOfficer}, decision.AML))
	mux.Handle("GET /staff/contests/{id}", p.staff(p.contestPage))
	mux.Handle("POST /staff/contests/{id}/review", p.staff(p.reviewContest))
}

// contestQueue is the queue of open contests of decisions of the kinds,
// oldest first. Its items show the merchant and amount, nothing about the
// person.
func (p *Pages) contestQueue(key, title string, roles []account.Role, kinds ...decision.Kind) Queue {
	svc := p.cfg.Decisions
	return Queue{
		Key: key, Title: title, Roles: roles,
		Count: func(ctx context.Context) (int, error) { return svc.CountOpen(ctx, kinds...) },
		List: func(ctx context.Context, limit int) ([]QueueItem, error) {
			cs, err := svc.ListOpen(ctx, limit, kinds...)
			if err != nil {
				return nil, err
			}
			out := make([]QueueItem, 0, len(cs))
			for _, c := range cs {
				out = append(out, QueueItem{ID: c.ID, Label: contestLabel(c.ID), Context: c.MerchantName,
					Amount: c.Amount, Currency: c.Currency, Since: c.CreatedAt})
			}
			return out, nil
		},
		ItemURL: func(it QueueItem) string { return contestURL(it.ID) },
	}
}

// contestLabel is a short label of a contest: the random end of its id.
func contestLabel(id string) string {
	if len(id) > 8 {
		return id[len(id)-8:]
	}
	return id
}

// contestPage is the data of a contest's page.
type contestPage struct {
	frame
	Contest    decision.Contest
	ReviewedAt time.Time
	QueueURL   string
	Form       *web.Form
	MaxNote    int
}

// Open reports whether the contest awaits a review (and the form shows).
func (c contestPage) Open() bool { return c.Contest.Status == decision.StatusOpen }

// contestPage shows a contest with the person's statement, and the review
// form while it is open; the view is audited.
func (p *Pages) contestPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.showContest(w, r, v, http.StatusOK, web.NewForm(nil))
}

// showContest renders a contest's page for v, who must be allowed to
// review its kind.
func (p *Pages) showContest(w http.ResponseWriter, r *http.Request, v *viewer, status int, form *web.Form) {
	var c decision.Contest
	err := p.cfg.DB.Write(r.Context(), func(tx *store.Tx) (err error) {
		c, err = p.cfg.Decisions.ContestForReview(tx, v.Staff, r.PathValue("id"))
		return err
	})
	if p.contestFailed(w, r, err) {
		return
	}
	page := contestPage{frame: newFrame(v, "home"), Contest: c, QueueURL: queueURL(contestQueueKey(c.Kind)), Form: form, MaxNote: decision.MaxNote}
	if c.ReviewedAt != nil {
		page.ReviewedAt = *c.ReviewedAt
	}
	p.rd.Render(w, r, status, "staff/contest", page)
}

// contestFailed answers a failed contest lookup or review and reports
// whether there was a failure: 404 for an unknown contest, 403 for a kind
// the member's role may not review.
func (p *Pages) contestFailed(w http.ResponseWriter, r *http.Request, err error) bool {
	switch apperr.Code(err) {
	case apperr.Internal:
		if err == nil {
			return false
		}
		p.fail(w, r, "contest", err)
	case apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
	case apperr.Forbidden:
		p.rd.Error(w, r, http.StatusForbidden)
	default:
		p.rd.Error(w, r, http.StatusBadRequest)
	}
	return true
}

// reviewContest records a review: the outcome and the explanation to the
// person. decision.Review audits it and e-mails the person.
func (p *Pages) reviewContest(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	outcome := decision.ReviewOutcome(form.Get("outcome"))
	if !outcome.Valid() {
		form.AddError("outcome", "staff.contest.choose_outcome")
	}
	form.Required("note")
	form.MaxLength("note", decision.MaxNote)
	if !form.Valid() {
		p.showContest(w, r, v, http.StatusUnprocessableEntity, form)
		return
	}
	id := r.PathValue("id")
	var c decision.Contest
	err := p.cfg.DB.Write(r.Context(), func(tx *store.Tx) (err error) {
		c, err = p.cfg.Decisions.Review(tx, v.Staff, id, outcome, form.Get("note"))
		return err
	})
	if apperr.Code(err) == decision.CodeAlreadyReviewed {
		web.Flash(w, r, web.FlashWarning, "staff.contest.already_reviewed")
		web.Redirect(w, r, contestURL(id))
		return
	}
	if p.contestFailed(w, r, err) {
		return
	}
	web.Flash(w, r, web.FlashSuccess, "staff.contest.recorded")
	web.Redirect(w, r, queueURL(contestQueueKey(c.Kind)))
}
