// Package postapproval re-assesses approved orders that are not yet shipped
// when new signals arrive, and keeps the security analysts' review of the
// orders found high-risk (requirements T2, T3; table risk_reviews).
//
// A Signal names what happened (a linked identity confirmed as fraud, a
// device seen on many identities, a failed payment, a screening list hit)
// and what it concerns: orders, a person or a device key. Raise finds the
// approved orders it concerns that can still be stopped (fraud status
// ACCEPTED, status AUTHORIZED, nothing captured), stores an automated
// decision record of kind reassessment for each (outcome PENDING, a
// POST_APPROVAL_* reason code) and opens a review of the order, or adds the
// signal to the review already open. Signals carry codes, never personal
// data.
//
// The queue (List) orders open reviews by priority: the amount at stake
// times the order's risk (the fraud model's latest score combined with the
// signals' severity), weighted by how soon the goods ship (the order's
// capture deadline; see Priority and docs/risk-review.md).
//
// Security analysts (Roles, and admin) act on a review with a reason: clear
// it, contact the customer (a verification request the consumer answers in
// the app, which puts the review back in the queue with the answer), reject
// the order or stop it. Rejecting or stopping sets the order's fraud status
// through package checkout, which notifies the merchant (FRAUD_RISK_REJECTED
// or FRAUD_RISK_STOPPED, with the order id and nothing about the consumer or
// why), labels the order confirmed fraud in the purchase history and raises
// linked_fraud for the orders that share its e-mail address, phone, device or
// shipping address. Every action is audited and checked against the version
// the analyst saw.
package postapproval

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/rail"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/history"
	"github.com/tillit/tillit/internal/risk/record"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Kind is what a signal reports.
type Kind string

// Signal kinds.
const (
	// LinkedFraud: an order sharing the e-mail address, phone, device or
	// shipping address was confirmed fraud (rejected or stopped by an
	// analyst).
	LinkedFraud Kind = "linked_fraud"
	// DeviceIdentities: the order's device was seen with many persons
	// within Config.DeviceWindow.
	DeviceIdentities Kind = "device_many_identities"
	// PaymentFailed: a payment the person made failed at the rail.
	PaymentFailed Kind = "payment_failed"
	// ScreeningHit: a sanctions or PEP list update matched the person.
	ScreeningHit Kind = "screening_hit"
)

// Kinds lists the signal kinds.
var Kinds = []Kind{LinkedFraud, DeviceIdentities, PaymentFailed, ScreeningHit}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Reason is the reason code a reassessment after the signal carries.
func (k Kind) Reason() string {
	switch k {
	case LinkedFraud:
		return ReasonLinkedFraud
	case DeviceIdentities:
		return ReasonDeviceIdentities
	case PaymentFailed:
		return ReasonPaymentFailed
	}
	return ReasonScreeningHit
}

// Severity is how much a signal of the kind alone says the order is fraud,
// as a probability; the queue combines it with the fraud model's score.
func (k Kind) Severity() float64 {
	switch k {
	case ScreeningHit:
		return 0.9
	case LinkedFraud:
		return 0.7
	case DeviceIdentities:
		return 0.4
	}
	return 0.25
}

// Reason codes of reassessments.
const (
	ReasonLinkedFraud      = "POST_APPROVAL_LINKED_FRAUD"
	ReasonDeviceIdentities = "POST_APPROVAL_DEVICE_IDENTITIES"
	ReasonPaymentFailed    = "POST_APPROVAL_PAYMENT_FAILED"
	ReasonScreeningHit     = "POST_APPROVAL_SCREENING_HIT"
)

// Signal is something that happened after approval and what it concerns.
// Set one or more of OrderIDs, PersonID and DeviceKey; the orders concerned
// are their union.
type Signal struct {
	Kind Kind
	// OrderIDs are orders the signal is about.
	OrderIDs []string
	// PersonID names a person: every approved, unshipped order of theirs.
	PersonID string
	// DeviceKey is a device's keyed hash (risk.Keys.Device): the approved,
	// unshipped orders placed from it within Config.DeviceWindow.
	DeviceKey string
	// Detail is a code saying more (which key linked the orders, the rail's
	// failure reason, the list): lower-case letters, digits and _.:-, at
	// most 64; never personal data.
	Detail string
	// Source is the order the signal came from (the confirmed fraud of a
	// linked_fraud), if any.
	Source string
	// By names who or what raised it, for the review's opened_by: a staff
	// actor ("staff:<id>") or a component ("system:rail").
	By string
}

// detailPattern is what a signal's detail may hold.
var detailPattern = regexp.MustCompile(`^[a-z0-9_.:-]{0,64}$`)

// Mark is one signal as a review keeps it.
type Mark struct {
	Kind   Kind      `json:"kind"`
	Detail string    `json:"detail,omitempty"`
	Source string    `json:"source,omitempty"`
	At     time.Time `json:"at"`
}

// Config tunes the signals.
type Config struct {
	// LinkWindow is how far before and after a confirmed fraud an order
	// sharing a key with it is linked (history.Linked).
	LinkWindow time.Duration
	// DeviceWindow is how far back DeviceSeen counts the persons on a
	// device, and which orders on it a device_many_identities signal
	// concerns.
	DeviceWindow time.Duration
	// DeviceThreshold is how many distinct persons on one device within
	// DeviceWindow raise device_many_identities.
	DeviceThreshold int
}

// DefaultConfig links orders within 30 days and raises
// device_many_identities at 4 persons on one device within 7 days.
func DefaultConfig() Config {
	return Config{LinkWindow: 30 * 24 * time.Hour, DeviceWindow: 7 * 24 * time.Hour, DeviceThreshold: 4}
}

// Roles may work reviews; admin always may.
var Roles = []account.Role{account.RoleSecurityAnalyst}

// MayWork reports whether a member of staff with role may read and act on
// reviews.
func MayWork(role account.Role) bool {
	return role == account.RoleAdmin || slices.Contains(Roles, role)
}

// Service re-assesses approved orders and keeps their reviews.
type Service struct {
	db       *store.DB
	checkout *checkout.Service
	vault    *vault.Vault
	// lookupKey is the instance secret ids.ConsumerKeySecret, which keys
	// the outbox's recipient hashes.
	lookupKey string
	cfg       Config
	log       *slog.Logger
}

// New returns the service. checkout sets fraud statuses and cancels
// orders; vlt seals customers' answers and the verification mails, under
// lookupKey (ids.ConsumerKeySecret). A zero cfg means DefaultConfig.
func New(db *store.DB, co *checkout.Service, vlt *vault.Vault, lookupKey string, cfg Config, logger *slog.Logger) *Service {
	if cfg == (Config{}) {
		cfg = DefaultConfig()
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Service{db: db, checkout: co, vault: vlt, lookupKey: lookupKey, cfg: cfg, log: logger}
}

// DB is the database the reviews are kept in.
func (s *Service) DB() *store.DB { return s.db }

// target is an order a signal concerns.
type target struct {
	orderID, personID, merchantID string
	amount                        int64
	currency                      string
	expiresAt                     int64
}

// reviewable selects the orders a signal can still act on: approved,
// authorized and nothing captured (not shipped).
const reviewable = `o.fraud_status = '` + checkout.FraudAccepted + `' AND o.status = '` + checkout.StatusAuthorized + `' AND o.captured_amount = 0`

// Raise re-assesses the approved, unshipped orders the signal concerns in
// tx: a decision record of kind reassessment for each, and a review opened
// or, when one is live, the signal added to it. It returns the orders it
// reviewed. Errors: BAD_VALUE (an unknown kind, a malformed detail, or a
// signal that concerns nothing).
func (s *Service) Raise(tx *store.Tx, sig Signal) ([]string, error) {
	switch {
	case !sig.Kind.Valid():
		return nil, apperr.BadField("kind", "must be one of %v", Kinds)
	case !detailPattern.MatchString(sig.Detail):
		return nil, apperr.BadField("detail", "must be a code: lower-case letters, digits and _.:-, at most 64")
	case len(sig.OrderIDs) == 0 && sig.PersonID == "" && sig.DeviceKey == "":
		return nil, apperr.BadField("signal", "must name orders, a person or a device")
	}
	targets, err := s.targets(tx, sig)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(targets))
	for _, t := range targets {
		if err := s.reassess(tx, t, sig); err != nil {
			return nil, err
		}
		out = append(out, t.orderID)
	}
	return out, nil
}

// targets returns the reviewable orders sig concerns, oldest first, each
// once.
func (s *Service) targets(tx *store.Tx, sig Signal) ([]target, error) {
	var (
		conds []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	var in []string
	for _, id := range sig.OrderIDs {
		if ids.Valid(id) {
			in = append(in, arg(id))
		}
	}
	if len(in) > 0 {
		conds = append(conds, `o.id IN (`+strings.Join(in, ", ")+`)`)
	}
	if sig.PersonID != "" {
		conds = append(conds, `o.person_id = `+arg(sig.PersonID))
	}
	if sig.DeviceKey != "" {
		conds = append(conds, `o.id IN (SELECT h.order_id FROM risk_observations h WHERE h.device_key = `+arg(sig.DeviceKey)+
			` AND h.order_id IS NOT NULL AND h.created_at >= `+arg(store.Micros(tx.Now.Add(-s.cfg.DeviceWindow)))+`)`)
	}
	if len(conds) == 0 {
		return nil, nil
	}
	rows, err := tx.Query(`SELECT o.id, COALESCE(o.person_id, ''), o.merchant_id, o.order_amount, o.purchase_currency, o.expires_at
		FROM orders o WHERE (`+strings.Join(conds, " OR ")+`) AND `+reviewable+` ORDER BY o.created_at, o.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []target
	for rows.Next() {
		var t target
		if err := rows.Scan(&t.orderID, &t.personID, &t.merchantID, &t.amount, &t.currency, &t.expiresAt); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// latestScore is the fraud model's latest score of an order, in parts per
// million (0 when nothing scored it).
func latestScore(tx *store.Tx, orderID string) (int64, error) {
	var ppm int64
	err := tx.QueryRow(`SELECT COALESCE(MAX(score_ppm), 0) FROM risk_assessments WHERE order_id = $1 AND created_at =
		(SELECT MAX(created_at) FROM risk_assessments WHERE order_id = $1)`, orderID).Scan(&ppm)
	return ppm, err
}

// reassess records the reassessment of one order and opens or updates its
// review. A signal the order's live review already holds changes nothing,
// so a hook that runs again (a retried job) records nothing twice.
func (s *Service) reassess(tx *store.Tx, t target, sig Signal) error {
	mark := Mark{Kind: sig.Kind, Detail: sig.Detail, Source: sig.Source, At: tx.Now}
	r, err := liveReview(tx, t.orderID)
	if err != nil {
		return err
	}
	if r != nil && slices.ContainsFunc(r.Signals, func(m Mark) bool { return m.Kind == mark.Kind && m.Detail == mark.Detail && m.Source == mark.Source }) {
		return nil
	}
	score, err := latestScore(tx, t.orderID)
	if err != nil {
		return err
	}
	summary := map[string]string{"signal": string(sig.Kind)}
	if sig.Detail != "" {
		summary["detail"] = sig.Detail
	}
	if sig.Source != "" {
		summary["source_order"] = sig.Source
	}
	_, err = record.Save(tx, record.Assessment{
		Kind: record.KindReassessment, OrderID: t.orderID, PersonID: t.personID, MerchantID: t.merchantID, Signal: string(sig.Kind),
		Decision: risk.Decision{Outcome: risk.Pending, Reasons: []string{sig.Kind.Reason()}, Score: float64(score) / 1e6,
			Versions: map[string]string{"postapproval": Version}, Summary: summary},
	})
	if err != nil {
		return err
	}
	now := store.Micros(tx.Now)
	if r == nil {
		marks, err := json.Marshal([]Mark{mark})
		if err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO risk_reviews (id, order_id, person_id, merchant_id, status, open_key, signals, amount, currency,
			score_ppm, severity_ppm, ship_by, opened_at, opened_by, updated_at) VALUES ($1, $2, $3, $4, $5, $2, $6, $7, $8, $9, $10, $11, $12, $13, $12)`,
			ids.New(), t.orderID, nullable(t.personID), t.merchantID, string(StatusOpen), string(marks), t.amount, t.currency,
			score, severityPPM([]Mark{mark}), t.expiresAt, now, sig.By)
		return err
	}
	r.Signals = append(r.Signals, mark)
	marks, err := json.Marshal(r.Signals)
	if err != nil {
		return err
	}
	return tx.ExecOne(`UPDATE risk_reviews SET signals = $1, severity_ppm = $2, score_ppm = $3, amount = $4, ship_by = $5, updated_at = $6,
		version = version + 1 WHERE id = $7 AND version = $8`,
		string(marks), severityPPM(r.Signals), score, t.amount, t.expiresAt, now, r.ID, r.Version)
}

// Version is the version of the reassessment logic the decision records
// name.
const Version = "1"

// severityPPM combines the severities of the signals' kinds, each kind
// once, as independent evidence: 1 - Π(1 - severity).
func severityPPM(marks []Mark) int64 {
	seen := map[Kind]bool{}
	clean := 1.0
	for _, m := range marks {
		if !seen[m.Kind] {
			seen[m.Kind] = true
			clean *= 1 - m.Kind.Severity()
		}
	}
	return int64(math.Round((1 - clean) * 1e6))
}

// FraudConfirmed acts on an order confirmed as fraud (rejected or stopped
// by an analyst, here or in the manual review of a PENDING order): it
// labels the order in the purchase history, closes a live review of it as
// status (StatusRejected or StatusStopped) and raises linked_fraud for the
// orders that share its e-mail address, phone, device or shipping address
// within Config.LinkWindow. actor names who decided ("staff:<id>"). It
// returns the linked orders it reviewed.
func (s *Service) FraudConfirmed(tx *store.Tx, actor, orderID string, status Status) ([]string, error) {
	if status != StatusRejected && status != StatusStopped {
		return nil, apperr.BadField("status", "must be rejected or stopped")
	}
	if err := history.Label(tx, orderID, true); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(`UPDATE risk_reviews SET status = $1, open_key = NULL, closed_at = $2, closed_by = $3, updated_at = $2,
		updated_by = $3, version = version + 1 WHERE open_key = $4`, string(status), store.Micros(tx.Now), actor, orderID); err != nil {
		return nil, err
	}
	links, err := history.Linked(tx, orderID, s.cfg.LinkWindow)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range links {
		reviewed, err := s.Raise(tx, Signal{Kind: LinkedFraud, OrderIDs: []string{l.OrderID}, Detail: l.Via, Source: orderID, By: actor})
		if err != nil {
			return nil, err
		}
		for _, id := range reviewed {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// DeviceSeen raises device_many_identities for the approved, unshipped
// orders placed from a device when Config.DeviceThreshold or more persons
// were seen on it within Config.DeviceWindow. Checkout calls it after
// recording an authorization's observation (history.Record), with the
// device's keyed hash; "" does nothing. It returns the orders it reviewed.
func (s *Service) DeviceSeen(tx *store.Tx, deviceKey string) ([]string, error) {
	if deviceKey == "" {
		return nil, nil
	}
	n, err := history.PersonsOn(tx, history.DeviceKey, deviceKey, tx.Now, s.cfg.DeviceWindow)
	if err != nil || n < s.cfg.DeviceThreshold {
		return nil, err
	}
	return s.Raise(tx, Signal{Kind: DeviceIdentities, DeviceKey: deviceKey, Detail: fmt.Sprintf("persons_%d", n), By: "system:history"})
}

// Assessed is DeviceSeen in the shape of a hook after an authorization's
// assessment: the person assessed and the purchase's keys.
func (s *Service) Assessed(tx *store.Tx, _ string, keys risk.Keys) error {
	_, err := s.DeviceSeen(tx, keys.Device)
	return err
}

// TransferFailed raises payment_failed for the approved, unshipped orders
// of the person whose payment (a collect transfer) failed, with the rail's
// failure reason as detail. Chain it after the repayment service's hook on
// rail.Service.OnFailed; payouts and transfers of unknown orders do
// nothing.
func (s *Service) TransferFailed(tx *store.Tx, t rail.Transfer) error {
	if t.Direction != rail.Collect || t.OrderID == "" {
		return nil
	}
	var personID string
	if err := tx.QueryRow(`SELECT COALESCE(person_id, '') FROM orders WHERE id = $1`, t.OrderID).Scan(&personID); err != nil || personID == "" {
		return ignoreNoRows(err)
	}
	detail := strings.ToLower(t.FailureReason)
	if !detailPattern.MatchString(detail) {
		detail = "failed"
	}
	_, err := s.Raise(tx, Signal{Kind: PaymentFailed, PersonID: personID, Detail: detail, Source: t.OrderID, By: "system:rail"})
	return err
}

// ScreeningHit raises screening_hit for a person a list reload matched:
// the given orders and every approved, unshipped order of theirs. detail
// is a code naming the list and entry (never a name): other characters
// than lower-case letters, digits and _.:- become _, and one longer than 64
// is replaced by "list_update". The app adapts it to the screening
// service's OnHit hook; running it again for the same hit changes
// nothing.
func (s *Service) ScreeningHit(tx *store.Tx, personID string, orderIDs []string, detail string) error {
	detail = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("_.:-", r) {
			return r
		}
		return '_'
	}, strings.ToLower(detail))
	if detail == "" || len(detail) > 64 {
		detail = "list_update"
	}
	_, err := s.Raise(tx, Signal{Kind: ScreeningHit, PersonID: personID, OrderIDs: orderIDs, Detail: detail, By: "system:screening"})
	return err
}

// nullable maps "" to NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
