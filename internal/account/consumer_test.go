package account_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/logscan"
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
	logscan.Secret(logscan.OneTimeCode, code)
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
	// No account is created until the code is used (only the person the
	// mail is about); the code is mailed in the language asked for.
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
	if n := count(t, f.db, `SELECT COUNT(*) FROM outbox_messages WHERE recipient_key = $1`, ids.ConsumerKey(f.key, "anna@example.dk")); n != account.DefaultCodeRequestMax {
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

// TestAddressAndMailAreSealed checks that neither the consumer's address nor
// the mail sent to them is stored in clear: the account's address and the
// mail's recipient, subject and body are sealed under the person's key, the
// person being made by the first request for a code.
func TestAddressAndMailAreSealed(t *testing.T) {
	f := setup(t)
	const anna = "anna@example.dk"
	if err := f.svc.RequestLoginCode(ctx, anna, "da-DK"); err != nil {
		t.Fatal(err)
	}
	first := latestCode(t, f, anna)
	c, err := f.svc.VerifyLoginCode(ctx, anna, first)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestLoginCode(ctx, anna, "da-DK"); err != nil {
		t.Fatal(err)
	}
	second := latestCode(t, f, anna)

	email := queryString(t, f.db, `SELECT email FROM consumers WHERE id = $1`, c.ID)
	if strings.Contains(strings.ToLower(email), "anna") || !strings.HasPrefix(email, "v1.") {
		t.Fatalf("consumers.email stored as %q", email)
	}
	if err := f.db.Read(ctx, func(tx *store.Tx) error {
		opened, err := f.vault.OpenString(tx, c.PersonID, account.ContextEmail, email)
		if err != nil || opened != anna {
			t.Errorf("the sealed address opens to %q, %v", opened, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	type stored struct{ id, personID, recipient, subject, body, key string }
	var rows []stored
	if err := f.db.Read(ctx, func(tx *store.Tx) error {
		r, err := tx.Query(`SELECT id, COALESCE(person_id, ''), recipient, subject, body, recipient_key FROM outbox_messages ORDER BY created_at, id`)
		if err != nil {
			return err
		}
		defer r.Close()
		for r.Next() {
			var s stored
			if err := r.Scan(&s.id, &s.personID, &s.recipient, &s.subject, &s.body, &s.key); err != nil {
				return err
			}
			rows = append(rows, s)
		}
		return r.Err()
	}); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d messages, want 2", len(rows))
	}
	for _, r := range rows {
		for _, v := range []string{r.recipient, r.subject, r.body} {
			if !strings.HasPrefix(v, "v1.") || strings.Contains(strings.ToLower(v), "anna") || strings.Contains(v, first) || strings.Contains(v, second) ||
				strings.Contains(v, "Tillit") {
				t.Errorf("message %s holds %q in clear", r.id, v)
			}
		}
		if r.key != ids.ConsumerKey(f.key, anna) {
			t.Errorf("message %s: recipient_key %q", r.id, r.key)
		}
	}
	for _, r := range rows {
		if r.personID != c.PersonID || c.PersonID == "" {
			t.Errorf("message %s is about %q, want %q", r.id, r.personID, c.PersonID)
		}
	}
}

// TestErasedConsumerReadsWithoutAddress checks that once the person's key
// is shredded the account reads with no address and the mail sealed under
// that key leaves the mailbox, while nothing breaks.
func TestErasedConsumerReadsWithoutAddress(t *testing.T) {
	f := setup(t)
	const anna = "anna@example.dk"
	if err := f.svc.RequestLoginCode(ctx, anna, ""); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.VerifyLoginCode(ctx, anna, latestCode(t, f, anna))
	if err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(time.Minute)
	if err := f.svc.RequestLoginCode(ctx, anna, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Write(ctx, func(tx *store.Tx) error { return f.vault.Shred(tx, c.PersonID) }); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.GetConsumer(ctx, c.ID)
	if err != nil || got.Email != "" || got.ID != c.ID || got.PersonID != c.PersonID {
		t.Fatalf("the erased consumer: %+v %v", got, err)
	}
	msgs, err := f.svc.DemoMailbox(ctx, anna, 0)
	if err != nil || len(msgs) != 0 {
		t.Fatalf("mailbox after the shred: %+v %v", msgs, err)
	}
}

// TestSealLegacyAddresses checks that addresses stored in clear before they
// were sealed are sealed, accounts without a person get one, and a second
// run finds nothing.
func TestSealLegacyAddresses(t *testing.T) {
	f := setup(t)
	if err := f.db.Write(ctx, func(tx *store.Tx) error {
		for i, email := range []string{"anna@example.dk", "bo@example.dk"} {
			if _, err := tx.Exec(`INSERT INTO consumers (id, consumer_key, email, locale, created_at) VALUES ($1, $2, $3, 'da-DK', $4)`,
				ids.New(), ids.ConsumerKey(f.key, email), email, store.Micros(tx.Now)+int64(i)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	n, err := f.svc.SealLegacyAddresses(ctx)
	if err != nil || n != 2 {
		t.Fatalf("sealed %d: %v", n, err)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM consumers WHERE email LIKE '%@%' OR person_id IS NULL`); n != 0 {
		t.Fatalf("%d accounts left in clear or without a person", n)
	}
	if again, err := f.svc.SealLegacyAddresses(ctx); err != nil || again != 0 {
		t.Fatalf("second run sealed %d: %v", again, err)
	}
	// Signing in finds the account, with its address.
	if err := f.svc.RequestLoginCode(ctx, "bo@example.dk", ""); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.VerifyLoginCode(ctx, "bo@example.dk", latestCode(t, f, "bo@example.dk"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := f.svc.GetConsumer(ctx, c.ID); err != nil || got.Email != "bo@example.dk" || got.Locale != "da-DK" {
		t.Fatalf("the sealed account: %+v %v", got, err)
	}
}
