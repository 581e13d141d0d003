package card

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/decision"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/risk/credit"
	"github.com/tillit/tillit/internal/store"
)

// NetworkMerchantID is the merchants row of the card network: the
// settlement counterparty of card purchases. Its payable
// (ledger.PayableAccount(NetworkMerchantID)) is what Tillit owes the
// network for approved card purchases; it is created with the first one.
const NetworkMerchantID = "0190a000-0000-7000-8000-0000000ca4d0"

// networkMerchantName is the network's merchants row's name.
const networkMerchantName = "Card network settlement"

// AuthorizationRequest is the card network's authorization request.
type AuthorizationRequest struct {
	// Amount in minor units of Currency.
	Amount               int64  `json:"amount"`
	Currency             string `json:"currency"`
	MerchantName         string `json:"merchant_name"`
	MerchantCategoryCode string `json:"merchant_category_code"`
	CardNumber           string `json:"card_number"`
	ExpiryMonth          int    `json:"expiry_month"`
	ExpiryYear           int    `json:"expiry_year"`
	CVV                  string `json:"cvv"`
	// NetworkReference identifies the request at the network: a repeat
	// with the same reference gets the first answer.
	NetworkReference string `json:"network_reference"`
}

// Authorization is the answer to the network.
type Authorization struct {
	AuthorizationID  string `json:"authorization_id"`
	NetworkReference string `json:"network_reference"`
	// Status is "approved" or "declined".
	Status string `json:"status"`
	// DeclineReason is one of the Decline* reasons when declined.
	DeclineReason string `json:"decline_reason,omitempty"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	CreatedAt     string `json:"created_at"`
	// OrderID is the consumer's order an approval placed; the network is
	// not told it.
	OrderID string `json:"-"`
}

// Authorization statuses.
const (
	AuthApproved = "approved"
	AuthDeclined = "declined"
)

var (
	digits    = regexp.MustCompile(`^[0-9]+$`)
	mccFormat = regexp.MustCompile(`^[0-9]{4}$`)
	refFormat = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)
)

// maxAmount bounds an authorization amount (1,000,000,000.00).
const maxAmount = 100_000_000_000

// validate checks the request's shape; nothing about the card.
func (r *AuthorizationRequest) validate() error {
	r.Currency = strings.ToUpper(strings.TrimSpace(r.Currency))
	r.MerchantName = strings.TrimSpace(r.MerchantName)
	switch {
	case !refFormat.MatchString(r.NetworkReference):
		return apperr.BadField("network_reference", "must be 1 to 64 letters, digits or . _ : -")
	case r.Amount <= 0 || r.Amount > maxAmount:
		return apperr.BadField("amount", "must be a positive number of minor units")
	case !currencyPattern.MatchString(r.Currency):
		return apperr.BadField("currency", "must be an ISO 4217 code")
	case r.MerchantName == "" || !utf8.ValidString(r.MerchantName) || utf8.RuneCountInString(r.MerchantName) > MaxMerchantName:
		return apperr.BadField("merchant_name", "is required, at most %d characters", MaxMerchantName)
	case !mccFormat.MatchString(r.MerchantCategoryCode):
		return apperr.BadField("merchant_category_code", "must be 4 digits")
	case len(r.CardNumber) < 12 || len(r.CardNumber) > 19 || !digits.MatchString(r.CardNumber):
		return apperr.BadField("card_number", "must be 12 to 19 digits")
	case r.ExpiryMonth < 1 || r.ExpiryMonth > 12:
		return apperr.BadField("expiry_month", "must be 1 to 12")
	case r.ExpiryYear < 2000 || r.ExpiryYear > 2099:
		return apperr.BadField("expiry_year", "must be a four-digit year")
	case len(r.CVV) != 3 || !digits.MatchString(r.CVV):
		return apperr.BadField("cvv", "must be 3 digits")
	}
	return nil
}

// requestHash is a keyed hash of the whole request, to tell a repeat from
// another request reusing its reference without keeping the card data.
func (s *Service) requestHash(r AuthorizationRequest) string {
	raw, _ := json.Marshal(r)
	return ids.KeyedHash(s.lookupKey, "card_authorization:"+string(raw))
}

// Authorize answers the card network's authorization request: approved,
// or declined with a reason. Each reference is answered once; its repeats
// get the stored answer. An approval places the consumer's order (package
// checkout), and an approval or a decline by the credit check records the
// check as an automated decision (package decision), in the same
// transaction. Errors: BAD_VALUE (the request's
// shape; nothing is written), IDEMPOTENCY_KEY_REUSED (the reference was
// used for another request).
func (s *Service) Authorize(ctx context.Context, req AuthorizationRequest) (Authorization, error) {
	if err := req.validate(); err != nil {
		return Authorization{}, err
	}
	hash := s.requestHash(req)
	var out Authorization
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.authorize(tx, req, hash)
		return err
	})
	if store.IsUniqueViolation(err) {
		// A repeat of the reference committed first: answer as it did.
		err = s.DB.Read(ctx, func(tx *store.Tx) error {
			var found bool
			out, found, err = storedAnswer(tx, req.NetworkReference, hash)
			if err == nil && !found {
				err = errors.New("card: authorization reference vanished")
			}
			return err
		})
	}
	return out, err
}

// storedAnswer returns the answer already given to reference, and
// IDEMPOTENCY_KEY_REUSED when it was given to another request.
func storedAnswer(tx *store.Tx, reference, hash string) (Authorization, bool, error) {
	var (
		a        Authorization
		stored   string
		approved bool
		created  int64
		order    sql.NullString
	)
	err := tx.QueryRow(`SELECT id, request_hash, approved, decline_reason, amount, currency, order_id, created_at FROM card_authorizations
		WHERE network_reference = $1`, reference).Scan(&a.AuthorizationID, &stored, &approved, &a.DeclineReason, &a.Amount, &a.Currency, &order, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	if err != nil {
		return a, false, err
	}
	if subtle.ConstantTimeCompare([]byte(stored), []byte(hash)) != 1 {
		return a, true, apperr.New(apperr.IdempotencyReused, "The network reference was already used for another authorization request.")
	}
	a.NetworkReference, a.OrderID, a.CreatedAt = reference, order.String, timestamp(store.FromMicros(created))
	a.Status = AuthDeclined
	if approved {
		a.Status = AuthApproved
	}
	return a, true, nil
}

// cardRow is what authorization reads of a card.
type cardRow struct {
	id, personID, kind, status, currency, lock, sealed string
	method, locale, period                             string
	expiryMonth, expiryYear, financingMonths           int
	limit, spent                                       int64
	cvvFailures                                        int
	frozen                                             bool
	usableUntil                                        int64
}

// authorize decides and records one request in tx. A request that reaches
// the credit check and is approved or declined by it also records the
// check as an automated decision (recordCredit).
func (s *Service) authorize(tx *store.Tx, req AuthorizationRequest, hash string) (Authorization, error) {
	if a, found, err := storedAnswer(tx, req.NetworkReference, hash); found || err != nil {
		return a, err
	}
	out := Authorization{AuthorizationID: ids.New(), NetworkReference: req.NetworkReference, Amount: req.Amount, Currency: req.Currency,
		CreatedAt: timestamp(tx.Now)}
	var c *cardRow
	reason := DeclineUnknownCard
	if luhnValid(req.CardNumber) {
		var err error
		if c, err = loadForAuthorization(tx, s.panHash(req.CardNumber)); err != nil {
			return out, err
		}
	}
	if c != nil {
		var err error
		if reason, err = s.decide(tx, c, req); err != nil {
			return out, err
		}
	}
	var check *creditCheck
	if reason == "" {
		var err error
		if check, err = s.checkCredit(tx, c, req); err != nil {
			return out, err
		}
		if len(check.reasons) > 0 {
			reason = DeclineByRisk
		}
	}
	if reason == "" {
		var err error
		if reason, err = s.approve(tx, c, req, &out); err != nil {
			return out, err
		}
	}
	out.Status, out.DeclineReason = AuthApproved, reason
	if reason != "" {
		out.Status = AuthDeclined
	}
	var cardID, personID, orderID any
	if c != nil {
		cardID, personID = c.id, c.personID
	}
	if out.OrderID != "" {
		orderID = out.OrderID
	}
	_, err := tx.Exec(`INSERT INTO card_authorizations (id, network_reference, request_hash, card_id, person_id, approved, decline_reason, amount, currency,
		merchant_name, merchant_category, order_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		out.AuthorizationID, req.NetworkReference, hash, cardID, personID, reason == "", reason, req.Amount, req.Currency,
		req.MerchantName, req.MerchantCategoryCode, orderID, store.Micros(tx.Now))
	if err != nil {
		return out, err
	}
	// A purchase that lost a race for the card after passing the check
	// (used, over the limit) was declined for the card, not by the check.
	if check != nil && (reason == "" || reason == DeclineByRisk) {
		err = s.recordCredit(tx, c, req, out, check)
	}
	return out, err
}

// loadForAuthorization finds a card by the hash of its number; nil when
// none has it or its holder is gone.
func loadForAuthorization(tx *store.Tx, panHash string) (*cardRow, error) {
	var (
		c      cardRow
		frozen sql.NullInt64
	)
	err := tx.QueryRow(`SELECT c.id, c.person_id, c.kind, c.status, c.currency, c.merchant_lock, c.sealed, c.payment_method, c.locale, c.period,
		c.expiry_month, c.expiry_year, c.financing_months, c.amount_limit, c.period_spent, c.cvv_failures, c.frozen_at, c.usable_until
		FROM cards c WHERE c.pan_hash = $1`, panHash).Scan(&c.id, &c.personID, &c.kind, &c.status, &c.currency, &c.lock, &c.sealed, &c.method, &c.locale,
		&c.period, &c.expiryMonth, &c.expiryYear, &c.financingMonths, &c.limit, &c.spent, &c.cvvFailures, &frozen, &c.usableUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c.frozen = frozen.Valid
	// A card of an erased person, or of one without a consumer account any
	// more, is no card: its rows may be kept for the books, never used, and
	// the decline is not linked to the person.
	var holders int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM consumers a JOIN persons p ON p.id = a.person_id WHERE a.person_id = $1 AND p.erased_at IS NULL`,
		c.personID).Scan(&holders); err != nil || holders == 0 {
		return nil, err
	}
	return &c, nil
}

// decide returns the reason to decline the request on card c, or "" when
// nothing about the card stands in its way (the credit check is
// checkCredit's). A wrong CVV is counted (and freezes the card after
// Config.MaxCVVFailures).
func (s *Service) decide(tx *store.Tx, c *cardRow, req AuthorizationRequest) (string, error) {
	var accountFrozen int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM account_freezes WHERE person_id = $1`, c.personID).Scan(&accountFrozen); err != nil {
		return "", err
	}
	if c.frozen || accountFrozen > 0 {
		return DeclineFrozen, nil
	}
	raw, err := s.Vault.Open(tx, c.personID, contextSecret, c.sealed)
	if err != nil {
		// An erased person's card cannot be opened: it is no card any more.
		return DeclineUnknownCard, nil
	}
	var sec secret
	if err := json.Unmarshal(raw, &sec); err != nil {
		return "", err
	}
	if req.ExpiryMonth != c.expiryMonth || req.ExpiryYear != c.expiryYear {
		return DeclineWrongExpiry, nil
	}
	if subtle.ConstantTimeCompare([]byte(req.CVV), []byte(sec.CVV)) != 1 {
		return DeclineWrongCVV, s.wrongCVV(tx, c)
	}
	now := store.Micros(tx.Now)
	switch {
	case c.status == StatusUsed:
		return DeclineUsed, nil
	case c.status == StatusExpired || now >= c.usableUntil:
		return DeclineExpired, nil
	case req.Currency != c.currency:
		return DeclineCurrencyMismatch, nil
	}
	if c.lock != "" {
		name, err := s.Vault.OpenString(tx, c.personID, contextMerchantLock, c.lock)
		if err != nil {
			return "", err
		}
		if normaliseName(name) != normaliseName(req.MerchantName) {
			return DeclineMerchantMismatch, nil
		}
	}
	spent := int64(0)
	if c.kind == KindVirtual && c.period == monthOf(tx.Now) {
		spent = c.spent
	}
	if spent+req.Amount > c.limit {
		return DeclineOverLimit, nil
	}
	return "", nil
}

// creditCheck is what a card purchase's credit check looked at and found.
type creditCheck struct {
	history credit.History
	// reasons are the credit reason codes that decline the purchase, in
	// the order of the credit stage's rules; none when it passes.
	reasons []string
}

// checkCredit applies the credit policy's rules that need no bureau to the
// purchase on card c: the person's open balance plus the amount within
// Config.Credit.MaxOpenBalance, and no overdue instalment.
func (s *Service) checkCredit(tx *store.Tx, c *cardRow, req AuthorizationRequest) (*creditCheck, error) {
	h, err := credit.ReadHistory(tx, c.personID, req.Currency, tx.Now, s.Config.Credit)
	if err != nil {
		return nil, err
	}
	check := &creditCheck{history: h}
	if h.OpenBalance+req.Amount > s.Config.Credit.MaxOpenBalance {
		check.reasons = append(check.reasons, credit.ReasonOpenBalanceLimit)
	}
	if h.Overdue > 0 {
		check.reasons = append(check.reasons, credit.ReasonArrears)
	}
	return check, nil
}

// recordCredit records the credit check of the purchase out answers as an
// automated decision about the card holder (requirement D7, package
// decision): approved, or refused with its reasons, and what it compared.
// The person sees it among their decisions in the app and may contest it.
// The network's merchants row, which the record names, is created first if
// this is its first purchase.
func (s *Service) recordCredit(tx *store.Tx, c *cardRow, req AuthorizationRequest, out Authorization, check *creditCheck) error {
	if err := ensureNetwork(tx); err != nil {
		return err
	}
	return decision.RecordCardCredit(tx, decision.CardCredit{AuthorizationID: out.AuthorizationID, OrderID: out.OrderID, PersonID: c.personID,
		MerchantID: NetworkMerchantID, Reasons: check.reasons, Amount: req.Amount, Currency: req.Currency,
		OpenBalance: check.history.OpenBalance, MaxOpenBalance: s.Config.Credit.MaxOpenBalance, Overdue: check.history.Overdue,
		PolicyVersion: s.Config.Credit.Version()})
}

// wrongCVV counts a wrong CVV; the last one allowed freezes the card.
func (s *Service) wrongCVV(tx *store.Tx, c *cardRow) error {
	if _, err := tx.Exec(`UPDATE cards SET cvv_failures = cvv_failures + 1, version = version + 1 WHERE id = $1`, c.id); err != nil {
		return err
	}
	var failures int
	if err := tx.QueryRow(`SELECT cvv_failures FROM cards WHERE id = $1`, c.id).Scan(&failures); err != nil {
		return err
	}
	if failures < s.Config.MaxCVVFailures {
		return nil
	}
	return s.setFrozen(tx, c.personID, c.id, true, actorCVVLock, "")
}

// approve takes the purchase off the card with one conditional UPDATE (a
// one-time card from active to used; a virtual card's month within its
// limit) and places the order. It returns a decline reason when a
// concurrent authorization got there first.
func (s *Service) approve(tx *store.Tx, c *cardRow, req AuthorizationRequest, out *Authorization) (string, error) {
	now := store.Micros(tx.Now)
	var res sql.Result
	var err error
	if c.kind == KindOneTime {
		res, err = tx.Exec(`UPDATE cards SET status = $1, used_at = $2, cvv_failures = 0, version = version + 1
			WHERE id = $3 AND status = $4 AND frozen_at IS NULL AND usable_until > $2`, StatusUsed, now, c.id, StatusActive)
	} else {
		month := monthOf(tx.Now)
		res, err = tx.Exec(`UPDATE cards SET period = $1, period_spent = (CASE WHEN period = $1 THEN period_spent ELSE 0 END) + $2,
			cvv_failures = 0, version = version + 1
			WHERE id = $3 AND status = $4 AND frozen_at IS NULL AND usable_until > $5
			AND (CASE WHEN period = $1 THEN period_spent ELSE 0 END) + $2 <= amount_limit`, month, req.Amount, c.id, StatusActive, now)
	}
	if err != nil {
		return "", err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		if err != nil {
			return "", err
		}
		if c.kind == KindOneTime {
			return DeclineUsed, nil
		}
		return DeclineOverLimit, nil
	}
	email, err := s.email(tx, c.personID)
	if err != nil {
		return "", err
	}
	if err := ensureNetwork(tx); err != nil {
		return "", err
	}
	orderID, err := s.Checkout.PlaceCardPurchase(tx, checkout.CardPurchase{NetworkID: NetworkMerchantID, PersonID: c.personID, Email: email,
		Category: c.method, FinancingMonths: c.financingMonths, Amount: req.Amount, Currency: req.Currency, Country: countryOf(c.locale),
		Locale: c.locale, MerchantName: req.MerchantName, NetworkRef: req.NetworkReference})
	if err != nil {
		return "", err
	}
	if c.kind == KindOneTime {
		if _, err := tx.Exec(`UPDATE cards SET order_id = $1 WHERE id = $2`, orderID, c.id); err != nil {
			return "", err
		}
	}
	out.OrderID = orderID
	return "", nil
}

// email opens the person's consumer account address.
func (s *Service) email(tx *store.Tx, personID string) (string, error) {
	var sealed string
	if err := tx.QueryRow(`SELECT email FROM consumers WHERE person_id = $1`, personID).Scan(&sealed); err != nil {
		return "", err
	}
	return s.Vault.OpenString(tx, personID, account.ContextEmail, sealed)
}

// ensureNetwork creates the card network's merchants row (with zero fees:
// the network is not a shop Tillit charges) if it does not exist yet.
func ensureNetwork(tx *store.Tx) error {
	if _, err := tx.Exec(`INSERT INTO merchants (id, name, test_mode, signing_secret, settlement_currency, created_at)
		VALUES ($1, $2, FALSE, '', 'EUR', $3) ON CONFLICT (id) DO NOTHING`, NetworkMerchantID, networkMerchantName, store.Micros(tx.Now)); err != nil {
		return err
	}
	_, err := tx.Exec(`INSERT INTO merchant_fee_terms (merchant_id, percent_bp, fixed_minor, vat_rate_bp, updated_at) VALUES ($1, 0, 0, 0, $2)
		ON CONFLICT (merchant_id) DO NOTHING`, NetworkMerchantID, store.Micros(tx.Now))
	return err
}

// countryOf is the country of a locale ("da-DK" → "DK").
func countryOf(locale string) string {
	_, country, _ := strings.Cut(locale, "-")
	return country
}

// normaliseName compares shop names without case, spacing or punctuation.
func normaliseName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// timestamp formats times the way the public API does.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
