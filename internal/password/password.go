// Package password hashes and checks the passwords people choose (staff and
// merchant portal users) with argon2id, and decides whether a new password is
// strong enough to accept.
//
// Hashes are stored in the PHC string format that other argon2 libraries read:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// with salt and hash in unpadded standard base64. The parameters travel with
// each hash, so raising them later only makes NeedsRehash report the old
// hashes; a successful sign-in then stores a new one.
//
// Secrets Tillit generates itself (API secrets, session tokens) are not
// passwords: they are stored as ids.Hash digests.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters.
type Params struct {
	// Memory is in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
	// SaltLen and KeyLen are in bytes.
	SaltLen uint32
	KeyLen  uint32
}

// Default follows the OWASP Password Storage Cheat Sheet's first argon2id
// configuration: 19 MiB of memory, two passes, one thread, a 16-byte salt and
// a 32-byte hash.
var Default = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Limits on the parameters Parse accepts, so that a damaged or hostile stored
// hash cannot make a check allocate without bound.
const (
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
	maxMemory  = 1 << 20 // KiB, 1 GiB
	maxTime    = 64
)

// MinLength is the fewest characters (Unicode code points) a password may
// have; MaxBytes the most bytes. Longer input is refused before hashing.
const (
	MinLength = 12
	MaxBytes  = 1024
)

// ErrMalformed reports a stored hash that is not an argon2id PHC string this
// package can check.
var ErrMalformed = errors.New("password: malformed argon2id hash")

var b64 = base64.RawStdEncoding

// Hash returns the PHC string of password under p with a fresh random salt.
// It hashes whatever it is given; call Check first for new passwords.
func Hash(password string, p Params) (string, error) {
	if err := p.valid(); err != nil {
		return "", err
	}
	if len(password) > MaxBytes {
		return "", ErrTooLong
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches the stored hash. The comparison
// takes the same time wherever the first difference is. It returns
// ErrMalformed (wrapped) when the stored hash cannot be read; a password
// longer than MaxBytes never matches.
func Verify(password, encoded string) (bool, error) {
	p, salt, key, err := parse(encoded)
	if err != nil {
		return false, err
	}
	if len(password) > MaxBytes {
		return false, nil
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether the stored hash was made with parameters other
// than p (or cannot be read), so that it should be replaced after the next
// successful Verify.
func NeedsRehash(encoded string, p Params) bool {
	got, _, _, err := parse(encoded)
	return err != nil || got != p
}

// ParseParams returns the parameters a stored hash was made with.
func ParseParams(encoded string) (Params, error) {
	p, _, _, err := parse(encoded)
	return p, err
}

// parse splits a PHC string into its parameters, salt and key.
func parse(encoded string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return p, nil, nil, fmt.Errorf("%w: want 5 fields", ErrMalformed)
	}
	if parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: algorithm %q", ErrMalformed, parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: version %q", ErrMalformed, parts[2])
	}
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return p, nil, nil, fmt.Errorf("%w: parameters %q", ErrMalformed, parts[3])
	}
	for i, name := range []string{"m", "t", "p"} {
		value, ok := strings.CutPrefix(fields[i], name+"=")
		if !ok {
			return p, nil, nil, fmt.Errorf("%w: parameter %d is not %s", ErrMalformed, i+1, name)
		}
		bits := 32
		if name == "p" {
			bits = 8
		}
		n, err := strconv.ParseUint(value, 10, bits)
		if err != nil || value != strconv.FormatUint(n, 10) {
			return p, nil, nil, fmt.Errorf("%w: parameter %s=%q", ErrMalformed, name, value)
		}
		switch name {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			p.Threads = uint8(n)
		}
	}
	salt, err := b64.Strict().DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: salt: %v", ErrMalformed, err)
	}
	key, err := b64.Strict().DecodeString(parts[5])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: hash: %v", ErrMalformed, err)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.valid(); err != nil {
		return p, nil, nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return p, salt, key, nil
}

// valid checks that p is within the bounds this package accepts.
func (p Params) valid() error {
	switch {
	case p.Threads == 0:
		return errors.New("password: parallelism must be at least 1")
	case p.Time == 0 || p.Time > maxTime:
		return fmt.Errorf("password: time must be 1-%d", maxTime)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("password: memory must be %d-%d KiB", 8*uint32(p.Threads), maxMemory)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("password: salt must be %d-%d bytes", minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("password: hash must be %d-%d bytes", minKeyLen, maxKeyLen)
	}
	return nil
}
