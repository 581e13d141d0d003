// Package person owns data subjects: the opaque id every piece of personal
// data about one consumer hangs off (requirements D1-D7, T12). A person's id
// is their vault subject (what their data is sealed under), the subject of
// their consents and data-subject requests, and the person_id of the
// sessions, authorizations, orders and payment plans about them.
//
// A person is found by the keyed hash of their e-mail address
// (ids.ConsumerKey), never by the address itself. Erasure (Forget) cuts that
// link: the person row stays, pseudonymous, for the records the law keeps,
// and someone who later comes back with the same address becomes a new
// person with a new vault key, because the vault never gives a shredded
// subject a key again.
package person

import (
	"database/sql"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// ContextConsumer is the vault context of the consumer document checkout
// seals under the person's key on authorizations and orders
// (authorizations.consumer, orders.consumer): JSON whose
// billing_address.email is the address Tillit writes to them at.
const ContextConsumer = "checkout.consumer"

// ContextPurchase is the vault context of the personal fields of a purchase
// (addresses, customer, attachment) checkout seals apart from the rest of a
// session or order (payment_sessions.personal, orders.personal).
const ContextPurchase = "checkout.personal"

// ErrNotFound is returned for an unknown person id.
var ErrNotFound = errors.New("person: no such person")

// Person is one data subject.
type Person struct {
	// ID is the person's opaque id (a UUIDv7); it says nothing about them.
	ID string
	// ConsumerKey is ids.ConsumerKey of their e-mail address; empty once
	// they are erased.
	ConsumerKey string
	// CreatedAt is when Tillit first held data about them.
	CreatedAt time.Time
	// RelationshipEndedAt is when their last contract ended; nil while one
	// is open or before any was made.
	RelationshipEndedAt *time.Time
	// ErasedAt is when their data was erased; nil before.
	ErasedAt *time.Time
}

// Erased reports whether the person's data was erased.
func (p Person) Erased() bool { return p.ErasedAt != nil }

// Resolve returns the id of the person with consumerKey, creating the person
// when Tillit holds nothing about them yet. An erased person is never
// returned: their key was cut at erasure.
func Resolve(tx *store.Tx, consumerKey string) (string, error) {
	if consumerKey == "" {
		return "", errors.New("person: Resolve needs a consumer key")
	}
	// A concurrent first purchase by the same person may insert first; the
	// conflict leaves their row, which the lookup then finds.
	if _, err := tx.Exec(`INSERT INTO persons (id, consumer_key, created_at) VALUES ($1, $2, $3) ON CONFLICT (consumer_key) DO NOTHING`,
		ids.New(), consumerKey, store.Micros(tx.Now)); err != nil {
		return "", err
	}
	id, found, err := Lookup(tx, consumerKey)
	if err == nil && !found {
		err = errors.New("person: resolved person vanished")
	}
	return id, err
}

// Lookup returns the id of the person with consumerKey, if Tillit knows them.
func Lookup(tx *store.Tx, consumerKey string) (id string, found bool, err error) {
	err = tx.QueryRow(`SELECT id FROM persons WHERE consumer_key = $1`, consumerKey).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return id, err == nil, err
}

// Get returns the person with id.
func Get(tx *store.Tx, id string) (Person, error) {
	var (
		p             Person
		key           sql.NullString
		created       int64
		ended, erased sql.NullInt64
	)
	err := tx.QueryRow(`SELECT id, consumer_key, created_at, relationship_ended_at, erased_at FROM persons WHERE id = $1`, id).
		Scan(&p.ID, &key, &created, &ended, &erased)
	if errors.Is(err, sql.ErrNoRows) {
		return Person{}, ErrNotFound
	}
	if err != nil {
		return Person{}, err
	}
	p.ConsumerKey = key.String
	p.CreatedAt = store.FromMicros(created)
	p.RelationshipEndedAt = optionalTime(ended)
	p.ErasedAt = optionalTime(erased)
	return p, nil
}

// SetRelationshipEnded records when the person's last contract ended, or
// clears it (nil) when a new one starts.
func SetRelationshipEnded(tx *store.Tx, id string, at *time.Time) error {
	var v any
	if at != nil {
		v = store.Micros(*at)
	}
	return tx.ExecOne(`UPDATE persons SET relationship_ended_at = $1 WHERE id = $2`, v, id)
}

// ContractStarted records that the person made a new contract: their
// relationship with Tillit is ongoing again.
func ContractStarted(tx *store.Tx, id string) error {
	_, err := tx.Exec(`UPDATE persons SET relationship_ended_at = NULL WHERE id = $1 AND relationship_ended_at IS NOT NULL`, id)
	return err
}

// ContractEnded records that one of the person's contracts (a payment
// plan) ended; when none is still open, their relationship with Tillit
// ends now, which starts the retention periods counted from it.
func ContractEnded(tx *store.Tx, id string) error {
	var open int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM payment_plans WHERE person_id = $1 AND status = 'OPEN'`, id).Scan(&open); err != nil {
		return err
	}
	if open > 0 {
		return nil
	}
	_, err := tx.Exec(`UPDATE persons SET relationship_ended_at = $1 WHERE id = $2`, store.Micros(tx.Now), id)
	return err
}

// MarkErased records that the person asked for erasure (the first time
// only) while the link from their address stays: an open contract still
// needs them to find their debt and pay it. What is kept is restricted to
// that contract and to what the law requires.
func MarkErased(tx *store.Tx, id string) error {
	_, err := tx.Exec(`UPDATE persons SET erased_at = $1 WHERE id = $2 AND erased_at IS NULL`, store.Micros(tx.Now), id)
	return err
}

// Forget marks the person erased and cuts the link from their e-mail
// address to them. The caller shreds their vault key and removes what the
// law does not keep in the same transaction.
func Forget(tx *store.Tx, id string) error {
	return tx.ExecOne(`UPDATE persons SET consumer_key = NULL, erased_at = COALESCE(erased_at, $1) WHERE id = $2`,
		store.Micros(tx.Now), id)
}

// PendingErasures returns the persons who asked for erasure while a
// contract was open and are still linked to their address, oldest first, at
// most limit.
func PendingErasures(tx *store.Tx, limit int) ([]string, error) {
	rows, err := tx.Query(`SELECT id FROM persons WHERE erased_at IS NOT NULL AND consumer_key IS NOT NULL ORDER BY erased_at LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func optionalTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := store.FromMicros(v.Int64)
	return &t
}
