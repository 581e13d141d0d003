// Package engine assembles the risk assessment every authorization passes
// (P4, T1): identity, test-mode tags, sanctions screening, the operators'
// rules, the learned fraud model, the credit limit and the credit decision,
// in that order. Each capability lives in its own package and is a
// risk.Assessor; this package only decides which run and in what order, so
// the whole assessment is read in one place.
package engine

import (
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/rules"
)

// Config names the stages beyond the fixed ones; a nil stage is left out.
type Config struct {
	// Rules is the operators' rule set in force; the built-in rules when nil.
	Rules *rules.Live
	// Screening screens the buyer against the sanctions and PEP lists.
	Screening risk.Assessor
	// Fraud scores the purchase with the learned model over its history.
	Fraud risk.Assessor
	// Credit decides affordability from the person's balance, repayment
	// history and the credit bureau.
	Credit risk.Assessor
}

// Pipeline returns the assessment: identity and test-mode tags first (cheap
// and final), then screening, rules and the fraud model, then the credit
// limit and the credit decision, which only purchases that got so far need.
func Pipeline(c Config) risk.Pipeline {
	live := c.Rules
	if live == nil {
		live = rules.Fixed(rules.Default())
	}
	p := risk.Pipeline{risk.Identity{}, risk.TestTags{}}
	if c.Screening != nil {
		p = append(p, c.Screening)
	}
	p = append(p, rules.Stage{Live: live})
	if c.Fraud != nil {
		p = append(p, c.Fraud)
	}
	p = append(p, risk.CreditLimit{Max: rules.CreditLimit})
	if c.Credit != nil {
		p = append(p, c.Credit)
	}
	return p
}
