package stoprequest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/fraudcase"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchantmsg"
	"github.com/tillit/tillit/internal/settlement"
	"github.com/tillit/tillit/internal/stoprequest"
	"github.com/tillit/tillit/internal/store"
)

// A consumer disputes a service the merchant could not stop: the case file
// carries the merchant's answers and messages, and confirming the victim
// writes the claim off under the policy the answers earned.
func TestAnInvestigationSettlesTheStopRequest(t *testing.T) {
	e := newEnv(t, true)
	orderID := e.order(amount)
	e.capture(orderID, amount)
	r := e.mustAnswer(e.stop(orderID), stoprequest.Input{Answer: stoprequest.AnswerService, ServiceStopped: ptr(false)})

	// The merchant's message about the stopped order reaches the fraud team.
	var msg merchantmsg.Message
	e.write(func(tx *store.Tx) (err error) {
		msg, err = e.app.MerchantMessages.Send(tx, merchantmsg.Sender{MerchantID: e.shop.ID, UserID: "user-1", Locale: "en"}, orderID,
			merchantmsg.TopicOther, "The account was used from abroad only.")
		return err
	})
	if msg.Queue != merchantmsg.QueueFraud {
		t.Fatalf("message queue %s, want fraud", msg.Queue)
	}

	logscan.Secret(logscan.Password, "correct horse battery staple 42")
	analyst, err := e.app.Accounts.CreateStaff(e.ctx, "cli", account.NewStaff{Email: "sa@tillit.example", Name: "Sam Analyst",
		Role: account.RoleSecurityAnalyst, Password: "correct horse battery staple 42"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.app.FraudCases.OpenByStaff(e.ctx, analyst, r.Reference, "caller says they never ordered it", "I did not buy this.")
	if err != nil {
		t.Fatal(err)
	}
	x, err := e.app.FraudCases.Export(e.ctx, analyst, c.ID, "json")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(x.Attachments)
	for _, want := range []string{"Stop request and the merchant's answers", stoprequest.AnswerService, "Service stopped", "used from abroad"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("case attachments lack %q: %s", want, raw)
		}
	}

	if _, err := e.app.FraudCases.Close(e.ctx, analyst, c.ID, c.Version, fraudcase.VictimConfirmed, "the consumer's identity was misused"); err != nil {
		t.Fatal(err)
	}
	if got := e.request(orderID); got.Outcome != stoprequest.OutcomeWrittenOff {
		t.Fatalf("stop request outcome %q", got.Outcome)
	}
	_, lines := e.settle()
	if lines[settlement.KindFraudReturn] != -amount || lines[settlement.KindFraudPolicy] != amount-amount/5 {
		t.Fatalf("lines = %v", lines)
	}
	if b := e.balance(ledger.ReceivableAccount(orderID)); b != 0 {
		t.Fatalf("the victim still owes %d", b)
	}
}

// A disputed order that was never stopped: confirming the victim labels it
// fraud in the purchase history and writes it off under the merchant's
// cover.
func TestAnInvestigationWithoutAStopRequest(t *testing.T) {
	e := newEnv(t, true)
	orderID := e.order(amount)
	e.capture(orderID, amount)
	label := func() (n int) {
		e.read(func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT fraud_label FROM risk_observations WHERE order_id = $1`, orderID).Scan(&n)
		})
		return n
	}
	if label() != 0 {
		t.Fatal("labelled before the investigation")
	}
	logscan.Secret(logscan.Password, "correct horse battery staple 42")
	analyst, err := e.app.Accounts.CreateStaff(e.ctx, "cli", account.NewStaff{Email: "sa@tillit.example", Name: "Sam Analyst",
		Role: account.RoleSecurityAnalyst, Password: "correct horse battery staple 42"})
	if err != nil {
		t.Fatal(err)
	}
	var ref string
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT reference FROM orders WHERE id = $1`, orderID).Scan(&ref)
	})
	c, err := e.app.FraudCases.OpenByStaff(e.ctx, analyst, ref, "caller says they never ordered it", "")
	if err != nil {
		t.Fatal(err)
	}
	// While the investigation is open, a merchant's message about the
	// order reaches the fraud team, whatever its topic.
	var msg merchantmsg.Message
	e.write(func(tx *store.Tx) (err error) {
		msg, err = e.app.MerchantMessages.Send(tx, merchantmsg.Sender{MerchantID: e.shop.ID, UserID: "user-1", Locale: "en"}, orderID,
			merchantmsg.TopicDelivery, "Delivered to a parcel locker.")
		return err
	})
	if msg.Queue != merchantmsg.QueueFraud {
		t.Fatalf("message queue %s, want fraud", msg.Queue)
	}
	if _, err := e.app.FraudCases.Close(e.ctx, analyst, c.ID, c.Version, fraudcase.VictimConfirmed, "identity misused"); err != nil {
		t.Fatal(err)
	}
	if label() != 1 {
		t.Fatal("a confirmed victim's order is not labelled fraud")
	}
	_, lines := e.settle()
	if lines[settlement.KindFraudReturn] != -amount || lines[settlement.KindFraudPolicy] != amount-amount/5 {
		t.Fatalf("lines = %v", lines)
	}
}
