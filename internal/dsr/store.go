package dsr

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Vault contexts of the sealed columns.
const (
	contextDescription  = "data_subject_requests.description"
	contextReplyTo      = "data_subject_requests.reply_to"
	contextIdentityNote = "data_subject_requests.identity_note"
	contextDocument     = "data_subject_request_documents.body"
)

// Codes of the errors particular to requests, besides apperr's BAD_VALUE,
// NOT_FOUND and NOT_ALLOWED.
const (
	// CodeChanged: the request changed since the version the caller saw;
	// nothing was done.
	CodeChanged = "REQUEST_CHANGED"
	// CodeAlreadyOpen: the person already has an open request of the kind.
	CodeAlreadyOpen = "REQUEST_ALREADY_OPEN"
	// CodeUnknownPerson: no person is known by the e-mail address given.
	CodeUnknownPerson = "UNKNOWN_PERSON"
)

// errNotFound is the answer for an unknown request, and for a request of
// someone else.
var errNotFound = apperr.New(apperr.NotFound, "No such request.")

// selectRequest reads the columns scanRequest takes.
const selectRequest = `SELECT r.id, r.reference, r.person_id, r.kind, r.status, r.channel, r.identity_method, r.country, r.locale,
	r.description, r.received_at, r.original_due_at, r.due_at, r.extension_months, r.reminded_at, r.breached_at, r.closed_at,
	r.erased_at, r.outcome, r.scope, r.version, d.name, d.content_type, d.size, d.created_at, d.expires_at
FROM data_subject_requests r LEFT JOIN data_subject_request_documents d ON d.request_id = r.id`

// row is a request as stored, with its sealed description ("" when none).
type row struct {
	Request
	sealedDescription string
}

// scanRequest reads a row of selectRequest.
func scanRequest(sc interface{ Scan(...any) error }) (row, error) {
	var (
		r                                  row
		locale, outcome, scope             string
		description                        sql.NullString
		received, originalDue, due         int64
		reminded, breached, closed, erased sql.NullInt64
		docName, docType                   sql.NullString
		docSize, docCreated, docExpir      sql.NullInt64
	)
	err := sc.Scan(&r.ID, &r.Reference, &r.PersonID, &r.Kind, &r.Status, &r.Channel, &r.IdentityMethod, &r.Country, &locale,
		&description, &received, &originalDue, &due, &r.ExtensionMonths, &reminded, &breached, &closed,
		&erased, &outcome, &scope, &r.Version, &docName, &docType, &docSize, &docCreated, &docExpir)
	if err != nil {
		return row{}, err
	}
	r.sealedDescription = description.String
	r.Locale = i18n.Lang(locale)
	r.ReceivedAt, r.OriginalDueAt, r.DueAt = store.FromMicros(received), store.FromMicros(originalDue), store.FromMicros(due)
	r.RemindedAt, r.BreachedAt, r.ClosedAt = optionalTime(reminded), optionalTime(breached), optionalTime(closed)
	r.ErasedAt = optionalTime(erased)
	r.DescriptionErased = r.ErasedAt != nil
	if err := json.Unmarshal([]byte(outcome), &r.Outcome); err != nil {
		return row{}, fmt.Errorf("dsr: outcome of %s: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(scope), &r.Scope); err != nil {
		return row{}, fmt.Errorf("dsr: scope of %s: %w", r.ID, err)
	}
	if docName.Valid {
		r.Document = &DocumentInfo{Name: docName.String, ContentType: docType.String, Size: docSize.Int64,
			CreatedAt: store.FromMicros(docCreated.Int64), ExpiresAt: store.FromMicros(docExpir.Int64)}
	}
	return r, nil
}

// load reads the request with id; errNotFound when there is none.
func load(tx *store.Tx, id string) (row, error) {
	if !ids.Valid(id) {
		return row{}, errNotFound
	}
	r, err := scanRequest(tx.QueryRow(selectRequest+` WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return row{}, errNotFound
	}
	return r, err
}

// queryRequests reads the requests a query after selectRequest finds.
func queryRequests(tx *store.Tx, tail string, args ...any) ([]row, error) {
	rows, err := tx.Query(selectRequest+" "+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []row{}
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// openDescription fills in r's description from the vault. A shredded
// person's description reads as shredded, not as an error: the record of
// the request outlives their data.
func (s *Service) openDescription(tx *store.Tx, r *row) error {
	if r.sealedDescription == "" {
		return nil
	}
	text, err := s.cfg.Vault.OpenString(tx, r.PersonID, contextDescription, r.sealedDescription)
	if errors.Is(err, vault.ErrShredded) {
		r.DescriptionErased = true
		return nil
	}
	r.Description = text
	return err
}

// openKey is the open_key of an open request: one per person and kind.
func openKey(personID string, k Kind) string { return personID + ":" + string(k) }

// save writes r's changeable fields if its stored version is still
// r.Version, and moves r to the next version; store.ErrConflict otherwise.
func save(tx *store.Tx, r *row) error {
	outcome, err := json.Marshal(r.Outcome)
	if err != nil {
		return err
	}
	var key any
	if r.Open() {
		key = openKey(r.PersonID, r.Kind)
	}
	err = tx.ExecOne(`UPDATE data_subject_requests SET status = $1, due_at = $2, extension_months = $3, reminded_at = $4,
		breached_at = $5, closed_at = $6, outcome = $7, open_key = $8, version = version + 1 WHERE id = $9 AND version = $10`,
		string(r.Status), store.Micros(r.DueAt), r.ExtensionMonths, micros(r.RemindedAt), micros(r.BreachedAt), micros(r.ClosedAt),
		string(outcome), key, r.ID, r.Version)
	if err != nil {
		return err
	}
	r.Version++
	return nil
}

// EventName names a step of a request.
type EventName string

// The steps.
const (
	EventReceived         EventName = "received"
	EventIdentityVerified EventName = "identity_verified"
	EventStarted          EventName = "started"
	EventExtended         EventName = "extended"
	EventReminder         EventName = "reminder"
	EventBreached         EventName = "breached"
	EventCompleted        EventName = "completed"
	EventPartlyCompleted  EventName = "partly_completed"
	EventRefused          EventName = "refused"
	EventDocumentDeleted  EventName = "document_deleted"
	// EventDataErased: the person's data in the request was erased with an
	// erasure request of theirs (named in the note).
	EventDataErased EventName = "data_erased"
)

// NameKey is the message key of the step's name.
func (e EventName) NameKey() string { return "dsr.event." + string(e) }

// ActorSystem is the actor of the steps Tillit takes itself (the reminder,
// the breach, deleting an expired document).
const ActorSystem = "system"

// Event is one step of a request's history.
type Event struct {
	Seq  int       `json:"seq"`
	Name EventName `json:"event"`
	// From is the status before the step; empty for EventReceived.
	From Status `json:"from_status"`
	To   Status `json:"to_status"`
	// Actor took the step: "consumer:<account id>", "staff:<id>" or
	// ActorSystem.
	Actor string `json:"actor"`
	// Note is the reason staff gave with the step, if any.
	Note string    `json:"note,omitempty"`
	At   time.Time `json:"at"`
}

// appendEvent adds a step to the request's history in tx.
func appendEvent(tx *store.Tx, requestID string, name EventName, from, to Status, actor, note string) error {
	var last int
	if err := tx.QueryRow(`SELECT COALESCE(MAX(seq), 0) FROM data_subject_request_events WHERE request_id = $1`, requestID).Scan(&last); err != nil {
		return err
	}
	_, err := tx.Exec(`INSERT INTO data_subject_request_events (id, request_id, seq, event, from_status, to_status, actor, note, occurred_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		ids.New(), requestID, last+1, string(name), string(from), string(to), actor, note, store.Micros(tx.Now))
	if store.IsUniqueViolation(err) {
		return store.ErrConflict
	}
	return err
}

// events reads a request's history, oldest first.
func events(tx *store.Tx, requestID string) ([]Event, error) {
	rows, err := tx.Query(`SELECT seq, event, from_status, to_status, actor, note, occurred_at
		FROM data_subject_request_events WHERE request_id = $1 ORDER BY seq`, requestID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var (
			e  Event
			at int64
		)
		if err := rows.Scan(&e.Seq, &e.Name, &e.From, &e.To, &e.Actor, &e.Note, &at); err != nil {
			return nil, err
		}
		e.At = store.FromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// micros is a nullable timestamp for a query argument.
func micros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return store.Micros(*t)
}

// optionalTime converts a nullable stored timestamp.
func optionalTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := store.FromMicros(v.Int64)
	return &t
}

// timePtr returns a pointer to a copy of t.
func timePtr(t time.Time) *time.Time { return &t }
