package rights

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Row is one row about the person.
type Row struct {
	// Values maps each of the table's columns to its value: text, a whole
	// number, a boolean, nil, or for a sealed column the opened value (JSON
	// documents as json.RawMessage).
	Values map[string]any
	// Unreadable lists the sealed columns that could not be opened because
	// the person's data key was shredded.
	Unreadable []string
}

// Holding is everything Tillit holds about one person, found through the
// registry's links (privacy.PersonLinks): the rows of every linked table.
type Holding struct {
	PersonID string
	// Tables maps each linked table to its rows about the person; a table
	// with none is absent.
	Tables map[string][]Row
	// Addresses are the person's e-mail addresses found in those rows
	// (their account and the consumer documents of their purchases).
	Addresses []string

	// conditions are the WHERE clauses (with their arguments) that select
	// each table's rows about the person.
	conditions map[string]condition
}

// condition selects rows: a SQL boolean expression with $n placeholders
// numbered from 1, and its arguments.
type condition struct {
	sql  string
	args []any
}

// Collect gathers every row about the person from every linked table,
// opening sealed columns with the vault. It reads only.
func (s *Service) Collect(tx *store.Tx, personID string) (*Holding, error) {
	h := &Holding{PersonID: personID, Tables: map[string][]Row{}, conditions: map[string]condition{}}
	for _, table := range collectOrder() {
		links, _ := privacy.PersonLinks(table)
		cond, ok := h.condition(links)
		if !ok {
			continue
		}
		rows, err := s.selectRows(tx, table, cond, personID)
		if err != nil {
			return nil, err
		}
		h.conditions[table] = cond
		if len(rows) > 0 {
			h.Tables[table] = rows
		}
	}
	h.Addresses = addressesIn(h)
	return h, nil
}

// Rows returns the person's rows in table.
func (h *Holding) Rows(table string) []Row { return h.Tables[table] }

// condition builds the WHERE clause of a table's links from what is already
// collected; false when no link can match (a parent with no rows).
func (h *Holding) condition(links []privacy.Link) (condition, bool) {
	var (
		parts []string
		args  []any
	)
	for _, l := range links {
		var values []any
		switch {
		case l.Parent == "":
			values = []any{h.PersonID}
		default:
			seen := map[any]bool{}
			for _, r := range h.Tables[l.Parent] {
				if v := r.Values[l.ParentKey]; v != nil && !seen[v] {
					seen[v] = true
					values = append(values, v)
				}
			}
		}
		if len(values) == 0 {
			continue
		}
		marks := make([]string, len(values))
		for i := range values {
			marks[i] = fmt.Sprintf("$%d", len(args)+i+1)
		}
		part := l.Column + " IN (" + strings.Join(marks, ", ") + ")"
		if l.Where != "" {
			part = "(" + part + " AND " + l.Where + ")"
		}
		parts = append(parts, part)
		args = append(args, values...)
	}
	if len(parts) == 0 {
		return condition{}, false
	}
	return condition{sql: strings.Join(parts, " OR "), args: args}, true
}

// selectRows reads the rows of table matching cond, every registry column
// of the table, opening its sealed columns.
func (s *Service) selectRows(tx *store.Tx, table string, cond condition, personID string) ([]Row, error) {
	columns := tableColumns(table)
	rows, err := tx.Query(`SELECT `+strings.Join(columns, ", ")+` FROM `+table+` WHERE `+cond.sql, cond.args...)
	if err != nil {
		return nil, fmt.Errorf("rights: read %s: %w", table, err)
	}
	var out []Row
	for rows.Next() {
		values := make([]any, len(columns))
		dest := make([]any, len(columns))
		for i := range values {
			dest[i] = &values[i]
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return nil, err
		}
		r := Row{Values: map[string]any{}}
		for i, c := range columns {
			r.Values[c] = normalise(values[i])
		}
		out = append(out, r)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.openSealed(tx, table, personID, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// openSealed replaces the ciphertext of the row's sealed columns by what
// it holds.
func (s *Service) openSealed(tx *store.Tx, table, personID string, r *Row) error {
	for column, v := range r.Values {
		col, _ := privacy.LookupColumn(table + "." + column)
		text, _ := v.(string)
		if !col.Sealed() || text == "" {
			continue
		}
		plain, err := s.Vault.Open(tx, personID, col.SealedContext, text)
		if errors.Is(err, vault.ErrShredded) {
			r.Values[column] = nil
			r.Unreadable = append(r.Unreadable, column)
			continue
		}
		if err != nil {
			return fmt.Errorf("rights: open %s.%s: %w", table, column, err)
		}
		if json.Valid(plain) {
			r.Values[column] = json.RawMessage(plain)
		} else {
			r.Values[column] = string(plain)
		}
	}
	slices.Sort(r.Unreadable)
	return nil
}

// normalise gives the same Go types for a value on both engines.
func normalise(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case int32:
		return int64(x)
	case int:
		return int64(x)
	}
	return v
}

// tableColumns returns the registry's columns of table, sorted.
func tableColumns(table string) []string {
	var out []string
	for _, name := range privacy.ColumnNames() {
		if t, c, _ := strings.Cut(name, "."); t == table {
			out = append(out, c)
		}
	}
	return out
}

// addressSources are the tables and columns the person's addresses are read
// from: their account, and the billing address of the consumer documents.
var addressSources = []struct{ table, column string }{
	{"consumers", "email"},
	{"authorizations", "consumer"},
	{"orders", "consumer"},
}

// addressesIn returns the distinct e-mail addresses in the collected rows.
func addressesIn(h *Holding) []string {
	var out []string
	for _, src := range addressSources {
		for _, r := range h.Tables[src.table] {
			var address string
			switch v := r.Values[src.column].(type) {
			case string:
				address = v
			case json.RawMessage:
				var doc struct {
					BillingAddress struct {
						Email string `json:"email"`
					} `json:"billing_address"`
				}
				if json.Unmarshal(v, &doc) == nil {
					address = doc.BillingAddress.Email
				}
			}
			if address != "" && !slices.Contains(out, address) {
				out = append(out, address)
			}
		}
	}
	slices.Sort(out)
	return out
}

// collectOrder returns the linked tables so that every table comes after
// the tables its links read from: parents first.
func collectOrder() []string {
	tables := privacy.LinkedTables()
	placed := map[string]bool{}
	var out []string
	ready := func(table string) bool {
		links, _ := privacy.PersonLinks(table)
		for _, l := range links {
			if l.Parent != "" && !placed[l.Parent] {
				return false
			}
		}
		return true
	}
	for len(out) < len(tables) {
		progressed := false
		for _, t := range tables {
			if !placed[t] && ready(t) {
				placed[t] = true
				out = append(out, t)
				progressed = true
			}
		}
		if !progressed {
			panic("rights: the registry's table links form a cycle")
		}
	}
	return out
}
