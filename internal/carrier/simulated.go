package carrier

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"github.com/tillit/tillit/internal/clock"
)

// Parcel is where a simulated carrier's parcel is.
type Parcel string

// The states of a simulated parcel.
const (
	InTransit Parcel = "in_transit"
	Delivered Parcel = "delivered"
	Unknown   Parcel = "unknown"
)

// Simulated is a carrier's recall service as a simulation: it accepts the
// carrier's tracking number formats and answers as the real service would.
// A parcel's state is what Register set, or else follows from its number,
// so that every run answers the same: the last serial digit 0-6 is a
// parcel in transit (recalled), 7-8 one already delivered (two days
// before), 9 a number the carrier never issued. A number in another format
// is unknown. It is safe for concurrent use.
type Simulated struct {
	carrier Carrier
	clock   clock.Clock
	valid   func(string) bool
	// serialDigit returns the last digit of the number's serial.
	serialDigit func(string) byte

	mu       sync.Mutex
	parcels  map[string]Parcel
	recalled map[string]Result
}

// NewSimulatedPostNord returns a simulated PostNord: it knows UPU S10
// numbers (international and registered mail, "RR123456785DK") and SSCC
// parcel numbers ("00370..."), as PostNord's labels carry.
func NewSimulatedPostNord(clk clock.Clock) *Simulated {
	return newSimulated(PostNord, clk, func(s string) bool { return ValidS10(s) || ValidSSCC(s) }, func(s string) byte {
		if ValidS10(s) {
			return s[9]
		}
		return s[len(s)-2]
	})
}

// NewSimulatedDBSchenker returns a simulated DB Schenker (Privpak): it
// knows SSCC parcel numbers, with or without the "00" application
// identifier.
func NewSimulatedDBSchenker(clk clock.Clock) *Simulated {
	return newSimulated(DBSchenker, clk, ValidSSCC, func(s string) byte { return s[len(s)-2] })
}

func newSimulated(c Carrier, clk clock.Clock, valid func(string) bool, serial func(string) byte) *Simulated {
	return &Simulated{carrier: c, clock: clk, valid: valid, serialDigit: serial,
		parcels: map[string]Parcel{}, recalled: map[string]Result{}}
}

// Simulations returns the simulated adapters of every carrier.
func Simulations(clk clock.Clock) Adapters {
	return Adapters{PostNord: NewSimulatedPostNord(clk), DBSchenker: NewSimulatedDBSchenker(clk)}
}

// Carrier implements Adapter.
func (s *Simulated) Carrier() Carrier { return s.carrier }

// Register sets where the parcel with a tracking number is, overriding
// what its number says.
func (s *Simulated) Register(trackingNumber string, p Parcel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.parcels[NormaliseTracking(trackingNumber)] = p
}

// state is where the parcel is; s.mu is held.
func (s *Simulated) state(n string) Parcel {
	if p, ok := s.parcels[n]; ok {
		return p
	}
	if !s.valid(n) {
		return Unknown
	}
	switch d := s.serialDigit(n); {
	case d <= '6':
		return InTransit
	case d <= '8':
		return Delivered
	}
	return Unknown
}

// Recall implements Adapter.
func (s *Simulated) Recall(ctx context.Context, trackingNumber string) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	n := NormaliseTracking(trackingNumber)
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.recalled[n]; ok {
		return r, nil
	}
	now := s.clock.Now()
	switch s.state(n) {
	case InTransit:
		sum := sha256.Sum256([]byte(string(s.carrier) + ":" + n))
		r := Result{Outcome: Recalled, Reference: strings.ToUpper(string(s.carrier[:2])) + "-RCL-" + strings.ToUpper(hex.EncodeToString(sum[:5]))}
		s.recalled[n] = r
		return r, nil
	case Delivered:
		return Result{Outcome: AlreadyDelivered, DeliveredAt: now.Add(-48 * time.Hour).Truncate(time.Hour)}, nil
	}
	return Result{Outcome: UnknownTracking}, nil
}
