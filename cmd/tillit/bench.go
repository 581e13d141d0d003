package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/bench"
)

const benchUsage = `usage: tillit bench [--duration D] [--concurrency N] [--json] [--keep]
       tillit bench --url URL --username USER --password PASS [--duration D] [--concurrency N] [--json]
       tillit bench --assessment [--people N] [--purchases N] [--duration D] [--concurrency N] [--json]

Drives the HTTP API over loopback: each client repeats session, authorize,
order, capture and partial refund. Without --url, Tillit runs in process on a
fresh database (SQLite in a temporary directory, or a new schema when
TILLIT_DATABASE_URL is a postgres:// URL) with a test merchant. With --url, the
credentials must be a test-mode merchant's; the ledger is verified when
TILLIT_DATABASE_URL names the server's database. Exits non-zero on any failed
request or ledger problem.

With --assessment, measures the whole risk assessment of one authorization
(screening, rules, the fraud model over the purchase history, the credit
decision) in process, as checkout calls it, on a fresh database holding
--people customers and --purchases purchases over 30 days. Exits non-zero when
the p99 is over the 5 ms target.

flags:
  --duration D      how long to start new requests (default 10s)
  --concurrency N   concurrent clients (default 16)
  --json            print one JSON object instead of a table
  --url URL         bench a running server instead of an in-process one
  --username USER   merchant API username (with --url)
  --password PASS   merchant API password (with --url)
  --keep            keep the temporary database or schema
  --assessment      bench the risk assessment instead of the HTTP API
  --people N        customers in the assessment's history (default 5000)
  --purchases N     purchases in the assessment's history (default 50000)`

// benchCommand runs the load benchmark; see internal/bench.
func benchCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), benchUsage) }
	duration := fs.Duration("duration", bench.DefaultDuration, "how long to start new requests")
	concurrency := fs.Int("concurrency", bench.DefaultConcurrency, "concurrent clients")
	asJSON := fs.Bool("json", false, "print one JSON object")
	target := fs.String("url", "", "origin of a running server to bench")
	username := fs.String("username", "", "merchant API username (with --url)")
	password := fs.String("password", "", "merchant API password (with --url)")
	keep := fs.Bool("keep", false, "keep the temporary database or schema")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the load phase to this file (hidden)")
	assessment := fs.Bool("assessment", false, "bench the risk assessment in process")
	people := fs.Int("people", bench.DefaultPeople, "customers in the assessment's history")
	purchases := fs.Int("purchases", bench.DefaultPurchases, "purchases in the assessment's history")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if *assessment {
		if *target != "" || *people < 1 || *people > 1_000_000 || *purchases < 0 || *purchases > 10_000_000 || *duration <= 0 ||
			*concurrency < 1 || *concurrency > bench.MaxConcurrency {
			return usageError("bench --assessment: in process only, with 1-1000000 people, 0-10000000 purchases, a positive duration and 1-" +
				fmt.Sprint(bench.MaxConcurrency) + " goroutines")
		}
		return benchAssessment(ctx, bench.AssessOptions{Duration: *duration, Concurrency: *concurrency, People: *people,
			Purchases: *purchases, DatabaseURL: os.Getenv("TILLIT_DATABASE_URL"), FreshSchema: true, Seed: 1}, *asJSON)
	}
	switch {
	case fs.NArg() > 0:
		return usageError("bench: unexpected arguments\n" + benchUsage)
	case *duration <= 0:
		return usageError("bench: --duration must be positive")
	case *concurrency < 1 || *concurrency > bench.MaxConcurrency:
		return usageError(fmt.Sprintf("bench: --concurrency must be 1-%d", bench.MaxConcurrency))
	case *target != "" && (*username == "" || *password == ""):
		return usageError("bench: --url needs --username and --password")
	case *target == "" && (*username != "" || *password != ""):
		return usageError("bench: --username and --password go with --url")
	}
	opts := bench.Options{
		Duration: *duration, Concurrency: *concurrency,
		URL: *target, Username: *username, Password: *password,
		DatabaseURL: os.Getenv("TILLIT_DATABASE_URL"), FreshSchema: true, Keep: *keep,
		Logger: slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	if *target == "" && !isPostgresURL(opts.DatabaseURL) {
		// Never write into an SQLite file the operator named: the in-process
		// server gets a fresh one in a temporary directory.
		opts.DatabaseURL = ""
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		opts.CPUProfile = f
	}
	if !*asJSON {
		fmt.Fprintf(os.Stderr, "benching for %s with %d clients...\n", duration.String(), *concurrency)
	}
	started := time.Now()
	res, err := bench.Run(ctx, opts)
	if err != nil {
		if res.Steps != nil && !*asJSON {
			_ = res.WriteTable(os.Stdout)
		}
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		if err := res.WriteTable(os.Stdout); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "done in %.1f s (including setup and ledger verify)\n", time.Since(started).Seconds())
	}
	return res.Check()
}

func isPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// benchAssessment runs the assessment benchmark and prints its result.
func benchAssessment(ctx context.Context, opts bench.AssessOptions, asJSON bool) error {
	if !isPostgresURL(opts.DatabaseURL) {
		opts.DatabaseURL = "" // a fresh SQLite file, never the operator's
	}
	if !asJSON {
		fmt.Fprintf(os.Stderr, "filling the history, then assessing for %s with %d goroutines...\n", opts.Duration, opts.Concurrency)
	}
	res, err := bench.RunAssessment(ctx, opts)
	if err != nil {
		return err
	}
	if asJSON {
		if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
			return err
		}
	} else if err := res.WriteTable(os.Stdout); err != nil {
		return err
	}
	return res.Check()
}
