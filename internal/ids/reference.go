package ids

import "crypto/rand"

// referenceAlphabet leaves out the letters and digits people confuse when
// they read a reference out on the telephone (0/O, 1/I/L).
const referenceAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// Reference returns a short reference for people to quote, prefix, a dash
// and six characters (e.g. "C-7K2M9Q"), that taken reports unused. It
// draws again while taken says a reference is in use.
func Reference(prefix string, taken func(ref string) (bool, error)) (string, error) {
	for {
		b := make([]byte, 6)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		for i := range b {
			b[i] = referenceAlphabet[int(b[i])%len(referenceAlphabet)]
		}
		ref := prefix + "-" + string(b)
		used, err := taken(ref)
		if err != nil || !used {
			return ref, err
		}
	}
}
