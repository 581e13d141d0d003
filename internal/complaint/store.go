package complaint

import (
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Vault contexts of the sealed values.
const (
	ContextSubject   = "complaints.subject"
	ContextText      = "complaints.text"
	ContextEventBody = "complaint_events.body"
)

// Limits of what consumers and staff write.
const (
	MaxSubject = 200
	MaxText    = 4000
)

// Error codes particular to complaints.
const (
	// CodeChanged: the complaint changed since the version the caller read
	// (HTTP 409); reload it.
	CodeChanged = "COMPLAINT_CHANGED"
	// CodeWrongState: the complaint is not in a state that allows the
	// action (already answered, not answered yet, closed) (HTTP 409).
	CodeWrongState = "COMPLAINT_WRONG_STATE"
)

// Timeline event kinds.
const (
	EventFiled           = "filed"
	EventAcknowledged    = "acknowledged"
	EventInformation     = "information"
	EventAssigned        = "assigned"
	EventUpdate          = "update"
	EventNote            = "note"
	EventHoldingReply    = "holding_reply"
	EventFinalAnswer     = "final_answer"
	EventReviewRequested = "review_requested"
	EventAssessment      = "assessment"
	EventClosed          = "closed"
	EventBreach          = "breach"
)

// Parties of the timeline.
const (
	PartyConsumer        = "consumer"
	PartyCustomerService = "customer_service"
	PartyRepresentative  = "representative"
	PartySystem          = "system"
)

// Audit actions; the subject is the complaint's person.
const (
	ActionFiled           = "complaint.filed"
	ActionInformation     = "complaint.information_added"
	ActionReviewRequested = "complaint.review_requested"
	ActionViewed          = "complaint.viewed"
	ActionAssigned        = "complaint.assigned"
	ActionUpdate          = "complaint.update_sent"
	ActionNote            = "complaint.note_added"
	ActionHoldingReply    = "complaint.holding_reply_sent"
	ActionFinalAnswer     = "complaint.final_answer"
	ActionAssessment      = "complaint.assessed"
	ActionBreach          = "complaint.deadline_breached"
	ActionClosed          = "complaint.closed"
	ActionRegister        = "complaint.register_read"
)

var errNotFound = apperr.New(apperr.NotFound, "No such complaint.")

// row is a complaint as stored: the Complaint with its texts still sealed
// and the columns the views do not show.
type row struct {
	Complaint
	subject, text            string
	answerOutcome, assessed  Outcome
	targetBreach, psd2Breach *time.Time
	assessedAt               *time.Time
}

const columns = `c.id, c.reference, c.person_id, COALESCE(c.order_id, ''), c.category, c.channel, c.country, c.tier, c.status,
    COALESCE(c.owner_id, ''), COALESCE(su.name, ''), c.subject, c.text, c.answer_outcome, c.assessment_outcome, c.root_causes, c.filed_at,
    c.target_at, c.psd2_at, c.holding_reply_at, c.first_contact, c.answered_at, c.review_until, c.review_requested_at, c.assessed_at,
    c.closed_at, c.target_breached_at, c.psd2_breached_at, c.version`

const from = ` FROM complaints c LEFT JOIN staff_users su ON su.id = c.owner_id`

type scanner interface{ Scan(dest ...any) error }

func scanRow(s scanner) (row, error) {
	var (
		r                                                     row
		cat, ch, st, answer, assessment, causes               string
		filed, target                                         int64
		psd2, holding, answered, until, requested, assessedAt sql.NullInt64
		closed, tb, pb                                        sql.NullInt64
	)
	err := s.Scan(&r.ID, &r.Reference, &r.PersonID, &r.OrderID, &cat, &ch, &r.Country, &r.Tier, &st, &r.OwnerID, &r.OwnerName,
		&r.subject, &r.text, &answer, &assessment, &causes, &filed, &target, &psd2, &holding, &r.FirstContact, &answered, &until,
		&requested, &assessedAt, &closed, &tb, &pb, &r.Version)
	if err != nil {
		return row{}, err
	}
	r.Category, r.Channel, r.Status = Category(cat), Channel(ch), Status(st)
	r.answerOutcome, r.assessed = Outcome(answer), Outcome(assessment)
	r.Outcome = r.answerOutcome
	if r.assessed != "" {
		r.Outcome = r.assessed
	}
	if causes != "" {
		r.RootCauses = strings.Split(causes, ",")
	}
	r.FiledAt, r.TargetAt = store.FromMicros(filed), store.FromMicros(target)
	r.PSD2At, r.HoldingReplyAt, r.AnsweredAt = timePtr(psd2), timePtr(holding), timePtr(answered)
	r.ReviewUntil, r.ReviewRequestedAt, r.assessedAt = timePtr(until), timePtr(requested), timePtr(assessedAt)
	r.ClosedAt, r.targetBreach, r.psd2Breach = timePtr(closed), timePtr(tb), timePtr(pb)
	if r.targetBreach != nil {
		r.Breaches = append(r.Breaches, BreachTarget)
	}
	if r.psd2Breach != nil {
		r.Breaches = append(r.Breaches, BreachPSD2)
	}
	return r, nil
}

func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := store.FromMicros(v.Int64)
	return &t
}

func micros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return store.Micros(*t)
}

// load reads a complaint by id. Errors: NOT_FOUND (an unknown or malformed
// id).
func load(tx *store.Tx, id string) (row, error) {
	r, err := scanRow(tx.QueryRow(`SELECT `+columns+from+` WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return row{}, errNotFound
	}
	return r, err
}

// list reads the complaints a WHERE/ORDER tail selects.
func list(tx *store.Tx, tail string, args ...any) ([]row, error) {
	rows, err := tx.Query(`SELECT `+columns+from+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// checkVersion refuses a complaint changed since the caller read version.
func (r row) checkVersion(version int64) error {
	if r.Version != version {
		return apperr.New(CodeChanged, "The complaint changed meanwhile (version %d, not %d); reload it.", r.Version, version)
	}
	return nil
}

// save writes the complaint's mutable fields and bumps its version; a
// complaint changed meanwhile is CodeChanged.
func (r *row) save(tx *store.Tx) error {
	var owner any
	if r.OwnerID != "" {
		owner = r.OwnerID
	}
	res, err := tx.Exec(`UPDATE complaints SET tier = $1, status = $2, owner_id = $3, answer_outcome = $4, assessment_outcome = $5,
    root_causes = $6, psd2_at = $7, holding_reply_at = $8, first_contact = $9, answered_at = $10, review_until = $11,
    review_requested_at = $12, assessed_at = $13, closed_at = $14, target_breached_at = $15, psd2_breached_at = $16, version = version + 1
    WHERE id = $17 AND version = $18`,
		r.Tier, string(r.Status), owner, string(r.answerOutcome), string(r.assessed), strings.Join(r.RootCauses, ","), micros(r.PSD2At),
		micros(r.HoldingReplyAt), r.FirstContact, micros(r.AnsweredAt), micros(r.ReviewUntil), micros(r.ReviewRequestedAt),
		micros(r.assessedAt), micros(r.ClosedAt), micros(r.targetBreach), micros(r.psd2Breach), r.ID, r.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(CodeChanged, "The complaint changed meanwhile; reload it.")
	}
	r.Version++
	return nil
}

// checkText trims s and checks it is text of at most max characters;
// required refuses an empty one. Errors: BAD_VALUE naming field.
func checkText(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case required && s == "":
		return "", apperr.BadField(field, "is required")
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return "", apperr.BadField(field, "must be text")
	case utf8.RuneCountInString(s) > max:
		return "", apperr.BadField(field, "must be at most %d characters", max)
	}
	return s, nil
}

// seal seals a text under the complaint's person; "" stays "".
func (s *Service) seal(tx *store.Tx, personID, context, text string) (string, error) {
	if text == "" {
		return "", nil
	}
	return s.cfg.Vault.SealString(tx, personID, context, text)
}

// open opens a sealed text; an erased person's text reads empty.
func (s *Service) open(tx *store.Tx, personID, context, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	t, err := s.cfg.Vault.OpenString(tx, personID, context, sealed)
	if errors.Is(err, vault.ErrShredded) {
		return "", nil
	}
	return t, err
}

// opened returns the complaint with its subject and text opened.
func (s *Service) opened(tx *store.Tx, r row) (Complaint, error) {
	c := r.Complaint
	var err error
	if c.Subject, err = s.open(tx, r.PersonID, ContextSubject, r.subject); err != nil {
		return Complaint{}, err
	}
	c.Text, err = s.open(tx, r.PersonID, ContextText, r.text)
	return c, err
}

// addEvent appends an event to the complaint's timeline, its body sealed.
func (s *Service) addEvent(tx *store.Tx, r row, actor, party, kind, body string, internal bool) error {
	sealed, err := s.seal(tx, r.PersonID, ContextEventBody, body)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT INTO complaint_events (id, complaint_id, at, actor, party, kind, body, internal) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		ids.New(), r.ID, store.Micros(tx.Now), actor, party, kind, sealed, internal)
	return err
}

// view builds a complaint's view with its timeline; withInternal includes
// the staff-only events.
func (s *Service) view(tx *store.Tx, r row, withInternal bool) (View, error) {
	c, err := s.opened(tx, r)
	if err != nil {
		return View{}, err
	}
	board, _ := BoardFor(r.Country)
	v := View{Complaint: c, Timeline: []Event{}, Board: board, Bodies: []Board{board, FINNET}}
	rows, err := tx.Query(`SELECT at, party, kind, body, internal FROM complaint_events WHERE complaint_id = $1 ORDER BY at, id`, r.ID)
	if err != nil {
		return View{}, err
	}
	type ev struct {
		Event
		sealed string
	}
	var all []ev
	for rows.Next() {
		var (
			e  ev
			at int64
		)
		if err := rows.Scan(&at, &e.Party, &e.Kind, &e.sealed, &e.Internal); err != nil {
			rows.Close()
			return View{}, err
		}
		e.At = store.FromMicros(at)
		all = append(all, e)
	}
	if err := rows.Close(); err != nil {
		return View{}, err
	}
	for _, e := range all {
		if e.Internal && !withInternal {
			continue
		}
		if e.Body, err = s.open(tx, r.PersonID, ContextEventBody, e.sealed); err != nil {
			return View{}, err
		}
		v.Timeline = append(v.Timeline, e.Event)
	}
	return v, nil
}

// newReference returns an unused reference "C-" and six characters.
func newReference(tx *store.Tx) (string, error) {
	return ids.Reference("C", func(ref string) (bool, error) {
		var n int
		err := tx.QueryRow(`SELECT COUNT(*) FROM complaints WHERE reference = $1`, ref).Scan(&n)
		return n > 0, err
	})
}
