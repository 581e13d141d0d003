// Package assistant is the brain of the support chat's first line: a
// multilingual assistant that understands a consumer's message, answers it or
// resolves it with the same self-service actions the consumer app offers, and
// hands the conversation to a person when it cannot.
//
// It is pure Go with no HTTP and no database, and runs offline in the binary:
//
//   - Detect finds the language of a message (English, Danish, Dutch, Swedish
//     or German) from character n-gram profiles trained on the example
//     phrases in data/train and a short list of distinctive words; a short or
//     ambiguous message keeps the conversation's language or the locale hint.
//   - The intent classifier is a multinomial logistic regression over folded
//     words, word pairs and character n-grams, trained deterministically at
//     start-up from data/train/<lang>.txt (intent<TAB>phrase); unknown words
//     are matched to known ones within one or two typing mistakes.
//   - Engine.Respond runs one turn of the dialog. Its State is a small value
//     the caller stores with the conversation. An action (freeze a card,
//     open a dispute, ...) never runs on the turn that asks for it: the engine
//     resolves the target among the consumer's own orders and cards (Context),
//     asks for what is missing, shows what it will do and runs it through the
//     caller's Actions only after an explicit yes in the next turn.
//     Informational questions are answered from the help articles through a
//     Retriever. When it is unsure, when asked, or after two failed tries it
//     hands over with a Summary for the person who takes over.
//   - Redact masks card numbers, one-time codes and passwords in a message;
//     the caller stores Reply.StoredMessage, never the raw message.
//   - Evaluate measures the engine on the labelled messages of
//     data/eval.jsonl (`tillit assistant eval`).
//
// The conversation is personal data: the caller stores State and the stored
// messages through the privacy vault with the conversation. docs/assistant.md
// describes the design, the figures and how to add phrases and intents.
package assistant
