package support

import (
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/assistant"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

var errNotFound = apperr.New(apperr.NotFound, "No such conversation.")

// row is a conversation as stored: the Conversation with its sealed
// columns still sealed.
type row struct {
	Conversation
	contactEmail, subject, state, summary string
}

const columns = `c.id, c.reference, COALESCE(c.person_id, ''), c.channel, c.contact_email, COALESCE(c.order_id, ''), c.subject,
    c.language, c.status, COALESCE(c.assigned_to, ''), COALESCE(su.name, ''), c.assistant_state, c.handover_summary,
    c.handed_over_by, c.handed_over_at, c.converted_kind, c.converted_id, c.created_at, c.updated_at, c.waiting_since,
    c.closed_at, c.version`

const from = ` FROM support_conversations c LEFT JOIN staff_users su ON su.id = c.assigned_to`

type scanner interface{ Scan(dest ...any) error }

func scanRow(s scanner) (row, error) {
	var (
		r                             row
		channel, status, by, kind     string
		created, updated              int64
		handedOver, waiting, closedAt sql.NullInt64
	)
	err := s.Scan(&r.ID, &r.Reference, &r.PersonID, &channel, &r.contactEmail, &r.OrderID, &r.subject, &r.Language, &status,
		&r.AssignedTo, &r.AssignedName, &r.state, &r.summary, &by, &handedOver, &kind, &r.ConvertedID, &created, &updated,
		&waiting, &closedAt, &r.Version)
	if err != nil {
		return row{}, err
	}
	r.Channel, r.Status, r.HandedOverBy, r.ConvertedKind = Channel(channel), Status(status), Author(by), CaseKind(kind)
	r.CreatedAt, r.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	r.HandedOverAt, r.WaitingSince, r.ClosedAt = timePtr(handedOver), timePtr(waiting), timePtr(closedAt)
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

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// load reads a conversation by id. Errors: NOT_FOUND (unknown or
// malformed id).
func load(tx *store.Tx, id string) (row, error) {
	if !ids.Valid(id) {
		return row{}, errNotFound
	}
	r, err := scanRow(tx.QueryRow(`SELECT `+columns+from+` WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return row{}, errNotFound
	}
	return r, err
}

// list reads the conversations a WHERE/ORDER tail selects.
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

// checkVersion refuses a conversation changed since the caller read
// version.
func (r row) checkVersion(version int64) error {
	if r.Version != version {
		return apperr.New(CodeChanged, "The conversation changed meanwhile (version %d, not %d); reload it.", r.Version, version)
	}
	return nil
}

// live refuses a conversation that takes nothing more (closed, converted).
func (r row) live() error {
	if !r.Status.Open() {
		return apperr.New(CodeWrongState, "The conversation is %s; start a new one.", r.Status)
	}
	return nil
}

// save writes the conversation's mutable fields, bumps its version and
// sets updated_at; one changed meanwhile is CodeChanged.
func (r *row) save(tx *store.Tx) error {
	res, err := tx.Exec(`UPDATE support_conversations SET status = $1, assigned_to = $2, assistant_state = $3, handover_summary = $4,
    handed_over_by = $5, handed_over_at = $6, converted_kind = $7, converted_id = $8, updated_at = $9, waiting_since = $10,
    closed_at = $11, version = version + 1 WHERE id = $12 AND version = $13`,
		string(r.Status), nullable(r.AssignedTo), r.state, r.summary, string(r.HandedOverBy), micros(r.HandedOverAt),
		string(r.ConvertedKind), r.ConvertedID, store.Micros(tx.Now), micros(r.WaitingSince), micros(r.ClosedAt), r.ID, r.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(CodeChanged, "The conversation changed meanwhile; reload it.")
	}
	r.Version++
	r.UpdatedAt = tx.Now
	return nil
}

// setStatus moves the conversation to status, keeping waiting_since and
// closed_at in step.
func (r *row) setStatus(now time.Time, s Status) {
	if s == WaitingForStaff && r.Status != WaitingForStaff {
		r.WaitingSince = &now
	}
	if s != WaitingForStaff {
		r.WaitingSince = nil
	}
	if s == Closed {
		r.ClosedAt = &now
	}
	r.Status = s
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

// seal seals text under the conversation's person; "" stays "".
func (s *Service) seal(tx *store.Tx, personID, context, text string) (string, error) {
	if text == "" {
		return "", nil
	}
	return s.cfg.Vault.SealString(tx, personID, context, text)
}

// open opens a sealed text; an erased person's text reads empty.
func (s *Service) open(tx *store.Tx, personID, context, sealed string) (string, error) {
	if sealed == "" || personID == "" {
		return "", nil
	}
	t, err := s.cfg.Vault.OpenString(tx, personID, context, sealed)
	if errors.Is(err, vault.ErrShredded) {
		return "", nil
	}
	return t, err
}

// opened returns the conversation with its sealed fields opened.
func (s *Service) opened(tx *store.Tx, r row) (Conversation, error) {
	c := r.Conversation
	for _, f := range []struct {
		dst            *string
		context, value string
	}{
		{&c.ContactEmail, ContextContactEmail, r.contactEmail},
		{&c.Subject, ContextSubject, r.subject},
		{&c.AssistantState, ContextAssistantState, r.state},
		{&c.HandoverSummary, ContextHandoverSummary, r.summary},
	} {
		text, err := s.open(tx, r.PersonID, f.context, f.value)
		if err != nil {
			return Conversation{}, err
		}
		*f.dst = text
	}
	return c, nil
}

// addMessage appends a message to the conversation, its body sealed; a
// consumer's is stored redacted (assistant.Redact): never a card number,
// code or password, whatever they typed.
func (s *Service) addMessage(tx *store.Tx, r row, author Author, staffID, body string) error {
	if author == AuthorConsumer {
		body = assistant.Redact(body)
	}
	sealed, err := s.seal(tx, r.PersonID, ContextMessageBody, body)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT INTO support_messages (id, conversation_id, author, staff_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		ids.New(), r.ID, string(author), nullable(staffID), sealed, store.Micros(tx.Now))
	return err
}

// messages reads the conversation's messages, oldest first, opened.
func (s *Service) messages(tx *store.Tx, r row) ([]Message, error) {
	rows, err := tx.Query(`SELECT m.id, m.author, COALESCE(su.name, ''), m.body, m.created_at FROM support_messages m
    LEFT JOIN staff_users su ON su.id = m.staff_id WHERE m.conversation_id = $1 ORDER BY m.created_at, m.id`, r.ID)
	if err != nil {
		return nil, err
	}
	// Read every row before opening any: a vault query cannot run while
	// the rows are open on PostgreSQL.
	var (
		out    []Message
		sealed []string
	)
	for rows.Next() {
		var (
			m      Message
			author string
			body   string
			at     int64
		)
		if err := rows.Scan(&m.ID, &author, &m.StaffName, &body, &at); err != nil {
			rows.Close()
			return nil, err
		}
		m.Author, m.At = Author(author), store.FromMicros(at)
		out, sealed = append(out, m), append(sealed, body)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Body, err = s.open(tx, r.PersonID, ContextMessageBody, sealed[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// thread returns the conversation opened, with its messages.
func (s *Service) thread(tx *store.Tx, r row) (Thread, error) {
	c, err := s.opened(tx, r)
	if err != nil {
		return Thread{}, err
	}
	msgs, err := s.messages(tx, r)
	if err != nil {
		return Thread{}, err
	}
	if msgs == nil {
		msgs = []Message{}
	}
	return Thread{Conversation: c, Messages: msgs}, nil
}

// newReference returns an unused reference "SUP-" and six characters.
func newReference(tx *store.Tx) (string, error) {
	return ids.Reference("SUP", func(ref string) (bool, error) {
		var n int
		err := tx.QueryRow(`SELECT COUNT(*) FROM support_conversations WHERE reference = $1`, ref).Scan(&n)
		return n > 0, err
	})
}
