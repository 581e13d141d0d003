package aml

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Status is where an alert is in its lifecycle.
type Status string

// Alert statuses: open when raised, escalated by an officer for a closer
// look; closed with no action or reported to the authority (the financial
// intelligence unit) end it.
const (
	StatusOpen           Status = "open"
	StatusEscalated      Status = "escalated"
	StatusClosedNoAction Status = "closed_no_action"
	StatusReported       Status = "reported"
)

// Live reports whether the alert still waits for an officer.
func (s Status) Live() bool { return s == StatusOpen || s == StatusEscalated }

// Key is the catalog key of the status's name.
func (s Status) Key() string { return "aml.status." + string(s) }

// Action is what an officer does with an alert.
type Action string

// Officers' actions.
const (
	// Escalate marks an open alert for a closer look.
	Escalate Action = "escalate"
	// Close closes a live alert with no action; a reason is required.
	Close Action = "close"
	// Report marks a live alert reported to the authority; the reason or
	// the report's reference is required.
	Report Action = "report"
)

// Valid reports whether a is a known action.
func (a Action) Valid() bool { return a == Escalate || a == Close || a == Report }

// MaxNote is the longest reason or reference an officer may write, in
// characters.
const MaxNote = 2000

// Codes of the errors particular to alerts, besides apperr's BAD_VALUE,
// NOT_FOUND, FORBIDDEN and NOT_ALLOWED.
const (
	// CodeChanged: the alert changed (an action, or new evidence) since the
	// version the officer saw; nothing was done.
	CodeChanged = "ALERT_CHANGED"
)

// contextNote is the vault context of an alert's outcome note.
const contextNote = "aml_alerts.outcome_note"

// Roles may work alerts; admin always may.
var Roles = []account.Role{account.RoleAMLOfficer}

// MayWork reports whether a member of staff with role may read and act on
// alerts.
func MayWork(role account.Role) bool {
	return role == account.RoleAdmin || slices.Contains(Roles, role)
}

// Alert is a rule's alert about a person.
type Alert struct {
	ID        string
	PersonID  string
	Rule      Rule
	Severity  int
	Status    Status
	OpenedAt  time.Time
	UpdatedAt time.Time
	// Params are the rule's parameters when it last fired.
	Params map[string]any
	// EscalatedAt and EscalatedBy are set once an officer escalated it,
	// ClosedAt and ClosedBy once it was closed or reported; the By fields
	// are staff ids.
	EscalatedAt *time.Time
	EscalatedBy string
	ClosedAt    *time.Time
	ClosedBy    string
	// Note is the officer's reason or the report's reference (set by
	// AlertForReview only); Unreadable when the person's key was shredded.
	Note       string
	Unreadable bool
	Version    int64
	// Evidence is set by AlertForReview only, oldest first.
	Evidence []Evidence
}

// Service keeps the alerts and the officers' work on them.
type Service struct {
	db    *store.DB
	vault *vault.Vault
}

// New returns the alert service over db; notes are sealed with vlt.
func New(db *store.DB, vlt *vault.Vault) *Service { return &Service{db: db, vault: vlt} }

// CountLive returns how many alerts wait for an officer.
func (s *Service) CountLive(ctx context.Context) (int, error) {
	var n int
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM aml_alerts WHERE status IN ($1, $2)`, string(StatusOpen), string(StatusEscalated)).Scan(&n)
	})
	return n, err
}

// ListLive returns up to limit alerts waiting for an officer, without
// evidence or note: the most severe first, then the oldest.
func (s *Service) ListLive(ctx context.Context, limit int) ([]Alert, error) {
	var out []Alert
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT `+alertColumns+` FROM aml_alerts WHERE status IN ($1, $2)
			ORDER BY severity DESC, opened_at, id LIMIT $3`, string(StatusOpen), string(StatusEscalated), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, _, err := scanAlert(rows)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

// AlertForReview returns an alert with its evidence and note for a member
// of staff, and audits the view. Errors: NOT_FOUND, FORBIDDEN.
func (s *Service) AlertForReview(tx *store.Tx, st account.Staff, id string) (Alert, error) {
	if !MayWork(st.Role) {
		return Alert{}, errForbidden
	}
	a, sealed, err := loadAlert(tx, id)
	if err != nil {
		return Alert{}, err
	}
	if err := s.openNote(tx, &a, sealed); err != nil {
		return Alert{}, err
	}
	if a.Evidence, err = evidence(tx, a.ID); err != nil {
		return Alert{}, err
	}
	if _, err := audit.Append(tx, staffActor(st), ActionAlertViewed, a.PersonID, map[string]string{"alert_id": a.ID, "rule": string(a.Rule)}); err != nil {
		return Alert{}, err
	}
	return a, nil
}

// Act records an officer's action on the alert at the version they saw,
// with their note (required to close or report; sealed under the person),
// and audits it. Errors, each writing nothing: BAD_VALUE (action, note),
// FORBIDDEN (role), NOT_FOUND, CodeChanged (stale version), NOT_ALLOWED
// (the alert is closed, or escalating an escalated one).
func (s *Service) Act(tx *store.Tx, st account.Staff, id string, version int64, action Action, note string) (Alert, error) {
	note = strings.TrimSpace(note)
	switch {
	case !MayWork(st.Role):
		return Alert{}, errForbidden
	case !action.Valid():
		return Alert{}, apperr.BadField("action", "must be escalate, close or report")
	case action != Escalate && note == "":
		return Alert{}, apperr.BadField("note", "is required")
	case !utf8.ValidString(note) || strings.ContainsRune(note, 0):
		return Alert{}, apperr.BadField("note", "must be text")
	case utf8.RuneCountInString(note) > MaxNote:
		return Alert{}, apperr.BadField("note", "must be at most %d characters", MaxNote)
	case st.ID == "":
		return Alert{}, errors.New("aml: an action needs a member of staff")
	}
	a, _, err := loadAlert(tx, id)
	if err != nil {
		return Alert{}, err
	}
	switch {
	case a.Version != version:
		return Alert{}, apperr.New(CodeChanged, "The alert changed since you opened it; review it again.")
	case !a.Status.Live() || (action == Escalate && a.Status != StatusOpen):
		return Alert{}, apperr.New(apperr.NotAllowed, "The alert is %s.", a.Status)
	}
	sealed := ""
	if note != "" {
		if sealed, err = s.vault.SealString(tx, a.PersonID, contextNote, note); err != nil {
			return Alert{}, err
		}
	}
	now := store.Micros(tx.Now)
	var auditAction string
	switch action {
	case Escalate:
		a.Status, auditAction = StatusEscalated, ActionAlertEscalated
		err = tx.ExecOne(`UPDATE aml_alerts SET status = $1, escalated_at = $2, escalated_by = $3, updated_at = $2,
			outcome_note = CASE WHEN $4 = '' THEN outcome_note ELSE $4 END, version = version + 1 WHERE id = $5 AND version = $6`,
			string(a.Status), now, st.ID, sealed, a.ID, a.Version)
	default:
		a.Status, auditAction = StatusClosedNoAction, ActionAlertClosed
		if action == Report {
			a.Status, auditAction = StatusReported, ActionAlertReported
		}
		err = tx.ExecOne(`UPDATE aml_alerts SET status = $1, open_key = NULL, closed_at = $2, closed_by = $3, updated_at = $2,
			outcome_note = $4, version = version + 1 WHERE id = $5 AND version = $6`,
			string(a.Status), now, st.ID, sealed, a.ID, a.Version)
	}
	if err != nil {
		return Alert{}, err
	}
	a.Version++
	if _, err := audit.Append(tx, staffActor(st), auditAction, a.PersonID, map[string]string{"alert_id": a.ID, "rule": string(a.Rule)}); err != nil {
		return Alert{}, err
	}
	return a, nil
}

// errForbidden is the answer to a role that may not work alerts.
var errForbidden = apperr.New(apperr.Forbidden, "Your role may not work AML alerts.")

// errNotFound is the answer for an unknown alert.
var errNotFound = apperr.New(apperr.NotFound, "No such alert.")

// staffActor names a member of staff in the audit log.
func staffActor(st account.Staff) string { return "staff:" + st.ID }

// alertColumns are the columns scanAlert reads.
const alertColumns = `id, person_id, rule, severity, params, status, opened_at, updated_at, escalated_at, escalated_by, closed_at, closed_by, outcome_note, version`

// scanner is a row or rows.
type scanner interface{ Scan(...any) error }

// scanAlert reads an alert and its sealed note.
func scanAlert(r scanner) (Alert, string, error) {
	var (
		a                 Alert
		rule, status, par string
		opened, updated   int64
		escalated, closed sql.NullInt64
		sealed            string
	)
	if err := r.Scan(&a.ID, &a.PersonID, &rule, &a.Severity, &par, &status, &opened, &updated, &escalated, &a.EscalatedBy,
		&closed, &a.ClosedBy, &sealed, &a.Version); err != nil {
		return Alert{}, "", err
	}
	a.Rule, a.Status = Rule(rule), Status(status)
	a.OpenedAt, a.UpdatedAt = store.FromMicros(opened), store.FromMicros(updated)
	if escalated.Valid {
		t := store.FromMicros(escalated.Int64)
		a.EscalatedAt = &t
	}
	if closed.Valid {
		t := store.FromMicros(closed.Int64)
		a.ClosedAt = &t
	}
	if err := json.Unmarshal([]byte(par), &a.Params); err != nil {
		return Alert{}, "", err
	}
	return a, sealed, nil
}

// loadAlert reads an alert by id. Errors: NOT_FOUND.
func loadAlert(tx *store.Tx, id string) (Alert, string, error) {
	if !ids.Valid(id) {
		return Alert{}, "", errNotFound
	}
	a, sealed, err := scanAlert(tx.QueryRow(`SELECT `+alertColumns+` FROM aml_alerts WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Alert{}, "", errNotFound
	}
	return a, sealed, err
}

// openNote opens an alert's sealed note; a shredded key leaves it
// Unreadable.
func (s *Service) openNote(tx *store.Tx, a *Alert, sealed string) error {
	if sealed == "" {
		return nil
	}
	note, err := s.vault.OpenString(tx, a.PersonID, contextNote, sealed)
	if errors.Is(err, vault.ErrShredded) {
		a.Unreadable = true
		return nil
	}
	a.Note = note
	return err
}

// evidence reads an alert's evidence, oldest first.
func evidence(tx *store.Tx, alertID string) ([]Evidence, error) {
	rows, err := tx.Query(`SELECT kind, order_id, amount, currency, at FROM aml_alert_evidence WHERE alert_id = $1 ORDER BY at, kind, order_id`, alertID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Evidence
	for rows.Next() {
		var e Evidence
		var at int64
		if err := rows.Scan(&e.Kind, &e.OrderID, &e.Amount, &e.Currency, &at); err != nil {
			return nil, err
		}
		e.At = store.FromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
