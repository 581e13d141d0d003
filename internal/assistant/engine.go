package assistant

import (
	"fmt"
	"strings"
	"sync"
)

// DefaultThreshold is the probability under which the classifier's best
// guess counts as unsure and the assistant hands over.
const DefaultThreshold = 0.45

// DefaultReportURL is the public page where anyone reports a suspicious
// message (internal/reportpage).
const DefaultReportURL = "/report-suspicious"

// switchThreshold: while an action waits for a detail or a yes, a message
// the classifier places in another intent at least this surely starts that
// intent instead.
const switchThreshold = 0.7

// Config sets up an Engine; every field is optional.
type Config struct {
	// Retriever finds the help articles informational answers link to.
	Retriever Retriever
	// Model is an external language model consulted when the classifier
	// is unsure and for wording informational answers.
	Model LanguageModel
	// Threshold replaces DefaultThreshold.
	Threshold float64
	// ReportURL replaces DefaultReportURL.
	ReportURL string
}

// Engine runs the assistant's dialog. It is read-only once made and safe
// for concurrent use; everything about a conversation is in its State.
type Engine struct {
	cfg   Config
	brain *brain
}

// brain is the trained language detector and intent classifier.
type brain struct {
	detector   *detector
	classifier *classifier
}

// builtIn trains the brain from the embedded phrases once per process.
var builtIn = sync.OnceValues(func() (*brain, error) {
	examples, err := TrainingSet()
	if err != nil {
		return nil, err
	}
	return &brain{detector: newDetector(examples), classifier: trainClassifier(examples)}, nil
})

// New returns an engine with the classifier trained from the phrases in
// data/train (once per process, in a fraction of a second). It fails when
// the phrases are malformed or the threshold is not between 0 and 1.
func New(cfg Config) (*Engine, error) {
	b, err := builtIn()
	if err != nil {
		return nil, err
	}
	if cfg.Threshold == 0 {
		cfg.Threshold = DefaultThreshold
	}
	if cfg.Threshold < 0 || cfg.Threshold >= 1 {
		return nil, fmt.Errorf("assistant: threshold %v is not between 0 and 1", cfg.Threshold)
	}
	if cfg.ReportURL == "" {
		cfg.ReportURL = DefaultReportURL
	}
	return &Engine{cfg: cfg, brain: b}, nil
}

// Detect returns the language message is written in; locale (a language
// tag, maybe empty) decides a short or ambiguous message.
func (e *Engine) Detect(message, locale string) Lang {
	hint, _ := ParseLang(locale)
	return e.brain.detector.detect(Redact(message), hint)
}

// Classify returns every intent with the classifier's probability for
// message, most likely first.
func (e *Engine) Classify(message string) []Guess {
	return e.brain.classifier.classify(Redact(message))
}

// maxGuesses is how many guesses a Reply and a Summary carry.
const maxGuesses = 3

// turn is one message being answered.
type turn struct {
	e   *Engine
	st  *State
	ctx Context
	// lang is the reply's language; msg the redacted message.
	lang Lang
	msg  string
	// guesses are the classifier's; intent is what the assistant takes
	// the message for (None when unsure) and score its probability.
	guesses []Guess
	intent  Intent
	score   float64
	reply   Reply
	// body are the reply's paragraphs.
	body []string
}

// Respond answers one consumer message in the conversation whose State is
// st, for the consumer c describes, and returns the reply and the new
// State to store. It never runs an action on the turn that asks for it:
// actions run only on a later yes to "Shall I?". The message is redacted
// before anything else looks at it; the caller stores Reply.StoredMessage.
func (e *Engine) Respond(st State, message string, c Context) (Reply, State) {
	st = st.clone()
	stored, sensitive := redact(message)
	hint, ok := ParseLang(string(st.Lang))
	if !ok {
		hint, _ = ParseLang(c.Locale())
	}
	t := &turn{e: e, st: &st, ctx: c, msg: stored, lang: e.brain.detector.detect(stored, hint)}
	st.Lang = t.lang
	st.remember(stored)
	t.reply = Reply{Lang: t.lang, Sensitive: sensitive, StoredMessage: stored}
	t.understand()
	switch {
	case st.HandedOver != "":
		t.reply.HandOver = true
		t.reply.Summary = t.summary(st.HandedOver)
		t.say(texts.WithColleague.in(t.lang))
	case st.Pending != nil:
		t.continuePending()
	default:
		t.fresh()
	}
	var parts []string
	if !st.Introduced {
		parts = append(parts, texts.Intro.in(t.lang))
		st.Introduced = true
	}
	if sensitive {
		parts = append(parts, texts.Sensitive.in(t.lang))
	}
	t.reply.Text = strings.Join(append(parts, t.body...), "\n\n")
	return t.reply, st
}

// understand classifies the message, asking the language model when the
// classifier is unsure and one is configured.
func (t *turn) understand() {
	t.guesses = t.e.brain.classifier.classify(t.msg)
	top := t.guesses[0]
	t.intent, t.score = top.Intent, top.Score
	if top.Score < t.e.cfg.Threshold {
		t.intent = None
	}
	if t.intent == None && t.e.cfg.Model != nil {
		g, err := t.e.cfg.Model.Classify(t.lang, t.msg, Intents)
		if err == nil && g.Intent.Valid() && g.Intent != None && g.Score >= t.e.cfg.Threshold {
			t.intent, t.score = g.Intent, g.Score
		}
	}
	t.reply.Intent = t.intent
	t.reply.Guesses = append([]Guess(nil), t.guesses[:maxGuesses]...)
}

// fresh answers a message that is not a reply to a question.
func (t *turn) fresh() {
	switch in := t.intent; {
	case in == TalkToPerson:
		t.handOver(Asked)
	case in == None:
		t.handOver(Unsure)
	case in == Greeting:
		t.say(texts.HowCanIHelp.in(t.lang))
	case in == Thanks:
		t.say(texts.Thanks.in(t.lang))
	case in.IsInformational():
		t.inform(in)
	case !t.ctx.SignedIn():
		t.handOver(NotSignedIn)
	default:
		t.start(in)
	}
}

// say adds a paragraph to the reply.
func (t *turn) say(paragraph string) { t.body = append(t.body, paragraph) }

// handOver gives the conversation to a person, with a summary.
func (t *turn) handOver(reason HandOverReason) {
	t.st.HandedOver = reason
	t.st.Pending = nil
	t.reply.HandOver = true
	t.reply.Summary = t.summary(reason)
	t.reply.AwaitingConfirmation = false
	t.reply.Options = nil
	var say text
	switch reason {
	case Asked:
		say = texts.HandOverAsked
	case FailedTwice:
		say = texts.HandOverFailed
	case ActionFailed:
		say = texts.HandOverActionFailed
	case NoTarget:
		say = texts.HandOverNoTarget
	case NotSignedIn:
		say = texts.HandOverNotSignedIn
	default:
		say = texts.HandOverUnsure
	}
	t.body = []string{say.in(t.lang)}
}

// summary describes the conversation for the person taking over.
func (t *turn) summary(reason HandOverReason) *Summary {
	return &Summary{
		Lang:         t.lang,
		Reason:       reason,
		Guesses:      append([]Guess(nil), t.guesses[:maxGuesses]...),
		Tried:        append([]Attempt(nil), t.st.Tried...),
		LastMessages: append([]string(nil), t.st.Recent...),
	}
}
