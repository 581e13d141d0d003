package account

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// Throttle scopes: what is being counted, per e-mail address or, for
// second factors, per account ("<kind>:<id>").
const (
	scopeStaff        = "staff"
	scopeMerchant     = "merchant"
	scopeLoginCode    = "login_code"
	scopeCodeCheck    = "login_code_check"
	scopeSecondFactor = "second_factor"
)

// throttleKey is the stored key of an address in a scope: a keyed hash, so
// that addresses without accounts are not kept.
func (s *Service) throttleKey(scope, email string) string {
	return ids.KeyedHash(s.lookupKey, "throttle:"+scope+":"+email)
}

// hit counts one attempt for the address in tx and reports whether the
// address is locked out, in which case the attempt must be refused (and is not
// counted). An attempt that is allowed is counted before it is checked, so that
// concurrent attempts cannot pass the limit; the Max-th one in a window starts
// the lockout. A successful sign-in clears the count with reset.
func (s *Service) hit(tx *store.Tx, scope, email string, lim Limit) (locked bool, err error) {
	key := s.throttleKey(scope, email)
	now := store.Micros(tx.Now)
	var attempts, version int
	var windowStart, lockedUntil int64
	err = tx.QueryRow(`SELECT attempts, window_start, locked_until, version FROM sign_in_throttle WHERE scope = $1 AND key_hash = $2`, scope, key).
		Scan(&attempts, &windowStart, &lockedUntil, &version)
	exists := err == nil
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return false, err
	case lockedUntil > now:
		return true, nil
	}
	if !exists || now >= windowStart+lim.Window.Microseconds() {
		attempts, windowStart = 0, now
	}
	attempts++
	lockedUntil = 0
	if attempts >= lim.Max {
		attempts, windowStart, lockedUntil = 0, now, store.Micros(tx.Now.Add(lim.Lockout))
	}
	expires := max(windowStart+lim.Window.Microseconds(), lockedUntil)
	if !exists {
		_, err = tx.Exec(`INSERT INTO sign_in_throttle (scope, key_hash, attempts, window_start, locked_until, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			scope, key, attempts, windowStart, lockedUntil, expires)
		if store.IsUniqueViolation(err) {
			return false, store.ErrConflict
		}
		return false, err
	}
	return false, tx.ExecOne(`UPDATE sign_in_throttle SET attempts = $1, window_start = $2, locked_until = $3, expires_at = $4, version = version + 1
		WHERE scope = $5 AND key_hash = $6 AND version = $7`, attempts, windowStart, lockedUntil, expires, scope, key, version)
}

// reset forgets the address's attempts in the scope.
func (s *Service) reset(tx *store.Tx, scope, email string) error {
	_, err := tx.Exec(`DELETE FROM sign_in_throttle WHERE scope = $1 AND key_hash = $2`, scope, s.throttleKey(scope, email))
	return err
}

// lockedUntil returns when the lockout of the key in the scope ends, or
// zero when it is not locked out.
func (s *Service) lockedUntil(tx *store.Tx, scope, key string) (time.Time, error) {
	var until int64
	err := tx.QueryRow(`SELECT locked_until FROM sign_in_throttle WHERE scope = $1 AND key_hash = $2`, scope, s.throttleKey(scope, key)).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && until <= store.Micros(tx.Now)) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return store.FromMicros(until), nil
}

// throttleKeys returns the scopes and keys an account's sign-ins are
// counted under: its address for the first factor, itself for the second.
func (s *Service) throttleKeys(tx *store.Tx, kind Kind, subjectID string) ([][2]string, error) {
	var email string
	var scopes []string
	if accounts, ok := accountsOf(kind); ok {
		if err := tx.QueryRow(`SELECT email FROM `+accounts.table+` WHERE id = $1`, subjectID).Scan(&email); err != nil {
			return nil, err
		}
		scopes = []string{accounts.scope}
	} else {
		var err error
		if email, err = s.accountLabel(tx, kind, subjectID); err != nil {
			return nil, err
		}
		scopes = []string{scopeLoginCode, scopeCodeCheck}
	}
	var keys [][2]string
	if email != "" {
		for _, sc := range scopes {
			keys = append(keys, [2]string{sc, email})
		}
	}
	return append(keys, [2]string{scopeSecondFactor, string(kind) + ":" + subjectID}), nil
}

// LockedUntil returns when the account's lockout ends (the latest of its
// password, sign-in code and second-factor lockouts), or zero when it is
// not locked out. Errors: NOT_FOUND.
func (s *Service) LockedUntil(ctx context.Context, kind Kind, subjectID string) (time.Time, error) {
	var until time.Time
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		until = time.Time{}
		keys, err := s.throttleKeys(tx, kind, subjectID)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "No such %s account.", kind)
		}
		if err != nil {
			return err
		}
		for _, k := range keys {
			t, err := s.lockedUntil(tx, k[0], k[1])
			if err != nil {
				return err
			}
			if t.After(until) {
				until = t
			}
		}
		return nil
	})
	return until, err
}

// UnlockAccount ends an account's lockouts and forgets its failed
// attempts before the period runs out, for an admin who has checked who is
// asking. It is audited with the admin as actor. Errors: BAD_VALUE (kind),
// FORBIDDEN (admin is not an active admin), NOT_FOUND (no such account).
func (s *Service) UnlockAccount(ctx context.Context, admin Staff, kind Kind, subjectID string) error {
	if !validKind(kind) {
		return apperr.BadField("kind", "must be consumer, merchant or staff")
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		var role string
		err := tx.QueryRow(`SELECT role FROM staff_users WHERE id = $1 AND disabled_at IS NULL`, admin.ID).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && Role(role) != RoleAdmin) {
			return apperr.New(apperr.Forbidden, "Only an admin may unlock an account.")
		}
		if err != nil {
			return err
		}
		keys, err := s.throttleKeys(tx, kind, subjectID)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "No such %s account.", kind)
		}
		if err != nil {
			return err
		}
		wasLocked := false
		for _, k := range keys {
			t, err := s.lockedUntil(tx, k[0], k[1])
			if err != nil {
				return err
			}
			wasLocked = wasLocked || !t.IsZero()
			if err := s.reset(tx, k[0], k[1]); err != nil {
				return err
			}
		}
		_, err = audit.Append(tx, "staff:"+admin.ID, "account.unlocked", subjectID, map[string]any{"kind": string(kind), "was_locked": wasLocked})
		return err
	})
}
