package totp

import (
	"encoding/base32"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rfcSecret is the SHA1 seed of RFC 6238 Appendix B, base32-encoded.
var rfcSecret = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))

// TestRFC6238Vectors checks the SHA1 test vectors of RFC 6238 Appendix B
// (eight digits) and that Code gives their last six.
func TestRFC6238Vectors(t *testing.T) {
	key, err := decode(rfcSecret)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		at := time.Unix(v.unix, 0).UTC()
		if got := hotp(key, uint64(Step(at)), 8); got != v.want {
			t.Errorf("T=%d: %s, want %s", v.unix, got, v.want)
		}
		code, err := Code(rfcSecret, at)
		if err != nil || code != v.want[2:] {
			t.Errorf("T=%d: Code %q %v, want %s", v.unix, code, err, v.want[2:])
		}
	}
}

func TestNewSecret(t *testing.T) {
	a, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSecret()
	if a == b || len(a) != 32 {
		t.Fatalf("secrets %q %q", a, b)
	}
	if _, err := decode(a); err != nil {
		t.Fatal(err)
	}
	if _, err := decode(strings.ToLower(a[:8]) + " " + a[8:]); err != nil {
		t.Errorf("lower case with a space: %v", err)
	}
	for _, bad := range []string{"", "AAAA", a + "AAAAAAAA", "!!!!" + a[4:]} {
		if _, err := Code(bad, time.Now()); err != ErrSecret {
			t.Errorf("Code(%q): %v", bad, err)
		}
	}
}

// TestVerifySkew moves a clock around a code's step: the step before, of
// and after it accept it; two steps away refuse it.
func TestVerifySkew(t *testing.T) {
	secret, _ := NewSecret()
	issued := time.Date(2026, 3, 1, 12, 0, 15, 0, time.UTC)
	code, _ := Code(secret, issued)
	for _, c := range []struct {
		shift time.Duration
		ok    bool
	}{
		{-2 * Period, false},
		{-Period, true},
		{0, true},
		{14 * time.Second, true},
		{Period, true},
		{Period + 14*time.Second, true},
		{2 * Period, false},
		{10 * time.Minute, false},
	} {
		step, ok, err := Verify(secret, code, issued.Add(c.shift), 0)
		if err != nil || ok != c.ok || (ok && step != Step(issued)) {
			t.Errorf("clock moved %v: step %d ok %v err %v, want ok %v", c.shift, step, ok, err, c.ok)
		}
	}
}

// TestVerifyRefusesReplay: once a step is accepted, its code and every
// earlier one is refused; a later step's code still works.
func TestVerifyRefusesReplay(t *testing.T) {
	secret, _ := NewSecret()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	code, _ := Code(secret, now)
	step, ok, _ := Verify(secret, code, now, 0)
	if !ok {
		t.Fatal("first use refused")
	}
	if _, ok, _ := Verify(secret, code, now, step); ok {
		t.Error("the same code was accepted twice")
	}
	if _, ok, _ := Verify(secret, code, now.Add(Period), step); ok {
		t.Error("the used code was accepted a step later")
	}
	earlier, _ := Code(secret, now.Add(-Period))
	if _, ok, _ := Verify(secret, earlier, now, step); ok {
		t.Error("an earlier step's code was accepted after a later one")
	}
	next, _ := Code(secret, now.Add(Period))
	if s, ok, _ := Verify(secret, next, now.Add(Period), step); !ok || s != step+1 {
		t.Errorf("the next step's code: %d %v", s, ok)
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok, _ := Verify(secret, bad, now, 0); ok {
			t.Errorf("accepted %q", bad)
		}
	}
	if _, ok, _ := Verify(secret, code[:3]+" "+code[3:], now, 0); !ok {
		t.Error("a code with a space was refused")
	}
}

func TestURI(t *testing.T) {
	u, err := url.Parse(URI("JBSWY3DPEHPK3PXP", "Tillit", "ana@tillit.example"))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Tillit:ana@tillit.example" ||
		q.Get("secret") != "JBSWY3DPEHPK3PXP" || q.Get("issuer") != "Tillit" || q.Get("digits") != "6" || q.Get("period") != "30" || q.Get("algorithm") != "SHA1" {
		t.Errorf("URI %s", u)
	}
}
