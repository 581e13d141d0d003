package credit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"time"
)

// Subject is who a credit bureau is asked about. It carries no name,
// address or contact details: the identity is a keyed hash Tillit made of
// the buyer's e-mail address, which an adapter for a real bureau maps to
// that bureau's own identifier.
type Subject struct {
	// IdentityKey is the keyed hash of the buyer's identity
	// (risk.Keys.Email).
	IdentityKey string
	// DateOfBirth is YYYY-MM-DD.
	DateOfBirth string
	// Country is the ISO 3166 alpha-2 code of the buyer's billing address.
	Country string
	// Test, set only for purchases of test-mode merchants, asks for a
	// scripted answer: TestDecline or TestUnavailable. Adapters for real
	// bureaus are never asked about test purchases.
	Test string
}

// Scripted answers a test-mode purchase can ask for (see TestTag).
const (
	// TestDecline: a report with payment remarks and a low score.
	TestDecline = "decline"
	// TestUnavailable: the bureau does not answer.
	TestUnavailable = "unavailable"
)

// Score bands, best first. A score is 0–999; the bands are its ranges.
const (
	BandA = "A" // 800–999
	BandB = "B" // 650–799
	BandC = "C" // 500–649
	BandD = "D" // 300–499
	BandE = "E" // 0–299
)

// BandOf returns the band of a score.
func BandOf(score int) string {
	switch {
	case score >= 800:
		return BandA
	case score >= 650:
		return BandB
	case score >= 500:
		return BandC
	case score >= 300:
		return BandD
	}
	return BandE
}

// Report is a credit bureau's answer about a subject.
type Report struct {
	// Score is the bureau's creditworthiness score, 0–999 (higher is
	// better), and Band its range (BandOf).
	Score int
	Band  string
	// Remarks is true when the person has registered payment remarks
	// (unpaid debts registered by creditors or the courts).
	Remarks bool
	// Reference is the bureau's reference of the inquiry.
	Reference string
	// Bureau names the adapter and its version, for the decision record.
	Bureau string
}

// ErrUnavailable is returned by a bureau that could not answer (down,
// timed out, or refusing): the purchase then waits for a person to decide.
var ErrUnavailable = errors.New("credit: bureau unavailable")

// Bureau is a credit-bureau adapter. Lookup must honour ctx's deadline and
// return an error (ErrUnavailable or one wrapping it, or any other) when it
// has no answer; it must be safe for concurrent use. An adapter with a
// method Name() string is named so in the disclosure log.
type Bureau interface {
	Lookup(ctx context.Context, s Subject) (Report, error)
}

// SimulatedVersion names the simulated bureau in decision records.
const SimulatedVersion = "simulated-1"

// Simulated is a credit bureau that answers from the subject alone: the
// same subject always gets the same report, and over many subjects the
// reports follow a realistic distribution (DefaultDistribution). It is
// Tillit's bureau until an adapter for a real one is configured, and the
// bureau of every test-mode purchase.
type Simulated struct {
	// Latency is how long each answer takes (zero in tests).
	Latency time.Duration
	// Distribution shapes the answers; the zero value means
	// DefaultDistribution.
	Distribution Distribution
}

// Distribution is the share of subjects the simulated bureau gives each
// kind of report.
type Distribution struct {
	// Remarks is the share of subjects with payment remarks.
	Remarks float64
	// Low is the share with a score in band E; Weak in band D; Fair in
	// band C; Good in band B. The rest are in band A.
	Low, Weak, Fair, Good float64
}

// DefaultDistribution is close to what Nordic bureaus report for the adult
// population: about 4% have payment remarks, about 3% have a score in the
// lowest band, and most people score well.
var DefaultDistribution = Distribution{Remarks: 0.04, Low: 0.03, Weak: 0.07, Fair: 0.25, Good: 0.40}

// Name is the bureau's name in the disclosure log.
func (Simulated) Name() string { return "Simulated credit bureau" }

// Lookup implements Bureau.
func (b Simulated) Lookup(ctx context.Context, s Subject) (Report, error) {
	if b.Latency > 0 {
		t := time.NewTimer(b.Latency)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return Report{}, errors.Join(ErrUnavailable, ctx.Err())
		case <-t.C:
		}
	}
	if err := ctx.Err(); err != nil {
		return Report{}, errors.Join(ErrUnavailable, err)
	}
	sum := sha256.Sum256([]byte("simulated-bureau\x00" + s.IdentityKey + "\x00" + s.DateOfBirth + "\x00" + s.Country))
	ref := "SIM-" + hex.EncodeToString(sum[24:32])
	switch s.Test {
	case TestUnavailable:
		return Report{}, ErrUnavailable
	case TestDecline:
		return Report{Score: 180, Band: BandE, Remarks: true, Reference: ref, Bureau: SimulatedVersion}, nil
	}
	dist := b.Distribution
	if dist == (Distribution{}) {
		dist = DefaultDistribution
	}
	u1, u2, u3 := unit(sum[0:8]), unit(sum[8:16]), unit(sum[16:24])
	var lo, hi int
	switch {
	case u2 < dist.Low:
		lo, hi = 0, 299
	case u2 < dist.Low+dist.Weak:
		lo, hi = 300, 499
	case u2 < dist.Low+dist.Weak+dist.Fair:
		lo, hi = 500, 649
	case u2 < dist.Low+dist.Weak+dist.Fair+dist.Good:
		lo, hi = 650, 799
	default:
		lo, hi = 800, 999
	}
	score := lo + int(u3*float64(hi-lo+1))
	return Report{Score: score, Band: BandOf(score), Remarks: u1 < dist.Remarks, Reference: ref, Bureau: SimulatedVersion}, nil
}

// unit maps 8 bytes to [0, 1).
func unit(b []byte) float64 { return float64(binary.BigEndian.Uint64(b)>>11) / (1 << 53) }
