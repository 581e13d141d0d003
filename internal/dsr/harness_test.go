package dsr_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

// lookupKey stands in for the instance secret addresses are hashed under.
const lookupKey = "test-consumer-lookup-key"

// staffActor is the member of the data protection team the tests act as.
const staffActor = "staff:0190d8e2-7b6a-7c3e-9f00-000000000001"

// env is a migrated database on a manual clock with the service, its jobs
// and a vault.
type env struct {
	t      *testing.T
	ctx    context.Context
	db     *store.DB
	clk    *clock.Manual
	vault  *vault.Vault
	svc    *dsr.Service
	runner *jobs.Runner
}

// newEnv builds the service with the fulfillers given.
func newEnv(t *testing.T, fulfillers map[dsr.Kind]dsr.Fulfiller) *env {
	t.Helper()
	return newEnvWith(t, func(cfg *dsr.Config) { cfg.Fulfillers = fulfillers })
}

// newEnvWith builds the service with the configuration configure sets.
func newEnvWith(t *testing.T, configure func(*dsr.Config)) *env {
	t.Helper()
	db, clk := storetest.Open(t)
	v := vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()})
	logger := logscan.Logger()
	cfg := dsr.Config{DB: db, Vault: v, LookupKey: lookupKey, Logger: logger}
	configure(&cfg)
	svc, err := dsr.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	runner := jobs.NewRunner(db, logger)
	svc.Register(runner)
	e := &env{t: t, ctx: context.Background(), db: db, clk: clk, vault: v, svc: svc, runner: runner}
	t.Cleanup(func() {
		if r, err := audit.Verify(e.ctx, db); err != nil || !r.OK() {
			t.Errorf("audit verify: %v %v", r.Problems, err)
		}
	})
	return e
}

// person returns the id of the person with the address, made when new.
func (e *env) person(email string) string {
	e.t.Helper()
	var id string
	err := e.db.Write(e.ctx, func(tx *store.Tx) error {
		var err error
		id, err = person.Resolve(tx, ids.ConsumerKey(lookupKey, email))
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// consumerFiles files a request of kind as the consumer with the address,
// in Danish, living in Denmark.
func (e *env) consumerFiles(email string, kind dsr.Kind, description string) dsr.Request {
	e.t.Helper()
	r, err := e.svc.FileByConsumer(e.ctx, dsr.ConsumerFiling{
		ConsumerID: "c-" + email, PersonID: e.person(email), Email: email, Locale: i18n.Danish,
		Kind: kind, Country: "DK", Description: description, Scope: firstChoice(kind),
	})
	if err != nil {
		e.t.Fatalf("file %s: %v", kind, err)
	}
	return r
}

// firstChoice is the scope the tests' requests of kind name: the first of
// its choices, nothing for a kind without a scope.
func firstChoice(kind dsr.Kind) []string {
	if c := kind.ScopeChoices(); len(c) > 0 {
		return c[:1]
	}
	return nil
}

// started files a request and starts work on it.
func (e *env) started(email string, kind dsr.Kind) dsr.Request {
	e.t.Helper()
	r := e.consumerFiles(email, kind, "please")
	r, err := e.svc.Start(e.ctx, staffActor, r.ID, r.Version)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// get reads a request with its history.
func (e *env) get(id string) dsr.Case {
	e.t.Helper()
	c, err := e.svc.Get(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// runJobs runs every job due now.
func (e *env) runJobs() {
	e.t.Helper()
	for range 20 {
		n, err := e.runner.RunDue(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	e.t.Fatal("jobs keep coming")
}

// advance moves the clock and runs the jobs due then.
func (e *env) advance(d time.Duration) {
	e.t.Helper()
	e.clk.Advance(d)
	e.runJobs()
}

// mail is an e-mail in the outbox.
type mail struct{ To, Subject, Body string }

// mails returns the e-mails queued to the address, opened, oldest first.
func (e *env) mails(to string) []mail {
	e.t.Helper()
	var out []mail
	err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		msgs, err := outbox.To(tx, e.vault, lookupKey, outbox.Email, to, 1000)
		for i := len(msgs) - 1; i >= 0; i-- {
			out = append(out, mail{To: msgs[i].To, Subject: msgs[i].Subject, Body: msgs[i].Body})
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// lastMail returns the latest e-mail to the address.
// queued counts the e-mails queued to the address, readable or not.
func (e *env) queued(to string) int {
	e.t.Helper()
	return e.count(`SELECT COUNT(*) FROM outbox_messages WHERE recipient_key = $1`, ids.ConsumerKey(lookupKey, to))
}

func (e *env) lastMail(to string) mail {
	e.t.Helper()
	m := e.mails(to)
	if len(m) == 0 {
		e.t.Fatalf("no e-mail to %s", to)
	}
	return m[len(m)-1]
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

// column returns a stored column of a request.
func (e *env) column(id, column string) string {
	e.t.Helper()
	var v string
	err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT `+column+` FROM data_subject_requests WHERE id = $1`, id).Scan(&v)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

// auditActions returns the actions of the audit entries about subject.
func (e *env) auditActions(subject string) []string {
	e.t.Helper()
	entries, err := audit.ForSubject(e.ctx, e.db, subject)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, en := range entries {
		out = append(out, en.Action)
	}
	return out
}

// eventNames returns the names of a request's steps, in order.
func eventNames(c dsr.Case) string {
	var names []string
	for _, ev := range c.Events {
		names = append(names, string(ev.Name))
	}
	return strings.Join(names, ",")
}

// wantCode fails unless err carries the code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if apperr.Code(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

// fakeFulfiller records the requests it carries out and answers with
// outcome (or err).
type fakeFulfiller struct {
	outcome dsr.Outcome
	err     error
	seen    []dsr.Request
	// during runs inside the transaction, before the outcome is returned.
	during func(tx *store.Tx, r dsr.Request) error
}

func (f *fakeFulfiller) Fulfil(tx *store.Tx, r dsr.Request) (dsr.Outcome, error) {
	f.seen = append(f.seen, r)
	if f.during != nil {
		if err := f.during(tx, r); err != nil {
			return dsr.Outcome{}, err
		}
	}
	return f.outcome, f.err
}
