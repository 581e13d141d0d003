// Package outbox queues e-mail and SMS messages to consumers in the same
// transaction as the change that causes them. A sender (a real provider in
// production, the demo mailbox in development) drains the queue; nothing is
// sent for a transaction that rolls back.
package outbox

import (
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// Channels a message can go out on.
const (
	Email = "email"
	SMS   = "sms"
)

// Enqueue records a message to send and returns its id.
func Enqueue(tx *store.Tx, channel, recipient, subject, body string) (string, error) {
	id := ids.New()
	_, err := tx.Exec(`INSERT INTO outbox_messages (id, channel, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, channel, recipient, subject, body, store.Micros(tx.Now))
	return id, err
}
