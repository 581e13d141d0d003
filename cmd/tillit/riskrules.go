package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/risk/rules"
)

const riskRulesUsage = `usage: tillit risk rules <show|history|check|publish> [flags]

  show                         the fraud rule set in force, as JSON
  history [--limit N]          the published versions, newest first
  check --file FILE            compile a rule set and list its problems
  publish --file FILE --actor NAME --comment TEXT
                               publish a rule set as the next version (audited);
                               every server applies it within seconds

The language is described in docs/risk-rules.md.`

// riskRules runs the risk rules subcommands, writing to out.
func riskRules(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return usageError(riskRulesUsage)
	}
	fs := flag.NewFlagSet("risk rules "+args[0], flag.ContinueOnError)
	file := fs.String("file", "", "the rule set's file")
	actor := fs.String("actor", "", "who publishes (recorded in the audit log)")
	comment := fs.String("comment", "", "why (kept with the version and in the audit log)")
	limit := fs.Int("limit", 20, "how many versions history lists")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError(err.Error())
	}
	if args[0] == "check" {
		source, err := readRules(*file)
		if err != nil {
			return err
		}
		set, err := rules.Compile(source, rules.OrderSchema)
		var ce *rules.CompileError
		if errors.As(err, &ce) {
			return fmt.Errorf("the rule set has problems:\n  %s", strings.Join(ce.Problems, "\n  "))
		}
		if err != nil {
			return err
		}
		return writeJSON(out, map[string]any{"rules": len(set.Rules), "digest": set.Digest})
	}
	if args[0] != "show" && args[0] != "history" && args[0] != "publish" {
		return usageError(riskRulesUsage)
	}
	a, err := app.New(ctx, app.Config{DatabaseURL: databaseURL(), Logger: newLogger()})
	if err != nil {
		return err
	}
	defer a.Close()
	switch args[0] {
	case "show":
		set, err := a.Rules.Current(ctx)
		if err != nil {
			return err
		}
		return writeJSON(out, map[string]any{"version": set.Version, "digest": set.Digest, "rules": len(set.Rules), "source": set.Source})
	case "history":
		h, err := rules.History(ctx, a.DB, *limit)
		if err != nil {
			return err
		}
		return writeJSON(out, h)
	}
	if *actor == "" || *comment == "" {
		return usageError(riskRulesUsage)
	}
	source, err := readRules(*file)
	if err != nil {
		return err
	}
	p, err := rules.Publish(ctx, a.DB, rules.OrderSchema, source, "operator:"+*actor, *comment)
	if err != nil {
		return err
	}
	return writeJSON(out, p)
}

// readRules reads a rule set's file.
func readRules(path string) (string, error) {
	if path == "" {
		return "", usageError(riskRulesUsage)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if len(b) > rules.MaxSource {
		return "", fmt.Errorf("%s is larger than %d bytes", path, rules.MaxSource)
	}
	return string(b), nil
}
