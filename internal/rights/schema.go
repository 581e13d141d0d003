package rights

import (
	"fmt"
	"slices"

	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/store"
)

// deleteOrder returns the linked tables in an order that deletes every
// referencing row before the row it references: each table comes before
// the tables its foreign keys point to, as the migrated schema declares
// them.
func deleteOrder(tx *store.Tx) ([]string, error) {
	refs, err := foreignKeys(tx)
	if err != nil {
		return nil, err
	}
	tables := privacy.LinkedTables()
	// A table is ready once every linked table referencing it is placed.
	referencedBy := map[string][]string{}
	for child, parents := range refs {
		for _, parent := range parents {
			if child != parent && slices.Contains(tables, child) {
				referencedBy[parent] = append(referencedBy[parent], child)
			}
		}
	}
	placed := map[string]bool{}
	var out []string
	for len(out) < len(tables) {
		progressed := false
		for _, t := range tables {
			if placed[t] || slices.ContainsFunc(referencedBy[t], func(c string) bool { return !placed[c] }) {
				continue
			}
			placed[t] = true
			out = append(out, t)
			progressed = true
		}
		if !progressed {
			return nil, fmt.Errorf("rights: the foreign keys among %v form a cycle", tables)
		}
	}
	return out, nil
}

// foreignKeys maps each table to the tables its foreign keys reference.
func foreignKeys(tx *store.Tx) (map[string][]string, error) {
	query := `SELECT m.name, f."table" FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'`
	if tx.Dialect == store.Postgres {
		query = `SELECT tc.table_name, ccu.table_name FROM information_schema.table_constraints tc
JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.constraint_schema = tc.constraint_schema
WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()`
	}
	rows, err := tx.Query(query)
	if err != nil {
		return nil, fmt.Errorf("rights: read foreign keys: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			return nil, err
		}
		if !slices.Contains(out[child], parent) {
			out[child] = append(out[child], parent)
		}
	}
	return out, rows.Err()
}
