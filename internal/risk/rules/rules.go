// Package rules lets operators write fraud and review rules without a
// deploy (requirement T1): a small, safe expression language over the
// features of an order, rule sets published as numbered versions with every
// change audited, and a live view that picks up a new version in a running
// server within Live.Interval.
//
// # Rule sets
//
// A rule set is text, one rule per line; blank lines and lines starting with
// # are ignored:
//
//	reject BILLING_COUNTRY_MISMATCH when billing_country != purchase_country
//	review HIGH_AMOUNT_REVIEW when amount > 2000000
//	review NIGHT_NEW_ACCOUNT when hour < 6 && account_age_days < 1
//
// The action is review (the order waits for a security analyst: PENDING)
// or reject; the reason code (capitals, digits and _) is what the decision
// records and the person sees explained. An order matching several rules
// gets the most severe action and every matching rule's reason.
//
// # The language
//
// Conditions combine features (the Schema a Stage declares) and literals:
// numbers (1500, 0.5, 2_000_000), text in double quotes, true and false;
// arithmetic + - * / on numbers (dividing by zero gives 0); comparisons ==
// != < <= > >=; membership x in [..] for numbers or text; && || ! and
// parentheses. Everything is type-checked when a set is published, so an
// unknown feature, a type mismatch or a syntax error is refused with its
// line and column and never reaches a live order; evaluation cannot fail,
// loop or allocate beyond the expression's size, and nesting is bounded.
package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/tillit/tillit/internal/risk"
)

// Action is what a matching rule does to an order.
type Action string

// The actions.
const (
	Review Action = "review"
	Reject Action = "reject"
)

// outcome is the risk outcome of an action.
func (a Action) outcome() string {
	if a == Reject {
		return risk.Rejected
	}
	return risk.Pending
}

// MaxSource is the largest rule set accepted, in bytes.
const MaxSource = 64 << 10

// Rule is one compiled rule.
type Rule struct {
	// Line is the rule's line in the set's source, from 1.
	Line   int
	Action Action
	// Reason is the reason code it gives.
	Reason string
	// When is the condition as written.
	When string
	cond expr
}

// Set is a compiled rule set.
type Set struct {
	// Version is its number among the published sets; 0 for a set not
	// published (the built-in default).
	Version int64
	// Source is its text, Digest the hex SHA-256 of it.
	Source, Digest string
	Rules          []Rule
	schema         Schema
}

// CompileError lists what is wrong with a rule set, by line.
type CompileError struct {
	Problems []string
}

// Error implements error.
func (e *CompileError) Error() string { return strings.Join(e.Problems, "; ") }

var (
	ruleLine   = regexp.MustCompile(`^(\w+)\s+(\S+)\s+when\s+(.+)$`)
	reasonCode = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,63}$`)
)

// Compile parses and type-checks a rule set against schema. Errors:
// *CompileError with every problem found.
func Compile(source string, schema Schema) (*Set, error) {
	if len(source) > MaxSource {
		return nil, &CompileError{Problems: []string{fmt.Sprintf("the rule set is larger than %d bytes", MaxSource)}}
	}
	sum := sha256.Sum256([]byte(source))
	set := &Set{Source: source, Digest: hex.EncodeToString(sum[:]), Rules: []Rule{}, schema: schema}
	var problems []string
	for i, raw := range strings.Split(source, "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		bad := func(format string, args ...any) {
			problems = append(problems, fmt.Sprintf("line %d: ", i+1)+fmt.Sprintf(format, args...))
		}
		m := ruleLine.FindStringSubmatch(line)
		if m == nil {
			bad("write a rule as: review|reject REASON_CODE when condition")
			continue
		}
		action := Action(m[1])
		if action != Review && action != Reject {
			bad("the action must be review or reject, not %q", m[1])
			continue
		}
		if !reasonCode.MatchString(m[2]) {
			bad("the reason code must be capitals, digits and _ (such as HIGH_AMOUNT), not %q", m[2])
			continue
		}
		cond, err := compile(m[3], schema)
		var pe *posError
		if errors.As(err, &pe) {
			// Columns count from the start of the line as written.
			pe.pos += strings.Index(raw, line) + strings.LastIndex(line, m[3])
		}
		if err != nil {
			bad("%v", err)
			continue
		}
		set.Rules = append(set.Rules, Rule{Line: i + 1, Action: action, Reason: m[2], When: m[3], cond: cond})
	}
	if problems != nil {
		return nil, &CompileError{Problems: problems}
	}
	return set, nil
}

// Schema returns the features the set was compiled against.
func (s *Set) Schema() Schema { return s.schema }

// Evaluate runs every rule over the feature values (in the order of the
// set's schema) and returns the decision: ACCEPTED when no rule matches,
// else the most severe action's outcome with every matching rule's reason,
// in the set's order. values must hold one value per schema feature.
func (s *Set) Evaluate(values []Value) (risk.Decision, error) {
	if len(values) != len(s.schema) {
		return risk.Decision{}, fmt.Errorf("rules: %d values for %d features", len(values), len(s.schema))
	}
	d := risk.Decision{Outcome: risk.Accepted, Reasons: []string{}, Versions: map[string]string{"rules": strconv.FormatInt(s.Version, 10)}}
	for _, r := range s.Rules {
		if !r.cond.eval(values).Bool {
			continue
		}
		d.Reasons = append(d.Reasons, r.Reason)
		if r.Action == Reject || d.Outcome == risk.Accepted {
			d.Outcome = r.Action.outcome()
		}
	}
	return d, nil
}
