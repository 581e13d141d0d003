package vault

import (
	"fmt"
	"testing"

	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

// The benchmarks measure what Seal and Open add to a caller's transaction,
// with the data-key cache and without it, over 1,000 subjects that already
// have keys: go test -run '^$' -bench . ./internal/vault (docs/vault.md).

const benchSubjects = 1000

const benchContext = "authorizations.billing_address"

// benchVault returns a vault with benchSubjects keyed subjects and one value
// sealed for each.
func benchVault(b *testing.B) (*store.DB, *Vault, []string, []string) {
	b.Helper()
	db, _ := storetest.Open(b)
	v := New(db, MasterKeys{Current: NewMasterKey()})
	subjects, sealed := make([]string, benchSubjects), make([]string, benchSubjects)
	err := db.Write(b.Context(), func(tx *store.Tx) error {
		for i := range subjects {
			subjects[i] = fmt.Sprintf("subject-%04d", i)
			var err error
			if sealed[i], err = v.SealString(tx, subjects[i], benchContext, "Sletten 1, 9270 Klarup"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return db, v, subjects, sealed
}

// cacheModes runs fn with the cache on and off.
func cacheModes(b *testing.B, fn func(b *testing.B, db *store.DB, v *Vault, subjects, sealed []string)) {
	for _, mode := range []string{"cache", "nocache"} {
		b.Run(mode, func(b *testing.B) {
			db, v, subjects, sealed := benchVault(b)
			if mode == "nocache" {
				v.cache = nil
			}
			fn(b, db, v, subjects, sealed)
		})
	}
}

func BenchmarkSeal(b *testing.B) {
	cacheModes(b, func(b *testing.B, db *store.DB, v *Vault, subjects, _ []string) {
		plaintext := []byte("Sletten 1, 9270 Klarup")
		err := db.Write(b.Context(), func(tx *store.Tx) error {
			for i := 0; b.Loop(); i++ {
				if _, err := v.Seal(tx, subjects[i%len(subjects)], benchContext, plaintext); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkOpen(b *testing.B) {
	cacheModes(b, func(b *testing.B, db *store.DB, v *Vault, subjects, sealed []string) {
		err := db.Read(b.Context(), func(tx *store.Tx) error {
			for i := 0; b.Loop(); i++ {
				if _, err := v.Open(tx, subjects[i%len(subjects)], benchContext, sealed[i%len(sealed)]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkUnwrap is what the cache saves on each Seal and Open: unwrapping
// a data key and setting up AES-GCM under it.
func BenchmarkUnwrap(b *testing.B) {
	master := NewMasterKey()
	wrapped := wrap(master, "subject-0001", randomBytes(keySize))
	for b.Loop() {
		raw, err := unwrapWith(master, "subject-0001", wrapped)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := newAEAD(raw); err != nil {
			b.Fatal(err)
		}
	}
}
