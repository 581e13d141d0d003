package vault_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

func TestRotation(t *testing.T) {
	db, _ := storetest.Open(t)
	oldKey, newKey := vault.NewMasterKey(), vault.NewMasterKey()
	oldOnly := vault.New(db, vault.MasterKeys{Current: oldKey})
	sealed := map[string]string{}
	for i := range 5 {
		subject := fmt.Sprintf("subject-%d", i)
		sealed[subject] = seal(t, db, oldOnly, subject, addressContext, "value of "+subject)
	}
	if err := db.Write(t.Context(), func(tx *store.Tx) error { return oldOnly.Shred(tx, "subject-4") }); err != nil {
		t.Fatal(err)
	}
	delete(sealed, "subject-4")
	// A process switched to the new key that still holds the old one.
	during := vault.New(db, vault.MasterKeys{Current: newKey, Previous: []vault.MasterKey{oldKey}})
	newOnly := vault.New(db, vault.MasterKeys{Current: newKey})
	if err := newOnly.Check(t.Context()); !errors.Is(err, vault.ErrMasterKeyUnavailable) {
		t.Fatalf("check with only the new key before the rotation: %v", err)
	}

	// The rotation is interrupted after one batch of two keys.
	rotator := vault.New(db, vault.MasterKeys{Current: oldKey})
	n, err := rotator.RotateBatch(t.Context(), "operator:ana", newKey, 2)
	if err != nil || n != 2 {
		t.Fatalf("first batch: %d, %v", n, err)
	}
	status(t, oldOnly, map[string]int{oldKey.ID(): 2, newKey.ID(): 2}, 1)
	for subject, s := range sealed {
		if got, err := open(t, db, during, subject, addressContext, s); err != nil || got != "value of "+subject {
			t.Fatalf("during the rotation, %s: %q, %v", subject, got, err)
		}
	}
	// A new subject meanwhile gets a key under the new master key.
	sealed["subject-5"] = seal(t, db, during, "subject-5", addressContext, "value of subject-5")
	status(t, oldOnly, map[string]int{oldKey.ID(): 2, newKey.ID(): 3}, 1)

	// Resuming skips what is done; a process without the old key cannot resume.
	stranger := vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()})
	if _, err := stranger.Rotate(t.Context(), "operator:ana", newKey, 2); !errors.Is(err, vault.ErrMasterKeyUnavailable) {
		t.Fatalf("rotation without the key that wraps the data keys: %v", err)
	}
	n, err = rotator.Rotate(t.Context(), "operator:ana", newKey, 1)
	if err != nil || n != 2 {
		t.Fatalf("resumed rotation: %d, %v", n, err)
	}
	if n, err := rotator.Rotate(t.Context(), "operator:ana", newKey, 1); err != nil || n != 0 {
		t.Fatalf("rotation when done: %d, %v", n, err)
	}
	status(t, oldOnly, map[string]int{newKey.ID(): 5}, 1)

	// With the old key removed, every value reads under the new key alone,
	// and an old-key-only process fails cleanly.
	if err := newOnly.Check(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := oldOnly.Check(t.Context()); !errors.Is(err, vault.ErrMasterKeyUnavailable) {
		t.Fatalf("check with only the old key: %v", err)
	}
	for subject, s := range sealed {
		if got, err := open(t, db, newOnly, subject, addressContext, s); err != nil || got != "value of "+subject {
			t.Fatalf("after the rotation, %s: %q, %v", subject, got, err)
		}
		if _, err := open(t, db, oldOnly, subject, addressContext, s); !errors.Is(err, vault.ErrMasterKeyUnavailable) {
			t.Fatalf("old key only, %s: %v", subject, err)
		}
	}
	if _, err := open(t, db, newOnly, "subject-4", addressContext, "v1.AAAA"); !errors.Is(err, vault.ErrShredded) {
		t.Fatalf("the shredded subject after the rotation: %v", err)
	}

	// Each batch is audited; no batch for a rotation with nothing to do.
	report, err := audit.Verify(t.Context(), db)
	if err != nil || !report.OK() || report.Entries != 3 {
		t.Fatalf("audit: %+v, %v", report, err)
	}
	entries, err := audit.ForSubject(t.Context(), db, "master_key:"+newKey.ID())
	if err != nil || len(entries) != 3 || entries[0].Action != "vault.keys_rotated" || entries[0].Actor != "operator:ana" {
		t.Fatalf("audit entries %+v, %v", entries, err)
	}
}

// status checks the vault's counts.
func status(t *testing.T, v *vault.Vault, want map[string]int, shredded int) {
	t.Helper()
	s, err := v.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if s.Shredded != shredded || fmt.Sprint(s.ByMasterKey) != fmt.Sprint(want) {
		t.Fatalf("status %+v, want %v and %d shredded", s, want, shredded)
	}
}
