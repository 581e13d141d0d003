// Package signedlink makes and checks links that work without signing in:
// a stop request's answer form, an investigator's request for more from a
// merchant. A link is bound to one purpose and one subject (the record it
// opens) and expires; it carries no personal data.
//
// A token is base64url (unpadded) of
//
//	purpose 0x00 subject 0x00 expiry(unix seconds, decimal) MAC
//
// where MAC is the 32-byte HMAC-SHA256 of everything before it under a key
// derived from the instance's web key for signed links alone. Changing any
// byte (another subject, another purpose, a later expiry) breaks the MAC,
// which is compared in constant time.
package signedlink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
)

// CodeExpired is the error code of a genuine link whose time ran out
// (HTTP 410 Gone).
const CodeExpired = "LINK_EXPIRED"

// maxTokenLen bounds the tokens Verify looks at.
const maxTokenLen = 512

// Signer makes and checks signed links.
type Signer struct {
	key []byte
}

// New returns a Signer keyed from the instance's web key. Errors: a key
// shorter than 32 bytes.
func New(webKey []byte) (*Signer, error) {
	if len(webKey) < 32 {
		return nil, errors.New("signedlink: the web key is too short")
	}
	m := hmac.New(sha256.New, webKey)
	m.Write([]byte("tillit signed link"))
	return &Signer{key: m.Sum(nil)}, nil
}

// Token returns the token that opens subject for purpose until expires.
// Purpose and subject must not contain NUL bytes.
func (s *Signer) Token(purpose, subject string, expires time.Time) string {
	payload := []byte(purpose + "\x00" + subject + "\x00" + strconv.FormatInt(expires.Unix(), 10))
	return base64.RawURLEncoding.EncodeToString(append(payload, s.mac(payload)...))
}

func (s *Signer) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(payload)
	return m.Sum(nil)
}

// Verify checks a token made by Token for purpose at now and returns the
// subject it opens and when it expires. Errors: BAD_VALUE for a malformed,
// altered or forged token or one made for another purpose; CodeExpired for
// a genuine token past its expiry.
func (s *Signer) Verify(purpose, token string, now time.Time) (string, time.Time, error) {
	bad := apperr.BadField("token", "is not a valid link")
	if len(token) == 0 || len(token) > maxTokenLen {
		return "", time.Time{}, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) <= sha256.Size {
		return "", time.Time{}, bad
	}
	payload, mac := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	if !hmac.Equal(mac, s.mac(payload)) {
		return "", time.Time{}, bad
	}
	parts := strings.Split(string(payload), "\x00")
	if len(parts) != 3 || parts[0] != purpose || parts[1] == "" {
		return "", time.Time{}, bad
	}
	secs, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return "", time.Time{}, bad
	}
	expires := time.Unix(secs, 0).UTC()
	if !now.Before(expires) {
		return "", time.Time{}, apperr.New(CodeExpired, "This link expired on %s.", expires.Format(time.RFC3339))
	}
	return parts[1], expires, nil
}
