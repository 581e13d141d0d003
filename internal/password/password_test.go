package password_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/password"
)

// fast keeps the tests quick; Default is exercised by TestDefaultRoundTrip.
var fast = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestDefaultRoundTrip(t *testing.T) {
	h, err := password.Hash("violet staple harbour", password.Default)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if ok, err := password.Verify("violet staple harbour", h); !ok || err != nil {
		t.Fatalf("verify right password: %v %v", ok, err)
	}
	if ok, err := password.Verify("violet staple harbouR", h); ok || err != nil {
		t.Fatalf("verify wrong password: %v %v", ok, err)
	}
	if password.NeedsRehash(h, password.Default) {
		t.Fatal("fresh hash needs rehash")
	}
	p, err := password.ParseParams(h)
	if err != nil || p != password.Default {
		t.Fatalf("params %+v %v", p, err)
	}
}

func TestSaltsDiffer(t *testing.T) {
	a, _ := password.Hash("same password here", fast)
	b, _ := password.Hash("same password here", fast)
	if a == b {
		t.Fatal("two hashes of one password are equal")
	}
}

func TestNeedsRehash(t *testing.T) {
	h, err := password.Hash("violet staple harbour", fast)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []password.Params{
		{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 32, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 64},
	} {
		if !password.NeedsRehash(h, p) {
			t.Errorf("no rehash for %+v", p)
		}
	}
	if password.NeedsRehash(h, fast) {
		t.Error("rehash for the same parameters")
	}
	if !password.NeedsRehash("garbage", fast) {
		t.Error("no rehash for an unreadable hash")
	}
}

func TestTamperedHashDoesNotVerify(t *testing.T) {
	h, err := password.Hash("violet staple harbour", fast)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(h, "$")
	flip := func(s string) string {
		b := []byte(s)
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		return string(b)
	}
	for name, tampered := range map[string]string{
		"salt":   strings.Join([]string{"", parts[1], parts[2], parts[3], flip(parts[4]), parts[5]}, "$"),
		"hash":   strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], flip(parts[5])}, "$"),
		"params": strings.Join([]string{"", parts[1], parts[2], "m=64,t=2,p=1", parts[4], parts[5]}, "$"),
	} {
		ok, err := password.Verify("violet staple harbour", tampered)
		if ok || err != nil {
			t.Errorf("%s tampered: ok=%v err=%v", name, ok, err)
		}
	}
}

func TestMalformedHashes(t *testing.T) {
	valid := "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
	if _, err := password.ParseParams(valid); err != nil {
		t.Fatalf("valid sample: %v", err)
	}
	for _, h := range []string{
		"",
		"argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=64,t=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$t=1,m=64,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=-64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=064,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=64,t=0,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=64,t=1,p=0$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=64,t=1,p=256$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=64,t=1000,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=64,t=1,p=1$not base64!$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g$",
	} {
		if _, err := password.ParseParams(h); !errors.Is(err, password.ErrMalformed) {
			t.Errorf("ParseParams(%q) = %v", h, err)
		}
		if ok, err := password.Verify("anything at all", h); ok || !errors.Is(err, password.ErrMalformed) {
			t.Errorf("Verify(%q) = %v, %v", h, ok, err)
		}
	}
}

func TestHashRejectsBadParams(t *testing.T) {
	for _, p := range []password.Params{{}, {Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32}, {Memory: 4, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}} {
		if _, err := password.Hash("violet staple harbour", p); err == nil {
			t.Errorf("Hash with %+v succeeded", p)
		}
	}
}

func TestOverlongPasswords(t *testing.T) {
	long := strings.Repeat("x", password.MaxBytes+1)
	if _, err := password.Hash(long, fast); !errors.Is(err, password.ErrTooLong) {
		t.Fatalf("hash overlong: %v", err)
	}
	h, _ := password.Hash(long[:password.MaxBytes], fast)
	if ok, err := password.Verify(long, h); ok || err != nil {
		t.Fatalf("verify overlong: %v %v", ok, err)
	}
}

func TestCheck(t *testing.T) {
	cases := []struct {
		password string
		personal []string
		want     error
	}{
		{"violet staple harbour", nil, nil},
		{"Kærlighed på pinde 7", nil, nil},
		{"short one", nil, password.ErrTooShort},
		{"ØÆÅøæåüöäß", nil, password.ErrTooShort}, // 10 characters, 20 bytes
		{strings.Repeat("ab cd e", 200), nil, password.ErrTooLong},
		{"123456789012", nil, password.ErrCommon},
		{"Password2024!", nil, password.ErrCommon},
		{"!!password123456", nil, password.ErrCommon},
		{"QWERTYUIOPASDF", nil, password.ErrCommon},
		{"correct horse battery staple", nil, password.ErrCommon},
		{"iloveyou1234", nil, password.ErrCommon},
		{"Tillit123456", nil, password.ErrCommon},
		{"abababababababab", nil, password.ErrRepeating},
		{"12121212121212121", nil, password.ErrRepeating},
		{"anna.jensen rocks 42", []string{"Anna.Jensen@example.dk", "Anna Jensen"}, password.ErrPersonal},
		{"my name is anna jensen", []string{"aj@example.dk", "Anna Jensen"}, password.ErrPersonal},
		{"aj rides bikes daily", []string{"aj@example.dk", "AJ"}, nil},
	}
	for _, c := range cases {
		if err := password.Check(c.password, c.personal...); err != c.want {
			t.Errorf("Check(%q) = %v, want %v", c.password, err, c.want)
		}
	}
	var weak *password.WeakError
	if err := password.Check("short"); !errors.As(err, &weak) || weak.Reason() == "" {
		t.Fatalf("error %v is not a *WeakError", err)
	}
}

func FuzzParse(f *testing.F) {
	h, _ := password.Hash("violet staple harbour", fast)
	f.Add(h)
	f.Add("$argon2id$v=19$m=64,t=1,p=1$$")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := password.ParseParams(s)
		if err != nil {
			return
		}
		if p.Memory > 1<<20 || p.Time == 0 || p.Threads == 0 || p.KeyLen < 16 {
			t.Fatalf("accepted out-of-bounds params %+v", p)
		}
	})
}
