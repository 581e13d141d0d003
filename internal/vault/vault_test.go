package vault_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

const addressContext = "authorizations.billing_address"

// setup returns a database and a vault over it with a fresh master key.
func setup(t *testing.T) (*store.DB, *vault.Vault) {
	t.Helper()
	db, _ := storetest.Open(t)
	return db, vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()})
}

// seal seals plaintext for subject in a transaction of its own.
func seal(t *testing.T, db *store.DB, v *vault.Vault, subject, context, plaintext string) string {
	t.Helper()
	var sealed string
	err := db.Write(t.Context(), func(tx *store.Tx) error {
		var err error
		sealed, err = v.SealString(tx, subject, context, plaintext)
		return err
	})
	if err != nil {
		t.Fatalf("seal for %s: %v", subject, err)
	}
	return sealed
}

// open opens a sealed value in a read transaction of its own.
func open(t *testing.T, db *store.DB, v *vault.Vault, subject, context, sealed string) (string, error) {
	t.Helper()
	var plaintext string
	err := db.Read(t.Context(), func(tx *store.Tx) error {
		var err error
		plaintext, err = v.OpenString(tx, subject, context, sealed)
		return err
	})
	return plaintext, err
}

// count runs a COUNT(*) query.
func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Read(t.Context(), func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSealOpenRoundTrip(t *testing.T) {
	db, v := setup(t)
	for _, plaintext := range []string{"Sletten 1, 9270 Klarup", "", strings.Repeat("æøå ", 1000)} {
		sealed := seal(t, db, v, "subject-a", addressContext, plaintext)
		if !strings.HasPrefix(sealed, "v1.") || strings.Contains(sealed, "Sletten") {
			t.Fatalf("sealed %q", sealed)
		}
		got, err := open(t, db, v, "subject-a", addressContext, sealed)
		if err != nil || got != plaintext {
			t.Fatalf("open: %q, %v", got, err)
		}
	}
	// A random nonce: the same plaintext seals differently every time.
	first, second := seal(t, db, v, "subject-a", addressContext, "x"), seal(t, db, v, "subject-a", addressContext, "x")
	if first == second {
		t.Fatal("two seals of one value are equal")
	}
	// One data key for the subject, stored wrapped, not in clear.
	if n := count(t, db, `SELECT COUNT(*) FROM subject_keys`); n != 1 {
		t.Fatalf("%d subject keys", n)
	}
	// A second vault over the same database (another process) reads it.
	other := vault.New(db, v.Keys())
	sealed := seal(t, db, v, "subject-a", addressContext, "Anna")
	if got, err := open(t, db, other, "subject-a", addressContext, sealed); err != nil || got != "Anna" {
		t.Fatalf("other process: %q, %v", got, err)
	}
}

func TestOpenRefusesOtherSubjectOrContext(t *testing.T) {
	db, v := setup(t)
	sealed := seal(t, db, v, "subject-a", addressContext, "Anna Jensen")
	seal(t, db, v, "subject-b", addressContext, "Bo")
	for _, c := range []struct{ name, subject, context string }{
		{"another subject's key", "subject-b", addressContext},
		{"a subject without a key", "subject-c", addressContext},
		{"another context", "subject-a", "orders.shipping_address"},
	} {
		if got, err := open(t, db, v, c.subject, c.context, sealed); !errors.Is(err, vault.ErrUnreadable) || got != "" {
			t.Errorf("%s: %q, %v", c.name, got, err)
		}
	}
	if n := count(t, db, `SELECT COUNT(*) FROM subject_keys WHERE subject = 'subject-c'`); n != 0 {
		t.Fatal("Open created a key")
	}
}

func TestTamperedValuesFail(t *testing.T) {
	db, v := setup(t)
	sealed := seal(t, db, v, "subject-a", addressContext, "Anna Jensen")
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(sealed, "v1."))
	if err != nil {
		t.Fatal(err)
	}
	var tampered []string
	for i := range raw {
		b := bytes.Clone(raw)
		b[i] ^= 0x01
		tampered = append(tampered, "v1."+base64.RawURLEncoding.EncodeToString(b))
	}
	tampered = append(tampered, sealed[:len(sealed)-4], "v1."+base64.RawURLEncoding.EncodeToString(raw[:20]),
		"v2."+strings.TrimPrefix(sealed, "v1."), "v1.not base64!", "", "Anna Jensen")
	for _, s := range tampered {
		if got, err := open(t, db, v, "subject-a", addressContext, s); !errors.Is(err, vault.ErrUnreadable) || got != "" {
			t.Fatalf("open(%q) = %q, %v", s, got, err)
		}
	}
	if got, err := open(t, db, v, "subject-a", addressContext, sealed); err != nil || got != "Anna Jensen" {
		t.Fatalf("the untouched value: %q, %v", got, err)
	}
}

func TestTamperedDataKeysFail(t *testing.T) {
	db, v := setup(t)
	a := seal(t, db, v, "subject-a", addressContext, "Anna")
	seal(t, db, v, "subject-b", addressContext, "Bo")
	// B's wrapped key copied onto A's row does not open: the wrapping is
	// bound to the subject.
	if err := db.Write(t.Context(), func(tx *store.Tx) error {
		return tx.ExecOne(`UPDATE subject_keys SET wrapped_key = (SELECT wrapped_key FROM subject_keys WHERE subject = 'subject-b') WHERE subject = 'subject-a'`)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := open(t, db, vault.New(db, v.Keys()), "subject-a", addressContext, a); err == nil {
		t.Fatal("a data key moved to another subject opened")
	}
}

func TestNamesAreRequired(t *testing.T) {
	db, v := setup(t)
	for _, c := range []struct{ subject, context string }{{"", addressContext}, {"s", ""}, {strings.Repeat("s", 201), addressContext}} {
		err := db.Write(t.Context(), func(tx *store.Tx) error {
			_, err := v.SealString(tx, c.subject, c.context, "x")
			return err
		})
		if err == nil {
			t.Errorf("seal with subject %q, context %q", c.subject, c.context)
		}
	}
}

func TestShred(t *testing.T) {
	db, v := setup(t)
	other := vault.New(db, v.Keys()) // another process, with its own cache
	a1 := seal(t, db, v, "subject-a", addressContext, "Anna")
	a2 := seal(t, db, v, "subject-a", "authorizations.date_of_birth", "1990-05-17")
	b := seal(t, db, v, "subject-b", addressContext, "Bo")
	// The other process has A's key in its cache.
	if _, err := open(t, db, other, "subject-a", addressContext, a1); err != nil {
		t.Fatal(err)
	}
	// In the shredding transaction itself, A is gone at once.
	err := db.Write(t.Context(), func(tx *store.Tx) error {
		if err := v.Shred(tx, "subject-a"); err != nil {
			return err
		}
		_, err := v.Open(tx, "subject-a", addressContext, a1)
		if !errors.Is(err, vault.ErrShredded) {
			t.Errorf("open in the shredding transaction: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, vv := range []*vault.Vault{v, other} {
		for _, c := range []struct{ context, sealed string }{{addressContext, a1}, {"authorizations.date_of_birth", a2}} {
			if got, err := open(t, db, vv, "subject-a", c.context, c.sealed); !errors.Is(err, vault.ErrShredded) || got != "" {
				t.Fatalf("open after shred: %q, %v", got, err)
			}
		}
		if got, err := open(t, db, vv, "subject-b", addressContext, b); err != nil || got != "Bo" {
			t.Fatalf("another subject after the shred: %q, %v", got, err)
		}
	}
	// Seal refuses a shredded subject rather than giving them a new key.
	err = db.Write(t.Context(), func(tx *store.Tx) error {
		_, err := v.SealString(tx, "subject-a", addressContext, "Anna again")
		return err
	})
	if !errors.Is(err, vault.ErrShredded) {
		t.Fatalf("seal after shred: %v", err)
	}
	// The key is erased from the row, and shredding again is harmless.
	if n := count(t, db, `SELECT COUNT(*) FROM subject_keys WHERE subject = 'subject-a' AND wrapped_key IS NULL AND master_key_id IS NULL AND shredded_at IS NOT NULL`); n != 1 {
		t.Fatal("the wrapped key is still stored")
	}
	// A subject shredded before any key existed never gets one.
	for _, subject := range []string{"subject-a", "subject-never-sealed"} {
		if err := db.Write(t.Context(), func(tx *store.Tx) error { return v.Shred(tx, subject) }); err != nil {
			t.Fatalf("shred %s: %v", subject, err)
		}
	}
	err = db.Write(t.Context(), func(tx *store.Tx) error {
		_, err := v.SealString(tx, "subject-never-sealed", addressContext, "x")
		return err
	})
	if !errors.Is(err, vault.ErrShredded) {
		t.Fatalf("seal for a subject shredded without a key: %v", err)
	}
	s, err := v.Status(t.Context())
	if err != nil || s.Shredded != 2 || s.ByMasterKey[v.Keys().Current.ID()] != 1 || len(s.ByMasterKey) != 1 {
		t.Fatalf("status %+v, %v", s, err)
	}
}

func TestConcurrentFirstSealMakesOneKey(t *testing.T) {
	db, v := setup(t)
	others := []*vault.Vault{v, vault.New(db, v.Keys()), vault.New(db, v.Keys())}
	// On PostgreSQL every writer first waits until all have begun their
	// transactions, so that they all look for the key before any creates it
	// (fewer writers than the pool has connections). SQLite runs writes one
	// at a time, where the second writer finds the first one's key.
	const writers = 6
	sealed := make([]string, writers)
	errs := make([]error, writers)
	var wg, begun sync.WaitGroup
	begun.Add(writers)
	for i := range writers {
		wg.Go(func() {
			first := true
			errs[i] = db.Write(context.Background(), func(tx *store.Tx) error {
				if first && db.Dialect == store.Postgres {
					begun.Done()
					begun.Wait()
				}
				first = false
				var err error
				sealed[i], err = others[i%len(others)].SealString(tx, "subject-new", addressContext, "Anna")
				return err
			})
		})
	}
	wg.Wait()
	for i := range writers {
		if errs[i] != nil {
			t.Fatalf("writer %d: %v", i, errs[i])
		}
		for _, vv := range others {
			if got, err := open(t, db, vv, "subject-new", addressContext, sealed[i]); err != nil || got != "Anna" {
				t.Fatalf("value of writer %d: %q, %v", i, got, err)
			}
		}
	}
	if n := count(t, db, `SELECT COUNT(*) FROM subject_keys`); n != 1 {
		t.Fatalf("%d keys for one subject", n)
	}
}
