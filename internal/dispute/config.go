package dispute

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/store"
)

// Config is the configuration of disputes: one ReasonConfig per reason. A
// reason missing from Reasons, and every zero field of one that is there,
// takes its default (DefaultReasonConfig).
type Config struct {
	// Reasons configures each reason.
	Reasons map[Reason]ReasonConfig
}

// ReasonConfig is how disputes for one reason run.
type ReasonConfig struct {
	// RespondWithin is how long after opening the merchant has to accept or
	// contest (default 14 days).
	RespondWithin time.Duration
	// RemindBefore lists when, before the deadline, the merchant is
	// reminded of an unanswered dispute (default 7 days and 2 days). An
	// offset that would fall before the opening is skipped.
	RemindBefore []time.Duration
	// PauseDays is how long each pause of the payment plan lasts (default
	// 30, at most repayment.MaxPauseDays); while the dispute lives the plan
	// is paused again a day before the pause ends.
	PauseDays int
	// Unprotected takes buyer protection away from the reason: an
	// unanswered dispute goes to a dispute handler instead of being decided
	// for the consumer at the deadline. (Zero, the default, protects.)
	Unprotected bool
	// Exceptions take buyer protection away from particular orders; the
	// first that matches is recorded and its Key shown to the consumer.
	Exceptions []Exception
}

// Protected reports whether buyer protection applies to the reason.
func (c ReasonConfig) Protected() bool { return !c.Unprotected }

// Exception is an order outside buyer protection. It matches when any of
// its conditions does.
type Exception struct {
	// Key is the i18n catalog key of the explanation shown to the consumer
	// (such as "dispute.exception.gift_card").
	Key string
	// LineTypes matches an order with a line of one of these order line
	// types (such as "gift_card" or "digital").
	LineTypes []string
	// MerchantCategories matches an order from a merchant in one of these
	// categories (merchants.category).
	MerchantCategories []string
	// AmountAbove matches an order whose amount, in the currency named, is
	// above the limit (minor units).
	AmountAbove map[string]int64
}

// Default timings.
const (
	DefaultRespondWithin = 14 * 24 * time.Hour
	DefaultPauseDays     = 30
)

// DefaultReasonConfig is the configuration of a reason nobody configured:
// 14 days to respond, reminders 7 and 2 days before the deadline, 30-day
// pauses, buyer protection with no exceptions.
func DefaultReasonConfig() ReasonConfig {
	return ReasonConfig{RespondWithin: DefaultRespondWithin, RemindBefore: []time.Duration{7 * 24 * time.Hour, 2 * 24 * time.Hour}, PauseDays: DefaultPauseDays}
}

// DefaultConfig is the platform's configuration: every reason with the
// defaults; gift cards are outside buyer protection when not received or not
// as described (the code is the product), and a wrong invoice is settled by
// a dispute handler rather than by the deadline.
func DefaultConfig() Config {
	giftCards := Exception{Key: "dispute.exception.gift_card", LineTypes: []string{"gift_card"}}
	wrongInvoice := DefaultReasonConfig()
	wrongInvoice.Unprotected = true
	notReceived, notAsDescribed := DefaultReasonConfig(), DefaultReasonConfig()
	notReceived.Exceptions = []Exception{giftCards}
	notAsDescribed.Exceptions = []Exception{giftCards}
	return Config{Reasons: map[Reason]ReasonConfig{
		NotReceived: notReceived, NotAsDescribed: notAsDescribed, WrongInvoice: wrongInvoice,
	}}
}

func (c Config) withDefaults() Config {
	out := Config{Reasons: map[Reason]ReasonConfig{}}
	def := DefaultReasonConfig()
	for _, r := range Reasons {
		rc := c.Reasons[r]
		if rc.RespondWithin <= 0 {
			rc.RespondWithin = def.RespondWithin
		}
		if rc.RemindBefore == nil {
			rc.RemindBefore = def.RemindBefore
		}
		if rc.PauseDays <= 0 {
			rc.PauseDays = def.PauseDays
		}
		rc.PauseDays = min(rc.PauseDays, repayment.MaxPauseDays)
		out.Reasons[r] = rc
	}
	return out
}

// For returns the configuration of a reason.
func (c Config) For(r Reason) ReasonConfig { return c.Reasons[r] }

// protection decides whether buyer protection covers the order for the
// reason and, when an exception takes it away, returns the exception's key.
func protection(tx *store.Tx, rc ReasonConfig, orderID string) (bool, string, error) {
	if !rc.Protected() {
		return false, "", nil
	}
	if len(rc.Exceptions) == 0 {
		return true, "", nil
	}
	var (
		data, category, currency string
		amount                   int64
	)
	if err := tx.QueryRow(`SELECT o.data, m.category, o.purchase_currency, o.order_amount FROM orders o JOIN merchants m ON m.id = o.merchant_id WHERE o.id = $1`, orderID).
		Scan(&data, &category, &currency, &amount); err != nil {
		return false, "", err
	}
	var purchase struct {
		OrderLines []struct {
			Type string `json:"type"`
		} `json:"order_lines"`
	}
	_ = json.Unmarshal([]byte(data), &purchase) // an erased order's data is {}
	for _, ex := range rc.Exceptions {
		match := slices.Contains(ex.MerchantCategories, category)
		if limit, ok := ex.AmountAbove[currency]; ok && amount > limit {
			match = true
		}
		for _, l := range purchase.OrderLines {
			match = match || slices.Contains(ex.LineTypes, l.Type)
		}
		if match {
			return false, ex.Key, nil
		}
	}
	return true, "", nil
}
