// Package history keeps what the fraud features remember of every assessed
// purchase (T1, T2): keyed hashes of the buyer's e-mail address, phone,
// device, IP address and shipping address with the amount, merchant, time
// and outcome (table risk_observations). The fraud stage reads the
// purchases that share a key with a new one (Related) and the merchant's
// aggregates (MerchantStats) to compute the features package features
// defines, the same way training computes them offline; post-approval
// signals find linked orders through the same keys (Linked).
//
// The table holds no personal data in the clear: every key is an HMAC under
// the instance lookup key, and an empty key (unknown) matches nothing.
package history

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/features"
	"github.com/tillit/tillit/internal/store"
)

// Observation is one assessed purchase as the history keeps it.
type Observation struct {
	AuthorizationToken string
	PersonID           string
	MerchantID         string
	Amount             int64
	Currency           string
	// Outcome is the assessment's (risk.Accepted, Pending or Rejected).
	Outcome        string
	Keys           risk.Keys
	ShipsElsewhere bool
	// At is when the purchase was assessed; zero means tx.Now. Only
	// imports and benchmarks that replay a history set it.
	At time.Time
}

// Record keeps an assessed purchase.
func Record(tx *store.Tx, o Observation) error {
	at := o.At
	if at.IsZero() {
		at = tx.Now
	}
	_, err := tx.Exec(`INSERT INTO risk_observations (authorization_token, person_id, merchant_id, amount, currency, outcome,
		email_key, phone_key, device_key, ip_key, shipping_key, ships_elsewhere, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		o.AuthorizationToken, o.PersonID, o.MerchantID, o.Amount, o.Currency, o.Outcome,
		o.Keys.Email, o.Keys.Phone, o.Keys.Device, o.Keys.IP, o.Keys.Shipping, o.ShipsElsewhere, store.Micros(at))
	return err
}

// Placed notes that the authorization became an order.
func Placed(tx *store.Tx, authorizationToken, orderID string) error {
	_, err := tx.Exec(`UPDATE risk_observations SET order_id = $1 WHERE authorization_token = $2`, orderID, authorizationToken)
	return err
}

// Label marks an order as confirmed fraud (fraud true) or clears the mark,
// at tx.Now. An order without an observation (placed before the history
// was kept) changes nothing.
func Label(tx *store.Tx, orderID string, fraud bool) error {
	if fraud {
		_, err := tx.Exec(`UPDATE risk_observations SET fraud_label = 1, labelled_at = $1 WHERE order_id = $2 AND fraud_label = 0`,
			store.Micros(tx.Now), orderID)
		return err
	}
	_, err := tx.Exec(`UPDATE risk_observations SET fraud_label = 0, labelled_at = NULL WHERE order_id = $1`, orderID)
	return err
}

// maxRelated bounds how many earlier purchases one key contributes to the
// features, so a key shared by a flood of purchases (a proxy's IP) keeps an
// assessment fast. Windows are at most 30 days; counts beyond this say
// "very many" already.
const maxRelated = 200

const observationColumns = `authorization_token, person_id, merchant_id, amount, email_key, device_key, ip_key, shipping_key,
	ships_elsewhere, fraud_label, created_at`

// Related returns the earlier purchases the features read for a purchase
// with these keys at now: the person's within features.RelatedWindow, and
// those sharing the e-mail address, device, IP address or shipping address
// within a week, each once, in one query.
func Related(tx *store.Tx, personID string, keys risk.Keys, now time.Time) ([]features.Tx, error) {
	type lookup struct {
		column, value string
		window        time.Duration
	}
	lookups := []lookup{
		{"person_id", personID, features.RelatedWindow},
		{"email_key", keys.Email, features.Week},
		{"device_key", keys.Device, features.Week},
		{"ip_key", keys.IP, features.Week},
		{"shipping_key", keys.Shipping, features.Week},
	}
	// One round trip: a branch per known key, each newest first and
	// bounded, the same purchase possibly in several.
	var (
		branches []string
		args     []any
	)
	for _, l := range lookups {
		if l.value == "" {
			continue
		}
		n := len(args)
		branches = append(branches, fmt.Sprintf(`SELECT * FROM (SELECT %s FROM risk_observations
			WHERE %s = $%d AND created_at >= $%d AND created_at <= $%d ORDER BY created_at DESC LIMIT $%d) AS %s`,
			observationColumns, l.column, n+1, n+2, n+3, n+4, l.column+"_rows"))
		args = append(args, l.value, store.Micros(now.Add(-l.window)), store.Micros(now), maxRelated)
	}
	if len(branches) == 0 {
		return nil, nil
	}
	rows, err := tx.Query(strings.Join(branches, "\nUNION ALL\n"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	var out []features.Tx
	for rows.Next() {
		var (
			h     features.Tx
			token string
			at    int64
		)
		if err := rows.Scan(&token, &h.Customer, &h.Terminal, &h.Amount, &h.Email, &h.Device, &h.IP, &h.Shipping,
			&h.Mismatch, &h.Label, &at); err != nil {
			return nil, err
		}
		if seen[token] {
			continue
		}
		seen[token] = true
		h.ID, h.Time = token, store.FromMicros(at)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// MerchantStats returns the merchant's aggregates at now: its purchases in
// the last day, week and 30 days, and those placed between
// features.TerminalWindow and features.LabelDelay ago with how many of
// them are labelled fraud.
//
// A merchant with fewer than priorOrders labelled purchases (new to Tillit,
// or a fresh installation) is not yet known; its fraud rate is taken
// towards prior (the fraud rate the model was trained on) as if it had
// priorOrders purchases, so that a lack of history reads as an average
// merchant rather than as a signal of its own.
func MerchantStats(tx *store.Tx, merchantID string, now time.Time, prior float64) (features.TerminalStats, error) {
	var s features.TerminalStats
	at := func(d time.Duration) int64 { return store.Micros(now.Add(-d)) }
	err := tx.QueryRow(`SELECT
			COALESCE(SUM(CASE WHEN created_at >= $2 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN created_at >= $3 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN created_at >= $4 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN created_at < $5 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN created_at < $5 THEN fraud_label ELSE 0 END), 0)
		FROM risk_observations WHERE merchant_id = $1 AND created_at >= $6 AND created_at <= $7`,
		merchantID, at(features.Day), at(features.Week), at(30*features.Day), at(features.LabelDelay), at(features.TerminalWindow),
		store.Micros(now)).Scan(&s.Count1d, &s.Count7d, &s.Count30d, &s.Labelled, &s.Frauds)
	if err != nil {
		return s, err
	}
	if s.Labelled < priorOrders {
		s.Frauds += int(math.Round(float64(priorOrders-s.Labelled) * prior))
		s.Labelled = priorOrders
	}
	return s, nil
}

// priorOrders is how many labelled purchases a merchant needs before its own
// fraud rate counts in full.
const priorOrders = 30

// FirstSeen returns when a key was first seen in the history, and false
// when it never was.
func FirstSeen(tx *store.Tx, column, key string) (time.Time, bool, error) {
	if key == "" {
		return time.Time{}, false, nil
	}
	var first *int64
	if err := tx.QueryRow(`SELECT MIN(created_at) FROM risk_observations WHERE `+keyColumn(column)+` = $1`, key).Scan(&first); err != nil {
		return time.Time{}, false, err
	}
	if first == nil {
		return time.Time{}, false, nil
	}
	return store.FromMicros(*first), true, nil
}

// Key columns FirstSeen and Linked look keys up in.
const (
	EmailKey    = "email_key"
	PhoneKey    = "phone_key"
	DeviceKey   = "device_key"
	IPKey       = "ip_key"
	ShippingKey = "shipping_key"
)

// keyColumn returns column when it is one of the key columns; it panics
// otherwise, since a caller naming another column is a programming error.
func keyColumn(column string) string {
	switch column {
	case EmailKey, PhoneKey, DeviceKey, IPKey, ShippingKey:
		return column
	}
	panic("history: not a key column: " + column)
}

// Link is an order that shares a key with another: which order, whose,
// and through which key column (EmailKey, DeviceKey...).
type Link struct {
	OrderID  string
	PersonID string
	Via      string
	At       time.Time
}

// maxLinks bounds how many linked orders Linked returns per key.
const maxLinks = 200

// Linked returns the other orders that share the e-mail address, phone,
// device or shipping address of orderID's purchase (IP addresses are
// shared by too many people to link identities), within window before and
// after it, newest first per key; nil when the order has no observation.
// An order linked through several keys appears once per key.
func Linked(tx *store.Tx, orderID string, window time.Duration) ([]Link, error) {
	var (
		keys [4]string
		at   int64
	)
	err := tx.QueryRow(`SELECT email_key, phone_key, device_key, shipping_key, created_at FROM risk_observations WHERE order_id = $1`, orderID).
		Scan(&keys[0], &keys[1], &keys[2], &keys[3], &at)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, err
	}
	var out []Link
	for i, column := range []string{EmailKey, PhoneKey, DeviceKey, ShippingKey} {
		if keys[i] == "" {
			continue
		}
		rows, err := tx.Query(`SELECT order_id, person_id, created_at FROM risk_observations
			WHERE `+column+` = $1 AND order_id IS NOT NULL AND order_id <> $2 AND created_at >= $3 AND created_at <= $4
			ORDER BY created_at DESC LIMIT $5`,
			keys[i], orderID, at-window.Microseconds(), at+window.Microseconds(), maxLinks)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			l := Link{Via: column}
			var when int64
			if err := rows.Scan(&l.OrderID, &l.PersonID, &when); err != nil {
				rows.Close()
				return nil, err
			}
			l.At = store.FromMicros(when)
			out = append(out, l)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PersonsOn counts the distinct persons seen with a key (a device, a
// shipping address...) within window before now.
func PersonsOn(tx *store.Tx, column, key string, now time.Time, window time.Duration) (int, error) {
	if key == "" {
		return 0, nil
	}
	var n int
	err := tx.QueryRow(`SELECT COUNT(DISTINCT person_id) FROM risk_observations WHERE `+keyColumn(column)+` = $1 AND created_at >= $2 AND created_at <= $3`,
		key, store.Micros(now.Add(-window)), store.Micros(now)).Scan(&n)
	return n, err
}
