package account

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/totp"
)

// Two-step verification: an authenticator app (TOTP, package totp) as a
// second factor after the password or the e-mailed code. It is mandatory for
// staff and optional for merchant users and consumers.

// ContextTOTPSecret is the vault context of an authenticator's secret,
// stored in second_factors.secret sealed under the vault subject of the
// account (deviceSubject: a consumer's person, otherwise the account's id).
const ContextTOTPSecret = "second_factors.secret"

// Issuer is the name authenticator apps show next to the account.
const Issuer = "Tillit"

// RecoveryCodeCount is how many recovery codes an account gets at a time.
const RecoveryCodeCount = 10

// recoveryCodeBytes is the entropy of a recovery code: 80 bits, written as
// sixteen base32 characters in two groups of eight.
const recoveryCodeBytes = 10

// errBadSecondFactor is the answer to any wrong, reused or expired
// authenticator or recovery code.
var errBadSecondFactor = apperr.New(apperr.InvalidOTP, "The code is wrong, was already used, or has expired.")

// TwoStep describes an account's two-step verification.
type TwoStep struct {
	// Enabled is whether sign-ins ask for an authenticator code.
	Enabled   bool       `json:"enabled"`
	EnabledAt *time.Time `json:"enabled_at,omitempty"`
	// Required is true for staff, who cannot turn it off.
	Required bool `json:"required"`
	// Pending is whether an enrolment waits for its first code.
	Pending bool `json:"pending"`
	// RecoveryCodesLeft is how many unused recovery codes remain.
	RecoveryCodesLeft int `json:"recovery_codes_left"`
}

// Enrolment is an authenticator being set up: the secret to type in, and
// the otpauth:// URI to show as a QR code. It is shown once, while the
// enrolment waits for its first code.
type Enrolment struct {
	Secret string `json:"secret"`
	URI    string `json:"uri"`
}

// accountsOf returns the password accounts of a kind, and false for
// consumers, whose security events are not audited (see the package
// documentation).
func accountsOf(kind Kind) (passwordAccounts, bool) {
	switch kind {
	case KindStaff:
		return staffAccounts, true
	case KindMerchant:
		return merchantUserAccounts, true
	}
	return passwordAccounts{}, false
}

// auditSecurity audits an account security event of a member of staff or a
// merchant user, acting themselves (or actor when given); consumers' are not
// audited. details never hold codes or secrets.
func auditSecurity(tx *store.Tx, kind Kind, subjectID, actor, event string, details any) error {
	accounts, ok := accountsOf(kind)
	if !ok {
		return nil
	}
	if actor == "" {
		actor = accounts.name + ":" + subjectID
	}
	_, err := audit.Append(tx, actor, accounts.name+"."+event, subjectID, details)
	return err
}

// factor is a stored authenticator.
type factor struct {
	secret    string // opened
	confirmed *int64
	lastStep  int64
}

// loadFactor reads and opens the account's authenticator; found is false
// when it has none.
func (s *Service) loadFactor(tx *store.Tx, kind Kind, subjectID string) (f factor, found bool, err error) {
	var sealed string
	err = tx.QueryRow(`SELECT secret, confirmed_at, last_step FROM second_factors WHERE kind = $1 AND subject_id = $2`, string(kind), subjectID).
		Scan(&sealed, &f.confirmed, &f.lastStep)
	if errors.Is(err, sql.ErrNoRows) {
		return factor{}, false, nil
	}
	if err != nil {
		return factor{}, false, err
	}
	if s.vault == nil {
		return factor{}, false, errNoVault
	}
	subject, err := deviceSubject(tx, kind, subjectID)
	if err != nil {
		return factor{}, false, err
	}
	if f.secret, err = s.vault.OpenString(tx, subject, ContextTOTPSecret, sealed); err != nil {
		return factor{}, false, err
	}
	return f, true, nil
}

// secondFactorStage says what a sign-in of the account needs after its
// first factor: nothing (""), a code (StageCode), or, for staff without an
// authenticator, setting one up (StageEnrol).
func secondFactorStage(tx *store.Tx, kind Kind, subjectID string) (Stage, error) {
	var confirmed *int64
	err := tx.QueryRow(`SELECT confirmed_at FROM second_factors WHERE kind = $1 AND subject_id = $2`, string(kind), subjectID).Scan(&confirmed)
	switch {
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return "", err
	case confirmed != nil:
		return StageCode, nil
	case kind == KindStaff:
		return StageEnrol, nil
	}
	return "", nil
}

// accountLabel is what an authenticator app shows for the account: its
// e-mail address.
func (s *Service) accountLabel(tx *store.Tx, kind Kind, subjectID string) (string, error) {
	if accounts, ok := accountsOf(kind); ok {
		var email string
		err := tx.QueryRow(`SELECT email FROM `+accounts.table+` WHERE id = $1`, subjectID).Scan(&email)
		return email, err
	}
	c, sealed, err := scanConsumer(tx.QueryRow(`SELECT `+consumerColumns+` FROM consumers WHERE id = $1`, subjectID))
	if err != nil {
		return "", err
	}
	return s.openEmail(tx, c.PersonID, sealed)
}

// startEnrolment gives the account a new, unconfirmed authenticator secret
// in tx. Errors: NOT_ALLOWED (one is already enabled).
func (s *Service) startEnrolment(tx *store.Tx, kind Kind, subjectID, actor string) (Enrolment, error) {
	if s.vault == nil {
		return Enrolment{}, errNoVault
	}
	stage, err := secondFactorStage(tx, kind, subjectID)
	if err != nil {
		return Enrolment{}, err
	}
	if stage == StageCode {
		return Enrolment{}, apperr.New(apperr.NotAllowed, "Two-step verification is already on; turn it off before setting up another authenticator.")
	}
	secret, err := totp.NewSecret()
	if err != nil {
		return Enrolment{}, err
	}
	subject, err := deviceSubject(tx, kind, subjectID)
	if err != nil {
		return Enrolment{}, err
	}
	sealed, err := s.vault.SealString(tx, subject, ContextTOTPSecret, secret)
	if err != nil {
		return Enrolment{}, err
	}
	if _, err := tx.Exec(`DELETE FROM second_factors WHERE kind = $1 AND subject_id = $2`, string(kind), subjectID); err != nil {
		return Enrolment{}, err
	}
	if _, err := tx.Exec(`INSERT INTO second_factors (kind, subject_id, secret, created_at) VALUES ($1, $2, $3, $4)`,
		string(kind), subjectID, sealed, store.Micros(tx.Now)); err != nil {
		return Enrolment{}, err
	}
	label, err := s.accountLabel(tx, kind, subjectID)
	if err != nil {
		return Enrolment{}, err
	}
	if err := auditSecurity(tx, kind, subjectID, actor, "two_step_enrolment_started", nil); err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: secret, URI: totp.URI(secret, Issuer, label)}, nil
}

// StartEnrolment begins setting up an authenticator for a signed-in
// account: it returns a new secret and its URI, which ConfirmEnrolment
// turns on with a first code. Starting again replaces a secret not yet
// confirmed. Staff and merchant users' steps are audited. Errors:
// NOT_FOUND (no such account), NOT_ALLOWED (already on).
func (s *Service) StartEnrolment(ctx context.Context, kind Kind, subjectID, merchantID string) (Enrolment, error) {
	var e Enrolment
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := checkSubject(tx, kind, subjectID, merchantID); err != nil {
			return err
		}
		var err error
		e, err = s.startEnrolment(tx, kind, subjectID, "")
		return err
	})
	return e, err
}

// PendingEnrolment returns the authenticator StartEnrolment set up for
// the account and that still waits for its first code, so that a settings
// page can show it again (after a wrong first code, say); found is false
// when none waits.
func (s *Service) PendingEnrolment(ctx context.Context, kind Kind, subjectID string) (e Enrolment, found bool, err error) {
	err = s.DB.Read(ctx, func(tx *store.Tx) error {
		f, ok, err := s.loadFactor(tx, kind, subjectID)
		if err != nil || !ok || f.confirmed != nil {
			return err
		}
		label, err := s.accountLabel(tx, kind, subjectID)
		e, found = Enrolment{Secret: f.secret, URI: totp.URI(f.secret, Issuer, label)}, err == nil
		return err
	})
	return e, found, err
}

// codeCheck is what a second-factor code is checked for.
type codeCheck struct {
	// confirmed: the authenticator must be on (else: waiting for its first
	// code, an enrolment).
	confirmed bool
	// recovery: a recovery code may stand in for the authenticator.
	recovery bool
	// action names the check in audited failures.
	action string
}

// checked is the outcome of a code that passed.
type checked struct {
	step       int64  // the authenticator's step, or 0
	recoveryID string // the recovery code used, or ""
}

// looksLikeRecoveryCode tells a recovery code from an authenticator code.
func looksLikeRecoveryCode(code string) bool { return len(normalizeRecoveryCode(code)) == 16 }

// normalizeRecoveryCode drops spaces and dashes and lower-cases a recovery
// code.
func normalizeRecoveryCode(code string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(code)))
}

// checkCode checks a second-factor code of the account and, when it
// passes, runs apply in the same transaction that spends it (the
// authenticator's step, or the recovery code). Every try is counted by
// Config.SecondFactor per account first; a locked account is refused
// without a check, and a failure is audited for staff and merchant users.
// Errors: INVALID_OTP, TOO_MANY_REQUESTS, NOT_ALLOWED (no
// authenticator in the state the check needs).
func (s *Service) checkCode(ctx context.Context, kind Kind, subjectID, code string, c codeCheck, apply func(tx *store.Tx, ok checked) error) error {
	code = strings.TrimSpace(code)
	if len(code) > 64 {
		return errBadSecondFactor
	}
	var (
		f          factor
		found      bool
		locked     bool
		recoveryID string
		useCode    = c.recovery && looksLikeRecoveryCode(code)
	)
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		recoveryID = ""
		var err error
		if locked, err = s.hit(tx, scopeSecondFactor, string(kind)+":"+subjectID, s.Config.SecondFactor); err != nil {
			return err
		}
		if locked {
			return auditSecurity(tx, kind, subjectID, "anonymous", c.action+"_failed", map[string]string{"reason": reasonLocked})
		}
		if f, found, err = s.loadFactor(tx, kind, subjectID); err != nil || !found || !useCode {
			return err
		}
		err = tx.QueryRow(`SELECT id FROM recovery_codes WHERE kind = $1 AND subject_id = $2 AND code_hash = $3 AND used_at IS NULL`,
			string(kind), subjectID, s.recoveryCodeHash(kind, subjectID, code)).Scan(&recoveryID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	if locked {
		return errLockedOut
	}
	if !found || (f.confirmed != nil) != c.confirmed {
		if c.confirmed {
			return apperr.New(apperr.NotAllowed, "Two-step verification is not on for this account.")
		}
		return apperr.New(apperr.NotAllowed, "No authenticator is being set up; start again.")
	}
	var ok checked
	if useCode {
		ok.recoveryID = recoveryID
	} else {
		step, match, err := totp.Verify(f.secret, code, s.DB.Clock.Now(), f.lastStep)
		if err != nil {
			return err
		}
		if match {
			ok.step = step
		}
	}
	passed := false
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		passed = false
		var res sql.Result
		var err error
		switch {
		case ok.recoveryID != "":
			res, err = tx.Exec(`UPDATE recovery_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL`, store.Micros(tx.Now), ok.recoveryID)
		case ok.step != 0:
			res, err = tx.Exec(`UPDATE second_factors SET last_step = $1 WHERE kind = $2 AND subject_id = $3 AND last_step < $1`, ok.step, string(kind), subjectID)
		}
		if err != nil {
			return err
		}
		if res != nil {
			// Zero rows: another check spent the same code meanwhile.
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			passed = n == 1
		}
		if !passed {
			return auditSecurity(tx, kind, subjectID, "anonymous", c.action+"_failed", map[string]string{"reason": "wrong_code"})
		}
		if err := s.reset(tx, scopeSecondFactor, string(kind)+":"+subjectID); err != nil {
			return err
		}
		return apply(tx, ok)
	})
	if err != nil {
		return err
	}
	if !passed {
		return errBadSecondFactor
	}
	return nil
}

// newRecoveryCodes returns RecoveryCodeCount fresh codes, each of
// recoveryCodeBytes random bytes.
func newRecoveryCodes() (codes []string, err error) {
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	for range RecoveryCodeCount {
		b := make([]byte, recoveryCodeBytes)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		code := strings.ToLower(enc.EncodeToString(b))
		codes = append(codes, code[:8]+"-"+code[8:])
	}
	return codes, nil
}

// recoveryCodeHash is what is stored of a recovery code: its keyed hash
// under the instance lookup key, bound to the account. A code carries 80
// random bits, so a fast keyed hash protects it as well as a password
// hash would, and lets a check find the code directly.
func (s *Service) recoveryCodeHash(kind Kind, subjectID, code string) string {
	return ids.KeyedHash(s.lookupKey, "recovery_code:"+string(kind)+":"+subjectID+":"+normalizeRecoveryCode(code))
}

// replaceRecoveryCodes stores codes, hashed, as the account's recovery
// codes in tx, dropping the earlier ones.
func (s *Service) replaceRecoveryCodes(tx *store.Tx, kind Kind, subjectID string, codes []string) error {
	if _, err := tx.Exec(`DELETE FROM recovery_codes WHERE kind = $1 AND subject_id = $2`, string(kind), subjectID); err != nil {
		return err
	}
	for _, c := range codes {
		if _, err := tx.Exec(`INSERT INTO recovery_codes (id, kind, subject_id, code_hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
			ids.New(), string(kind), subjectID, s.recoveryCodeHash(kind, subjectID, c), store.Micros(tx.Now)); err != nil {
			return err
		}
	}
	return nil
}

// confirmFactor turns the account's waiting authenticator on in tx, with
// new recovery codes.
func (s *Service) confirmFactor(tx *store.Tx, kind Kind, subjectID string, codes []string) error {
	if err := tx.ExecOne(`UPDATE second_factors SET confirmed_at = $1 WHERE kind = $2 AND subject_id = $3 AND confirmed_at IS NULL`,
		store.Micros(tx.Now), string(kind), subjectID); err != nil {
		return err
	}
	if err := s.replaceRecoveryCodes(tx, kind, subjectID, codes); err != nil {
		return err
	}
	return auditSecurity(tx, kind, subjectID, "", "two_step_enabled", map[string]int{"recovery_codes": len(codes)})
}

// ConfirmEnrolment turns on the authenticator StartEnrolment set up, once
// code (from the app) is right, and returns RecoveryCodeCount recovery
// codes, which are stored only hashed and cannot be shown again. Errors:
// INVALID_OTP, TOO_MANY_REQUESTS, NOT_ALLOWED (no enrolment waiting).
func (s *Service) ConfirmEnrolment(ctx context.Context, kind Kind, subjectID, code string) ([]string, error) {
	codes, err := newRecoveryCodes()
	if err != nil {
		return nil, err
	}
	err = s.checkCode(ctx, kind, subjectID, code, codeCheck{action: "two_step_enrolment"}, func(tx *store.Tx, _ checked) error {
		return s.confirmFactor(tx, kind, subjectID, codes)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableTwoStep turns two-step verification off, given a current code from
// the authenticator (a recovery code does not do). Staff cannot turn it
// off. Errors: NOT_ALLOWED (staff, or not on), INVALID_OTP,
// TOO_MANY_REQUESTS.
func (s *Service) DisableTwoStep(ctx context.Context, kind Kind, subjectID, code string) error {
	if kind == KindStaff {
		return apperr.New(apperr.NotAllowed, "Two-step verification is required for staff and cannot be turned off.")
	}
	return s.checkCode(ctx, kind, subjectID, code, codeCheck{confirmed: true, action: "two_step_disable"}, func(tx *store.Tx, _ checked) error {
		if err := deleteFactor(tx, kind, subjectID); err != nil {
			return err
		}
		return auditSecurity(tx, kind, subjectID, "", "two_step_disabled", nil)
	})
}

// deleteFactor removes the account's authenticator and recovery codes.
func deleteFactor(tx *store.Tx, kind Kind, subjectID string) error {
	if _, err := tx.Exec(`DELETE FROM recovery_codes WHERE kind = $1 AND subject_id = $2`, string(kind), subjectID); err != nil {
		return err
	}
	_, err := tx.Exec(`DELETE FROM second_factors WHERE kind = $1 AND subject_id = $2`, string(kind), subjectID)
	return err
}

// RegenerateRecoveryCodes replaces the account's recovery codes with
// RecoveryCodeCount new ones, given a current code from the authenticator,
// and returns them (shown once). Errors: NOT_ALLOWED (not on), INVALID_OTP,
// TOO_MANY_REQUESTS.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, kind Kind, subjectID, code string) ([]string, error) {
	codes, err := newRecoveryCodes()
	if err != nil {
		return nil, err
	}
	err = s.checkCode(ctx, kind, subjectID, code, codeCheck{confirmed: true, action: "recovery_codes_regenerate"}, func(tx *store.Tx, _ checked) error {
		if err := s.replaceRecoveryCodes(tx, kind, subjectID, codes); err != nil {
			return err
		}
		return auditSecurity(tx, kind, subjectID, "", "recovery_codes_regenerated", map[string]int{"recovery_codes": len(codes)})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// TwoStepStatus returns the account's two-step verification settings.
func (s *Service) TwoStepStatus(ctx context.Context, kind Kind, subjectID string) (TwoStep, error) {
	st := TwoStep{Required: kind == KindStaff}
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var confirmed *int64
		err := tx.QueryRow(`SELECT confirmed_at FROM second_factors WHERE kind = $1 AND subject_id = $2`, string(kind), subjectID).Scan(&confirmed)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		st.Enabled, st.Pending, st.EnabledAt = confirmed != nil, confirmed == nil, timePtr(confirmed)
		return tx.QueryRow(`SELECT COUNT(*) FROM recovery_codes WHERE kind = $1 AND subject_id = $2 AND used_at IS NULL`, string(kind), subjectID).Scan(&st.RecoveryCodesLeft)
	})
	return st, err
}
