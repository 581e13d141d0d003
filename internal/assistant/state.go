package assistant

// State is the assistant's memory of one conversation: a small value the
// caller stores with the conversation (it marshals to JSON) and passes back
// with the next message. The zero State starts a conversation. It holds the
// consumer's last messages, redacted, so it is personal data: the caller
// stores it through the privacy vault and erases it with the conversation.
type State struct {
	// Lang is the conversation's language so far.
	Lang Lang `json:"lang,omitempty"`
	// Introduced is whether the assistant has said it is an assistant.
	Introduced bool `json:"introduced,omitempty"`
	// HandedOver is why a person has the conversation now; empty while
	// the assistant has it.
	HandedOver HandOverReason `json:"handed_over,omitempty"`
	// Pending is the action being prepared, nil when none is.
	Pending *Pending `json:"pending,omitempty"`
	// Failures counts the assistant's failed tries in a row to get what it
	// needs; at maxFailures it hands over.
	Failures int `json:"failures,omitempty"`
	// Tried lists what the assistant did so far, for the hand-over summary.
	Tried []Attempt `json:"tried,omitempty"`
	// Recent are the consumer's last messages, redacted.
	Recent []string `json:"recent,omitempty"`
}

// Step is what a pending action waits for.
type Step string

// Steps of a pending action: it waits for the order, the card (or the
// whole account), the dispute reason, the complaint's text, or the yes.
const (
	AwaitOrder   Step = "order"
	AwaitCard    Step = "card"
	AwaitReason  Step = "reason"
	AwaitText    Step = "text"
	AwaitConfirm Step = "confirm"
)

// Pending is an action the assistant prepares and has not run.
type Pending struct {
	Intent Intent `json:"intent"`
	Step   Step   `json:"step"`
	// OrderID, CardID, Account, Reason and Text are the details gathered
	// so far: the target order or card (or the whole account), the
	// dispute reason and the complaint's text (redacted).
	OrderID string        `json:"order_id,omitempty"`
	CardID  string        `json:"card_id,omitempty"`
	Account bool          `json:"account,omitempty"`
	Reason  DisputeReason `json:"reason,omitempty"`
	Text    string        `json:"text,omitempty"`
	// Choices are the ids of the options offered, in order, so that "2"
	// means the second one offered.
	Choices []string `json:"choices,omitempty"`
}

// Outcome is how one of the assistant's attempts ended.
type Outcome string

// Outcomes: an informational answer given; a detail asked for; an action
// proposed, run, or declined by the consumer; an answer not understood; an
// order quoted that is not the consumer's; an action left for another
// request; an action that returned an error.
const (
	Answered      Outcome = "answered"
	AskedDetail   Outcome = "asked_detail"
	Proposed      Outcome = "proposed"
	Done          Outcome = "done"
	Cancelled     Outcome = "cancelled"
	NotUnderstood Outcome = "not_understood"
	UnknownTarget Outcome = "unknown_order"
	Abandoned     Outcome = "abandoned"
	ActionError   Outcome = "action_failed"
)

// Attempt is one thing the assistant tried.
type Attempt struct {
	Intent  Intent  `json:"intent"`
	Outcome Outcome `json:"outcome"`
}

// Limits on what State keeps.
const (
	// maxFailures failed tries in a row hand the conversation over.
	maxFailures = 2
	// maxRecent messages of at most maxMessageRunes runes are kept.
	maxRecent       = 5
	maxMessageRunes = 300
	// maxTried attempts are kept.
	maxTried = 10
	// maxComplaintRunes is the longest complaint text the assistant files.
	maxComplaintRunes = 1000
)

// truncate returns s cut to at most n runes.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// clone returns a copy of st that shares nothing with it.
func (st State) clone() State {
	c := st
	c.Tried = append([]Attempt(nil), st.Tried...)
	c.Recent = append([]string(nil), st.Recent...)
	if st.Pending != nil {
		p := *st.Pending
		p.Choices = append([]string(nil), st.Pending.Choices...)
		c.Pending = &p
	}
	return c
}

// remember adds a redacted message to st.Recent.
func (st *State) remember(message string) {
	st.Recent = append(st.Recent, truncate(message, maxMessageRunes))
	if len(st.Recent) > maxRecent {
		st.Recent = st.Recent[len(st.Recent)-maxRecent:]
	}
}

// record adds an attempt to st.Tried.
func (st *State) record(in Intent, o Outcome) {
	st.Tried = append(st.Tried, Attempt{Intent: in, Outcome: o})
	if len(st.Tried) > maxTried {
		st.Tried = st.Tried[len(st.Tried)-maxTried:]
	}
}
