package outbox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

const lookupKey = "outbox-test-lookup-key"

var ctx = context.Background()

// env is a database with a vault.
type env struct {
	t     *testing.T
	db    *store.DB
	clk   *clock.Manual
	vault *vault.Vault
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, clk := storetest.Open(t)
	return &env{t: t, db: db, clk: clk, vault: vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()})}
}

func (e *env) write(fn func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.db.Write(ctx, fn); err != nil {
		e.t.Fatal(err)
	}
}

// person returns the person of the address, making them.
func (e *env) person(email string) string {
	e.t.Helper()
	var id string
	e.write(func(tx *store.Tx) error {
		var err error
		id, err = person.Resolve(tx, ids.ConsumerKey(lookupKey, email))
		return err
	})
	return id
}

// enqueue queues an e-mail.
func (e *env) enqueue(m outbox.Message) string {
	e.t.Helper()
	var id string
	e.write(func(tx *store.Tx) error {
		var err error
		id, err = outbox.Enqueue(tx, e.vault, lookupKey, m)
		return err
	})
	return id
}

// to reads the e-mails to the address.
func (e *env) to(address string) []outbox.Message {
	e.t.Helper()
	var out []outbox.Message
	if err := e.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = outbox.To(tx, e.vault, lookupKey, outbox.Email, address, 10)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// raw is a message as stored.
type raw struct{ personID, recipient, subject, body, key string }

func (e *env) raw(id string) raw {
	e.t.Helper()
	var r raw
	if err := e.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COALESCE(person_id, ''), recipient, subject, body, recipient_key FROM outbox_messages WHERE id = $1`, id).
			Scan(&r.personID, &r.recipient, &r.subject, &r.body, &r.key)
	}); err != nil {
		e.t.Fatal(err)
	}
	return r
}

// inClear reports whether a stored field holds any of the words.
func (r raw) inClear(words ...string) bool {
	for _, f := range []string{r.recipient, r.subject, r.body} {
		for _, w := range words {
			if strings.Contains(strings.ToLower(f), strings.ToLower(w)) {
				return true
			}
		}
	}
	return false
}

func TestMessagesAreSealedUnderThePerson(t *testing.T) {
	e := newEnv(t)
	anna := e.person("anna@example.dk")
	id := e.enqueue(outbox.Message{Channel: outbox.Email, To: "anna@example.dk", PersonID: anna, Subject: "Your reminder", Body: "Pay 100 DKK by Friday."})
	r := e.raw(id)
	if r.inClear("anna", "reminder", "Friday") || r.personID != anna || r.key != ids.ConsumerKey(lookupKey, "anna@example.dk") {
		t.Fatalf("stored %+v", r)
	}
	// The fields open under Anna's key in their own contexts only.
	e.write(func(tx *store.Tx) error {
		if got, err := e.vault.OpenString(tx, anna, outbox.ContextBody, r.body); err != nil || got != "Pay 100 DKK by Friday." {
			t.Errorf("body opens to %q, %v", got, err)
		}
		if _, err := e.vault.OpenString(tx, anna, outbox.ContextSubject, r.body); err == nil {
			t.Error("the body opens as a subject")
		}
		return nil
	})
	got := e.to(" Anna@Example.DK ")
	if len(got) != 1 || got[0].ID != id || got[0].To != "anna@example.dk" || got[0].Subject != "Your reminder" ||
		got[0].Body != "Pay 100 DKK by Friday." || got[0].PersonID != anna || got[0].CreatedAt.IsZero() || got[0].SentAt != nil {
		t.Fatalf("read back %+v", got)
	}
	if other := e.to("bo@example.dk"); len(other) != 0 {
		t.Fatalf("Bo's mailbox: %+v", other)
	}

	// Once Anna's key is shredded, her mail can no longer be read.
	e.write(func(tx *store.Tx) error { return e.vault.Shred(tx, anna) })
	if got := e.to("anna@example.dk"); len(got) != 0 {
		t.Fatalf("after the shred: %+v", got)
	}
}

func TestMessagesAboutNobodyKnownHaveTheirOwnKey(t *testing.T) {
	e := newEnv(t)
	unknown := e.enqueue(outbox.Message{Channel: outbox.Email, To: "new@example.dk", Subject: "Your code", Body: "123456"})
	// An erased person is still told about their erasure: the message is
	// sealed under its own key.
	erased := e.person("erased@example.dk")
	e.write(func(tx *store.Tx) error { return e.vault.Shred(tx, erased) })
	answer := e.enqueue(outbox.Message{Channel: outbox.Email, To: "erased@example.dk", PersonID: erased, Subject: "Erased", Body: "Your data is erased."})
	for _, c := range []struct {
		id, to, body string
	}{{unknown, "new@example.dk", "123456"}, {answer, "erased@example.dk", "Your data is erased."}} {
		r := e.raw(c.id)
		if r.inClear(c.to, c.body) || r.personID != "" {
			t.Errorf("stored %+v", r)
		}
		e.write(func(tx *store.Tx) error {
			if got, err := e.vault.OpenString(tx, c.id, outbox.ContextRecipient, r.recipient); err != nil || got != c.to {
				t.Errorf("recipient under the message's key: %q %v", got, err)
			}
			return nil
		})
		if got := e.to(c.to); len(got) != 1 || got[0].Body != c.body || got[0].PersonID != "" {
			t.Errorf("read back %+v", got)
		}
	}
	// Shredding the message's key (as retention does when it goes) leaves
	// nothing readable.
	e.write(func(tx *store.Tx) error { return e.vault.Shred(tx, unknown) })
	if got := e.to("new@example.dk"); len(got) != 0 {
		t.Fatalf("after the shred: %+v", got)
	}
}

func TestMessagesAreReadNewestFirst(t *testing.T) {
	e := newEnv(t)
	var sent []string
	for _, s := range []string{"one", "two", "three"} {
		sent = append(sent, e.enqueue(outbox.Message{Channel: outbox.Email, To: "anna@example.dk", Subject: s, Body: s}))
		e.clk.Advance(time.Minute)
	}
	e.enqueue(outbox.Message{Channel: outbox.SMS, To: "anna@example.dk", Subject: "sms", Body: "sms"})
	got := e.to("anna@example.dk")
	if len(got) != 3 || got[0].ID != sent[2] || got[2].ID != sent[0] {
		t.Fatalf("read %+v", got)
	}
	if err := e.db.Read(ctx, func(tx *store.Tx) error {
		two, err := outbox.To(tx, e.vault, lookupKey, outbox.Email, "anna@example.dk", 2)
		if err == nil && (len(two) != 2 || two[0].Subject != "three") {
			t.Errorf("limited %+v", two)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func TestEnqueueNeedsItsParts(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name string
		v    *vault.Vault
		key  string
		m    outbox.Message
	}{
		{"no vault", nil, lookupKey, outbox.Message{Channel: outbox.Email, To: "a@example.dk"}},
		{"no lookup key", e.vault, "", outbox.Message{Channel: outbox.Email, To: "a@example.dk"}},
		{"no recipient", e.vault, lookupKey, outbox.Message{Channel: outbox.Email}},
	} {
		err := e.db.Write(ctx, func(tx *store.Tx) error {
			_, err := outbox.Enqueue(tx, c.v, c.key, c.m)
			return err
		})
		if err == nil {
			t.Errorf("%s: queued", c.name)
		}
	}
}

func TestSealLegacy(t *testing.T) {
	e := newEnv(t)
	anna := e.person("anna@example.dk")
	e.write(func(tx *store.Tx) error {
		for _, to := range []string{"Anna@example.dk", "bo@example.dk"} {
			if _, err := tx.Exec(`INSERT INTO outbox_messages (id, channel, recipient, subject, body, created_at) VALUES ($1, 'email', $2, 'Your code', 'Code 123456', $3)`,
				ids.New(), to, store.Micros(tx.Now)); err != nil {
				return err
			}
		}
		return nil
	})
	n, err := outbox.SealLegacy(ctx, e.db, e.vault, lookupKey)
	if err != nil || n != 2 {
		t.Fatalf("sealed %d: %v", n, err)
	}
	var left int
	if err := e.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM outbox_messages WHERE recipient_key = '' OR recipient LIKE '%@%' OR body LIKE '%123456%'`).Scan(&left)
	}); err != nil || left != 0 {
		t.Fatalf("%d messages left in clear: %v", left, err)
	}
	if got := e.to("anna@example.dk"); len(got) != 1 || got[0].PersonID != anna || got[0].Body != "Code 123456" || got[0].To != "Anna@example.dk" {
		t.Fatalf("Anna's: %+v", got)
	}
	if got := e.to("bo@example.dk"); len(got) != 1 || got[0].PersonID != "" || got[0].Subject != "Your code" {
		t.Fatalf("Bo's: %+v", got)
	}
	if again, err := outbox.SealLegacy(ctx, e.db, e.vault, lookupKey); err != nil || again != 0 {
		t.Fatalf("second run sealed %d: %v", again, err)
	}
}
