package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

// keys runs `tillit keys` with args and decodes its JSON output.
func keys(t *testing.T, args ...string) (map[string]any, error) {
	t.Helper()
	var out bytes.Buffer
	err := keysCommand(context.Background(), args, &out)
	var decoded map[string]any
	if out.Len() > 0 {
		decodeOutput(t, out.String(), &decoded)
	}
	return decoded, err
}

func TestKeysCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dsn := storetest.DSN(t)
	t.Setenv("TILLIT_DATABASE_URL", dsn)
	for _, name := range []string{vault.EnvMasterKey, vault.EnvPreviousMasterKey, vault.EnvPreviousMasterKeyFile} {
		t.Setenv(name, "")
	}
	oldFile, newFile := filepath.Join(dir, "old.key"), filepath.Join(dir, "new.key")

	// generate writes a key file readable by its owner only, never twice.
	generated, err := keys(t, "generate", "--out", oldFile)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := os.ReadFile(oldFile)
	info, _ := os.Stat(oldFile)
	oldKey, err := vault.ReadMasterKeyFile(oldFile)
	if err != nil || generated["master_key_id"] != oldKey.ID() || info.Mode().Perm() != 0o600 || len(generated) != 2 {
		t.Fatalf("generate: %v, %v, mode %v", generated, err, info.Mode())
	}
	if _, err := keys(t, "generate", "--out", oldFile); err == nil || exitCode(err) != 1 {
		t.Fatalf("generate over an existing file: %v", err)
	}
	newGenerated, err := keys(t, "generate", "--out", newFile)
	if err != nil {
		t.Fatal(err)
	}
	newID := newGenerated["master_key_id"].(string)

	// status on a fresh database under the old key.
	t.Setenv(vault.EnvMasterKeyFile, oldFile)
	status, err := keys(t, "status")
	if err != nil || status["current_master_key_id"] != oldKey.ID() || status["shredded"] != 0.0 || len(status["data_keys_by_master_key"].(map[string]any)) != 0 {
		t.Fatalf("status: %v, %v", status, err)
	}

	// Three people's data sealed by a running process, one shredded.
	db, err := store.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v := vault.New(db, vault.MasterKeys{Current: oldKey})
	sealed := map[string]string{}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		for _, subject := range []string{"a", "b", "c"} {
			var err error
			if sealed[subject], err = v.SealString(tx, subject, "test.value", "value of "+subject); err != nil {
				return err
			}
		}
		return v.Shred(tx, "c")
	}); err != nil {
		t.Fatal(err)
	}
	status, err = keys(t, "status")
	if err != nil || status["data_keys_by_master_key"].(map[string]any)[oldKey.ID()] != 2.0 || status["shredded"] != 1.0 {
		t.Fatalf("status: %v, %v", status, err)
	}

	// rotate, one key per transaction, each audited.
	rotated, err := keys(t, "rotate", "--new-key-file", newFile, "--batch", "1", "--actor", "ana")
	if err != nil || rotated["rewrapped"] != 2.0 || rotated["master_key_id"] != newID {
		t.Fatalf("rotate: %v, %v", rotated, err)
	}
	entries, err := audit.ForSubject(ctx, db, "master_key:"+newID)
	if err != nil || len(entries) != 2 || entries[0].Actor != "operator:ana" {
		t.Fatalf("audit: %v, %v", entries, err)
	}
	// With only the old key configured, status fails and says which key is missing.
	status, err = keys(t, "status")
	if err == nil || exitCode(err) != 1 || status["unavailable_master_key_ids"].([]any)[0] != newID {
		t.Fatalf("status with the old key only: %v, %v", status, err)
	}
	// Switched to the new key (the old one kept as previous), all is rotated.
	t.Setenv(vault.EnvMasterKeyFile, newFile)
	t.Setenv(vault.EnvPreviousMasterKeyFile, oldFile)
	if rotated, err := keys(t, "rotate"); err != nil || rotated["rewrapped"] != 0.0 || rotated["master_key_id"] != newID {
		t.Fatalf("rotate again: %v, %v", rotated, err)
	}
	t.Setenv(vault.EnvPreviousMasterKeyFile, "")
	status, err = keys(t, "status")
	if err != nil || status["data_keys_by_master_key"].(map[string]any)[newID] != 2.0 || len(status["unavailable_master_key_ids"].([]any)) != 0 {
		t.Fatalf("status after the rotation: %v, %v", status, err)
	}
	newKey, _ := vault.ReadMasterKeyFile(newFile)
	after := vault.New(db, vault.MasterKeys{Current: newKey})
	if err := db.Read(ctx, func(tx *store.Tx) error {
		got, err := after.OpenString(tx, "a", "test.value", sealed["a"])
		if err == nil && got != "value of a" {
			t.Errorf("opened %q", got)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// A rotation to a key that cannot open what is there stops cleanly.
	otherFile := filepath.Join(dir, "other.key")
	if _, err := keys(t, "generate", "--out", otherFile); err != nil {
		t.Fatal(err)
	}
	t.Setenv(vault.EnvMasterKeyFile, otherFile)
	if _, err := keys(t, "rotate"); err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "not configured") {
		t.Fatalf("rotate without the wrapping key: %v", err)
	}
	// No key is ever printed.
	for _, args := range [][]string{{"status"}, {"rotate"}} {
		var out bytes.Buffer
		_ = keysCommand(ctx, args, &out)
		if strings.Contains(out.String(), strings.TrimSpace(string(text))) {
			t.Fatalf("keys %v printed a key", args)
		}
	}
}

func TestKeysDefaultFileForSQLite(t *testing.T) {
	dsn := storetest.DSN(t)
	keyFile := vault.DefaultKeyFile(dsn)
	if keyFile == "" {
		t.Skip("PostgreSQL has no default key file")
	}
	t.Setenv("TILLIT_DATABASE_URL", dsn)
	t.Setenv(vault.EnvMasterKey, "")
	t.Setenv(vault.EnvMasterKeyFile, "")
	status, err := keys(t, "status")
	if err != nil {
		t.Fatal(err)
	}
	k, err := vault.ReadMasterKeyFile(keyFile)
	if err != nil || status["current_master_key_id"] != k.ID() {
		t.Fatalf("default key file: %v, %v", status, err)
	}
}

func TestKeysUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"keys"}, {"keys", "nonsense"}, {"keys", "generate"}, {"keys", "status", "extra"},
		{"keys", "rotate", "--batch", "0"}, {"keys", "rotate", "--no-such-flag"}} {
		if _, err := capture(t, args...); exitCode(err) != 2 {
			t.Errorf("tillit %v: %v", args, err)
		}
	}
}

func TestKeysNeedAKeyOnPostgres(t *testing.T) {
	t.Setenv("TILLIT_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
	t.Setenv(vault.EnvMasterKey, "")
	t.Setenv(vault.EnvMasterKeyFile, "")
	if _, err := keys(t, "status"); err == nil || !strings.Contains(err.Error(), vault.EnvMasterKeyFile) {
		t.Fatalf("status without a key on PostgreSQL: %v", err)
	}
}
