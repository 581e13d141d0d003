package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

// capture runs the CLI with args and returns what it printed on stdout.
func capture(t *testing.T, args ...string) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	runErr := run(context.Background(), args)
	os.Stdout = stdout
	w.Close()
	out, _ := io.ReadAll(r)
	return string(out), runErr
}

func TestMerchantCreateAndLedgerVerify(t *testing.T) {
	dsn := storetest.DSN(t)
	t.Setenv("TILLIT_DATABASE_URL", dsn)
	out, err := capture(t, "merchant", "create", "--name", "CLI Shop", "--test", "--notification-url", "https://shop.example/notify", "--currency", "sek")
	if err != nil {
		t.Fatal(err)
	}
	var creds map[string]any
	if err := json.Unmarshal([]byte(out), &creds); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	for _, k := range []string{"merchant_id", "username", "password", "signing_secret"} {
		if s, _ := creds[k].(string); s == "" {
			t.Errorf("missing %s in %s", k, out)
		}
	}
	if creds["test_mode"] != true {
		t.Errorf("test_mode = %v", creds["test_mode"])
	}
	out, err = capture(t, "ledger", "verify")
	if err != nil || !strings.Contains(out, `"problems": []`) {
		t.Fatalf("verify on a clean ledger: %v %s", err, out)
	}

	// An entry that does not balance makes verify fail.
	db, err := store.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Write(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.Exec(`INSERT INTO ledger_journals (id, kind, reference, currency, created_at) VALUES ('j1', 'merchant_payout', 'p1', 'SEK', 0)`); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO ledger_entries (id, journal_id, account, currency, amount) VALUES ('e1', 'j1', 'cash:SEK', 'SEK', 100)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	out, err = capture(t, "ledger", "verify")
	if err == nil || !strings.Contains(out, "journal does not balance") {
		t.Fatalf("verify on a broken ledger: err=%v out=%s", err, out)
	}
}

func TestUsageErrorsExitWithTwo(t *testing.T) {
	for _, args := range [][]string{{}, {"nonsense"}, {"merchant"}, {"merchant", "create"}, {"ledger", "balance"}, {"serve", "--no-such-flag"},
		{"merchant", "add-credentials", "--merchant", "x"}, {"merchant", "revoke-credentials", "--actor", "ana"},
		{"settlement"}, {"settlement", "run", "--merchant", "x"}, {"settlement", "run", "--merchant", "x", "--date", "22-11-2026"}} {
		_, err := capture(t, args...)
		if err == nil || exitCode(err) != 2 {
			t.Errorf("tillit %v: err=%v code=%d", args, err, exitCode(err))
		}
	}
}

func TestMerchantCreateRejectsBadURL(t *testing.T) {
	t.Setenv("TILLIT_DATABASE_URL", storetest.DSN(t))
	if _, err := capture(t, "merchant", "create", "--name", "X", "--notification-url", "not a url"); err == nil || exitCode(err) != 1 {
		t.Fatalf("err = %v", err)
	}
}

func TestRiskDecideAndAuditVerify(t *testing.T) {
	t.Setenv("TILLIT_DATABASE_URL", storetest.DSN(t))
	if _, err := capture(t, "risk", "decide", "--order", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "--status", "accepted", "--actor", "ana", "--reason", "checked"); err == nil || exitCode(err) != 1 {
		t.Fatalf("decision on an unknown order: %v", err)
	}
	for _, args := range [][]string{{"risk"}, {"risk", "decide", "--order", "x"}, {"audit"}} {
		if _, err := capture(t, args...); exitCode(err) != 2 {
			t.Errorf("tillit %v: %v", args, err)
		}
	}
	out, err := capture(t, "audit", "verify")
	if err != nil || !strings.Contains(out, `"entries": 0`) {
		t.Fatalf("audit verify: %v %s", err, out)
	}
}

func TestMerchantCredentialsCommands(t *testing.T) {
	t.Setenv("TILLIT_DATABASE_URL", storetest.DSN(t))
	out, err := capture(t, "merchant", "create", "--name", "Rotating Shop")
	if err != nil {
		t.Fatal(err)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(out), &first); err != nil {
		t.Fatal(err)
	}
	out, err = capture(t, "merchant", "add-credentials", "--merchant", first["merchant_id"].(string), "--actor", "ana")
	if err != nil || !strings.Contains(out, `"username": "live_`) {
		t.Fatalf("add-credentials: %v %s", err, out)
	}
	if _, err := capture(t, "merchant", "revoke-credentials", "--username", first["username"].(string), "--actor", "ana"); err != nil {
		t.Fatal(err)
	}
	if _, err := capture(t, "merchant", "revoke-credentials", "--username", first["username"].(string), "--actor", "ana"); exitCode(err) != 1 {
		t.Fatalf("revoking twice: %v", err)
	}
	if out, err := capture(t, "audit", "verify"); err != nil || !strings.Contains(out, `"entries": 2`) {
		t.Fatalf("audit verify: %v %s", err, out)
	}
}
