package aml

import (
	"fmt"
	"strings"

	"github.com/tillit/tillit/internal/store"
)

// SanctionsEntry is a sanctions list entry a person was found to resemble:
// the list, the entry's id there and the score. It names the entry, never
// the person.
type SanctionsEntry struct {
	List    string
	EntryID string
	Score   float64
}

// RaiseSanctionsMatch opens (audited) or adds to the person's
// sanctions_match alert in tx: the evidence is the person's orders
// orderIDs, the parameters the entries matched and the lists' version.
// Raising the same match again adds nothing, so a repeated re-screening is
// harmless.
func RaiseSanctionsMatch(tx *store.Tx, personID, listsVersion string, orderIDs []string, entries []SanctionsEntry) error {
	var ev []Evidence
	for _, id := range orderIDs {
		var e Evidence
		var placed int64
		if err := tx.QueryRow(`SELECT id, original_order_amount, purchase_currency, created_at FROM orders WHERE id = $1`, id).
			Scan(&e.OrderID, &e.Amount, &e.Currency, &placed); err != nil {
			return err
		}
		e.Kind, e.At = KindOrder, store.FromMicros(placed)
		ev = append(ev, e)
	}
	// The entries as one line each officer reads on the alert's page:
	// "ofac-sdn/23189 (score 1.000)".
	matched := make([]string, 0, len(entries))
	for _, e := range entries {
		matched = append(matched, fmt.Sprintf("%s/%s (score %.3f)", e.List, e.EntryID, e.Score))
	}
	return raise(tx, personID, firing{rule: SanctionsMatch, evidence: ev,
		params: map[string]any{"lists_version": listsVersion, "entries": strings.Join(matched, "; ")}})
}
