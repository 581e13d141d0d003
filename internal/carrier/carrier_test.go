package carrier_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/carrier"
	"github.com/tillit/tillit/internal/clock"
)

func TestRecallableNames(t *testing.T) {
	for name, want := range map[string]carrier.Carrier{
		"PostNord": carrier.PostNord, "Post Nord": carrier.PostNord, "postnord logistics": carrier.PostNord,
		"DB Schenker": carrier.DBSchenker, "DB Schenker (Privpak)": carrier.DBSchenker, "privpak": carrier.DBSchenker,
	} {
		if got, ok := carrier.Recallable(name); !ok || got != want {
			t.Errorf("Recallable(%q) = %q %v, want %q", name, got, ok, want)
		}
	}
	for _, name := range []string{"GLS", "Bring", "DHL Express", "UPS", ""} {
		if _, ok := carrier.Recallable(name); ok {
			t.Errorf("Recallable(%q) says Tillit can recall", name)
		}
	}
}

func TestTrackingFormats(t *testing.T) {
	for _, s := range []string{"RR123456785DK", "EE000000005SE", "006141411234567890", "106141411234567897"} {
		if !carrier.ValidS10(s) && !carrier.ValidSSCC(s) {
			t.Errorf("%s is not valid", s)
		}
	}
	for _, s := range []string{"RR123456784DK", "RR12345678DK", "R1123456785DK", "rr123456785dk", "006141411234567891", "0614141123456789", "00614141123456789X"} {
		if carrier.ValidS10(s) || carrier.ValidSSCC(s) {
			t.Errorf("%s is valid", s)
		}
	}
}

// s10 is an S10 number with the serial's last digit d and a correct check
// digit, found by trying each.
func s10(d byte) string {
	for c := byte('0'); c <= '9'; c++ {
		if n := fmt.Sprintf("RR1234567%c%cDK", d, c); carrier.ValidS10(n) {
			return n
		}
	}
	panic("no check digit")
}

// sscc is an SSCC (with the 00 prefix) whose last data digit is d.
func sscc(d byte) string {
	for c := byte('0'); c <= '9'; c++ {
		if n := fmt.Sprintf("003707123456789012%c%c", d, c); carrier.ValidSSCC(n) {
			return n
		}
	}
	panic("no check digit")
}

func TestSimulatedOutcomes(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
	ctx := context.Background()
	adapters := carrier.Simulations(clk)
	cases := []struct {
		carrier, number string
		want            carrier.Outcome
	}{
		{"PostNord", s10('3'), carrier.Recalled},
		{"PostNord", sscc('0'), carrier.Recalled},
		{"PostNord", s10('7'), carrier.AlreadyDelivered},
		{"PostNord", s10('9'), carrier.UnknownTracking},
		{"PostNord", "RR123456784DK", carrier.UnknownTracking}, // wrong check digit
		{"DB Schenker", sscc('6'), carrier.Recalled},
		{"Privpak", sscc('8'), carrier.AlreadyDelivered},
		{"DB Schenker", s10('3'), carrier.UnknownTracking}, // not a Schenker number
	}
	for _, c := range cases {
		_, r, err := adapters.Recall(ctx, c.carrier, c.number)
		if err != nil || r.Outcome != c.want {
			t.Errorf("%s %s: %+v %v, want %s", c.carrier, c.number, r, err, c.want)
			continue
		}
		switch c.want {
		case carrier.Recalled:
			if r.Reference == "" {
				t.Errorf("%s %s: recalled without a reference", c.carrier, c.number)
			}
		case carrier.AlreadyDelivered:
			if !r.DeliveredAt.Before(clk.Now()) {
				t.Errorf("%s %s: delivered at %s", c.carrier, c.number, r.DeliveredAt)
			}
		}
	}
}

func TestRecallIsRepeatableAndRegisteredStateWins(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
	ctx := context.Background()
	pn := carrier.NewSimulatedPostNord(clk)
	adapters := carrier.Adapters{carrier.PostNord: pn}
	n := s10('2')
	_, first, err := adapters.Recall(ctx, "PostNord", n)
	if err != nil || first.Outcome != carrier.Recalled {
		t.Fatalf("%+v %v", first, err)
	}
	// Printed in groups on the label, typed with spaces: the same parcel,
	// the same recall.
	_, again, err := adapters.Recall(ctx, "postnord", n[:4]+" "+n[4:8]+" "+n[8:])
	if err != nil || again != first {
		t.Errorf("second recall %+v, first %+v", again, first)
	}
	pn.Register(s10('1'), carrier.Delivered)
	pn.Register(s10('8'), carrier.InTransit)
	if _, r, _ := adapters.Recall(ctx, "PostNord", s10('1')); r.Outcome != carrier.AlreadyDelivered {
		t.Errorf("registered delivered: %s", r.Outcome)
	}
	if _, r, _ := adapters.Recall(ctx, "PostNord", s10('8')); r.Outcome != carrier.Recalled {
		t.Errorf("registered in transit: %s", r.Outcome)
	}
}

func TestNoAdapter(t *testing.T) {
	adapters := carrier.Simulations(clock.NewManual(time.Now()))
	if _, _, err := adapters.Recall(context.Background(), "GLS", "RR123456785DK"); !errors.Is(err, carrier.ErrNoAdapter) {
		t.Errorf("GLS: %v", err)
	}
	only := carrier.Adapters{carrier.PostNord: carrier.NewSimulatedPostNord(clock.NewManual(time.Now()))}
	if c, _, err := only.Recall(context.Background(), "Schenker", sscc('1')); !errors.Is(err, carrier.ErrNoAdapter) || c != carrier.DBSchenker {
		t.Errorf("no Schenker adapter: %s %v", c, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := adapters.Recall(ctx, "PostNord", s10('1')); err == nil {
		t.Error("a cancelled recall succeeded")
	}
}
