package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/password"
	"github.com/tillit/tillit/internal/store"
)

// passwordAccounts describes a table of password accounts (staff or merchant
// users) for the sign-in they share.
type passwordAccounts struct {
	table string // staff_users or merchant_users
	scope string // throttle scope
	name  string // audit actor and action prefix
}

var (
	staffAccounts        = passwordAccounts{table: "staff_users", scope: scopeStaff, name: "staff"}
	merchantUserAccounts = passwordAccounts{table: "merchant_users", scope: scopeMerchant, name: "merchant_user"}
)

// Reasons a sign-in fails, as audited. Callers only ever see
// errBadCredentials or errLockedOut.
const (
	reasonUnknown  = "unknown_account"
	reasonPassword = "wrong_password"
	reasonDisabled = "disabled"
	reasonLocked   = "locked_out"
)

// signIn checks an e-mail address and password against the accounts and
// returns the account's id. Every attempt is counted against the address
// before the password is checked, and audited with its outcome. An address
// without an account costs the same password check as one with, and gets the
// same answer. A hash made with other parameters than the configured ones is
// replaced. Errors: UNAUTHORIZED, TOO_MANY_REQUESTS.
func (s *Service) signIn(ctx context.Context, accounts passwordAccounts, email, pw string) (string, error) {
	email = normalizeEmail(email)
	if len(email) > maxEmailLength {
		// No account has such an address; nothing to count or check.
		return "", errBadCredentials
	}
	var (
		id, hash                string
		found, disabled, locked bool
	)
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		id, hash, found, disabled = "", "", false, false
		var err error
		if locked, err = s.hit(tx, accounts.scope, email, s.Config.SignIn); err != nil {
			return err
		}
		var disabledAt *int64
		err = tx.QueryRow(`SELECT id, password_hash, disabled_at FROM `+accounts.table+` WHERE email = $1`, email).Scan(&id, &hash, &disabledAt)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			found, disabled = true, disabledAt != nil
		}
		if locked {
			return auditFailure(tx, accounts, id, reasonLocked)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if locked {
		return "", errLockedOut
	}
	if !found {
		hash = s.dummyHash()
	}
	ok, err := password.Verify(pw, hash)
	if err != nil {
		return "", fmt.Errorf("account: password hash of %s %q: %w", accounts.name, id, err)
	}
	reason := ""
	switch {
	case !found:
		reason = reasonUnknown
	case !ok:
		reason = reasonPassword
	case disabled:
		reason = reasonDisabled
	}
	var rehashed string
	if reason == "" && password.NeedsRehash(hash, s.Config.Password) {
		if rehashed, err = password.Hash(pw, s.Config.Password); err != nil {
			return "", err
		}
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if reason != "" {
			return auditFailure(tx, accounts, id, reason)
		}
		if err := s.reset(tx, accounts.scope, email); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE `+accounts.table+` SET last_sign_in_at = $1 WHERE id = $2`, store.Micros(tx.Now), id); err != nil {
			return err
		}
		if rehashed != "" {
			// Only if the password has not been changed meanwhile.
			if _, err := tx.Exec(`UPDATE `+accounts.table+` SET password_hash = $1 WHERE id = $2 AND password_hash = $3`, rehashed, id, hash); err != nil {
				return err
			}
		}
		_, err := audit.Append(tx, accounts.name+":"+id, accounts.name+".signed_in", id, map[string]any{"factor": "password", "rehashed": rehashed != ""})
		return err
	})
	if err != nil {
		return "", err
	}
	if reason != "" {
		return "", errBadCredentials
	}
	return id, nil
}

// auditFailure records a failed sign-in. The subject is the account's id, or
// empty when the address has no account; the address itself is never
// recorded.
func auditFailure(tx *store.Tx, accounts passwordAccounts, id, reason string) error {
	_, err := audit.Append(tx, "anonymous", accounts.name+".sign_in_failed", id, map[string]string{"reason": reason})
	return err
}

// disable marks an account disabled, revokes its sessions and audits it.
// Errors: NOT_FOUND (no such account, or already disabled).
func disable(tx *store.Tx, accounts passwordAccounts, kind Kind, actor, id string) error {
	res, err := tx.Exec(`UPDATE `+accounts.table+` SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL`, store.Micros(tx.Now), id)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return apperr.New(apperr.NotFound, "No such active account.")
	}
	revoked, err := revokeAll(tx, kind, id)
	if err != nil {
		return err
	}
	_, err = audit.Append(tx, actor, accounts.name+".disabled", id, map[string]int64{"sessions_revoked": revoked})
	return err
}
