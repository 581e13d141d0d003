package assistant

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"
)

// engine returns the engine the tests share.
var engine = sync.OnceValues(func() (*Engine, error) { return New(Config{}) })

func mustEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := engine()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// call is one action a fake consumer's Actions ran.
type call struct {
	Action string
	Target string
	Reason DisputeReason
	Text   string
}

// fakeConsumer is a consumer with orders and cards whose actions are
// recorded; fail makes every action return an error, and visitor makes
// them a visitor who has not signed in.
type fakeConsumer struct {
	visitor bool
	locale  string
	orders  []Order
	cards   []Card
	calls   []call
	fail    bool
}

// newConsumer is a consumer with two orders and one virtual card.
func newConsumer(locale string) *fakeConsumer {
	return &fakeConsumer{
		locale: locale,
		orders: []Order{
			{ID: "0195f2a0-0000-7000-8000-000000000001", Reference: "K7M2PQ9XZA", Merchant: "Nordic Shoes",
				MerchantReferences: []string{"NS-10023"}, Date: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Amount: 49900, Currency: "DKK"},
			{ID: "0195f2a0-0000-7000-8000-000000000002", Reference: "B4T8WX2NQR", Merchant: "Lampehuset",
				Date: time.Date(2026, 2, 14, 0, 0, 0, 0, time.UTC), Amount: 129550, Currency: "DKK"},
		},
		cards: []Card{{ID: "card-1", Last4: "4242", Kind: "virtual"}},
	}
}

func (c *fakeConsumer) SignedIn() bool   { return !c.visitor }
func (c *fakeConsumer) Locale() string   { return c.locale }
func (c *fakeConsumer) Orders() []Order  { return c.orders }
func (c *fakeConsumer) Cards() []Card    { return c.cards }
func (c *fakeConsumer) Actions() Actions { return c }

func (c *fakeConsumer) record(k call) (Result, error) {
	c.calls = append(c.calls, k)
	if c.fail {
		return Result{}, errors.New("service unavailable")
	}
	return Result{Reference: "REF-1", Link: "/app/orders/x"}, nil
}

func (c *fakeConsumer) FreezeCard(id string) (Result, error) {
	return c.record(call{Action: "FreezeCard", Target: id})
}
func (c *fakeConsumer) FreezeAccount() (Result, error) {
	return c.record(call{Action: "FreezeAccount"})
}
func (c *fakeConsumer) PausePayment(id string) (Result, error) {
	return c.record(call{Action: "PausePayment", Target: id})
}
func (c *fakeConsumer) RegisterReturn(id string) (Result, error) {
	return c.record(call{Action: "RegisterReturn", Target: id})
}
func (c *fakeConsumer) OpenDispute(id string, r DisputeReason) (Result, error) {
	return c.record(call{Action: "OpenDispute", Target: id, Reason: r})
}
func (c *fakeConsumer) ReportNotMine(id string) (Result, error) {
	return c.record(call{Action: "ReportNotMine", Target: id})
}
func (c *fakeConsumer) RequestErasure() (Result, error) {
	return c.record(call{Action: "RequestErasure"})
}
func (c *fakeConsumer) FileComplaint(id, text string) (Result, error) {
	return c.record(call{Action: "FileComplaint", Target: id, Text: text})
}

// chat is a conversation under test: every turn's State goes through JSON,
// as a caller stores it.
type chat struct {
	t  *testing.T
	e  *Engine
	c  *fakeConsumer
	st State
}

func newChat(t *testing.T, c *fakeConsumer) *chat {
	return &chat{t: t, e: mustEngine(t), c: c}
}

// say sends a message and returns the reply.
func (ch *chat) say(message string) Reply {
	ch.t.Helper()
	reply, st := ch.e.Respond(ch.st, message, ch.c)
	b, err := json.Marshal(st)
	if err != nil {
		ch.t.Fatal(err)
	}
	var back State
	if err := json.Unmarshal(b, &back); err != nil {
		ch.t.Fatal(err)
	}
	ch.st = back
	return reply
}
