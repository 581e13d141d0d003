package screening

import (
	"database/sql"
	"errors"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/store"
)

// OrderScreening is a fresh screening of one order's buyer for the analyst
// deciding the order: the buyer's identity as checkout sealed it, the
// alerting matches against the current lists, and the decisions in force
// about them. Query is personal data: show it only to the staff who decide
// matches, audit the view, never log it.
type OrderScreening struct {
	OrderID  string
	PersonID string
	// Query is the buyer's name and birth date; Erased is true when the
	// person was erased and there is nothing to screen.
	Query  Query
	Erased bool
	// ListsVersion is the Version of the lists screened against.
	ListsVersion string
	// Matches are the matches at or above AlertThreshold, decided or not,
	// best first.
	Matches []OrderMatch
}

// OrderMatch is one alerting match of an order's buyer: the match, the
// list entry (its birth dates and programmes) and the analyst's decision
// in force that it is a false positive for the buyer's identity, if any.
type OrderMatch struct {
	Match
	Entry    Entry
	Decision *FalsePositive
}

// Undecided reports whether the match still holds purchases.
func (m OrderMatch) Undecided() bool { return m.Decision == nil }

// Find returns the match of the entry (list, entryID), if the screening
// has it.
func (o OrderScreening) Find(list, entryID string) (OrderMatch, bool) {
	for _, m := range o.Matches {
		if m.List == list && m.EntryID == entryID {
			return m, true
		}
	}
	return OrderMatch{}, false
}

// ScreenOrder screens the buyer of an order again in tx with the current
// lists, as the assessment and a re-screening do: the name and birth date
// are read from the order's sealed consumer document under the person's
// key. Errors: NO_SUCH_ORDER.
func (s *Service) ScreenOrder(tx *store.Tx, orderID string) (OrderScreening, error) {
	list := s.Screener.List()
	out := OrderScreening{OrderID: orderID, ListsVersion: list.Version(), Matches: []OrderMatch{}}
	o := customerOrder{id: orderID}
	err := tx.QueryRow(`SELECT person_id, consumer FROM orders WHERE id = $1`, orderID).Scan(&out.PersonID, &o.consumer)
	if errors.Is(err, sql.ErrNoRows) {
		return OrderScreening{}, apperr.New(apperr.NoSuchOrder, "No such order.")
	}
	if err != nil {
		return OrderScreening{}, err
	}
	q, ok, err := s.buyerQuery(tx, out.PersonID, o)
	if err != nil || !ok {
		out.Erased = !ok
		return out, err
	}
	out.Query = q
	alerts := Alerts(list.Screen(q))
	if len(alerts) == 0 {
		return out, nil
	}
	decided, err := scanFalsePositives(tx, `WHERE identity_key = $1 AND revoked_at IS NULL`, s.Decisions.IdentityKey(q))
	if err != nil {
		return OrderScreening{}, err
	}
	for _, m := range alerts {
		om := OrderMatch{Match: m}
		om.Entry, _ = list.Lookup(m.List, m.EntryID)
		for i := range decided {
			if decided[i].List == m.List && decided[i].EntryID == m.EntryID {
				om.Decision = &decided[i]
			}
		}
		out.Matches = append(out.Matches, om)
	}
	return out, nil
}
