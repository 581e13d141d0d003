package account

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Kind is the kind of person a session belongs to; each kind has its own
// cookie and SessionPolicy.
type Kind string

// Session kinds.
const (
	KindConsumer Kind = "consumer"
	KindMerchant Kind = "merchant"
	KindStaff    Kind = "staff"
)

// SlideInterval is how stale a session's last_seen_at may get before a
// lookup moves it forward. Writing at most once a minute per session keeps
// lookups reads; the idle timeout is therefore exact to within a minute.
const SlideInterval = time.Minute

// tokenBytes is the entropy of a session token.
const tokenBytes = 32

// Limits on what is stored about the browser.
const (
	maxUserAgent = 512
	maxIP        = 64
)

// Session is a signed-in browser.
type Session struct {
	ID        string `json:"id"`
	Kind      Kind   `json:"kind"`
	SubjectID string `json:"subject_id"`
	// MerchantID is set for merchant users' sessions.
	MerchantID string    `json:"merchant_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	// ExpiresAt is when the session ends at the latest; IdleExpiresAt when
	// it ends unless it is used before.
	ExpiresAt     time.Time `json:"expires_at"`
	IdleExpiresAt time.Time `json:"idle_expires_at"`
	// UserAgent and IP describe the browser that signed in. They are
	// sealed by the vault (see sealDevice) and opened only by ListSessions;
	// LookupSession leaves them empty.
	UserAgent string `json:"user_agent,omitempty"`
	IP        string `json:"ip,omitempty"`
	// Browser and System summarise UserAgent ("Firefox", "Linux"; empty
	// when not recognised) and IPPrefix is the network IP is in (IPPrefix):
	// what a list of sessions shows.
	Browser  string `json:"browser,omitempty"`
	System   string `json:"system,omitempty"`
	IPPrefix string `json:"ip_prefix,omitempty"`
}

// Vault contexts of a session's browser details.
const (
	ContextUserAgent = "web_sessions.user_agent"
	ContextIP        = "web_sessions.ip"
)

// deviceSubject returns whose vault key seals the browser details of a
// session of the subject: the person (package person) of a consumer, the
// account itself for a merchant user or member of staff.
func deviceSubject(tx *store.Tx, kind Kind, subjectID string) (string, error) {
	if kind != KindConsumer {
		return subjectID, nil
	}
	var personID sql.NullString
	if err := tx.QueryRow(`SELECT person_id FROM consumers WHERE id = $1`, subjectID).Scan(&personID); err != nil {
		return "", err
	}
	if !personID.Valid {
		return "", errors.New("account: consumer has no person")
	}
	return personID.String, nil
}

// sealDevice seals a session's user agent and IP address under subject;
// an empty value stays empty.
func (s *Service) sealDevice(tx *store.Tx, subject string, sess Session) (userAgent, ip string, err error) {
	if s.vault == nil {
		return "", "", errNoVault
	}
	seal := func(context, value string) (string, error) {
		if value == "" {
			return "", nil
		}
		return s.vault.SealString(tx, subject, context, value)
	}
	if userAgent, err = seal(ContextUserAgent, sess.UserAgent); err != nil {
		return "", "", err
	}
	ip, err = seal(ContextIP, sess.IP)
	return userAgent, ip, err
}

// openDevice opens the browser details ListSessions shows; what can no
// longer be opened (the key was shredded) reads as empty.
func (s *Service) openDevice(tx *store.Tx, subject string, sess *Session) error {
	if s.vault == nil {
		return errNoVault
	}
	for _, f := range []struct {
		context string
		value   *string
	}{{ContextUserAgent, &sess.UserAgent}, {ContextIP, &sess.IP}} {
		if *f.value == "" {
			continue
		}
		plain, err := s.vault.OpenString(tx, subject, f.context, *f.value)
		switch {
		case errors.Is(err, vault.ErrShredded):
			plain = ""
		case err != nil:
			return err
		}
		*f.value = plain
	}
	return nil
}

// policy returns the session policy of a kind, or false for an unknown kind.
func (s *Service) policy(kind Kind) (SessionPolicy, bool) {
	switch kind {
	case KindConsumer:
		return s.Config.Consumer, true
	case KindMerchant:
		return s.Config.Merchant, true
	case KindStaff:
		return s.Config.Staff, true
	}
	return SessionPolicy{}, false
}

// StartSession signs a browser in as the subject (a consumer, merchant user
// or member of staff id; merchantID is the merchant user's merchant and empty
// otherwise) and returns the token for its cookie, which is not stored and
// cannot be shown again. Call it only after the person has proved who they
// are. It refuses an account that needs a second factor (every member of
// staff, and anyone with two-step verification on): those sign in with
// BeginSignIn and CompleteSignIn. The subject must exist and, for staff and
// merchant users, not be disabled. Errors: BAD_VALUE (kind, merchant id),
// NOT_FOUND (subject), NOT_ALLOWED (a second factor is needed).
func (s *Service) StartSession(ctx context.Context, kind Kind, subjectID, merchantID, userAgent, ip string) (string, Session, error) {
	if err := checkKind(kind, merchantID); err != nil {
		return "", Session{}, err
	}
	var (
		token string
		sess  Session
	)
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := checkSubject(tx, kind, subjectID, merchantID); err != nil {
			return err
		}
		stage, err := secondFactorStage(tx, kind, subjectID)
		if err != nil {
			return err
		}
		if stage != "" {
			return errSecondFactorRequired
		}
		token, sess, err = s.startSession(tx, kind, subjectID, merchantID, userAgent, ip)
		return err
	})
	if err != nil {
		return "", Session{}, err
	}
	return token, sess, nil
}

// errSecondFactorRequired refuses a session on the first factor alone.
var errSecondFactorRequired = apperr.New(apperr.NotAllowed, "This account signs in with a second factor.")

// validKind reports whether kind is a session kind.
func validKind(kind Kind) bool {
	return kind == KindConsumer || kind == KindMerchant || kind == KindStaff
}

// checkKind checks a session's kind and merchant id. Errors: BAD_VALUE.
func checkKind(kind Kind, merchantID string) error {
	if !validKind(kind) {
		return apperr.BadField("kind", "must be consumer, merchant or staff")
	}
	if (kind == KindMerchant) != (merchantID != "") {
		return apperr.BadField("merchant_id", "is required for merchant sessions and only for them")
	}
	return nil
}

// startSession records a new session of a checked subject in tx, tells the
// person about a sign-in from a new kind of browser (noticeNewDevice), and
// returns its token.
func (s *Service) startSession(tx *store.Tx, kind Kind, subjectID, merchantID, userAgent, ip string) (string, Session, error) {
	pol, _ := s.policy(kind)
	token := ids.Token(tokenBytes)
	sess := Session{ID: ids.New(), Kind: kind, SubjectID: subjectID, MerchantID: merchantID, UserAgent: truncate(userAgent, maxUserAgent), IP: truncate(ip, maxIP)}
	sess.Browser, sess.System = DescribeUserAgent(sess.UserAgent)
	sess.IPPrefix = IPPrefix(sess.IP)
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = tx.Now, tx.Now, tx.Now.Add(pol.Lifetime)
	sess.IdleExpiresAt = idleEnd(sess, pol)
	subject, err := deviceSubject(tx, kind, subjectID)
	if err != nil {
		return "", Session{}, err
	}
	sealedAgent, sealedIP, err := s.sealDevice(tx, subject, sess)
	if err != nil {
		return "", Session{}, err
	}
	var merchant any
	if merchantID != "" {
		merchant = merchantID
	}
	if _, err = tx.Exec(`INSERT INTO web_sessions (id, token_hash, kind, subject_id, merchant_id, created_at, last_seen_at, expires_at, user_agent, ip)
		VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9)`,
		sess.ID, ids.Hash(token), string(kind), subjectID, merchant, store.Micros(tx.Now), store.Micros(sess.ExpiresAt), sealedAgent, sealedIP); err != nil {
		return "", Session{}, err
	}
	if err := s.noticeNewDevice(tx, sess); err != nil {
		return "", Session{}, err
	}
	return token, sess, nil
}

// checkSubject checks that a session's subject exists and may sign in.
// Errors: NOT_FOUND.
func checkSubject(tx *store.Tx, kind Kind, subjectID, merchantID string) error {
	var query string
	args := []any{subjectID}
	switch kind {
	case KindConsumer:
		query = `SELECT 1 FROM consumers WHERE id = $1`
	case KindStaff:
		query = `SELECT 1 FROM staff_users WHERE id = $1 AND disabled_at IS NULL`
	case KindMerchant:
		query = `SELECT 1 FROM merchant_users WHERE id = $1 AND merchant_id = $2 AND disabled_at IS NULL`
		args = append(args, merchantID)
	}
	var one int
	err := tx.QueryRow(query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, "No such active %s account.", kind)
	}
	return err
}

// idleEnd is when a session ends if it is not used again.
func idleEnd(sess Session, pol SessionPolicy) time.Time {
	end := sess.LastSeenAt.Add(pol.Idle)
	if sess.ExpiresAt.Before(end) {
		return sess.ExpiresAt
	}
	return end
}

const sessionColumns = `id, kind, subject_id, merchant_id, created_at, last_seen_at, expires_at`

// scanSession reads a row of sessionColumns, then into the sealed browser
// details any further columns the query selects.
func (s *Service) scanSession(row interface{ Scan(...any) error }, device ...any) (Session, error) {
	var (
		sess                     Session
		kind                     string
		merchant                 *string
		created, seen, expiresAt int64
	)
	if err := row.Scan(append([]any{&sess.ID, &kind, &sess.SubjectID, &merchant, &created, &seen, &expiresAt}, device...)...); err != nil {
		return Session{}, err
	}
	sess.Kind = Kind(kind)
	if merchant != nil {
		sess.MerchantID = *merchant
	}
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = store.FromMicros(created), store.FromMicros(seen), store.FromMicros(expiresAt)
	pol, _ := s.policy(sess.Kind)
	sess.IdleExpiresAt = idleEnd(sess, pol)
	return sess, nil
}

// LookupSession returns the session a cookie's token names, if it is of the
// kind, not revoked, and neither past its lifetime nor idle too long. A
// lookup counts as use: it moves last_seen_at forward when it is more than
// SlideInterval old. Errors: UNAUTHORIZED.
func (s *Service) LookupSession(ctx context.Context, kind Kind, token string) (Session, error) {
	if token == "" || len(token) > 128 {
		return Session{}, errNoSession
	}
	var (
		sess  Session
		valid bool
	)
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		sess, err = s.scanSession(tx.QueryRow(`SELECT `+sessionColumns+` FROM web_sessions WHERE token_hash = $1 AND kind = $2 AND revoked_at IS NULL`,
			ids.Hash(token), string(kind)))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		valid = err == nil && tx.Now.Before(sess.IdleExpiresAt)
		return err
	})
	if err != nil {
		return Session{}, err
	}
	if !valid {
		return Session{}, errNoSession
	}
	if s.DB.Clock.Now().Sub(sess.LastSeenAt) < SlideInterval {
		return sess, nil
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(`UPDATE web_sessions SET last_seen_at = $1 WHERE id = $2 AND revoked_at IS NULL AND last_seen_at < $1`, store.Micros(tx.Now), sess.ID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 1 {
			sess.LastSeenAt = tx.Now
			return nil
		}
		// Either another lookup moved it already, or it was revoked since.
		var revoked *int64
		if err := tx.QueryRow(`SELECT revoked_at FROM web_sessions WHERE id = $1`, sess.ID).Scan(&revoked); err != nil {
			return err
		}
		valid = revoked == nil
		return nil
	})
	if err != nil {
		return Session{}, err
	}
	if !valid {
		return Session{}, errNoSession
	}
	pol, _ := s.policy(kind)
	sess.IdleExpiresAt = idleEnd(sess, pol)
	return sess, nil
}

// RevokeSession ends one of the subject's sessions (signing out, or ending a
// session from the list ListSessions shows). Ending a session that has ended
// already, or is not the subject's, does nothing.
func (s *Service) RevokeSession(ctx context.Context, kind Kind, subjectID, sessionID string) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE web_sessions SET revoked_at = $1 WHERE id = $2 AND kind = $3 AND subject_id = $4 AND revoked_at IS NULL`,
			store.Micros(tx.Now), sessionID, string(kind), subjectID)
		return err
	})
}

// ListSessions returns the subject's live sessions, newest first.
func (s *Service) ListSessions(ctx context.Context, kind Kind, subjectID string) ([]Session, error) {
	var out []Session
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		out = []Session{}
		rows, err := tx.Query(`SELECT `+sessionColumns+`, COALESCE(user_agent, ''), COALESCE(ip, '') FROM web_sessions
			WHERE kind = $1 AND subject_id = $2 AND revoked_at IS NULL AND expires_at > $3
			ORDER BY created_at DESC, id DESC`, string(kind), subjectID, store.Micros(tx.Now))
		if err != nil {
			return err
		}
		var live []Session
		for rows.Next() {
			var userAgent, ip string
			sess, err := s.scanSession(rows, &userAgent, &ip)
			if err != nil {
				rows.Close()
				return err
			}
			if tx.Now.Before(sess.IdleExpiresAt) {
				sess.UserAgent, sess.IP = userAgent, ip
				live = append(live, sess)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(live) == 0 {
			return err
		}
		subject, err := deviceSubject(tx, kind, subjectID)
		if err != nil {
			return err
		}
		for i := range live {
			if err := s.openDevice(tx, subject, &live[i]); err != nil {
				return err
			}
			live[i].Browser, live[i].System = DescribeUserAgent(live[i].UserAgent)
			live[i].IPPrefix = IPPrefix(live[i].IP)
		}
		out = live
		return nil
	})
	return out, err
}

// ListedSession is a live session as its owner's list of sessions shows
// it.
type ListedSession struct {
	Session
	// Current is the session of the browser looking at the list.
	Current bool
}

// MarkCurrent returns sessions (ListSessions) as listed to the browser of
// the session with id current.
func MarkCurrent(sessions []Session, current string) []ListedSession {
	out := make([]ListedSession, len(sessions))
	for i, s := range sessions {
		out[i] = ListedSession{Session: s, Current: s.ID == current}
	}
	return out
}

// RevokeOtherSessions ends every session of the subject but keep (the
// session of the browser asking), and returns how many were live. It takes
// effect at each browser's next request. A member of staff's is audited.
func (s *Service) RevokeOtherSessions(ctx context.Context, kind Kind, subjectID, keep string) (int64, error) {
	var n int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(`UPDATE web_sessions SET revoked_at = $1 WHERE kind = $2 AND subject_id = $3 AND id <> $4 AND revoked_at IS NULL AND expires_at > $1`,
			store.Micros(tx.Now), string(kind), subjectID, keep)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		return auditSecurity(tx, kind, subjectID, "", "other_sessions_revoked", map[string]any{"kept": keep, "revoked": n})
	})
	return n, err
}

// RevokeAllSessions ends every session of the subject (after a password
// change, say, or when an account is compromised) and returns how many were
// live.
func (s *Service) RevokeAllSessions(ctx context.Context, kind Kind, subjectID string) (int64, error) {
	var n int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		n, err = revokeAll(tx, kind, subjectID)
		return err
	})
	return n, err
}

// revokeAll ends every unrevoked session of the subject in tx.
func revokeAll(tx *store.Tx, kind Kind, subjectID string) (int64, error) {
	res, err := tx.Exec(`UPDATE web_sessions SET revoked_at = $1 WHERE kind = $2 AND subject_id = $3 AND revoked_at IS NULL AND expires_at > $1`,
		store.Micros(tx.Now), string(kind), subjectID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Purge deletes what can no longer be used: sessions past their lifetime,
// idle too long or revoked, expired sign-in codes and pending sign-ins, and
// stale throttle
// counters. It returns how many rows went; run it from a recurring job.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	var total int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		total, err = s.purge(tx)
		return err
	})
	return total, err
}

// purge deletes in tx what Purge deletes and returns how many rows went.
func (s *Service) purge(tx *store.Tx) (int64, error) {
	var total int64
	err := func() error {
		now := store.Micros(tx.Now)
		del := func(query string, args ...any) error {
			res, err := tx.Exec(query, args...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			total += n
			return err
		}
		if err := del(`DELETE FROM web_sessions WHERE expires_at <= $1 OR revoked_at IS NOT NULL`, now); err != nil {
			return err
		}
		for _, kind := range []Kind{KindConsumer, KindMerchant, KindStaff} {
			pol, _ := s.policy(kind)
			if err := del(`DELETE FROM web_sessions WHERE kind = $1 AND last_seen_at <= $2`, string(kind), now-pol.Idle.Microseconds()); err != nil {
				return err
			}
		}
		if err := del(`DELETE FROM login_codes WHERE expires_at <= $1`, now); err != nil {
			return err
		}
		if err := del(`DELETE FROM pending_sign_ins WHERE expires_at <= $1`, now); err != nil {
			return err
		}
		return del(`DELETE FROM sign_in_throttle WHERE expires_at <= $1`, now)
	}()
	return total, err
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
