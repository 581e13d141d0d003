package screening

import (
	"sync/atomic"
	"time"
)

// Screener screens against the current lists and swaps in new ones while
// serving: a query uses the lists that were current when it started, and
// Reload never blocks one.
type Screener struct {
	current atomic.Pointer[loaded]
}

// loaded is a List and when it became current.
type loaded struct {
	list *List
	at   time.Time
}

// NewScreener returns a Screener serving list.
func NewScreener(list *List) *Screener {
	s := &Screener{}
	s.current.Store(&loaded{list: list})
	return s
}

// Screen screens q against the current lists (see List.Screen).
func (s *Screener) Screen(q Query) []Match { return s.current.Load().list.Screen(q) }

// List returns the current lists.
func (s *Screener) List() *List { return s.current.Load().list }

// LoadedAt returns when the current lists were swapped in (Swap); the zero
// time for the lists the Screener was made with or reloaded by Reload.
func (s *Screener) LoadedAt() time.Time { return s.current.Load().at }

// Swap makes l the current lists, loaded at at, in one atomic step.
func (s *Screener) Swap(l *List, at time.Time) { s.current.Store(&loaded{list: l, at: at}) }

// Reload loads the lists in dir and, when they load, makes them current
// and returns them; on an error the current lists stay. Re-screening the
// people already screened against the new lists is the caller's (see
// Service.Reload).
func (s *Screener) Reload(dir string) (*List, error) {
	l, err := Load(dir)
	if err != nil {
		return nil, err
	}
	s.current.Store(&loaded{list: l})
	return l, nil
}
