package assistant

// LanguageModel is an optional external language model behind the built-in
// classifier and answers. The assistant runs without one; docs/assistant.md
// says what an implementation must respect. It only ever sees redacted
// messages, and it never runs an action: an intent it suggests still goes
// through the same target checks and the consumer's explicit yes.
type LanguageModel interface {
	// Classify is asked when the built-in classifier is unsure. It returns
	// one of intents with its confidence; an intent outside intents, None
	// or a score under the engine's threshold is ignored, and so is an
	// error (the assistant then hands over as it would without a model).
	Classify(lang Lang, message string, intents []Intent) (Guess, error)
	// Answer words the answer to an informational question (refund status
	// or payment date; never the safety guidance, which stays fixed) from
	// the given help articles, in lang. An error or an empty answer keeps
	// the built-in text.
	Answer(lang Lang, message string, intent Intent, articles []Article) (string, error)
}
