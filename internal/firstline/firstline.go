// Package firstline puts the chat assistant (package assistant) in front of
// the support inbox (package support): it answers a signed-in consumer's
// messages with their own orders and cards as what the assistant may talk
// about, answers questions from the help centre (package help), and runs
// the self-service actions the consumer confirms through the same services
// the app uses, in the transaction that records the message. A visitor's
// conversation (from the contact form) never reaches it: support keeps
// those for staff.
package firstline

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/assistant"
	"github.com/tillit/tillit/internal/card"
	"github.com/tillit/tillit/internal/complaint"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/help"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/support"
)

// Services are what the assistant's actions go through.
type Services struct {
	Accounts   *account.Service
	Cards      *card.Service
	Disputes   *dispute.Service
	Complaints *complaint.Service
	Requests   *dsr.Service
	Plans      *repayment.Service
	// Help is the help centre the assistant answers questions from.
	Help *help.Centre
}

// FirstLine is the assistant as support's first line (support.FirstLine).
type FirstLine struct {
	engine *assistant.Engine
	svc    Services
}

// New trains the assistant and returns the first line.
func New(svc Services) (*FirstLine, error) {
	if svc.Accounts == nil || svc.Cards == nil || svc.Disputes == nil || svc.Complaints == nil ||
		svc.Requests == nil || svc.Plans == nil || svc.Help == nil {
		return nil, errors.New("firstline: Services needs every service")
	}
	engine, err := assistant.New(assistant.Config{Retriever: assistant.RetrieverFunc(func(lang, query string, n int) []assistant.Article {
		var out []assistant.Article
		for _, h := range svc.Help.Search(lang, query, n) {
			out = append(out, assistant.Article{Title: h.Title, Summary: h.Summary, URL: h.URL})
		}
		return out
	})})
	if err != nil {
		return nil, err
	}
	return &FirstLine{engine: engine, svc: svc}, nil
}

// Respond answers the consumer's message (support.FirstLine). The state
// the assistant keeps between messages is its JSON.
func (f *FirstLine) Respond(ctx context.Context, tx *store.Tx, conv support.Conversation, _ []support.Message, message string) (support.FirstLineAnswer, error) {
	var state assistant.State
	if conv.AssistantState != "" {
		if err := json.Unmarshal([]byte(conv.AssistantState), &state); err != nil {
			return support.FirstLineAnswer{}, err
		}
	}
	c, err := f.consumerContext(ctx, tx, conv)
	if err != nil {
		return support.FirstLineAnswer{}, err
	}
	reply, next := f.engine.Respond(state, message, c)
	if c.failed != nil {
		return support.FirstLineAnswer{}, c.failed
	}
	b, err := json.Marshal(next)
	if err != nil {
		return support.FirstLineAnswer{}, err
	}
	saved := string(b)
	ans := support.FirstLineAnswer{Replies: []string{reply.Text}, State: &saved, HandOver: reply.HandOver}
	if reply.HandOver {
		ans.Summary = reply.Summary.String()
	}
	return ans, nil
}

// consumerContext is what the assistant may know and do for the
// conversation's consumer, read within tx.
func (f *FirstLine) consumerContext(ctx context.Context, tx *store.Tx, conv support.Conversation) (*consumerContext, error) {
	c := &consumerContext{ctx: ctx, tx: tx, svc: f.svc, locale: conv.Language, personID: conv.PersonID}
	if conv.Visitor() || conv.PersonID == "" {
		return c, nil
	}
	consumer, err := f.svc.Accounts.ConsumerOfPersonTx(tx, conv.PersonID)
	if err != nil {
		return nil, err
	}
	c.consumer = &consumer
	plans, err := repayment.ForPersonTx(tx, conv.PersonID)
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		c.orders = append(c.orders, assistant.Order{ID: p.OrderID, Reference: p.OrderReference, Merchant: p.MerchantName,
			Date: p.CreatedAt, Amount: p.Total, Currency: p.Currency})
	}
	cards, err := f.svc.Cards.ListTx(tx, conv.PersonID)
	if err != nil {
		return nil, err
	}
	for _, cd := range cards {
		c.cards = append(c.cards, assistant.Card{ID: cd.ID, Last4: cd.Last4, Kind: cd.Kind, Frozen: cd.Frozen})
	}
	return c, nil
}

// consumerContext is assistant.Context and assistant.Actions for one
// consumer, within the transaction recording their message.
type consumerContext struct {
	ctx      context.Context
	tx       *store.Tx
	svc      Services
	locale   string
	personID string
	// consumer is the signed-in consumer; nil for a visitor.
	consumer *account.Consumer
	orders   []assistant.Order
	cards    []assistant.Card
	// failed is an error that is not the consumer's (the database's): it
	// rolls the message back rather than be talked about.
	failed error
}

// SignedIn reports whether the consumer signed in.
func (c *consumerContext) SignedIn() bool { return c.consumer != nil }

// Locale is the conversation's language.
func (c *consumerContext) Locale() string { return c.locale }

// Orders are the consumer's own orders, newest first.
func (c *consumerContext) Orders() []assistant.Order { return c.orders }

// Cards are the consumer's own cards.
func (c *consumerContext) Cards() []assistant.Card { return c.cards }

// Actions runs the consumer's confirmed actions.
func (c *consumerContext) Actions() assistant.Actions { return c }

// actor names the consumer in audit logs and case timelines.
func (c *consumerContext) actor() string { return "consumer:" + c.consumer.ID }

// FreezeCard freezes one of the consumer's cards.
func (c *consumerContext) FreezeCard(cardID string) (assistant.Result, error) {
	return c.done(assistant.Result{Link: "/app/cards"}, c.svc.Cards.FreezeTx(c.tx, c.personID, c.actor(), cardID))
}

// FreezeAccount freezes the consumer's account.
func (c *consumerContext) FreezeAccount() (assistant.Result, error) {
	return c.done(assistant.Result{Link: "/app/cards"}, c.svc.Cards.FreezeTx(c.tx, c.personID, c.actor(), ""))
}

// PausePayment pauses an order's payments for repayment.ConsumerPauseDays.
func (c *consumerContext) PausePayment(orderID string) (assistant.Result, error) {
	_, err := c.svc.Plans.ConsumerPause(c.tx, orderID)
	return c.done(assistant.Result{Link: "/app/orders/" + orderID}, err)
}

// RegisterReturn leads to the return form, where the consumer says which
// items go back and how: a return needs both.
func (c *consumerContext) RegisterReturn(orderID string) (assistant.Result, error) {
	return assistant.Result{Link: "/app/orders/" + orderID + "/return"}, nil
}

// OpenDispute opens a dispute on the consumer's order.
func (c *consumerContext) OpenDispute(orderID string, reason assistant.DisputeReason) (assistant.Result, error) {
	d, err := c.svc.Disputes.Open(c.tx, c.personID, c.actor(), orderID, dispute.Reason(reason), "")
	return c.done(assistant.Result{Reference: d.Reference, Link: "/app/disputes/" + d.ID}, err)
}

// ReportNotMine reports a purchase the consumer did not make: an
// unauthorised-purchase dispute, which opens the fraud case with it.
func (c *consumerContext) ReportNotMine(orderID string) (assistant.Result, error) {
	d, err := c.svc.Disputes.Open(c.tx, c.personID, c.actor(), orderID, dispute.Unauthorised, "")
	return c.done(assistant.Result{Reference: d.Reference, Link: "/app/disputes/" + d.ID}, err)
}

// RequestErasure files a request to erase the consumer's data.
func (c *consumerContext) RequestErasure() (assistant.Result, error) {
	lang, ok := i18n.Parse(c.locale)
	if !ok {
		lang = i18n.English
	}
	r, err := c.svc.Requests.FileByConsumerTx(c.tx, dsr.ConsumerFiling{ConsumerID: c.consumer.ID, PersonID: c.personID,
		Email: c.consumer.Email, Locale: lang, Kind: dsr.KindErasure})
	return c.done(assistant.Result{Reference: r.Reference, Link: "/app/privacy/requests/" + r.ID}, err)
}

// FileComplaint files a complaint in the consumer's words.
func (c *consumerContext) FileComplaint(orderID, text string) (assistant.Result, error) {
	category := complaint.CategoryOther
	if orderID != "" {
		category = complaint.CategoryOrder
	}
	f, err := c.svc.Complaints.FileTx(c.tx, c.personID, c.actor(), complaint.Filing{Category: category, OrderID: orderID, Text: text})
	return c.done(assistant.Result{Reference: f.Reference, Link: "/app/complaints/" + f.ID}, err)
}

// done passes an action's outcome to the assistant: a refusal the
// consumer can be told of (an apperr) as an error it hands over on, any
// other error kept to roll the message back.
func (c *consumerContext) done(r assistant.Result, err error) (assistant.Result, error) {
	if err != nil && !isRefusal(err) {
		c.failed = err
	}
	return r, err
}

// isRefusal reports whether err is a service's refusal (apperr), which
// writes nothing, rather than a failure.
func isRefusal(err error) bool {
	_, ok := apperr.As(err)
	return ok
}
