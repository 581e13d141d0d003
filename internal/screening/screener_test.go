package screening_test

import (
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tillit/tillit/internal/screening"
)

// TestReloadWhileServing swaps lists under queries running on other
// goroutines: every query gets an answer from the old lists or the new,
// a failed reload keeps the current lists, and after a reload queries see
// the new ones.
func TestReloadWhileServing(t *testing.T) {
	unOnly := copyList(t, map[string]string{"un_consolidated_2026.xml": "consolidated.xml"})
	s := screening.NewScreener(lists(t))
	q := screening.Query{Name: "Banco Nacional de Cuba"}
	if find(s.Screen(q), screening.ListOFAC, "306") == nil {
		t.Fatal("the bank is not found before the reload")
	}

	var wg sync.WaitGroup
	var answered atomic.Int64
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				s.Screen(screening.Query{Name: "Bosco Ntaganda"})
				answered.Add(1)
			}
		})
	}
	l, err := s.Reload(unOnly)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reload(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("reloading a missing directory succeeded")
	}
	close(stop)
	wg.Wait()

	if s.List() != l || l.Counts()[screening.ListOFAC] != 0 || l.Counts()[screening.ListUN] != 1003 {
		t.Errorf("current lists %v, want the UN list only", s.List().Counts())
	}
	if m := find(s.Screen(q), screening.ListOFAC, "306"); m != nil {
		t.Errorf("the bank is found after reloading a directory without the OFAC list: %+v", m)
	}
	if find(s.Screen(screening.Query{Name: "Bosco Ntaganda"}), screening.ListUN, "6908021") == nil {
		t.Error("the UN entry is not found after the reload")
	}
	t.Logf("%d queries answered during the reload", answered.Load())
}
