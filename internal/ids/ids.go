// Package ids makes the identifiers and secrets Tillit hands out: UUIDv7 for
// every public id (time-ordered, so indexes stay compact) and random tokens for
// credentials.
package ids

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/google/uuid"
)

// New returns a new UUIDv7 as its canonical string.
func New() string {
	return uuid.Must(uuid.NewV7()).String()
}

// Valid reports whether s is a canonical UUID string.
func Valid(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

// Token returns a random URL-safe token carrying n bytes of entropy.
func Token(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("ids: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Hash returns the hex SHA-256 of a high-entropy secret, for storing it without
// keeping the secret itself. It is not for passwords chosen by people.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// KeyedHash returns the hex HMAC-SHA256 of value under key: an equality
// lookup for personal data (an e-mail address, say) that does not keep the
// value and cannot be reversed by hashing guesses without the key.
func KeyedHash(key, value string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// ConsumerKey is the lookup key of a consumer identified by e-mail: the keyed
// hash of the trimmed, lower-cased address. key is the instance secret named
// ConsumerKeySecret.
func ConsumerKey(key, email string) string {
	return KeyedHash(key, strings.ToLower(strings.TrimSpace(email)))
}

// ConsumerKeySecret names the instance secret (store.DB.InstanceSecret) under
// which consumer e-mail addresses are hashed.
const ConsumerKeySecret = "consumer_lookup_key"
