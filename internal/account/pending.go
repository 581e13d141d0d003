package account

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/totp"
)

// A sign-in in two stages: after the first factor (password, or e-mailed
// code) BeginSignIn either starts the session at once, or, when the account
// needs a second factor, returns a pending sign-in whose token the browser
// keeps (in a cookie of its own) while it is asked for a code.
// CompleteSignIn then starts the session. Staff always need a second
// factor; one without an authenticator must set one up first
// (EnrolForSignIn), so that no member of staff ever has a session on the
// password alone.

// Stage is what a pending sign-in waits for.
type Stage string

// Stages of a pending sign-in.
const (
	// StageCode: a code from the authenticator, or a recovery code.
	StageCode Stage = "code"
	// StageEnrol: a member of staff without an authenticator sets one up
	// (EnrolForSignIn) and gives its first code.
	StageEnrol Stage = "enrol"
)

// PendingLifetime is how long a pending sign-in waits for its second
// factor.
const PendingLifetime = 10 * time.Minute

// errNoPending is the answer for an unknown or expired pending sign-in.
var errNoPending = apperr.New(apperr.Unauthorized, "The sign-in has expired; sign in again.")

// Pending is a sign-in waiting for its second factor.
type Pending struct {
	// Token is the pending sign-in's secret, for the browser's cookie; it
	// is set only by BeginSignIn.
	Token      string    `json:"-"`
	Kind       Kind      `json:"kind"`
	SubjectID  string    `json:"subject_id"`
	MerchantID string    `json:"merchant_id,omitempty"`
	Stage      Stage     `json:"stage"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// SignIn is the outcome of a sign-in step: either a session (Token and
// Session) or a sign-in still Pending.
type SignIn struct {
	Token   string
	Session *Session
	Pending *Pending
	// RecoveryCodes are the new recovery codes of an authenticator set up
	// during the sign-in, to show once.
	RecoveryCodes []string
	// UsedRecoveryCode is true when a recovery code stood in for the
	// authenticator; RecoveryCodesLeft is how many remain then.
	UsedRecoveryCode  bool
	RecoveryCodesLeft int
}

// BeginSignIn is the step after a first factor passed (AuthenticateStaff,
// AuthenticateMerchantUser, VerifyLoginCode): for an account without a
// second factor it starts the session (as StartSession), otherwise it
// records a pending sign-in for PendingLifetime and returns it. Errors:
// BAD_VALUE (kind, merchant id), NOT_FOUND (subject).
func (s *Service) BeginSignIn(ctx context.Context, kind Kind, subjectID, merchantID, userAgent, ip string) (SignIn, error) {
	if err := checkKind(kind, merchantID); err != nil {
		return SignIn{}, err
	}
	var out SignIn
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		out = SignIn{}
		if err := checkSubject(tx, kind, subjectID, merchantID); err != nil {
			return err
		}
		stage, err := secondFactorStage(tx, kind, subjectID)
		if err != nil {
			return err
		}
		if stage == "" {
			token, sess, err := s.startSession(tx, kind, subjectID, merchantID, userAgent, ip)
			out.Token, out.Session = token, &sess
			return err
		}
		p := Pending{Token: ids.Token(tokenBytes), Kind: kind, SubjectID: subjectID, MerchantID: merchantID, Stage: stage, ExpiresAt: tx.Now.Add(PendingLifetime)}
		var merchant any
		if merchantID != "" {
			merchant = merchantID
		}
		if _, err := tx.Exec(`INSERT INTO pending_sign_ins (token_hash, kind, subject_id, merchant_id, stage, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			ids.Hash(p.Token), string(kind), subjectID, merchant, string(stage), store.Micros(tx.Now), store.Micros(p.ExpiresAt)); err != nil {
			return err
		}
		out.Pending = &p
		return nil
	})
	return out, err
}

// pending reads the live pending sign-in of the kind that token names.
func pending(tx *store.Tx, kind Kind, token string) (Pending, error) {
	if token == "" || len(token) > 128 {
		return Pending{}, errNoPending
	}
	var (
		p        Pending
		merchant *string
		stage    string
		expires  int64
	)
	err := tx.QueryRow(`SELECT subject_id, merchant_id, stage, expires_at FROM pending_sign_ins WHERE token_hash = $1 AND kind = $2`, ids.Hash(token), string(kind)).
		Scan(&p.SubjectID, &merchant, &stage, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && store.Micros(tx.Now) >= expires) {
		return Pending{}, errNoPending
	}
	if err != nil {
		return Pending{}, err
	}
	p.Kind, p.Stage, p.ExpiresAt = kind, Stage(stage), store.FromMicros(expires)
	if merchant != nil {
		p.MerchantID = *merchant
	}
	return p, nil
}

// PendingSignIn returns the live pending sign-in of the kind that token
// names (without its token). Errors: UNAUTHORIZED.
func (s *Service) PendingSignIn(ctx context.Context, kind Kind, token string) (Pending, error) {
	var p Pending
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		p, err = pending(tx, kind, token)
		return err
	})
	return p, err
}

// EnrolForSignIn sets up an authenticator for the member of staff of a
// pending sign-in at StageEnrol, as StartEnrolment does, or shows again the
// one set up and not yet confirmed (a page reloaded, a wrong first code);
// CompleteSignIn takes its first code. Errors: UNAUTHORIZED (no such
// pending sign-in), NOT_ALLOWED (the sign-in is not at StageEnrol).
func (s *Service) EnrolForSignIn(ctx context.Context, kind Kind, token string) (Enrolment, error) {
	var e Enrolment
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		p, err := pending(tx, kind, token)
		if err != nil {
			return err
		}
		if p.Stage != StageEnrol {
			return apperr.New(apperr.NotAllowed, "This sign-in asks for a code, not for setting up an authenticator.")
		}
		f, found, err := s.loadFactor(tx, kind, p.SubjectID)
		if err != nil {
			return err
		}
		if found && f.confirmed == nil {
			label, err := s.accountLabel(tx, kind, p.SubjectID)
			e = Enrolment{Secret: f.secret, URI: totp.URI(f.secret, Issuer, label)}
			return err
		}
		e, err = s.startEnrolment(tx, kind, p.SubjectID, "")
		return err
	})
	return e, err
}

// CompleteSignIn checks the second factor of a pending sign-in and starts
// the session. At StageCode code is from the authenticator or is one of the
// recovery codes (each works once); at StageEnrol it is the first code of
// the authenticator EnrolForSignIn set up, which is turned on, and the new
// recovery codes come back in SignIn.RecoveryCodes. Tries are limited per
// account by Config.SecondFactor and, for staff and merchant users,
// audited. Errors: UNAUTHORIZED (no such pending sign-in), INVALID_OTP,
// TOO_MANY_REQUESTS, NOT_ALLOWED (at StageEnrol before EnrolForSignIn).
func (s *Service) CompleteSignIn(ctx context.Context, kind Kind, token, code, userAgent, ip string) (SignIn, error) {
	p, err := s.PendingSignIn(ctx, kind, token)
	if err != nil {
		return SignIn{}, err
	}
	var codes []string
	if p.Stage == StageEnrol {
		if codes, err = newRecoveryCodes(); err != nil {
			return SignIn{}, err
		}
	}
	var out SignIn
	check := codeCheck{confirmed: p.Stage == StageCode, recovery: p.Stage == StageCode, action: "second_factor"}
	err = s.checkCode(ctx, kind, p.SubjectID, code, check, func(tx *store.Tx, ok checked) error {
		out = SignIn{}
		// The pending sign-in is spent with the code: exactly once.
		if err := tx.ExecOne(`DELETE FROM pending_sign_ins WHERE token_hash = $1 AND expires_at > $2`, ids.Hash(token), store.Micros(tx.Now)); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return errNoPending
			}
			return err
		}
		if p.Stage == StageEnrol {
			if err := s.confirmFactor(tx, kind, p.SubjectID, codes); err != nil {
				return err
			}
			out.RecoveryCodes = codes
		}
		if ok.recoveryID != "" {
			out.UsedRecoveryCode = true
			if err := tx.QueryRow(`SELECT COUNT(*) FROM recovery_codes WHERE kind = $1 AND subject_id = $2 AND used_at IS NULL`, string(kind), p.SubjectID).Scan(&out.RecoveryCodesLeft); err != nil {
				return err
			}
		}
		factorName := "totp"
		if ok.recoveryID != "" {
			factorName = "recovery_code"
		}
		if err := auditSecurity(tx, kind, p.SubjectID, "", "second_factor_passed", map[string]any{"factor": factorName, "recovery_codes_left": out.RecoveryCodesLeft}); err != nil {
			return err
		}
		if err := checkSubject(tx, kind, p.SubjectID, p.MerchantID); err != nil {
			return err
		}
		token, sess, err := s.startSession(tx, kind, p.SubjectID, p.MerchantID, userAgent, ip)
		out.Token, out.Session = token, &sess
		return err
	})
	if err != nil {
		return SignIn{}, err
	}
	return out, nil
}
