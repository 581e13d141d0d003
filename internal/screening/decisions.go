package screening

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// IdentitySecret names the instance secret (store.DB.InstanceSecret) under
// which screened identities are hashed.
const IdentitySecret = "screening_identity_key"

// The audit actions of false-positive decisions; the subject is the person
// screened.
const (
	AuditFalsePositive = "screening.false_positive"
	AuditRevoked       = "screening.false_positive_revoked"
)

// MaxReason is the most characters a decision's reason may have.
const MaxReason = 2000

// Decisions remembers analysts' decisions that a match is a false positive
// for the person screened, so that screening the same identity again does
// not raise the same entry. An identity is the screened name and birth date
// as Tokens normalises them (the tokens in sorted order, so the order of the
// names does not matter); it is stored only as a keyed hash (IdentityKey).
// A change to the normalisation that changes the tokens of a name makes
// its earlier decisions no longer apply: the match alerts again.
type Decisions struct {
	key string
}

// OpenDecisions returns the decisions of the installation db, hashing
// identities under its IdentitySecret.
func OpenDecisions(ctx context.Context, db *store.DB) (*Decisions, error) {
	key, err := db.InstanceSecret(ctx, IdentitySecret)
	if err != nil {
		return nil, err
	}
	return &Decisions{key: key}, nil
}

// IdentityKey returns the keyed hash of the identity q screens.
func (d *Decisions) IdentityKey(q Query) string {
	toks := Tokens(q.Name)
	slices.Sort(toks)
	dob := ""
	if !q.BirthDate.IsZero() {
		dob = q.BirthDate.Format(time.DateOnly)
	}
	return ids.KeyedHash(d.key, "screening|"+strings.Join(toks, " ")+"|"+dob)
}

// FalsePositive is an analyst's decision that the screened identity is not
// the person or organisation of a list entry.
type FalsePositive struct {
	ID       string `json:"id"`
	PersonID string `json:"person_id"`
	List     string `json:"list"`
	EntryID  string `json:"entry_id"`
	// Reason is the analyst's grounds.
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	// RevokedAt is when the decision stopped applying; nil while it
	// applies.
	RevokedAt    *time.Time `json:"revoked_at,omitempty"`
	RevokedBy    string     `json:"revoked_by,omitempty"`
	RevokeReason string     `json:"revoke_reason,omitempty"`
}

// InForce reports whether the decision applies.
func (f FalsePositive) InForce() bool { return f.RevokedAt == nil }

// checkReason trims a reason and checks its length.
func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > MaxReason || strings.ContainsRune(reason, 0) {
		return "", apperr.BadField("reason", "must say why, in at most %d characters", MaxReason)
	}
	return reason, nil
}

// MarkFalsePositive records in tx that the identity q screened for the
// person is not the entry (list, entryID), and audits it. A decision in
// force for the same identity and entry is returned as it is. Errors:
// BAD_VALUE (no name, list or entry, no actor, or a missing or too long
// reason).
func (d *Decisions) MarkFalsePositive(tx *store.Tx, personID string, q Query, list, entryID, actor, reason string) (FalsePositive, error) {
	reason, err := checkReason(reason)
	switch {
	case err != nil:
		return FalsePositive{}, err
	case len(Tokens(q.Name)) == 0:
		return FalsePositive{}, apperr.BadField("name", "must be a name")
	case list == "" || entryID == "":
		return FalsePositive{}, apperr.BadField("entry", "must name a list and an entry")
	case personID == "" || actor == "":
		return FalsePositive{}, apperr.BadField("actor", "and the person screened are required")
	}
	identity := d.IdentityKey(q)
	active := identity + "|" + list + "|" + entryID
	existing, err := scanFalsePositives(tx, `WHERE active_key = $1`, active)
	if err != nil || len(existing) > 0 {
		return first(existing), err
	}
	f := FalsePositive{ID: ids.New(), PersonID: personID, List: list, EntryID: entryID, Reason: reason, CreatedAt: tx.Now, CreatedBy: actor}
	_, err = tx.Exec(`INSERT INTO screening_false_positives (id, person_id, identity_key, list_name, entry_id, reason, created_at, created_by, active_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		f.ID, personID, identity, list, entryID, reason, store.Micros(tx.Now), actor, active)
	if store.IsUniqueViolation(err) {
		return FalsePositive{}, store.ErrConflict
	}
	if err != nil {
		return FalsePositive{}, err
	}
	_, err = audit.Append(tx, actor, AuditFalsePositive, personID, map[string]any{"decision_id": f.ID, "list": list, "entry_id": entryID})
	return f, err
}

// first returns the first decision of fs, or none.
func first(fs []FalsePositive) FalsePositive {
	if len(fs) == 0 {
		return FalsePositive{}
	}
	return fs[0]
}

// Revoke ends a decision in tx, so that the entry is raised again for the
// identity, and audits it. Errors: BAD_VALUE (no actor, or a missing or
// too long reason), NOT_FOUND, NOT_ALLOWED (already revoked).
func (d *Decisions) Revoke(tx *store.Tx, id, actor, reason string) (FalsePositive, error) {
	reason, err := checkReason(reason)
	if err != nil {
		return FalsePositive{}, err
	}
	if actor == "" {
		return FalsePositive{}, apperr.BadField("actor", "is required")
	}
	fs, err := scanFalsePositives(tx, `WHERE id = $1`, id)
	switch {
	case err != nil:
		return FalsePositive{}, err
	case len(fs) == 0:
		return FalsePositive{}, apperr.New(apperr.NotFound, "No such screening decision.")
	case !fs[0].InForce():
		return FalsePositive{}, apperr.New(apperr.NotAllowed, "This decision was already revoked.")
	}
	f := fs[0]
	if err := tx.ExecOne(`UPDATE screening_false_positives SET revoked_at = $1, revoked_by = $2, revoke_reason = $3, active_key = NULL
		WHERE id = $4 AND revoked_at IS NULL`, store.Micros(tx.Now), actor, reason, id); err != nil {
		return FalsePositive{}, err
	}
	now := tx.Now
	f.RevokedAt, f.RevokedBy, f.RevokeReason = &now, actor, reason
	_, err = audit.Append(tx, actor, AuditRevoked, f.PersonID, map[string]any{"decision_id": f.ID, "list": f.List, "entry_id": f.EntryID})
	return f, err
}

// Filter returns the matches of a screening of q that no decision in force
// suppresses for q's identity, and those it suppresses.
func (d *Decisions) Filter(tx *store.Tx, q Query, matches []Match) (kept, suppressed []Match, err error) {
	if len(matches) == 0 {
		return matches, nil, nil
	}
	fs, err := scanFalsePositives(tx, `WHERE identity_key = $1 AND revoked_at IS NULL`, d.IdentityKey(q))
	if err != nil {
		return nil, nil, err
	}
	for _, m := range matches {
		if slices.ContainsFunc(fs, func(f FalsePositive) bool { return f.List == m.List && f.EntryID == m.EntryID }) {
			suppressed = append(suppressed, m)
		} else {
			kept = append(kept, m)
		}
	}
	return kept, suppressed, nil
}

// ForPerson returns the decisions about a person, oldest first.
func ForPerson(tx *store.Tx, personID string) ([]FalsePositive, error) {
	return scanFalsePositives(tx, `WHERE person_id = $1 ORDER BY created_at, id`, personID)
}

// scanFalsePositives reads the decisions the query tail selects.
func scanFalsePositives(tx *store.Tx, tail string, args ...any) ([]FalsePositive, error) {
	rows, err := tx.Query(`SELECT id, person_id, list_name, entry_id, reason, created_at, created_by, revoked_at, revoked_by, revoke_reason
		FROM screening_false_positives `+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FalsePositive
	for rows.Next() {
		var (
			f         FalsePositive
			created   int64
			revokedAt sql.NullInt64
			revokedBy sql.NullString
		)
		if err := rows.Scan(&f.ID, &f.PersonID, &f.List, &f.EntryID, &f.Reason, &created, &f.CreatedBy, &revokedAt, &revokedBy, &f.RevokeReason); err != nil {
			return nil, err
		}
		f.CreatedAt = store.FromMicros(created)
		if revokedAt.Valid {
			t := store.FromMicros(revokedAt.Int64)
			f.RevokedAt = &t
		}
		f.RevokedBy = revokedBy.String
		out = append(out, f)
	}
	return out, rows.Err()
}
