package consent_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/consent"
	"github.com/tillit/tillit/internal/store/storetest"
)

// sign makes a token of payload followed by its MAC under key.
func sign(key []byte, payload string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(append([]byte(payload), m.Sum(nil)...))
}

// forge makes a token in the documented format, MAC'd under key.
func forge(key []byte, purpose, subject string) string { return sign(key, purpose+"\x00"+subject) }

// derive derives a key from the web key the way package web and package
// consent do, for a named use.
func derive(use string) []byte {
	m := hmac.New(sha256.New, webKey)
	m.Write([]byte("tillit " + use))
	return m.Sum(nil)
}

func TestUnsubscribeTokenRoundTrip(t *testing.T) {
	svc, _ := setup(t)
	u, err := svc.UnsubscribeURL("https://pay.example.com/", anna, consent.DirectMarketing)
	if err != nil {
		t.Fatal(err)
	}
	token, ok := strings.CutPrefix(u, "https://pay.example.com"+consent.UnsubscribePath)
	if !ok || strings.ContainsAny(token, "/+=?#") {
		t.Fatalf("URL %q", u)
	}
	subject, purpose, err := svc.VerifyUnsubscribe(token)
	if err != nil || subject != anna || purpose != consent.DirectMarketing {
		t.Fatalf("verify: %q %q %v", subject, purpose, err)
	}
	// The same instance key in another process accepts it.
	other, err := consent.New(svc.DB, webKey)
	if err != nil {
		t.Fatal(err)
	}
	if s, p, err := other.VerifyUnsubscribe(token); err != nil || s != anna || p != consent.DirectMarketing {
		t.Errorf("another service: %q %q %v", s, p, err)
	}
	// Each purpose and person has a token of its own.
	call, _ := svc.UnsubscribeToken(anna, consent.CallRecording)
	bobs, _ := svc.UnsubscribeToken(bob, consent.DirectMarketing)
	if call == token || bobs == token {
		t.Error("tokens are not bound to purpose and person")
	}
	if _, p, _ := svc.VerifyUnsubscribe(call); p != consent.CallRecording {
		t.Errorf("call-recording token names %q", p)
	}
	for _, bad := range []struct {
		subject string
		purpose consent.Purpose
	}{{"", consent.DirectMarketing}, {anna, "newsletter"}} {
		if _, err := svc.UnsubscribeURL("https://pay.example.com", bad.subject, bad.purpose); apperr.Code(err) != apperr.BadValue {
			t.Errorf("URL for %+v: %v", bad, err)
		}
	}
}

func TestUnsubscribeTokensRefused(t *testing.T) {
	svc, _ := setup(t)
	good, err := svc.UnsubscribeToken(anna, consent.DirectMarketing)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	flipped := append([]byte(nil), raw...)
	flipped[len(flipped)-1] ^= 1
	otherPurpose := append([]byte("call_recording"), raw[len("direct_marketing"):]...)
	otherSubject := append([]byte(nil), raw...)
	otherSubject[len("direct_marketing")+1] = 'b'
	// The forgeries below differ from genuine tokens only where they say.
	linkKey := derive("consent unsubscribe link")
	if s, p, err := svc.VerifyUnsubscribe(forge(linkKey, "direct_marketing", anna)); err != nil || s != anna || p != consent.DirectMarketing {
		t.Fatalf("a token in the documented format: %q %q %v", s, p, err)
	}
	for name, token := range map[string]string{
		"empty":                              "",
		"not base64url":                      good[:20] + "*" + good[21:],
		"padded":                             good + "==",
		"truncated":                          good[:len(good)-4],
		"only a MAC":                         base64.RawURLEncoding.EncodeToString(raw[len(raw)-32:]),
		"MAC altered":                        base64.RawURLEncoding.EncodeToString(flipped),
		"purpose altered":                    base64.RawURLEncoding.EncodeToString(otherPurpose),
		"subject altered":                    base64.RawURLEncoding.EncodeToString(otherSubject),
		"signed with the web key":            forge(webKey, "direct_marketing", anna),
		"signed with the CSRF key":           forge(derive("web csrf"), "direct_marketing", anna),
		"signed with another instance's key": forge([]byte(strings.Repeat("k", 32)), "direct_marketing", anna),
		"genuine MAC, unknown purpose":       forge(linkKey, "newsletter", anna),
		"genuine MAC, no separator":          sign(linkKey, "direct_marketing"+anna),
		"genuine MAC, no subject":            forge(linkKey, "direct_marketing", ""),
		"too long":                           strings.Repeat("A", 600),
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := svc.VerifyUnsubscribe(token); apperr.Code(err) != apperr.BadValue {
				t.Errorf("verify: %v, want BAD_VALUE", err)
			}
			if _, err := svc.Unsubscribe(context.Background(), token); apperr.Code(err) != apperr.BadValue {
				t.Errorf("unsubscribe: %v, want BAD_VALUE", err)
			}
		})
	}
	if h := history(t, svc, anna); len(h) != 0 {
		t.Errorf("refused tokens wrote history: %+v", h)
	}
}

func TestUnsubscribeWithdrawsAtOnceAndAgain(t *testing.T) {
	svc, _ := setup(t)
	ctx := context.Background()
	set(t, svc, anna, consent.DirectMarketing, true, consent.SourceApp, "consumer:1")
	set(t, svc, anna, consent.CallRecording, true, consent.SourceApp, "consumer:1")
	set(t, svc, bob, consent.DirectMarketing, true, consent.SourceApp, "consumer:2")
	token, _ := svc.UnsubscribeToken(anna, consent.DirectMarketing)
	for range 2 {
		p, err := svc.Unsubscribe(ctx, token)
		if err != nil || p != consent.DirectMarketing {
			t.Fatalf("unsubscribe: %q %v", p, err)
		}
		if granted(t, svc, anna, consent.DirectMarketing) {
			t.Fatal("still granted after unsubscribing")
		}
	}
	if !granted(t, svc, anna, consent.CallRecording) || !granted(t, svc, bob, consent.DirectMarketing) {
		t.Error("the link withdrew more than its own consent")
	}
	h := history(t, svc, anna)
	if len(h) != 3 || h[0].Purpose != consent.DirectMarketing || h[0].Granted || h[0].Source != consent.SourceUnsubscribeLink || h[0].Actor != "" {
		t.Errorf("history: %+v", h)
	}
}

// FuzzVerifyUnsubscribe checks that no input panics and that only tokens
// the service made verify.
func FuzzVerifyUnsubscribe(f *testing.F) {
	db, _ := storetest.Open(f)
	svc, err := consent.New(db, webKey)
	if err != nil {
		f.Fatal(err)
	}
	good, _ := svc.UnsubscribeToken(anna, consent.DirectMarketing)
	f.Add(good)
	f.Add(forge(webKey, "direct_marketing", anna))
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		subject, purpose, err := svc.VerifyUnsubscribe(token)
		if err != nil {
			return
		}
		if again, _ := svc.UnsubscribeToken(subject, purpose); again != token {
			t.Errorf("%q verified but is not the token of %q %q", token, subject, purpose)
		}
	})
}
