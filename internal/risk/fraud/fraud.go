// Package fraud is the learned fraud model's stage of the risk assessment
// (T1): for each purchase it reads the purchases that share a key with it
// and the merchant's aggregates from package history, computes the
// features of package features exactly as training does, scores them with
// the model of package model and compares the probability with two
// thresholds: at or above Review the purchase waits for an analyst
// (PENDING, FRAUD_SCORE_REVIEW), at or above Reject it is declined
// (REJECTED, FRAUD_SCORE_HIGH). The answer carries the score, the factors
// that pushed it up most and the model's version, for the automated
// decision record.
//
// Stored history is used for fraud prevention, a purpose relying on
// legitimate interest: when the person restricted the processing of their
// purchase history or keys (D6), their own earlier purchases are left out
// and the purchase is scored as a first one.
//
// Test-mode merchants' purchases are scored and recorded but the score
// does not decide: their integrations reach each outcome through the test
// tags (risk.TestTags), so a playground behaves the same every time.
package fraud

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"
	_ "time/tzdata" // the hour features need the buyers' zones on machines without a zone database

	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/restriction"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/features"
	"github.com/tillit/tillit/internal/risk/history"
	"github.com/tillit/tillit/internal/risk/model"
	"github.com/tillit/tillit/internal/store"
)

// Reason codes of the fraud stage.
const (
	ReasonScoreReview = "FRAUD_SCORE_REVIEW"
	ReasonScoreHigh   = "FRAUD_SCORE_HIGH"
)

// Config holds the thresholds on the model's probability of fraud.
type Config struct {
	// Review is the probability from which a purchase waits for an analyst.
	Review float64
	// Reject is the probability from which a purchase is declined.
	Reject float64
}

// DefaultConfig returns the thresholds Tillit ships with, set on the shipped
// model's evaluation on simulated data it never saw (docs/risk-model.md):
// Review sends about 0.4% of purchases to analysts, of which 99% were
// fraud there; Reject declines about 0.13%, all of which were.
func DefaultConfig() Config { return Config{Review: 0.9, Reject: 0.99} }

// Validate reports thresholds that cannot work.
func (c Config) Validate() error {
	if !(c.Review > 0 && c.Review <= c.Reject && c.Reject <= 1) {
		return fmt.Errorf("fraud: thresholds must satisfy 0 < review (%g) <= reject (%g) <= 1", c.Review, c.Reject)
	}
	return nil
}

// Stage scores purchases with a model over their history. It is safe for
// concurrent use.
type Stage struct {
	db    *store.DB
	model *model.Model
	cfg   Config
	// prior is the fraud rate the model was trained on.
	prior float64

	mu sync.Mutex
	// merchants caches each merchant's aggregates for MerchantStatsTTL: they
	// move slowly, and reading them is the costliest part of a score.
	merchants map[string]merchantStats
}

// MerchantStatsTTL is how long a merchant's aggregates are reused, on the
// clock of the purchases assessed.
const MerchantStatsTTL = time.Minute

// merchantStats are a merchant's aggregates as of a time.
type merchantStats struct {
	stats features.TerminalStats
	at    time.Time
}

// New returns the stage. Errors: invalid thresholds.
func New(db *store.DB, m *model.Model, cfg Config) (*Stage, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	prior := 0.0
	if t := m.Training; t.TrainOrders > 0 {
		prior = float64(t.TrainFrauds) / float64(t.TrainOrders)
	}
	return &Stage{db: db, model: m, cfg: cfg, prior: prior, merchants: map[string]merchantStats{}}, nil
}

// Model returns the model the stage scores with.
func (s *Stage) Model() *model.Model { return s.model }

// historyCategories are the categories of the person's data the history
// holds: what a restriction must leave open for it to be used.
var historyCategories = []privacy.CategoryID{privacy.CategoryPurchase, privacy.CategoryLookupKeys}

// Assess implements risk.Assessor.
func (s *Stage) Assess(ctx context.Context, in risk.Input) (risk.Decision, error) {
	tx := features.Tx{
		Time: localTime(in.Now, in.PurchaseCountry), Customer: in.PersonID, Terminal: in.MerchantID, Amount: in.Amount,
		Device: in.Keys.Device, Email: in.Keys.Email, IP: in.Keys.IP, Shipping: in.Keys.Shipping,
		Mismatch: in.ShipsElsewhere, Category: in.MerchantCategory,
	}
	var (
		related    []features.Tx
		stats      features.TerminalStats
		restricted bool
	)
	err := s.db.Read(ctx, func(rt *store.Tx) error {
		var err error
		if in.PersonID != "" {
			ok, err := restriction.Permits(rt, in.PersonID, privacy.PurposeFraudPrevention, historyCategories...)
			if err != nil {
				return err
			}
			restricted = !ok
		}
		if restricted {
			tx.Customer, tx.Email, tx.Device, tx.IP, tx.Shipping = "", "", "", "", ""
		} else {
			if related, err = history.Related(rt, in.PersonID, in.Keys, in.Now); err != nil {
				return err
			}
			if !in.PersonSince.IsZero() {
				tx.AccountAgeDays = days(in.Now.Sub(in.PersonSince))
			}
			first, seen, err := history.FirstSeen(rt, history.EmailKey, in.Keys.Email)
			if err != nil {
				return err
			}
			if seen {
				tx.EmailAgeDays = days(in.Now.Sub(first))
			}
		}
		stats, err = s.merchantStats(rt, in.MerchantID, in.Now)
		return err
	})
	if err != nil {
		return risk.Decision{}, fmt.Errorf("fraud: read history: %w", err)
	}
	// Purchases recorded after this one began (none, normally) are not
	// history: Compute ignores them by time.
	score := s.model.ScoreOrder(tx, related, stats)
	d := risk.Decision{
		Outcome: risk.Accepted, Score: score.Probability,
		Versions: map[string]string{"model": s.model.ID},
		Summary: map[string]string{
			"fraud_score":    strconv.FormatFloat(score.Probability, 'f', 4, 64),
			"history_orders": strconv.Itoa(len(related)),
		},
	}
	if restricted {
		d.Summary["history"] = "restricted"
	}
	for _, f := range score.Factors {
		d.Factors = append(d.Factors, risk.Factor{Name: f.Feature, Value: f.Value, Contribution: f.Contribution})
	}
	if in.TestMode {
		d.Summary["test_mode"] = "scored, not applied"
		return d, nil
	}
	switch {
	case score.Probability >= s.cfg.Reject:
		d.Outcome, d.Reasons = risk.Rejected, []string{ReasonScoreHigh}
	case score.Probability >= s.cfg.Review:
		d.Outcome, d.Reasons = risk.Pending, []string{ReasonScoreReview}
	}
	return d, nil
}

// merchantStats returns the merchant's aggregates at now, from the cache
// when they were read less than MerchantStatsTTL before (or after: tests
// and replays move the clock both ways).
func (s *Stage) merchantStats(tx *store.Tx, merchantID string, now time.Time) (features.TerminalStats, error) {
	s.mu.Lock()
	c, ok := s.merchants[merchantID]
	s.mu.Unlock()
	if ok && now.Sub(c.at).Abs() < MerchantStatsTTL {
		return c.stats, nil
	}
	stats, err := history.MerchantStats(tx, merchantID, now, s.prior)
	if err != nil {
		return stats, err
	}
	s.mu.Lock()
	s.merchants[merchantID] = merchantStats{stats: stats, at: now}
	s.mu.Unlock()
	return stats, nil
}

// days is a duration in whole days.
func days(d time.Duration) int { return int(d / (24 * time.Hour)) }

// zoneNames are the time zones of the purchase countries Tillit serves; the
// hour-of-day features read the buyer's clock.
var zoneNames = map[string]string{
	"DK": "Europe/Copenhagen", "SE": "Europe/Stockholm", "NO": "Europe/Oslo", "FI": "Europe/Helsinki",
	"NL": "Europe/Amsterdam", "DE": "Europe/Berlin", "AT": "Europe/Vienna", "BE": "Europe/Brussels",
	"FR": "Europe/Paris", "ES": "Europe/Madrid", "IT": "Europe/Rome", "PL": "Europe/Warsaw",
	"GB": "Europe/London", "IE": "Europe/Dublin", "CH": "Europe/Zurich", "PT": "Europe/Lisbon",
}

// zones loads zoneNames once (from the zone database built into the binary
// by time/tzdata when the system has none).
var zones = sync.OnceValue(func() map[string]*time.Location {
	out := make(map[string]*time.Location, len(zoneNames))
	for country, name := range zoneNames {
		if loc, err := time.LoadLocation(name); err == nil {
			out[country] = loc
		}
	}
	return out
})

// localTime is t on the clocks of country, or in UTC for a country
// without a known zone.
func localTime(t time.Time, country string) time.Time {
	if loc, ok := zones()[country]; ok {
		return t.In(loc)
	}
	return t.UTC()
}
