package assistant

import "time"

// Report is what Evaluate measured.
type Report struct {
	// Languages are the figures of each language, in Languages order.
	Languages []LangReport
	// NoneMessages were labelled none; NoneHandedOver of them were handed
	// over on their first turn, as they must be.
	NoneMessages, NoneHandedOver int
	// IntentMessages were labelled with an intent the assistant handles
	// itself (not none, not talk_to_person); FalseHandOvers of them were
	// handed over on their first turn.
	IntentMessages, FalseHandOvers int
	// Actions counts the actions run in the whole evaluation; Unconfirmed
	// those run on a turn that was not the consumer's yes to "Shall I?"
	// (every action on a first turn is one). It must be 0.
	Actions, Unconfirmed int
	// Flows are the action messages the assistant understood and whose
	// conversation the evaluation carried on, picking the first option
	// offered and answering yes; FlowsCompleted ran their action.
	Flows, FlowsCompleted int
}

// LangReport is the figures of one language.
type LangReport struct {
	Lang Lang
	// Messages is how many messages the language has; IntentCorrect how
	// many the assistant took for their labelled intent (an unsure message
	// counts as none) and LangCorrect in how many it detected the language.
	Messages, IntentCorrect, LangCorrect int
}

// IntentAccuracy is the share of messages taken for their intent.
func (l LangReport) IntentAccuracy() float64 { return ratio(l.IntentCorrect, l.Messages) }

// LangAccuracy is the share of messages whose language was detected.
func (l LangReport) LangAccuracy() float64 { return ratio(l.LangCorrect, l.Messages) }

// Total is the figures of all languages together.
func (r Report) Total() LangReport {
	var t LangReport
	for _, l := range r.Languages {
		t.Messages += l.Messages
		t.IntentCorrect += l.IntentCorrect
		t.LangCorrect += l.LangCorrect
	}
	return t
}

// HandOverRate is the share of none messages handed over.
func (r Report) HandOverRate() float64 { return ratio(r.NoneHandedOver, r.NoneMessages) }

// FalseHandOverRate is the share of messages with a handled intent that
// were handed over.
func (r Report) FalseHandOverRate() float64 { return ratio(r.FalseHandOvers, r.IntentMessages) }

// UnconfirmedRate is the share of actions run without confirmation.
func (r Report) UnconfirmedRate() float64 { return ratio(r.Unconfirmed, r.Actions) }

// FlowCompletionRate is the share of carried-on action conversations that
// ran their action.
func (r Report) FlowCompletionRate() float64 { return ratio(r.FlowsCompleted, r.Flows) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// maxFlowTurns bounds an evaluated conversation.
const maxFlowTurns = 6

// Evaluate runs the engine on each example as the first message of a
// conversation of a test consumer (two orders, one card) whose actions are
// only recorded, and measures intent and language accuracy, hand-overs and
// actions run without confirmation. It then carries on each understood
// action message, picking the first option offered and answering yes, to
// check that the action does run once confirmed.
func Evaluate(e *Engine, examples []Example) Report {
	byLang := map[Lang]*LangReport{}
	r := Report{}
	for _, l := range Languages {
		r.Languages = append(r.Languages, LangReport{Lang: l})
	}
	for i := range r.Languages {
		byLang[r.Languages[i].Lang] = &r.Languages[i]
	}
	for _, ex := range examples {
		lr := byLang[ex.Lang]
		if lr == nil {
			continue
		}
		lr.Messages++
		c := &evalConsumer{locale: ex.Locale}
		reply, st := e.Respond(State{}, ex.Text, c)
		if reply.Lang == ex.Lang {
			lr.LangCorrect++
		}
		if reply.Intent == ex.Intent {
			lr.IntentCorrect++
		}
		r.Actions += c.calls
		r.Unconfirmed += c.calls
		switch {
		case ex.Intent == None:
			r.NoneMessages++
			if reply.HandOver {
				r.NoneHandedOver++
			}
		case ex.Intent != TalkToPerson:
			r.IntentMessages++
			if reply.HandOver {
				r.FalseHandOvers++
			}
		}
		if !ex.Intent.IsAction() || reply.Intent != ex.Intent || reply.HandOver {
			continue
		}
		r.Flows++
		for turn := 0; turn < maxFlowTurns && reply.Executed == nil && !reply.HandOver; turn++ {
			next, confirming := nextEvalMessage(reply, st)
			if next == "" {
				break
			}
			before := c.calls
			reply, st = e.Respond(st, next, c)
			ran := c.calls - before
			r.Actions += ran
			if !confirming || ran > 1 {
				r.Unconfirmed += ran
			}
		}
		if reply.Executed != nil {
			r.FlowsCompleted++
		}
	}
	return r
}

// evalYes is "yes" and evalComplaint a complaint's text in each language,
// as the evaluation answers.
var (
	evalYes       = text{en: "yes", da: "ja", nl: "ja", sv: "ja", de: "ja"}
	evalComplaint = text{
		en: "You charged me a reminder fee although I paid on time.",
		da: "I har opkrævet et rykkergebyr, selvom jeg betalte til tiden.",
		nl: "Jullie rekenden herinneringskosten terwijl ik op tijd had betaald.",
		sv: "Ni tog ut en påminnelseavgift fast jag betalade i tid.",
		de: "Ihr habt eine Mahngebühr berechnet, obwohl ich pünktlich bezahlt habe.",
	}
)

// nextEvalMessage is the evaluation's answer to a reply: yes to "Shall
// I?", the first option offered, or a complaint's text; "" when the
// conversation ends. confirming is whether the answer is the yes.
func nextEvalMessage(reply Reply, st State) (msg string, confirming bool) {
	switch {
	case reply.AwaitingConfirmation:
		return evalYes.in(st.Lang), true
	case len(reply.Options) > 0:
		return "1", false
	case st.Pending != nil && st.Pending.Step == AwaitText:
		return evalComplaint.in(st.Lang), false
	}
	return "", false
}

// evalConsumer is the consumer of the evaluation: two orders, one virtual
// card, and actions that only count their calls.
type evalConsumer struct {
	locale string
	calls  int
}

func (c *evalConsumer) SignedIn() bool { return true }
func (c *evalConsumer) Locale() string { return c.locale }

func (c *evalConsumer) Orders() []Order {
	return []Order{
		{ID: "eval-order-1", Reference: "K7M2PQ9XZA", Merchant: "Nordic Shoes",
			Date: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Amount: 49900, Currency: "DKK"},
		{ID: "eval-order-2", Reference: "B4T8WX2NQR", Merchant: "Lampehuset",
			Date: time.Date(2026, 2, 14, 0, 0, 0, 0, time.UTC), Amount: 129500, Currency: "DKK"},
	}
}

func (c *evalConsumer) Cards() []Card {
	return []Card{{ID: "eval-card-1", Last4: "4242", Kind: "virtual"}}
}

func (c *evalConsumer) Actions() Actions { return c }

func (c *evalConsumer) done() (Result, error) {
	c.calls++
	return Result{Reference: "EVAL"}, nil
}

func (c *evalConsumer) FreezeCard(string) (Result, error)                 { return c.done() }
func (c *evalConsumer) FreezeAccount() (Result, error)                    { return c.done() }
func (c *evalConsumer) PausePayment(string) (Result, error)               { return c.done() }
func (c *evalConsumer) RegisterReturn(string) (Result, error)             { return c.done() }
func (c *evalConsumer) OpenDispute(string, DisputeReason) (Result, error) { return c.done() }
func (c *evalConsumer) ReportNotMine(string) (Result, error)              { return c.done() }
func (c *evalConsumer) RequestErasure() (Result, error)                   { return c.done() }
func (c *evalConsumer) FileComplaint(string, string) (Result, error)      { return c.done() }
