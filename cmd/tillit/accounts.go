package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/password"
)

// Environment variables a new account's password may come from. Passwords
// are never taken from flags, which end up in shell history and process lists.
const (
	staffPasswordEnv        = "TILLIT_STAFF_PASSWORD"
	merchantUserPasswordEnv = "TILLIT_MERCHANT_USER_PASSWORD"
)

const staffUsage = `usage:
  tillit staff create --email E --name N --role R [--actor NAME]
  tillit staff list
  tillit staff disable --id ID [--actor NAME]

The password comes from TILLIT_STAFF_PASSWORD or, when that is unset, from the
first line of standard input (which must not be a terminal). Roles:
customer_service, security_analyst, aml_officer, dispute_handler,
data_protection, risk_analyst, admin, customer_representative (the
independent complaints reviewer). --actor names the operator in the audit
log (default "cli").`

const merchantUserUsage = `usage:
  tillit merchant add-user --merchant ID --email E --name N --role owner|admin|viewer [--actor NAME]

The password comes from TILLIT_MERCHANT_USER_PASSWORD or, when that is unset,
from the first line of standard input (which must not be a terminal).`

// staffCommand runs `tillit staff create|list|disable`, reading a new
// account's password from the environment or stdin and printing JSON to
// stdout.
func staffCommand(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError(staffUsage)
	}
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("staff create", flag.ContinueOnError)
		email := fs.String("email", "", "e-mail address, the sign-in name (required)")
		name := fs.String("name", "", "full name (required)")
		role := fs.String("role", "", "role (required)")
		actor := fs.String("actor", "", "operator recorded in the audit log")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError(err.Error())
		}
		if *email == "" || *name == "" || *role == "" || fs.NArg() > 0 {
			return usageError(staffUsage)
		}
		pw, err := readPassword(staffPasswordEnv, stdin)
		if err != nil {
			return err
		}
		return withAccounts(ctx, func(svc *account.Service) error {
			st, err := svc.CreateStaff(ctx, cliActor(*actor), account.NewStaff{Email: *email, Name: *name, Role: account.Role(*role), Password: pw})
			if err != nil {
				return err
			}
			return writeJSON(stdout, map[string]string{"id": st.ID, "email": st.Email, "role": string(st.Role)})
		})
	case "list":
		if len(args) > 1 {
			return usageError(staffUsage)
		}
		return withAccounts(ctx, func(svc *account.Service) error {
			list, err := svc.ListStaff(ctx)
			if err != nil {
				return err
			}
			return writeJSON(stdout, list)
		})
	case "disable":
		fs := flag.NewFlagSet("staff disable", flag.ContinueOnError)
		id := fs.String("id", "", "staff id (required)")
		actor := fs.String("actor", "", "operator recorded in the audit log")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError(err.Error())
		}
		if *id == "" || fs.NArg() > 0 {
			return usageError(staffUsage)
		}
		return withAccounts(ctx, func(svc *account.Service) error {
			if err := svc.DisableStaff(ctx, cliActor(*actor), *id); err != nil {
				return err
			}
			return writeJSON(stdout, map[string]string{"disabled": *id})
		})
	}
	return usageError(staffUsage)
}

// merchantUserCommand runs `tillit merchant add-user` (args are the flags
// after add-user).
func merchantUserCommand(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("merchant add-user", flag.ContinueOnError)
	merchantID := fs.String("merchant", "", "merchant id (required)")
	email := fs.String("email", "", "e-mail address, the sign-in name (required)")
	name := fs.String("name", "", "full name (required)")
	role := fs.String("role", "", "owner, admin or viewer (required)")
	actor := fs.String("actor", "", "operator recorded in the audit log")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if *merchantID == "" || *email == "" || *name == "" || *role == "" || fs.NArg() > 0 {
		return usageError(merchantUserUsage)
	}
	pw, err := readPassword(merchantUserPasswordEnv, stdin)
	if err != nil {
		return err
	}
	return withAccounts(ctx, func(svc *account.Service) error {
		u, err := svc.CreateMerchantUser(ctx, cliActor(*actor), account.NewMerchantUser{
			MerchantID: *merchantID, Email: *email, Name: *name, Role: account.MerchantRole(*role), Password: pw})
		if err != nil {
			return err
		}
		return writeJSON(stdout, map[string]string{"id": u.ID, "merchant_id": u.MerchantID, "email": u.Email, "role": string(u.Role)})
	})
}

// withAccounts runs fn with an account service on the configured database,
// for staff and merchant users only: it has no vault, which consumer
// accounts need.
func withAccounts(ctx context.Context, fn func(*account.Service) error) error {
	db, err := openMigrated(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := db.InstanceSecret(ctx, ids.ConsumerKeySecret)
	if err != nil {
		return err
	}
	return fn(account.New(db, account.Config{}, key, nil))
}

// cliActor is the audit actor of an account change made from the command
// line.
func cliActor(name string) string {
	if name = strings.TrimSpace(name); name != "" {
		return "operator:" + name
	}
	return "cli"
}

// readPassword returns a new account's password from the environment
// variable or, when it is unset or empty, from the first line of stdin. A
// terminal on stdin is refused rather than echoing the password as it is
// typed (any character device counts as one).
func readPassword(envName string, stdin io.Reader) (string, error) {
	if pw := os.Getenv(envName); pw != "" {
		return pw, nil
	}
	if f, ok := stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return "", usageError(fmt.Sprintf("set %s or pipe the password on standard input; it is not read from flags or a terminal", envName))
		}
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, password.MaxBytes+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usageError(fmt.Sprintf("no password: set %s or pipe it on standard input", envName))
	}
	return pw, nil
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
