package assistant

import (
	"bufio"
	"embed"
	"fmt"
	"strings"
)

//go:embed data
var dataFiles embed.FS

// Example is one labelled phrase: a training phrase or an evaluation
// message.
type Example struct {
	// Text is what the consumer wrote.
	Text string `json:"text"`
	// Lang is the language it is written in (the dominant one when mixed).
	Lang Lang `json:"lang"`
	// Intent is what it asks for; None when nothing the assistant does fits.
	Intent Intent `json:"intent"`
	// Notes says what makes it interesting (typo, informal, mixed, ...).
	Notes string `json:"notes,omitempty"`
	// Locale is the consumer's locale hint, when the example has one.
	Locale string `json:"locale,omitempty"`
}

// TrainingSet returns the training phrases of every language, from
// data/train/<lang>.txt: lines of intent<TAB>phrase; blank lines and lines
// starting with # are skipped. It fails on an unknown intent or a malformed
// line.
func TrainingSet() ([]Example, error) {
	var out []Example
	for _, lang := range Languages {
		name := "data/train/" + string(lang) + ".txt"
		b, err := dataFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("assistant: %w", err)
		}
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			intent, phrase, ok := strings.Cut(line, "\t")
			phrase = strings.TrimSpace(phrase)
			if !ok || phrase == "" {
				return nil, fmt.Errorf("assistant: %s:%d: want intent<TAB>phrase", name, n)
			}
			if !Intent(intent).Valid() {
				return nil, fmt.Errorf("assistant: %s:%d: unknown intent %q", name, n, intent)
			}
			out = append(out, Example{Text: phrase, Lang: lang, Intent: Intent(intent)})
		}
	}
	return out, nil
}
