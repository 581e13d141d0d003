package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/tillit/tillit/internal/ids"
)

// InstanceSecret returns the installation's secret with the given name,
// creating a random one on first use. Secrets derived from it (client tokens,
// for instance) stay valid across restarts and across every process sharing
// the database.
func (db *DB) InstanceSecret(ctx context.Context, name string) (string, error) {
	var value string
	err := db.Write(ctx, func(tx *Tx) error {
		err := tx.QueryRow(`SELECT value FROM instance_secrets WHERE name = $1`, name).Scan(&value)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		value = ids.Token(32)
		_, err = tx.Exec(`INSERT INTO instance_secrets (name, value, created_at) VALUES ($1, $2, $3)`, name, value, Micros(tx.Now))
		return err
	})
	return value, err
}
