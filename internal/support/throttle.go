package support

import (
	"database/sql"
	"errors"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// errTooMany refuses a new conversation over a rate limit.
var errTooMany = apperr.New(apperr.TooManyRequests, "Too many new conversations from here; try again later.")

// throttle counts one new conversation against value (a network, an
// address, a person) in scope, in the counters the sign-in throttle keeps
// (sign_in_throttle: a keyed hash, never the value, lapsing at the end of
// the window), and refuses it with TOO_MANY_REQUESTS when lim.Max were
// already counted in the current window. A refused conversation is not
// counted (its transaction writes nothing).
func (s *Service) throttle(tx *store.Tx, scope, value string, lim Limit) error {
	scope = "support_" + scope
	key := ids.KeyedHash(s.cfg.LookupKey, "throttle:"+scope+":"+value)
	now := store.Micros(tx.Now)
	var attempts, version int
	var windowStart int64
	err := tx.QueryRow(`SELECT attempts, window_start, version FROM sign_in_throttle WHERE scope = $1 AND key_hash = $2`, scope, key).
		Scan(&attempts, &windowStart, &version)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if !exists || now >= windowStart+lim.Window.Microseconds() {
		attempts, windowStart = 0, now
	}
	if attempts >= lim.Max {
		return errTooMany
	}
	attempts++
	expires := windowStart + lim.Window.Microseconds()
	if !exists {
		_, err = tx.Exec(`INSERT INTO sign_in_throttle (scope, key_hash, attempts, window_start, locked_until, expires_at) VALUES ($1, $2, $3, $4, 0, $5)`,
			scope, key, attempts, windowStart, expires)
		if store.IsUniqueViolation(err) {
			return store.ErrConflict
		}
		return err
	}
	return tx.ExecOne(`UPDATE sign_in_throttle SET attempts = $1, window_start = $2, expires_at = $3, version = version + 1
		WHERE scope = $4 AND key_hash = $5 AND version = $6`, attempts, windowStart, expires, scope, key, version)
}
