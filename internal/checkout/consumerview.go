package checkout

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/store"
)

// ConsumerSessionView is a payment session as the consumer's side of checkout
// (the hosted checkout page) shows it: the merchant, the purchase and the
// payment methods on offer. It holds nothing the consumer may not see.
type ConsumerSessionView struct {
	SessionID string
	// MerchantName is the shop's name as Tillit knows it.
	MerchantName string
	// TestMode is true for a merchant in test mode, whose checkout accepts
	// TestOTP.
	TestMode bool
	// Status is SessionIncomplete or SessionComplete (authorized).
	Status           string
	Locale           string
	PurchaseCountry  string
	PurchaseCurrency string
	// OrderAmount and OrderTaxAmount are minor units, tax included in the
	// amount.
	OrderAmount    int64
	OrderTaxAmount int64
	OrderLines     []OrderLine
	// MerchantURLs are the merchant's URLs for this purchase (zero when the
	// session has none).
	MerchantURLs MerchantURLs
	// PaymentMethods are the categories the merchant offers (see
	// EnabledMethods), in the order sessions list them.
	PaymentMethods []string
	ExpiresAt      time.Time
	// AuthorizationToken is the token of the session's approved
	// authorization while the merchant can still place the order with it
	// (active and not expired), so that a consumer who comes back to an
	// authorized session can be handed back to the merchant again; empty
	// otherwise.
	AuthorizationToken string
}

// ConsumerSession returns the session for the consumer's side, checking its
// client token. Errors: UNAUTHORIZED (an unknown session or a wrong token,
// which answer alike), SESSION_EXPIRED.
func (s *Service) ConsumerSession(ctx context.Context, sessionID, clientToken string) (ConsumerSessionView, error) {
	var v ConsumerSessionView
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		v = ConsumerSessionView{}
		r, err := s.consumerSession(tx, sessionID, clientToken)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT name, test_mode FROM merchants WHERE id = $1`, r.MerchantID).Scan(&v.MerchantName, &v.TestMode); err != nil {
			return err
		}
		if v.PaymentMethods, err = enabledMethods(tx, r.MerchantID); err != nil {
			return err
		}
		d := r.Data
		v.SessionID, v.Status, v.ExpiresAt = r.ID, r.Status, store.FromMicros(r.ExpiresAt)
		v.Locale, v.PurchaseCountry, v.PurchaseCurrency = d.Locale, d.PurchaseCountry, d.PurchaseCurrency
		v.OrderAmount, v.OrderTaxAmount, v.OrderLines = d.OrderAmount, d.OrderTaxAmount, d.OrderLines
		if d.MerchantURLs != nil {
			v.MerchantURLs = *d.MerchantURLs
		}
		if r.Status != SessionComplete || !r.AuthorizationToken.Valid {
			return nil
		}
		err = tx.QueryRow(`SELECT token FROM authorizations WHERE token = $1 AND status = $2 AND expires_at > $3`,
			r.AuthorizationToken.String, authActive, store.Micros(tx.Now)).Scan(&v.AuthorizationToken)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return v, err
}

// OTPAttemptsLeft returns how many more tries the session's outstanding
// one-time code allows: 0 when no code is outstanding or it has expired, so
// the consumer must ask for a new one. Codes of merchants in test mode are not
// counted. Errors: UNAUTHORIZED, SESSION_EXPIRED.
func (s *Service) OTPAttemptsLeft(ctx context.Context, sessionID, clientToken string) (int, error) {
	left := 0
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		if _, err := s.consumerSession(tx, sessionID, clientToken); err != nil {
			return err
		}
		var (
			attempts int
			expires  int64
		)
		err := tx.QueryRow(`SELECT attempts, expires_at FROM otp_challenges WHERE session_id = $1`, sessionID).Scan(&attempts, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if tx.Now.UnixMicro() < expires {
			left = max(0, OTPMaxAttempts-attempts)
		}
		return nil
	})
	return left, err
}
