package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"math/big"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Sign-in codes for consumers.
const (
	LoginCodeLifetime    = 10 * time.Minute
	LoginCodeMaxAttempts = 5
	loginCodeDigits      = 6
)

// ContextEmail is the vault context of a consumer's address, stored in
// consumers.email sealed under their person's key.
const ContextEmail = "consumers.email"

// errNoVault is returned by the consumer methods of a Service made without
// a vault.
var errNoVault = errors.New("account: consumer accounts need the vault")

// Consumer is a person who signs in to the consumer app with their e-mail
// address.
type Consumer struct {
	ID string `json:"id"`
	// ConsumerKey is ids.ConsumerKey of the address: what orders and payment
	// plans are looked up by.
	ConsumerKey string `json:"consumer_key"`
	// PersonID is the data subject (package person) the account belongs
	// to: what consents, requests and sealed personal data hang off.
	PersonID string `json:"person_id"`
	// Email is the address they sign in with; "" once their person's key
	// was shredded (erased).
	Email        string     `json:"email"`
	Locale       string     `json:"locale"`
	CreatedAt    time.Time  `json:"created_at"`
	LastSignInAt *time.Time `json:"last_sign_in_at,omitempty"`
}

// consumerKey is the lookup key of a normalised address.
func (s *Service) consumerKey(email string) string { return ids.ConsumerKey(s.lookupKey, email) }

// codeHash is the stored digest of a sign-in code: keyed and bound to the
// address, so a copy of the table does not give codes away to a brute force
// without the instance secret.
func (s *Service) codeHash(consumerKey, code string) string {
	return ids.KeyedHash(s.lookupKey, "login_code:"+consumerKey+":"+code)
}

// RequestLoginCode e-mails a sign-in code to the address through the outbox
// (in locale, default DefaultLocale, which becomes a new consumer's preferred
// locale). The code is valid for LoginCodeLifetime and LoginCodeMaxAttempts
// checks, and replaces any earlier code for the address. The answer is the
// same whether or not the address belongs to a consumer; the consumer is
// created when they first use a code. The mail is sealed under the key of
// the person the address leads to, who is made when Tillit knew nothing
// about them: the mail is data about them, which access and erasure must
// find. Requests are limited per address by Config.CodeRequests. Errors:
// BAD_VALUE (e-mail address, locale), TOO_MANY_REQUESTS.
func (s *Service) RequestLoginCode(ctx context.Context, email, locale string) error {
	email, err := validEmail(email)
	if err != nil {
		return err
	}
	if locale, err = validLocale(locale); err != nil {
		return err
	}
	code, err := randomDigits(loginCodeDigits)
	if err != nil {
		return err
	}
	key := s.consumerKey(email)
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		locked, err := s.hit(tx, scopeLoginCode, email, s.Config.CodeRequests)
		if err != nil {
			return err
		}
		if locked {
			return errLockedOut
		}
		if _, err := tx.Exec(`DELETE FROM login_codes WHERE consumer_key = $1`, key); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO login_codes (consumer_key, code_hash, locale, attempts, created_at, expires_at) VALUES ($1, $2, $3, 0, $4, $5)`,
			key, s.codeHash(key, code), locale, store.Micros(tx.Now), store.Micros(tx.Now.Add(LoginCodeLifetime))); err != nil {
			return err
		}
		personID, err := person.Resolve(tx, key)
		if err != nil {
			return err
		}
		lang, ok := i18n.Parse(locale)
		if !ok {
			lang = i18n.Default
		}
		_, err = outbox.Enqueue(tx, s.vault, s.lookupKey, outbox.Message{Channel: outbox.Email, To: email, PersonID: personID,
			Subject: i18n.T(lang, "mail.sign_in_code.subject"),
			Body:    i18n.T(lang, "mail.sign_in_code.body", "code", code, "minutes", int(LoginCodeLifetime.Minutes()))})
		return err
	})
}

// VerifyLoginCode checks a sign-in code sent by RequestLoginCode and returns
// the consumer, creating them on their first sign-in. A code works once; each
// wrong try counts, and a code is gone after LoginCodeMaxAttempts tries or
// LoginCodeLifetime. Checks are also limited per address by
// Config.CodeChecks: an address with too many of them is locked out for a
// while, whatever code it gives. Errors: INVALID_OTP (whatever was wrong),
// TOO_MANY_REQUESTS.
func (s *Service) VerifyLoginCode(ctx context.Context, email, code string) (Consumer, error) {
	email = normalizeEmail(email)
	code = strings.TrimSpace(code)
	if len(email) > maxEmailLength {
		return Consumer{}, errBadCode
	}
	key := s.consumerKey(email)
	var (
		c          Consumer
		ok, locked bool
	)
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		ok = false
		var err error
		if locked, err = s.hit(tx, scopeCodeCheck, email, s.Config.CodeChecks); err != nil || locked {
			return err
		}
		var hash, locale string
		var attempts int
		var expires int64
		err = tx.QueryRow(`SELECT code_hash, locale, attempts, expires_at FROM login_codes WHERE consumer_key = $1`, key).Scan(&hash, &locale, &attempts, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if attempts >= LoginCodeMaxAttempts || store.Micros(tx.Now) >= expires {
			_, err := tx.Exec(`DELETE FROM login_codes WHERE consumer_key = $1`, key)
			return err
		}
		if subtle.ConstantTimeCompare([]byte(hash), []byte(s.codeHash(key, code))) != 1 {
			return tx.ExecOne(`UPDATE login_codes SET attempts = attempts + 1 WHERE consumer_key = $1 AND attempts = $2`, key, attempts)
		}
		// Deleting exactly one row makes the code single-use even when two
		// checks race: the loser conflicts, is retried and finds no code.
		if err := tx.ExecOne(`DELETE FROM login_codes WHERE consumer_key = $1 AND code_hash = $2`, key, hash); err != nil {
			return err
		}
		if c, err = s.signInConsumer(tx, key, email, locale); err != nil {
			return err
		}
		ok = true
		return s.reset(tx, scopeCodeCheck, email)
	})
	if err != nil {
		return Consumer{}, err
	}
	if locked {
		return Consumer{}, errLockedOut
	}
	if !ok {
		return Consumer{}, errBadCode
	}
	return c, nil
}

// signInConsumer finds or creates the consumer with the key and records the
// sign-in. The address is sealed again at every sign-in, under the person
// the account has now.
func (s *Service) signInConsumer(tx *store.Tx, key, email, locale string) (Consumer, error) {
	c, _, err := scanConsumer(tx.QueryRow(`SELECT `+consumerColumns+` FROM consumers WHERE consumer_key = $1`, key))
	isNew := errors.Is(err, sql.ErrNoRows)
	switch {
	case isNew:
		c = Consumer{ID: ids.New(), ConsumerKey: key, Locale: locale, CreatedAt: tx.Now}
	case err != nil:
		return Consumer{}, err
	}
	if c.PersonID == "" {
		// A new account, or one made before persons existed, gets its
		// person now.
		if c.PersonID, err = person.Resolve(tx, key); err != nil {
			return Consumer{}, err
		}
	}
	sealed, err := s.sealEmail(tx, c.PersonID, email)
	if err != nil {
		return Consumer{}, err
	}
	now := tx.Now
	c.Email, c.LastSignInAt = email, &now
	if isNew {
		_, err = tx.Exec(`INSERT INTO consumers (id, consumer_key, person_id, email, locale, created_at, last_sign_in_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
			c.ID, c.ConsumerKey, c.PersonID, sealed, c.Locale, store.Micros(now))
		if store.IsUniqueViolation(err) {
			return Consumer{}, store.ErrConflict
		}
		return c, err
	}
	_, err = tx.Exec(`UPDATE consumers SET last_sign_in_at = $1, person_id = $2, email = $3 WHERE id = $4`, store.Micros(now), c.PersonID, sealed, c.ID)
	return c, err
}

// sealEmail seals a consumer's address under their person's key.
func (s *Service) sealEmail(tx *store.Tx, personID, email string) (string, error) {
	if s.vault == nil {
		return "", errNoVault
	}
	return s.vault.SealString(tx, personID, ContextEmail, email)
}

// openEmail opens a consumer's sealed address: "" once their person's key
// was shredded, or when none is stored.
func (s *Service) openEmail(tx *store.Tx, personID, sealed string) (string, error) {
	if s.vault == nil {
		return "", errNoVault
	}
	if sealed == "" {
		return "", nil
	}
	email, err := s.vault.OpenString(tx, personID, ContextEmail, sealed)
	if errors.Is(err, vault.ErrShredded) {
		return "", nil
	}
	return email, err
}

const consumerColumns = `id, consumer_key, COALESCE(person_id, ''), email, locale, created_at, last_sign_in_at`

// scanConsumer reads a row of consumerColumns, and the sealed address.
func scanConsumer(row interface{ Scan(...any) error }) (Consumer, string, error) {
	var (
		c       Consumer
		sealed  string
		created int64
		signIn  *int64
	)
	if err := row.Scan(&c.ID, &c.ConsumerKey, &c.PersonID, &sealed, &c.Locale, &created, &signIn); err != nil {
		return Consumer{}, "", err
	}
	c.CreatedAt, c.LastSignInAt = store.FromMicros(created), timePtr(signIn)
	return c, sealed, nil
}

// GetConsumer returns a consumer by id, their address opened. Errors:
// NOT_FOUND.
func (s *Service) GetConsumer(ctx context.Context, id string) (Consumer, error) {
	var c Consumer
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var (
			sealed string
			err    error
		)
		if c, sealed, err = scanConsumer(tx.QueryRow(`SELECT `+consumerColumns+` FROM consumers WHERE id = $1`, id)); err != nil {
			return err
		}
		c.Email, err = s.openEmail(tx, c.PersonID, sealed)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Consumer{}, apperr.New(apperr.NotFound, "No such consumer.")
	}
	return c, err
}

// ConsumerOfPersonTx returns, within tx, the consumer account of a person,
// their address opened. Errors: NOT_FOUND.
func (s *Service) ConsumerOfPersonTx(tx *store.Tx, personID string) (Consumer, error) {
	c, sealed, err := scanConsumer(tx.QueryRow(`SELECT `+consumerColumns+` FROM consumers WHERE person_id = $1`, personID))
	if errors.Is(err, sql.ErrNoRows) {
		return Consumer{}, apperr.New(apperr.NotFound, "No such consumer.")
	}
	if err != nil {
		return Consumer{}, err
	}
	c.Email, err = s.openEmail(tx, c.PersonID, sealed)
	return c, err
}

// MailMessage is an e-mail in the outbox.
type MailMessage struct {
	ID        string     `json:"id"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

// Bounds on how many messages DemoMailbox returns.
const (
	defaultMailboxSize = 20
	maxMailboxSize     = 100
)

// DemoMailbox returns the latest e-mails queued for an address, newest first:
// at most limit of them (20 when limit is not positive, never more than 100),
// opened; those sealed under a key since shredded are left out.
// It is for the demo mailbox page, which stands in for a real inbox in demo
// mode; it shows sign-in codes, so it must never be reachable otherwise.
func (s *Service) DemoMailbox(ctx context.Context, email string, limit int) ([]MailMessage, error) {
	if limit <= 0 {
		limit = defaultMailboxSize
	}
	limit = min(limit, maxMailboxSize)
	if s.vault == nil {
		return nil, errNoVault
	}
	var out []MailMessage
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		msgs, err := outbox.To(tx, s.vault, s.lookupKey, outbox.Email, normalizeEmail(email), limit)
		if err != nil {
			return err
		}
		out = make([]MailMessage, len(msgs))
		for i, m := range msgs {
			out[i] = MailMessage{ID: m.ID, Subject: m.Subject, Body: m.Body, CreatedAt: m.CreatedAt, SentAt: m.SentAt}
		}
		return nil
	})
	return out, err
}

// randomDigits returns n uniformly random decimal digits from crypto/rand.
func randomDigits(n int) (string, error) {
	var b strings.Builder
	for range n {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "", err
		}
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String(), nil
}
