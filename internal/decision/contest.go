package decision

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Error codes of contests and reviews that mean "conflict" (HTTP 409); the
// others are apperr's.
const (
	// CodeAlreadyContested: the decision has an open contest already.
	CodeAlreadyContested = "ALREADY_CONTESTED"
	// CodeAlreadyReviewed: the contest was reviewed already.
	CodeAlreadyReviewed = "ALREADY_REVIEWED"
)

// Audit actions of the staff side. Their subject is the person's id (so the
// person's access extract finds them) and their details name the contest.
const (
	// ActionContestViewed is a member of staff reading a contest (with the
	// person's statement).
	ActionContestViewed = "decision_contest.viewed"
	// ActionContestReviewed is a member of staff recording a review.
	ActionContestReviewed = "decision_contest.reviewed"
)

// Limits of the free text, in characters.
const (
	MaxStatement = 2000
	MaxNote      = 2000
	maxReplyTo   = 254
)

// Vault contexts of the sealed columns.
const (
	contextStatement = "decision_contests.statement"
	contextReplyTo   = "decision_contests.reply_to"
	contextNote      = "decision_contests.note"
)

// Status is where a contest stands.
type Status string

// The statuses of a contest.
const (
	// StatusOpen: waiting for a member of staff.
	StatusOpen Status = "open"
	// StatusReviewed: a member of staff recorded the outcome.
	StatusReviewed Status = "reviewed"
)

// ReviewOutcome is what a review found.
type ReviewOutcome string

// The outcomes of a review.
const (
	// Upheld: the decision stands.
	Upheld ReviewOutcome = "upheld"
	// Overturned: the decision was wrong.
	Overturned ReviewOutcome = "overturned"
)

// Valid reports whether o is one of the review outcomes.
func (o ReviewOutcome) Valid() bool { return o == Upheld || o == Overturned }

// Contest is a person's contest of one automated decision.
type Contest struct {
	ID          string
	PersonID    string
	DecisionRef string
	// Kind, DecisionOutcome, Reasons, the merchant, Amount, Currency and
	// DecidedAt are the contested decision as it was.
	Kind            Kind
	DecisionOutcome Outcome
	Reasons         []Reason
	MerchantID      string
	MerchantName    string
	Amount          int64
	Currency        string
	DecidedAt       time.Time
	// Statement is the person's statement and Note the reviewer's
	// explanation to them: empty where the contest was read without them
	// (queues), or when Unreadable.
	Statement string
	Note      string
	// Unreadable reports that the person's data key was shredded (they were
	// erased): the statement and note can no longer be read.
	Unreadable bool
	// Locale is the language the person wrote in, for the e-mail.
	Locale     string
	Status     Status
	Outcome    ReviewOutcome
	Reviewer   string
	CreatedAt  time.Time
	ReviewedAt *time.Time
	Version    int
}

// Key is the catalog key of where the contest stands, for the person:
// under review, upheld or overturned.
func (c Contest) Key() string {
	if c.Status == StatusOpen {
		return "decision.contest.open"
	}
	return "decision.contest." + string(c.Outcome)
}

// MayReview reports whether a member of staff with role may read and
// review contests of decisions of kind k: risk analysts and the data
// protection team the credit and fraud decisions, AML officers the AML
// decisions, and admins (who may do everything in the back office) all.
func MayReview(role account.Role, k Kind) bool {
	switch role {
	case account.RoleAdmin:
		return true
	case account.RoleRiskAnalyst, account.RoleDataProtection:
		return k == Credit || k == Fraud
	case account.RoleAMLOfficer:
		return k == AML
	}
	return false
}

// ContestRequest is a person's contest of one of their decisions.
type ContestRequest struct {
	// PersonID is the person contesting (the signed-in consumer's).
	PersonID string
	// DecisionRef is the decision's Ref.
	DecisionRef string
	// Statement is what the person wants the reviewer to know.
	Statement string
	// ReplyTo is the e-mail address the outcome goes to; empty for none.
	ReplyTo string
	// Locale is the person's language (a tag i18n.Parse reads); English
	// when it names none of Tillit's.
	Locale string
}

// Contest records a person's contest of one of their own decisions in tx.
// Errors, each writing nothing: BAD_VALUE (statement empty or longer than
// MaxStatement, reply address too long), NOT_FOUND (no decision with that
// reference about this person: someone else's answers exactly like one that
// does not exist) and CodeAlreadyContested (the decision has an open
// contest).
func (s *Service) Contest(tx *store.Tx, req ContestRequest) (Contest, error) {
	statement := strings.TrimSpace(req.Statement)
	switch {
	case statement == "":
		return Contest{}, apperr.BadField("statement", "is required")
	case !utf8.ValidString(statement) || strings.ContainsRune(statement, 0):
		return Contest{}, apperr.BadField("statement", "must be text")
	case utf8.RuneCountInString(statement) > MaxStatement:
		return Contest{}, apperr.BadField("statement", "must be at most %d characters", MaxStatement)
	case len(req.ReplyTo) > maxReplyTo:
		return Contest{}, apperr.BadField("reply_to", "must be at most %d characters", maxReplyTo)
	case req.PersonID == "":
		return Contest{}, apperr.New(apperr.NotFound, "No such decision.")
	}
	ds, err := decisions(tx, req.PersonID)
	if err != nil {
		return Contest{}, err
	}
	var d *Decision
	for i := range ds {
		if ds[i].Ref == req.DecisionRef {
			d = &ds[i]
		}
	}
	if d == nil {
		return Contest{}, apperr.New(apperr.NotFound, "No such decision.")
	}
	var open string
	err = tx.QueryRow(`SELECT id FROM decision_contests WHERE open_key = $1`, d.Ref).Scan(&open)
	switch {
	case err == nil:
		return Contest{}, apperr.New(CodeAlreadyContested, "The decision is already being reviewed.")
	case !errors.Is(err, sql.ErrNoRows):
		return Contest{}, err
	}
	lang, ok := i18n.Parse(req.Locale)
	if !ok {
		lang = i18n.Default
	}
	c := Contest{
		ID: ids.New(), PersonID: req.PersonID, DecisionRef: d.Ref, Kind: d.Kind, DecisionOutcome: d.Outcome, Reasons: d.Reasons,
		MerchantID: d.MerchantID, MerchantName: d.MerchantName, Amount: d.Amount, Currency: d.Currency, DecidedAt: d.DecidedAt,
		Statement: statement, Locale: string(lang), Status: StatusOpen, CreatedAt: tx.Now, Version: 1,
	}
	sealedStatement, err := s.Vault.SealString(tx, c.PersonID, contextStatement, statement)
	if err != nil {
		return Contest{}, err
	}
	replyTo := ""
	if req.ReplyTo != "" {
		if replyTo, err = s.Vault.SealString(tx, c.PersonID, contextReplyTo, req.ReplyTo); err != nil {
			return Contest{}, err
		}
	}
	codes := make([]string, 0, len(d.Reasons))
	for _, r := range d.Reasons {
		codes = append(codes, r.Code)
	}
	reasons, _ := json.Marshal(codes)
	_, err = tx.Exec(`INSERT INTO decision_contests (id, person_id, decision_ref, kind, decision_outcome, reasons, merchant_id, amount, currency,
			decided_at, statement, reply_to, locale, status, open_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		c.ID, c.PersonID, c.DecisionRef, string(c.Kind), string(c.DecisionOutcome), string(reasons), c.MerchantID, c.Amount, c.Currency,
		store.Micros(c.DecidedAt), sealedStatement, replyTo, c.Locale, string(StatusOpen), c.DecisionRef, store.Micros(tx.Now))
	if store.IsUniqueViolation(err) {
		// A contest of the same decision committed first: the retry finds it.
		return Contest{}, store.ErrConflict
	}
	if err != nil {
		return Contest{}, err
	}
	return c, nil
}

// ContestForReview returns a contest with the person's statement and the
// reviewer's note for reviewer, and records in the audit log, in tx (a
// write transaction), that they read it. Errors: NOT_FOUND, FORBIDDEN (the
// reviewer's role may not review decisions of its kind; nothing is read).
func (s *Service) ContestForReview(tx *store.Tx, reviewer account.Staff, id string) (Contest, error) {
	c, sealed, err := loadContest(tx, id)
	if err != nil {
		return Contest{}, err
	}
	if !MayReview(reviewer.Role, c.Kind) {
		return Contest{}, apperr.New(apperr.Forbidden, "Your role may not review this decision.")
	}
	if err := s.open(tx, &c, sealed); err != nil {
		return Contest{}, err
	}
	if _, err := audit.Append(tx, staffActor(reviewer), ActionContestViewed, c.PersonID, map[string]string{"contest_id": c.ID, "kind": string(c.Kind)}); err != nil {
		return Contest{}, err
	}
	return c, nil
}

// Review records reviewer's outcome of an open contest in tx, with their
// note to the person: it closes the contest (so the person may contest the
// decision again), writes the audit log and queues an e-mail telling the
// person, in their language, that the answer is in the app. The note is
// sealed; the e-mail does not carry it. Errors, each writing nothing:
// BAD_VALUE (outcome, note empty or longer than MaxNote), NOT_FOUND,
// FORBIDDEN (role), CodeAlreadyReviewed.
func (s *Service) Review(tx *store.Tx, reviewer account.Staff, contestID string, outcome ReviewOutcome, note string) (Contest, error) {
	note = strings.TrimSpace(note)
	switch {
	case !outcome.Valid():
		return Contest{}, apperr.BadField("outcome", "must be upheld or overturned")
	case note == "":
		return Contest{}, apperr.BadField("note", "is required")
	case !utf8.ValidString(note) || strings.ContainsRune(note, 0):
		return Contest{}, apperr.BadField("note", "must be text")
	case utf8.RuneCountInString(note) > MaxNote:
		return Contest{}, apperr.BadField("note", "must be at most %d characters", MaxNote)
	case reviewer.ID == "":
		return Contest{}, errors.New("decision: a review needs a member of staff")
	}
	c, sealed, err := loadContest(tx, contestID)
	if err != nil {
		return Contest{}, err
	}
	if !MayReview(reviewer.Role, c.Kind) {
		return Contest{}, apperr.New(apperr.Forbidden, "Your role may not review this decision.")
	}
	if c.Status != StatusOpen {
		return Contest{}, apperr.New(CodeAlreadyReviewed, "The contest was reviewed already.")
	}
	sealedNote, err := s.Vault.SealString(tx, c.PersonID, contextNote, note)
	if err != nil && !errors.Is(err, vault.ErrShredded) {
		return Contest{}, err
	}
	// An erased person's contest is still closed; the note has nobody
	// left to be read by and is not kept.
	if errors.Is(err, vault.ErrShredded) {
		sealedNote = ""
	}
	actor := staffActor(reviewer)
	if err := tx.ExecOne(`UPDATE decision_contests SET status = $1, open_key = NULL, outcome = $2, note = $3, reviewer = $4, reviewed_at = $5,
			version = version + 1
		WHERE id = $6 AND version = $7 AND status = $8`,
		string(StatusReviewed), string(outcome), sealedNote, actor, store.Micros(tx.Now), c.ID, c.Version, string(StatusOpen)); err != nil {
		return Contest{}, err
	}
	if _, err := audit.Append(tx, actor, ActionContestReviewed, c.PersonID, map[string]string{
		"contest_id": c.ID, "kind": string(c.Kind), "decision_ref": c.DecisionRef, "outcome": string(outcome),
	}); err != nil {
		return Contest{}, err
	}
	if err := s.mailOutcome(tx, c, sealed.replyTo, outcome); err != nil {
		return Contest{}, err
	}
	now := tx.Now
	c.Status, c.Outcome, c.Note, c.Reviewer, c.ReviewedAt, c.Version = StatusReviewed, outcome, note, actor, &now, c.Version+1
	return c, nil
}

// mailOutcome queues the e-mail telling the person a review is done, to
// the address they gave; nothing when they gave none or were erased.
func (s *Service) mailOutcome(tx *store.Tx, c Contest, sealedReplyTo string, outcome ReviewOutcome) error {
	if sealedReplyTo == "" {
		return nil
	}
	to, err := s.Vault.OpenString(tx, c.PersonID, contextReplyTo, sealedReplyTo)
	if errors.Is(err, vault.ErrShredded) {
		return nil
	}
	if err != nil {
		return err
	}
	lang, ok := i18n.Parse(c.Locale)
	if !ok {
		lang = i18n.Default
	}
	_, err = outbox.Enqueue(tx, s.Vault, s.LookupKey, outbox.Message{Channel: outbox.Email, To: to, PersonID: c.PersonID,
		Subject: i18n.T(lang, "decision.mail.reviewed.subject"),
		Body: i18n.T(lang, "decision.mail.reviewed."+string(outcome), "kind", i18n.T(lang, c.Kind.NameKey()),
			"merchant", c.MerchantName, "date", i18n.FormatDate(lang, c.DecidedAt))})
	return err
}

// staffActor names a member of staff in the audit log and on the contest.
func staffActor(st account.Staff) string { return "staff:" + st.ID }

// ContestsOf returns every contest of the person, newest first, with their
// statements and notes opened (Unreadable once the person was erased).
func (s *Service) ContestsOf(tx *store.Tx, personID string) ([]Contest, error) {
	rows, err := tx.Query(`SELECT `+contestColumns+contestFrom+`WHERE c.person_id = $1 ORDER BY c.created_at DESC, c.id DESC`, personID)
	if err != nil {
		return nil, err
	}
	var (
		out    []Contest
		sealed []sealedFields
	)
	for rows.Next() {
		c, sf, err := scanContest(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out, sealed = append(out, c), append(sealed, sf)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.open(tx, &out[i], sealed[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CountOpen returns how many contests of decisions of the kinds wait for a
// review.
func (s *Service) CountOpen(ctx context.Context, kinds ...Kind) (int, error) {
	n := 0
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		n = 0
		for _, k := range kinds {
			var c int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM decision_contests WHERE status = $1 AND kind = $2`, string(StatusOpen), string(k)).Scan(&c); err != nil {
				return err
			}
			n += c
		}
		return nil
	})
	return n, err
}

// ListOpen returns up to limit open contests of decisions of the kinds,
// oldest first (the order to review them in), without the statements: a
// queue shows no personal data.
func (s *Service) ListOpen(ctx context.Context, limit int, kinds ...Kind) ([]Contest, error) {
	var out []Contest
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		out = []Contest{}
		if len(kinds) == 0 {
			return nil
		}
		args := []any{string(StatusOpen)}
		marks := make([]string, 0, len(kinds))
		for _, k := range kinds {
			args = append(args, string(k))
			marks = append(marks, "$"+strconv.Itoa(len(args)))
		}
		args = append(args, limit)
		rows, err := tx.Query(`SELECT `+contestColumns+contestFrom+`WHERE c.status = $1 AND c.kind IN (`+strings.Join(marks, ", ")+`)
			ORDER BY c.created_at, c.id LIMIT $`+strconv.Itoa(len(args)), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, _, err := scanContest(rows)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

const contestColumns = `c.id, c.person_id, c.decision_ref, c.kind, c.decision_outcome, c.reasons, c.merchant_id, m.name, c.amount, c.currency,
	c.decided_at, c.statement, c.reply_to, c.locale, c.status, COALESCE(c.outcome, ''), COALESCE(c.note, ''), COALESCE(c.reviewer, ''),
	c.created_at, c.reviewed_at, c.version`

const contestFrom = ` FROM decision_contests c JOIN merchants m ON m.id = c.merchant_id `

// sealedFields are a contest's sealed columns as stored.
type sealedFields struct {
	statement, replyTo, note string
}

// scanContest reads a row of contestColumns, leaving the sealed columns
// sealed.
func scanContest(row interface{ Scan(...any) error }) (Contest, sealedFields, error) {
	var (
		c                  Contest
		sf                 sealedFields
		reasons            string
		decided, created   int64
		reviewed           sql.NullInt64
		kind, dOut, st, oc string
	)
	if err := row.Scan(&c.ID, &c.PersonID, &c.DecisionRef, &kind, &dOut, &reasons, &c.MerchantID, &c.MerchantName, &c.Amount, &c.Currency,
		&decided, &sf.statement, &sf.replyTo, &c.Locale, &st, &oc, &sf.note, &c.Reviewer, &created, &reviewed, &c.Version); err != nil {
		return Contest{}, sealedFields{}, err
	}
	c.Kind, c.DecisionOutcome, c.Status, c.Outcome = Kind(kind), Outcome(dOut), Status(st), ReviewOutcome(oc)
	var codes []string
	if err := json.Unmarshal([]byte(reasons), &codes); err != nil {
		return Contest{}, sealedFields{}, err
	}
	c.Reasons = make([]Reason, 0, len(codes))
	for _, code := range codes {
		c.Reasons = append(c.Reasons, Explain(code))
	}
	c.DecidedAt, c.CreatedAt = store.FromMicros(decided), store.FromMicros(created)
	if reviewed.Valid {
		at := store.FromMicros(reviewed.Int64)
		c.ReviewedAt = &at
	}
	return c, sf, nil
}

// loadContest reads one contest, its sealed columns still sealed. Errors:
// NOT_FOUND.
func loadContest(tx *store.Tx, id string) (Contest, sealedFields, error) {
	c, sf, err := scanContest(tx.QueryRow(`SELECT `+contestColumns+contestFrom+`WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Contest{}, sealedFields{}, apperr.New(apperr.NotFound, "No such contest.")
	}
	return c, sf, err
}

// open opens a contest's statement and note into c, or marks it
// Unreadable when the person's key was shredded.
func (s *Service) open(tx *store.Tx, c *Contest, sf sealedFields) error {
	statement, err := s.Vault.OpenString(tx, c.PersonID, contextStatement, sf.statement)
	if errors.Is(err, vault.ErrShredded) {
		c.Unreadable = true
		return nil
	}
	if err != nil {
		return err
	}
	c.Statement = statement
	if sf.note != "" {
		if c.Note, err = s.Vault.OpenString(tx, c.PersonID, contextNote, sf.note); err != nil {
			return err
		}
	}
	return nil
}
