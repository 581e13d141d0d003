package support_test

import (
	"context"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/apptest"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/signedlink"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/support"
)

const staffPassword = "Lantern-harbour-violet-1987"

// regexpCode finds a sign-in code in an e-mail.
var regexpCode = regexp.MustCompile(`\b\d{6}\b`)

// env is the whole platform on the test's database engine with a manual
// clock, served over loopback, and one test-mode merchant.
type env struct {
	t   testing.TB
	ctx context.Context
	app *app.App
	clk *clock.Manual
	srv *httptest.Server
	m   merchant.Merchant
}

// consumer is a consumer signed up to the app.
type consumer struct {
	email, person, actor string
	account.Consumer
}

// staffMember is a member of staff with their authenticator.
type staffMember struct {
	account.Staff
	auth *browsertest.Authenticator
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(storetest.Start)
	a, err := app.New(ctx, app.Config{DatabaseURL: storetest.DSN(t), Clock: clk, Logger: logscan.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	logscan.Secret(logscan.Password, staffPassword)
	creds, err := merchant.Create(ctx, a.DB, merchant.NewMerchant{Name: "Regnvejr ApS", TestMode: true, SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := merchant.Get(ctx, a.DB, creds.MerchantID)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, app: a, clk: clk, srv: httptest.NewServer(a.Handler), m: m}
	t.Cleanup(func() {
		e.srv.Close()
		if r, err := audit.Verify(ctx, a.DB); err != nil || !r.OK() {
			t.Errorf("audit verify: %v %v", r.Problems, err)
		}
		a.Close()
	})
	return e
}

// service is a support service on the platform's pieces with first as its
// first line.
func (e *env) service(first support.FirstLine) *support.Service {
	e.t.Helper()
	links, err := signedlink.New([]byte(e.app.WebKey))
	if err != nil {
		e.t.Fatal(err)
	}
	s, err := support.New(support.Config{DB: e.app.DB, Vault: e.app.Vault, LookupKey: e.app.LookupKey, Links: links,
		BaseURL: "https://tillit.example", Complaints: e.app.Complaints, Disputes: e.app.Disputes, Requests: e.app.DSR, FirstLine: first})
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// signUp signs a consumer in to the app with an e-mailed code, which makes
// their account and person.
func (e *env) signUp(email string) consumer {
	e.t.Helper()
	c := apptest.Consumer(e.t, e.app, email)
	return consumer{email: email, person: c.PersonID, actor: "consumer:" + c.ID, Consumer: c}
}

// order places and captures an order of 400.00 DKK for the address.
func (e *env) order(email string) string {
	e.t.Helper()
	return apptest.Order(e.t, e.app, e.m, email)
}

// member creates a member of staff with the role and sets up their
// authenticator, as the command line does.
func (e *env) member(role account.Role, name string) *staffMember {
	e.t.Helper()
	st, err := e.app.Accounts.CreateStaff(e.ctx, "cli", account.NewStaff{
		Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@tillit.example", Name: name, Role: role, Password: staffPassword,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	enrolment, err := e.app.Accounts.StartEnrolment(e.ctx, account.KindStaff, st.ID, "")
	if err != nil {
		e.t.Fatal(err)
	}
	m := &staffMember{Staff: st, auth: &browsertest.Authenticator{Secret: enrolment.Secret}}
	if m.auth.Recovery, err = e.app.Accounts.ConfirmEnrolment(e.ctx, account.KindStaff, st.ID, m.auth.Code(e.t, e.clk.Now())); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// mails returns the e-mails queued to the address, newest first.
func (e *env) mails(email string) []account.MailMessage {
	e.t.Helper()
	m, err := e.app.Accounts.DemoMailbox(e.ctx, email, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// count returns the result of a COUNT query.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) }); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// snapshot counts the rows every support action, and every case a
// conversion opens, may write; audited reads (a page shown again with its
// errors) do not count.
func (e *env) snapshot() [9]int {
	e.t.Helper()
	return [9]int{e.count(`SELECT COUNT(*) FROM support_conversations`), e.count(`SELECT COUNT(*) FROM support_messages`),
		e.count(`SELECT COALESCE(SUM(version), 0) FROM support_conversations`), e.count(`SELECT COUNT(*) FROM audit_log WHERE action <> $1`, support.ActionViewed),
		e.count(`SELECT COUNT(*) FROM outbox_messages`), e.count(`SELECT COUNT(*) FROM complaints`), e.count(`SELECT COUNT(*) FROM disputes`),
		e.count(`SELECT COUNT(*) FROM data_subject_requests`), e.count(`SELECT COUNT(*) FROM persons`)}
}

// unchanged fails the test when what writes nothing changed the snapshot.
func (e *env) unchanged(what string, before [9]int) {
	e.t.Helper()
	if after := e.snapshot(); after != before {
		e.t.Errorf("%s wrote: %v, then %v", what, before, after)
	}
}

// wantCode fails the test unless err has the code.
func wantCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	if got := apperr.Code(err); err == nil || got != code {
		t.Errorf("%s: got %v, want %s", what, err, code)
	}
}
