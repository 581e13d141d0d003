// Package storetest gives tests a fresh, migrated database on the engine the
// test run is for: SQLite in a temporary directory by default, or PostgreSQL
// (a new schema per test) when TILLIT_TEST_DATABASE_URL names one. The same
// tests therefore run unchanged on both engines.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// Start is the time every test clock starts at.
var Start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// EnvURL names the environment variable that selects PostgreSQL for tests.
const EnvURL = "TILLIT_TEST_DATABASE_URL"

// Open returns a migrated database on a manual clock set to Start. It is closed
// (and its PostgreSQL schema dropped) when the test ends.
func Open(t testing.TB) (*store.DB, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(Start)
	dsn := DSN(t)
	db, err := store.Open(context.Background(), dsn, clk)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return db, clk
}

// DSN returns a data source name for a fresh, empty database that is removed
// when the test ends. On PostgreSQL, where a process must be given the
// vault's master key, it also sets TILLIT_MASTER_KEY to a new random key for
// the test (on SQLite the key file next to the database is made on first
// start, as in production).
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		return filepath.Join(t.TempDir(), "tillit.db")
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TILLIT_MASTER_KEY", base64.StdEncoding.EncodeToString(key))
	schema := "t_" + strings.ReplaceAll(ids.New(), "-", "")
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return fmt.Sprint(u)
}
