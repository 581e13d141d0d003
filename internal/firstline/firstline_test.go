package firstline_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/apptest"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/support"
)

// chat is a signed-in consumer's conversation with the assistant, on the
// whole platform.
type chat struct {
	t               *testing.T
	ctx             context.Context
	app             *app.App
	person, actor   string
	order, orderRef string
	id              string
	version         int64
}

// newChat starts Tillit, places and captures an order for a consumer who
// signs up, and opens a conversation with message.
func newChat(t *testing.T, message string) *chat {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DatabaseURL: storetest.DSN(t), Clock: clock.NewManual(storetest.Start), Logger: logscan.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if r, err := ledger.Verify(ctx, a.DB); err != nil || !r.OK() {
			t.Errorf("ledger: %v %v", r.Problems, err)
		}
		a.Close()
	})
	c := &chat{t: t, ctx: ctx, app: a}
	email := "chat@example.dk"
	shop, _ := apptest.Merchant(t, a, "Regnvejr ApS")
	c.order = apptest.Order(t, a, shop, email)
	c.orderRef = c.reference(c.order)
	consumer := apptest.Consumer(t, a, email)
	c.person, c.actor = consumer.PersonID, "consumer:"+consumer.ID
	conv, err := a.Support.Open(ctx, c.person, c.actor, support.Opening{Message: message, Lang: i18n.English})
	if err != nil {
		t.Fatal(err)
	}
	c.id, c.version = conv.ID, conv.Version
	return c
}

// say writes a message and returns the conversation after the answer.
func (c *chat) say(message string) support.Conversation {
	c.t.Helper()
	conv, err := c.app.Support.Post(c.ctx, c.person, c.actor, c.id, c.version, message)
	if err != nil {
		c.t.Fatalf("post %q: %v", message, err)
	}
	c.version = conv.Version
	return conv
}

// thread is the conversation's messages.
func (c *chat) thread() support.Thread {
	c.t.Helper()
	th, err := c.app.Support.ConsumerThread(c.ctx, c.person, c.id)
	if err != nil {
		c.t.Fatal(err)
	}
	return th
}

// last is the assistant's latest message.
func (c *chat) last() string {
	c.t.Helper()
	msgs := c.thread().Messages
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Author == support.AuthorAssistant {
			return msgs[i].Body
		}
	}
	c.t.Fatal("the assistant said nothing")
	return ""
}

// paused is the order's plan's pause end, if any.
func (c *chat) paused() *repayment.Plan {
	c.t.Helper()
	p, err := c.app.Plans.PersonPlan(c.ctx, c.person, c.order)
	if err != nil {
		c.t.Fatal(err)
	}
	return &p
}

func TestPausePaymentAfterConfirmationOnly(t *testing.T) {
	c := newChat(t, "hello")
	c.say("pause the payments of order " + c.orderRef)
	if p := c.paused(); p.PausedUntil != nil {
		t.Fatalf("paused before the consumer confirmed; the assistant said %q", c.last())
	}
	c.say("yes")
	p := c.paused()
	if p.PausedUntil == nil {
		t.Fatalf("not paused after yes; the assistant said %q", c.last())
	}
	until := *p.PausedUntil
	// Asking again does not stretch the pause.
	c.say("pause the payments of order " + c.orderRef)
	c.say("yes")
	if again := c.paused(); again.PausedUntil == nil || !again.PausedUntil.Equal(until) {
		t.Errorf("a second pause moved the end from %v to %v", until, again.PausedUntil)
	}
}

func TestRefusedActionHandsOver(t *testing.T) {
	c := newChat(t, "hello")
	c.say("The parcel for order " + c.orderRef + " never arrived, I want to open a dispute")
	c.say("yes")
	if n := count(t, c, `SELECT COUNT(*) FROM disputes WHERE order_id = $1`, c.order); n != 1 {
		t.Fatalf("%d disputes after the first yes; the assistant said %q", n, c.last())
	}
	// A second dispute on the same order is refused by the dispute
	// service: the assistant hands over, and the conversation keeps the
	// consumer's messages.
	c.say("The parcel for order " + c.orderRef + " never arrived, I want to open a dispute")
	conv := c.say("yes")
	if conv.Status != support.WaitingForStaff || conv.HandoverSummary == "" {
		t.Errorf("after a refused dispute: status %s, summary %q; the assistant said %q", conv.Status, conv.HandoverSummary, c.last())
	}
	if n := count(t, c, `SELECT COUNT(*) FROM disputes WHERE order_id = $1`, c.order); n != 1 {
		t.Errorf("%d disputes after the refused second one", n)
	}
}

func TestCardNumbersAreNeverStored(t *testing.T) {
	c := newChat(t, "hello")
	number := "4111 1111 1111 1111"
	c.say("my card number is " + number + " can you check it")
	for _, m := range c.thread().Messages {
		if strings.Contains(strings.ReplaceAll(m.Body, " ", ""), "4111111111111111") {
			t.Errorf("a %s message holds the card number: %q", m.Author, m.Body)
		}
	}
}

// count runs a COUNT query.
func count(t *testing.T, c *chat, query string, args ...any) int {
	t.Helper()
	var n int
	if err := c.app.DB.Read(c.ctx, func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

// reference is an order's reference, which the consumer quotes.
func (c *chat) reference(orderID string) string {
	c.t.Helper()
	var ref string
	if err := c.app.DB.Read(c.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT reference FROM orders WHERE id = $1`, orderID).Scan(&ref)
	}); err != nil {
		c.t.Fatal(err)
	}
	return ref
}
