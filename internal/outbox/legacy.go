package outbox

import (
	"context"

	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// legacyBatch is how many messages SealLegacy seals per transaction.
const legacyBatch = 200

// SealLegacy seals the messages queued before the outbox sealed them
// (migration 00017 left them in clear, with an empty recipient_key): each
// e-mail is sealed under the person its address leads to, when Tillit knows
// them, else under its own key, and gets the keyed hash of its recipient.
// It returns how many it sealed; once they are all sealed it finds nothing,
// so it is run at every start. Processes running it at once do not seal a
// message twice.
func SealLegacy(ctx context.Context, db *store.DB, v *vault.Vault, lookupKey string) (int, error) {
	total := 0
	for {
		found, sealed := 0, 0
		err := db.Write(ctx, func(tx *store.Tx) error {
			found, sealed = 0, 0
			rows, err := tx.Query(`SELECT id, channel, recipient, subject, body FROM outbox_messages
				WHERE recipient_key = '' ORDER BY id LIMIT $1`, legacyBatch)
			if err != nil {
				return err
			}
			var plain []Message
			for rows.Next() {
				var m Message
				if err := rows.Scan(&m.ID, &m.Channel, &m.To, &m.Subject, &m.Body); err != nil {
					rows.Close()
					return err
				}
				plain = append(plain, m)
			}
			if err := rows.Close(); err != nil {
				return err
			}
			found = len(plain)
			for _, m := range plain {
				key := ids.ConsumerKey(lookupKey, m.To)
				if m.Channel == Email {
					if m.PersonID, _, err = person.Lookup(tx, key); err != nil {
						return err
					}
				}
				fields, personID, err := sealFor(tx, v, m.ID, m)
				if err != nil {
					return err
				}
				res, err := tx.Exec(`UPDATE outbox_messages SET recipient = $2, subject = $3, body = $4, person_id = $5, recipient_key = $6
					WHERE id = $1 AND recipient_key = ''`, m.ID, fields[0], fields[1], fields[2], nullable(personID), key)
				if err != nil {
					return err
				}
				n, err := res.RowsAffected()
				if err != nil {
					return err
				}
				sealed += int(n)
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += sealed
		if found < legacyBatch {
			return total, nil
		}
	}
}
