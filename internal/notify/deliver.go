package notify

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/store"
)

const (
	requestTimeout = 10 * time.Second
	retryBase      = 30 * time.Second
	retryCap       = time.Hour
	maxBodyInError = 200
	userAgent      = "Tillit-Webhooks/1"
)

// Deliverer posts recorded events to merchants. It is the handler of the
// delivery jobs Enqueue schedules.
type Deliverer struct {
	db     *store.DB
	client *http.Client
	logger *slog.Logger
}

// NewDeliverer returns a Deliverer that posts with a copy of client (nil means
// a default client) that follows no redirects, keeps no cookies and times out
// after 10 s. A nil logger means slog.Default().
func NewDeliverer(db *store.DB, client *http.Client, logger *slog.Logger) *Deliverer {
	c := &http.Client{}
	if client != nil {
		*c = *client
	}
	c.Jar = nil
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if c.Timeout <= 0 || c.Timeout > requestTimeout {
		c.Timeout = requestTimeout
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Deliverer{db: db, client: c, logger: logger}
}

// Register installs the delivery job handler on a jobs.Runner.
func (d *Deliverer) Register(r *jobs.Runner) {
	r.Register(deliverKind, d.deliver)
}

// retryDelay is the wait after the n-th failed attempt: 30s, 1m, 2m, 4m, ...
// capped at 1h.
func retryDelay(n int) time.Duration {
	delay := retryBase
	for i := 1; i < n; i++ {
		delay *= 2
		if delay >= retryCap {
			return retryCap
		}
	}
	return delay
}

// pendingEvent is what an attempt needs to know about an event.
type pendingEvent struct {
	merchantID string
	eventType  string
	url        string
	body       []byte
	status     string
	attempts   int
	giveUpAt   time.Time
	secret     string
}

// deliver makes one delivery attempt: read the event, POST it outside any
// transaction, then record the outcome in its own transaction.
func (d *Deliverer) deliver(ctx context.Context, payload []byte) error {
	var p deliverPayload
	if err := json.Unmarshal(payload, &p); err != nil || p.EventID == "" {
		return jobs.Drop(fmt.Errorf("notify: bad delivery job payload: %v", err))
	}
	var ev pendingEvent
	err := d.db.Read(ctx, func(tx *store.Tx) error {
		var body string
		var giveUp int64
		err := tx.QueryRow(`SELECT e.merchant_id, e.event_type, e.url, e.body, e.status, e.attempts, e.give_up_at, m.signing_secret
FROM webhook_events e JOIN merchants m ON m.id = e.merchant_id WHERE e.id = $1`, p.EventID).
			Scan(&ev.merchantID, &ev.eventType, &ev.url, &body, &ev.status, &ev.attempts, &giveUp, &ev.secret)
		ev.body = []byte(body)
		ev.giveUpAt = store.FromMicros(giveUp)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return jobs.Drop(fmt.Errorf("notify: event %s not found", p.EventID))
	}
	if err != nil {
		return fmt.Errorf("notify: load event %s: %w", p.EventID, err)
	}
	log := d.logger.With("event_id", p.EventID, "merchant_id", ev.merchantID, "event_type", ev.eventType)
	if ev.status != StatusPending {
		return nil // delivered or given up meanwhile
	}
	// The first attempt is always made, even if the platform was down for
	// the whole window; later ones only within it.
	if ev.attempts > 0 && d.db.Clock.Now().After(ev.giveUpAt) {
		return d.giveUp(ctx, p.EventID, log)
	}

	attemptedAt := d.db.Clock.Now()
	started := time.Now() // only to measure the duration
	code, errText := d.post(ctx, p.EventID, ev, attemptedAt)
	duration := time.Since(started)
	ok := code >= 200 && code < 300

	var n int
	var status string
	var next time.Time
	err = d.db.Write(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		var giveUp int64
		err := tx.QueryRow(`UPDATE webhook_events SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts, status, give_up_at`, p.EventID).
			Scan(&n, &status, &giveUp)
		if err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO webhook_attempts (id, event_id, attempt, attempted_at, status_code, error, duration_us)
VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			ids.New(), p.EventID, n, store.Micros(attemptedAt), code, errText, duration.Microseconds())
		if err != nil {
			return err
		}
		if status != StatusPending {
			return nil // a concurrent attempt settled it
		}
		switch {
		case ok:
			status = StatusDelivered
			_, err = tx.Exec(`UPDATE webhook_events SET status = $2, delivered_at = $3 WHERE id = $1`, p.EventID, status, store.Micros(tx.Now))
		case !tx.Now.Before(store.FromMicros(giveUp)):
			status = StatusFailed
			_, err = tx.Exec(`UPDATE webhook_events SET status = $2 WHERE id = $1`, p.EventID, status)
		default:
			// Retry with backoff, with a last attempt at the end of the window.
			next = tx.Now.Add(retryDelay(n))
			if end := store.FromMicros(giveUp); next.After(end) {
				next = end
			}
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("notify: record attempt of event %s: %w", p.EventID, err)
	}
	log = log.With("attempt", n, "status_code", code)
	switch status {
	case StatusDelivered:
		log.Info("webhook delivered", "duration_ms", duration.Milliseconds())
		return nil
	case StatusFailed:
		log.Warn("webhook delivery failed for good", "error", shortReason(code, errText))
		return nil
	case StatusPending:
		log.Info("webhook attempt failed", "error", shortReason(code, errText), "retry_at", next)
		return jobs.RetryAt(next, fmt.Errorf("notify: event %s attempt %d: %s", p.EventID, n, shortReason(code, errText)))
	default:
		return nil
	}
}

// giveUp marks an event failed without another attempt.
func (d *Deliverer) giveUp(ctx context.Context, eventID string, log *slog.Logger) error {
	err := d.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE webhook_events SET status = $2 WHERE id = $1 AND status = $3`, eventID, StatusFailed, StatusPending)
		return err
	})
	if err != nil {
		return fmt.Errorf("notify: give up event %s: %w", eventID, err)
	}
	log.Warn("webhook delivery failed for good", "error", "delivery window over")
	return nil
}

// post sends the event once and returns the HTTP status (0 without a response)
// and, for anything but 2xx, a short error text.
func (d *Deliverer) post(ctx context.Context, eventID string, ev pendingEvent, now time.Time) (int, string) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ev.url, bytes.NewReader(ev.body))
	if err != nil {
		return 0, "invalid notification URL"
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return 0, "invalid notification URL: scheme must be http or https"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Tillit-Event-Id", eventID)
	req.Header.Set("Tillit-Event-Type", ev.eventType)
	req.Header.Set(SignatureHeader, Sign(ev.secret, now, ev.body))
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, transportError(err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxBodyInError))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, ""
	}
	msg := "HTTP " + strconv.Itoa(resp.StatusCode)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		msg += " (redirects are not followed)"
	}
	if s := cleanSnippet(snippet); s != "" {
		msg += ": " + s
	}
	return resp.StatusCode, msg
}

// transportError describes a failed request without the URL (which may carry
// a merchant's token in its query).
func transportError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "timeout after " + requestTimeout.String()
		}
		err = ue.Err
	}
	return truncate(err.Error(), maxBodyInError)
}

// cleanSnippet makes up to maxBodyInError bytes of a response body printable.
func cleanSnippet(b []byte) string {
	s := strings.ToValidUTF8(string(b), "")
	// A cut in the middle of a rune was dropped above; drop control characters.
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// shortReason is the failure text given to the job runner's log: the status or
// transport error, never the response body.
func shortReason(code int, errText string) string {
	if code != 0 {
		return "HTTP " + strconv.Itoa(code)
	}
	return errText
}
