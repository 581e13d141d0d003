package screening_test

import (
	"testing"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	idgen "github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/screening"
	"github.com/tillit/tillit/internal/store"
)

// TestScreenOrder: an order's buyer is screened again from the sealed
// consumer document: the listed buyer's alerting match comes with its
// entry (birth dates, programmes) and, once decided, with the decision in
// force; an ordinary buyer has no match, an erased one nothing to screen,
// and an unknown order is NO_SUCH_ORDER.
func TestScreenOrder(t *testing.T) {
	e := newRescreenEnv(t)
	e.addOFAC()
	if _, err := e.svc.Reload(e.ctx, "test"); err != nil {
		t.Fatal(err)
	}
	darren, anna, gone := newPerson(t, e.db, "darren"), newPerson(t, e.db, "anna"), newPerson(t, e.db, "gone")
	held := e.order(darren, "Darren", "Debono", "1974-01-09", checkout.StatusAuthorized, 0, 0)
	plain := e.order(anna, "Anna", "Jensen", "1990-05-17", checkout.StatusAuthorized, 0, 0)
	erased := e.order(gone, "Darren", "Debono", "1974-01-09", checkout.StatusAuthorized, 0, 0)

	screen := func(orderID string) (sc screening.OrderScreening, err error) {
		err = e.db.Read(e.ctx, func(tx *store.Tx) (err error) {
			sc, err = e.svc.ScreenOrder(tx, orderID)
			return err
		})
		return sc, err
	}
	sc, err := screen(held)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := sc.Find(screening.ListOFAC, "23189")
	if !ok || sc.PersonID != darren || sc.Query.Name != "Darren Debono" || sc.Query.BirthDate.Format("2006-01-02") != "1974-01-09" ||
		sc.ListsVersion != e.svc.Status().Version || !m.Undecided() || !m.Alert {
		t.Fatalf("held buyer: %+v", sc)
	}
	if len(m.Entry.BirthDates) == 0 || m.Entry.ID != "23189" || len(m.Entry.Programs) == 0 || m.Why.Summary == "" {
		t.Errorf("the match's entry: %+v", m.Entry)
	}
	write(t, e.db, func(tx *store.Tx) error {
		_, err := e.svc.Decisions.MarkFalsePositive(tx, darren, sc.Query, m.List, m.EntryID, "staff:olga", "Other person.")
		return err
	})
	sc, err = screen(held)
	if m, _ := sc.Find(screening.ListOFAC, "23189"); err != nil || m.Decision == nil || m.Decision.Reason != "Other person." || m.Decision.CreatedBy != "staff:olga" {
		t.Errorf("after the decision: %+v %v", m.Decision, err)
	}

	if sc, err := screen(plain); err != nil || len(sc.Matches) != 0 || sc.Erased {
		t.Errorf("ordinary buyer: %+v %v", sc, err)
	}
	write(t, e.db, func(tx *store.Tx) error { return e.vault.Shred(tx, gone) })
	if sc, err := screen(erased); err != nil || !sc.Erased || sc.Query.Name != "" || len(sc.Matches) != 0 {
		t.Errorf("erased buyer: %+v %v", sc, err)
	}
	if _, err := screen(idgen.New()); apperr.Code(err) != apperr.NoSuchOrder {
		t.Errorf("unknown order: %v", err)
	}
}
