package complaint_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/complaint"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

const password = "Lantern-harbour-violet-1987"

// env is the complaints service on the test's database engine with a
// manual clock, the accounts service for consumers and staff, and a job
// runner with the complaint jobs.
type env struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	clk      *clock.Manual
	vault    *vault.Vault
	accounts *account.Service
	runner   *jobs.Runner
	svc      *complaint.Service
}

// consumer is a signed-up consumer.
type consumer struct {
	email, person, actor string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, clk := storetest.Open(t)
	v := vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()})
	secret, err := db.InstanceSecret(ctx, ids.ConsumerKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	logger := logscan.Logger()
	svc, err := complaint.New(complaint.Config{DB: db, Vault: v, Logger: logger, LookupKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	runner := jobs.NewRunner(db, logger)
	svc.Register(runner)
	t.Cleanup(func() {
		if r, err := audit.Verify(ctx, db); err != nil || !r.OK() {
			t.Errorf("audit verify: %v %v", r.Problems, err)
		}
	})
	return &env{t: t, ctx: ctx, db: db, clk: clk, vault: v, accounts: account.New(db, account.DefaultConfig(), secret, v), runner: runner, svc: svc}
}

// signUp signs a consumer in to the app with a sign-in code, which makes
// their account and person.
func (e *env) signUp(email, locale string) consumer {
	e.t.Helper()
	if err := e.accounts.RequestLoginCode(e.ctx, email, locale); err != nil {
		e.t.Fatal(err)
	}
	mail, err := e.accounts.DemoMailbox(e.ctx, email, 1)
	if err != nil || len(mail) == 0 {
		e.t.Fatalf("no sign-in code: %v", err)
	}
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(mail[0].Body)
	logscan.Secret(logscan.OneTimeCode, code)
	c, err := e.accounts.VerifyLoginCode(e.ctx, email, code)
	if err != nil {
		e.t.Fatal(err)
	}
	return consumer{email: email, person: c.PersonID, actor: "consumer:" + c.ID}
}

// staff creates a member of staff with role.
func (e *env) staff(name string, role account.Role) account.Staff {
	e.t.Helper()
	logscan.Secret(logscan.Password, password)
	st, err := e.accounts.CreateStaff(e.ctx, "cli", account.NewStaff{Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@tillit.example",
		Name: name, Role: role, Password: password})
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

// file files a complaint as the consumer and fails the test on an error.
func (e *env) file(c consumer, f complaint.Filing) complaint.Complaint {
	e.t.Helper()
	out, err := e.svc.File(e.ctx, c.person, c.actor, f)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// advanceDays moves the clock day by day, running the due jobs each day.
func (e *env) advanceDays(days int) {
	e.t.Helper()
	for range days {
		e.clk.Advance(24 * time.Hour)
		e.runJobs()
	}
}

// runJobs runs every due job.
func (e *env) runJobs() {
	e.t.Helper()
	for range 100 {
		n, err := e.runner.RunDue(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// count returns the result of a COUNT query.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.Read(e.ctx, func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) }); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// mails returns the e-mails queued to the address, newest first.
func (e *env) mails(email string) []account.MailMessage {
	e.t.Helper()
	m, err := e.accounts.DemoMailbox(e.ctx, email, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// snapshot counts the rows every complaint action may write.
func (e *env) snapshot() [5]int {
	e.t.Helper()
	return [5]int{e.count(`SELECT COUNT(*) FROM complaints`), e.count(`SELECT COUNT(*) FROM complaint_events`),
		e.count(`SELECT COUNT(*) FROM audit_log`), e.count(`SELECT COUNT(*) FROM outbox_messages`),
		e.count(`SELECT COALESCE(SUM(version), 0) FROM complaints`)}
}

// wantCode fails the test unless err has the code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := apperr.Code(err); err == nil || got != code {
		t.Errorf("%s: got %v, want %s", what, err, code)
	}
}

// answer is an ordinary final answer.
var answer = complaint.Answer{Outcome: complaint.PartlyUpheld, Text: "We have refunded the reminder fee.", RootCauses: []string{"process"},
	Remedy: "reminder fee refunded"}

// storetestStart is the time the test clock starts at.
func storetestStart() time.Time { return storetest.Start }
