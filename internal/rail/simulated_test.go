package rail_test

import (
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/tillit/tillit/internal/rail"
)

// simTransfer is a transfer as the service hands it to the adapter.
func simTransfer(id, instrument string) rail.Transfer {
	tr := transfer(instrument)
	tr.ID = id
	return tr
}

func TestSimulatedVocabulary(t *testing.T) {
	type step struct {
		status rail.Status
		reason string
	}
	cases := []struct {
		instrument string
		rejected   string // the Reject reason, if Submit rejects
		transient  int    // Submit's transient errors before it accepts
		statuses   []step // successive Status answers
	}{
		{instrument: "sim:ok", statuses: []step{{rail.StatusConfirmed, ""}, {rail.StatusConfirmed, ""}}},
		{instrument: "tok_abc", statuses: []step{{rail.StatusConfirmed, ""}}},
		{instrument: "sim:whatever", statuses: []step{{rail.StatusConfirmed, ""}}},
		{instrument: "sim:fail:insufficient_funds", statuses: []step{{rail.StatusFailed, "insufficient_funds"}}},
		{instrument: "sim:fail", statuses: []step{{rail.StatusFailed, "unspecified"}}},
		{instrument: "sim:reject:account_closed", rejected: "account_closed"},
		{instrument: "sim:slow", statuses: []step{{rail.StatusPending, ""}, {rail.StatusPending, ""}, {rail.StatusPending, ""},
			{rail.StatusConfirmed, ""}, {rail.StatusConfirmed, ""}}},
		{instrument: "sim:slow:1", statuses: []step{{rail.StatusPending, ""}, {rail.StatusConfirmed, ""}}},
		{instrument: "sim:slow:0", statuses: []step{{rail.StatusConfirmed, ""}}},
		{instrument: "sim:flaky", transient: 1, statuses: []step{{rail.StatusConfirmed, ""}}},
		{instrument: "sim:flaky:3", transient: 3, statuses: []step{{rail.StatusConfirmed, ""}}},
	}
	for i, c := range cases {
		t.Run(c.instrument, func(t *testing.T) {
			sim := rail.NewSimulated()
			tr := simTransfer("t"+strconv.Itoa(i), c.instrument)
			for n := 0; n < c.transient; n++ {
				if _, err := sim.Submit(ctx, tr); !errors.Is(err, rail.ErrUnavailable) {
					t.Fatalf("Submit %d: %v, want a transient error", n+1, err)
				}
			}
			ref, err := sim.Submit(ctx, tr)
			var rej *rail.RejectedError
			if c.rejected != "" {
				if !errors.As(err, &rej) || rej.Reason != c.rejected {
					t.Fatalf("Submit: %v, want rejected %s", err, c.rejected)
				}
				return
			}
			if err != nil {
				t.Fatalf("Submit: %v", err)
			}
			if again, err := sim.Submit(ctx, tr); err != nil || again != ref {
				t.Fatalf("Submit again: %q %v, want %q", again, err, ref)
			}
			for n, want := range c.statuses {
				o, err := sim.Status(ctx, ref)
				if err != nil || o.Status != want.status || o.Reason != want.reason {
					t.Fatalf("Status %d: %+v %v, want %+v", n+1, o, err, want)
				}
			}
		})
	}
}

func TestSimulatedDown(t *testing.T) {
	sim := rail.NewSimulated()
	for n := 0; n < 20; n++ {
		if _, err := sim.Submit(ctx, simTransfer("t", "sim:down")); !errors.Is(err, rail.ErrUnavailable) {
			t.Fatalf("Submit: %v", err)
		}
	}
}

func TestSimulatedSlowPollsSetting(t *testing.T) {
	sim := &rail.Simulated{SlowPolls: 1}
	ref, err := sim.Submit(ctx, simTransfer("t", "sim:slow"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []rail.Status{rail.StatusPending, rail.StatusConfirmed} {
		if o, err := sim.Status(ctx, ref); err != nil || o.Status != want {
			t.Fatalf("Status: %+v %v, want %s", o, err, want)
		}
	}
}

// TestSimulatedRestart asks a new Simulated about references an earlier one
// handed out: the outcomes are the same.
func TestSimulatedRestart(t *testing.T) {
	before := rail.NewSimulated()
	refs := map[string]rail.Outcome{}
	for i, instrument := range []string{"sim:ok", "sim:fail:do_not_honor", "tok_live_123"} {
		ref, err := before.Submit(ctx, simTransfer("t"+strconv.Itoa(i), instrument))
		if err != nil {
			t.Fatal(err)
		}
		o, err := before.Status(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		refs[ref] = o
	}
	slowRef, err := before.Submit(ctx, simTransfer("slow", "sim:slow:2"))
	if err != nil {
		t.Fatal(err)
	}
	after := rail.NewSimulated()
	for ref, want := range refs {
		if o, err := after.Status(ctx, ref); err != nil || o != want {
			t.Fatalf("after restart %s: %+v %v, want %+v", ref, o, err, want)
		}
	}
	// A slow transfer counts its polls again, then confirms.
	for _, want := range []rail.Status{rail.StatusPending, rail.StatusPending, rail.StatusConfirmed} {
		if o, err := after.Status(ctx, slowRef); err != nil || o.Status != want {
			t.Fatalf("slow after restart: %+v %v, want %s", o, err, want)
		}
	}
	if _, err := after.Status(ctx, "acq_123"); err == nil {
		t.Fatal("a reference the simulated rail never makes was answered")
	}
}

// TestSimulatedConcurrent runs many transfers through one Simulated from
// many goroutines (run with -race).
func TestSimulatedConcurrent(t *testing.T) {
	sim := rail.NewSimulated()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				tr := simTransfer(strconv.Itoa(g)+"-"+strconv.Itoa(i), []string{"sim:ok", "sim:slow:2", "sim:flaky:1"}[i%3])
				ref, err := sim.Submit(ctx, tr)
				if errors.Is(err, rail.ErrUnavailable) {
					ref, err = sim.Submit(ctx, tr)
				}
				if err != nil {
					errs <- err
					return
				}
				for {
					o, err := sim.Status(ctx, ref)
					if err != nil {
						errs <- err
						return
					}
					if o.Status == rail.StatusConfirmed {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
