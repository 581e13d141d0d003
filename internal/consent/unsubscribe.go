package consent

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/tillit/tillit/internal/apperr"
)

// UnsubscribePath is where the consumer app serves unsubscribe links: the
// token follows it. A GET withdraws the consent and shows a confirmation; a
// POST with the form body List-Unsubscribe=One-Click (RFC 8058, sent by
// mail clients) does the same.
const UnsubscribePath = "/app/unsubscribe/"

// Unsubscribe tokens are base64url (unpadded) of
//
//	purpose 0x00 subject MAC
//
// where MAC is the 32-byte HMAC-SHA256 of "purpose 0x00 subject" under the
// key New derives from the web key for links alone. The token binds the
// subject and the purpose, so it withdraws exactly that consent of exactly
// that person. It never expires: unsubscribing must always work.
const (
	macLen = sha256.Size
	// maxTokenLen bounds the encoded tokens VerifyUnsubscribe looks at.
	maxTokenLen = 512
)

// errBadToken is the error of a token that is not a genuine unsubscribe
// link.
var errBadToken = apperr.BadField("token", "is not a valid unsubscribe link")

// linkMAC is the MAC of a token's payload.
func linkMAC(key, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	return m.Sum(nil)
}

// encodeToken makes the token of subject and purpose under key.
func encodeToken(key []byte, subject string, purpose Purpose) string {
	payload := []byte(string(purpose) + "\x00" + subject)
	return base64.RawURLEncoding.EncodeToString(append(payload, linkMAC(key, payload)...))
}

// UnsubscribeToken returns the signed token that withdraws the subject's
// consent to purpose. Errors: BAD_VALUE (subject, purpose).
func (s *Service) UnsubscribeToken(subject string, purpose Purpose) (string, error) {
	if err := validSubject(subject); err != nil {
		return "", err
	}
	if !purpose.Valid() {
		return "", apperr.BadField("purpose", "must be one of the consent purposes")
	}
	return encodeToken(s.linkKey, subject, purpose), nil
}

// UnsubscribeURL returns the one-click link that withdraws the subject's
// consent to purpose without signing in: baseURL (Tillit's public origin,
// such as https://pay.example.com) followed by UnsubscribePath and the
// token. Every marketing message carries it (see the package comment).
// Errors: BAD_VALUE (subject, purpose).
func (s *Service) UnsubscribeURL(baseURL, subject string, purpose Purpose) (string, error) {
	token, err := s.UnsubscribeToken(subject, purpose)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(baseURL, "/") + UnsubscribePath + token, nil
}

// VerifyUnsubscribe checks a token made by UnsubscribeToken, comparing its
// MAC in constant time, and returns the subject and purpose it names.
// Errors: BAD_VALUE (a malformed, altered or forged token, or one signed
// with another key).
func (s *Service) VerifyUnsubscribe(token string) (string, Purpose, error) {
	if len(token) > maxTokenLen {
		return "", "", errBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) <= macLen {
		return "", "", errBadToken
	}
	payload, mac := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	if !hmac.Equal(mac, linkMAC(s.linkKey, payload)) {
		return "", "", errBadToken
	}
	p, subject, ok := bytes.Cut(payload, []byte{0})
	purpose := Purpose(p)
	if !ok || !purpose.Valid() || validSubject(string(subject)) != nil {
		return "", "", errBadToken
	}
	return string(subject), purpose, nil
}

// Unsubscribe withdraws the consent a token names, at once, as a change
// from SourceUnsubscribeLink, and returns its purpose. Using a token again
// changes nothing and succeeds. Errors: BAD_VALUE (see VerifyUnsubscribe;
// nothing is written).
func (s *Service) Unsubscribe(ctx context.Context, token string) (Purpose, error) {
	subject, purpose, err := s.VerifyUnsubscribe(token)
	if err != nil {
		return "", err
	}
	if _, err := s.Set(ctx, subject, purpose, false, SourceUnsubscribeLink, ""); err != nil {
		return "", err
	}
	return purpose, nil
}
