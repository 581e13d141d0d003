package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tillit/tillit/internal/vault"
)

const keysUsage = `usage:
  tillit keys generate --out FILE
      a new random master key in a new file (mode 0600); prints its id
  tillit keys status
      data keys per master key id and shredded subjects, as JSON; exits 1
      when a master key that wraps data keys is not configured
  tillit keys rotate [--new-key-file FILE] [--batch N] [--actor NAME]
      re-wrap every data key with the new master key (default: the configured
      one), N keys per transaction; run it again to resume

The master key comes from TILLIT_MASTER_KEY or TILLIT_MASTER_KEY_FILE (the
embedded database's default: a file next to it), the key being rotated away
from from TILLIT_MASTER_KEY_PREVIOUS or TILLIT_MASTER_KEY_PREVIOUS_FILE. See
docs/vault.md.`

// keysCommand runs `tillit keys generate|status|rotate`, printing JSON to
// stdout. Keys themselves are never printed, only their ids.
func keysCommand(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError(keysUsage)
	}
	switch args[0] {
	case "generate":
		fs := flag.NewFlagSet("keys generate", flag.ContinueOnError)
		out := fs.String("out", "", "file to create (required; never overwritten)")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError(err.Error())
		}
		if *out == "" || fs.NArg() > 0 {
			return usageError(keysUsage)
		}
		k, err := vault.WriteMasterKeyFile(*out)
		if err != nil {
			return err
		}
		return writeJSON(stdout, map[string]string{"master_key_id": k.ID(), "file": *out})
	case "status":
		if len(args) > 1 {
			return usageError(keysUsage)
		}
		return withVault(ctx, func(v *vault.Vault) error { return keysStatus(ctx, v, stdout) })
	case "rotate":
		fs := flag.NewFlagSet("keys rotate", flag.ContinueOnError)
		newKeyFile := fs.String("new-key-file", "", "file holding the master key to re-wrap with (default: the configured key)")
		batch := fs.Int("batch", vault.DefaultRotateBatch, "data keys per transaction")
		actor := fs.String("actor", "", "operator recorded in the audit log")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError(err.Error())
		}
		if *batch <= 0 || fs.NArg() > 0 {
			return usageError(keysUsage)
		}
		return withVault(ctx, func(v *vault.Vault) error {
			to := v.Keys().Current
			if *newKeyFile != "" {
				k, err := vault.ReadMasterKeyFile(*newKeyFile)
				if err != nil {
					return err
				}
				to = k
			}
			n, err := v.Rotate(ctx, cliActor(*actor), to, *batch)
			if err != nil {
				return fmt.Errorf("keys rotate: stopped after re-wrapping %d data keys (run it again to resume): %w", n, err)
			}
			return writeJSON(stdout, map[string]any{"master_key_id": to.ID(), "rewrapped": n})
		})
	}
	return usageError(keysUsage)
}

// keysStatus prints the counts of data keys and which master keys are
// configured, and fails when a data key's master key is not.
func keysStatus(ctx context.Context, v *vault.Vault, stdout io.Writer) error {
	s, err := v.Status(ctx)
	if err != nil {
		return err
	}
	keys := v.Keys()
	previous := []string{}
	for _, k := range keys.Previous {
		previous = append(previous, k.ID())
	}
	unavailable := s.Unavailable(keys)
	if err := writeJSON(stdout, map[string]any{
		"current_master_key_id":      keys.Current.ID(),
		"previous_master_key_ids":    previous,
		"data_keys_by_master_key":    s.ByMasterKey,
		"shredded":                   s.Shredded,
		"unavailable_master_key_ids": append([]string{}, unavailable...),
	}); err != nil {
		return err
	}
	if len(unavailable) > 0 {
		return fmt.Errorf("keys status: data keys are wrapped by master key id(s) %v, which are not configured", unavailable)
	}
	return nil
}

// withVault runs fn with a vault over the configured database and master keys.
func withVault(ctx context.Context, fn func(*vault.Vault) error) error {
	keys, err := vault.LoadMasterKey(os.Getenv, vault.DefaultKeyFile(databaseURL()))
	if err != nil {
		return err
	}
	db, err := openMigrated(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(vault.New(db, keys))
}
