package rights_test

import (
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/risk/postapproval"
	"github.com/tillit/tillit/internal/store"
)

// TestPostApprovalReviewInAccessExtractAndErased: an order's post-approval
// review, with the person's answer to the verification request, is in
// their access extract with the answer opened; an erasure deletes it.
func TestPostApprovalReviewInAccessExtractAndErased(t *testing.T) {
	e := newEnv(t)
	orderID := e.buy(anna, "pay_later", 45_000)
	if orderID == "" {
		t.Fatal("the assessment refused an ordinary purchase")
	}
	id := e.person(anna)
	const note = "I bought it for my brother"
	e.write(func(tx *store.Tx) error {
		if _, err := e.app.Reviews.Raise(tx, postapproval.Signal{Kind: postapproval.PaymentFailed, PersonID: id}); err != nil {
			return err
		}
		r, _, err := e.app.Reviews.ForOrder(tx, orderID)
		if err != nil {
			return err
		}
		if r, err = e.app.Reviews.Act(tx, account.Staff{ID: ids.New(), Role: account.RoleSecurityAnalyst}, r.ID, r.Version, postapproval.Contact, "Ask"); err != nil {
			return err
		}
		return e.app.Reviews.Answer(tx, id, "", r.ID, true, note)
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
	for _, want := range []string{"risk_reviews", note, "payment_failed"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the extract does not show %q", want)
		}
	}
	e.write(func(tx *store.Tx) error {
		_, err := e.rights.Erase(tx, id)
		return err
	})
	var n int
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM risk_reviews WHERE person_id = $1`, id).Scan(&n)
	})
	if n != 0 {
		t.Errorf("after erasure %d reviews are left, want 0", n)
	}
}
