package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/notify"
)

// OpenAPIDocument is the OpenAPI 3 description of every endpoint.
//
//go:embed openapi.json
var OpenAPIDocument []byte

func (a *API) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only when the database answers.
func (a *API) readyz(w http.ResponseWriter, r *http.Request) {
	if err := a.DB.Ping(r.Context()); err != nil {
		a.writeError(w, r, apperr.New(apperr.ServiceUnavailable, "The database is not reachable."))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (a *API) metrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	_, _ = a.Metrics.WriteTo(w)
}

func (a *API) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(OpenAPIDocument)
}

// methodBadge draws a payment method's badge, the asset_urls of a session.
func (a *API) methodBadge(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".svg")
	var name string
	for _, c := range checkout.Categories("") {
		if c.Identifier == id {
			name = c.Name
		}
	}
	if !ok || name == "" {
		a.writeError(w, r, errNoRoute)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40" viewBox="0 0 160 40"><rect width="160" height="40" rx="8" fill="#0b3d2e"/><text x="80" y="26" font-family="sans-serif" font-size="16" fill="#fff" text-anchor="middle">%s</text></svg>`, html.EscapeString(name))
}

// deliveries lists the merchant's webhook events and their delivery attempts.
func (a *API) deliveries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	orderID := q.Get("order_id")
	if orderID != "" && !ids.Valid(orderID) {
		a.writeError(w, r, apperr.BadField("order_id", "must be an order id"))
		return
	}
	limit := 50
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			a.writeError(w, r, apperr.BadField("limit", "must be an integer from 1 to 500"))
			return
		}
		limit = n
	}
	out, err := notify.Deliveries(r.Context(), a.DB, currentMerchant(r).ID, orderID, limit)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	list := make([]deliveryView, 0, len(out))
	for _, d := range out {
		list = append(list, viewDelivery(d))
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": list})
}

// deliveryView is one webhook event in the merchant's delivery log.
type deliveryView struct {
	EventID     string          `json:"event_id"`
	EventType   string          `json:"event_type"`
	OrderID     string          `json:"order_id,omitempty"`
	URL         string          `json:"url"`
	Status      string          `json:"status"`
	Body        json.RawMessage `json:"body"`
	CreatedAt   string          `json:"created_at"`
	GiveUpAt    string          `json:"give_up_at"`
	DeliveredAt string          `json:"delivered_at,omitempty"`
	NextAttempt string          `json:"next_attempt_at,omitempty"`
	Attempts    []attemptView   `json:"attempts"`
}

// attemptView is one delivery attempt.
type attemptView struct {
	Attempt     int     `json:"attempt"`
	AttemptedAt string  `json:"attempted_at"`
	StatusCode  int     `json:"status_code"`
	Error       string  `json:"error,omitempty"`
	DurationMS  float64 `json:"duration_ms"`
}

func viewDelivery(d notify.Delivery) deliveryView {
	v := deliveryView{
		EventID: d.Event.ID, EventType: d.Event.Type, OrderID: d.Event.OrderID, URL: d.Event.URL, Status: d.Status,
		Body: json.RawMessage(d.Event.Body), CreatedAt: apiTime(d.Event.CreatedAt), GiveUpAt: apiTime(d.GiveUpAt),
		Attempts: make([]attemptView, 0, len(d.Attempts)),
	}
	if !d.DeliveredAt.IsZero() {
		v.DeliveredAt = apiTime(d.DeliveredAt)
	}
	if !d.NextAttemptAt.IsZero() {
		v.NextAttempt = apiTime(d.NextAttemptAt)
	}
	for _, a := range d.Attempts {
		v.Attempts = append(v.Attempts, attemptView{Attempt: a.Number, AttemptedAt: apiTime(a.At), StatusCode: a.StatusCode,
			Error: a.Error, DurationMS: float64(a.Duration.Microseconds()) / 1000})
	}
	return v
}

// apiTime formats a time the way the public API does.
func apiTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
