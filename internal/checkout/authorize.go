package checkout

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"unicode"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/history"
	"github.com/tillit/tillit/internal/risk/record"
	"github.com/tillit/tillit/internal/store"
)

// Authorization statuses.
const (
	authActive    = "active"
	authUsed      = "used"
	authCancelled = "cancelled"
)

// consumerData is what the consumer gave at authorization, stored with the
// authorization and then the order.
type consumerData struct {
	Customer        Customer `json:"customer"`
	BillingAddress  Address  `json:"billing_address"`
	ShippingAddress *Address `json:"shipping_address,omitempty"`
	Device          Device   `json:"device"`
}

// consumerSession loads a session for the consumer side, checking its client
// token. A wrong token answers exactly like an unknown session.
func (s *Service) consumerSession(tx *store.Tx, sessionID, clientToken string) (*sessionRow, error) {
	r, err := s.loadSession(tx, sessionID)
	if err != nil || !s.validClientToken(sessionID, clientToken) {
		return nil, apperr.New(apperr.Unauthorized, "The client token is not valid for this session.")
	}
	if tx.Now.UnixMicro() >= r.ExpiresAt {
		return nil, apperr.New(apperr.SessionExpired, "The session has expired.")
	}
	return r, nil
}

// RequestOTP sends a one-time code for the session to the consumer's e-mail
// through the outbox, in the session's language. Errors: UNAUTHORIZED, SESSION_EXPIRED, BAD_VALUE.
func (s *Service) RequestOTP(ctx context.Context, sessionID, clientToken string, req OTPRequest) error {
	code, err := randomDigits(6)
	if err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		sess, err := s.consumerSession(tx, sessionID, clientToken)
		if err != nil {
			return err
		}
		if sess.Status != SessionIncomplete {
			return apperr.New(apperr.NotAllowed, "The session is already authorized.")
		}
		probe := Address{Email: req.Email}
		if req.Email == "" {
			return apperr.BadField("email", "is required")
		}
		if err := probe.validate("", false); err != nil {
			return apperr.BadField("email", "is not an e-mail address")
		}
		if _, err := tx.Exec(`DELETE FROM otp_challenges WHERE session_id = $1`, sessionID); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO otp_challenges (session_id, code_hash, attempts, expires_at) VALUES ($1, $2, 0, $3)`,
			sessionID, ids.Hash(sessionID+":"+code), store.Micros(tx.Now.Add(OTPLifetime))); err != nil {
			return err
		}
		// The mail is data about the person the address leads to, made now
		// when Tillit knew nothing about them: it is sealed under their key.
		personID, err := person.Resolve(tx, ids.ConsumerKey(s.lookupKey, req.Email))
		if err != nil {
			return err
		}
		lang, ok := i18n.Parse(sess.Data.Locale)
		if !ok {
			lang = i18n.Default
		}
		_, err = outbox.Enqueue(tx, s.Vault, s.lookupKey, outbox.Message{Channel: outbox.Email, To: req.Email, PersonID: personID,
			Subject: i18n.T(lang, "mail.checkout_code.subject"),
			Body:    i18n.T(lang, "mail.checkout_code.body", "code", code, "minutes", int(OTPLifetime.Minutes()))})
		return err
	})
}

// randomDigits returns n uniformly random decimal digits.
func randomDigits(n int) (string, error) {
	var b strings.Builder
	for i := 0; i < n; i++ {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "", err
		}
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String(), nil
}

// errBadOTP is returned after a failed code check has been counted.
var errBadOTP = apperr.New(apperr.InvalidOTP, "The one-time code is wrong or has expired.")

// checkOTP verifies the consumer's one-time code. Test merchants accept
// TestOTP; live merchants need the code sent by RequestOTP. Failed attempts are
// counted in their own transaction so that they stick.
func (s *Service) checkOTP(ctx context.Context, sessionID, code string, testMode bool) error {
	if testMode {
		if subtle.ConstantTimeCompare([]byte(code), []byte(TestOTP)) == 1 {
			return nil
		}
		return errBadOTP
	}
	ok := false
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var hash string
		var attempts int
		var expires int64
		err := tx.QueryRow(`SELECT code_hash, attempts, expires_at FROM otp_challenges WHERE session_id = $1`, sessionID).Scan(&hash, &attempts, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if attempts >= OTPMaxAttempts || tx.Now.UnixMicro() >= expires {
			_, err := tx.Exec(`DELETE FROM otp_challenges WHERE session_id = $1`, sessionID)
			return err
		}
		if subtle.ConstantTimeCompare([]byte(hash), []byte(ids.Hash(sessionID+":"+code))) == 1 {
			ok = true
			_, err := tx.Exec(`DELETE FROM otp_challenges WHERE session_id = $1`, sessionID)
			return err
		}
		_, err = tx.Exec(`UPDATE otp_challenges SET attempts = attempts + 1 WHERE session_id = $1`, sessionID)
		return err
	})
	if err != nil {
		return err
	}
	if !ok {
		return errBadOTP
	}
	return nil
}

// Authorize runs the consumer's authorization of a session: it checks the
// client token, the identity data and the one-time code, runs the assessment
// pipeline and, when approved, hands out an authorization token. Errors:
// UNAUTHORIZED, SESSION_EXPIRED, NOT_ALLOWED (already authorized), BAD_VALUE
// (also for a payment method category the merchant has switched off),
// INVALID_OTP, ACCOUNT_FROZEN (the person froze their account).
func (s *Service) Authorize(ctx context.Context, sessionID, clientToken string, req AuthorizeRequest) (AuthorizeResult, error) {
	var (
		sess     *sessionRow
		testMode bool
		category string
		enabled  []string
	)
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		if sess, err = s.consumerSession(tx, sessionID, clientToken); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT test_mode, category FROM merchants WHERE id = $1`, sess.MerchantID).Scan(&testMode, &category); err != nil {
			return err
		}
		enabled, err = enabledMethods(tx, sess.MerchantID)
		return err
	})
	if err != nil {
		return AuthorizeResult{}, err
	}
	if sess.Status != SessionIncomplete {
		return AuthorizeResult{}, apperr.New(apperr.NotAllowed, "The session is already authorized.")
	}
	if _, ok := paymentMethod(req.PaymentMethodCategory); !ok {
		return AuthorizeResult{}, apperr.BadField("payment_method_category", "must be one of pay_now, pay_later, pay_in_parts, pay_over_time")
	}
	if !slices.Contains(enabled, req.PaymentMethodCategory) {
		return AuthorizeResult{}, apperr.BadField("payment_method_category", "is not offered by this merchant")
	}
	if req.FinancingMonths != 0 && req.PaymentMethodCategory != repayment.CategoryFinancing {
		return AuthorizeResult{}, apperr.BadField("financing_months", "applies only to pay_over_time")
	}
	if err := repayment.CheckFinancingMonths(req.FinancingMonths); err != nil {
		return AuthorizeResult{}, err
	}
	if len(req.PaymentInstrument) > 200 {
		return AuthorizeResult{}, apperr.BadField("payment_instrument", "is too long")
	}
	if req.BillingAddress == nil {
		return AuthorizeResult{}, apperr.BadField("billing_address", "is required")
	}
	if err := req.BillingAddress.validate("billing_address", true); err != nil {
		return AuthorizeResult{}, err
	}
	if req.ShippingAddress != nil {
		if err := req.ShippingAddress.validate("shipping_address", false); err != nil {
			return AuthorizeResult{}, err
		}
	}
	if err := req.Customer.validate(true); err != nil {
		return AuthorizeResult{}, err
	}
	if len(req.Device.IP) > 64 || len(req.Device.Fingerprint) > 256 || len(req.Device.UserAgent) > 512 {
		return AuthorizeResult{}, apperr.BadField("device", "is too long")
	}
	if err := s.checkOTP(ctx, sessionID, req.OTP, testMode); err != nil {
		return AuthorizeResult{}, err
	}
	in, err := s.riskInput(ctx, sess, testMode, req)
	in.MerchantCategory = category
	if err != nil {
		return AuthorizeResult{}, err
	}
	if err := s.checkFrozen(ctx, in.PersonID); err != nil {
		return AuthorizeResult{}, err
	}
	decision, err := s.Assessor.Assess(ctx, in)
	if err != nil {
		return AuthorizeResult{}, fmt.Errorf("checkout: assess: %w", err)
	}
	result := AuthorizeResult{Approved: decision.Outcome != risk.Rejected, FraudStatus: decision.Outcome, Reasons: decision.Reasons}
	if result.Reasons == nil {
		result.Reasons = []string{}
	}
	consumer := consumerData{Customer: req.Customer, BillingAddress: *req.BillingAddress, ShippingAddress: req.ShippingAddress, Device: req.Device}
	reasons, _ := json.Marshal(result.Reasons)
	token := ids.New()
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		personID, err := person.Resolve(tx, ids.ConsumerKey(s.lookupKey, req.BillingAddress.Email))
		if err != nil {
			return err
		}
		sealedConsumer, err := s.sealConsumer(tx, personID, consumer)
		if err != nil {
			return err
		}
		status := authCancelled
		if result.Approved {
			status = authActive
			if err := s.completeSession(tx, sess, token, personID); err != nil {
				return err
			}
		}
		_, err = tx.Exec(`INSERT INTO authorizations (token, session_id, merchant_id, person_id, status, fraud_status, payment_method, approved_amount, consumer, reasons,
			created_at, expires_at, financing_months, payment_instrument)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			token, sessionID, sess.MerchantID, personID, status, decision.Outcome, req.PaymentMethodCategory, sess.Data.OrderAmount,
			sealedConsumer, string(reasons), store.Micros(tx.Now), store.Micros(tx.Now.Add(AuthorizationLifetime)),
			req.FinancingMonths, req.PaymentInstrument)
		if err != nil {
			return err
		}
		return s.remember(tx, token, personID, in, decision)
	})
	if err != nil {
		return AuthorizeResult{}, err
	}
	if result.Approved {
		result.AuthorizationToken = token
	}
	return result, nil
}

// checkFrozen declines the purchase of a person who froze their account;
// someone Tillit has not met ("") cannot have.
func (s *Service) checkFrozen(ctx context.Context, personID string) error {
	if s.Frozen == nil || personID == "" {
		return nil
	}
	var frozen bool
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		frozen, err = s.Frozen(tx, personID)
		return err
	})
	if err == nil && frozen {
		return errAccountFrozen
	}
	return err
}

// remember keeps the assessment of an authorization: the purchase in the
// fraud history (its keys, for the next purchases' features) and the
// automated decision record.
func (s *Service) remember(tx *store.Tx, token, personID string, in risk.Input, d risk.Decision) error {
	err := history.Record(tx, history.Observation{
		AuthorizationToken: token, PersonID: personID, MerchantID: in.MerchantID, Amount: in.Amount, Currency: in.Currency,
		Outcome: d.Outcome, Keys: in.Keys, ShipsElsewhere: in.ShipsElsewhere,
	})
	if err != nil {
		return err
	}
	if _, err := record.Save(tx, record.Assessment{Kind: record.KindAuthorization, AuthorizationToken: token, PersonID: personID,
		MerchantID: in.MerchantID, Decision: d}); err != nil {
		return err
	}
	if s.AfterAssessment != nil {
		return s.AfterAssessment(tx, personID, in.Keys)
	}
	return nil
}

// riskInput is what the assessment of an authorization looks at: the
// purchase, the buyer as they gave themselves, the person Tillit already
// knows under their e-mail address (if any) and keyed hashes of what
// identifies them.
func (s *Service) riskInput(ctx context.Context, sess *sessionRow, testMode bool, req AuthorizeRequest) (risk.Input, error) {
	bill := req.BillingAddress
	in := risk.Input{
		MerchantID: sess.MerchantID, TestMode: testMode, PaymentMethod: req.PaymentMethodCategory,
		Amount: sess.Data.OrderAmount, Currency: sess.Data.PurchaseCurrency, PurchaseCountry: sess.Data.PurchaseCountry,
		GivenName: bill.GivenName, FamilyName: bill.FamilyName, DateOfBirth: req.Customer.DateOfBirth, Email: bill.Email,
		BillingCountry: bill.Country, DeviceIP: req.Device.IP, Fingerprint: req.Device.Fingerprint, Now: s.DB.Clock.Now(),
	}
	shipTo := bill
	if req.ShippingAddress != nil {
		in.ShippingCountry = req.ShippingAddress.Country
		in.ShipsElsewhere = addressKey(req.ShippingAddress) != addressKey(bill)
		shipTo = req.ShippingAddress
	}
	in.Keys = risk.Keys{
		Email: ids.ConsumerKey(s.lookupKey, bill.Email), Phone: keyedOrEmpty(s.lookupKey, "phone", normalisePhone(bill.Phone)),
		Device: keyedOrEmpty(s.lookupKey, "device", req.Device.Fingerprint), IP: keyedOrEmpty(s.lookupKey, "ip", req.Device.IP),
		Shipping: keyedOrEmpty(s.lookupKey, "address", addressKey(shipTo)),
	}
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var since int64
		err := tx.QueryRow(`SELECT id, created_at FROM persons WHERE consumer_key = $1`, in.Keys.Email).Scan(&in.PersonID, &since)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		in.PersonSince = store.FromMicros(since)
		return err
	})
	return in, err
}

// keyedOrEmpty is the keyed hash of value in its own domain (so equal
// strings of different kinds do not share a key), or "" for "".
func keyedOrEmpty(key, domain, value string) string {
	if value == "" {
		return ""
	}
	return ids.KeyedHash(key, domain+":"+value)
}

// addressKey normalises a postal address for comparing it with another:
// street, postal code, city and country, lower-cased with spacing removed.
// It is "" when the address has no street.
func addressKey(a *Address) string {
	if a == nil || strings.TrimSpace(a.StreetAddress) == "" {
		return ""
	}
	var b strings.Builder
	for _, part := range []string{a.StreetAddress, a.StreetAddress2, a.PostalCode, a.City, a.Country} {
		for _, r := range strings.ToLower(part) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteRune(r)
			}
		}
		b.WriteByte('|')
	}
	return b.String()
}

// normalisePhone keeps a phone number's digits and a leading plus.
func normalisePhone(phone string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(phone) {
		if unicode.IsDigit(r) || (i == 0 && r == '+') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// completeSession marks the session authorized by the person: their
// personal fields, sealed under the session until now, are sealed again
// under the person, and the session's own key is shredded.
func (s *Service) completeSession(tx *store.Tx, sess *sessionRow, token, personID string) error {
	_, personal := splitPersonal(sess.Data)
	sealed, err := s.sealJSON(tx, personID, contextPersonal, personal, personal.empty())
	if err != nil {
		return err
	}
	res, err := tx.Exec(`UPDATE payment_sessions SET status = $1, authorization_token = $2, person_id = $3, personal = $4, version = version + 1
		WHERE id = $5 AND version = $6 AND status = $7`,
		SessionComplete, token, personID, sealed, sess.ID, sess.Version, SessionIncomplete)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(err, apperr.New(apperr.NotAllowed, "The session changed or was authorized while this request ran; authorize again."))
	}
	if sess.sealedPersonal != "" && sess.PersonID == "" {
		return s.Vault.Shred(tx, sess.ID)
	}
	return nil
}
