// Package card owns consumers' virtual card numbers (T9) and freezes of an
// account or a card (T10): one-time cards for one purchase at any online
// shop, reusable virtual cards with a monthly limit, the card network's
// authorizations against them (each approved one becomes an order of the
// consumer with the payment method they chose, through package checkout),
// and freezing and unfreezing by the consumer or by staff.
//
// Card numbers and CVVs are sealed by the vault under the person and never
// stored, logged or returned in the clear except by Reveal, once per card,
// after a fresh re-authentication. docs/cards.md describes it all.
package card

import (
	"log/slog"
	"regexp"
	"time"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/risk/credit"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Card kinds.
const (
	// KindOneTime is valid for one purchase and expires OneTimeLifetime
	// after creation when unused.
	KindOneTime = "one_time"
	// KindVirtual is reusable until its expiry date, within a limit per
	// calendar month (UTC).
	KindVirtual = "virtual"
)

// Card statuses.
const (
	StatusActive  = "active"
	StatusUsed    = "used"
	StatusExpired = "expired"
)

// Decline reasons of a card network authorization.
const (
	DeclineUnknownCard      = "unknown_card"
	DeclineUsed             = "used"
	DeclineExpired          = "expired"
	DeclineOverLimit        = "over_limit"
	DeclineMerchantMismatch = "merchant_mismatch"
	DeclineCurrencyMismatch = "currency_mismatch"
	DeclineFrozen           = "frozen"
	DeclineWrongCVV         = "wrong_cvv"
	DeclineWrongExpiry      = "wrong_expiry"
	DeclineByRisk           = "declined_by_risk"
)

// Error codes of the package (besides apperr's BAD_VALUE, NOT_FOUND,
// FORBIDDEN and IDEMPOTENCY_KEY_REUSED).
const (
	// CodeReauthRequired: the caller's proof of re-authentication is
	// missing or older than Config.ReauthWindow.
	CodeReauthRequired = "REAUTHENTICATION_REQUIRED"
	// CodeAlreadyRevealed: the card's details were shown once already.
	CodeAlreadyRevealed = "CARD_ALREADY_REVEALED"
	// CodeNoConsumerAccount: cards are for people with a consumer account.
	CodeNoConsumerAccount = "NO_CONSUMER_ACCOUNT"
)

// DefaultBIN is the bank identification number new cards get unless
// configured otherwise: "999000" lies in the 9 range (national use), which
// no international card scheme issues, so a number from it can never be
// mistaken for a live card.
const DefaultBIN = "999000"

// OneTimeLifetime is how long an unused one-time card stays usable.
const OneTimeLifetime = 24 * time.Hour

// Config holds the card rules an operator can change.
type Config struct {
	// BIN is the first six digits of every card number issued.
	BIN string
	// MaxAmount is the largest amount limit of a one-time card and the
	// largest monthly limit of a virtual card, in minor units.
	MaxAmount int64
	// VirtualYears is how long a virtual card is valid (to the end of the
	// month its expiry date names).
	VirtualYears int
	// ReauthWindow is how recent the consumer's last re-authentication
	// must be for Reveal and Unfreeze.
	ReauthWindow time.Duration
	// MaxCVVFailures wrong CVVs freeze the card.
	MaxCVVFailures int
	// Credit is the credit policy whose open-balance limit and arrears rule
	// every card purchase passes (package risk/credit).
	Credit credit.Config
}

// DefaultConfig returns the shipped rules: BIN DefaultBIN, limits up to
// 50,000.00, virtual cards valid 3 years, re-authentication within 5
// minutes, the card frozen after 3 wrong CVVs, the default credit policy.
func DefaultConfig() Config {
	return Config{BIN: DefaultBIN, MaxAmount: 5_000_000, VirtualYears: 3, ReauthWindow: 5 * time.Minute, MaxCVVFailures: 3,
		Credit: credit.DefaultConfig()}
}

var binPattern = regexp.MustCompile(`^[0-9]{6}$`)

// Service issues cards, authorizes the card network's requests against
// them and keeps freezes.
type Service struct {
	DB       *store.DB
	Vault    *vault.Vault
	Checkout *checkout.Service
	Config   Config
	Logger   *slog.Logger
	// lookupKey (the instance secret ids.ConsumerKeySecret) keys the hash
	// of card numbers and of network requests.
	lookupKey string
}

// New returns a Service; lookupKey is the instance secret
// ids.ConsumerKeySecret. A Config with an invalid BIN gets DefaultBIN, and
// zero fields their defaults.
func New(db *store.DB, vlt *vault.Vault, co *checkout.Service, cfg Config, lookupKey string, logger *slog.Logger) *Service {
	def := DefaultConfig()
	if !binPattern.MatchString(cfg.BIN) {
		cfg.BIN = def.BIN
	}
	if cfg.MaxAmount <= 0 {
		cfg.MaxAmount = def.MaxAmount
	}
	if cfg.VirtualYears <= 0 {
		cfg.VirtualYears = def.VirtualYears
	}
	if cfg.ReauthWindow <= 0 {
		cfg.ReauthWindow = def.ReauthWindow
	}
	if cfg.MaxCVVFailures <= 0 {
		cfg.MaxCVVFailures = def.MaxCVVFailures
	}
	if cfg.Credit.MaxOpenBalance <= 0 {
		cfg.Credit = def.Credit
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Service{DB: db, Vault: vlt, Checkout: co, Config: cfg, Logger: logger, lookupKey: lookupKey}
}
