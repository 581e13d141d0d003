package rights_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/store"
)

// TestDisputeInAccessExtractAndKeptOnErasure: a dispute on a person's
// order, with their statement, the information they added and the
// merchant's evidence and document (all sealed under the person), is in
// their access extract opened; an erasure keeps it for legal claims
// (restricted) while the purpose lasts.
func TestDisputeInAccessExtractAndKeptOnErasure(t *testing.T) {
	e := newEnv(t)
	orderID := e.buy(anna, "pay_later", 45_000)
	if orderID == "" {
		t.Fatal("the assessment refused an ordinary purchase")
	}
	id := e.person(anna)
	const (
		statement = "The jacket arrived with a torn sleeve"
		info      = "Photos sent to the shop on Tuesday"
		proof     = "Signed for by A. Jensen at Sletten 1"
		docName   = "delivery-receipt.pdf"
	)
	e.write(func(tx *store.Tx) error {
		d, err := e.app.Disputes.Open(tx, id, "consumer:test", orderID, dispute.NotAsDescribed, statement)
		if err != nil {
			return err
		}
		if d, err = e.app.Disputes.AddInformation(tx, id, "consumer:test", d.ID, d.Version, info); err != nil {
			return err
		}
		_, err = e.app.Disputes.Contest(tx, d.MerchantID, d.ID, "api", d.Version, dispute.Contest{Carrier: "GLS", TrackingNumber: "GLS12345",
			ProofOfDelivery: proof, Description: "Sent undamaged",
			Documents: []dispute.Upload{{Name: docName, Content: []byte("%PDF-1.4\n%%EOF\n")}}})
		return err
	})
	var x rights.Extract
	e.read(func(tx *store.Tx) (err error) {
		x, err = e.rights.Access(tx, id, i18n.English)
		return err
	})
	raw, err := x.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"disputes", "dispute_events", "dispute_documents", statement, info, proof, "GLS12345", docName} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the extract does not show %q", want)
		}
	}
	var out rights.Erasure
	e.write(func(tx *store.Tx) (err error) {
		out, err = e.rights.Erase(tx, id)
		return err
	})
	kept := slices.ContainsFunc(out.Kept, func(k rights.Kept) bool {
		return k.Category == privacy.CategoryComplaints && slices.Contains(k.Grounds, privacy.PurposeLegalClaims)
	})
	if !kept {
		t.Errorf("the erasure does not keep the dispute for legal claims: %+v", out.Kept)
	}
	var disputes, docs int
	e.read(func(tx *store.Tx) error {
		if err := tx.QueryRow(`SELECT COUNT(*) FROM disputes WHERE person_id = $1`, id).Scan(&disputes); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT COUNT(*) FROM dispute_documents x JOIN disputes d ON d.id = x.dispute_id WHERE d.person_id = $1`, id).Scan(&docs)
	})
	if disputes != 1 || docs != 1 {
		t.Errorf("after erasure %d disputes with %d documents, want 1 with 1", disputes, docs)
	}
}
