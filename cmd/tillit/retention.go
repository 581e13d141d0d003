package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tillit/tillit/internal/retention"
	"github.com/tillit/tillit/internal/vault"
)

const privacyUsage = `usage:
  tillit privacy retention [--dry-run] [--json] [--actor NAME]
      apply every retention rule of the privacy registry now: delete,
      anonymise or crypto-shred what has passed its period (a daily job does
      this too); --dry-run only lists what would go and why; --json prints
      the report as JSON. A run is recorded and written to the audit log.
      See docs/retention.md.`

// privacyCommand runs `tillit privacy ...`.
func privacyCommand(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "retention" {
		return usageError(privacyUsage)
	}
	fs := flag.NewFlagSet("privacy retention", flag.ContinueOnError)
	dryRun := fs.Bool("dry-run", false, "list what would go and why, change nothing")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	actor := fs.String("actor", "", "operator recorded in the audit log")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError(err.Error())
	}
	if fs.NArg() > 0 {
		return usageError(privacyUsage)
	}
	keys, err := vault.LoadMasterKey(os.Getenv, vault.DefaultKeyFile(databaseURL()))
	if err != nil {
		return err
	}
	db, err := openMigrated(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	engine := retention.New(db, retention.DefaultRules(vault.New(db, keys)), retention.Config{}, slog.New(slog.DiscardHandler))
	var rep retention.Report
	if *dryRun {
		if rep, err = engine.Plan(ctx, db.Clock.Now()); err != nil {
			return err
		}
	} else {
		// A failing rule does not stop the others: the report is printed
		// and the command then fails.
		rep, err = engine.Run(ctx, db.Clock.Now(), retention.SourceCommand, cliActor(*actor))
	}
	if *asJSON {
		if werr := writeJSON(stdout, rep); werr != nil {
			return werr
		}
	} else if werr := writeRetention(stdout, rep); werr != nil {
		return werr
	}
	return err
}

// writeRetention prints a report as a table: one line per rule and purpose.
func writeRetention(w io.Writer, rep retention.Report) error {
	what := "removed"
	if rep.DryRun {
		what = "due (dry run, nothing changed)"
	}
	fmt.Fprintf(w, "retention at %s: %d items %s\n\n", rep.At.Format(time.RFC3339), rep.Items, what)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tPURPOSE\tRULE OF THE REGISTRY\tTABLES\tCOUNT\tOLDEST\tPERIOD ENDED")
	for _, l := range rep.Lines {
		oldest, ended := "-", "-"
		if l.Count > 0 {
			oldest, ended = l.Oldest.Format(time.RFC3339), l.FirstEnd.Format(time.RFC3339)
		}
		count := fmt.Sprint(l.Count)
		if l.More {
			count += "+"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.Rule, l.Purpose, ruleText(l), strings.Join(l.Tables, ","), count, oldest, ended)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if rep.More() {
		fmt.Fprintln(w, "\n+ more is due than one run handles; the next run continues")
	}
	if !rep.DryRun {
		fmt.Fprintf(w, "\nrows deleted or anonymised: %d; keys shredded: %d; run %s\n", rep.Rows(), rep.Shredded(), rep.ID)
	}
	if rep.Error != "" {
		fmt.Fprintf(w, "\nfailed: %s\n", rep.Error)
	}
	return nil
}

// ruleText is a line's registry rule in words: "3 months after collected,
// then delete".
func ruleText(l retention.Line) string {
	r := l.Retention
	if r.Period.N == 0 {
		return fmt.Sprintf("until %s, then %s", r.From, r.Then)
	}
	return fmt.Sprintf("%d %s after %s, then %s", r.Period.N, r.Period.Unit, r.From, r.Then)
}
