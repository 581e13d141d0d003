package backoffice_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/retention"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// newRetentionEnv is newEnv with the retention page served.
func newRetentionEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	pages, err := backoffice.New(backoffice.Config{
		Accounts: e.app.Accounts, Checkout: e.app.Checkout, DB: e.app.DB, Key: []byte(e.app.WebKey),
		Retention: e.app.Retention, Logger: logscan.Logger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/static/", web.Static())
	mux.Handle(backoffice.Prefix, pages.Handler())
	e.pages, e.srv = pages, httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

// TestRetentionRoles: only the data protection team and admins see the
// retention page and may start a run; the others get 403.
func TestRetentionRoles(t *testing.T) {
	e := newRetentionEnv(t)
	for _, role := range account.Roles {
		t.Run(string(role), func(t *testing.T) {
			allowed := role == account.RoleDataProtection || role == account.RoleAdmin
			c := e.client()
			c.signIn(e.staff(role, "Member "+strings.ReplaceAll(string(role), "_", " ")))
			_, home := c.get("/staff/")
			if got := strings.Contains(home, `href="/staff/retention"`); got != allowed {
				t.Errorf("navigation links the retention page: %v, want %v", got, allowed)
			}
			res, _ := c.get("/staff/retention")
			want := http.StatusForbidden
			if allowed {
				want = http.StatusOK
			}
			if res.StatusCode != want {
				t.Errorf("GET /staff/retention: %d, want %d", res.StatusCode, want)
			}
			c.get("/staff/")
			res, _ = c.post("/staff/retention/run", nil)
			if allowed {
				want = http.StatusSeeOther
			}
			if res.StatusCode != want {
				t.Errorf("POST /staff/retention/run: %d, want %d", res.StatusCode, want)
			}
		})
	}
	signedOut := e.client()
	if res, _ := signedOut.get("/staff/retention"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d", res.StatusCode)
	}
}

// TestRetentionPage: the page shows the dry run (an expired sign-in code is
// due under the consumer account purpose), and "run now" queues a run that
// removes it, audited, and is listed.
func TestRetentionPage(t *testing.T) {
	e := newRetentionEnv(t)
	dpo := e.staff(account.RoleDataProtection, "Dana Protection")
	if err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO login_codes (consumer_key, code_hash, locale, attempts, created_at, expires_at) VALUES ('k1', 'h', 'da-DK', 0, $1, $2)`,
			store.Micros(e.clk.Now()), store.Micros(e.clk.Now().Add(10*time.Minute)))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(time.Hour)
	c := e.client()
	c.signIn(dpo)
	res, body := c.get("/staff/retention")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("page: %d", res.StatusCode)
	}
	for _, want := range []string{"Sign-in codes e-mailed to consumers, when they expire", "Consumer app", "Until their expiry or revocation, then deleted",
		"<code>login_codes</code>", "Items due: 1", "No run yet."} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	res, _ = c.post("/staff/retention/run", nil)
	wantRedirect(t, res, "/staff/retention")
	if _, err := e.app.Runner.RunDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM login_codes`).Scan(&left)
	}); err != nil || left != 0 {
		t.Fatalf("the run left %d codes (%v)", left, err)
	}
	_, body = c.get("/staff/retention")
	for _, want := range []string{"The run has been started.", `id="retention-runs"`, "Staff", "Nothing is due"} {
		if !strings.Contains(body, want) {
			t.Errorf("page after the run lacks %q", want)
		}
	}
	requested := e.auditEntries("retention", retention.ActionRunRequested)
	if len(requested) != 1 || requested[0].Actor != "staff:"+dpo.ID {
		t.Errorf("run request audit: %+v", requested)
	}
	runs, err := e.app.Retention.Runs(e.ctx, 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs: %v %v", runs, err)
	}
	entries, err := audit.ForSubject(e.ctx, e.app.DB, runs[0].ID)
	if err != nil || len(entries) != 1 || entries[0].Action != retention.ActionRun || entries[0].Actor != "staff:"+dpo.ID {
		t.Errorf("run audit: %+v %v", entries, err)
	}
}
