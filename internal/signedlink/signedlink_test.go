package signedlink_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/signedlink"
)

var now = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

func signer(t *testing.T, key string) *signedlink.Signer {
	t.Helper()
	s, err := signedlink.New([]byte(strings.Repeat(key, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTokenOpensItsSubjectUntilExpiry(t *testing.T) {
	s := signer(t, "k")
	tok := s.Token("stop-request", "sr-1", now.Add(time.Hour))
	subject, expires, err := s.Verify("stop-request", tok, now)
	if err != nil || subject != "sr-1" || !expires.Equal(now.Add(time.Hour)) {
		t.Fatalf("Verify = %q, %v, %v", subject, expires, err)
	}
	if _, _, err := s.Verify("stop-request", tok, now.Add(time.Hour)); apperr.Code(err) != signedlink.CodeExpired {
		t.Fatalf("at expiry: %v, want %s", err, signedlink.CodeExpired)
	}
}

func TestForgedAlteredAndMisusedTokensAreRefused(t *testing.T) {
	s := signer(t, "k")
	tok := s.Token("stop-request", "sr-1", now.Add(time.Hour))
	other := signer(t, "x").Token("stop-request", "sr-1", now.Add(time.Hour))
	raw := []byte(tok)
	raw[3] ^= 1
	for name, bad := range map[string]string{
		"empty":           "",
		"not base64":      "%%%",
		"short":           "YWJj",
		"other key":       other,
		"altered":         string(raw),
		"too long":        strings.Repeat("A", 600),
		"another purpose": s.Token("case-reply", "sr-1", now.Add(time.Hour)),
		"no subject":      s.Token("stop-request", "", now.Add(time.Hour)),
	} {
		if _, _, err := s.Verify("stop-request", bad, now); apperr.Code(err) != apperr.BadValue {
			t.Errorf("%s: %v, want BAD_VALUE", name, err)
		}
	}
}

func TestNewNeedsALongKey(t *testing.T) {
	if _, err := signedlink.New([]byte("short")); err == nil {
		t.Fatal("a short key was accepted")
	}
}
