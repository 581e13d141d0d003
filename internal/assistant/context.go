package assistant

import "time"

// Context is what the caller knows about the consumer in the conversation.
// Everything the assistant may act on comes from it: an order or card the
// consumer mentions that is not listed here does not exist for the
// assistant.
type Context interface {
	// SignedIn is whether the consumer signed in, so that who they are was
	// checked. When false (a visitor writing from the contact form), the
	// assistant answers questions but hands every action to a person.
	SignedIn() bool
	// Locale is the consumer's locale ("da", "sv-SE", "de-DE"; empty when
	// unknown), a hint for the language of short messages.
	Locale() string
	// Orders lists the consumer's own orders, newest first.
	Orders() []Order
	// Cards lists the consumer's own cards.
	Cards() []Card
	// Actions runs the self-service actions for this consumer.
	Actions() Actions
}

// Order is one of the consumer's orders.
type Order struct {
	// ID is the order's id; Reference is the short reference the consumer
	// sees (K7M2PQ9XZA); MerchantReferences are the shop's own order
	// numbers, which a consumer may quote too.
	ID                 string
	Reference          string
	MerchantReferences []string
	// Merchant is the shop's name.
	Merchant string
	// Date is when the order was placed.
	Date time.Time
	// Amount is the order's total in minor units of Currency.
	Amount   int64
	Currency string
}

// Card is one of the consumer's cards.
type Card struct {
	ID string
	// Last4 is the last four digits of the card number.
	Last4 string
	// Kind is "virtual" or "one_time".
	Kind string
	// Frozen is whether the card is frozen already.
	Frozen bool
}

// DisputeReason is why a consumer disputes an order; the values are those
// of internal/dispute's reasons, except "unauthorised", which the assistant
// handles as ReportNotMine.
type DisputeReason string

// Dispute reasons, in the order the assistant offers them.
const (
	NotReceived         DisputeReason = "not_received"
	NotAsDescribed      DisputeReason = "not_as_described"
	ReturnedNotRefunded DisputeReason = "returned_not_refunded"
	WrongInvoice        DisputeReason = "wrong_invoice"
)

// DisputeReasons lists the reasons the assistant offers.
var DisputeReasons = []DisputeReason{NotReceived, NotAsDescribed, ReturnedNotRefunded, WrongInvoice}

// Actions are the self-service actions the assistant may run for the
// consumer, implemented by the caller with the same services the consumer
// app uses (and so with their checks, audit and e-mails). The assistant
// calls one only after the consumer confirmed it, and only with an order or
// card from the consumer's Context. An error makes the assistant hand the
// conversation over; its text is never shown to the consumer. The caller
// bounds how long an action may take.
type Actions interface {
	// FreezeCard freezes one of the consumer's cards.
	FreezeCard(cardID string) (Result, error)
	// FreezeAccount freezes the consumer's whole account.
	FreezeAccount() (Result, error)
	// PausePayment pauses the payments of an order.
	PausePayment(orderID string) (Result, error)
	// RegisterReturn registers that the consumer returns an order; Link
	// may point at the form where they add the lines and tracking number.
	RegisterReturn(orderID string) (Result, error)
	// OpenDispute opens a dispute on an order.
	OpenDispute(orderID string, reason DisputeReason) (Result, error)
	// ReportNotMine reports an order the consumer did not make (an
	// unauthorised-purchase dispute and a fraud case).
	ReportNotMine(orderID string) (Result, error)
	// RequestErasure files a request to erase the consumer's personal data.
	RequestErasure() (Result, error)
	// FileComplaint files a complaint with the consumer's words, about an
	// order when orderID is not empty.
	FileComplaint(orderID, text string) (Result, error)
}

// Result is what an action reports back: a reference the consumer can
// quote, and a page where they can follow or complete it (both optional).
type Result struct {
	Reference string
	Link      string
}

// Article is a help article that answers a question.
type Article struct {
	Title   string
	Summary string
	URL     string
}

// Retriever finds help articles: the n that best match query in lang (a
// language tag), best first. internal/help's Centre.Search has this shape;
// adapt its hits with RetrieverFunc.
type Retriever interface {
	Search(lang, query string, n int) []Article
}

// RetrieverFunc adapts a function to a Retriever.
type RetrieverFunc func(lang, query string, n int) []Article

// Search calls f.
func (f RetrieverFunc) Search(lang, query string, n int) []Article { return f(lang, query, n) }
