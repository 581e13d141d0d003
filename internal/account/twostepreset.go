package account

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/store"
)

// An admin's reset of an account's two-step verification: the way back for
// a member of staff or a merchant user who lost both their authenticator
// and every recovery code, instead of disabling the account and creating
// it again.

// ActionTwoStepReset is the audit action of ResetTwoStep.
const ActionTwoStepReset = "account.two_step_reset"

// MaxResetReason is the longest reason ResetTwoStep takes, in characters.
const MaxResetReason = 500

// ResetTwoStep removes the authenticator and the recovery codes of a member
// of staff (kind KindStaff) or merchant user (KindMerchant), for an admin
// who has checked who is asking, and in the same transaction ends every
// session and pending sign-in of the account, so that whoever holds the
// old authenticator or a session is signed out at their next request. It
// is audited as ActionTwoStepReset with the admin as actor and reason:
// the admin's own words, kept in the audit log as written, so it must not
// hold personal data. A member of staff sets up a new authenticator at
// their next sign-in (StageEnrol); a merchant user signs in with the
// password alone until they turn two-step verification on again.
// Errors, each writing nothing: BAD_VALUE (kind; reason missing, not text
// or longer than MaxResetReason), FORBIDDEN (admin is not an active admin,
// or is resetting their own account), NOT_FOUND (no such active account).
func (s *Service) ResetTwoStep(ctx context.Context, admin Staff, kind Kind, subjectID, reason string) error {
	if kind != KindStaff && kind != KindMerchant {
		return apperr.BadField("kind", "must be merchant or staff")
	}
	accounts, _ := accountsOf(kind)
	reason = strings.TrimSpace(reason)
	var badReason error
	switch {
	case reason == "":
		badReason = apperr.BadField("reason", "is required")
	case !utf8.ValidString(reason) || strings.ContainsRune(reason, 0):
		badReason = apperr.BadField("reason", "must be text")
	case utf8.RuneCountInString(reason) > MaxResetReason:
		badReason = apperr.BadField("reason", "must be at most %d characters", MaxResetReason)
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		var role string
		err := tx.QueryRow(`SELECT role FROM staff_users WHERE id = $1 AND disabled_at IS NULL`, admin.ID).Scan(&role)
		switch {
		case errors.Is(err, sql.ErrNoRows) || (err == nil && Role(role) != RoleAdmin):
			return apperr.New(apperr.Forbidden, "Only an admin may reset two-step verification.")
		case err != nil:
			return err
		case kind == KindStaff && subjectID == admin.ID:
			return apperr.New(apperr.Forbidden, "Another admin must reset your own two-step verification.")
		case badReason != nil:
			return badReason
		}
		var one int
		err = tx.QueryRow(`SELECT 1 FROM `+accounts.table+` WHERE id = $1 AND disabled_at IS NULL`, subjectID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "No such active %s account.", kind)
		}
		if err != nil {
			return err
		}
		stage, err := secondFactorStage(tx, kind, subjectID)
		if err != nil {
			return err
		}
		if err := deleteFactor(tx, kind, subjectID); err != nil {
			return err
		}
		revoked, err := revokeAll(tx, kind, subjectID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM pending_sign_ins WHERE kind = $1 AND subject_id = $2`, string(kind), subjectID); err != nil {
			return err
		}
		_, err = audit.Append(tx, "staff:"+admin.ID, ActionTwoStepReset, subjectID, map[string]any{
			"kind": string(kind), "reason": reason, "was_enabled": stage == StageCode, "sessions_revoked": revoked,
		})
		return err
	})
}
