package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/https"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/store"
)

// newLogger returns the JSON logger configured by TILLIT_LOG_LEVEL.
func newLogger() *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(env("TILLIT_LOG_LEVEL", "info"))); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func databaseURL() string { return env("TILLIT_DATABASE_URL", store.DefaultSQLitePath) }

// defaultListen is the address served on without --listen or TILLIT_LISTEN.
const defaultListen = "127.0.0.1:8080"

// baseURL is the public origin links in e-mails and webhooks start with:
// TILLIT_BASE_URL, or else the address served on.
func baseURL(listen string) string { return env("TILLIT_BASE_URL", "http://"+listen) }

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := fs.String("listen", env("TILLIT_LISTEN", defaultListen), "address to listen on")
	demo := fs.Bool("demo", false, "demo mode: seed a test merchant with portal and back-office sign-ins (printed), serve the demo shop and mailbox; never in production")
	lists := fs.String("screening-lists", os.Getenv("TILLIT_SCREENING_LISTS"), "directory of the sanctions list files (default: the snapshots built into the binary); SIGHUP reloads them")
	tlsOpts := addTLSFlags(fs)
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if err := tlsOpts.check(); err != nil {
		return err
	}
	serving, err := tlsOpts.open()
	if err != nil {
		return err
	}
	if serving.Redirect != nil {
		defer serving.Redirect.Close()
	}
	logger := newLogger()
	slog.SetDefault(logger)
	serving.Logger = logger
	cfg := app.Config{DatabaseURL: databaseURL(), BaseURL: tlsOpts.baseURL(*listen), Logger: logger, Demo: *demo, ScreeningLists: *lists}
	// Over TLS every cookie is Secure, whichever request sets it.
	cfg.SecureCookies = tlsOpts.enabled()
	// The card network's credential is a secret: only from the environment.
	cfg.CardBIN = os.Getenv("TILLIT_CARD_BIN")
	cfg.CardNetworkUsername, cfg.CardNetworkPassword = os.Getenv("TILLIT_CARD_NETWORK_USERNAME"), os.Getenv("TILLIT_CARD_NETWORK_PASSWORD")
	if err := withFraudSettings(&cfg); err != nil {
		return err
	}
	if err := withCreditSettings(&cfg); err != nil {
		return err
	}
	a, err := app.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	if *demo {
		printJSON(a.Demo)
		fmt.Printf("demo mode (never in production): open %s://%s/demo/\n", tlsOpts.scheme(), ln.Addr())
	}
	srv := a.HTTPServer()
	workCtx, stopWork := context.WithCancel(context.Background())
	a.Runner.Start(workCtx, time.Second)
	go reloadOnHangup(workCtx, a, serving.Certificate, logger)
	logger.Info("tillit serving", slog.String("listen", ln.Addr().String()), slog.Bool("tls", tlsOpts.enabled()), slog.String("engine", string(a.DB.Dialect)))
	// Serve returns once ctx ends and in-flight requests are done; the jobs
	// in progress finish after it.
	err = https.Serve(ctx, srv, ln, serving)
	stopWork()
	a.Runner.Wait()
	return err
}

func migrate(ctx context.Context, args []string) error {
	db, err := store.Open(ctx, databaseURL(), nil)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	fmt.Println("migrations applied")
	return nil
}

// openMigrated opens the configured database and brings its schema up to date.
func openMigrated(ctx context.Context) (*store.DB, error) {
	db, err := store.Open(ctx, databaseURL(), nil)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

const merchantUsage = `usage:
  tillit merchant create --name NAME [--test] [--notification-url URL] [--currency CUR] [--fraud-policy]
  tillit merchant add-credentials --merchant ID --actor NAME   a second pair, for rotation
  tillit merchant revoke-credentials --username USER --actor NAME
  tillit merchant add-user --merchant ID --email E --name N --role owner|admin|viewer [--actor NAME]
      a portal user; the password comes from TILLIT_MERCHANT_USER_PASSWORD or stdin`

func merchantCommand(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError(merchantUsage)
	}
	switch args[0] {
	case "create":
		return merchantCreate(ctx, args[1:])
	case "add-credentials", "revoke-credentials":
		return merchantCredentials(ctx, args[0], args[1:])
	case "add-user":
		return merchantUserCommand(ctx, args[1:], os.Stdin, os.Stdout)
	}
	return usageError(merchantUsage)
}

// merchantCredentials adds or revokes a merchant's API credentials.
func merchantCredentials(ctx context.Context, command string, args []string) error {
	fs := flag.NewFlagSet("merchant "+command, flag.ContinueOnError)
	merchantID := fs.String("merchant", "", "merchant id (add-credentials)")
	username := fs.String("username", "", "API username (revoke-credentials)")
	actor := fs.String("actor", "", "who acts (recorded in the audit log)")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if *actor == "" || (command == "add-credentials" && *merchantID == "") || (command == "revoke-credentials" && *username == "") {
		return usageError(merchantUsage)
	}
	db, err := openMigrated(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if command == "add-credentials" {
		creds, err := merchant.AddCredentials(ctx, db, "operator:"+*actor, *merchantID)
		if err != nil {
			return err
		}
		printJSON(creds)
		return nil
	}
	if err := merchant.RevokeCredentials(ctx, db, "operator:"+*actor, *username); err != nil {
		return err
	}
	printJSON(map[string]string{"revoked": *username})
	return nil
}

// merchantCreate creates a merchant and prints its credentials.
func merchantCreate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("merchant create", flag.ContinueOnError)
	name := fs.String("name", "", "merchant name (required)")
	test := fs.Bool("test", false, "test mode: accepts the one-time code 123456")
	notifyURL := fs.String("notification-url", "", "default URL for webhook notifications")
	currency := fs.String("currency", "EUR", "settlement currency (ISO 4217)")
	covered := fs.Bool("fraud-policy", false, "merchant is covered by the fraud policy")
	category := fs.String("category", "", "what the merchant sells: "+strings.Join(merchant.Categories, ", "))
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if strings.TrimSpace(*name) == "" {
		return usageError("merchant create: --name is required")
	}
	if !merchant.ValidCategory(*category) {
		return usageError("merchant create: --category must be one of " + strings.Join(merchant.Categories, ", "))
	}
	db, err := openMigrated(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	creds, err := merchant.Create(ctx, db, merchant.NewMerchant{Name: *name, TestMode: *test, NotificationURL: *notifyURL, SettlementCurrency: strings.ToUpper(*currency), FraudPolicyCovered: *covered,
		Category: *category})
	if err != nil {
		return err
	}
	printJSON(creds)
	return nil
}

func ledgerCommand(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError("usage: tillit ledger verify")
	}
	db, err := openMigrated(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	report, err := ledger.Verify(ctx, db)
	if err != nil {
		return err
	}
	printJSON(report)
	if !report.OK() {
		return fmt.Errorf("ledger verify: %d problem(s) found", len(report.Problems))
	}
	return nil
}

func printJSON(v any) {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func auditCommand(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError("usage: tillit audit verify")
	}
	db, err := openMigrated(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	report, err := audit.Verify(ctx, db)
	if err != nil {
		return err
	}
	printJSON(report)
	if !report.OK() {
		return fmt.Errorf("audit verify: %d problem(s) found", len(report.Problems))
	}
	return nil
}
