package api

import (
	_ "embed"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"

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
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": out})
}
