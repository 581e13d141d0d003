// Package api is Tillit's HTTP edge: the merchant Payments and Order
// Management APIs in the public pay-later shape, the merchant's answers to
// stop requests and disputes, the consumer-side checkout
// API, the webhook delivery log, health, metrics and the OpenAPI document.
// Handlers decode and validate the transport, call the domain packages, and
// map domain error codes to HTTP status in one place (respond.go).
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/card"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/metrics"
	"github.com/tillit/tillit/internal/returns"
	"github.com/tillit/tillit/internal/stoprequest"
	"github.com/tillit/tillit/internal/store"
)

// API serves Tillit's HTTP endpoints.
type API struct {
	DB       *store.DB
	Checkout *checkout.Service
	Logger   *slog.Logger
	Metrics  *metrics.Registry
	// StopRequests serves the stop-request endpoints; nil answers them 404
	// (tests of the payment APIs alone).
	StopRequests *stoprequest.Service
	// Disputes serves the dispute endpoints; nil answers them 404.
	Disputes *dispute.Service
	// Returns serves an order's returns endpoints; nil answers them 404.
	Returns *returns.Service
	// Cards answers the card network's authorizations, which authenticate
	// with CardNetwork; nil or no credential answers them 404.
	Cards       *card.Service
	CardNetwork CardNetworkCredential
	// BaseURL, when set, is the public origin used in absolute URLs (Location
	// headers, badge URLs); otherwise the request's own host is used.
	BaseURL string
	mux     *access.Router
	auth    *merchant.Authenticator
}

// New builds the API and its routes.
func New(db *store.DB, svc *checkout.Service, logger *slog.Logger, reg *metrics.Registry, baseURL string) *API {
	a := &API{DB: db, Checkout: svc, Logger: logger, Metrics: reg, BaseURL: strings.TrimRight(baseURL, "/"), auth: merchant.NewAuthenticator(db)}
	a.mux = access.NewRouter(a.gate())
	a.routes()
	return a
}

func (a *API) routes() {
	m := a.mux
	// Payments API.
	m.HandleFunc("POST /payments/v1/sessions", a.createSession)
	m.HandleFunc("GET /payments/v1/sessions/{session_id}", a.getSession)
	m.HandleFunc("POST /payments/v1/sessions/{session_id}", a.updateSession)
	m.HandleFunc("POST /payments/v1/authorizations/{token}/order", a.createOrder)
	m.HandleFunc("DELETE /payments/v1/authorizations/{token}", a.cancelAuthorization)
	// Order Management API.
	const om = "/ordermanagement/v1/orders/{order_id}"
	m.HandleFunc("GET "+om, a.getOrder)
	m.HandleFunc("POST "+om+"/captures", a.capture)
	m.HandleFunc("GET "+om+"/captures", a.getCaptures)
	m.HandleFunc("GET "+om+"/captures/{capture_id}", a.getCapture)
	m.HandleFunc("POST "+om+"/captures/{capture_id}/shipping-info", a.captureShippingInfo)
	m.HandleFunc("POST "+om+"/refunds", a.refund)
	m.HandleFunc("GET "+om+"/refunds/{refund_id}", a.getRefund)
	m.HandleFunc("POST "+om+"/cancel", a.cancel)
	m.HandleFunc("POST "+om+"/release-remaining-authorization", a.releaseRemaining)
	m.HandleFunc("POST "+om+"/extend-authorization-time", a.extendAuthorization)
	m.HandleFunc("POST "+om+"/acknowledge", a.acknowledge)
	m.HandleFunc("POST "+om+"/shipping-info", a.shippingInfo)
	m.HandleFunc("PATCH "+om+"/merchant-references", a.merchantReferences)
	m.HandleFunc("GET "+om+"/returns", a.withReturns(a.listReturns))
	m.HandleFunc("POST "+om+"/returns/{return_id}/received", a.withReturns(a.markReturnReceived))
	// Webhook delivery log.
	m.HandleFunc("GET /notifications/v1/deliveries", a.deliveries)
	m.HandleFunc("GET /fraud/v1/stop-requests", a.withStopRequests(a.listStopRequests))
	m.HandleFunc("GET /fraud/v1/stop-requests/{stop_request_id}", a.withStopRequests(a.getStopRequest))
	m.HandleFunc("POST /fraud/v1/stop-requests/{stop_request_id}/answer", a.withStopRequests(a.answerStopRequest))
	m.HandleFunc("POST /fraud/v1/stop-requests/{stop_request_id}/confirm-removal", a.withStopRequests(a.confirmStopRequestRemoval))
	// Disputes (buyer protection): the merchant's answers.
	m.HandleFunc("GET /disputes/v1/disputes", a.withDisputes(a.listDisputes))
	m.HandleFunc("GET /disputes/v1/disputes/{dispute_id}", a.withDisputes(a.getDispute))
	m.HandleFunc("POST /disputes/v1/disputes/{dispute_id}/accept", a.withDisputes(a.acceptDispute))
	m.HandleFunc("POST /disputes/v1/disputes/{dispute_id}/contest", a.withDisputes(a.contestDispute))
	// Consumer side of checkout.
	m.HandleFunc("POST /checkout/v1/sessions/{session_id}/otp", a.requestOTP)
	m.HandleFunc("POST /checkout/v1/sessions/{session_id}/authorize", a.authorize)
	// Card network.
	m.HandleFunc("POST /cards/v1/authorizations", a.cardAuthorization)

	// Operations.
	m.HandleFunc("GET /healthz", a.healthz)
	m.HandleFunc("GET /readyz", a.readyz)
	m.HandleFunc("GET /metrics", a.metrics)
	m.HandleFunc("GET /openapi.json", a.openAPI)
	m.HandleFunc("GET /assets/payment-methods/{file}", a.methodBadge)
}

// Handler returns the API wrapped in its middleware.
func (a *API) Handler() http.Handler {
	return http.HandlerFunc(a.serve)
}

// serve gives every request a correlation id, answers unknown routes and
// wrong methods in the public error shape, recovers from panics, and records
// metrics and an access log line without personal data.
func (a *API) serve(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	cid := newCorrelationID()
	r = r.WithContext(context.WithValue(r.Context(), correlationKey{}, cid))
	w.Header().Set("Correlation-Id", cid)
	w.Header().Set("Klarna-Correlation-Id", cid)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	_, pattern := a.mux.Handler(r)
	route := pattern
	defer func() {
		if p := recover(); p != nil {
			a.Logger.ErrorContext(r.Context(), "panic serving request", slog.String("correlation_id", cid), slog.Any("panic", p))
			if !rec.wrote {
				a.writeError(rec, r, errInternal)
			}
		}
		d := time.Since(start)
		if route == "" {
			route = "unmatched"
		}
		a.Metrics.ObserveRequest(route, rec.status, d)
		a.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("route", route), slog.Int("status", rec.status),
			slog.Float64("ms", float64(d.Microseconds())/1000), slog.String("correlation_id", cid))
	}()
	if pattern == "" {
		a.unmatched(rec, r)
		return
	}
	a.mux.ServeHTTP(rec, r)
}

// unmatched answers 405 when the path exists for another method, else 404.
func (a *API) unmatched(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodPut} {
		probe := r.Clone(r.Context())
		probe.Method = method
		if _, p := a.mux.Handler(probe); p != "" {
			allowed = append(allowed, method)
			if method == http.MethodGet {
				allowed = append(allowed, http.MethodHead)
			}
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		a.writeError(w, r, errMethod)
		return
	}
	a.writeError(w, r, errNoRoute)
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// baseURL is the origin for absolute URLs in responses.
func (a *API) baseURL(r *http.Request) string {
	if a.BaseURL != "" {
		return a.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
