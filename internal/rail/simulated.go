package rail

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// DefaultSlowPolls is how many status checks a sim:slow transfer stays
// pending when neither the instrument nor Simulated.SlowPolls says.
const DefaultSlowPolls = 3

// maxSimCount bounds the N of sim:slow:N and sim:flaky:N.
const maxSimCount = 1000

// Simulated is the payment rail Tillit ships for tests and demos: it moves no
// money, and its outcomes follow from the transfer's instrument (see the
// package doc for the vocabulary). It is safe for concurrent use.
//
// Its references carry the outcome ("sim:<transfer id>:<outcome>"), so a
// restarted process answers Status for a reference it never saw the way the
// first one would have; only the counts of sim:slow and sim:flaky start
// again.
type Simulated struct {
	// SlowPolls is how many status checks sim:slow (without :N) stays
	// pending; zero means DefaultSlowPolls. Set it before use.
	SlowPolls int

	mu      sync.Mutex
	submits map[string]int // failed Submit calls of sim:flaky, by transfer id; kept, so a transfer once accepted stays accepted
	polls   map[string]int // pending answers of sim:slow, by reference; kept, so a confirmed one stays confirmed
}

// NewSimulated returns a simulated rail. The zero Simulated is ready to use
// too.
func NewSimulated() *Simulated { return &Simulated{} }

// simBehaviour is what an instrument asks the simulated rail to do.
type simBehaviour struct {
	kind   string // ok, fail, reject, slow, flaky, down
	reason string // fail, reject
	n      int    // slow, flaky
}

// parseInstrument reads the simulated rail's instrument vocabulary.
func (s *Simulated) parseInstrument(instrument string) simBehaviour {
	rest, ok := strings.CutPrefix(instrument, "sim:")
	if !ok {
		return simBehaviour{kind: "ok"}
	}
	kind, arg, _ := strings.Cut(rest, ":")
	switch kind {
	case "fail", "reject":
		return simBehaviour{kind: kind, reason: reasonCode(arg)}
	case "slow":
		n := s.SlowPolls
		if n <= 0 {
			n = DefaultSlowPolls
		}
		return simBehaviour{kind: kind, n: simCount(arg, n)}
	case "flaky":
		return simBehaviour{kind: kind, n: simCount(arg, 1)}
	case "down":
		return simBehaviour{kind: kind}
	}
	return simBehaviour{kind: "ok"}
}

// simCount parses the N of sim:slow:N and sim:flaky:N, or returns def.
func simCount(arg string, def int) int {
	n, err := strconv.Atoi(arg)
	if err != nil || n < 0 || n > maxSimCount {
		return def
	}
	return n
}

// Submit accepts, rejects or fails transiently as t.Instrument says. It is
// idempotent on t.ID: an accepted transfer always gets the same reference.
func (s *Simulated) Submit(ctx context.Context, t Transfer) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	b := s.parseInstrument(t.Instrument)
	outcome := "ok"
	switch b.kind {
	case "reject":
		return "", Reject(b.reason)
	case "down":
		return "", fmt.Errorf("%w: simulated outage", ErrUnavailable)
	case "flaky":
		s.mu.Lock()
		if s.submits == nil {
			s.submits = map[string]int{}
		}
		failed := s.submits[t.ID]
		if failed < b.n {
			s.submits[t.ID] = failed + 1
		}
		s.mu.Unlock()
		if failed < b.n {
			return "", fmt.Errorf("%w: simulated transient error %d of %d", ErrUnavailable, failed+1, b.n)
		}
	case "fail":
		outcome = "fail:" + b.reason
	case "slow":
		outcome = "slow:" + strconv.Itoa(b.n)
	}
	return "sim:" + t.ID + ":" + outcome, nil
}

// Status answers for a reference Submit returned, from the outcome the
// reference carries.
func (s *Simulated) Status(ctx context.Context, providerRef string) (Outcome, error) {
	if err := ctx.Err(); err != nil {
		return Outcome{}, err
	}
	rest, ok := strings.CutPrefix(providerRef, "sim:")
	_, outcome, found := strings.Cut(rest, ":")
	if !ok || !found {
		return Outcome{}, fmt.Errorf("rail: not a simulated reference: %q", providerRef)
	}
	kind, arg, _ := strings.Cut(outcome, ":")
	switch kind {
	case "ok":
		return Outcome{Status: StatusConfirmed}, nil
	case "fail":
		return Outcome{Status: StatusFailed, Reason: reasonCode(arg)}, nil
	case "slow":
		n := simCount(arg, DefaultSlowPolls)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.polls == nil {
			s.polls = map[string]int{}
		}
		if s.polls[providerRef] < n {
			s.polls[providerRef]++
			return Outcome{Status: StatusPending}, nil
		}
		return Outcome{Status: StatusConfirmed}, nil
	}
	return Outcome{}, fmt.Errorf("rail: unknown simulated outcome in %q", providerRef)
}
