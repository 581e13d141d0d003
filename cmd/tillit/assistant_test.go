package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAssistantEval(t *testing.T) {
	out, err := capture(t, "assistant", "eval")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"intent accuracy", "\nda ", "\nde ", "\nall ", "actions without confirmation:", "0.0% (0 of "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestAssistantEvalFileAsJSON(t *testing.T) {
	file := filepath.Join(t.TempDir(), "eval.jsonl")
	lines := `{"text":"frys mit kort","lang":"da","intent":"freeze_card"}
{"text":"what's the capital of peru","lang":"en","intent":"none"}
`
	if err := os.WriteFile(file, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := capture(t, "assistant", "eval", "--file", file, "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var got struct {
		Messages           int     `json:"messages"`
		Actions            int     `json:"actions"`
		UnconfirmedActions int     `json:"unconfirmed_actions"`
		HandOverRate       float64 `json:"hand_over_rate"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Messages != 2 || got.Actions != 1 || got.UnconfirmedActions != 0 || got.HandOverRate != 1 {
		t.Fatalf("%+v", got)
	}
}

func TestAssistantUsage(t *testing.T) {
	for _, args := range [][]string{{"assistant"}, {"assistant", "train"}, {"assistant", "eval", "extra"}} {
		if _, err := capture(t, args...); exitCode(err) != 2 {
			t.Errorf("%v: %v", args, err)
		}
	}
	if _, err := capture(t, "assistant", "eval", "--file", filepath.Join(t.TempDir(), "missing.jsonl")); err == nil {
		t.Error("a missing file is no error")
	}
}
