package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/retention"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

// TestPrivacyRetention: the dry run lists an expired sign-in code and keeps
// it; the run removes it, records the run and audits the operator.
func TestPrivacyRetention(t *testing.T) {
	dsn := storetest.DSN(t)
	t.Setenv("TILLIT_DATABASE_URL", dsn)
	if _, err := capture(t, "migrate"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	codes := func() int {
		var n int
		if err := db.Read(ctx, func(tx *store.Tx) error { return tx.QueryRow(`SELECT COUNT(*) FROM login_codes`).Scan(&n) }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO login_codes (consumer_key, code_hash, locale, attempts, created_at, expires_at) VALUES ('k1', 'h', 'da-DK', 0, $1, $2)`,
			store.Micros(time.Now().Add(-time.Hour)), store.Micros(time.Now().Add(-50*time.Minute)))
		return err
	}); err != nil {
		t.Fatal(err)
	}

	out, err := capture(t, "privacy", "retention", "--dry-run", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep retention.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !rep.DryRun || rep.Items != 1 || codes() != 1 {
		t.Fatalf("dry run: %+v, %d codes left", rep, codes())
	}
	out, err = capture(t, "privacy", "retention", "--dry-run")
	if err != nil || !strings.Contains(out, "sign_in_codes") || !strings.Contains(out, "until expired, then delete") {
		t.Fatalf("dry run text: %v\n%s", err, out)
	}

	out, err = capture(t, "privacy", "retention", "--actor", "ana")
	if err != nil || !strings.Contains(out, "1 items removed") {
		t.Fatalf("run: %v\n%s", err, out)
	}
	if codes() != 0 {
		t.Errorf("the run left the code")
	}
	var runID string
	if err := db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT id FROM retention_runs WHERE source = 'command'`).Scan(&runID)
	}); err != nil {
		t.Fatal(err)
	}
	entries, err := audit.ForSubject(ctx, db, runID)
	if err != nil || len(entries) != 1 || entries[0].Actor != "operator:ana" || entries[0].Action != retention.ActionRun {
		t.Errorf("audit: %+v %v", entries, err)
	}

	for _, args := range [][]string{{"privacy"}, {"privacy", "forget"}, {"privacy", "retention", "--no-such-flag"}, {"privacy", "retention", "extra"}} {
		if _, err := capture(t, args...); exitCode(err) != 2 {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}
