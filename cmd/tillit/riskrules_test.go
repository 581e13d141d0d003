package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/risk/rules"
	"github.com/tillit/tillit/internal/store/storetest"
)

// TestRiskRules: check reports a broken set by line; publish stores a
// version, show and history then report it; publishing without a comment
// is refused.
func TestRiskRules(t *testing.T) {
	t.Setenv("TILLIT_DATABASE_URL", storetest.DSN(t))
	dir := t.TempDir()
	broken, good := filepath.Join(dir, "broken.rules"), filepath.Join(dir, "good.rules")
	if err := os.WriteFile(broken, []byte("review NIGHT when hour < \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, []byte(rules.DefaultSource+"review NIGHT_ORDER when hour < 6\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := capture(t, "risk", "rules", "check", "--file", broken); err == nil || !strings.Contains(err.Error(), "line 1: column 25") {
		t.Errorf("check of a broken set: %v", err)
	}
	out, err := capture(t, "risk", "rules", "check", "--file", good)
	if err != nil || !strings.Contains(out, `"rules": 4`) {
		t.Fatalf("check: %s %v", out, err)
	}
	out, err = capture(t, "risk", "rules", "show")
	if err != nil || !strings.Contains(out, `"version": 0`) {
		t.Fatalf("show before publishing: %s %v", out, err)
	}
	if _, err := capture(t, "risk", "rules", "publish", "--file", good, "--actor", "ops"); err == nil {
		t.Error("published without a comment")
	}
	out, err = capture(t, "risk", "rules", "publish", "--file", good, "--actor", "ops", "--comment", "Night orders to review")
	if err != nil {
		t.Fatal(err)
	}
	var p rules.Published
	if err := json.Unmarshal([]byte(out), &p); err != nil || p.Version != 1 || p.Rules != 4 || p.CreatedBy != "operator:ops" {
		t.Fatalf("publish: %s %v", out, err)
	}
	out, err = capture(t, "risk", "rules", "show")
	if err != nil || !strings.Contains(out, `"version": 1`) || !strings.Contains(out, "NIGHT_ORDER") {
		t.Errorf("show: %s %v", out, err)
	}
	out, err = capture(t, "risk", "rules", "history")
	if err != nil || !strings.Contains(out, "Night orders to review") {
		t.Errorf("history: %s %v", out, err)
	}
}
