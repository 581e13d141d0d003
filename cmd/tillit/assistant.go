package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tillit/tillit/internal/assistant"
)

const assistantUsage = `usage: tillit assistant eval [--file FILE.jsonl] [--json]

  eval   run the support chat's assistant on labelled consumer messages
         (default: the set built into the binary, internal/assistant/data/eval.jsonl;
         one JSON object a line: text, lang, intent, notes, locale) and print, per
         language, the messages, intent accuracy and language-detection accuracy;
         then the hand-over rate on messages no intent fits, the false hand-over
         rate, the share of actions run without the consumer's confirmation and
         the share of action conversations completed after a yes.
         Exits non-zero when any action ran without confirmation.
         See docs/assistant.md.`

// assistantCommand runs `tillit assistant ...`.
func assistantCommand(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "eval" {
		return usageError(assistantUsage)
	}
	fs := flag.NewFlagSet("assistant eval", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), assistantUsage) }
	file := fs.String("file", "", "labelled messages to evaluate (default: the built-in set)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError(err.Error())
	}
	if fs.NArg() > 0 {
		return usageError(assistantUsage)
	}
	source := "internal/assistant/data/eval.jsonl (built in)"
	examples, err := assistant.EvalSet()
	if *file != "" {
		source = *file
		examples, err = readEvalFile(*file)
	}
	if err != nil {
		return err
	}
	e, err := assistant.New(assistant.Config{})
	if err != nil {
		return err
	}
	r := assistant.Evaluate(e, examples)
	if *asJSON {
		err = writeJSON(stdout, evalJSON(source, len(examples), r))
	} else {
		err = writeEvalTable(stdout, source, len(examples), r)
	}
	if err != nil {
		return err
	}
	if r.Unconfirmed > 0 {
		return fmt.Errorf("assistant: %d of %d actions ran without the consumer's confirmation", r.Unconfirmed, r.Actions)
	}
	return nil
}

// readEvalFile reads labelled messages from a file.
func readEvalFile(name string) ([]assistant.Example, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return assistant.ParseEvalSet(f)
}

// writeEvalTable prints the evaluation as a table.
func writeEvalTable(w io.Writer, source string, n int, r assistant.Report) error {
	pct := func(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }
	fmt.Fprintf(w, "assistant evaluation: %s, %d messages, threshold %.2f\n\n", source, n, assistant.DefaultThreshold)
	fmt.Fprintf(w, "%-9s %9s %16s %19s\n", "language", "messages", "intent accuracy", "language detection")
	for _, l := range append(r.Languages, r.Total()) {
		name := string(l.Lang)
		if name == "" {
			name = "all"
		}
		fmt.Fprintf(w, "%-9s %9d %16s %19s\n", name, l.Messages, pct(l.IntentAccuracy()), pct(l.LangAccuracy()))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-38s %7s (%d of %d)\n", "hand-over on messages no intent fits:", pct(r.HandOverRate()), r.NoneHandedOver, r.NoneMessages)
	fmt.Fprintf(w, "%-38s %7s (%d of %d)\n", "false hand-over:", pct(r.FalseHandOverRate()), r.FalseHandOvers, r.IntentMessages)
	fmt.Fprintf(w, "%-38s %7s (%d of %d)\n", "actions without confirmation:", pct(r.UnconfirmedRate()), r.Unconfirmed, r.Actions)
	_, err := fmt.Fprintf(w, "%-38s %7s (%d of %d)\n", "action conversations completed:", pct(r.FlowCompletionRate()), r.FlowsCompleted, r.Flows)
	return err
}

// evalJSON is the evaluation as one JSON object.
func evalJSON(source string, n int, r assistant.Report) any {
	type lang struct {
		Lang           string  `json:"lang"`
		Messages       int     `json:"messages"`
		IntentAccuracy float64 `json:"intent_accuracy"`
		LangAccuracy   float64 `json:"language_accuracy"`
	}
	out := struct {
		Source             string  `json:"source"`
		Messages           int     `json:"messages"`
		Threshold          float64 `json:"threshold"`
		Languages          []lang  `json:"languages"`
		Overall            lang    `json:"overall"`
		HandOverRate       float64 `json:"hand_over_rate"`
		FalseHandOverRate  float64 `json:"false_hand_over_rate"`
		Actions            int     `json:"actions"`
		UnconfirmedActions int     `json:"unconfirmed_actions"`
		UnconfirmedRate    float64 `json:"unconfirmed_rate"`
		FlowCompletionRate float64 `json:"flow_completion_rate"`
	}{Source: source, Messages: n, Threshold: assistant.DefaultThreshold,
		HandOverRate: r.HandOverRate(), FalseHandOverRate: r.FalseHandOverRate(), Actions: r.Actions,
		UnconfirmedActions: r.Unconfirmed, UnconfirmedRate: r.UnconfirmedRate(), FlowCompletionRate: r.FlowCompletionRate()}
	for _, l := range r.Languages {
		out.Languages = append(out.Languages, lang{string(l.Lang), l.Messages, l.IntentAccuracy(), l.LangAccuracy()})
	}
	t := r.Total()
	out.Overall = lang{"all", t.Messages, t.IntentAccuracy(), t.LangAccuracy()}
	return out
}
