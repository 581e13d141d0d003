// Package outbox queues e-mail and SMS messages to consumers in the same
// transaction as the change that causes them. A sender (a real provider in
// production, the demo mailbox in development) drains the queue; nothing is
// sent for a transaction that rolls back.
//
// A message is personal data of the person it goes to, so its recipient,
// subject and body are stored only sealed by the vault (T12, docs/vault.md):
// under the person's key when the message is about a person Tillit knows
// (person_id names them; access and erasure find the message by it, and
// shredding their key makes it unreadable), and otherwise under a key of
// the message's own (its id is the vault subject), which the retention
// engine shreds when the message goes. An address's messages are found by
// recipient_key, the keyed hash of the recipient (ids.ConsumerKey), never by
// the address in clear.
package outbox

import (
	"errors"
	"fmt"
	"time"

	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Channels a message can go out on.
const (
	Email = "email"
	SMS   = "sms"
)

// The vault contexts of a message's sealed fields.
const (
	ContextRecipient = "outbox_messages.recipient"
	ContextSubject   = "outbox_messages.subject"
	ContextBody      = "outbox_messages.body"
)

// Message is a message to a consumer.
type Message struct {
	// ID is the message's id; Enqueue sets it.
	ID string
	// Channel is Email or SMS.
	Channel string
	// To is the e-mail address (or phone number) it goes to.
	To string
	// Subject and Body are the message's text.
	Subject, Body string
	// PersonID is the person (package person) the message is about and
	// goes to, when Tillit knows them: the message is sealed under their
	// key. Empty for someone Tillit does not know (yet), and read back
	// empty when the person's key was already shredded at Enqueue.
	PersonID string
	// CreatedAt is when it was queued and SentAt when it went out; set when
	// read.
	CreatedAt time.Time
	SentAt    *time.Time
}

// Enqueue seals m and records it to send; it returns the message's id. v
// seals it and lookupKey (the instance secret ids.ConsumerKeySecret) keys
// the hash of the recipient that finds it. A message about a person whose
// key was shredded (an erased person being told about their erasure) is
// sealed under its own key instead, like one about nobody Tillit knows.
func Enqueue(tx *store.Tx, v *vault.Vault, lookupKey string, m Message) (string, error) {
	if v == nil || lookupKey == "" {
		return "", errors.New("outbox: Enqueue needs a vault and the lookup key")
	}
	if m.To == "" {
		return "", errors.New("outbox: a message needs a recipient")
	}
	id := ids.New()
	fields, personID, err := sealFor(tx, v, id, m)
	if err != nil {
		return "", err
	}
	_, err = tx.Exec(`INSERT INTO outbox_messages (id, channel, recipient, subject, body, created_at, person_id, recipient_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		id, m.Channel, fields[0], fields[1], fields[2], store.Micros(tx.Now), nullable(personID), ids.ConsumerKey(lookupKey, m.To))
	return id, err
}

// sealFor seals m's recipient, subject and body under m.PersonID, or under
// the message's own id when it names no person or the person's key is
// shredded; it returns the sealed fields and the person they were sealed
// under ("" for the message's own key).
func sealFor(tx *store.Tx, v *vault.Vault, id string, m Message) ([3]string, string, error) {
	if m.PersonID != "" {
		fields, err := seal(tx, v, m.PersonID, m)
		if !errors.Is(err, vault.ErrShredded) {
			return fields, m.PersonID, err
		}
	}
	fields, err := seal(tx, v, id, m)
	return fields, "", err
}

// seal seals m's recipient, subject and body for subject.
func seal(tx *store.Tx, v *vault.Vault, subject string, m Message) ([3]string, error) {
	var out [3]string
	for i, f := range []struct{ context, text string }{{ContextRecipient, m.To}, {ContextSubject, m.Subject}, {ContextBody, m.Body}} {
		sealed, err := v.SealString(tx, subject, f.context, f.text)
		if err != nil {
			return out, fmt.Errorf("outbox: seal: %w", err)
		}
		out[i] = sealed
	}
	return out, nil
}

// To returns the latest messages queued on channel to the recipient,
// newest first, at most limit, opened with v; lookupKey is Enqueue's.
// Messages whose key was shredded are left out: nothing of them can be
// read.
func To(tx *store.Tx, v *vault.Vault, lookupKey, channel, recipient string, limit int) ([]Message, error) {
	rows, err := tx.Query(`SELECT id, channel, COALESCE(person_id, ''), recipient, subject, body, created_at, sent_at FROM outbox_messages
		WHERE recipient_key = $1 AND channel = $2 ORDER BY created_at DESC, id DESC LIMIT $3`,
		ids.ConsumerKey(lookupKey, recipient), channel, limit)
	if err != nil {
		return nil, err
	}
	type row struct {
		m                        Message
		recipient, subject, body string
		created                  int64
		sent                     *int64
	}
	var sealed []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.m.ID, &r.m.Channel, &r.m.PersonID, &r.recipient, &r.subject, &r.body, &r.created, &r.sent); err != nil {
			rows.Close()
			return nil, err
		}
		sealed = append(sealed, r)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	out := []Message{}
	for _, r := range sealed {
		m := r.m
		subject := m.PersonID
		if subject == "" {
			subject = m.ID
		}
		var opened [3]string
		for i, f := range []struct{ context, text string }{{ContextRecipient, r.recipient}, {ContextSubject, r.subject}, {ContextBody, r.body}} {
			if opened[i], err = v.OpenString(tx, subject, f.context, f.text); err != nil {
				break
			}
		}
		if errors.Is(err, vault.ErrShredded) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("outbox: open message %s: %w", m.ID, err)
		}
		m.To, m.Subject, m.Body = opened[0], opened[1], opened[2]
		m.CreatedAt = store.FromMicros(r.created)
		if r.sent != nil {
			t := store.FromMicros(*r.sent)
			m.SentAt = &t
		}
		out = append(out, m)
	}
	return out, nil
}

// nullable maps "" to SQL NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
