// Package notify owns outgoing merchant notifications: the webhook_events and
// webhook_attempts tables, recording an event in the same transaction as the
// change it reports, delivering it as a signed HTTP POST through a durable job
// (retried with backoff for 24 hours until the merchant answers 2xx), the
// signature scheme merchants verify, and the delivery log merchants read.
//
// Delivery is at least once: a merchant can receive an event twice (for
// example when a process dies after the POST but before recording it) and
// should de-duplicate on the Tillit-Event-Id header.
package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/store"
)

// Event statuses, as stored in webhook_events.status and reported in the
// delivery log.
const (
	// StatusPending: not yet delivered, attempts continue.
	StatusPending = "pending"
	// StatusDelivered: the merchant answered 2xx.
	StatusDelivered = "delivered"
	// StatusFailed: no 2xx within DeliveryWindow; no more attempts.
	StatusFailed = "failed"
	// StatusNoURL: the merchant has no notification URL; recorded, never sent.
	StatusNoURL = "no_url"
)

// DeliveryWindow is how long after its creation an event is retried.
const DeliveryWindow = 24 * time.Hour

// deliverKind is the job kind of a delivery attempt.
const deliverKind = "notify.deliver"

// Event is one notification to a merchant.
type Event struct {
	// ID is the event's UUIDv7, sent as Tillit-Event-Id.
	ID string
	// MerchantID is the merchant the event goes to.
	MerchantID string
	// OrderID is the order the event is about, or empty.
	OrderID string
	// Type is the event type, sent as Tillit-Event-Type.
	Type string
	// URL is where the event is posted; empty for status no_url.
	URL string
	// Body is the JSON request body.
	Body []byte
	// CreatedAt is when the event was recorded (the transaction's time).
	CreatedAt time.Time
}

// Enqueue records the event and schedules its first delivery attempt, in tx. If
// url is empty the merchant's notification_url (merchants table) is used; if
// that is empty too, the event is recorded with status "no_url" and not
// delivered.
//
// body must be JSON. If it is an object with a string "event_id" field holding
// a UUID (as FraudEventBody makes), that becomes the event's ID, so the id in
// the body matches the Tillit-Event-Id header; otherwise a new UUIDv7 is used.
// Recording the same event id twice fails with a unique violation
// (store.IsUniqueViolation), which callers can use for idempotency.
func Enqueue(tx *store.Tx, merchantID, orderID, eventType, url string, body []byte) (Event, error) {
	if merchantID == "" || eventType == "" {
		return Event{}, errors.New("notify: enqueue: merchant id and event type are required")
	}
	if !json.Valid(body) {
		return Event{}, fmt.Errorf("notify: enqueue %s: body is not valid JSON", eventType)
	}
	id := ids.New()
	var probe struct {
		EventID string `json:"event_id"`
	}
	if json.Unmarshal(body, &probe) == nil && probe.EventID != "" {
		if !ids.Valid(probe.EventID) {
			return Event{}, fmt.Errorf("notify: enqueue %s: event_id in body is not a UUID", eventType)
		}
		id = probe.EventID
	}

	var merchantURL string
	err := tx.QueryRow(`SELECT notification_url FROM merchants WHERE id = $1`, merchantID).Scan(&merchantURL)
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, fmt.Errorf("notify: enqueue %s: merchant %s not found", eventType, merchantID)
	}
	if err != nil {
		return Event{}, fmt.Errorf("notify: enqueue %s: %w", eventType, err)
	}
	if url == "" {
		url = merchantURL
	}
	status := StatusPending
	if url == "" {
		status = StatusNoURL
	}
	ev := Event{ID: id, MerchantID: merchantID, OrderID: orderID, Type: eventType, URL: url, Body: body, CreatedAt: tx.Now}

	var order any
	if orderID != "" {
		order = orderID
	}
	_, err = tx.Exec(`INSERT INTO webhook_events (id, merchant_id, order_id, event_type, url, body, status, attempts, created_at, give_up_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)`,
		ev.ID, merchantID, order, eventType, url, string(body), status,
		store.Micros(tx.Now), store.Micros(tx.Now.Add(DeliveryWindow)))
	if err != nil {
		return Event{}, fmt.Errorf("notify: record %s: %w", eventType, err)
	}
	if status == StatusNoURL {
		return ev, nil
	}
	err = jobs.Enqueue(tx, jobs.Job{
		Kind:      deliverKind,
		UniqueKey: deliverKind + ":" + ev.ID,
		Payload:   deliverPayload{EventID: ev.ID},
		RunAt:     tx.Now,
	})
	if err != nil {
		return Event{}, err
	}
	return ev, nil
}

// deliverPayload is the payload of a delivery job.
type deliverPayload struct {
	EventID string `json:"event_id"`
}

// fraudEventBody is the body of a fraud-status notification.
type fraudEventBody struct {
	OrderID    string `json:"order_id"`
	EventType  string `json:"event_type"`
	EventID    string `json:"event_id"`
	OccurredAt string `json:"occurred_at"`
	// StopRequestURL is the signed link to the answer form of a
	// FRAUD_RISK_STOPPED order's stop request.
	StopRequestURL string `json:"stop_request_url,omitempty"`
}

// FraudEventBody builds the fraud-status notification body
// {order_id,event_type,event_id,occurred_at} (helper used by checkout), with
// occurred_at in RFC 3339 UTC with milliseconds, like every API timestamp. An empty eventID gets a new UUIDv7. Pass the
// body to Enqueue, which adopts its event_id as the event's ID.
func FraudEventBody(orderID, eventType, eventID string, occurredAt time.Time) []byte {
	return fraudBody(orderID, eventType, eventID, occurredAt, "")
}

// StopEventBody is FraudEventBody for FRAUD_RISK_STOPPED with the link to
// the stop request's answer form (stop_request_url).
func StopEventBody(orderID, eventID string, occurredAt time.Time, formURL string) []byte {
	return fraudBody(orderID, "FRAUD_RISK_STOPPED", eventID, occurredAt, formURL)
}

func fraudBody(orderID, eventType, eventID string, occurredAt time.Time, formURL string) []byte {
	if eventID == "" {
		eventID = ids.New()
	}
	b, err := json.Marshal(fraudEventBody{
		OrderID:        orderID,
		EventType:      eventType,
		EventID:        eventID,
		OccurredAt:     occurredAt.UTC().Format("2006-01-02T15:04:05.000Z"),
		StopRequestURL: formURL,
	})
	if err != nil { // cannot happen: only strings
		panic("notify: encode fraud event: " + err.Error())
	}
	return b
}

// Attempt is one delivery attempt of an event.
type Attempt struct {
	// Number counts attempts from 1.
	Number int
	// At is when the attempt started.
	At time.Time
	// StatusCode is the HTTP status the merchant answered, or 0 if there was
	// no response (connection error, timeout, invalid URL).
	StatusCode int
	// Error is a short description of a failure (at most 200 characters of
	// the response body), empty on success.
	Error string
	// Duration is how long the request took.
	Duration time.Duration
}

// Delivery is an event with its delivery state, as shown in the merchant's
// delivery log.
type Delivery struct {
	// Event is the notification itself.
	Event Event
	// Status is one of StatusPending, StatusDelivered, StatusFailed, StatusNoURL.
	Status string
	// GiveUpAt is when retrying stops.
	GiveUpAt time.Time
	// DeliveredAt is when a 2xx was recorded; zero if not delivered.
	DeliveredAt time.Time
	// NextAttemptAt is when the event is tried next; zero unless pending.
	NextAttemptAt time.Time
	// Attempts are the attempts so far, oldest first.
	Attempts []Attempt
}

// Deliveries lists a merchant's events (newest first, optional order filter,
// limit) with their attempts, for the merchant's delivery log endpoint. A limit
// <= 0 means 50; it is capped at 500.
func Deliveries(ctx context.Context, db *store.DB, merchantID, orderID string, limit int) ([]Delivery, error) {
	if limit <= 0 {
		limit = 50
	}
	if limit > 500 {
		limit = 500
	}
	var out []Delivery
	err := db.Read(ctx, func(tx *store.Tx) error {
		out = nil
		// A pending event's next attempt is its delivery job's run time.
		q := `SELECT e.id, e.merchant_id, e.order_id, e.event_type, e.url, e.body, e.status, e.created_at, e.give_up_at, e.delivered_at, j.run_at
FROM webhook_events e LEFT JOIN jobs j ON e.status = '` + StatusPending + `' AND j.unique_key = '` + deliverKind + `:' || e.id
WHERE e.merchant_id = $1`
		args := []any{merchantID}
		if orderID != "" {
			q += ` AND e.order_id = $2`
			args = append(args, orderID)
		}
		q += fmt.Sprintf(` ORDER BY e.created_at DESC, e.id DESC LIMIT %d`, limit)
		rows, err := tx.Query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		index := map[string]int{}
		for rows.Next() {
			var d Delivery
			var order sql.NullString
			var body string
			var created, giveUp int64
			var delivered, next sql.NullInt64
			if err := rows.Scan(&d.Event.ID, &d.Event.MerchantID, &order, &d.Event.Type, &d.Event.URL, &body,
				&d.Status, &created, &giveUp, &delivered, &next); err != nil {
				return err
			}
			if next.Valid {
				d.NextAttemptAt = store.FromMicros(next.Int64)
			}
			d.Event.OrderID = order.String
			d.Event.Body = []byte(body)
			d.Event.CreatedAt = store.FromMicros(created)
			d.GiveUpAt = store.FromMicros(giveUp)
			if delivered.Valid {
				d.DeliveredAt = store.FromMicros(delivered.Int64)
			}
			index[d.Event.ID] = len(out)
			out = append(out, d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(out) == 0 {
			return nil
		}
		ph := ""
		eventIDs := make([]any, len(out))
		for i, d := range out {
			if i > 0 {
				ph += ", "
			}
			ph += fmt.Sprintf("$%d", i+1)
			eventIDs[i] = d.Event.ID
		}
		arows, err := tx.Query(`SELECT event_id, attempt, attempted_at, status_code, error, duration_us
FROM webhook_attempts WHERE event_id IN (`+ph+`) ORDER BY event_id, attempt`, eventIDs...)
		if err != nil {
			return err
		}
		defer arows.Close()
		for arows.Next() {
			var eventID string
			var a Attempt
			var at, dur int64
			if err := arows.Scan(&eventID, &a.Number, &at, &a.StatusCode, &a.Error, &dur); err != nil {
				return err
			}
			a.At = store.FromMicros(at)
			a.Duration = time.Duration(dur) * time.Microsecond
			i := index[eventID]
			out[i].Attempts = append(out[i].Attempts, a)
		}
		return arows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("notify: list deliveries: %w", err)
	}
	return out, nil
}
