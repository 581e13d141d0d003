package consumerapp

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/fraudcase"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// Buyer protection in the app (requirements B1-B3, package dispute): an
// order's page offers "Report a problem" (problemPath), where the consumer
// picks a reason and sees, for each, whether buyer protection applies (and
// the configured exceptions), how long the payments pause and until when
// the merchant has to answer. Sending it opens the dispute, which pauses
// the order's payments at once; an unauthorised purchase goes to the fraud
// investigation instead of the merchant. The dispute's page (disputePath)
// shows its status, deadline, timeline, the merchant's answer, the
// decision and what happens next, and takes more information from the
// consumer.

// Form fields of the dispute pages.
const (
	reasonField      = "reason"
	informationField = "information"
	versionField     = "version"
)

// problemPath is the form reporting a problem with an order; reason, when
// valid, is chosen in advance.
func problemPath(orderID string, reason dispute.Reason) string {
	p := orderPath(orderID) + "/problem"
	if reason != "" {
		p += "?" + url.Values{reasonField: {string(reason)}}.Encode()
	}
	return p
}

// disputePath is the page of one of the consumer's disputes.
func disputePath(id string) string { return Prefix + "disputes/" + url.PathEscape(id) }

// addDisputes serves the dispute pages.
func (p *Pages) addDisputes(mux *access.Router) {
	mux.HandleFunc("GET "+Prefix+"orders/{order}/problem", p.signedIn(p.problem))
	mux.HandleFunc("POST "+Prefix+"orders/{order}/disputes", p.signedIn(p.openDispute))
	mux.HandleFunc("GET "+Prefix+"disputes/{id}", p.signedIn(p.disputePage))
	mux.HandleFunc("POST "+Prefix+"disputes/{id}/information", p.signedIn(p.addInformation))
}

// consumerActor names the consumer in audit logs and timelines.
func consumerActor(cv consumerView) string { return "consumer:" + cv.Consumer.ID }

// disputeBadge is a dispute's status as a badge; a closed dispute shows
// its outcome.
func disputeBadge(d dispute.Dispute) badge {
	switch {
	case d.Status == dispute.Referred:
		return badge{"consumerdispute.status.referred", "warning"}
	case d.Status.Live():
		return badge{"consumerdispute.status." + string(d.Status), "info"}
	case d.Outcome == dispute.ConsumerWon:
		return badge{"consumerdispute.status.consumer_won", "success"}
	}
	return badge{"consumerdispute.status.merchant_won", ""}
}

// disputeRow is one of an order's disputes in its page's list.
type disputeRow struct {
	URL       string
	ReasonKey string
	Opened    time.Time
	// Deadline is the merchant's deadline, while it waits for them.
	Deadline *time.Time
	Status   badge
}

// reasonChoice is a reason the problem form offers, with what opening a
// dispute for it does.
type reasonChoice struct {
	Reason dispute.Reason
	// Fraud is whether the reason goes to the fraud investigation.
	Fraud bool
	// Protected is whether buyer protection applies to the reason;
	// Exceptions are the catalog keys of the orders it does not cover.
	Protected  bool
	Exceptions []string
	// PauseDays and PausedUntil are how long the payments pause, and
	// until when, if the dispute opens now; Deadline is when the merchant
	// must have answered.
	PauseDays   int
	PausedUntil time.Time
	Deadline    time.Time
	Checked     bool
}

// problemPage is the data of the problem form.
type problemPage struct {
	shell
	Plan         repayment.Plan
	Reasons      []reasonChoice
	Form         *web.Form
	MaxStatement int
}

// problem shows the form reporting a problem with one of the consumer's
// orders.
func (p *Pages) problem(w http.ResponseWriter, r *http.Request, cv consumerView) {
	pl, ok := p.consumerPlan(w, r, cv)
	if !ok {
		return
	}
	form := web.NewForm(nil)
	if reason := dispute.Reason(r.URL.Query().Get(reasonField)); reason.Valid() {
		form.Values.Set(reasonField, string(reason))
	}
	p.showProblem(w, r, cv, pl, http.StatusOK, form)
}

// showProblem renders the problem form with form (empty, or as sent with
// its errors).
func (p *Pages) showProblem(w http.ResponseWriter, r *http.Request, cv consumerView, pl repayment.Plan, status int, form *web.Form) {
	now := p.cfg.Clock.Now()
	cfg := p.cfg.Disputes.Config()
	page := problemPage{shell: shell{Email: cv.Consumer.Email}, Plan: pl, Form: form, MaxStatement: dispute.MaxStatement}
	for _, reason := range dispute.Reasons {
		rc := cfg.For(reason)
		c := reasonChoice{Reason: reason, Fraud: reason == dispute.Unauthorised, Protected: rc.Protected(),
			PauseDays: rc.PauseDays, PausedUntil: pl.PausedUntilAfterNewHold(now, rc.PauseDays), Deadline: now.Add(rc.RespondWithin),
			Checked: form.Get(reasonField) == string(reason)}
		for _, ex := range rc.Exceptions {
			c.Exceptions = append(c.Exceptions, ex.Key)
		}
		page.Reasons = append(page.Reasons, c)
	}
	p.rd.Render(w, r, status, "consumer/problem", page)
}

// openDispute opens a dispute on one of the consumer's orders for the
// reason chosen, with their optional statement; the order's payments
// pause. Mistakes show the form again (422), an order that already has a
// live dispute or nothing left to dispute answers 409 with the form, and
// another person's order 404, each writing nothing.
func (p *Pages) openDispute(w http.ResponseWriter, r *http.Request, cv consumerView) {
	if !p.parseForm(w, r) {
		return
	}
	pl, ok := p.consumerPlan(w, r, cv)
	if !ok {
		return
	}
	form := web.NewForm(r.PostForm)
	reason := dispute.Reason(form.Get(reasonField))
	switch {
	case reason == "":
		form.AddError(reasonField, "consumerdispute.problem.choose")
	case !reason.Valid():
		form.AddError(reasonField, "form.invalid_choice")
	}
	form.MaxLength(statementField, dispute.MaxStatement)
	if !form.Valid() {
		p.showProblem(w, r, cv, pl, http.StatusUnprocessableEntity, form)
		return
	}
	d, err := p.openFor(r, cv, pl.OrderID, reason, form.Get(statementField))
	if key, status := openProblem(err); key != "" {
		field := reasonField
		if status == http.StatusUnprocessableEntity {
			field = statementField
		}
		form.AddError(field, key)
		p.showProblem(w, r, cv, pl, status, form)
		return
	}
	switch errCode(err) {
	case "":
	case apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
		return
	default:
		p.serverError(w, r, err)
		return
	}
	if d.Status == dispute.Referred {
		web.Flash(w, r, web.FlashSuccess, "consumerdispute.referred")
	} else {
		web.Flash(w, r, web.FlashSuccess, "consumerdispute.opened")
	}
	web.Redirect(w, r, disputePath(d.ID))
}

// openFor opens the consumer's dispute of an order in one transaction.
func (p *Pages) openFor(r *http.Request, cv consumerView, orderID string, reason dispute.Reason, statement string) (dispute.Dispute, error) {
	var d dispute.Dispute
	err := p.cfg.Plans.DB.Write(r.Context(), func(tx *store.Tx) (err error) {
		d, err = p.cfg.Disputes.Open(tx, cv.Consumer.PersonID, consumerActor(cv), orderID, reason, statement)
		return err
	})
	return d, err
}

// openProblem is the catalog key and status of a dispute that could not
// open for a reason the consumer can act on, or "" for any other outcome.
func openProblem(err error) (string, int) {
	switch errCode(err) {
	case dispute.CodeAlreadyOpen:
		return "consumerdispute.already_open", http.StatusConflict
	case fraudcase.CodeAlreadyOpen:
		return "fraudcase.consumer.already_open", http.StatusConflict
	case apperr.NotAllowed:
		return "consumerdispute.nothing_left", http.StatusConflict
	case apperr.BadValue:
		return "consumerdispute.bad_text", http.StatusUnprocessableEntity
	}
	return "", 0
}

// disputeEvent is one entry of a dispute's timeline as the consumer reads
// it.
type disputeEvent struct {
	At      time.Time
	NameKey string
	// Body is what the consumer or the merchant wrote, if anything.
	Body string
}

// merchantAnswer sums up the merchant's answer.
type merchantAnswer struct {
	// Key says whether they accepted, contested, have not answered yet or
	// let the deadline pass.
	Key string
	At  time.Time
	dispute.Evidence
	Documents []dispute.DocumentInfo
}

// disputePageData is the data of a dispute's page.
type disputePageData struct {
	shell
	Dispute dispute.Dispute
	Badge   badge
	// ProtectionKey says whether buyer protection applies;
	// ExceptionKey why not, when an exception took it away.
	ProtectionKey string
	ExceptionKey  string
	// NextKey says what happens next; NextDue is the next payment's due
	// date, PausedUntil the end of the pause in force.
	NextKey     string
	NextDue     *time.Time
	PausedUntil *time.Time
	Answer      merchantAnswer
	Timeline    []disputeEvent
	// FraudClaim is the fraud investigation of a referred dispute.
	FraudClaim *fraudClaim
	// MayAdd is whether the consumer can add information.
	MayAdd       bool
	Form         *web.Form
	MaxStatement int
}

// disputePage shows one of the consumer's disputes; any other answers 404.
func (p *Pages) disputePage(w http.ResponseWriter, r *http.Request, cv consumerView) {
	v, ok := p.consumerDispute(w, r, cv)
	if !ok {
		return
	}
	p.showDispute(w, r, cv, v, http.StatusOK, web.NewForm(nil))
}

// consumerDispute loads the dispute of the request's path if it is the
// consumer's; otherwise it answers 404 and reports false.
func (p *Pages) consumerDispute(w http.ResponseWriter, r *http.Request, cv consumerView) (dispute.View, bool) {
	v, err := p.cfg.Disputes.ConsumerView(r.Context(), cv.Consumer.PersonID, r.PathValue("id"))
	switch errCode(err) {
	case "":
		return v, true
	case apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
	default:
		p.serverError(w, r, err)
	}
	return dispute.View{}, false
}

// showDispute renders a dispute's page with the information form (empty,
// or as sent with its error).
func (p *Pages) showDispute(w http.ResponseWriter, r *http.Request, cv consumerView, v dispute.View, status int, form *web.Form) {
	d := v.Dispute
	page := disputePageData{shell: shell{Email: cv.Consumer.Email}, Dispute: d, Badge: disputeBadge(d), Form: form, MaxStatement: dispute.MaxStatement,
		MayAdd: d.Status.Live() && d.Status != dispute.Referred, Answer: answerOf(v)}
	switch {
	case d.Reason == dispute.Unauthorised:
		page.ProtectionKey = "consumerdispute.protection.fraud"
	case d.Protected:
		page.ProtectionKey = "consumerdispute.protection.yes"
	default:
		page.ProtectionKey, page.ExceptionKey = "consumerdispute.protection.no", d.Exception
	}
	page.NextKey = nextKey(d)
	pl, err := p.cfg.Plans.PersonPlan(r.Context(), cv.Consumer.PersonID, d.OrderID)
	switch errCode(err) {
	case "":
		page.PausedUntil = pl.PausedUntil
		if pl.Next != nil && owed(pl) > 0 {
			due := pl.Next.Due
			page.NextDue = &due
		}
	case apperr.NoSuchOrder: // no plan: nothing paused or due
	default:
		p.serverError(w, r, err)
		return
	}
	if d.Status == dispute.Referred {
		if page.FraudClaim, err = p.fraudClaimOf(r, cv, d.OrderID); err != nil {
			p.serverError(w, r, err)
			return
		}
	}
	for _, e := range v.Timeline {
		page.Timeline = append(page.Timeline, disputeEvent{At: e.At, NameKey: "consumerdispute.event." + e.Kind, Body: e.Body})
	}
	p.rd.Render(w, r, status, "consumer/dispute", page)
}

// nextKey is the catalog key saying what happens next with a dispute.
func nextKey(d dispute.Dispute) string {
	switch {
	case d.Status == dispute.AwaitingMerchant && d.Protected:
		return "consumerdispute.next.awaiting_merchant"
	case d.Status == dispute.AwaitingMerchant:
		return "consumerdispute.next.awaiting_merchant_unprotected"
	case d.Status.Live():
		return "consumerdispute.next." + string(d.Status)
	case d.Outcome == dispute.MerchantWon:
		return "consumerdispute.next.merchant_won"
	case d.Resolution == dispute.Cancel:
		return "consumerdispute.next.cancelled"
	}
	return "consumerdispute.next.refunded"
}

// answerOf sums up the merchant's answer from the timeline.
func answerOf(v dispute.View) merchantAnswer {
	a := merchantAnswer{Key: "consumerdispute.answer.none", Evidence: v.Dispute.Evidence, Documents: v.Documents}
	for _, e := range v.Timeline {
		switch e.Kind {
		case dispute.EventAccepted, dispute.EventContested:
			a.Key, a.At = "consumerdispute.answer."+e.Kind, e.At
			return a
		case dispute.EventDeadline:
			a.Key, a.At = "consumerdispute.answer.missed", e.At
		}
	}
	if v.Dispute.Status == dispute.Referred {
		a.Key = "consumerdispute.answer.referred"
	}
	return a
}

// addInformation adds what the consumer writes to their live dispute. The
// version they read must still be current: when the dispute changed
// meanwhile the page shows it as it is now, with their text, and answers
// 409. Empty or too long text answers 422, a bad version 400, a closed or
// referred dispute 409, another person's dispute 404; each writes nothing.
func (p *Pages) addInformation(w http.ResponseWriter, r *http.Request, cv consumerView) {
	if !p.parseForm(w, r) {
		return
	}
	v, ok := p.consumerDispute(w, r, cv)
	if !ok {
		return
	}
	form := web.NewForm(r.PostForm)
	version, err := strconv.ParseInt(form.Get(versionField), 10, 64)
	if err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	if !v.Dispute.Status.Live() || v.Dispute.Status == dispute.Referred {
		form.AddError(informationField, "consumerdispute.info.closed")
		p.showDispute(w, r, cv, v, http.StatusConflict, form)
		return
	}
	form.Required(informationField)
	form.MaxLength(informationField, dispute.MaxStatement)
	if !form.Valid() {
		p.showDispute(w, r, cv, v, http.StatusUnprocessableEntity, form)
		return
	}
	err = p.cfg.Plans.DB.Write(r.Context(), func(tx *store.Tx) error {
		_, err := p.cfg.Disputes.AddInformation(tx, cv.Consumer.PersonID, consumerActor(cv), v.Dispute.ID, version, form.Get(informationField))
		return err
	})
	status := http.StatusConflict
	switch errCode(err) {
	case "":
		web.Flash(w, r, web.FlashSuccess, "consumerdispute.info.added")
		web.Redirect(w, r, disputePath(v.Dispute.ID))
		return
	case dispute.CodeChanged:
		form.AddError(informationField, "consumerdispute.info.changed")
	case dispute.CodeNotOpen:
		form.AddError(informationField, "consumerdispute.info.closed")
	case apperr.BadValue:
		form.AddError(informationField, "consumerdispute.bad_text")
		status = http.StatusUnprocessableEntity
	case apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
		return
	default:
		p.serverError(w, r, err)
		return
	}
	if v, ok = p.consumerDispute(w, r, cv); ok {
		p.showDispute(w, r, cv, v, status, form)
	}
}

// disputesOf lists an order's disputes for its page, newest first, and
// reports whether one is live.
func (p *Pages) disputesOf(r *http.Request, cv consumerView, orderID string) ([]disputeRow, []dispute.Dispute, bool, error) {
	ds, err := p.cfg.Disputes.ForOrder(r.Context(), cv.Consumer.PersonID, orderID)
	if err != nil {
		return nil, nil, false, err
	}
	var (
		rows []disputeRow
		live bool
	)
	for _, d := range ds {
		row := disputeRow{URL: disputePath(d.ID), ReasonKey: "dispute.reason." + string(d.Reason), Opened: d.CreatedAt, Status: disputeBadge(d)}
		if d.Status == dispute.AwaitingMerchant {
			deadline := d.DeadlineAt
			row.Deadline = &deadline
		}
		live = live || d.Status.Live()
		rows = append(rows, row)
	}
	return rows, ds, live, nil
}

// reportAsDispute is the report of a purchase not made by the consumer
// when the app takes disputes: it opens a dispute of an unauthorised
// purchase, which opens the fraud case with it, so the purchase has one
// record whichever way it was reported. A purchase already disputed or
// under investigation shows the report form again (409).
func (p *Pages) reportAsDispute(w http.ResponseWriter, r *http.Request, cv consumerView, pl repayment.Plan, form *web.Form) {
	d, err := p.openFor(r, cv, pl.OrderID, dispute.Unauthorised, form.Get(statementField))
	if key, status := openProblem(err); key != "" {
		form.AddError(statementField, key)
		p.showNotMine(w, r, cv, pl, status, form)
		return
	}
	switch errCode(err) {
	case "":
		web.Flash(w, r, web.FlashSuccess, "fraudcase.consumer.opened")
		web.Redirect(w, r, disputePath(d.ID))
	case apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
	default:
		p.serverError(w, r, err)
	}
}
