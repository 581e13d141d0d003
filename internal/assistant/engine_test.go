package assistant

import (
	"strings"
	"testing"
)

// phrases are what a consumer writes in each language in the dialog tests.
var phrases = map[Lang]struct {
	freeze, yes, no, broken, gibberish, person string
}{
	English: {"please freeze my card", "yes", "no", "the item I got is broken", "blorp fnord", "I want to talk to a human"},
	Danish:  {"frys venligst mit kort", "ja", "nej", "varen jeg fik er i stykker", "blorp fnord", "jeg vil tale med et menneske"},
	Dutch:   {"bevries alsjeblieft mijn kaart", "ja", "nee", "het artikel dat ik kreeg is kapot", "blorp fnord", "ik wil met een mens praten"},
	Swedish: {"frys mitt kort, tack", "ja", "nej", "varan jag fick är trasig", "blorp fnord", "jag vill prata med en människa"},
	German:  {"bitte friert meine karte ein", "ja", "nein", "der artikel, den ich bekommen habe, ist kaputt", "blorp fnord", "ich will mit einem menschen sprechen"},
}

func TestFreezeCardNeedsAYes(t *testing.T) {
	for _, lang := range Languages {
		t.Run(string(lang), func(t *testing.T) {
			p := phrases[lang]
			c := newConsumer(string(lang))
			ch := newChat(t, c)
			r := ch.say(p.freeze)
			if r.Lang != lang || r.Intent != FreezeCard || !r.AwaitingConfirmation || r.HandOver {
				t.Fatalf("first reply %+v", r)
			}
			if len(c.calls) != 0 {
				t.Fatalf("acted on the first turn: %v", c.calls)
			}
			if !strings.HasPrefix(r.Text, texts.Intro.in(lang)) {
				t.Errorf("first reply does not say it is an assistant: %q", r.Text)
			}
			if !strings.Contains(r.Text, "•••• 4242") || !strings.Contains(r.Text, texts.ShallI.in(lang)) {
				t.Errorf("proposal does not show the card and ask: %q", r.Text)
			}
			r = ch.say(p.yes)
			if len(c.calls) != 1 || c.calls[0] != (call{Action: "FreezeCard", Target: "card-1"}) {
				t.Fatalf("calls after yes: %v", c.calls)
			}
			if r.Executed == nil || r.Executed.CardID != "card-1" || r.Lang != lang {
				t.Fatalf("reply after yes: %+v", r)
			}
			if strings.Contains(r.Text, texts.Intro.in(lang)) {
				t.Errorf("introduces itself again: %q", r.Text)
			}
			if !strings.Contains(r.Text, "REF-1") || len(r.Links) != 1 {
				t.Errorf("done reply lacks the reference or link: %+v", r)
			}
			if ch.st.Pending != nil {
				t.Errorf("action still pending: %+v", ch.st.Pending)
			}
			// A second yes does nothing more.
			ch.say(p.yes)
			if len(c.calls) != 1 {
				t.Fatalf("a later yes acted again: %v", c.calls)
			}
		})
	}
}

func TestNoCancels(t *testing.T) {
	for _, lang := range Languages {
		t.Run(string(lang), func(t *testing.T) {
			p := phrases[lang]
			c := newConsumer(string(lang))
			ch := newChat(t, c)
			ch.say(p.freeze)
			r := ch.say(p.no)
			if len(c.calls) != 0 || r.Executed != nil || r.HandOver {
				t.Fatalf("no did something: %v %+v", c.calls, r)
			}
			if r.Text != texts.Cancelled.in(lang) || ch.st.Pending != nil {
				t.Fatalf("reply %q, pending %+v", r.Text, ch.st.Pending)
			}
		})
	}
}

func TestDisputeAsksForTheOrderAmongTheConsumersOwn(t *testing.T) {
	for _, lang := range Languages {
		t.Run(string(lang), func(t *testing.T) {
			p := phrases[lang]
			c := newConsumer(string(lang))
			ch := newChat(t, c)
			r := ch.say(p.broken)
			if r.Intent != OpenDispute || len(r.Options) != 2 || r.AwaitingConfirmation {
				t.Fatalf("first reply %+v", r)
			}
			if r.Options[0].Value != c.orders[0].ID || !strings.Contains(r.Text, "1. K7M2PQ9XZA") || !strings.Contains(r.Text, "2. B4T8WX2NQR") {
				t.Fatalf("options %+v in %q", r.Options, r.Text)
			}
			r = ch.say("2")
			if !r.AwaitingConfirmation || !strings.Contains(r.Text, "B4T8WX2NQR") ||
				!strings.Contains(r.Text, texts.ReasonNotAsDescribed.in(lang)) {
				t.Fatalf("proposal %q", r.Text)
			}
			if len(c.calls) != 0 {
				t.Fatalf("acted before the yes: %v", c.calls)
			}
			ch.say(p.yes)
			want := call{Action: "OpenDispute", Target: c.orders[1].ID, Reason: NotAsDescribed}
			if len(c.calls) != 1 || c.calls[0] != want {
				t.Fatalf("calls %v", c.calls)
			}
		})
	}
}

func TestDisputeAsksForTheReason(t *testing.T) {
	c := newConsumer("en")
	ch := newChat(t, c)
	r := ch.say("I want to open a dispute about my Lampehuset order")
	if r.Intent != OpenDispute || ch.st.Pending == nil || ch.st.Pending.Step != AwaitReason || len(r.Options) != 4 {
		t.Fatalf("reply %+v, pending %+v", r, ch.st.Pending)
	}
	r = ch.say("4")
	if !r.AwaitingConfirmation || !strings.Contains(r.Text, "The invoice is wrong") {
		t.Fatalf("proposal %q", r.Text)
	}
	ch.say("yes please")
	if len(c.calls) != 1 || c.calls[0].Reason != WrongInvoice || c.calls[0].Target != c.orders[1].ID {
		t.Fatalf("calls %v", c.calls)
	}
}

func TestOrderQuotedByReference(t *testing.T) {
	c := newConsumer("en")
	ch := newChat(t, c)
	r := ch.say("please pause the payment for order NS-10023, the shop has not answered")
	if !r.AwaitingConfirmation || !strings.Contains(r.Text, "K7M2PQ9XZA from Nordic Shoes (2026-03-02, 499.00 DKK)") {
		t.Fatalf("reply %+v", r)
	}
	ch.say("ok")
	if len(c.calls) != 1 || c.calls[0] != (call{Action: "PausePayment", Target: c.orders[0].ID}) {
		t.Fatalf("calls %v", c.calls)
	}
}

// TestUnknownOrderIsNotRevealed: an order id that is not among the
// consumer's orders is "not found", whoever it belongs to, and nothing
// about it appears in the reply.
func TestUnknownOrderIsNotRevealed(t *testing.T) {
	for _, lang := range Languages {
		t.Run(string(lang), func(t *testing.T) {
			c := newConsumer(string(lang))
			// Someone else's order, which the consumer's Context rightly
			// does not list.
			const otherRef, otherID, otherShop = "Q9W8E7R6T5", "0195f2a0-0000-7000-8000-0000000000ff", "Secret Shop"
			ch := newChat(t, c)
			r := ch.say(phrases[lang].broken + " Q9W8E7R6T5")
			for _, leak := range []string{otherRef, otherID, otherShop} {
				if strings.Contains(r.Text, leak) {
					t.Fatalf("reply mentions %q: %q", leak, r.Text)
				}
			}
			if !strings.Contains(r.Text, texts.UnknownOrder.in(lang)) || len(r.Options) != 2 {
				t.Fatalf("reply %+v", r)
			}
			for _, o := range r.Options {
				if o.Value != c.orders[0].ID && o.Value != c.orders[1].ID {
					t.Fatalf("offered an order that is not the consumer's: %+v", o)
				}
			}
			r = ch.say(otherID)
			if strings.Contains(r.Text, otherShop) || r.AwaitingConfirmation || len(c.calls) != 0 {
				t.Fatalf("second reply %+v, calls %v", r, c.calls)
			}
		})
	}
}

func TestUnknownOrderWithASingleOrderIsStillAsked(t *testing.T) {
	c := newConsumer("en")
	c.orders = c.orders[:1]
	ch := newChat(t, c)
	r := ch.say("I never got order 4711-XY, I want to pause paying for it")
	if r.AwaitingConfirmation || len(r.Options) != 1 || !strings.Contains(r.Text, texts.UnknownOrder.en) {
		t.Fatalf("reply %+v", r)
	}
}

func TestCardNumberIsRedacted(t *testing.T) {
	for _, lang := range Languages {
		t.Run(string(lang), func(t *testing.T) {
			c := newConsumer(string(lang))
			ch := newChat(t, c)
			r := ch.say(phrases[lang].freeze + " 4111 1111 1111 4242")
			if !r.Sensitive || strings.Contains(r.StoredMessage, "4111") || !strings.Contains(r.StoredMessage, "****4242") {
				t.Fatalf("stored %q, sensitive %v", r.StoredMessage, r.Sensitive)
			}
			if !strings.Contains(r.Text, texts.Sensitive.in(lang)) {
				t.Fatalf("no warning: %q", r.Text)
			}
			for _, m := range ch.st.Recent {
				if strings.Contains(m, "4111") {
					t.Fatalf("state keeps the card number: %q", m)
				}
			}
			// The masked last four digits still pick the card.
			if !r.AwaitingConfirmation || !strings.Contains(r.Text, "•••• 4242") {
				t.Fatalf("reply %q", r.Text)
			}
		})
	}
}

func TestHandOverAfterTwoFailedTries(t *testing.T) {
	for _, lang := range Languages {
		t.Run(string(lang), func(t *testing.T) {
			p := phrases[lang]
			c := newConsumer(string(lang))
			ch := newChat(t, c)
			ch.say(p.broken)
			r := ch.say(p.gibberish)
			if r.HandOver || !strings.Contains(r.Text, texts.AnswerWithNumber.in(lang)) || len(r.Options) != 2 {
				t.Fatalf("first failure %+v", r)
			}
			r = ch.say(p.gibberish)
			if !r.HandOver || r.Summary == nil || r.Summary.Reason != FailedTwice {
				t.Fatalf("second failure %+v", r)
			}
			s := r.Summary
			if s.Lang != lang || len(s.LastMessages) != 3 || s.LastMessages[0] != p.broken || len(s.Guesses) != maxGuesses {
				t.Fatalf("summary %+v", s)
			}
			if !hasAttempt(s.Tried, OpenDispute, AskedDetail) || !hasAttempt(s.Tried, OpenDispute, NotUnderstood) {
				t.Fatalf("tried %+v", s.Tried)
			}
			if len(c.calls) != 0 {
				t.Fatalf("calls %v", c.calls)
			}
			r = ch.say(p.yes)
			if !r.HandOver || r.Text != texts.WithColleague.in(lang) || len(c.calls) != 0 {
				t.Fatalf("after hand-over %+v", r)
			}
		})
	}
}

func hasAttempt(tried []Attempt, in Intent, o Outcome) bool {
	for _, a := range tried {
		if a == (Attempt{Intent: in, Outcome: o}) {
			return true
		}
	}
	return false
}

func TestHandOverWhenAsked(t *testing.T) {
	for _, lang := range Languages {
		t.Run(string(lang), func(t *testing.T) {
			ch := newChat(t, newConsumer(""))
			r := ch.say(phrases[lang].person)
			if !r.HandOver || r.Summary.Reason != Asked || r.Lang != lang {
				t.Fatalf("reply %+v", r)
			}
			if !strings.HasPrefix(r.Text, texts.Intro.in(lang)) || !strings.Contains(r.Text, texts.HandOverAsked.in(lang)) {
				t.Fatalf("text %q", r.Text)
			}
		})
	}
}

func TestHandOverWhenAskedMidAction(t *testing.T) {
	c := newConsumer("da")
	ch := newChat(t, c)
	ch.say(phrases[Danish].freeze)
	r := ch.say(phrases[Danish].person)
	if !r.HandOver || r.Summary.Reason != Asked || !hasAttempt(r.Summary.Tried, FreezeCard, Proposed) || len(c.calls) != 0 {
		t.Fatalf("reply %+v", r)
	}
}

func TestHandOverWhenUnsure(t *testing.T) {
	ch := newChat(t, newConsumer("nl"))
	r := ch.say("wat is de hoofdstad van peru")
	if !r.HandOver || r.Intent != None || r.Summary.Reason != Unsure || r.Summary.LastMessages[0] != "wat is de hoofdstad van peru" {
		t.Fatalf("reply %+v", r)
	}
}

func TestActionErrorHandsOver(t *testing.T) {
	c := newConsumer("sv")
	c.fail = true
	ch := newChat(t, c)
	ch.say(phrases[Swedish].freeze)
	r := ch.say("ja")
	if !r.HandOver || r.Summary.Reason != ActionFailed || r.Executed != nil || strings.Contains(r.Text, "unavailable") {
		t.Fatalf("reply %+v", r)
	}
}

func TestNoOrdersHandsOver(t *testing.T) {
	c := newConsumer("de")
	c.orders = nil
	r := newChat(t, c).say("ich möchte meine zahlung pausieren")
	if !r.HandOver || r.Summary.Reason != NoTarget {
		t.Fatalf("reply %+v", r)
	}
}

func TestFreezeChoosesAmongCardsOrAccount(t *testing.T) {
	c := newConsumer("en")
	c.cards = append(c.cards, Card{ID: "card-2", Last4: "1881", Kind: "one_time"}, Card{ID: "card-3", Last4: "0005", Frozen: true})
	ch := newChat(t, c)
	r := ch.say("freeze my card")
	if len(r.Options) != 3 || r.Options[2].Value != accountOption || strings.Contains(r.Text, "0005") {
		t.Fatalf("options %+v", r.Options)
	}
	r = ch.say("the one ending 1881")
	if !r.AwaitingConfirmation || !strings.Contains(r.Text, "•••• 1881") {
		t.Fatalf("reply %q", r.Text)
	}
	ch.say("yes")
	if len(c.calls) != 1 || c.calls[0].Target != "card-2" {
		t.Fatalf("calls %v", c.calls)
	}

	c2 := newConsumer("en")
	ch2 := newChat(t, c2)
	if r := ch2.say("my phone was stolen, lock my account"); !strings.Contains(r.Text, texts.ProposeFreezeAccount.en) {
		t.Fatalf("reply %q", r.Text)
	}
	ch2.say("yes")
	if len(c2.calls) != 1 || c2.calls[0].Action != "FreezeAccount" {
		t.Fatalf("calls %v", c2.calls)
	}
}

func TestYesWithAButIsAskedAgain(t *testing.T) {
	c := newConsumer("en")
	ch := newChat(t, c)
	ch.say("freeze my card")
	r := ch.say("yes but not that one")
	if len(c.calls) != 0 || !strings.Contains(r.Text, texts.AnswerYesNo.en) || !r.AwaitingConfirmation {
		t.Fatalf("reply %+v, calls %v", r, c.calls)
	}
}

func TestSwitchingToAnotherIntent(t *testing.T) {
	c := newConsumer("en")
	ch := newChat(t, c)
	ch.say("freeze my card")
	r := ch.say("actually I want to delete my data")
	if r.Intent != DeleteMyData || !r.AwaitingConfirmation || !strings.Contains(r.Text, texts.ProposeErasure.en) {
		t.Fatalf("reply %+v", r)
	}
	ch.say("yes")
	if len(c.calls) != 1 || c.calls[0].Action != "RequestErasure" {
		t.Fatalf("calls %v", c.calls)
	}
}

func TestComplaintAsksForItsText(t *testing.T) {
	c := newConsumer("de")
	ch := newChat(t, c)
	r := ch.say("ich möchte mich beschweren")
	if ch.st.Pending == nil || ch.st.Pending.Step != AwaitText || !strings.Contains(r.Text, texts.AskComplaintText.de) {
		t.Fatalf("reply %+v", r)
	}
	r = ch.say("ok")
	if !strings.Contains(r.Text, texts.DescribeComplaint.de) {
		t.Fatalf("reply %q", r.Text)
	}
	complaint := "Eure Mitarbeiterin am Telefon war sehr unfreundlich zu mir."
	r = ch.say(complaint)
	if !r.AwaitingConfirmation || !strings.Contains(r.Text, "„"+complaint+"“") {
		t.Fatalf("reply %q", r.Text)
	}
	ch.say("ja")
	if len(c.calls) != 1 || c.calls[0] != (call{Action: "FileComplaint", Text: complaint}) {
		t.Fatalf("calls %v", c.calls)
	}
}

func TestLongComplaintIsItsOwnText(t *testing.T) {
	c := newConsumer("en")
	ch := newChat(t, c)
	msg := "I want to complain: you charged me a reminder fee for the Lampehuset order although I paid on time"
	r := ch.say(msg)
	if !r.AwaitingConfirmation || !strings.Contains(r.Text, "about order B4T8WX2NQR") {
		t.Fatalf("reply %q", r.Text)
	}
	ch.say("yes")
	if len(c.calls) != 1 || c.calls[0].Text != msg || c.calls[0].Target != c.orders[1].ID {
		t.Fatalf("calls %v", c.calls)
	}
}

func TestPhishingGuidance(t *testing.T) {
	for _, lang := range Languages {
		t.Run(string(lang), func(t *testing.T) {
			msgs := map[Lang]string{
				English: "is this sms really from you? it asks for my password",
				Danish:  "er denne sms virkelig fra jer? den beder om min adgangskode",
				Dutch:   "is deze sms echt van jullie? er wordt om mijn wachtwoord gevraagd",
				Swedish: "är det här sms:et verkligen från er? det ber om mitt lösenord",
				German:  "ist diese sms wirklich von euch? sie fragt nach meinem passwort",
			}
			r := newChat(t, newConsumer("")).say(msgs[lang])
			if r.Intent != IsThisFromYou || r.HandOver {
				t.Fatalf("reply %+v", r)
			}
			if !strings.Contains(r.Text, DefaultReportURL) || r.Links[0].URL != DefaultReportURL ||
				!strings.Contains(r.Text, texts.Phishing.in(lang, "report", DefaultReportURL)) {
				t.Fatalf("text %q links %+v", r.Text, r.Links)
			}
		})
	}
}

func TestInformationalAnswersLinkArticles(t *testing.T) {
	var asked []string
	e, err := New(Config{Retriever: RetrieverFunc(func(lang, query string, n int) []Article {
		asked = append(asked, lang+"|"+query)
		if strings.Contains(query, "Erstattung Retoure") {
			return []Article{{Title: "Retouren und Erstattungen", URL: "/help/returns-and-refunds?lang=de"}}
		}
		return nil
	})})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := e.Respond(State{}, "wo bleibt meine rückerstattung", newConsumer("de"))
	if r.Intent != RefundStatus || len(r.Links) != 1 || !strings.Contains(r.Text, "- Retouren und Erstattungen: /help/returns-and-refunds?lang=de") {
		t.Fatalf("reply %+v", r)
	}
	if len(asked) != 2 || asked[0] != "de|wo bleibt meine rückerstattung" {
		t.Fatalf("searches %v", asked)
	}
}

func TestGreetingAndThanks(t *testing.T) {
	ch := newChat(t, newConsumer("sv"))
	r := ch.say("hej")
	if r.Lang != Swedish || r.Text != texts.Intro.sv+"\n\n"+texts.HowCanIHelp.sv {
		t.Fatalf("reply %q (%s)", r.Text, r.Lang)
	}
	if r = ch.say("tack"); r.Text != texts.Thanks.sv {
		t.Fatalf("reply %q", r.Text)
	}
}

func TestShortRepliesKeepTheConversationLanguage(t *testing.T) {
	ch := newChat(t, newConsumer("en"))
	ch.say("jeg har mistet mit kort")
	r := ch.say("ok")
	if r.Lang != Danish {
		t.Fatalf("language %s", r.Lang)
	}
}

func TestRespondDoesNotChangeTheCallersState(t *testing.T) {
	e := mustEngine(t)
	c := newConsumer("en")
	_, st := e.Respond(State{}, "freeze my card", c)
	step := st.Pending.Step
	recent := len(st.Recent)
	e.Respond(st, "no", c)
	if st.Pending == nil || st.Pending.Step != step || len(st.Recent) != recent {
		t.Fatalf("state changed: %+v", st)
	}
}

// fakeModel is a language model that always suggests one intent.
type fakeModel struct {
	guess  Guess
	asked  int
	answer string
}

func (m *fakeModel) Classify(Lang, string, []Intent) (Guess, error) { m.asked++; return m.guess, nil }
func (m *fakeModel) Answer(Lang, string, Intent, []Article) (string, error) {
	return m.answer, nil
}

func TestLanguageModelIsAskedWhenUnsureAndNeverActs(t *testing.T) {
	m := &fakeModel{guess: Guess{Intent: FreezeCard, Score: 0.9}, answer: "Model answer."}
	e, err := New(Config{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	c := newConsumer("en")
	r, st := e.Respond(State{}, "zzz qqq", c)
	if m.asked != 1 || r.Intent != FreezeCard || !r.AwaitingConfirmation || len(c.calls) != 0 {
		t.Fatalf("reply %+v, calls %v", r, c.calls)
	}
	e.Respond(st, "yes", c)
	if len(c.calls) != 1 {
		t.Fatalf("calls %v", c.calls)
	}
	r, _ = e.Respond(State{}, "when do i get my refund", c)
	if !strings.Contains(r.Text, "Model answer.") {
		t.Fatalf("reply %q", r.Text)
	}
	m.guess = Guess{Intent: "transfer_money", Score: 0.99}
	if r, _ = e.Respond(State{}, "zzz qqq", c); !r.HandOver {
		t.Fatalf("an unknown intent from the model was used: %+v", r)
	}
}

func TestNewRejectsABadThreshold(t *testing.T) {
	if _, err := New(Config{Threshold: 1.5}); err == nil {
		t.Fatal("no error")
	}
}

func TestVisitorsGetAnswersButNoActions(t *testing.T) {
	c := newConsumer("nl")
	c.visitor = true
	r := newChat(t, c).say("bevries alsjeblieft mijn account")
	if !r.HandOver || r.Summary.Reason != NotSignedIn || r.AwaitingConfirmation || len(c.calls) != 0 {
		t.Fatalf("reply %+v", r)
	}
	if r = newChat(t, c).say("is deze sms echt van jullie?"); r.HandOver || r.Intent != IsThisFromYou {
		t.Fatalf("reply %+v", r)
	}
}

func TestAStoredLanguageMustBeKnown(t *testing.T) {
	r, st := mustEngine(t).Respond(State{Lang: "xx"}, "ok", newConsumer("sv"))
	if r.Lang != Swedish || st.Lang != Swedish {
		t.Fatalf("language %s, state %s", r.Lang, st.Lang)
	}
}
