package retention

import (
	"strconv"
	"time"

	"github.com/tillit/tillit/internal/store"
)

// rowRule is a rule over rows whose event the registry counts from is one
// SQL expression per row: every row whose period after that moment has
// ended is due.
type rowRule struct {
	info RuleInfo
	// from is the FROM clause: a table, possibly joined.
	from string
	// key is the SQL of a row's key (text).
	key string
	// since is the SQL of the moment (micros) the registry's event happened
	// for the row; NULL while it has not.
	since string
	// where selects candidate rows; it may use $1, the latest start a due
	// row can have (latestStart), and $5 on for args.
	where string
	// args are the values of $5 on in where.
	args []any
	// apply removes the rows with keys in tx.
	apply func(tx *store.Tx, keys []string, c *Changes) error
}

// Info implements Rule.
func (r *rowRule) Info() RuleInfo { return r.info }

// candidatePage is how many candidate rows Due reads at a time.
const candidatePage = 500

// Due implements Rule: it reads candidates in the order of their event
// (keyset-paged) and keeps those whose period, counted in calendar units by
// the registry, has ended.
func (r *rowRule) Due(tx *store.Tx, now time.Time, limit int) ([]Item, error) {
	ret := r.info.Retention
	query := `SELECT k, s FROM (SELECT ` + r.key + ` AS k, ` + r.since + ` AS s FROM ` + r.from + ` WHERE ` + r.where + `) due
WHERE s IS NOT NULL AND s <= $1 AND (s > $2 OR (s = $2 AND k > $3)) ORDER BY s, k LIMIT $4`
	var (
		out     []Item
		lastS   = int64(-1) << 62
		lastKey = ""
	)
	for len(out) < limit {
		args := append([]any{store.Micros(latestStart(ret.Period, now)), lastS, lastKey, candidatePage}, r.args...)
		rows, err := tx.Query(query, args...)
		if err != nil {
			return nil, err
		}
		n := 0
		for rows.Next() {
			var (
				key   string
				since int64
			)
			if err := rows.Scan(&key, &since); err != nil {
				rows.Close()
				return nil, err
			}
			n++
			lastS, lastKey = since, key
			at := store.FromMicros(since)
			end, started := ret.End(dates(ret.From, at))
			if started && !end.After(now) && len(out) < limit {
				out = append(out, Item{Key: key, Purpose: r.info.Purpose, Category: r.info.Category, Retention: ret, Since: at, End: end})
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if n < candidatePage {
			break
		}
	}
	return out, nil
}

// Apply implements Rule.
func (r *rowRule) Apply(tx *store.Tx, items []Item) (Changes, error) {
	var c Changes
	if len(items) == 0 {
		return c, nil
	}
	return c, r.apply(tx, itemKeys(items), &c)
}

// applySteps returns an apply function that runs each step (a DELETE, or
// an UPDATE that anonymises) in order for the keys, in chunks, with "(?)"
// replaced by the chunk's placeholders from $1, counting rows per table.
func applySteps(steps ...step) func(tx *store.Tx, keys []string, c *Changes) error {
	return func(tx *store.Tx, keys []string, c *Changes) error {
		for _, s := range steps {
			err := inChunks(keys, 1, func(in string, args []any) error {
				return c.exec(tx, s.anonymise, s.table, expandIn(s.query, in), args...)
			})
			if err != nil {
				return err
			}
		}
		return nil
	}
}

// step is one statement of an apply function over the keys of a batch.
type step struct {
	// table is what the statement changes.
	table string
	// anonymise is set for an UPDATE that anonymises rows; a DELETE
	// otherwise.
	anonymise bool
	// query has "(?)" where the list of keys goes.
	query string
}

// del is a DELETE step.
func del(table, query string) step { return step{table: table, query: query} }

// expandIn replaces the first "(?)" in query with "(in)".
func expandIn(query, in string) string {
	for i := 0; i+3 <= len(query); i++ {
		if query[i:i+3] == "(?)" {
			return query[:i] + "(" + in + ")" + query[i+3:]
		}
	}
	panic("retention: statement without (?): " + strconv.Quote(query))
}
