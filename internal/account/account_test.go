package account_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/password"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

var ctx = context.Background()

// testPassword passes password.Check.
const testPassword = "violet staple harbour"

// fixture is a service on a fresh database.
type fixture struct {
	svc   *account.Service
	db    *store.DB
	clk   *clock.Manual
	key   string
	vault *vault.Vault
	// auth holds the authenticators startSession set up, by account id.
	auth map[string]*authenticator
}

// setup returns a service with the default configuration on a fresh database.
func setup(t *testing.T) fixture {
	t.Helper()
	db, clk := storetest.Open(t)
	key, err := db.InstanceSecret(ctx, ids.ConsumerKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	v := vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()})
	logscan.Secret(logscan.Password, testPassword)
	return fixture{svc: account.New(db, account.Config{}, key, v), db: db, clk: clk, key: key, vault: v, auth: map[string]*authenticator{}}
}

// wantCode fails the test unless err carries the apperr code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil || apperr.Code(err) != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
}

// auditActions lists the actions audited about subject, oldest first, with
// their actors and details.
func auditActions(t *testing.T, db *store.DB, subject string) []audit.Entry {
	t.Helper()
	entries, err := audit.ForSubject(ctx, db, subject)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// verifyAudit fails the test unless the audit chain is intact.
func verifyAudit(t *testing.T, db *store.DB) audit.Report {
	t.Helper()
	r, err := audit.Verify(ctx, db)
	if err != nil || !r.OK() {
		t.Fatalf("audit verify: %+v %v", r, err)
	}
	return r
}

// details decodes an audit entry's details.
func details(t *testing.T, e audit.Entry) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(e.Details, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// queryString runs a one-value query.
func queryString(t *testing.T, db *store.DB, query string, args ...any) string {
	t.Helper()
	var v string
	if err := db.Read(ctx, func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&v) }); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

func TestDefaultConfig(t *testing.T) {
	db, _ := storetest.Open(t)
	svc := account.New(db, account.Config{Staff: account.SessionPolicy{Idle: 5 * time.Minute}}, "k", nil)
	c := svc.Config
	if c.Password != password.Default || c.SignIn.Max != 5 || c.SignIn.Window != account.DefaultSignInWindow || c.SignIn.Lockout != account.DefaultSignInLockout {
		t.Fatalf("defaults %+v", c)
	}
	if c.Staff.Idle != 5*time.Minute || c.Staff.Lifetime != account.DefaultStaffLifetime || c.Consumer.Idle != account.DefaultConsumerIdle {
		t.Fatalf("session policies %+v", c)
	}
}
