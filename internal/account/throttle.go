package account

import (
	"database/sql"
	"errors"

	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// Throttle scopes: what is being counted per e-mail address.
const (
	scopeStaff     = "staff"
	scopeMerchant  = "merchant"
	scopeLoginCode = "login_code"
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
