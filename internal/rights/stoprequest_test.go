package rights_test

import (
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/stoprequest"
	"github.com/tillit/tillit/internal/store"
)

// TestStopRequestInAccessExtractAndErased: a stop request on a person's
// order, with the tracking number the merchant gave (sealed under the
// person), is in their access extract opened; an erasure keeps it,
// restricted, as evidence for the claim.
func TestStopRequestInAccessExtractAndErased(t *testing.T) {
	e := newEnv(t)
	orderID := e.buy(anna, "pay_later", 45_000)
	if orderID == "" {
		t.Fatal("the assessment refused an ordinary purchase")
	}
	id := e.person(anna)
	const tracking = "RR123456785DK"
	if err := e.app.Checkout.DecideFraudStatus(e.ctx, "staff:analyst", orderID, checkout.FraudStopped, "linked to confirmed fraud"); err != nil {
		t.Fatal(err)
	}
	var requestID string
	e.write(func(tx *store.Tx) error {
		r, _, err := stoprequest.ForOrder(tx, orderID)
		if err != nil {
			return err
		}
		requestID = r.ID
		_, err = e.app.StopRequests.Respond(tx, "", r.ID, "link", stoprequest.Input{Answer: stoprequest.AnswerShipped, Carrier: "GLS",
			TrackingNumber: tracking, PickedUp: "no"})
		return err
	})
	var sealed string
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT tracking_number FROM stop_requests WHERE id = $1`, requestID).Scan(&sealed)
	})
	if sealed == "" || strings.Contains(sealed, tracking) {
		t.Fatalf("the tracking number is stored as %q, want it sealed", sealed)
	}
	var x rights.Extract
	e.read(func(tx *store.Tx) (err error) {
		x, err = e.rights.Access(tx, id, i18n.English)
		return err
	})
	raw, err := x.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"stop_requests", tracking, "GLS"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the extract does not show %q", want)
		}
	}
	var erasure rights.Erasure
	e.write(func(tx *store.Tx) (err error) {
		erasure, err = e.rights.Erase(tx, id)
		return err
	})
	var (
		left  int
		after stoprequest.Request
	)
	e.read(func(tx *store.Tx) error {
		if err := tx.QueryRow(`SELECT COUNT(*) FROM stop_requests WHERE person_id = $1`, id).Scan(&left); err != nil {
			return err
		}
		var err error
		after, _, err = e.app.StopRequests.Evidence(tx, orderID)
		return err
	})
	// The stop request is evidence for the claim on an open contract: the
	// erasure keeps it, restricted to legal claims, until the claim ends.
	if left != 1 || after.TrackingNumber != tracking {
		t.Fatalf("after erasure: %d stop requests, tracking %q", left, after.TrackingNumber)
	}
	kept := false
	for _, k := range erasure.Kept {
		for _, g := range k.Grounds {
			kept = kept || (k.Category == privacy.CategoryFraud && g == privacy.PurposeLegalClaims)
		}
	}
	if !kept {
		t.Fatalf("the erasure does not keep the fraud data for legal claims: %+v", erasure.Kept)
	}
}
