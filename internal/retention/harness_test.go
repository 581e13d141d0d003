package retention_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/retention"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

// at is a UTC time.
func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

// world is a migrated database on the test's engine with a manual clock, a
// vault, the engine with DefaultRules and one merchant.
type world struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	clk      *clock.Manual
	vault    *vault.Vault
	engine   *retention.Engine
	merchant string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	db, clk := storetest.Open(t)
	return worldOn(t, db, clk, vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()}), retention.Config{})
}

// worldOn builds a world on an open database.
func worldOn(t *testing.T, db *store.DB, clk *clock.Manual, v *vault.Vault, cfg retention.Config) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, ctx: ctx, db: db, clk: clk, vault: v,
		engine: retention.New(db, retention.DefaultRules(v), cfg, logscan.Logger())}
	creds, err := merchant.Create(ctx, db, merchant.NewMerchant{Name: "Regnvejr ApS", TestMode: true, SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	w.merchant = creds.MerchantID
	return w
}

// exec runs a statement, failing the test on error.
func (w *world) exec(query string, args ...any) {
	w.t.Helper()
	if err := w.db.Write(w.ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(query, args...)
		return err
	}); err != nil {
		w.t.Fatalf("%s: %v", query, err)
	}
}

// count returns a COUNT(*) query's answer.
func (w *world) count(query string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.db.Read(w.ctx, func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) }); err != nil {
		w.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func us(t time.Time) int64 { return store.Micros(t) }

// session inserts a payment session created at created; with sealed set its
// personal fields are sealed under its own id, as checkout does before a
// person authorizes.
func (w *world) session(id string, created time.Time, sealed bool) {
	w.t.Helper()
	if err := w.db.Write(w.ctx, func(tx *store.Tx) error {
		personal := ""
		if sealed {
			var err error
			if personal, err = w.vault.SealString(tx, id, "checkout.personal", `{"billing_address":{"given_name":"Ada"}}`); err != nil {
				return err
			}
		}
		_, err := tx.Exec(`INSERT INTO payment_sessions (id, merchant_id, status, purchase_country, purchase_currency, locale, order_amount, data, personal, created_at, expires_at)
VALUES ($1, $2, 'incomplete', 'DK', 'DKK', 'da-DK', 10000, '{}', $3, $4, $5)`, id, w.merchant, personal, us(created), us(created.Add(48*time.Hour)))
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
}

// authorization inserts an authorization of session made at created that
// no order placed.
func (w *world) authorization(token, session string, created time.Time) {
	w.t.Helper()
	w.exec(`INSERT INTO authorizations (token, session_id, merchant_id, status, fraud_status, payment_method, approved_amount, consumer, reasons, created_at, expires_at)
VALUES ($1, $2, $3, 'approved', 'ACCEPTED', 'pay_later', 10000, '', '[]', $4, $5)`, token, session, w.merchant, us(created), us(created.Add(time.Hour)))
}

// person inserts a person whose relationship ended at ended (zero: not).
func (w *world) person(id string, ended time.Time) {
	w.t.Helper()
	var end any
	if !ended.IsZero() {
		end = us(ended)
	}
	w.exec(`INSERT INTO persons (id, consumer_key, created_at, relationship_ended_at) VALUES ($1, $2, $3, $4)`, id, "key-"+id, us(storetest.Start), end)
}

// snapshot is every row of every table but the logs (jobs, audit log, run
// log, migrations), as text.
type snapshot map[string][]string

// unlogged are the tables a snapshot leaves out: they change on every run.
var unlogged = []string{"jobs", "audit_log", "retention_runs", "goose_db_version"}

func (w *world) snapshot() snapshot {
	w.t.Helper()
	out := snapshot{}
	err := w.db.Read(w.ctx, func(tx *store.Tx) error {
		cols, err := privacy.SchemaColumns(tx)
		if err != nil {
			return err
		}
		byTable := map[string][]string{}
		for _, c := range cols {
			table, column, _ := strings.Cut(c, ".")
			byTable[table] = append(byTable[table], column)
		}
		for table, columns := range byTable {
			if slices.Contains(unlogged, table) {
				continue
			}
			rows, err := tx.Query(`SELECT ` + strings.Join(columns, ", ") + ` FROM ` + table)
			if err != nil {
				return err
			}
			vals := make([]sql.NullString, len(columns))
			ptrs := make([]any, len(columns))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				var b strings.Builder
				for i, v := range vals {
					fmt.Fprintf(&b, "%s=%q,%v ", columns[i], v.String, v.Valid)
				}
				out[table] = append(out[table], b.String())
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

// change is how many rows of a table went and came between two snapshots
// (an anonymised row is one of each).
type change struct{ Removed, Added int }

// diff compares two snapshots table by table.
func diff(before, after snapshot) map[string]change {
	out := map[string]change{}
	tables := map[string]bool{}
	for t := range before {
		tables[t] = true
	}
	for t := range after {
		tables[t] = true
	}
	for t := range tables {
		b, a := multiset(before[t]), multiset(after[t])
		var c change
		for row, n := range b {
			if d := n - a[row]; d > 0 {
				c.Removed += d
			}
		}
		for row, n := range a {
			if d := n - b[row]; d > 0 {
				c.Added += d
			}
		}
		if c != (change{}) {
			out[t] = c
		}
	}
	return out
}

func multiset(rows []string) map[string]int {
	m := map[string]int{}
	for _, r := range rows {
		m[r]++
	}
	return m
}

// describe prints a diff in a stable order.
func describe(d map[string]change) string {
	var parts []string
	for t, c := range d {
		parts = append(parts, fmt.Sprintf("%s -%d +%d", t, c.Removed, c.Added))
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, "; ") + "}"
}

// plan is the engine's dry run now.
func (w *world) plan() retention.Report {
	w.t.Helper()
	rep, err := w.engine.Plan(w.ctx, w.clk.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	return rep
}

// run runs the engine now from the command line source.
func (w *world) run() retention.Report {
	w.t.Helper()
	rep, err := w.engine.Run(w.ctx, w.clk.Now(), retention.SourceCommand, "")
	if err != nil {
		w.t.Fatal(err)
	}
	return rep
}

// due returns how many items rule has due in rep, and the earliest end.
func due(rep retention.Report, rule string) (int, time.Time) {
	n := 0
	var first time.Time
	for _, l := range rep.Lines {
		if l.Rule != rule || l.Count == 0 {
			continue
		}
		n += l.Count
		if first.IsZero() || l.FirstEnd.Before(first) {
			first = l.FirstEnd
		}
	}
	return n, first
}

// firing is one moment at which rules fire: how many items each rule has
// due then, and exactly what the run changes.
type firing struct {
	at    time.Time
	items map[string]int
	want  map[string]change
}

// fires checks a firing: a day before and a microsecond before, the dry run
// lists nothing of the rules and a run changes nothing; at the moment the
// dry run lists exactly the items, with the moment as their period's end,
// and a run changes exactly what is wanted; a second run changes nothing.
func (w *world) fires(f firing) {
	w.t.Helper()
	for _, before := range []time.Time{f.at.AddDate(0, 0, -1), f.at.Add(-time.Microsecond)} {
		w.clk.Set(before)
		rep := w.plan()
		for rule := range f.items {
			if n, _ := due(rep, rule); n != 0 {
				w.t.Errorf("%s: %d items of %s due at %s, before their period ends", f.at, n, rule, before)
			}
		}
		snap := w.snapshot()
		w.run()
		if d := diff(snap, w.snapshot()); len(d) > 0 {
			w.t.Errorf("a run at %s, before %s, changed %s", before, f.at, describe(d))
		}
	}
	w.clk.Set(f.at)
	rep := w.plan()
	for rule, want := range f.items {
		n, first := due(rep, rule)
		if n != want || (want > 0 && !first.Equal(f.at)) {
			w.t.Errorf("at %s the dry run has %d items of %s, first period end %s; want %d ending then", f.at, n, rule, first, want)
		}
	}
	snap := w.snapshot()
	w.run()
	after := w.snapshot()
	if d := diff(snap, after); describe(d) != describe(f.want) {
		w.t.Errorf("a run at %s changed %s, want %s", f.at, describe(d), describe(f.want))
	}
	w.run()
	if d := diff(after, w.snapshot()); len(d) > 0 {
		w.t.Errorf("a second run at %s changed %s", f.at, describe(d))
	}
}
