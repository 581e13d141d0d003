// Package carrier recalls parcels on a merchant's behalf (T5): when an
// order the fraud team stopped was already shipped with PostNord or DB
// Schenker (Privpak), Tillit asks the carrier to bring the parcel back
// instead of delivering it. For any other carrier the merchant recalls the
// parcel itself.
//
// An Adapter speaks to one carrier. The carriers' production services need
// contracts and credentials a bank arranges itself; this package ships
// simulated adapters for both, with the outcomes the real services give
// (recalled, already delivered, unknown tracking number) and the tracking
// number formats they accept, so the stop-request flow can be built and
// tested end to end. A production adapter implements the same interface.
package carrier

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
)

// Carrier names a carrier Tillit can recall parcels with.
type Carrier string

// The carriers with a recall adapter.
const (
	PostNord   Carrier = "postnord"
	DBSchenker Carrier = "db_schenker"
)

// Carriers lists the carriers with a recall adapter.
func Carriers() []Carrier { return []Carrier{PostNord, DBSchenker} }

// aliases maps the ways merchants write a carrier's name, normalised by
// normaliseName, to the carrier.
var aliases = map[string]Carrier{
	"postnord": PostNord, "postnordlogistics": PostNord, "postdanmark": PostNord, "posten": PostNord, "postensverige": PostNord,
	"dbschenker": DBSchenker, "schenker": DBSchenker, "privpak": DBSchenker, "dbschenkerprivpak": DBSchenker, "schenkerprivpak": DBSchenker,
}

// normaliseName lower-cases a carrier name and keeps its letters and
// digits only ("DB Schenker (Privpak)" → "dbschenkerprivpak").
func normaliseName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Recallable returns the carrier a merchant's carrier name stands for, and
// false when Tillit cannot recall parcels with it (the merchant must).
func Recallable(name string) (Carrier, bool) {
	c, ok := aliases[normaliseName(name)]
	return c, ok
}

// Outcome is what a recall came to.
type Outcome string

// The outcomes of a recall.
const (
	// Recalled: the carrier stops the parcel and returns it to the sender.
	Recalled Outcome = "recalled"
	// AlreadyDelivered: too late, the parcel reached the recipient.
	AlreadyDelivered Outcome = "already_delivered"
	// UnknownTracking: the carrier has no parcel with that number.
	UnknownTracking Outcome = "unknown_tracking_number"
)

// Result is a carrier's answer to a recall.
type Result struct {
	Outcome Outcome
	// Reference is the carrier's reference of the recall ("" unless
	// Recalled).
	Reference string
	// DeliveredAt is when an already delivered parcel was delivered.
	DeliveredAt time.Time
}

// Adapter recalls parcels with one carrier.
type Adapter interface {
	// Carrier is the carrier the adapter speaks to.
	Carrier() Carrier
	// Recall asks the carrier to return the parcel with the tracking number
	// to its sender. Recalling a recalled parcel again gives the same
	// result. An error means the carrier could not be asked (try again).
	Recall(ctx context.Context, trackingNumber string) (Result, error)
}

// ErrNoAdapter is returned for a carrier without an adapter.
var ErrNoAdapter = errors.New("carrier: no recall adapter for this carrier")

// Adapters finds the adapter of each carrier.
type Adapters map[Carrier]Adapter

// Recall recalls a parcel with the carrier the merchant named. Errors:
// ErrNoAdapter when Tillit cannot recall with that carrier, or the
// adapter's error.
func (a Adapters) Recall(ctx context.Context, carrierName, trackingNumber string) (Carrier, Result, error) {
	c, ok := Recallable(carrierName)
	if !ok {
		return "", Result{}, ErrNoAdapter
	}
	ad, ok := a[c]
	if !ok {
		return c, Result{}, ErrNoAdapter
	}
	r, err := ad.Recall(ctx, NormaliseTracking(trackingNumber))
	return c, r, err
}

// NormaliseTracking upper-cases a tracking number and drops spaces and
// dashes, as labels print them in groups.
func NormaliseTracking(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r != ' ' && r != '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
