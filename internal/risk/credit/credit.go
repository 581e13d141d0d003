// Package credit is the credit decision of the risk assessment (issue 5,
// P4): whether Tillit can lend this person the purchase amount, judged from
// what they already owe (their open balance), how they have paid before
// (overdue, late and failed payments) and, for larger amounts, a credit
// bureau's report. Credit granted always equals the purchase amount
// exactly; the stage only decides yes, wait for a person, or no.
//
// The rules, in order, each with its reason code:
//
//   - open balance plus this purchase above Config.MaxOpenBalance:
//     REJECTED, CREDIT_OPEN_BALANCE_LIMIT;
//   - an instalment overdue now (or in collection): REJECTED, CREDIT_ARREARS;
//   - repeated late or failed payments in the last Config.HistoryMonths:
//     PENDING, CREDIT_LATE_HISTORY (the person pays, only late: an analyst
//     weighs the history rather than the rule refusing for good);
//   - when nothing above rejected and open balance plus purchase is above
//     Config.BureauThreshold, the bureau is asked (or its report of the last
//     Config.BureauCacheFor reused): payment remarks or a score below
//     Config.MinBureauScore give REJECTED, CREDIT_BUREAU_DECLINE; no answer
//     gives PENDING, CREDIT_BUREAU_UNAVAILABLE.
//
// Purchases of test-mode merchants are measured and recorded but the rules
// do not decide and no real bureau is asked: their integrations reach the
// bureau's answers through e-mail tags (TestTag), so a playground behaves
// the same every time. docs/credit.md describes the policy.
package credit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/disclosure"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/store"
)

// Reason codes of the credit decision.
const (
	ReasonOpenBalanceLimit  = "CREDIT_OPEN_BALANCE_LIMIT"
	ReasonArrears           = "CREDIT_ARREARS"
	ReasonLateHistory       = "CREDIT_LATE_HISTORY"
	ReasonBureauDecline     = "CREDIT_BUREAU_DECLINE"
	ReasonBureauUnavailable = "CREDIT_BUREAU_UNAVAILABLE"
)

// Names of the counters the stage adds to (package metrics).
const (
	MetricBureauCalls      = "tillit_credit_bureau_calls_total"
	MetricBureauErrors     = "tillit_credit_bureau_errors_total"
	MetricBureauCacheHits  = "tillit_credit_bureau_cache_hits_total"
	MetricBureauTestAnswer = "tillit_credit_bureau_test_answers_total"
)

// Config is the credit policy. Amounts are minor units of the purchase's
// currency.
type Config struct {
	// MaxOpenBalance is the most a person may owe, this purchase included.
	MaxOpenBalance int64
	// BureauThreshold: the bureau is asked when open balance plus purchase
	// is above it; below, a person is judged on Tillit's own history.
	BureauThreshold int64
	// BureauCacheFor is how long a bureau report is used before the bureau
	// is asked again.
	BureauCacheFor time.Duration
	// BureauTimeout is how long the bureau may take to answer.
	BureauTimeout time.Duration
	// MinBureauScore is the lowest bureau score (0–999) granted credit
	// above the threshold.
	MinBureauScore int
	// ArrearsGraceDays are the days after an instalment's due day during
	// which it does not yet count as overdue.
	ArrearsGraceDays int
	// CollectionDays: an instalment overdue this many days is in
	// collection (past the last overdue reminder).
	CollectionDays int
	// LateGraceDays are the days after the due day within which a payment
	// is not late.
	LateGraceDays int
	// HistoryMonths is how far back late and failed payments count.
	HistoryMonths int
	// LateReviewCount late instalments, or FailedReviewCount failed
	// payments, within HistoryMonths send a purchase to review.
	LateReviewCount   int
	FailedReviewCount int
}

// DefaultConfig returns the policy Tillit ships with: at most 75,000.00
// owed in all (one purchase at the 50,000.00 credit limit and 25,000.00
// more); the bureau asked from 5,000.00, its reports used for 30 days and
// a score of 300 (band D) needed; arrears from the day after the due day,
// in collection after 30 days (past the third overdue reminder at 27
// days); review after 2 late instalments or 3 failed payments in 12
// months.
func DefaultConfig() Config {
	return Config{
		MaxOpenBalance:    7_500_000,
		BureauThreshold:   500_000,
		BureauCacheFor:    30 * 24 * time.Hour,
		BureauTimeout:     2 * time.Second,
		MinBureauScore:    300,
		ArrearsGraceDays:  0,
		CollectionDays:    30,
		LateGraceDays:     0,
		HistoryMonths:     12,
		LateReviewCount:   2,
		FailedReviewCount: 3,
	}
}

// Validate reports a policy that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.MaxOpenBalance <= 0 || c.BureauThreshold < 0 {
		errs = append(errs, fmt.Errorf("credit: max open balance (%d) must be positive and the bureau threshold (%d) not negative", c.MaxOpenBalance, c.BureauThreshold))
	}
	if c.BureauCacheFor < 0 || c.BureauTimeout <= 0 {
		errs = append(errs, fmt.Errorf("credit: bureau cache period (%s) must not be negative and timeout (%s) must be positive", c.BureauCacheFor, c.BureauTimeout))
	}
	if c.MinBureauScore < 0 || c.MinBureauScore > 999 {
		errs = append(errs, fmt.Errorf("credit: minimum bureau score %d is outside 0-999", c.MinBureauScore))
	}
	if c.ArrearsGraceDays < 0 || c.LateGraceDays < 0 || c.CollectionDays <= c.ArrearsGraceDays || c.HistoryMonths <= 0 {
		errs = append(errs, fmt.Errorf("credit: grace days must not be negative, collection days (%d) must exceed the arrears grace (%d) and history months (%d) be positive",
			c.CollectionDays, c.ArrearsGraceDays, c.HistoryMonths))
	}
	if c.LateReviewCount <= 0 || c.FailedReviewCount <= 0 {
		errs = append(errs, fmt.Errorf("credit: review counts (late %d, failed %d) must be positive", c.LateReviewCount, c.FailedReviewCount))
	}
	return errors.Join(errs...)
}

// Version names the policy for decision records: "credit-" and a digest of
// every setting, so two records with the same version were decided by the
// same policy.
func (c Config) Version() string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d|%d|%d|%d|%d|%d|%d|%d|%d|%d|%d", c.MaxOpenBalance, c.BureauThreshold, c.BureauCacheFor,
		c.BureauTimeout, c.MinBureauScore, c.ArrearsGraceDays, c.CollectionDays, c.LateGraceDays, c.HistoryMonths, c.LateReviewCount, c.FailedReviewCount))
	return "credit-" + hex.EncodeToString(sum[:4])
}

// Counter counts events by name; *metrics.Registry is one.
type Counter interface {
	Inc(name string)
}

// Stage is the credit decision. It is safe for concurrent use.
type Stage struct {
	db      *store.DB
	bureau  Bureau
	test    Bureau
	cfg     Config
	version string
	counter Counter
}

// NewStage returns the credit decision over db, asking bureau (the
// simulated one when nil) for larger amounts and counting bureau calls in
// counter (none when nil). Errors: an invalid policy.
func NewStage(db *store.DB, bureau Bureau, cfg Config, counter Counter) (*Stage, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if bureau == nil {
		bureau = Simulated{}
	}
	return &Stage{db: db, bureau: bureau, test: Simulated{}, cfg: cfg, version: cfg.Version(), counter: counter}, nil
}

// Config returns the stage's policy.
func (s *Stage) Config() Config { return s.cfg }

// TestTag returns the scripted bureau answer a test-mode purchase asks for
// with its e-mail address: "+bureau-decline" (TestDecline) or
// "+bureau-unavailable" (TestUnavailable) in the local part; "" for none.
func TestTag(email string) string {
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	switch {
	case strings.Contains(local, "+bureau-decline"):
		return TestDecline
	case strings.Contains(local, "+bureau-unavailable"):
		return TestUnavailable
	}
	return ""
}

// Assess implements risk.Assessor. Errors: the database's.
func (s *Stage) Assess(ctx context.Context, in risk.Input) (risk.Decision, error) {
	subject := Subject{IdentityKey: in.Keys.Email, DateOfBirth: in.DateOfBirth, Country: in.BillingCountry}
	var (
		h      History
		cached Report
		found  bool
	)
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if h, err = ReadHistory(tx, in.PersonID, in.Currency, in.Now, s.cfg); err != nil {
			return err
		}
		if !in.TestMode && subject.IdentityKey != "" && s.cfg.BureauCacheFor > 0 {
			cached, found, err = storedReport(tx, subject, in.Now.Add(-s.cfg.BureauCacheFor))
		}
		return err
	})
	if err != nil {
		return risk.Decision{}, fmt.Errorf("credit: read history: %w", err)
	}
	d := risk.Decision{
		Outcome:  risk.Accepted,
		Versions: map[string]string{"credit_policy": s.version},
		Summary: map[string]string{
			"open_balance":        strconv.FormatInt(h.OpenBalance, 10),
			"overdue_count":       strconv.Itoa(h.Overdue),
			"collection_count":    strconv.Itoa(h.InCollection),
			"late_count_12m":      strconv.Itoa(h.Late),
			"failed_payments_12m": strconv.Itoa(h.FailedPayments),
			"bureau_called":       "false",
			"bureau_score":        "none",
		},
	}
	if in.TestMode {
		d.Summary["test_mode"] = "measured, not applied"
		if tag := TestTag(in.Email); tag != "" {
			subject.Test = tag
			s.ask(ctx, &d, s.test, subject, false)
			s.count(MetricBureauTestAnswer)
		}
		return d, nil
	}
	exposure := h.OpenBalance + in.Amount
	if exposure > s.cfg.MaxOpenBalance {
		worsen(&d, risk.Rejected, ReasonOpenBalanceLimit)
	}
	if h.Overdue > 0 {
		worsen(&d, risk.Rejected, ReasonArrears)
	}
	if h.Late >= s.cfg.LateReviewCount || h.FailedPayments >= s.cfg.FailedReviewCount {
		worsen(&d, risk.Pending, ReasonLateHistory)
	}
	if d.Outcome == risk.Rejected || exposure <= s.cfg.BureauThreshold {
		return d, nil
	}
	if found {
		s.count(MetricBureauCacheHits)
		d.Summary["bureau_cached"] = "true"
		s.judge(&d, cached)
		return d, nil
	}
	rep, answered := s.ask(ctx, &d, s.bureau, subject, true)
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := s.disclosed(tx, in.PersonID, subject, rep); err != nil {
			return err
		}
		if !answered || subject.IdentityKey == "" || s.cfg.BureauCacheFor <= 0 {
			return nil
		}
		// Reports past the cache period serve nothing: they go as new
		// ones come.
		if _, err := PurgeReports(tx, tx.Now.Add(-s.cfg.BureauCacheFor)); err != nil {
			return err
		}
		return storeReport(tx, subject, rep)
	})
	if err != nil {
		return risk.Decision{}, fmt.Errorf("credit: keep bureau report: %w", err)
	}
	return d, nil
}

// ask asks bureau about subject within the timeout and puts its answer
// into d; ok is false when it did not answer.
func (s *Stage) ask(ctx context.Context, d *risk.Decision, bureau Bureau, subject Subject, live bool) (Report, bool) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.BureauTimeout)
	defer cancel()
	if live {
		s.count(MetricBureauCalls)
	}
	d.Summary["bureau_called"] = "true"
	rep, err := bureau.Lookup(ctx, subject)
	if err != nil {
		if live {
			s.count(MetricBureauErrors)
		}
		d.Summary["bureau_score"] = "unavailable"
		worsen(d, risk.Pending, ReasonBureauUnavailable)
		return Report{}, false
	}
	s.judge(d, rep)
	return rep, true
}

// disclosed writes the inquiry to the disclosure log (D10): the person's
// keyed identity, date of birth and country went to a credit bureau for
// the credit assessment. A buyer Tillit had not met becomes a person here
// (checkout would make them one in the same authorization): the bureau
// now knows of them, and the log must say so.
func (s *Stage) disclosed(tx *store.Tx, personID string, subject Subject, r Report) error {
	if personID == "" {
		if subject.IdentityKey == "" {
			return nil
		}
		var err error
		if personID, err = person.Resolve(tx, subject.IdentityKey); err != nil {
			return err
		}
	}
	name := "Credit bureau"
	if n, ok := s.bureau.(interface{ Name() string }); ok {
		name = n.Name()
	}
	p, _ := privacy.LookupPurpose(privacy.PurposeCreditAssessment)
	_, err := disclosure.Record(tx, disclosure.Disclosure{
		PersonID: personID, RecipientKind: disclosure.CreditBureau, RecipientName: name,
		Categories: []privacy.CategoryID{privacy.CategoryLookupKeys, privacy.CategoryDateOfBirth, privacy.CategoryAddress},
		Purpose:    p.ID, LegalBasis: p.Basis, Reference: r.Reference,
	})
	return err
}

// judge applies a bureau report to d.
func (s *Stage) judge(d *risk.Decision, r Report) {
	d.Summary["bureau_score"] = strconv.Itoa(r.Score)
	d.Summary["bureau_band"] = r.Band
	d.Summary["bureau_remarks"] = strconv.FormatBool(r.Remarks)
	if r.Bureau != "" {
		d.Versions["bureau"] = r.Bureau
	}
	if r.Remarks || r.Score < s.cfg.MinBureauScore {
		worsen(d, risk.Rejected, ReasonBureauDecline)
	}
}

// worsen adds reason to d and raises its outcome to outcome when that is
// more severe.
func worsen(d *risk.Decision, outcome, reason string) {
	d.Reasons = append(d.Reasons, reason)
	if outcome == risk.Rejected || d.Outcome == risk.Accepted {
		d.Outcome = outcome
	}
}

func (s *Stage) count(name string) {
	if s.counter != nil {
		s.counter.Inc(name)
	}
}
