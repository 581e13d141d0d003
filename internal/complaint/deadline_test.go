package complaint

import (
	"testing"
	"time"
)

// TestPSD2DeadlineOverEasterDK checks the documented example: a payment
// complaint filed on Wed 25 Mar 2026 in Denmark.
func TestPSD2DeadlineOverEasterDK(t *testing.T) {
	cph, _ := time.LoadLocation("Europe/Copenhagen")
	filed := time.Date(2026, 3, 25, 10, 0, 0, 0, cph)
	for _, tc := range []struct {
		holding bool
		want    string
	}{{false, "2026-04-20"}, {true, "2026-05-20"}} {
		d, err := DeadlinesFor("DK", CategoryPayment, filed, tc.holding)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.PSD2.In(cph).Format("2006-01-02"); got != tc.want {
			t.Errorf("holding=%v: PSD2 deadline %s, want %s", tc.holding, got, tc.want)
		}
		if got := d.Target.In(cph).Format("2006-01-02"); got != "2026-04-08" {
			t.Errorf("target %s, want 2026-04-08", got)
		}
	}
}

// TestServiceComplaintHasNoPSD2Deadline checks non-payment categories.
func TestServiceComplaintHasNoPSD2Deadline(t *testing.T) {
	d, err := DeadlinesFor("SE", CategoryService, time.Date(2026, 12, 23, 9, 0, 0, 0, time.UTC), false)
	if err != nil || d.PSD2 != nil {
		t.Fatalf("got %+v, %v; want no PSD2 deadline", d, err)
	}
	if _, err := DeadlinesFor("XX", CategoryService, time.Now(), false); err == nil {
		t.Fatal("unknown country accepted")
	}
}

// TestBoards checks every supported country names a board.
func TestBoards(t *testing.T) {
	for _, c := range []string{"DK", "SE", "NL", "DE"} {
		if b, ok := BoardFor(c); !ok || b.Name == "" || b.URL == "" {
			t.Errorf("%s: no board", c)
		}
	}
}
