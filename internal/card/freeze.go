package card

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// Audit actions of freezes; the subject is the person.
const (
	ActionAccountFrozen   = "account.frozen"
	ActionAccountUnfrozen = "account.unfrozen"
	ActionCardFrozen      = "card.frozen"
	ActionCardUnfrozen    = "card.unfrozen"
)

// actorCVVLock is the actor of the freeze that too many wrong CVVs cause.
const actorCVVLock = "system:cvv_lock"

// MaxReason is the longest reason staff may give.
const MaxReason = 500

// Frozen reports whether the person froze their account (or staff froze
// it). Package checkout asks it before every authorization.
func Frozen(tx *store.Tx, personID string) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT COUNT(*) FROM account_freezes WHERE person_id = $1`, personID).Scan(&n)
	return n > 0, err
}

// AccountFrozen reports whether the person's account is frozen.
func (s *Service) AccountFrozen(ctx context.Context, personID string) (bool, error) {
	var frozen bool
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		frozen, err = Frozen(tx, personID)
		return err
	})
	return frozen, err
}

// Freeze freezes the person's account (cardID "") or one of their cards at
// once: the next card authorization declines with "frozen", and with the
// account frozen the next checkout purchase is declined too. Payment
// schedules already running go on. actor names the consumer
// ("consumer:<id>"). Freezing what is frozen changes nothing. Errors:
// NOT_FOUND (not their card).
func (s *Service) Freeze(ctx context.Context, personID, actor, cardID string) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		return s.FreezeTx(tx, personID, actor, cardID)
	})
}

// FreezeTx is Freeze within tx.
func (s *Service) FreezeTx(tx *store.Tx, personID, actor, cardID string) error {
	return s.change(tx, personID, cardID, true, actor, "")
}

// Unfreeze lifts the consumer's own freeze of their account (cardID "") or
// card, with a proof of re-authentication (see Reauth). A card frozen by
// wrong CVVs starts counting again. Errors: NOT_FOUND,
// REAUTHENTICATION_REQUIRED.
func (s *Service) Unfreeze(ctx context.Context, personID, actor, cardID string, proof Reauth) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := s.check(proof, tx.Now); err != nil {
			return err
		}
		return s.change(tx, personID, cardID, false, actor, "")
	})
}

// StaffFreeze freezes a person's account (cardID "") or card for a member
// of staff with the security analyst or admin role, with their reason
// (sealed under the person); the audit log records it as theirs. Errors:
// FORBIDDEN, BAD_VALUE (reason), NOT_FOUND.
func (s *Service) StaffFreeze(ctx context.Context, staff account.Staff, personID, cardID, reason string) error {
	return s.staffChange(ctx, staff, personID, cardID, true, reason)
}

// StaffUnfreeze lifts a freeze, as StaffFreeze sets one. Errors:
// FORBIDDEN, BAD_VALUE (reason), NOT_FOUND.
func (s *Service) StaffUnfreeze(ctx context.Context, staff account.Staff, personID, cardID, reason string) error {
	return s.staffChange(ctx, staff, personID, cardID, false, reason)
}

// MayFreeze reports whether a member of staff may freeze and unfreeze.
func MayFreeze(staff account.Staff) bool {
	return staff.DisabledAt == nil && (staff.Role == account.RoleSecurityAnalyst || staff.Role == account.RoleAdmin)
}

func (s *Service) staffChange(ctx context.Context, staff account.Staff, personID, cardID string, freeze bool, reason string) error {
	if !MayFreeze(staff) {
		return apperr.New(apperr.Forbidden, "Only security analysts and administrators freeze accounts and cards.")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > MaxReason {
		return apperr.BadField("reason", "is required, at most %d characters", MaxReason)
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		return s.change(tx, personID, cardID, freeze, "staff:"+staff.ID, reason)
	})
}

// errNoPerson answers an unknown person like an unknown card.
var errNoPerson = apperr.New(apperr.NotFound, "No such person.")

// change checks the target exists and sets its freeze.
func (s *Service) change(tx *store.Tx, personID, cardID string, freeze bool, actor, reason string) error {
	if cardID != "" {
		if _, err := s.load(tx, personID, cardID); err != nil {
			return err
		}
	} else {
		var one int
		err := tx.QueryRow(`SELECT 1 FROM persons WHERE id = $1`, personID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoPerson
		}
		if err != nil {
			return err
		}
	}
	return s.setFrozen(tx, personID, cardID, freeze, actor, reason)
}

// setFrozen freezes or unfreezes the account (cardID "") or card and
// records the change: a freeze event and an audit entry.
func (s *Service) setFrozen(tx *store.Tx, personID, cardID string, freeze bool, actor, reason string) error {
	now := store.Micros(tx.Now)
	var (
		res    sql.Result
		err    error
		action string
	)
	switch {
	case cardID == "" && freeze:
		action = ActionAccountFrozen
		res, err = tx.Exec(`INSERT INTO account_freezes (person_id, actor, frozen_at) VALUES ($1, $2, $3) ON CONFLICT (person_id) DO NOTHING`,
			personID, actor, now)
	case cardID == "":
		action = ActionAccountUnfrozen
		res, err = tx.Exec(`DELETE FROM account_freezes WHERE person_id = $1`, personID)
	case freeze:
		action = ActionCardFrozen
		res, err = tx.Exec(`UPDATE cards SET frozen_at = $1, version = version + 1 WHERE id = $2 AND frozen_at IS NULL`, now, cardID)
	default:
		action = ActionCardUnfrozen
		res, err = tx.Exec(`UPDATE cards SET frozen_at = NULL, cvv_failures = 0, version = version + 1 WHERE id = $1 AND frozen_at IS NOT NULL`, cardID)
	}
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		// Already as asked: nothing to record.
		return err
	}
	sealed := ""
	if reason != "" {
		if sealed, err = s.Vault.SealString(tx, personID, contextFreezeReason, reason); err != nil {
			return err
		}
	}
	var card any
	if cardID != "" {
		card = cardID
	}
	if _, err := tx.Exec(`INSERT INTO freeze_events (id, person_id, card_id, action, actor, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		ids.New(), personID, card, action, actor, sealed, now); err != nil {
		return err
	}
	_, err = audit.Append(tx, actor, action, personID, map[string]any{"card_id": cardID})
	return err
}
