package merchant

import (
	"context"
	"strings"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// newCredentials makes a username and password for a merchant. Test-mode
// usernames start with test_, live ones with live_.
func newCredentials(merchantID string, testMode bool) Credentials {
	prefix := "live_"
	if testMode {
		prefix = "test_"
	}
	return Credentials{
		MerchantID: merchantID,
		Username:   prefix + strings.ReplaceAll(ids.New(), "-", "")[:24],
		Password:   ids.Token(32),
		TestMode:   testMode,
	}
}

// insertCredentials stores the digest of new credentials.
func insertCredentials(tx *store.Tx, c Credentials) error {
	_, err := tx.Exec(`INSERT INTO merchant_credentials (username, merchant_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)`,
		c.Username, c.MerchantID, ids.Hash(c.Password), store.Micros(tx.Now))
	return err
}

// AddCredentials gives a merchant another pair of API credentials, for
// rotating them without downtime: the old pair keeps working until revoked.
// The operator's action is audited. Errors: NOT_FOUND.
func AddCredentials(ctx context.Context, db *store.DB, actor, merchantID string) (Credentials, error) {
	var creds Credentials
	err := db.Write(ctx, func(tx *store.Tx) error {
		var testMode bool
		if err := tx.QueryRow(`SELECT test_mode FROM merchants WHERE id = $1`, merchantID).Scan(&testMode); err != nil {
			return apperr.New(apperr.NotFound, "No such merchant.")
		}
		creds = newCredentials(merchantID, testMode)
		if err := insertCredentials(tx, creds); err != nil {
			return err
		}
		_, err := audit.Append(tx, actor, "merchant.credentials_added", merchantID, map[string]string{"username": creds.Username})
		return err
	})
	return creds, err
}

// RevokeCredentials stops a pair of API credentials from working (within
// AuthCacheTTL in running processes). The operator's action is audited.
// Errors: NOT_FOUND.
func RevokeCredentials(ctx context.Context, db *store.DB, actor, username string) error {
	return db.Write(ctx, func(tx *store.Tx) error {
		var merchantID string
		if err := tx.QueryRow(`SELECT merchant_id FROM merchant_credentials WHERE username = $1 AND revoked_at IS NULL`, username).Scan(&merchantID); err != nil {
			return apperr.New(apperr.NotFound, "No active credentials with that username.")
		}
		if err := tx.ExecOne(`UPDATE merchant_credentials SET revoked_at = $1 WHERE username = $2 AND revoked_at IS NULL`, store.Micros(tx.Now), username); err != nil {
			return err
		}
		_, err := audit.Append(tx, actor, "merchant.credentials_revoked", merchantID, map[string]string{"username": username})
		return err
	})
}
