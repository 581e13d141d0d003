package account

import (
	"net/netip"
	"strings"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/store"
)

// Browsers and systems DescribeUserAgent recognises, most specific first:
// Edge and Opera say "Chrome" too, Chrome says "Safari", Android says
// "Linux".
var (
	browsers = []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"},
		{"CriOS/", "Chrome"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	}
	systems = []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iOS"}, {"CrOS", "ChromeOS"},
		{"Windows", "Windows"}, {"Macintosh", "macOS"}, {"Mac OS X", "macOS"}, {"Linux", "Linux"},
	}
)

// DescribeUserAgent summarises a browser's User-Agent header as its
// browser and operating system ("Firefox", "Linux"); either is empty when
// not recognised. The summary is what sessions are listed by and what tells
// a new device from a known one: versions do not count.
func DescribeUserAgent(userAgent string) (browser, system string) {
	for _, b := range browsers {
		if strings.Contains(userAgent, b.token) {
			browser = b.name
			break
		}
	}
	for _, s := range systems {
		if strings.Contains(userAgent, s.token) {
			system = s.name
			break
		}
	}
	return browser, system
}

// IPPrefix returns the network an IP address is in, enough to recognise
// where a session came from without pinning down the machine: the /24 of
// an IPv4 address, the /48 of an IPv6 one; "" for anything else.
func IPPrefix(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ""
	}
	addr = addr.Unmap()
	bits := 48
	if addr.Is4() {
		bits = 24
	}
	p, err := addr.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}

// deviceHash is the stored key of a kind of browser for an account: keyed,
// so the table does not say which browsers a person uses.
func (s *Service) deviceHash(sess Session) string {
	return ids.KeyedHash(s.lookupKey, "device:"+string(sess.Kind)+":"+sess.SubjectID+":"+sess.Browser+"/"+sess.System)
}

// noticeNewDevice records the kind of browser a session started from and,
// when the account has signed in before but never from this kind, e-mails
// the person about the sign-in through the outbox, in tx. The first
// sign-in of an account is not told: there is nothing to compare it with.
func (s *Service) noticeNewDevice(tx *store.Tx, sess Session) error {
	hash := s.deviceHash(sess)
	res, err := tx.Exec(`UPDATE known_devices SET last_seen_at = $1 WHERE kind = $2 AND subject_id = $3 AND device_hash = $4`,
		store.Micros(tx.Now), string(sess.Kind), sess.SubjectID, hash)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var known int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM known_devices WHERE kind = $1 AND subject_id = $2`, string(sess.Kind), sess.SubjectID).Scan(&known); err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO known_devices (kind, subject_id, device_hash, first_seen_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)`,
		string(sess.Kind), sess.SubjectID, hash, store.Micros(tx.Now)); err != nil {
		if store.IsUniqueViolation(err) {
			return store.ErrConflict
		}
		return err
	}
	if known == 0 {
		return nil
	}
	return s.mailNewDevice(tx, sess)
}

// mailNewDevice queues the e-mail about a sign-in from a new kind of
// browser: to a consumer in their locale, sealed under their person; to a
// member of staff or merchant user in the default language.
func (s *Service) mailNewDevice(tx *store.Tx, sess Session) error {
	lang := i18n.Default
	msg := outbox.Message{Channel: outbox.Email}
	if accounts, ok := accountsOf(sess.Kind); ok {
		if err := tx.QueryRow(`SELECT email FROM `+accounts.table+` WHERE id = $1`, sess.SubjectID).Scan(&msg.To); err != nil {
			return err
		}
	} else {
		c, sealed, err := scanConsumer(tx.QueryRow(`SELECT `+consumerColumns+` FROM consumers WHERE id = $1`, sess.SubjectID))
		if err != nil {
			return err
		}
		if msg.To, err = s.openEmail(tx, c.PersonID, sealed); err != nil {
			return err
		}
		msg.PersonID = c.PersonID
		if l, ok := i18n.Parse(c.Locale); ok {
			lang = l
		}
	}
	if msg.To == "" {
		// An erased consumer's address is gone; there is no one to tell.
		return nil
	}
	browser, system := sess.Browser, sess.System
	if browser == "" {
		browser = i18n.T(lang, "security.device.unknown_browser")
	}
	if system == "" {
		system = i18n.T(lang, "security.device.unknown_system")
	}
	msg.Subject = i18n.T(lang, "security.mail.new_device.subject")
	msg.Body = i18n.T(lang, "security.mail.new_device.body",
		"browser", browser, "system", system, "time", sess.CreatedAt.UTC().Format("2006-01-02 15:04")+" UTC")
	_, err := outbox.Enqueue(tx, s.vault, s.lookupKey, msg)
	return err
}
