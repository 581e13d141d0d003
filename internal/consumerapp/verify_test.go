package consumerapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/risk/postapproval"
	"github.com/tillit/tillit/internal/store"
)

// askToVerify brings the order into post-approval review and has a
// security analyst ask the customer to verify it; it returns the review.
func (e *env) askToVerify(orderID string) postapproval.Review {
	e.t.Helper()
	var r postapproval.Review
	err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		if _, err := e.app.Reviews.Raise(tx, postapproval.Signal{Kind: postapproval.PaymentFailed, OrderIDs: []string{orderID}}); err != nil {
			return err
		}
		open, _, err := e.app.Reviews.ForOrder(tx, orderID)
		if err != nil {
			return err
		}
		r, err = e.app.Reviews.Act(tx, account.Staff{ID: ids.New(), Role: account.RoleSecurityAnalyst}, open.ID, open.Version,
			postapproval.Contact, "Ask before deciding")
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// answered reads the order's review after the customer's answer.
func (e *env) answered(orderID string) postapproval.Review {
	e.t.Helper()
	var r postapproval.Review
	if err := e.app.DB.Read(e.ctx, func(tx *store.Tx) (err error) {
		r, _, err = e.app.Reviews.ForOrder(tx, orderID)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return r
}

// TestVerificationRequestAnswered: the consumer asked to verify a purchase
// sees it on their home page and the verification page (another consumer
// does not), is told to choose, cannot answer another's request, and their
// answer puts the review back in the analysts' queue with their note.
func TestVerificationRequestAnswered(t *testing.T) {
	e := newDecisionsEnv(t)
	orderID := e.order(anna, "pay_later", 45_000, 0)
	e.order(bob, "pay_later", 12_300, 0)
	r := e.askToVerify(orderID)

	if pg := e.client().get("/app/verify"); pg.path != "/app/signin" {
		t.Fatalf("signed out: %d at %s", pg.status, pg.path)
	}
	other := e.client()
	other.signIn(bob)
	if pg := other.get("/app/verify?lang=en"); !pg.has("No purchases are waiting for your confirmation.") || strings.Contains(pg.body, r.ID) {
		t.Error("another consumer sees the request")
	}
	if pg := other.post("/app/verify/"+r.ID, url.Values{"answer": {"made"}}); pg.status != http.StatusNotFound {
		t.Errorf("answering another's request: %d", pg.status)
	}

	c := e.client()
	home := c.signIn(anna)
	if !strings.Contains(home.body, `href="/app/verify"`) {
		t.Error("the home page does not point to the waiting request")
	}
	pg := c.get("/app/verify?lang=en")
	if pg.status != http.StatusOK || !pg.has("Did you make this purchase?") || !pg.has("Nordic Rain") || !pg.has(e.reference(orderID)) {
		t.Fatalf("verification page: %d\n%s", pg.status, pg.body)
	}
	pg = c.post("/app/verify/"+r.ID, url.Values{"note": {"x"}})
	if pg.status != http.StatusUnprocessableEntity || !pg.has("Choose yes or no.") {
		t.Errorf("no choice: %d", pg.status)
	}
	if got := e.answered(orderID); got.Status != postapproval.StatusAwaitingCustomer {
		t.Fatalf("a refused answer changed the review to %s", got.Status)
	}
	pg = c.post("/app/verify/"+r.ID, url.Values{"answer": {"made"}, "note": {"Yes, a gift for my sister"}})
	if pg.status != http.StatusOK || pg.path != "/app/verify" || !pg.has("Your answer has been sent") {
		t.Fatalf("answer: %d at %s", pg.status, pg.path)
	}
	got := e.answered(orderID)
	if got.Status != postapproval.StatusOpen || got.Answer != postapproval.AnswerMade || got.Note != "Yes, a gift for my sister" {
		t.Fatalf("review after the answer = %+v", got)
	}
	entries, err := audit.ForSubject(e.ctx, e.app.DB, orderID)
	if err != nil {
		t.Fatal(err)
	}
	if en := entries[len(entries)-1]; en.Action != postapproval.ActionAnswered || !strings.HasPrefix(en.Actor, "consumer:") || strings.Contains(string(en.Details), "sister") {
		t.Errorf("the answer is audited as %+v %s", en, en.Details)
	}
	if pg := c.post("/app/verify/"+r.ID, url.Values{"answer": {"not_made"}}); pg.status != http.StatusConflict {
		t.Errorf("a second answer: %d", pg.status)
	}
	e.askToVerify(e.order(anna, "pay_later", 20_000, 0))
	if pg := c.get("/app/verify?lang=da"); !pg.has("Har du foretaget dette køb?") {
		t.Error("the Danish page is not in Danish")
	}
}
