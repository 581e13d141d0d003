package account_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

var codePattern = regexp.MustCompile(`\b\d{6}\b`)

// latestCode reads the last sign-in code mailed to the address.
func latestCode(t *testing.T, f fixture, email string) string {
	t.Helper()
	msgs, err := f.svc.DemoMailbox(ctx, email, 1)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("mailbox %+v %v", msgs, err)
	}
	code := codePattern.FindString(msgs[0].Body)
	if code == "" {
		t.Fatalf("no code in %q", msgs[0].Body)
	}
	return code
}

func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Read(ctx, func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

// otherCode is a six-digit code different from code.
func otherCode(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

func TestConsumerSignInWithCode(t *testing.T) {
	f := setup(t)
	if err := f.svc.RequestLoginCode(ctx, " Anna@Example.DK ", "da-dk"); err != nil {
		t.Fatal(err)
	}
	// Nothing is created until the code is used; the code is mailed in the
	// language asked for.
	if n := count(t, f.db, `SELECT COUNT(*) FROM consumers`); n != 0 {
		t.Fatalf("%d consumers before sign-in", n)
	}
	msgs, err := f.svc.DemoMailbox(ctx, "anna@example.dk", 0)
	if err != nil || len(msgs) != 1 || msgs[0].Subject != "Din Tillit-loginkode" {
		t.Fatalf("mailbox %+v %v", msgs, err)
	}
	code := latestCode(t, f, "ANNA@example.dk")
	if stored := queryString(t, f.db, `SELECT code_hash FROM login_codes`); strings.Contains(stored, code) || stored == ids.Hash(code) {
		t.Fatalf("code stored recoverably: %q", stored)
	}

	// A wrong code is counted.
	_, err = f.svc.VerifyLoginCode(ctx, "anna@example.dk", otherCode(code))
	wantCode(t, err, apperr.InvalidOTP)
	if n := count(t, f.db, `SELECT attempts FROM login_codes`); n != 1 {
		t.Fatalf("attempts = %d", n)
	}

	c, err := f.svc.VerifyLoginCode(ctx, "Anna@example.dk", " "+code+" ")
	if err != nil {
		t.Fatal(err)
	}
	if c.Email != "anna@example.dk" || c.Locale != "da-DK" || c.ConsumerKey != ids.ConsumerKey(f.key, "anna@example.dk") || c.LastSignInAt == nil {
		t.Fatalf("consumer %+v", c)
	}
	// Single use.
	_, err = f.svc.VerifyLoginCode(ctx, "anna@example.dk", code)
	wantCode(t, err, apperr.InvalidOTP)

	// The next sign-in finds the same consumer; the locale stays theirs.
	f.clk.Advance(time.Hour)
	if err := f.svc.RequestLoginCode(ctx, "anna@example.dk", "sv-SE"); err != nil {
		t.Fatal(err)
	}
	again, err := f.svc.VerifyLoginCode(ctx, "anna@example.dk", latestCode(t, f, "anna@example.dk"))
	if err != nil || again.ID != c.ID || again.Locale != "da-DK" || !again.LastSignInAt.Equal(f.clk.Now()) {
		t.Fatalf("second sign-in %+v %v", again, err)
	}
	got, err := f.svc.GetConsumer(ctx, c.ID)
	if err != nil || got.ID != c.ID || !got.LastSignInAt.Equal(f.clk.Now()) {
		t.Fatalf("get %+v %v", got, err)
	}
	_, err = f.svc.GetConsumer(ctx, ids.New())
	wantCode(t, err, apperr.NotFound)
}

func TestLoginCodeRequestAnswersAlike(t *testing.T) {
	f := setup(t)
	if err := f.svc.RequestLoginCode(ctx, "anna@example.dk", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.VerifyLoginCode(ctx, "anna@example.dk", latestCode(t, f, "anna@example.dk")); err != nil {
		t.Fatal(err)
	}
	// A known and an unknown address get the same (empty) answer and a mail.
	for _, email := range []string{"anna@example.dk", "new@example.dk"} {
		if err := f.svc.RequestLoginCode(ctx, email, ""); err != nil {
			t.Fatalf("%s: %v", email, err)
		}
	}
	latestCode(t, f, "new@example.dk")
	for _, bad := range []struct{ email, locale string }{{"not an address", ""}, {"a@example.dk", "danish"}} {
		wantCode(t, f.svc.RequestLoginCode(ctx, bad.email, bad.locale), apperr.BadValue)
	}
	_, err := f.svc.VerifyLoginCode(ctx, "never-asked@example.dk", "123456")
	wantCode(t, err, apperr.InvalidOTP)
}

func TestLoginCodeAttemptsAndExpiry(t *testing.T) {
	f := setup(t)
	const email = "anna@example.dk"
	request := func() string {
		t.Helper()
		if err := f.svc.RequestLoginCode(ctx, email, ""); err != nil {
			t.Fatal(err)
		}
		return latestCode(t, f, email)
	}

	// Five wrong tries use the code up.
	code := request()
	for range account.LoginCodeMaxAttempts {
		_, err := f.svc.VerifyLoginCode(ctx, email, otherCode(code))
		wantCode(t, err, apperr.InvalidOTP)
	}
	_, err := f.svc.VerifyLoginCode(ctx, email, code)
	wantCode(t, err, apperr.InvalidOTP)

	// A code expires after ten minutes.
	code = request()
	f.clk.Advance(account.LoginCodeLifetime - time.Second)
	f.clk.Advance(time.Second)
	_, err = f.svc.VerifyLoginCode(ctx, email, code)
	wantCode(t, err, apperr.InvalidOTP)
	code = request()
	f.clk.Advance(account.LoginCodeLifetime - time.Second)
	if _, err := f.svc.VerifyLoginCode(ctx, email, code); err != nil {
		t.Fatalf("just before expiry: %v", err)
	}

	// A new request replaces the outstanding code.
	f.clk.Advance(2 * time.Hour)
	first := request()
	second := request()
	if first != second {
		_, err = f.svc.VerifyLoginCode(ctx, email, first)
		wantCode(t, err, apperr.InvalidOTP)
	}
	if _, err := f.svc.VerifyLoginCode(ctx, email, second); err != nil {
		t.Fatalf("newest code: %v", err)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM login_codes`); n != 0 {
		t.Fatalf("%d codes left", n)
	}
}

func TestLoginCodeRequestsAreLimited(t *testing.T) {
	f := setup(t)
	for range account.DefaultCodeRequestMax {
		if err := f.svc.RequestLoginCode(ctx, "anna@example.dk", ""); err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(time.Minute)
	}
	wantCode(t, f.svc.RequestLoginCode(ctx, "Anna@example.dk", ""), apperr.TooManyRequests)
	if err := f.svc.RequestLoginCode(ctx, "bo@example.dk", ""); err != nil {
		t.Fatalf("another address: %v", err)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM outbox_messages WHERE recipient = $1`, "anna@example.dk"); n != account.DefaultCodeRequestMax {
		t.Fatalf("%d mails sent", n)
	}
	f.clk.Advance(account.DefaultCodeRequestWindow)
	if err := f.svc.RequestLoginCode(ctx, "anna@example.dk", ""); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestDemoMailbox(t *testing.T) {
	f := setup(t)
	for range 3 {
		if err := f.svc.RequestLoginCode(ctx, "anna@example.dk", ""); err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(time.Minute)
	}
	if err := f.svc.RequestLoginCode(ctx, "bo@example.dk", ""); err != nil {
		t.Fatal(err)
	}
	all, err := f.svc.DemoMailbox(ctx, "ANNA@example.dk", 0)
	if err != nil || len(all) != 3 {
		t.Fatalf("mailbox %d %v", len(all), err)
	}
	if !all[0].CreatedAt.After(all[2].CreatedAt) {
		t.Fatalf("not newest first: %v, %v", all[0].CreatedAt, all[2].CreatedAt)
	}
	two, _ := f.svc.DemoMailbox(ctx, "anna@example.dk", 2)
	if len(two) != 2 || two[0].ID != all[0].ID {
		t.Fatalf("limited %+v", two)
	}
	if none, err := f.svc.DemoMailbox(ctx, "carl@example.dk", 0); err != nil || len(none) != 0 {
		t.Fatalf("empty mailbox %+v %v", none, err)
	}
}
