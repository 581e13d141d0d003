package complaint

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/store"
)

var errForbidden = apperr.New(apperr.Forbidden, "Your role does not handle complaints at this tier.")

// MayHandle tells whether a role works tier 1 (customer_service, admin).
func MayHandle(r account.Role) bool {
	return r == account.RoleCustomerService || r == account.RoleAdmin
}

// MayReview tells whether a role works tier 2 (customer_representative, admin).
func MayReview(r account.Role) bool {
	return r == account.RoleCustomerRepresentative || r == account.RoleAdmin
}

// mayWork tells whether a role works the complaint's tier.
func mayWork(r account.Role, tier int) bool {
	if tier == 2 {
		return MayReview(r)
	}
	return MayHandle(r)
}

// staffActor names a member of staff in the audit log and the timeline.
func staffActor(st account.Staff) string { return "staff:" + st.ID }

// partyOf is the side a member of staff acts for at a tier.
func partyOf(tier int) string {
	if tier == 2 {
		return PartyRepresentative
	}
	return PartyCustomerService
}

// Queue lists what the staff member's role handles: tier 1 open complaints
// for customer_service, tier 2 (in review) for customer_representative,
// both for admin; FORBIDDEN for other roles. Oldest deadline first (the
// PSD2 limit where it is sooner than the target).
func (s *Service) Queue(ctx context.Context, st account.Staff) ([]Complaint, error) {
	var statuses []any
	if MayHandle(st.Role) {
		statuses = append(statuses, string(Open))
	}
	if MayReview(st.Role) {
		statuses = append(statuses, string(InReview))
	}
	if len(statuses) == 0 {
		return nil, errForbidden
	}
	where := ` WHERE c.status = $1`
	if len(statuses) == 2 {
		where = ` WHERE c.status IN ($1, $2)`
	}
	out := []Complaint{}
	err := s.cfg.DB.Read(ctx, func(tx *store.Tx) error {
		rs, err := list(tx, where+` ORDER BY CASE WHEN c.psd2_at IS NOT NULL AND c.psd2_at < c.target_at THEN c.psd2_at ELSE c.target_at END, c.id`, statuses...)
		if err != nil {
			return err
		}
		for _, r := range rs {
			c, err := s.opened(tx, r)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// StaffView shows a complaint, with its whole timeline, to a member of a
// role that handles complaints (customer_service, customer_representative,
// admin), audited as a read of the person's data. Errors: FORBIDDEN,
// NOT_FOUND.
func (s *Service) StaffView(ctx context.Context, st account.Staff, id string) (View, error) {
	if !MayHandle(st.Role) && !MayReview(st.Role) {
		return View{}, errForbidden
	}
	var v View
	err := s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := load(tx, id)
		if err != nil {
			return err
		}
		if v, err = s.view(tx, r, true); err != nil {
			return err
		}
		_, err = audit.Append(tx, staffActor(st), ActionViewed, r.PersonID, map[string]any{"complaint_id": r.ID})
		return err
	})
	return v, err
}

// staffChange runs change on a complaint at version as a member of a role
// that works its tier, in a write transaction, and returns it opened.
// Errors: FORBIDDEN (before anything is read), NOT_FOUND, FORBIDDEN (the
// complaint's tier is not the role's), CodeChanged, and change's.
func (s *Service) staffChange(ctx context.Context, st account.Staff, id string, version int64, change func(tx *store.Tx, r *row) error) (Complaint, error) {
	if !MayHandle(st.Role) && !MayReview(st.Role) {
		return Complaint{}, errForbidden
	}
	var out Complaint
	err := s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := load(tx, id)
		if err != nil {
			return err
		}
		if !mayWork(st.Role, r.Tier) {
			return errForbidden
		}
		if err := r.checkVersion(version); err != nil {
			return err
		}
		if err := change(tx, &r); err != nil {
			return err
		}
		out, err = s.opened(tx, r)
		return err
	})
	return out, err
}

// live refuses a complaint nobody is handling now (answered or closed).
func live(r row) error {
	if r.Status != Open && r.Status != InReview {
		return apperr.New(CodeWrongState, "The complaint is %s; nobody is handling it now.", r.Status)
	}
	return nil
}

// Assign makes ownerID (an active member of staff of a role that works the
// complaint's tier) its owner; "" assigns it to st. Errors, each writing
// nothing: FORBIDDEN, NOT_FOUND, BAD_VALUE (owner), CodeChanged,
// CodeWrongState.
func (s *Service) Assign(ctx context.Context, st account.Staff, id string, version int64, ownerID string) (Complaint, error) {
	if ownerID == "" {
		ownerID = st.ID
	}
	return s.staffChange(ctx, st, id, version, func(tx *store.Tx, r *row) error {
		if err := live(*r); err != nil {
			return err
		}
		var (
			role     string
			disabled sql.NullInt64
		)
		err := tx.QueryRow(`SELECT role, disabled_at FROM staff_users WHERE id = $1`, ownerID).Scan(&role, &disabled)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (disabled.Valid || !mayWork(account.Role(role), r.Tier))) {
			return apperr.BadField("owner", "must be an active member of staff who handles complaints at tier %d", r.Tier)
		}
		if err != nil {
			return err
		}
		r.OwnerID = ownerID
		if err := r.save(tx); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT name FROM staff_users WHERE id = $1`, ownerID).Scan(&r.OwnerName); err != nil {
			return err
		}
		if err := s.addEvent(tx, *r, staffActor(st), partyOf(r.Tier), EventAssigned, "", true); err != nil {
			return err
		}
		_, err = audit.Append(tx, staffActor(st), ActionAssigned, r.PersonID, map[string]any{"complaint_id": r.ID, "owner_id": ownerID})
		return err
	})
}

// Update sends the consumer an update (timeline + e-mail); internal true
// records a note only staff sees. Errors, each writing nothing: FORBIDDEN,
// NOT_FOUND, BAD_VALUE (text), CodeChanged, CodeWrongState.
func (s *Service) Update(ctx context.Context, st account.Staff, id string, version int64, text string, internal bool) (Complaint, error) {
	text, err := checkText("text", text, MaxText, true)
	if err != nil {
		return Complaint{}, err
	}
	return s.staffChange(ctx, st, id, version, func(tx *store.Tx, r *row) error {
		if err := live(*r); err != nil {
			return err
		}
		if err := r.save(tx); err != nil {
			return err
		}
		kind, action := EventUpdate, ActionUpdate
		if internal {
			kind, action = EventNote, ActionNote
		}
		if err := s.addEvent(tx, *r, staffActor(st), partyOf(r.Tier), kind, text, internal); err != nil {
			return err
		}
		if _, err := audit.Append(tx, staffActor(st), action, r.PersonID, map[string]any{"complaint_id": r.ID}); err != nil {
			return err
		}
		if internal {
			return nil
		}
		return s.mailConsumer(tx, *r, mailUpdate, "", text, "")
	})
}

// HoldingReply tells the consumer why the answer needs more time: once,
// before the 15-business-day limit, payment-service complaints at tier 1
// only; the PSD2 limit moves to 35 business days. Errors, each writing
// nothing: FORBIDDEN, NOT_FOUND, BAD_VALUE (reasons), CodeChanged,
// CodeWrongState (not open), NOT_ALLOWED (not a payment service, already
// sent, the limit passed).
func (s *Service) HoldingReply(ctx context.Context, st account.Staff, id string, version int64, reasons string) (Complaint, error) {
	reasons, err := checkText("reasons", reasons, MaxText, true)
	if err != nil {
		return Complaint{}, err
	}
	return s.staffChange(ctx, st, id, version, func(tx *store.Tx, r *row) error {
		switch {
		case r.Status != Open:
			return apperr.New(CodeWrongState, "A holding reply is only for a complaint customer service is still handling.")
		case !r.Category.PaymentService() || r.PSD2At == nil:
			return apperr.New(apperr.NotAllowed, "A holding reply is only for a complaint about a payment service.")
		case r.HoldingReplyAt != nil:
			return apperr.New(apperr.NotAllowed, "A holding reply was already sent for this complaint.")
		case tx.Now.After(*r.PSD2At):
			return apperr.New(apperr.NotAllowed, "The 15-business-day limit has passed; a holding reply can no longer be sent.")
		}
		d, err := DeadlinesFor(r.Country, r.Category, r.FiledAt, true)
		if err != nil {
			return err
		}
		now := tx.Now
		r.HoldingReplyAt, r.PSD2At = &now, d.PSD2
		if err := r.save(tx); err != nil {
			return err
		}
		if err := s.addEvent(tx, *r, staffActor(st), PartyCustomerService, EventHoldingReply, reasons, false); err != nil {
			return err
		}
		if _, err := audit.Append(tx, staffActor(st), ActionHoldingReply, r.PersonID, map[string]any{"complaint_id": r.ID,
			"psd2_at": d.PSD2.Format(time.RFC3339)}); err != nil {
			return err
		}
		if err := s.scheduleDeadlines(tx, *r); err != nil {
			return err
		}
		return s.mailConsumer(tx, *r, mailHoldingReply, "", reasons, "")
	})
}

// checkAnswer validates a final answer or assessment, returning its text
// and remedy trimmed. Errors: BAD_VALUE.
func (s *Service) checkAnswer(a Answer) (Answer, error) {
	if !slices.Contains(Outcomes, a.Outcome) {
		return Answer{}, apperr.BadField("outcome", "must be one of upheld, partly_upheld, rejected")
	}
	var err error
	if a.Text, err = checkText("text", a.Text, MaxText, true); err != nil {
		return Answer{}, err
	}
	if a.Remedy, err = checkText("remedy", a.Remedy, MaxSubject, false); err != nil {
		return Answer{}, err
	}
	if len(a.RootCauses) == 0 {
		return Answer{}, apperr.BadField("root_causes", "must name at least one root cause")
	}
	var causes []string
	for _, c := range a.RootCauses {
		if !slices.Contains(RootCauses, c) && !slices.Contains(s.cfg.RootCauses, c) {
			return Answer{}, apperr.BadField("root_causes", "%q is not a known root cause", c)
		}
		if !slices.Contains(causes, c) {
			causes = append(causes, c)
		}
	}
	a.RootCauses = causes
	return a, nil
}

// FinalAnswer closes tier 1 (customer_service or admin); firstContact marks
// a complaint resolved at first contact. The e-mail names the national
// board and FIN-NET, and the review window starts. Errors, each writing
// nothing: FORBIDDEN, NOT_FOUND, BAD_VALUE (outcome, text, remedy, root
// causes), CodeChanged, CodeWrongState (not open).
func (s *Service) FinalAnswer(ctx context.Context, st account.Staff, id string, version int64, a Answer, firstContact bool) (Complaint, error) {
	if !MayHandle(st.Role) {
		return Complaint{}, errForbidden
	}
	a, err := s.checkAnswer(a)
	if err != nil {
		return Complaint{}, err
	}
	return s.staffChange(ctx, st, id, version, func(tx *store.Tx, r *row) error {
		if r.Status != Open {
			return apperr.New(CodeWrongState, "The complaint already has its final answer.")
		}
		now := tx.Now
		until := now.Add(s.cfg.ReviewWindow)
		r.Status, r.answerOutcome, r.Outcome, r.RootCauses = Answered, a.Outcome, a.Outcome, a.RootCauses
		r.FirstContact, r.AnsweredAt, r.ReviewUntil = firstContact, &now, &until
		if err := r.save(tx); err != nil {
			return err
		}
		if err := s.addEvent(tx, *r, staffActor(st), PartyCustomerService, EventFinalAnswer, answerBody(a), false); err != nil {
			return err
		}
		if _, err := audit.Append(tx, staffActor(st), ActionFinalAnswer, r.PersonID, map[string]any{"complaint_id": r.ID, "outcome": a.Outcome,
			"root_causes": a.RootCauses, "first_contact": firstContact, "review_until": until.Format(time.RFC3339)}); err != nil {
			return err
		}
		if err := s.scheduleReviewEnd(tx, *r); err != nil {
			return err
		}
		return s.mailConsumer(tx, *r, mailFinalAnswer, "", a.Text, a.Remedy)
	})
}

// answerBody is the timeline text of an answer: its text and the remedy.
func answerBody(a Answer) string {
	if a.Remedy == "" {
		return a.Text
	}
	return a.Text + "\n\n" + a.Remedy
}

// Assess is the representative's final assessment of a complaint in
// review (customer_representative or admin only; customer service
// FORBIDDEN). It closes the complaint; the e-mail names the board and
// FIN-NET. Errors, each writing nothing: FORBIDDEN, NOT_FOUND, BAD_VALUE,
// CodeChanged, CodeWrongState (not in review).
func (s *Service) Assess(ctx context.Context, st account.Staff, id string, version int64, a Answer) (Complaint, error) {
	if !MayReview(st.Role) {
		return Complaint{}, errForbidden
	}
	a, err := s.checkAnswer(a)
	if err != nil {
		return Complaint{}, err
	}
	return s.staffChange(ctx, st, id, version, func(tx *store.Tx, r *row) error {
		if r.Status != InReview {
			return apperr.New(CodeWrongState, "Only a complaint in review can be assessed.")
		}
		now := tx.Now
		r.Status, r.assessed, r.Outcome, r.RootCauses = Closed, a.Outcome, a.Outcome, a.RootCauses
		r.assessedAt, r.ClosedAt = &now, &now
		if err := r.save(tx); err != nil {
			return err
		}
		if err := s.addEvent(tx, *r, staffActor(st), PartyRepresentative, EventAssessment, answerBody(a), false); err != nil {
			return err
		}
		if _, err := audit.Append(tx, staffActor(st), ActionAssessment, r.PersonID, map[string]any{"complaint_id": r.ID, "outcome": a.Outcome,
			"root_causes": a.RootCauses}); err != nil {
			return err
		}
		return s.mailConsumer(tx, *r, mailAssessment, "", a.Text, a.Remedy)
	})
}
