package assistant

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// EvalSet returns the labelled evaluation messages of data/eval.jsonl.
func EvalSet() ([]Example, error) {
	b, err := dataFiles.ReadFile("data/eval.jsonl")
	if err != nil {
		return nil, fmt.Errorf("assistant: %w", err)
	}
	return ParseEvalSet(strings.NewReader(string(b)))
}

// ParseEvalSet reads labelled messages, one JSON object a line ({"text",
// "lang", "intent", "notes", "locale"}), and fails on an unknown language or
// intent, or an empty text.
func ParseEvalSet(r io.Reader) ([]Example, error) {
	var out []Example
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var e Example
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("assistant: eval line %d: %w", n, err)
		}
		if _, ok := ParseLang(string(e.Lang)); !ok || strings.TrimSpace(e.Text) == "" || !e.Intent.Valid() {
			return nil, fmt.Errorf("assistant: eval line %d: want a text, a language among %v and a known intent", n, Languages)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("assistant: eval: %w", err)
	}
	return out, nil
}
