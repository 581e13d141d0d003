package screening

import "sync/atomic"

// Screener screens against the current lists and swaps in new ones while
// serving: a query uses the lists that were current when it started, and
// Reload never blocks one.
type Screener struct {
	current atomic.Pointer[List]
}

// NewScreener returns a Screener serving list.
func NewScreener(list *List) *Screener {
	s := &Screener{}
	s.current.Store(list)
	return s
}

// Screen screens q against the current lists (see List.Screen).
func (s *Screener) Screen(q Query) []Match { return s.current.Load().Screen(q) }

// List returns the current lists.
func (s *Screener) List() *List { return s.current.Load() }

// Reload loads the lists in dir and, when they load, makes them current
// and returns them; on an error the current lists stay. Re-screening the
// people already screened against the new lists is the caller's.
func (s *Screener) Reload(dir string) (*List, error) {
	l, err := Load(dir)
	if err != nil {
		return nil, err
	}
	s.current.Store(l)
	return l, nil
}
