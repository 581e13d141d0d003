package consumerapp_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/tillit/tillit/internal/card"
	"github.com/tillit/tillit/internal/logscan"
)

// TestCardPurchaseDecisionOnDecisionsPage: the credit check of a card
// purchase is on the consumer's decisions page, named after the shop the
// card network named, with what it compared, and the consumer contests it
// there like any other decision.
func TestCardPurchaseDecisionOnDecisionsPage(t *testing.T) {
	e := newDecisionsEnv(t)
	c := e.client()
	c.signIn(anna)
	person := e.consumerOf(c).PersonID
	issued, err := e.app.Cards.Create(e.ctx, person, card.NewCard{Kind: card.KindOneTime, Amount: 50_000, Currency: dkk, Locale: "da-DK",
		PaymentMethod: "pay_later"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.app.Cards.Reveal(e.ctx, person, issued.ID, card.Reauth{VerifiedAt: e.clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	logscan.Secret(logscan.CardNumber, d.Number)
	logscan.Secret(logscan.CVV, d.CVV)
	if st, reason := e.authorize(d, 29_900, "net-decision-page-1"); st != card.AuthApproved {
		t.Fatalf("card purchase: %s %s", st, reason)
	}

	pg := c.get("/app/decisions?lang=en")
	if pg.status != http.StatusOK {
		t.Fatalf("decisions page: %d", pg.status)
	}
	for _, want := range []string{
		"Credit check: Boots & Co", "Approved", "299.00", "What weighed most in the decision", "What you already owe us",
		"The amount of this purchase", "The most we lend to one person", "Whether any of your payments to us are overdue",
		"Decided with: Credit policy credit-",
	} {
		if !pg.has(want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	ds := e.decisionsOf(anna)
	if len(ds) != 1 {
		t.Fatalf("%d decisions, want the card purchase's 1", len(ds))
	}
	got := c.post(contestPath(ds[0].Ref), url.Values{"statement": {"I did not expect to be approved for this much."}})
	if got.status != http.StatusOK || got.path != "/app/decisions" || !got.has("Under review") {
		t.Fatalf("after contesting: %d at %s", got.status, got.path)
	}
	if e.contests() != 1 {
		t.Errorf("%d contests stored, want 1", e.contests())
	}
}
