// Command tillit runs the Tillit pay-later platform and its operator tools.
//
//	tillit serve [--listen ADDR] [--demo] [--tls-cert FILE --tls-key FILE [--http-redirect ADDR]]
//	                                        run API, web and background workers (HTTPS with a certificate)
//	tillit dev-cert --out DIR [--host NAME ...]   a self-signed development CA and certificate
//	tillit migrate                          apply database migrations
//	tillit merchant create --name NAME [--test] [--notification-url URL] [--currency CUR]
//	tillit ledger verify                    rebuild balances and check the ledger
//	tillit bench [--duration D] [--concurrency N] [--json]
//	tillit risk decide|simulate|train|eval|rules   fraud decisions, the fraud model and the operator rules
//	tillit audit verify                     check the audit log's hash chain
//	tillit settlement run|csv               settle a merchant's day; print a settlement as CSV
//	tillit staff create|list|disable        back-office staff accounts
//	tillit keys generate|status|rotate      the vault's master keys
//	tillit privacy retention [--dry-run]    apply the retention rules, or list what would go
//	tillit screening search --name NAME [--dob YYYY-MM-DD] [--lists DIR]
//
// The database is TILLIT_DATABASE_URL (a postgres:// URL) or, by default, the
// embedded SQLite file tillit.db (TILLIT_DATABASE_URL may also name a file).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "tillit:", err)
		os.Exit(exitCode(err))
	}
}

// usage is printed for unknown commands.
const usage = `usage: tillit <command> [flags]

commands:
  serve      run the API, web pages and background workers (--tls-cert FILE --tls-key FILE for HTTPS,
             --http-redirect ADDR for a plain-HTTP listener that redirects to it; docs/tls.md)
  dev-cert   a development CA and HTTPS certificate for localhost (dev-cert --out DIR [--host NAME ...])
  migrate    apply database migrations
  merchant   manage merchants (merchant create --name NAME [--test])
  ledger     ledger tools (ledger verify)
  bench      load-test the HTTP API over loopback
  risk       fraud: operator decisions, the fraud model and the operator rules (risk decide|simulate|train|eval|rules; tillit risk for details)
  audit      audit log tools (audit verify)
  settlement settlement runs (settlement run --merchant ID --date YYYY-MM-DD; settlement csv --id ID)
  staff      back-office staff accounts (staff create --email E --name N --role R; staff list; staff disable --id ID)
  keys       the vault's master keys (keys generate --out FILE; keys status; keys rotate [--new-key-file FILE])
  privacy    retention of personal data (privacy retention [--dry-run] [--json] [--actor NAME])
  screening  sanctions list screening (screening search --name NAME [--dob YYYY-MM-DD] [--lists DIR])
  assistant  the support chat's assistant (assistant eval [--file FILE.jsonl] [--json]; docs/assistant.md)

environment:
  TILLIT_DATABASE_URL  postgres://... or an SQLite file path (default tillit.db)
  TILLIT_LISTEN        listen address (default 127.0.0.1:8080)
  TILLIT_BASE_URL      public origin for absolute URLs and the links in e-mails and webhooks (default http:// or, with TLS, https:// + the listen address)
  TILLIT_TLS_CERT, TILLIT_TLS_KEY, TILLIT_HTTP_REDIRECT
                       serve --tls-cert, --tls-key and --http-redirect; SIGHUP reloads the certificate
  TILLIT_LOG_LEVEL     debug, info, warn or error (default info)
  TILLIT_MASTER_KEY, TILLIT_MASTER_KEY_FILE
                       the vault's master key (base64 of 32 bytes), or a file holding it
                       (default for SQLite: a file next to the database, created on first start)
  TILLIT_MASTER_KEY_PREVIOUS, TILLIT_MASTER_KEY_PREVIOUS_FILE
                       during a rotation, the master key being rotated away from
  TILLIT_FRAUD_MODEL   a fraud model file to score with instead of the shipped one (docs/risk-model.md)
  TILLIT_FRAUD_REVIEW, TILLIT_FRAUD_REJECT
                       fraud score thresholds for manual review and rejection (default 0.9 and 0.99)
  TILLIT_CREDIT_MAX_OPEN_BALANCE, TILLIT_CREDIT_BUREAU_THRESHOLD
                       the most a person may owe, and from what the credit bureau is asked
                       (minor units; default 7500000 and 500000; docs/credit.md)
  TILLIT_CREDIT_MIN_SCORE, TILLIT_CREDIT_BUREAU_CACHE, TILLIT_CREDIT_BUREAU_TIMEOUT
                       lowest bureau score granted (default 300), how long a report is used
                       (default 720h) and how long the bureau may take (default 2s)
  TILLIT_CREDIT_BUREAU_LATENCY
                       how long the simulated bureau takes to answer (default 0)
  TILLIT_SCREENING_LISTS
                       the directory of the sanctions list files (serve --screening-lists; default: the
                       snapshots built into the binary, internal/screening/testdata); SIGHUP reloads them`

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError(usage)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:])
	case "migrate":
		return migrate(ctx, args[1:])
	case "dev-cert":
		return devCertCommand(args[1:], os.Stdout)
	case "merchant":
		return merchantCommand(ctx, args[1:])
	case "ledger":
		return ledgerCommand(ctx, args[1:])
	case "bench":
		return benchCommand(ctx, args[1:])
	case "risk":
		return riskCommand(ctx, args[1:])
	case "audit":
		return auditCommand(ctx, args[1:])
	case "settlement":
		return settlementCommand(ctx, args[1:])
	case "staff":
		return staffCommand(ctx, args[1:], os.Stdin, os.Stdout)
	case "keys":
		return keysCommand(ctx, args[1:], os.Stdout)
	case "privacy":
		return privacyCommand(ctx, args[1:], os.Stdout)
	case "screening":
		return screeningCommand(args[1:], os.Stdout)
	case "assistant":
		return assistantCommand(args[1:], os.Stdout)
	case "help", "-h", "--help":
		fmt.Println(usage)
		return nil
	}
	return usageError(usage)
}

// usageError is a command-line mistake; it exits with status 2.
type usageError string

func (u usageError) Error() string { return string(u) }

func exitCode(err error) int {
	if _, ok := err.(usageError); ok {
		return 2
	}
	return 1
}

// env returns the environment variable or a default.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
