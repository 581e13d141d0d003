// Package totp implements time-based one-time passwords (RFC 6238) as
// authenticator apps use them: HMAC-SHA1, six digits, a 30-second step.
// It makes secrets (160 random bits, base32), the otpauth:// URI an app
// scans as a QR code, and checks codes with a window of one step either
// side for clocks that drift, refusing any step at or before the last one
// accepted so that a code cannot be used twice. It holds no state: the
// caller stores the secret (sealed) and the last accepted step.
package totp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Parameters of the codes, the defaults of RFC 6238 and of every common
// authenticator app.
const (
	// Digits is the length of a code.
	Digits = 6
	// Period is how long one code is valid: one time step.
	Period = 30 * time.Second
	// SecretBytes is the length of a secret: 160 bits, as RFC 4226
	// recommends for HMAC-SHA1.
	SecretBytes = 20
	// Skew is how many steps before and after the current one a code may
	// be from, for a phone whose clock is a little off.
	Skew = 1
)

// encoding is base32 without padding, the form authenticator apps take.
var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// ErrSecret is returned for a secret that is not base32 of SecretBytes
// bytes.
var ErrSecret = errors.New("totp: malformed secret")

// NewSecret returns a random secret, base32-encoded.
func NewSecret() (string, error) {
	b := make([]byte, SecretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return encoding.EncodeToString(b), nil
}

// decode parses a secret as NewSecret writes it (spaces and case ignored).
func decode(secret string) ([]byte, error) {
	key, err := encoding.DecodeString(strings.ToUpper(strings.ReplaceAll(secret, " ", "")))
	if err != nil || len(key) != SecretBytes {
		return nil, ErrSecret
	}
	return key, nil
}

// Step returns the time step t falls in: whole Periods since the Unix
// epoch.
func Step(t time.Time) int64 { return t.Unix() / int64(Period/time.Second) }

// hotp is the HOTP value (RFC 4226) of key at counter with n digits.
func hotp(key []byte, counter uint64, n int) string {
	mac := hmac.New(sha1.New, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range n {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", n, bin%mod)
}

// Code returns the code of secret at t. Errors: ErrSecret.
func Code(secret string, t time.Time) (string, error) {
	key, err := decode(secret)
	if err != nil {
		return "", err
	}
	return hotp(key, uint64(Step(t)), Digits), nil
}

// Verify checks code against secret at t. It accepts the code of the
// current step or of Skew steps either side, but never of a step at or
// before lastStep (the step Verify last accepted for this secret; 0 for
// none), and returns the step it matched, which the caller stores as the
// new lastStep. Spaces in the code are ignored. Errors: ErrSecret.
func Verify(secret, code string, t time.Time, lastStep int64) (step int64, ok bool, err error) {
	key, err := decode(secret)
	if err != nil {
		return 0, false, err
	}
	code = strings.ReplaceAll(code, " ", "")
	if len(code) != Digits {
		return 0, false, nil
	}
	now := Step(t)
	for s := now - Skew; s <= now+Skew; s++ {
		if s <= lastStep || s < 0 {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(hotp(key, uint64(s), Digits)), []byte(code)) == 1 {
			return s, true, nil
		}
	}
	return 0, false, nil
}

// URI returns the otpauth:// URI (the Key Uri Format of Google
// Authenticator, which every common app reads) that adds secret to an
// authenticator app, labelled with the issuer and the account (an e-mail
// address).
func URI(secret, issuer, account string) string {
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	q := url.Values{
		"secret":    {secret},
		"issuer":    {issuer},
		"algorithm": {"SHA1"},
		"digits":    {fmt.Sprint(Digits)},
		"period":    {fmt.Sprint(int(Period / time.Second))},
	}
	return "otpauth://totp/" + label + "?" + q.Encode()
}
