package consent

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// ActionChanged is the audit action of a consent changed by staff.
const ActionChanged = "consent.changed"

// maxSubjectLen bounds a subject id (a consumer key is 64 characters).
const maxSubjectLen = 128

// validSubject checks a subject id.
func validSubject(subject string) error {
	if subject == "" || len(subject) > maxSubjectLen || strings.ContainsRune(subject, 0) {
		return apperr.BadField("subject", "must be a subject id of at most %d characters", maxSubjectLen)
	}
	return nil
}

// Set gives (granted true) or withdraws the subject's consent to purpose in
// a transaction of its own; see SetTx.
func (s *Service) Set(ctx context.Context, subject string, purpose Purpose, granted bool, source Source, actor string) (changed bool, err error) {
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		changed, err = SetTx(tx, subject, purpose, granted, source, actor)
		return err
	})
	return changed, err
}

// SetTx gives or withdraws the subject's consent to purpose in tx, so the
// change commits with whatever caused it. It reports whether the state
// changed: only then is a Change appended to the history. source says how
// the change was made and actor who made it; SourceApp and SourceStaff need
// an actor, and a staff change is written to the audit log (whether or not
// it changed the state). Errors: BAD_VALUE (subject, purpose, source, actor).
func SetTx(tx *store.Tx, subject string, purpose Purpose, granted bool, source Source, actor string) (bool, error) {
	if err := validSubject(subject); err != nil {
		return false, err
	}
	if !purpose.Valid() {
		return false, apperr.BadField("purpose", "must be one of the consent purposes")
	}
	if !source.valid() {
		return false, apperr.BadField("source", "must be app, unsubscribe_link, staff, checkout, erasure or objection")
	}
	if actor == "" && (source == SourceApp || source == SourceStaff) {
		return false, apperr.BadField("actor", "is required for a change made in the app or by staff")
	}
	if source == SourceStaff {
		if _, err := audit.Append(tx, actor, ActionChanged, subject, map[string]any{"purpose": purpose, "granted": granted}); err != nil {
			return false, err
		}
	}
	var (
		current bool
		version int64
	)
	err := tx.QueryRow(`SELECT granted, version FROM consents WHERE subject = $1 AND purpose = $2`, subject, string(purpose)).Scan(&current, &version)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// Nobody has consented until they say so: withdrawing a consent
		// never given changes nothing.
		if !granted {
			return false, nil
		}
		_, err = tx.Exec(`INSERT INTO consents (subject, purpose, granted, updated_at) VALUES ($1, $2, $3, $4)`,
			subject, string(purpose), granted, store.Micros(tx.Now))
		if store.IsUniqueViolation(err) {
			return false, store.ErrConflict
		}
	case err != nil:
		return false, err
	case current == granted:
		return false, nil
	default:
		err = tx.ExecOne(`UPDATE consents SET granted = $1, updated_at = $2, version = version + 1 WHERE subject = $3 AND purpose = $4 AND version = $5`,
			granted, store.Micros(tx.Now), subject, string(purpose), version)
	}
	if err != nil {
		return false, err
	}
	_, err = tx.Exec(`INSERT INTO consent_history (id, subject, purpose, granted, source, actor, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		ids.New(), subject, string(purpose), granted, string(source), actor, store.Micros(tx.Now))
	return err == nil, err
}

// Granted reports whether the subject has given consent to purpose, as of
// tx: false unless they gave it and have not withdrawn it since. Check it in
// the transaction that acts on the consent.
func Granted(tx *store.Tx, subject string, purpose Purpose) (bool, error) {
	var granted bool
	err := tx.QueryRow(`SELECT granted FROM consents WHERE subject = $1 AND purpose = $2`, subject, string(purpose)).Scan(&granted)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return granted, err
}

// Current returns the subject's consent to every purpose, in the order of
// Purposes; a purpose never given or withdrawn is not granted and has no
// UpdatedAt.
func (s *Service) Current(ctx context.Context, subject string) ([]Consent, error) {
	var out []Consent
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		stored := map[Purpose]Consent{}
		rows, err := tx.Query(`SELECT purpose, granted, updated_at FROM consents WHERE subject = $1`, subject)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				c       Consent
				updated int64
			)
			if err := rows.Scan(&c.Purpose, &c.Granted, &updated); err != nil {
				return err
			}
			at := store.FromMicros(updated)
			c.UpdatedAt = &at
			stored[c.Purpose] = c
		}
		if err := rows.Err(); err != nil {
			return err
		}
		out = make([]Consent, 0, len(purposes))
		for _, p := range purposes {
			c, ok := stored[p]
			if !ok {
				c = Consent{Purpose: p}
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// History returns every change of the subject's consents, newest first.
func (s *Service) History(ctx context.Context, subject string) ([]Change, error) {
	var out []Change
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		out = []Change{}
		rows, err := tx.Query(`SELECT id, subject, purpose, granted, source, actor, occurred_at FROM consent_history
			WHERE subject = $1 ORDER BY occurred_at DESC, id DESC`, subject)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				c  Change
				at int64
			)
			if err := rows.Scan(&c.ID, &c.Subject, &c.Purpose, &c.Granted, &c.Source, &c.Actor, &at); err != nil {
				return err
			}
			c.OccurredAt = store.FromMicros(at)
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}
