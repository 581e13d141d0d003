package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader is the request header that carries the signature.
const SignatureHeader = "Tillit-Signature"

// Errors Verify returns.
var (
	// ErrInvalidSignature: the header is malformed or no v1 signature matches.
	ErrInvalidSignature = errors.New("notify: invalid webhook signature")
	// ErrStaleSignature: the signed timestamp is further from now than the
	// tolerance (a replayed or delayed request).
	ErrStaleSignature = errors.New("notify: webhook signature timestamp outside tolerance")
)

// Sign and Verify implement the signature scheme so merchants (and tests) can
// check it. Sign returns the Tillit-Signature header value
// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
func Sign(secret string, timestamp time.Time, body []byte) string {
	t := strconv.FormatInt(timestamp.Unix(), 10)
	return "t=" + t + ",v1=" + mac(secret, t, body)
}

func mac(secret, t string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(t))
	h.Write([]byte{'.'})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Verify checks a Tillit-Signature header against body and secret: one of its
// v1 signatures (there may be several while a secret is rotated) must match,
// and its timestamp must be within tolerance of now (either side). It returns
// nil, ErrInvalidSignature or ErrStaleSignature. A tolerance <= 0 skips the
// timestamp check.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var t string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrInvalidSignature
		}
		switch k {
		case "t":
			t = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	ts, err := strconv.ParseInt(t, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrInvalidSignature
	}
	want := []byte(mac(secret, t, body))
	matched := false
	for _, s := range sigs {
		if hmac.Equal([]byte(strings.ToLower(s)), want) {
			matched = true
		}
	}
	if !matched {
		return ErrInvalidSignature
	}
	if tolerance > 0 {
		d := now.Sub(time.Unix(ts, 0))
		if d < 0 {
			d = -d
		}
		if d > tolerance {
			return ErrStaleSignature
		}
	}
	return nil
}
