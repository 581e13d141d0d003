package account

import (
	"context"

	"github.com/tillit/tillit/internal/store"
)

// VerifyAuthenticatorCode checks a current code from the authenticator of
// a signed-in account that has two-step verification on, to confirm it is
// them again before a sensitive step (showing a card's details, lifting a
// freeze). A recovery code does not do. The code is spent as at sign-in
// (no replay) and counted by Config.SecondFactor. Errors: NOT_ALLOWED
// (two-step verification is off), INVALID_OTP, TOO_MANY_REQUESTS.
func (s *Service) VerifyAuthenticatorCode(ctx context.Context, kind Kind, subjectID, code string) error {
	return s.checkCode(ctx, kind, subjectID, code, codeCheck{confirmed: true, action: "reauthentication"}, func(tx *store.Tx, _ checked) error {
		return auditSecurity(tx, kind, subjectID, "", "reauthenticated", nil)
	})
}
