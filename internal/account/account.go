// Package account owns the accounts of people and their browser sessions:
// staff of the back office and users of the merchant portal (e-mail and
// password), and consumers of the consumer app (e-mail and a one-time code).
// Merchants' API credentials are package merchant's.
//
// Passwords are argon2id hashes (package password); sign-in codes and session
// tokens are stored only as digests. Sign-ins are throttled per e-mail address
// and answer the same whether or not the address has an account. Staff and
// merchant-user sign-ins, successful or not, and account changes are written
// to the audit log; consumer sign-ins are not (the log is for people acting on
// others' data). Nothing here logs e-mail addresses, passwords or codes.
//
// Sign-in has two stages (pending.go): after the first factor BeginSignIn
// starts the session, or for an account with a second factor (an
// authenticator app, twostep.go; mandatory for staff) keeps a pending
// sign-in until CompleteSignIn checks the code. Sign-ins from a new kind of
// browser are told to the person by e-mail (devices.go). Authenticator
// secrets are sealed by the vault, recovery codes stored as keyed
// hashes; an admin resets the second factor of a member of staff or
// merchant user who lost it (twostepreset.go); see
// docs/account-security.md.
package account

import (
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/password"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Limit bounds how often something may happen per e-mail address: at most
// Max times in Window; the Max-th time locks the address out for Lockout.
type Limit struct {
	Max     int
	Window  time.Duration
	Lockout time.Duration
}

// SessionPolicy says how long a kind of session lasts: it ends after Idle
// without use, and at the latest Lifetime after it started.
type SessionPolicy struct {
	Idle     time.Duration
	Lifetime time.Duration
}

// Config holds the tunable parts of the service. Zero fields take their
// value from DefaultConfig; so does a Limit whose Max or Window is not
// positive.
type Config struct {
	// Password is the argon2id cost of new hashes; older hashes are replaced
	// at the next successful sign-in.
	Password password.Params
	// SignIn limits password sign-in attempts (staff and merchant users).
	SignIn Limit
	// CodeRequests limits consumer sign-in code requests.
	CodeRequests Limit
	// CodeChecks limits consumer sign-in code checks per address.
	CodeChecks Limit
	// SecondFactor limits authenticator and recovery code checks per
	// account.
	SecondFactor Limit
	// Session policies by kind.
	Staff, Merchant, Consumer SessionPolicy
}

// Defaults for Config.
const (
	DefaultSignInMax         = 5
	DefaultSignInWindow      = 15 * time.Minute
	DefaultSignInLockout     = 15 * time.Minute
	DefaultCodeRequestMax    = 5
	DefaultCodeRequestWindow = time.Hour
	DefaultCodeCheckMax      = 10
	DefaultCodeCheckWindow   = time.Hour
	DefaultSecondFactorMax   = 5
	DefaultSecondFactorWin   = 15 * time.Minute
	DefaultStaffIdle         = 30 * time.Minute
	DefaultStaffLifetime     = 12 * time.Hour
	DefaultMerchantIdle      = 12 * time.Hour
	DefaultMerchantLifetime  = 7 * 24 * time.Hour
	DefaultConsumerIdle      = 30 * 24 * time.Hour
	DefaultConsumerLifetime  = 90 * 24 * time.Hour
)

// DefaultConfig returns the configuration used for zero Config fields.
func DefaultConfig() Config {
	return Config{
		Password:     password.Default,
		SignIn:       Limit{Max: DefaultSignInMax, Window: DefaultSignInWindow, Lockout: DefaultSignInLockout},
		CodeRequests: Limit{Max: DefaultCodeRequestMax, Window: DefaultCodeRequestWindow, Lockout: DefaultCodeRequestWindow},
		CodeChecks:   Limit{Max: DefaultCodeCheckMax, Window: DefaultCodeCheckWindow, Lockout: DefaultCodeCheckWindow},
		SecondFactor: Limit{Max: DefaultSecondFactorMax, Window: DefaultSecondFactorWin, Lockout: DefaultSecondFactorWin},
		Staff:        SessionPolicy{Idle: DefaultStaffIdle, Lifetime: DefaultStaffLifetime},
		Merchant:     SessionPolicy{Idle: DefaultMerchantIdle, Lifetime: DefaultMerchantLifetime},
		Consumer:     SessionPolicy{Idle: DefaultConsumerIdle, Lifetime: DefaultConsumerLifetime},
	}
}

// withDefaults fills zero fields of c from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Password == (password.Params{}) {
		c.Password = d.Password
	}
	if c.SignIn.Max <= 0 || c.SignIn.Window <= 0 {
		c.SignIn = d.SignIn
	}
	if c.CodeRequests.Max <= 0 || c.CodeRequests.Window <= 0 {
		c.CodeRequests = d.CodeRequests
	}
	if c.CodeChecks.Max <= 0 || c.CodeChecks.Window <= 0 {
		c.CodeChecks = d.CodeChecks
	}
	if c.SecondFactor.Max <= 0 || c.SecondFactor.Window <= 0 {
		c.SecondFactor = d.SecondFactor
	}
	for _, p := range []struct{ got, def *SessionPolicy }{{&c.Staff, &d.Staff}, {&c.Merchant, &d.Merchant}, {&c.Consumer, &d.Consumer}} {
		if p.got.Idle == 0 {
			p.got.Idle = p.def.Idle
		}
		if p.got.Lifetime == 0 {
			p.got.Lifetime = p.def.Lifetime
		}
	}
	return c
}

// Service manages accounts and sessions.
type Service struct {
	DB     *store.DB
	Config Config
	// lookupKey keys consumer keys, code digests and throttle keys.
	lookupKey string
	// vault seals consumers' addresses and the mail sent to them.
	vault *vault.Vault

	dummyOnce sync.Once
	dummy     string
}

// New returns a Service. lookupKey is the instance secret named
// ids.ConsumerKeySecret (store.DB.InstanceSecret), the same in every process
// sharing the database. v seals consumers' addresses and the mail sent to
// them; it may be nil for a service that manages only staff and merchant
// users, whose consumer methods then fail.
func New(db *store.DB, cfg Config, lookupKey string, v *vault.Vault) *Service {
	return &Service{DB: db, Config: cfg.withDefaults(), lookupKey: lookupKey, vault: v}
}

// dummyHash is a hash of a random password under the configured parameters,
// checked when an e-mail address has no account so that the answer takes as
// long as for one that has.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() {
		s.dummy, _ = password.Hash("dummy password for unknown accounts", s.Config.Password)
	})
	return s.dummy
}

// Errors shared by the sign-in paths. They are the same whatever went wrong,
// so an answer never tells whether an address has an account.
var (
	errBadCredentials = apperr.New(apperr.Unauthorized, "The e-mail address or password is wrong.")
	errLockedOut      = apperr.New(apperr.TooManyRequests, "Too many attempts for this e-mail address; try again later.")
	errBadCode        = apperr.New(apperr.InvalidOTP, "The code is wrong or has expired; ask for a new one.")
	errNoSession      = apperr.New(apperr.Unauthorized, "Not signed in, or the session has ended.")
)

// maxEmailLength is the longest address accepted (RFC 5321's path limit).
const maxEmailLength = 254

// normalizeEmail trims and lower-cases an e-mail address, the form addresses
// are stored and compared in.
func normalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// validEmail normalises an address and checks that it is a plain
// addr-spec. Errors: BAD_VALUE.
func validEmail(email string) (string, error) {
	email = normalizeEmail(email)
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > maxEmailLength {
		return "", apperr.BadField("email", "is not an e-mail address")
	}
	return email, nil
}

// validName trims a person's name and checks its length. Errors: BAD_VALUE.
func validName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return "", apperr.BadField("name", "must be 1-200 characters")
	}
	return name, nil
}

// checkNewPassword applies password.Check with the account's e-mail address
// and name as personal data. Errors: BAD_VALUE.
func checkNewPassword(pw, email, name string) error {
	if err := password.Check(pw, email, name); err != nil {
		if weak, ok := err.(*password.WeakError); ok {
			return apperr.BadField("password", "%s", weak.Reason())
		}
		return err
	}
	return nil
}

// DefaultLocale is a consumer's locale when they name none.
const DefaultLocale = "en-GB"

var localePattern = regexp.MustCompile(`^[a-z]{2}-[A-Z]{2}$`)

// validLocale canonicalises a locale such as "da-dk" to "da-DK"; empty means
// DefaultLocale. Errors: BAD_VALUE.
func validLocale(locale string) (string, error) {
	locale = strings.TrimSpace(locale)
	if locale == "" {
		return DefaultLocale, nil
	}
	if lang, region, ok := strings.Cut(locale, "-"); ok {
		locale = strings.ToLower(lang) + "-" + strings.ToUpper(region)
	}
	if !localePattern.MatchString(locale) {
		return "", apperr.BadField("locale", "must be a language and region such as da-DK")
	}
	return locale, nil
}

// timePtr converts a nullable stored timestamp.
func timePtr(us *int64) *time.Time {
	if us == nil {
		return nil
	}
	t := store.FromMicros(*us)
	return &t
}
