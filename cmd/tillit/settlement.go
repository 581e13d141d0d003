package main

import (
	"context"
	"flag"
	"os"
	"time"

	"github.com/tillit/tillit/internal/settlement"
)

const settlementUsage = `usage:
  tillit settlement run --merchant ID --date YYYY-MM-DD   settle one UTC day (idempotent)
  tillit settlement csv --id ID                           print a settlement's lines as CSV`

// settlementCommand runs `tillit settlement run` and `tillit settlement csv`.
func settlementCommand(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError(settlementUsage)
	}
	switch args[0] {
	case "run":
		fs := flag.NewFlagSet("settlement run", flag.ContinueOnError)
		merchantID := fs.String("merchant", "", "merchant id (required)")
		date := fs.String("date", "", "the UTC day to settle, YYYY-MM-DD (required)")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError(err.Error())
		}
		if *merchantID == "" || *date == "" {
			return usageError(settlementUsage)
		}
		day, err := time.Parse(time.DateOnly, *date)
		if err != nil {
			return usageError("settlement run: --date must be YYYY-MM-DD")
		}
		db, err := openMigrated(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		all, err := settlement.RunAll(ctx, db, *merchantID, day, day.Add(settlement.Day))
		if err != nil {
			return err
		}
		printJSON(all)
		return nil
	case "csv":
		fs := flag.NewFlagSet("settlement csv", flag.ContinueOnError)
		id := fs.String("id", "", "settlement id (required)")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError(err.Error())
		}
		if *id == "" {
			return usageError(settlementUsage)
		}
		db, err := openMigrated(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		s, lines, err := settlement.Get(ctx, db, *id)
		if err != nil {
			return err
		}
		return settlement.CSV(os.Stdout, s, lines)
	}
	return usageError(settlementUsage)
}
