package retention

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/store"
)

// Rule is one kind of data the engine removes when its retention ends: the
// rows of some table(s) that one purpose of the registry keeps, or, for the
// person-level rule, everything left about a person once the longest
// period of every purpose that keeps their data has passed.
//
// Due and Apply run in the same transaction, so what Apply changes is what
// Due found due at that moment; the engine calls them again, in a new
// transaction, until Due finds nothing or the run's bound is reached.
type Rule interface {
	// Info describes the rule.
	Info() RuleInfo
	// Due returns up to limit items due at now (their period ended at or
	// before now), the longest overdue first. It only reads.
	Due(tx *store.Tx, now time.Time, limit int) ([]Item, error)
	// Apply deletes, anonymises or crypto-shreds items Due returned in tx,
	// and says what it changed.
	Apply(tx *store.Tx, items []Item) (Changes, error)
}

// RuleInfo describes a rule: which purpose of the registry it applies, to
// what, and that purpose's retention rule.
type RuleInfo struct {
	// Name is the rule's stable id, such as "checkout_codes"; its
	// description is the catalog message "retention.rule.<Name>".
	Name string `json:"rule"`
	// Purpose and Category name the registry's rule the engine applies: the
	// purpose that keeps the data longest. The person-level rule names the
	// purpose that usually governs and reports the one that did per item.
	Purpose  privacy.PurposeID  `json:"purpose"`
	Category privacy.CategoryID `json:"category"`
	// Retention is the registry's rule for Purpose and Category.
	Retention privacy.Retention `json:"retention"`
	// Tables are the tables the rule deletes from or anonymises, the one it
	// counts first.
	Tables []string `json:"tables"`
}

// Item is one piece of data due: a row, or a person.
type Item struct {
	// Key identifies the row (its id) or the person (their id). It is
	// never shown or logged.
	Key string
	// Purpose and Category name the registry's rule whose period ended
	// last, and Retention is that rule.
	Purpose   privacy.PurposeID
	Category  privacy.CategoryID
	Retention privacy.Retention
	// Since is when the event the period counts from happened.
	Since time.Time
	// End is when the period ended.
	End time.Time
}

// Changes counts what applying a rule changed.
type Changes struct {
	// Deleted and Anonymised count rows per table.
	Deleted    map[string]int64 `json:"deleted,omitempty"`
	Anonymised map[string]int64 `json:"anonymised,omitempty"`
	// Shredded counts the vault subjects whose data key was destroyed.
	Shredded int64 `json:"shredded,omitempty"`
}

// Rows is how many rows were deleted or anonymised.
func (c Changes) Rows() int64 {
	var n int64
	for _, v := range c.Deleted {
		n += v
	}
	for _, v := range c.Anonymised {
		n += v
	}
	return n
}

// add adds o to c.
func (c *Changes) add(o Changes) {
	for t, n := range o.Deleted {
		c.count(&c.Deleted, t, n)
	}
	for t, n := range o.Anonymised {
		c.count(&c.Anonymised, t, n)
	}
	c.Shredded += o.Shredded
}

// count adds n rows of table to m, leaving out zeros.
func (c *Changes) count(m *map[string]int64, table string, n int64) {
	if n == 0 {
		return
	}
	if *m == nil {
		*m = map[string]int64{}
	}
	(*m)[table] += n
}

// exec runs a statement in tx and counts the rows it affected as deleted
// from (anonymise false) or anonymised in table.
func (c *Changes) exec(tx *store.Tx, anonymise bool, table, query string, args ...any) error {
	res, err := tx.Exec(query, args...)
	if err != nil {
		return fmt.Errorf("retention: %s: %w", table, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if anonymise {
		c.count(&c.Anonymised, table, n)
	} else {
		c.count(&c.Deleted, table, n)
	}
	return nil
}

// registryRule returns the registry's retention rule for purpose p and
// category c. A rule the registry does not have is a programming error.
func registryRule(p privacy.PurposeID, c privacy.CategoryID) privacy.Retention {
	purpose, ok := privacy.LookupPurpose(p)
	if !ok {
		panic(fmt.Sprintf("retention: the registry has no purpose %q", p))
	}
	r, ok := purpose.RetentionFor(c)
	if !ok {
		panic(fmt.Sprintf("retention: purpose %q does not use category %q", p, c))
	}
	return r
}

// info returns the RuleInfo of a rule applying purpose p's rule for
// category c to tables.
func info(name string, p privacy.PurposeID, c privacy.CategoryID, tables ...string) RuleInfo {
	return RuleInfo{Name: name, Purpose: p, Category: c, Retention: registryRule(p, c), Tables: tables}
}

// dates returns the Dates in which event e happened at t.
func dates(e privacy.Event, t time.Time) privacy.Dates {
	var d privacy.Dates
	switch e {
	case privacy.EventCollected, privacy.EventYearEnd:
		d.Collected = t
	case privacy.EventRelationshipEnded:
		d.RelationshipEnded = t
	case privacy.EventContractEnded:
		d.ContractEnded = t
	case privacy.EventConsentWithdrawn:
		d.ConsentWithdrawn = t
	case privacy.EventObjected:
		d.Objected = t
	case privacy.EventExpired:
		d.Expired = t
	case privacy.EventClosed:
		d.Closed = t
	}
	return d
}

// latestStart returns a time no earlier than every start s whose period p
// has ended by now (p.AddTo(s) <= now): the bound a query selects
// candidates with before the exact, calendar-aware check in Go. For days it
// is exact; a calendar month can end up to three days short (31 January
// plus one month is 28 February), so for months and years it allows four
// days more.
func latestStart(p privacy.Period, now time.Time) time.Time {
	now = now.UTC()
	switch p.Unit {
	case privacy.Months:
		return now.AddDate(0, -p.N, 4)
	case privacy.Years:
		return now.AddDate(0, -12*p.N, 4)
	}
	return now.AddDate(0, 0, -p.N)
}

// placeholders returns "$first, $first+1, ..." for n values.
func placeholders(first, n int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = "$" + strconv.Itoa(first+i)
	}
	return strings.Join(ph, ", ")
}

// chunkSize bounds the values of one IN list.
const chunkSize = 500

// inChunks runs fn on keys in chunks of at most chunkSize, with the IN
// list's placeholders (starting at $first) and the chunk as arguments.
func inChunks(keys []string, first int, fn func(in string, args []any) error) error {
	for len(keys) > 0 {
		n := min(len(keys), chunkSize)
		args := make([]any, n)
		for i, k := range keys[:n] {
			args[i] = k
		}
		if err := fn(placeholders(first, n), args); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// itemKeys returns the keys of items.
func itemKeys(items []Item) []string {
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.Key
	}
	return keys
}
