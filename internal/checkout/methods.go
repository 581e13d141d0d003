package checkout

import (
	"context"
	"slices"
	"strings"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/store"
)

// AllMethods returns every payment method category Tillit offers, in the
// order sessions list them.
func AllMethods() []string {
	out := make([]string, 0, len(methods))
	for _, m := range methods {
		out = append(out, m.id)
	}
	return out
}

// EnabledMethods returns the payment method categories merchantID offers, in
// the order sessions list them: all of them unless the merchant switched
// some off with SetEnabledMethods.
func (s *Service) EnabledMethods(ctx context.Context, merchantID string) ([]string, error) {
	var out []string
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = enabledMethods(tx, merchantID)
		return err
	})
	return out, err
}

// enabledMethods is EnabledMethods inside the caller's transaction.
func enabledMethods(tx *store.Tx, merchantID string) ([]string, error) {
	rows, err := tx.Query(`SELECT category FROM merchant_disabled_payment_methods WHERE merchant_id = $1`, merchantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var disabled []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		disabled = append(disabled, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(methods))
	for _, m := range methods {
		if !slices.Contains(disabled, m.id) {
			out = append(out, m.id)
		}
	}
	return out, nil
}

// SetEnabledMethods sets the payment method categories merchantID offers:
// the ones named are on, every other one is off. It records no audit entry:
// a person's change goes through ChangeEnabledMethods. Errors: BAD_VALUE (an
// unknown category, or none), NOT_FOUND (no such merchant).
func (s *Service) SetEnabledMethods(ctx context.Context, merchantID string, categories []string) error {
	if err := checkCategories(categories); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error { return setEnabledMethods(tx, merchantID, categories) })
}

// ActionMethodsChanged is the audit action of ChangeEnabledMethods; its
// subject is the merchant and its details the categories now enabled.
const ActionMethodsChanged = "merchant.payment_methods_changed"

// ChangeEnabledMethods is SetEnabledMethods done by actor (for example
// "merchant_user:<id>"), audited in the same transaction as the change.
// Errors: as SetEnabledMethods.
func (s *Service) ChangeEnabledMethods(ctx context.Context, actor, merchantID string, categories []string) error {
	if err := checkCategories(categories); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := setEnabledMethods(tx, merchantID, categories); err != nil {
			return err
		}
		enabled, err := enabledMethods(tx, merchantID)
		if err != nil {
			return err
		}
		_, err = audit.Append(tx, actor, ActionMethodsChanged, merchantID, map[string][]string{"enabled": enabled})
		return err
	})
}

// checkCategories refuses an empty or unknown list of categories.
func checkCategories(categories []string) error {
	if len(categories) == 0 {
		return apperr.BadField("payment_method_categories", "must name at least one payment method")
	}
	all := AllMethods()
	for _, c := range categories {
		if !slices.Contains(all, c) {
			return apperr.BadField("payment_method_categories", "must be among %s", strings.Join(all, ", "))
		}
	}
	return nil
}

// setEnabledMethods stores the categories enabled in tx.
func setEnabledMethods(tx *store.Tx, merchantID string, categories []string) error {
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM merchants WHERE id = $1`, merchantID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return apperr.New(apperr.NotFound, "No merchant with id %q.", merchantID)
	}
	if _, err := tx.Exec(`DELETE FROM merchant_disabled_payment_methods WHERE merchant_id = $1`, merchantID); err != nil {
		return err
	}
	for _, c := range AllMethods() {
		if slices.Contains(categories, c) {
			continue
		}
		if _, err := tx.Exec(`INSERT INTO merchant_disabled_payment_methods (merchant_id, category, disabled_at) VALUES ($1, $2, $3)`,
			merchantID, c, store.Micros(tx.Now)); err != nil {
			return err
		}
	}
	return nil
}

// offeredCategories returns the categories of enabled, with badge URLs under
// baseURL, in the order sessions list them.
func offeredCategories(baseURL string, enabled []string) []PaymentMethodCategory {
	out := make([]PaymentMethodCategory, 0, len(enabled))
	for _, c := range Categories(baseURL) {
		if slices.Contains(enabled, c.Identifier) {
			out = append(out, c)
		}
	}
	return out
}
