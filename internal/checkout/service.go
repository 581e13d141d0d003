// Package checkout owns payment sessions, consumer authorizations, orders and
// order management (P2, P5): the merchant-facing Payments and Order Management
// APIs' rules, and the money those operations move through the ledger.
//
// Reads take a context; every change runs in one store transaction so that the
// order row, its captures or refunds, the ledger postings, enqueued jobs and
// webhook events commit together. Order-management changes take the caller's
// *store.Tx so the API layer can record the idempotent response in the same
// transaction.
package checkout

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"time"

	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Lifetimes of the objects checkout hands out.
const (
	SessionLifetime       = 48 * time.Hour
	AuthorizationLifetime = 60 * time.Minute
	MaxAuthorizationAge   = 180 * 24 * time.Hour
	OTPLifetime           = 10 * time.Minute
	OTPMaxAttempts        = 5
	// TestReviewDelay is how long a test-mode order tagged for manual review
	// stays PENDING before it resolves.
	TestReviewDelay = 5 * time.Minute
	// TestOTP is the one-time code merchants in test mode accept.
	TestOTP = "123456"
)

// Order statuses (P5).
const (
	StatusAuthorized   = "AUTHORIZED"
	StatusPartCaptured = "PART_CAPTURED"
	StatusCaptured     = "CAPTURED"
	StatusCancelled    = "CANCELLED"
	StatusExpired      = "EXPIRED"
	StatusClosed       = "CLOSED"
)

// Fraud statuses; STOPPED is set by a stop request.
const (
	FraudAccepted = risk.Accepted
	FraudPending  = risk.Pending
	FraudRejected = risk.Rejected
	FraudStopped  = "STOPPED"
)

// Service runs checkout and order management.
type Service struct {
	DB       *store.DB
	Assessor risk.Assessor
	Logger   *slog.Logger
	// Plans keeps each order's payment plan in step with it; nil leaves
	// orders without plans (tests of checkout alone).
	Plans *repayment.Service
	// Vault seals the personal data of sessions, authorizations and orders.
	Vault *vault.Vault
	// AfterAssessment, when set, runs in the transaction that records an
	// authorization's assessment, with the person and the purchase's keys:
	// the post-approval review looks there for a device seen on many
	// identities.
	AfterAssessment func(tx *store.Tx, personID string, keys risk.Keys) error
	// FraudConfirmed, when set, runs in the transaction of a decision that
	// rejects or stops an order (DecideFraudStatus): the post-approval
	// review labels the order fraud and re-assesses the orders linked to
	// it.
	FraudConfirmed func(tx *store.Tx, actor, orderID, status string) error
	// OnStopped, when set, runs in the transaction that sets an order's
	// fraud status STOPPED, before the merchant is notified: package
	// stoprequest opens the order's stop request and returns the answer
	// form's link, which the FRAUD_RISK_STOPPED notification carries.
	OnStopped func(tx *store.Tx, orderID string) (formURL string, err error)
	// OnRefund, when set, runs in the transaction of a refund after the
	// plan took it: package returns closes the order's registered return.
	OnRefund func(tx *store.Tx, orderID, refundID string, amount int64) error
	// Frozen, when set, tells whether a person has frozen their account
	// (package card, T10); Authorize declines a frozen person's purchase
	// with ACCOUNT_FROZEN.
	Frozen func(tx *store.Tx, personID string) (bool, error)
	// tokenKey signs client tokens; it comes from the instance secret so every
	// process sharing the database accepts the same tokens.
	tokenKey []byte
	// lookupKey keys the consumer lookup hash (ids.ConsumerKey) that finds
	// the person an authorization is about.
	lookupKey string
}

// New returns a Service. tokenKey and lookupKey (the instance secret
// ids.ConsumerKeySecret) must be the same for every process that shares the
// database.
func New(db *store.DB, assessor risk.Assessor, vlt *vault.Vault, tokenKey, lookupKey string, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.Default()
	}
	return &Service{DB: db, Assessor: assessor, Vault: vlt, Logger: logger, tokenKey: []byte(tokenKey), lookupKey: lookupKey}
}

// clientToken derives the consumer-side bearer token of a session.
func (s *Service) clientToken(sessionID string) string {
	mac := hmac.New(sha256.New, s.tokenKey)
	mac.Write([]byte("client_token:" + sessionID))
	return "ct1." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// validClientToken compares in constant time.
func (s *Service) validClientToken(sessionID, token string) bool {
	return hmac.Equal([]byte(s.clientToken(sessionID)), []byte(token))
}

// timestamp formats times the way the public API does.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
