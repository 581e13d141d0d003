package dispute_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/store"
)

// consumerSubject is the subject of a consumer e-mail about a dispute on
// a Danish order.
func consumerSubject(kind, reference string) string {
	return i18n.T(i18n.Danish, "dispute.consumer_mail."+kind+".subject", "reference", reference)
}

// closedHook returns the dispute.closed webhook body of an order.
func (e *env) closedHook(orderID string) map[string]any {
	e.t.Helper()
	var body string
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT body FROM webhook_events WHERE order_id = $1 AND event_type = $2`, orderID, dispute.WebhookClosed).Scan(&body)
	})
	if strings.Contains(body, "Never") || strings.Contains(body, "Sent back") {
		e.t.Errorf("the dispute.closed webhook carries the consumer's words: %s", body)
	}
	var hook map[string]any
	if err := json.Unmarshal([]byte(body), &hook); err != nil {
		e.t.Fatal(err)
	}
	return hook
}

// TestConsumerMailsAndClosedWebhook: the consumer gets a receipt in their
// order's language when the dispute opens (or is referred), and an e-mail
// when the merchant accepts or a dispute handler decides; the merchant
// gets the dispute.closed webhook with the outcome, resolution and amount.
func TestConsumerMailsAndClosedWebhook(t *testing.T) {
	e := newEnv(t)
	id := e.shipped(anna, 30_000)
	d := e.open(id, dispute.ReturnedNotRefunded, "Sent back on Monday")
	if !slices.Contains(e.mails(anna.email), consumerSubject("opened", d.Reference)) {
		t.Errorf("no receipt to the consumer: %v", e.mails(anna.email))
	}
	e.write(func(tx *store.Tx) (err error) {
		d, err = e.svc.Accept(tx, e.shop.ID, d.ID, "api", d.Version, dispute.Acceptance{Resolution: dispute.Refund})
		return err
	})
	if !slices.Contains(e.mails(anna.email), consumerSubject("accepted", d.Reference)) {
		t.Errorf("no acceptance e-mail to the consumer: %v", e.mails(anna.email))
	}
	hook := e.closedHook(id)
	if hook["dispute_id"] != d.ID || hook["outcome"] != string(dispute.ConsumerWon) || hook["resolution"] != string(dispute.Refund) ||
		hook["refunded_amount"] != float64(30_000) || hook["event_type"] != dispute.WebhookClosed {
		t.Errorf("dispute.closed %v", hook)
	}

	lost := e.shipped(carl, 20_000)
	d = e.open(lost, dispute.NotReceived, "Never came")
	handler := e.staff(account.RoleDisputeHandler)
	e.write(func(tx *store.Tx) (err error) {
		d, err = e.svc.Decide(tx, handler, d.ID, d.Version, dispute.MerchantWon, "Signed for")
		return err
	})
	if !slices.Contains(e.mails(carl.email), consumerSubject("merchant_won", d.Reference)) {
		t.Errorf("no decision e-mail to the consumer: %v", e.mails(carl.email))
	}
	if hook := e.closedHook(lost); hook["outcome"] != string(dispute.MerchantWon) || hook["refunded_amount"] != float64(0) {
		t.Errorf("dispute.closed %v", hook)
	}

	mine := e.shipped(carl, 5_000)
	d = e.open(mine, dispute.Unauthorised, "")
	if !slices.Contains(e.mails(carl.email), consumerSubject("referred", d.Reference)) {
		t.Errorf("no referral e-mail to the consumer: %v", e.mails(carl.email))
	}
}
