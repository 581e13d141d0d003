package assistant

// This file is the life of an action: gather its target and details, show
// what will happen, and run it only after an explicit yes.

// maxOptions is how many orders the assistant offers at once.
const maxOptions = 5

// complaintMinWords: a complaint request of at least this many words is
// taken as the complaint's own text.
const complaintMinWords = 10

// minComplaintWords is the shortest text the assistant files as a
// complaint.
const minComplaintWords = 3

// needsOrder reports whether an action acts on one order.
func needsOrder(in Intent) bool {
	switch in {
	case PausePayment, ReportReturn, OpenDispute, NotMyPurchase:
		return true
	}
	return false
}

// start prepares the action the message asks for, taking from the message
// what it says about the target, and asks for what is missing.
func (t *turn) start(in Intent) {
	p := &Pending{Intent: in}
	t.st.Pending = p
	t.st.Failures = 0
	var narrowed []Order
	unknown := false
	switch in {
	case FreezeCard:
		cards := unfrozen(t.ctx.Cards())
		if c, ok := cardFor(t.msg, cards); ok {
			p.CardID = c.ID
		} else if meansAccount(t.msg) || len(cards) == 0 {
			p.Account = true
		} else if len(cards) == 1 {
			p.CardID = cards[0].ID
		}
	case DeleteMyData:
		// The consumer's own data: nothing to choose.
	default:
		m := findOrders(t.msg, t.ctx.Orders())
		switch {
		case len(m.matched) == 1:
			p.OrderID = m.matched[0].ID
		case len(m.matched) > 1:
			narrowed = m.matched
		case m.unknown:
			unknown = true
		}
		if in == OpenDispute {
			p.Reason, _ = reasonIn(t.msg)
		}
		if in == MakeComplaint && len(splitWords(t.msg)) >= complaintMinWords {
			p.Text = truncate(t.msg, maxComplaintRunes)
		}
	}
	if unknown {
		t.st.record(in, UnknownTarget)
		t.say(texts.UnknownOrder.in(t.lang))
		if orders := t.ctx.Orders(); len(orders) > 0 {
			// Even a single order is offered rather than assumed: the
			// consumer meant another one.
			t.askOrder(orders)
			return
		}
	}
	t.advance(narrowed)
}

// advance asks for the next missing detail of the pending action, or
// proposes it when nothing is missing. among, when set, are the orders the
// consumer's words narrowed the choice to.
func (t *turn) advance(among []Order) {
	p := t.st.Pending
	switch {
	case needsOrder(p.Intent) && p.OrderID == "":
		orders := t.ctx.Orders()
		if len(orders) == 0 {
			t.handOver(NoTarget)
			return
		}
		if len(among) > 0 {
			orders = among
		}
		if len(orders) == 1 {
			p.OrderID = orders[0].ID
			t.advance(nil)
			return
		}
		t.askOrder(orders)
	case p.Intent == FreezeCard && !p.Account && p.CardID == "":
		t.askCard()
	case p.Intent == OpenDispute && p.Reason == "":
		t.askReason()
	case p.Intent == MakeComplaint && p.Text == "":
		p.Step = AwaitText
		t.st.record(p.Intent, AskedDetail)
		t.say(texts.AskComplaintText.in(t.lang))
	default:
		t.propose()
	}
}

// unfrozen returns the cards that are not frozen.
func unfrozen(cards []Card) []Card {
	var out []Card
	for _, c := range cards {
		if !c.Frozen {
			out = append(out, c)
		}
	}
	return out
}

// offer lists options in the reply and remembers their values.
func (t *turn) offer(step Step, question string, options []Option) {
	p := t.st.Pending
	p.Step = step
	p.Choices = make([]string, len(options))
	for i, o := range options {
		p.Choices[i] = o.Value
	}
	t.reply.Options = options
	t.st.record(p.Intent, AskedDetail)
	t.say(question + "\n" + numbered(options))
}

// askOrder asks which of orders (the newest maxOptions) is meant.
func (t *turn) askOrder(orders []Order) {
	if len(orders) > maxOptions {
		orders = orders[:maxOptions]
	}
	options := make([]Option, len(orders))
	for i, o := range orders {
		options[i] = Option{Value: o.ID, Label: orderLabel(t.lang, o)}
	}
	t.offer(AwaitOrder, texts.AskOrder.in(t.lang), options)
}

// askCard asks which card to freeze, or the whole account.
func (t *turn) askCard() {
	var options []Option
	for _, c := range unfrozen(t.ctx.Cards()) {
		options = append(options, Option{Value: c.ID, Label: cardLabel(t.lang, c)})
	}
	options = append(options, Option{Value: accountOption, Label: texts.WholeAccount.in(t.lang)})
	t.offer(AwaitCard, texts.AskCard.in(t.lang), options)
}

// askReason asks what went wrong with the order.
func (t *turn) askReason() {
	options := make([]Option, len(DisputeReasons))
	for i, r := range DisputeReasons {
		options[i] = Option{Value: string(r), Label: reasonLabel(t.lang, r)}
	}
	t.offer(AwaitReason, texts.AskReason.in(t.lang), options)
}

// continuePending reads the reply to the pending action's question.
func (t *turn) continuePending() {
	// A complaint's text may well speak of people; there only a clear
	// request for one counts.
	if t.intent == TalkToPerson && (t.st.Pending.Step != AwaitText || t.score >= switchThreshold) {
		t.handOver(Asked)
		return
	}
	// The message answers the pending action's question (unless it
	// switches to another intent, which then says so).
	t.reply.Intent = t.st.Pending.Intent
	switch t.st.Pending.Step {
	case AwaitConfirm:
		t.takeConfirmation()
	case AwaitOrder:
		t.takeOrder()
	case AwaitCard:
		t.takeCard()
	case AwaitReason:
		t.takeReason()
	default:
		t.takeText()
	}
}

// takeConfirmation runs the action on yes and drops it on no.
func (t *turn) takeConfirmation() {
	switch readYesNo(t.msg) {
	case yes:
		t.execute()
		return
	case no:
		t.cancel()
		return
	}
	if t.switches() {
		return
	}
	t.fail(func() {
		t.say(texts.AnswerYesNo.in(t.lang))
		t.propose()
	})
}

// takeOrder reads which order the consumer means.
func (t *turn) takeOrder() {
	p := t.st.Pending
	orders := t.ctx.Orders()
	if i := readChoice(t.msg, len(p.Choices)); i >= 0 {
		if o, ok := orderByID(orders, p.Choices[i]); ok {
			p.OrderID = o.ID
			t.st.Failures = 0
			t.advance(nil)
			return
		}
	}
	m := findOrders(t.msg, orders)
	switch {
	case len(m.matched) == 1:
		p.OrderID = m.matched[0].ID
		t.st.Failures = 0
		t.advance(nil)
		return
	case len(m.matched) > 1:
		t.askOrder(m.matched)
		return
	case m.unknown:
		t.st.record(p.Intent, UnknownTarget)
		t.fail(func() {
			t.say(texts.UnknownOrder.in(t.lang))
			t.askOrder(orders)
		})
		return
	case saysNo(t.msg):
		t.cancel()
		return
	case t.switches():
		return
	}
	t.fail(func() {
		t.say(texts.AnswerWithNumber.in(t.lang))
		t.askOrder(orders)
	})
}

// takeCard reads which card (or the whole account) to freeze.
func (t *turn) takeCard() {
	p := t.st.Pending
	cards := unfrozen(t.ctx.Cards())
	choice := ""
	if i := readChoice(t.msg, len(p.Choices)); i >= 0 {
		choice = p.Choices[i]
	} else if c, ok := cardFor(t.msg, cards); ok {
		choice = c.ID
	} else if meansAccount(t.msg) {
		choice = accountOption
	}
	switch {
	case choice == accountOption:
		p.Account = true
	case choice != "":
		if _, ok := cardByID(cards, choice); ok {
			p.CardID = choice
		}
	}
	if p.Account || p.CardID != "" {
		t.st.Failures = 0
		t.advance(nil)
		return
	}
	if saysNo(t.msg) {
		t.cancel()
		return
	}
	if t.switches() {
		return
	}
	t.fail(func() {
		t.say(texts.AnswerWithNumber.in(t.lang))
		t.askCard()
	})
}

// takeReason reads what went wrong with the order.
func (t *turn) takeReason() {
	p := t.st.Pending
	if i := readChoice(t.msg, len(p.Choices)); i >= 0 {
		p.Reason = DisputeReason(p.Choices[i])
	} else if r, ok := reasonIn(t.msg); ok {
		p.Reason = r
	}
	if p.Reason != "" {
		t.st.Failures = 0
		t.advance(nil)
		return
	}
	if saysNo(t.msg) {
		t.cancel()
		return
	}
	if t.switches() {
		return
	}
	t.fail(func() {
		t.say(texts.AnswerWithNumber.in(t.lang))
		t.askReason()
	})
}

// takeText takes the message as the complaint's text.
func (t *turn) takeText() {
	p := t.st.Pending
	if saysNo(t.msg) {
		t.cancel()
		return
	}
	if len(splitWords(t.msg)) >= minComplaintWords {
		p.Text = truncate(t.msg, maxComplaintRunes)
		t.st.Failures = 0
		t.advance(nil)
		return
	}
	t.fail(func() { t.say(texts.DescribeComplaint.in(t.lang)) })
}

// switches starts another intent when the consumer clearly asks for
// something else instead of answering, and reports whether it did.
func (t *turn) switches() bool {
	p := t.st.Pending
	switch t.intent {
	case None, Greeting, Thanks, p.Intent:
		return false
	}
	if t.score < switchThreshold {
		return false
	}
	t.st.record(p.Intent, Abandoned)
	t.st.Pending = nil
	t.reply.Intent = t.intent
	t.fresh()
	return true
}

// fail counts a failed try: the second in a row hands over, else ask
// repeats the question.
func (t *turn) fail(ask func()) {
	t.st.Failures++
	t.st.record(t.st.Pending.Intent, NotUnderstood)
	if t.st.Failures >= maxFailures {
		t.handOver(FailedTwice)
		return
	}
	ask()
}

// cancel drops the pending action.
func (t *turn) cancel() {
	t.st.record(t.st.Pending.Intent, Cancelled)
	t.st.Pending = nil
	t.st.Failures = 0
	t.say(texts.Cancelled.in(t.lang))
}

// orderByID returns the consumer's order with id.
func orderByID(orders []Order, id string) (Order, bool) {
	for _, o := range orders {
		if o.ID == id {
			return o, true
		}
	}
	return Order{}, false
}

// cardByID returns the consumer's card with id.
func cardByID(cards []Card, id string) (Card, bool) {
	for _, c := range cards {
		if c.ID == id {
			return c, true
		}
	}
	return Card{}, false
}

// propose shows what the assistant will do and asks "Shall I?".
func (t *turn) propose() {
	p := t.st.Pending
	var o Order
	if p.OrderID != "" {
		var ok bool
		if o, ok = orderByID(t.ctx.Orders(), p.OrderID); !ok {
			t.handOver(NoTarget)
			return
		}
	}
	var c Card
	if p.CardID != "" {
		var ok bool
		if c, ok = cardByID(t.ctx.Cards(), p.CardID); !ok {
			t.handOver(NoTarget)
			return
		}
	}
	order := orderLabel(t.lang, o)
	var s string
	switch p.Intent {
	case FreezeCard:
		if p.Account {
			s = texts.ProposeFreezeAccount.in(t.lang)
		} else {
			s = texts.ProposeFreezeCard.in(t.lang, "card", cardMask(c))
		}
	case PausePayment:
		s = texts.ProposePause.in(t.lang, "order", order)
	case ReportReturn:
		s = texts.ProposeReturn.in(t.lang, "order", order)
	case OpenDispute:
		s = texts.ProposeDispute.in(t.lang, "order", order, "reason", reasonLabel(t.lang, p.Reason))
	case NotMyPurchase:
		s = texts.ProposeNotMine.in(t.lang, "order", order)
	case DeleteMyData:
		s = texts.ProposeErasure.in(t.lang)
	case MakeComplaint:
		if p.OrderID != "" {
			s = texts.ProposeComplaintOrder.in(t.lang, "order", order, "text", p.Text)
		} else {
			s = texts.ProposeComplaint.in(t.lang, "text", p.Text)
		}
	}
	p.Step = AwaitConfirm
	p.Choices = nil
	t.reply.Options = nil
	t.reply.AwaitingConfirmation = true
	t.st.record(p.Intent, Proposed)
	t.say(s + " " + texts.ShallI.in(t.lang))
}

// execute runs the confirmed action through the caller's Actions, on a
// target it checks again against the consumer's own orders and cards.
func (t *turn) execute() {
	p := t.st.Pending
	var (
		o  Order
		c  Card
		ok = true
	)
	if p.OrderID != "" {
		o, ok = orderByID(t.ctx.Orders(), p.OrderID)
	}
	if ok && p.CardID != "" {
		c, ok = cardByID(t.ctx.Cards(), p.CardID)
	}
	if !ok {
		t.handOver(NoTarget)
		return
	}
	if !t.ctx.SignedIn() {
		t.handOver(NotSignedIn)
		return
	}
	acts := t.ctx.Actions()
	order := orderLabel(t.lang, o)
	var (
		res  Result
		err  error
		done string
	)
	switch p.Intent {
	case FreezeCard:
		if p.Account {
			res, err = acts.FreezeAccount()
			done = texts.DoneFreezeAccount.in(t.lang)
		} else {
			res, err = acts.FreezeCard(c.ID)
			done = texts.DoneFreezeCard.in(t.lang, "card", cardMask(c))
		}
	case PausePayment:
		res, err = acts.PausePayment(o.ID)
		done = texts.DonePause.in(t.lang, "order", order)
	case ReportReturn:
		res, err = acts.RegisterReturn(o.ID)
		done = texts.DoneReturn.in(t.lang, "order", order)
	case OpenDispute:
		res, err = acts.OpenDispute(o.ID, p.Reason)
		done = texts.DoneDispute.in(t.lang, "order", order)
	case NotMyPurchase:
		res, err = acts.ReportNotMine(o.ID)
		done = texts.DoneNotMine.in(t.lang, "order", order)
	case DeleteMyData:
		res, err = acts.RequestErasure()
		done = texts.DoneErasure.in(t.lang)
	case MakeComplaint:
		res, err = acts.FileComplaint(o.ID, p.Text)
		done = texts.DoneComplaint.in(t.lang)
	}
	if err != nil {
		t.st.record(p.Intent, ActionError)
		t.handOver(ActionFailed)
		return
	}
	t.st.record(p.Intent, Done)
	t.reply.Executed = &Execution{Intent: p.Intent, OrderID: o.ID, CardID: c.ID, Account: p.Account, Reason: p.Reason, Result: res}
	t.st.Pending = nil
	t.st.Failures = 0
	if res.Reference != "" {
		done += " " + texts.Reference.in(t.lang, "ref", res.Reference)
	}
	t.say(done)
	if res.Link != "" {
		t.reply.Links = append(t.reply.Links, Link{Title: texts.FollowUp.in(t.lang), URL: res.Link})
		t.say(texts.FollowUp.in(t.lang) + ": " + res.Link)
	}
}
