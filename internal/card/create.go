package card

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// MaxMerchantName is the longest shop name a card can be locked to.
const MaxMerchantName = 100

var (
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
	localePattern   = regexp.MustCompile(`^[a-z]{2}-[A-Z]{2}$`)
)

// NewCard is what a consumer asks for.
type NewCard struct {
	// Kind is KindOneTime or KindVirtual.
	Kind string
	// Amount is a one-time card's purchase limit, or a virtual card's
	// limit per calendar month, in minor units of Currency.
	Amount   int64
	Currency string
	// Locale ("da-DK") is the purchases' language and, by its country,
	// their purchase country.
	Locale string
	// MerchantName, when set, locks the card to that shop (compared
	// without regard to case and spacing).
	MerchantName string
	// PaymentMethod is the checkout category the purchases are paid with
	// (pay_now, pay_later, pay_in_parts, pay_over_time); FinancingMonths
	// the financing term (0: the default).
	PaymentMethod   string
	FinancingMonths int
}

// Card is a card as its owner sees it: never its number or CVV.
type Card struct {
	ID              string    `json:"id"`
	Kind            string    `json:"kind"`
	Status          string    `json:"status"`
	BIN             string    `json:"bin"`
	Last4           string    `json:"last4"`
	ExpiryMonth     int       `json:"expiry_month"`
	ExpiryYear      int       `json:"expiry_year"`
	Currency        string    `json:"currency"`
	AmountLimit     int64     `json:"amount_limit"`
	SpentThisMonth  int64     `json:"spent_this_month"`
	MerchantName    string    `json:"merchant_name,omitempty"`
	PaymentMethod   string    `json:"payment_method"`
	FinancingMonths int       `json:"financing_months,omitempty"`
	Frozen          bool      `json:"frozen"`
	Revealed        bool      `json:"revealed"`
	OrderID         string    `json:"order_id,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
	UsableUntil     time.Time `json:"usable_until"`
}

// Details are what Reveal shows once: the card number, expiry and CVV.
type Details struct {
	Number      string `json:"number"`
	ExpiryMonth int    `json:"expiry_month"`
	ExpiryYear  int    `json:"expiry_year"`
	CVV         string `json:"cvv"`
}

// Reauth is the caller's proof that the consumer re-authenticated: the
// time their last one-time code (or TOTP) was verified in this session.
// The caller sets VerifiedAt only from its own record of a successful
// verification; zero means none.
type Reauth struct {
	VerifiedAt time.Time
}

// check rejects a missing, future or stale proof.
func (s *Service) check(r Reauth, now time.Time) error {
	if r.VerifiedAt.IsZero() || r.VerifiedAt.After(now) || now.Sub(r.VerifiedAt) > s.Config.ReauthWindow {
		return apperr.New(CodeReauthRequired, "Confirm it is you again (a new one-time code) before doing this.")
	}
	return nil
}

// validate checks a card request.
func (s *Service) validate(n *NewCard) error {
	n.Currency = strings.ToUpper(strings.TrimSpace(n.Currency))
	n.MerchantName = strings.TrimSpace(n.MerchantName)
	switch {
	case n.Kind != KindOneTime && n.Kind != KindVirtual:
		return apperr.BadField("kind", "must be %s or %s", KindOneTime, KindVirtual)
	case n.Amount <= 0 || n.Amount > s.Config.MaxAmount:
		return apperr.BadField("amount", "must be between 1 and %d", s.Config.MaxAmount)
	case !currencyPattern.MatchString(n.Currency):
		return apperr.BadField("currency", "must be an ISO 4217 code")
	case !localePattern.MatchString(n.Locale):
		return apperr.BadField("locale", "must look like da-DK")
	case !utf8.ValidString(n.MerchantName) || utf8.RuneCountInString(n.MerchantName) > MaxMerchantName:
		return apperr.BadField("merchant_name", "must be at most %d characters", MaxMerchantName)
	}
	if _, err := repayment.MethodOf(n.PaymentMethod); err != nil {
		return err
	}
	if n.FinancingMonths != 0 && n.PaymentMethod != repayment.CategoryFinancing {
		return apperr.BadField("financing_months", "applies only to pay_over_time")
	}
	return repayment.CheckFinancingMonths(n.FinancingMonths)
}

// Create issues a card to the person (who must have a consumer account):
// a fresh Luhn-valid number under the configured BIN and a CVV, sealed
// under the person; one-time cards get an expiry job at OneTimeLifetime.
// The number is shown only by Reveal. Errors: BAD_VALUE,
// NO_CONSUMER_ACCOUNT.
func (s *Service) Create(ctx context.Context, personID string, n NewCard) (Card, error) {
	if err := s.validate(&n); err != nil {
		return Card{}, err
	}
	cvv, err := randomDigits(3)
	if err != nil {
		return Card{}, err
	}
	var out Card
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		var one int
		err := tx.QueryRow(`SELECT 1 FROM consumers WHERE person_id = $1`, personID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(CodeNoConsumerAccount, "Cards are for people with a consumer account.")
		}
		if err != nil {
			return err
		}
		pan, err := newPAN(s.Config.BIN)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(secret{PAN: pan, CVV: cvv})
		sealed, err := s.Vault.Seal(tx, personID, contextSecret, raw)
		if err != nil {
			return err
		}
		lock := ""
		if n.MerchantName != "" {
			if lock, err = s.Vault.SealString(tx, personID, contextMerchantLock, n.MerchantName); err != nil {
				return err
			}
		}
		now := tx.Now.UTC()
		expiry := now.AddDate(1, 0, 0)
		until := now.Add(OneTimeLifetime)
		if n.Kind == KindVirtual {
			expiry = now.AddDate(s.Config.VirtualYears, 0, 0)
			until = time.Date(expiry.Year(), expiry.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		}
		id := ids.New()
		if _, err := tx.Exec(`INSERT INTO cards (id, person_id, kind, status, bin, last4, pan_hash, sealed, expiry_month, expiry_year, currency, amount_limit,
			merchant_lock, payment_method, financing_months, locale, created_at, usable_until)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
			id, personID, n.Kind, StatusActive, s.Config.BIN, pan[len(pan)-4:], s.panHash(pan), sealed, int(expiry.Month()), expiry.Year(),
			n.Currency, n.Amount, lock, n.PaymentMethod, n.FinancingMonths, n.Locale, store.Micros(now), store.Micros(until)); err != nil {
			return err
		}
		if err := jobs.Enqueue(tx, jobs.Job{Kind: JobExpire, UniqueKey: JobExpire + ":" + id, Payload: expirePayload{id}, RunAt: until}); err != nil {
			return err
		}
		out, err = s.load(tx, personID, id)
		return err
	})
	return out, err
}

const cardColumns = `id, kind, status, bin, last4, expiry_month, expiry_year, currency, amount_limit, period, period_spent, merchant_lock,
	payment_method, financing_months, frozen_at, revealed_at, COALESCE(order_id, ''), created_at, usable_until`

// scanCard reads a card row and opens its merchant lock.
func (s *Service) scanCard(tx *store.Tx, personID string, row interface{ Scan(...any) error }) (Card, error) {
	var (
		c                 Card
		period, lock      string
		spent             int64
		frozen, revealed  sql.NullInt64
		created, usableAt int64
	)
	if err := row.Scan(&c.ID, &c.Kind, &c.Status, &c.BIN, &c.Last4, &c.ExpiryMonth, &c.ExpiryYear, &c.Currency, &c.AmountLimit, &period, &spent,
		&lock, &c.PaymentMethod, &c.FinancingMonths, &frozen, &revealed, &c.OrderID, &created, &usableAt); err != nil {
		return Card{}, err
	}
	if lock != "" {
		name, err := s.Vault.OpenString(tx, personID, contextMerchantLock, lock)
		if err != nil && !errors.Is(err, vault.ErrShredded) {
			return Card{}, err
		}
		c.MerchantName = name
	}
	if period == monthOf(tx.Now) {
		c.SpentThisMonth = spent
	}
	c.Frozen, c.Revealed = frozen.Valid, revealed.Valid
	c.CreatedAt, c.UsableUntil = store.FromMicros(created), store.FromMicros(usableAt)
	if c.Status == StatusActive && !tx.Now.Before(c.UsableUntil) {
		c.Status = StatusExpired
	}
	return c, nil
}

// errNoCard answers an unknown card and another person's card alike.
var errNoCard = apperr.New(apperr.NotFound, "No such card.")

// load reads one of the person's cards.
func (s *Service) load(tx *store.Tx, personID, id string) (Card, error) {
	if !ids.Valid(id) {
		return Card{}, errNoCard
	}
	c, err := s.scanCard(tx, personID, tx.QueryRow(`SELECT `+cardColumns+` FROM cards WHERE id = $1 AND person_id = $2`, id, personID))
	if errors.Is(err, sql.ErrNoRows) {
		return Card{}, errNoCard
	}
	return c, err
}

// Get returns one of the person's cards. Errors: NOT_FOUND.
func (s *Service) Get(ctx context.Context, personID, id string) (Card, error) {
	var c Card
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		c, err = s.load(tx, personID, id)
		return err
	})
	return c, err
}

// List returns the person's cards, newest first.
func (s *Service) List(ctx context.Context, personID string) ([]Card, error) {
	var out []Card
	err := s.DB.Read(ctx, func(tx *store.Tx) (err error) {
		out, err = s.ListTx(tx, personID)
		return err
	})
	return out, err
}

// ListTx is List within tx.
func (s *Service) ListTx(tx *store.Tx, personID string) ([]Card, error) {
	// The ids first: opening a merchant lock reads the vault, which
	// PostgreSQL cannot do on a connection with rows still open.
	rows, err := tx.Query(`SELECT id FROM cards WHERE person_id = $1 ORDER BY created_at DESC, id DESC`, personID)
	if err != nil {
		return nil, err
	}
	var cardIDs []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		cardIDs = append(cardIDs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []Card{}
	for _, id := range cardIDs {
		c, err := s.load(tx, personID, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Reveal shows the card's number, expiry and CVV to its owner, once per
// card, and only with a proof of re-authentication within
// Config.ReauthWindow. Errors: NOT_FOUND, REAUTHENTICATION_REQUIRED,
// CARD_ALREADY_REVEALED.
func (s *Service) Reveal(ctx context.Context, personID, id string, proof Reauth) (Details, error) {
	var d Details
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		c, err := s.load(tx, personID, id)
		if err != nil {
			return err
		}
		if err := s.check(proof, tx.Now); err != nil {
			return err
		}
		var sealed string
		if err := tx.QueryRow(`SELECT sealed FROM cards WHERE id = $1`, id).Scan(&sealed); err != nil {
			return err
		}
		// The conditional update makes "once" hold against a second
		// request racing this one.
		res, err := tx.Exec(`UPDATE cards SET revealed_at = $1, version = version + 1 WHERE id = $2 AND revealed_at IS NULL`, store.Micros(tx.Now), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Join(err, apperr.New(CodeAlreadyRevealed, "The card's details were already shown once."))
		}
		raw, err := s.Vault.Open(tx, personID, contextSecret, sealed)
		if err != nil {
			return err
		}
		var sec secret
		if err := json.Unmarshal(raw, &sec); err != nil {
			return err
		}
		d = Details{Number: sec.PAN, ExpiryMonth: c.ExpiryMonth, ExpiryYear: c.ExpiryYear, CVV: sec.CVV}
		return nil
	})
	return d, err
}

// monthOf is the calendar month (UTC) a virtual card's limit counts in.
func monthOf(t time.Time) string { return t.UTC().Format("2006-01") }
