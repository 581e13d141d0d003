// Package retention is the retention engine (requirement D9): it applies the
// retention rule of each purpose of the privacy registry (package privacy)
// to the data Tillit holds, deleting, anonymising or crypto-shredding it on
// the day its period ends.
//
// Each Rule names the registry's purpose and category it applies, the
// tables it changes and, through the registry, the event its period counts
// from, the period and the action; it never invents a period. A rule's Due
// lists what is due with the reason (the rule, the purpose, when the period
// ended) and its Apply carries it out. An Engine runs the rules in batches
// (Config.BatchSize items per transaction, at most Config.MaxPerRun items per
// rule and run), records each run in the table retention_runs, and Plan
// answers, without writing, what a run would remove and why (the dry run
// behind `tillit privacy retention --dry-run` and the back office's
// /staff/retention). A daily durable job runs the engine (Register,
// Schedule). DefaultRules are the rules for the data Tillit holds; see
// docs/retention.md for each rule and the day it fires.
//
// The engine owns retention_runs and retention_retired_persons.
package retention

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/store"
)

// Defaults of Config.
const (
	DefaultBatchSize = 200
	DefaultMaxPerRun = 10000
)

// Config bounds the work of one run.
type Config struct {
	// BatchSize is how many items one transaction handles (a person counts
	// as one item); DefaultBatchSize when zero.
	BatchSize int
	// MaxPerRun is how many items of one rule a run handles at most;
	// DefaultMaxPerRun when zero. What is left goes in the next run.
	MaxPerRun int
}

// Engine applies retention rules to a database.
type Engine struct {
	db     *store.DB
	rules  []Rule
	cfg    Config
	logger *slog.Logger
}

// New returns an engine applying rules, in order, to db. A nil logger means
// slog.Default(). It panics when two rules share a name (a programming
// error).
func New(db *store.DB, rules []Rule, cfg Config, logger *slog.Logger) *Engine {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.MaxPerRun <= 0 {
		cfg.MaxPerRun = DefaultMaxPerRun
	}
	if logger == nil {
		logger = slog.Default()
	}
	seen := map[string]bool{}
	for _, r := range rules {
		name := r.Info().Name
		if seen[name] {
			panic(fmt.Sprintf("retention: two rules are named %q", name))
		}
		seen[name] = true
	}
	return &Engine{db: db, rules: slices.Clone(rules), cfg: cfg, logger: logger}
}

// Rules returns the descriptions of the engine's rules, in the order it
// applies them.
func (e *Engine) Rules() []RuleInfo {
	out := make([]RuleInfo, len(e.rules))
	for i, r := range e.rules {
		out[i] = r.Info()
	}
	return out
}

// Source says what started a run.
type Source string

// The sources of a run.
const (
	// SourceSchedule is the daily job.
	SourceSchedule Source = "schedule"
	// SourceStaff is a member of staff's "run now" in the back office.
	SourceStaff Source = "staff"
	// SourceCommand is `tillit privacy retention`.
	SourceCommand Source = "command"
)

// Report is what a run removed, or what a dry run would remove, and why.
type Report struct {
	// ID is the run's id in retention_runs; empty for a dry run.
	ID string `json:"id,omitempty"`
	// At is the moment the periods were compared with.
	At time.Time `json:"at"`
	// DryRun is set when nothing was written.
	DryRun bool `json:"dry_run"`
	// Lines has at least one line per rule, in the order the rules run: one
	// per purpose whose period ended (the person-level rule may report
	// several), or one with Count 0 when nothing is due.
	Lines []Line `json:"lines"`
	// Items is how many pieces of data went (or would go).
	Items int `json:"items"`
	// Changes counts the rows changed per rule; empty for a dry run.
	Changes map[string]Changes `json:"changes,omitempty"`
	// Error is what failed, '' when nothing did; the rules before and after
	// a failing one still ran.
	Error string `json:"error,omitempty"`
}

// Line is what one rule removes under one purpose's period.
type Line struct {
	// Rule is the rule's name; Tables what it changes, the one Count is
	// about first.
	Rule   string   `json:"rule"`
	Tables []string `json:"tables"`
	// Purpose, Category and Retention are the registry's rule whose period
	// ended.
	Purpose   privacy.PurposeID  `json:"purpose"`
	Category  privacy.CategoryID `json:"category"`
	Retention privacy.Retention  `json:"retention"`
	// Count is how many items went (or would go): rows of the first table,
	// or persons.
	Count int `json:"count"`
	// More is set when more were due than one run handles; the next run
	// continues.
	More bool `json:"more,omitempty"`
	// Oldest is the earliest moment a period of these items started at, and
	// FirstEnd the earliest end among them (how overdue the oldest is);
	// zero when Count is 0.
	Oldest   time.Time `json:"oldest,omitzero"`
	FirstEnd time.Time `json:"first_period_end,omitzero"`
}

// lines groups a rule's items per purpose and category, keeping the order
// in which each first appears, or returns the one empty line of the rule.
func lines(info RuleInfo, items []Item) []Line {
	if len(items) == 0 {
		return []Line{{Rule: info.Name, Tables: info.Tables, Purpose: info.Purpose, Category: info.Category, Retention: info.Retention}}
	}
	var out []Line
	for _, it := range items {
		i := slices.IndexFunc(out, func(l Line) bool { return l.Purpose == it.Purpose && l.Category == it.Category })
		if i < 0 {
			out = append(out, Line{Rule: info.Name, Tables: info.Tables, Purpose: it.Purpose, Category: it.Category, Retention: it.Retention})
			i = len(out) - 1
		}
		l := &out[i]
		l.Count++
		if l.Oldest.IsZero() || it.Since.Before(l.Oldest) {
			l.Oldest = it.Since
		}
		if l.FirstEnd.IsZero() || it.End.Before(l.FirstEnd) {
			l.FirstEnd = it.End
		}
	}
	return out
}

// Plan reports what a run at now would remove and why, without writing:
// per rule, the items due, up to what one run handles.
func (e *Engine) Plan(ctx context.Context, now time.Time) (Report, error) {
	rep := Report{At: now.UTC(), DryRun: true}
	err := e.db.Read(ctx, func(tx *store.Tx) error {
		rep.Lines, rep.Items = nil, 0
		for _, r := range e.rules {
			items, err := r.Due(tx, now, e.cfg.MaxPerRun+1)
			if err != nil {
				return fmt.Errorf("retention: %s: %w", r.Info().Name, err)
			}
			more := len(items) > e.cfg.MaxPerRun
			if more {
				items = items[:e.cfg.MaxPerRun]
			}
			ls := lines(r.Info(), items)
			for i := range ls {
				ls[i].More = more
			}
			rep.Lines = append(rep.Lines, ls...)
			rep.Items += len(items)
		}
		return nil
	})
	return rep, err
}

// Run applies every rule at now, in batches of their own transactions, and
// records the run (from source) in retention_runs. A rule that fails is
// reported in the returned error and in Report.Error; the other rules still
// run, and what the failing one did before it failed stays done. With actor
// set (a member of staff, an operator) the run is also written to the
// audit log.
func (e *Engine) Run(ctx context.Context, now time.Time, source Source, actor string) (Report, error) {
	started := e.db.Clock.Now()
	rep := Report{ID: ids.New(), At: now.UTC(), Changes: map[string]Changes{}}
	var errs []error
	for _, r := range e.rules {
		ls, n, c, err := e.runRule(ctx, r, now)
		rep.Lines = append(rep.Lines, ls...)
		rep.Items += n
		if c.Rows() > 0 || c.Shredded > 0 {
			rep.Changes[r.Info().Name] = c
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("retention: %s: %w", r.Info().Name, err))
		}
	}
	runErr := errors.Join(errs...)
	if runErr != nil {
		rep.Error = runErr.Error()
		e.logger.Error("retention run failed", "run_id", rep.ID, "error", rep.Error)
	}
	if err := e.record(ctx, rep, source, started, actor); err != nil {
		return rep, errors.Join(runErr, err)
	}
	e.logger.Info("retention run", "run_id", rep.ID, "source", string(source), "items", rep.Items, "rows", rep.Rows())
	return rep, runErr
}

// runRule applies r in batches until nothing is due, MaxPerRun items were
// handled, or ctx ends, and reports it.
func (e *Engine) runRule(ctx context.Context, r Rule, now time.Time) ([]Line, int, Changes, error) {
	info := r.Info()
	var (
		done    []Item
		changes Changes
	)
	report := func(more bool) []Line {
		ls := lines(info, done)
		for i := range ls {
			ls[i].More = more
		}
		return ls
	}
	for len(done) < e.cfg.MaxPerRun {
		if err := ctx.Err(); err != nil {
			return report(true), len(done), changes, err
		}
		limit := min(e.cfg.BatchSize, e.cfg.MaxPerRun-len(done))
		var (
			items []Item
			c     Changes
		)
		err := e.db.Write(ctx, func(tx *store.Tx) error {
			var err error
			if items, err = r.Due(tx, now, limit); err != nil {
				return err
			}
			c, err = r.Apply(tx, items)
			return err
		})
		if err != nil {
			return report(false), len(done), changes, err
		}
		done = append(done, items...)
		changes.add(c)
		if len(items) < limit {
			return report(false), len(done), changes, nil
		}
	}
	// A full run: look whether more is waiting.
	var more bool
	err := e.db.Read(ctx, func(tx *store.Tx) error {
		items, err := r.Due(tx, now, 1)
		more = len(items) > 0
		return err
	})
	return report(more), len(done), changes, err
}

// Rows is how many rows the run deleted or anonymised.
func (r Report) Rows() int64 {
	var n int64
	for _, c := range r.Changes {
		n += c.Rows()
	}
	return n
}

// Shredded is how many vault subjects the run shredded.
func (r Report) Shredded() int64 {
	var n int64
	for _, c := range r.Changes {
		n += c.Shredded
	}
	return n
}

// More reports whether a rule had more due than the run handled.
func (r Report) More() bool {
	return slices.ContainsFunc(r.Lines, func(l Line) bool { return l.More })
}

// ActionRun is the audit action of a run started by a person; its subject
// is the run's id.
const ActionRun = "retention.run"

// record writes the run to retention_runs and, when actor is set, to the
// audit log.
func (e *Engine) record(ctx context.Context, rep Report, source Source, started time.Time, actor string) error {
	body, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	return e.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(`INSERT INTO retention_runs (id, source, started_at, finished_at, items, changed, report, error)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, rep.ID, string(source), store.Micros(started), store.Micros(tx.Now),
			rep.Items, rep.Rows(), string(body), rep.Error); err != nil {
			return err
		}
		if actor == "" {
			return nil
		}
		_, err := audit.Append(tx, actor, ActionRun, rep.ID, map[string]any{
			"source": source, "items": rep.Items, "rows": rep.Rows(), "shredded": rep.Shredded(), "failed": rep.Error != "",
		})
		return err
	})
}
