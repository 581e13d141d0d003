package support

import (
	"context"

	"github.com/tillit/tillit/internal/store"
)

// FirstLine answers a consumer's messages before customer service does:
// the chat assistant plugs in here (Config.FirstLine).
//
// While a conversation is WithAssistant, every message the consumer writes
// (the first one included) is recorded and then given to Respond, in the
// same request and the same write transaction, so the consumer reads the
// answer at once. Respond gets:
//
//   - tx, the transaction recording the message: what Respond changes
//     through it (a confirmed self-service action such as freezing a
//     card) commits with the message and the answer, or not at all. It
//     must not open a transaction of its own (DB.Write within DB.Write
//     deadlocks SQLite), and must keep slow work (a remote model) within
//     ctx's deadline;
//   - conv, the conversation: whose it is (PersonID; Visitor() for one
//     from the contact form, whose identity was never checked), its
//     order, its language and the state the previous answer left
//     (AssistantState, "" at first);
//   - history, the messages before this one, oldest first;
//   - message, what the consumer just wrote.
//
// An error rolls back the whole request: the consumer's message is not
// kept and the page says so. A first line that cannot help answers with
// HandOver instead.
type FirstLine interface {
	Respond(ctx context.Context, tx *store.Tx, conv Conversation, history []Message, message string) (FirstLineAnswer, error)
}

// FirstLineAnswer is what the first line makes of a message.
type FirstLineAnswer struct {
	// Replies are posted as the assistant's messages, in order; each at
	// most MaxMessage characters.
	Replies []string
	// State, when not nil, replaces the conversation's opaque state (at
	// most MaxState bytes, sealed like the messages); nil keeps it.
	State *string
	// HandOver passes the conversation to customer service
	// (WaitingForStaff), with Summary (at most MaxSummary characters) shown
	// to staff at the top of the conversation: what the consumer wants and
	// what was tried.
	HandOver bool
	Summary  string
}
