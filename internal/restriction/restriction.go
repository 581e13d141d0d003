// Package restriction keeps a person's restrictions of processing (GDPR
// Art. 18) and objections (Art. 21), and answers for any purpose whether it
// may use their data (requirement D6).
//
// # The rule
//
// A restriction names a data category (privacy.CategoryID): no purpose that
// relies on legitimate interest uses that category of the person's data
// while the restriction is in force. An objection names a purpose
// (privacy.PurposeID): that purpose uses none of the person's data. Permits
// applies both, and three more rules of the regulation:
//
//   - purposes serving legal claims go on regardless (Art. 18(2),
//     Art. 21(1)), since the claims are what the records are kept for;
//   - purposes relying on consent, contract or a legal obligation are
//     neither restricted nor objected to here: a consent is withdrawn
//     (package consent; that is how an objection to direct marketing takes
//     effect at once, Art. 21(3)), and a contract or a law still binds;
//   - once a person's data is erased, what the law kept is restricted from
//     every other use: only purposes with an erasure exception may use it.
//
// Every piece of code that uses a person's stored data for a purpose relying
// on legitimate interest (fraud scoring on history, collection, similar
// offers, model training) asks Permits in the transaction that uses it and
// leaves the data alone when it answers false.
//
// # Entries
//
// Restrict and Object record entries in force at once, in the caller's
// transaction: a request asks for them when it is filed, so that the data
// is left alone while Tillit checks the request (Art. 18(1)(a) and (d)).
// An entry in force for the same person and target is kept rather than
// doubled. Lift ends an entry with who lifted it and why, and audits it;
// the person is told before a restriction is lifted (Art. 18(3)), which is
// the caller's to do. Entries name people by person id and hold no
// personal data beyond what was restricted or objected to.
package restriction

import (
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/store"
)

// Kind is what an entry does.
type Kind string

// The kinds of entry.
const (
	// KindRestriction restricts a data category (Art. 18).
	KindRestriction Kind = "restriction"
	// KindObjection objects to a purpose (Art. 21).
	KindObjection Kind = "objection"
)

// AuditLifted is the audit action of lifting an entry; the subject is the
// entry's id.
const AuditLifted = "restriction.lifted"

// MaxReason is the most characters a reason for lifting may have.
const MaxReason = 2000

// Entry is one restriction or objection.
type Entry struct {
	ID       string `json:"id"`
	PersonID string `json:"person_id"`
	Kind     Kind   `json:"kind"`
	// Target is the category id of a restriction or the purpose id of an
	// objection.
	Target string `json:"target"`
	// RequestID is the data-subject request that asked for it; "" when
	// staff set it otherwise.
	RequestID string    `json:"request_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	// LiftedAt is when it stopped being in force; nil while it is.
	LiftedAt *time.Time `json:"lifted_at,omitempty"`
	LiftedBy string     `json:"lifted_by,omitempty"`
	// LiftReason is why it was lifted: a message key or staff's words.
	LiftReason string `json:"lift_reason,omitempty"`
}

// InForce reports whether the entry is in force.
func (e Entry) InForce() bool { return e.LiftedAt == nil }

// TargetKey is the message key naming the entry's target.
func (e Entry) TargetKey() string {
	if e.Kind == KindObjection {
		return privacy.PurposeID(e.Target).NameKey()
	}
	return privacy.CategoryID(e.Target).NameKey()
}

// Restrictable returns the categories a person may restrict: those a
// purpose about consumers uses on the ground of legitimate interest, other
// than for legal claims, since only such purposes heed a restriction; in
// the registry's order.
func Restrictable() []privacy.CategoryID {
	var out []privacy.CategoryID
	for _, c := range privacy.Categories() {
		for _, p := range privacy.PurposesUsing(c.ID) {
			if p.Basis == privacy.LegitimateInterest && !p.ForLegalClaims() && slices.Contains(p.Subjects, privacy.SubjectConsumer) {
				out = append(out, c.ID)
				break
			}
		}
	}
	return out
}

// Objectable returns the purposes a consumer may object to by an entry here
// (Art. 21(1)): those relying on legitimate interest, in the registry's
// order. Direct marketing relies on consent: objecting to it is
// withdrawing that consent (package consent), which takes effect at once.
func Objectable() []privacy.PurposeID {
	var out []privacy.PurposeID
	for _, p := range privacy.Purposes() {
		if p.Basis == privacy.LegitimateInterest && slices.Contains(p.Subjects, privacy.SubjectConsumer) {
			out = append(out, p.ID)
		}
	}
	return out
}

// Restrict puts categories of the person's data under restriction at once
// and returns the entries in force for them. Errors: BAD_VALUE (no category,
// or one a person cannot restrict).
func Restrict(tx *store.Tx, personID string, categories []privacy.CategoryID, requestID, actor string) ([]Entry, error) {
	targets := make([]string, len(categories))
	for i, c := range categories {
		targets[i] = string(c)
	}
	if err := checkTargets("categories", targets, strs(Restrictable())); err != nil {
		return nil, err
	}
	return record(tx, personID, KindRestriction, targets, requestID, actor)
}

// Object records the person's objection to purposes, in force at once, and
// returns the entries in force for them. Errors: BAD_VALUE (no purpose, or
// one a person cannot object to).
func Object(tx *store.Tx, personID string, purposes []privacy.PurposeID, requestID, actor string) ([]Entry, error) {
	targets := make([]string, len(purposes))
	for i, p := range purposes {
		targets[i] = string(p)
	}
	if err := checkTargets("purposes", targets, strs(Objectable())); err != nil {
		return nil, err
	}
	return record(tx, personID, KindObjection, targets, requestID, actor)
}

// strs converts ids to strings.
func strs[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}

// checkTargets checks that targets is a non-empty list of allowed ids.
func checkTargets(field string, targets, allowed []string) error {
	if len(targets) == 0 {
		return apperr.BadField(field, "must name at least one")
	}
	for _, t := range targets {
		if !slices.Contains(allowed, t) {
			return apperr.BadField(field, "must be among: %s", strings.Join(allowed, ", "))
		}
	}
	return nil
}

// record inserts an entry in force for every target that has none and
// returns the entries in force for the targets.
func record(tx *store.Tx, personID string, kind Kind, targets []string, requestID, actor string) ([]Entry, error) {
	if personID == "" || actor == "" {
		return nil, errors.New("restriction: an entry needs a person and an actor")
	}
	var request any
	if requestID != "" {
		request = requestID
	}
	out := make([]Entry, 0, len(targets))
	for _, target := range targets {
		key := activeKey(personID, kind, target)
		_, err := tx.Exec(`INSERT INTO processing_restrictions (id, person_id, kind, target, request_id, created_at, created_by, active_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (active_key) DO NOTHING`,
			ids.New(), personID, string(kind), target, request, store.Micros(tx.Now), actor, key)
		if err != nil {
			return nil, err
		}
		e, err := scan(tx.QueryRow(`SELECT `+columns+` FROM processing_restrictions WHERE active_key = $1`, key))
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// activeKey is the unique key of an entry in force.
func activeKey(personID string, kind Kind, target string) string {
	return personID + ":" + string(kind) + ":" + target
}

// Lift ends the entry with id, recording who lifted it and why (a message
// key or staff's words, never personal data), and audits it. Errors:
// NOT_FOUND, BAD_VALUE (reason), NOT_ALLOWED (already lifted).
func Lift(tx *store.Tx, id, actor, reason string) (Entry, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > MaxReason || strings.ContainsRune(reason, 0) {
		return Entry{}, apperr.BadField("reason", "must say why, in at most %d characters", MaxReason)
	}
	e, err := Get(tx, id)
	if err != nil {
		return Entry{}, err
	}
	if !e.InForce() {
		return Entry{}, apperr.New(apperr.NotAllowed, "This entry was already lifted.")
	}
	if _, err := tx.Exec(`UPDATE processing_restrictions SET lifted_at = $1, lifted_by = $2, lift_reason = $3, active_key = NULL
		WHERE id = $4 AND lifted_at IS NULL`, store.Micros(tx.Now), actor, reason, id); err != nil {
		return Entry{}, err
	}
	now := tx.Now
	e.LiftedAt, e.LiftedBy, e.LiftReason = &now, actor, reason
	_, err = audit.Append(tx, actor, AuditLifted, e.ID, map[string]any{"kind": e.Kind, "target": e.Target, "request_id": e.RequestID})
	return e, err
}

// Get returns the entry with id. Errors: NOT_FOUND.
func Get(tx *store.Tx, id string) (Entry, error) {
	e, err := scan(tx.QueryRow(`SELECT `+columns+` FROM processing_restrictions WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, apperr.New(apperr.NotFound, "No such restriction or objection.")
	}
	return e, err
}

// InForceFor returns the person's entries in force, oldest first.
func InForceFor(tx *store.Tx, personID string) ([]Entry, error) {
	return query(tx, `WHERE person_id = $1 AND lifted_at IS NULL ORDER BY created_at, id`, personID)
}

// ForPerson returns every entry of the person, in force or lifted, oldest
// first.
func ForPerson(tx *store.Tx, personID string) ([]Entry, error) {
	return query(tx, `WHERE person_id = $1 ORDER BY created_at, id`, personID)
}

// ForRequest returns the entries a request asked for, oldest first.
func ForRequest(tx *store.Tx, requestID string) ([]Entry, error) {
	return query(tx, `WHERE request_id = $1 ORDER BY created_at, id`, requestID)
}

// Permits reports whether purpose may use the person's data of categories
// (all the purpose's categories when none are given), under the rules in
// the package comment.
func Permits(tx *store.Tx, personID string, purpose privacy.PurposeID, categories ...privacy.CategoryID) (bool, error) {
	p, ok := privacy.LookupPurpose(purpose)
	if !ok {
		return false, errors.New("restriction: unknown purpose " + string(purpose))
	}
	if p.ForLegalClaims() {
		return true, nil
	}
	who, err := person.Get(tx, personID)
	if err != nil {
		return false, err
	}
	if who.Erased() {
		return p.Erasure != privacy.NoErasureException, nil
	}
	entries, err := InForceFor(tx, personID)
	if err != nil {
		return false, err
	}
	if len(categories) == 0 {
		categories = p.Categories
	}
	for _, e := range entries {
		switch {
		case e.Kind == KindObjection && e.Target == string(purpose):
			return false, nil
		case e.Kind == KindRestriction && p.Basis == privacy.LegitimateInterest && slices.Contains(categories, privacy.CategoryID(e.Target)):
			return false, nil
		}
	}
	return true, nil
}

const columns = `id, person_id, kind, target, COALESCE(request_id, ''), created_at, created_by, lifted_at, COALESCE(lifted_by, ''), lift_reason`

// scan reads a row of columns.
func scan(row interface{ Scan(...any) error }) (Entry, error) {
	var (
		e       Entry
		created int64
		lifted  sql.NullInt64
	)
	if err := row.Scan(&e.ID, &e.PersonID, &e.Kind, &e.Target, &e.RequestID, &created, &e.CreatedBy, &lifted, &e.LiftedBy, &e.LiftReason); err != nil {
		return Entry{}, err
	}
	e.CreatedAt = store.FromMicros(created)
	if lifted.Valid {
		t := store.FromMicros(lifted.Int64)
		e.LiftedAt = &t
	}
	return e, nil
}

// query returns the entries matching tail.
func query(tx *store.Tx, tail string, args ...any) ([]Entry, error) {
	rows, err := tx.Query(`SELECT `+columns+` FROM processing_restrictions `+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
