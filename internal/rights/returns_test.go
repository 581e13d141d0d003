package rights_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/returns"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/store"
)

// TestReturnInAccessExtractAndKeptOnErasure: a return of a person's order,
// with its tracking number sealed under the person, is in their access
// extract opened; an erasure keeps the return for legal claims while the
// purpose lasts.
func TestReturnInAccessExtractAndKeptOnErasure(t *testing.T) {
	e := newEnv(t)
	orderID := e.buy(anna, "pay_later", 45_000)
	if orderID == "" {
		t.Fatal("the assessment refused an ordinary purchase")
	}
	e.capture(orderID, 45_000)
	id := e.person(anna)
	const tracking = "RR123456785DK"
	e.write(func(tx *store.Tx) error {
		_, err := e.app.Returns.Register(tx, id, "consumer:test", orderID, returns.Return{
			Lines: []returns.Line{{Index: 0, Quantity: 1}}, Carrier: "PostNord", TrackingNumber: tracking})
		return err
	})
	var x rights.Extract
	e.read(func(tx *store.Tx) (err error) {
		x, err = e.rights.Access(tx, id, "en")
		return err
	})
	raw, err := x.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{tracking, "PostNord"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the extract does not show %q", want)
		}
	}
	var sealed string
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT tracking_number FROM returns WHERE person_id = $1`, id).Scan(&sealed)
	})
	if strings.Contains(sealed, tracking) {
		t.Error("the tracking number is stored in the clear")
	}
	var out rights.Erasure
	e.write(func(tx *store.Tx) (err error) {
		out, err = e.rights.Erase(tx, id)
		return err
	})
	if !slices.ContainsFunc(out.Kept, func(k rights.Kept) bool { return slices.Contains(k.Grounds, privacy.PurposeLegalClaims) }) {
		t.Errorf("the erasure keeps nothing for legal claims: %+v", out.Kept)
	}
	var n int
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM returns WHERE person_id = $1`, id).Scan(&n)
	})
	if n != 1 {
		t.Errorf("after erasure %d returns, want 1 kept", n)
	}
}
