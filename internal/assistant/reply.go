package assistant

import (
	"fmt"
	"strings"
)

// Reply is the assistant's answer to one message.
type Reply struct {
	// Text is what the assistant says, in Lang.
	Text string
	Lang Lang
	// Intent is what the assistant took the message for: the pending
	// action's intent for an answer to its question, else the classified
	// intent (None when it could not place the message). Guesses are the
	// classifier's best guesses.
	Intent  Intent
	Guesses []Guess
	// Options are the answers the assistant offers (an order, a card, a
	// reason), also listed in Text; the consumer may answer with Value.
	Options []Option
	// Links are help articles and pages that answer the message.
	Links []Link
	// AwaitingConfirmation is whether Text ends with "Shall I?".
	AwaitingConfirmation bool
	// Executed is the action the assistant just ran, after the consumer's
	// yes; nil otherwise.
	Executed *Execution
	// HandOver is whether a person should take over the conversation now;
	// Summary tells them where it stands.
	HandOver bool
	Summary  *Summary
	// Sensitive is whether the message held a card number, a code or a
	// password; StoredMessage is the message with them masked, the only
	// form the caller may store or log.
	Sensitive     bool
	StoredMessage string
}

// Option is an answer the consumer can pick.
type Option struct {
	Value string
	Label string
}

// Link is a page that helps.
type Link struct {
	Title string
	URL   string
}

// Execution is an action the assistant ran.
type Execution struct {
	Intent  Intent
	OrderID string
	CardID  string
	Account bool
	Reason  DisputeReason
	Result  Result
}

// HandOverReason is why the assistant hands a conversation over.
type HandOverReason string

// Hand-over reasons.
const (
	// Asked: the consumer asked for a person.
	Asked HandOverReason = "asked"
	// Unsure: the assistant could not place the message.
	Unsure HandOverReason = "unsure"
	// FailedTwice: it failed twice in a row to get what it needed.
	FailedTwice HandOverReason = "failed_twice"
	// ActionFailed: a confirmed action returned an error.
	ActionFailed HandOverReason = "action_failed"
	// NoTarget: the consumer has no order or card to act on.
	NoTarget HandOverReason = "no_target"
	// NotSignedIn: an action was asked for by a visitor who is not signed
	// in.
	NotSignedIn HandOverReason = "not_signed_in"
)

// Summary tells the person who takes over what happened.
type Summary struct {
	Lang   Lang
	Reason HandOverReason
	// Guesses are the classifier's best guesses for the last message.
	Guesses []Guess
	// Tried is what the assistant did, oldest first.
	Tried []Attempt
	// LastMessages are the consumer's last messages, redacted, oldest
	// first.
	LastMessages []string
}

// summaryMessageRunes bounds each message quoted in Summary.String, which
// then stays under 2,000 characters.
const summaryMessageRunes = 200

// String returns the summary in one English paragraph for the staff queue.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Language: %s. Handed over: %s.", s.Lang, s.Reason)
	if len(s.Guesses) > 0 {
		g := make([]string, len(s.Guesses))
		for i, x := range s.Guesses {
			g[i] = x.String()
		}
		fmt.Fprintf(&b, " Intent guesses: %s.", strings.Join(g, ", "))
	}
	if len(s.Tried) > 0 {
		t := make([]string, len(s.Tried))
		for i, a := range s.Tried {
			t[i] = string(a.Intent) + " " + string(a.Outcome)
		}
		fmt.Fprintf(&b, " Tried: %s.", strings.Join(t, ", "))
	}
	if len(s.LastMessages) > 0 {
		q := make([]string, len(s.LastMessages))
		for i, m := range s.LastMessages {
			q[i] = fmt.Sprintf("%q", truncate(m, summaryMessageRunes))
		}
		fmt.Fprintf(&b, " Last messages: %s.", strings.Join(q, " / "))
	}
	return b.String()
}
