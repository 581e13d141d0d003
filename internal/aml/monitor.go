package aml

import (
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// Placed is an order just placed, as checkout tells the monitoring.
type Placed struct {
	PersonID string
	OrderID  string
	// Amount is the order amount in minor units of Currency.
	Amount   int64
	Currency string
	// Country is the purchase country, BillingCountry the country of the
	// billing address (ISO 3166-1 alpha-2).
	Country        string
	BillingCountry string
	At             time.Time
}

// Actor is who raises alerts in the audit log.
const Actor = "system:aml"

// Audit actions.
const (
	// ActionAlertOpened: a rule fired for a person without an open alert.
	ActionAlertOpened = "aml.alert_opened"
	// ActionAlertViewed: a member of staff opened an alert's page.
	ActionAlertViewed = "aml.alert_viewed"
	// ActionAlertEscalated, ActionAlertClosed and ActionAlertReported: an
	// officer's actions.
	ActionAlertEscalated = "aml.alert_escalated"
	ActionAlertClosed    = "aml.alert_closed"
	ActionAlertReported  = "aml.alert_reported"
)

// defaults are the parameters the package-level OnOrderPlaced and OnRefund
// use.
var defaults = DefaultConfig()

// OnOrderPlaced runs the rules with the default parameters for an order
// checkout placed in tx (the order's row is written). See
// Config.OnOrderPlaced.
func OnOrderPlaced(tx *store.Tx, p Placed) error { return defaults.OnOrderPlaced(tx, p) }

// OnRefund runs the rules with the default parameters for a refund of the
// order checkout recorded in tx. See Config.OnRefund.
func OnRefund(tx *store.Tx, orderID string) error { return defaults.OnRefund(tx, orderID) }

// OnOrderPlaced runs the structuring, high-risk country and velocity rules
// over the person's orders in tx, the order placed among them, and raises
// or adds to an alert for each rule that fires. An order without a person
// is not monitored.
func (c Config) OnOrderPlaced(tx *store.Tx, p Placed) error {
	if p.PersonID == "" {
		return nil
	}
	os, err := c.orders(tx, p.PersonID, tx.Now)
	if err != nil {
		return err
	}
	for _, f := range []*firing{
		c.HighRisk.check(p),
		c.Structuring.check(os, p.Currency, tx.Now),
		c.Velocity.check(os, p.Currency, tx.Now),
	} {
		if f != nil {
			if err := raise(tx, p.PersonID, *f); err != nil {
				return err
			}
		}
	}
	return nil
}

// OnRefund runs the rapid refund rule over the orders of the person whose
// order was refunded in tx, and raises or adds to an alert if it fires.
func (c Config) OnRefund(tx *store.Tx, orderID string) error {
	var personID sql.NullString
	if err := tx.QueryRow(`SELECT person_id FROM orders WHERE id = $1`, orderID).Scan(&personID); err != nil {
		return err
	}
	if !personID.Valid || personID.String == "" {
		return nil
	}
	os, err := c.orders(tx, personID.String, tx.Now)
	if err != nil {
		return err
	}
	if f := c.RapidRefund.check(os, tx.Now); f != nil {
		return raise(tx, personID.String, *f)
	}
	return nil
}

// orders reads the person's orders placed in the rules' lookback before
// now, oldest first, with what was refunded of each within
// RapidRefund.Within of placing it by the merchant (a fraud write-off
// returns money from the merchant, not to the buyer, so it does not count).
func (c Config) orders(tx *store.Tx, personID string, now time.Time) ([]order, error) {
	within := c.RapidRefund.Within.Microseconds()
	rows, err := tx.Query(`SELECT o.id, o.original_order_amount, o.purchase_currency, o.created_at,
			COALESCE(SUM(r.refunded_amount), 0), COALESCE(MAX(r.refunded_at), 0)
		FROM orders o LEFT JOIN refunds r ON r.order_id = o.id AND r.kind = 'merchant' AND r.refunded_at <= o.created_at + $3
		WHERE o.person_id = $1 AND o.created_at >= $2
		GROUP BY o.id, o.original_order_amount, o.purchase_currency, o.created_at
		ORDER BY o.created_at, o.id`, personID, store.Micros(now.Add(-c.lookback())), within)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []order
	for rows.Next() {
		var o order
		var placed, refundEnd int64
		if err := rows.Scan(&o.ID, &o.Amount, &o.Currency, &placed, &o.Refunded, &refundEnd); err != nil {
			return nil, err
		}
		o.PlacedAt, o.RefundEnd = store.FromMicros(placed), store.FromMicros(refundEnd)
		out = append(out, o)
	}
	return out, rows.Err()
}

// raise adds the firing's evidence to the person's open alert for the
// rule, opening one (audited) when there is none. An alert that gains
// evidence moves to its next version, so an officer's action decided on
// what it showed before is refused as stale.
func raise(tx *store.Tx, personID string, f firing) error {
	params, err := json.Marshal(f.params)
	if err != nil {
		return err
	}
	key := openKey(personID, f.rule)
	var id string
	err = tx.QueryRow(`SELECT id FROM aml_alerts WHERE open_key = $1`, key).Scan(&id)
	opened := errors.Is(err, sql.ErrNoRows)
	switch {
	case opened:
		id = ids.New()
		if _, err := tx.Exec(`INSERT INTO aml_alerts (id, person_id, rule, severity, params, status, open_key, opened_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
			id, personID, string(f.rule), f.rule.Severity(), string(params), string(StatusOpen), key, store.Micros(tx.Now)); err != nil {
			if store.IsUniqueViolation(err) {
				// A concurrent transaction opened it first: retry, and
				// add to theirs.
				return store.ErrConflict
			}
			return err
		}
	case err != nil:
		return err
	}
	added := int64(0)
	for _, e := range f.evidence {
		res, err := tx.Exec(`INSERT INTO aml_alert_evidence (alert_id, kind, order_id, amount, currency, at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (alert_id, kind, order_id) DO UPDATE SET amount = excluded.amount, at = excluded.at
			WHERE aml_alert_evidence.amount <> excluded.amount`,
			id, e.Kind, e.OrderID, e.Amount, e.Currency, store.Micros(e.At))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		added += n
	}
	if opened {
		_, err := audit.Append(tx, Actor, ActionAlertOpened, personID, map[string]string{"alert_id": id, "rule": string(f.rule)})
		return err
	}
	if added == 0 {
		return nil
	}
	_, err = tx.Exec(`UPDATE aml_alerts SET params = $1, updated_at = $2, version = version + 1 WHERE id = $3`,
		string(params), store.Micros(tx.Now), id)
	return err
}

// openKey is the open_key of the person's open alert for the rule.
func openKey(personID string, r Rule) string { return personID + ":" + string(r) }
