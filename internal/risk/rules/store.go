package rules

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/store"
)

// AuditPublished is the audit action of publishing a rule set; the subject
// is "risk_rules:<version>".
const AuditPublished = "risk.rules_published"

// MaxComment is the longest comment a publication may carry, in characters.
const MaxComment = 500

// Published describes a published version.
type Published struct {
	Version   int64     `json:"version"`
	Digest    string    `json:"digest"`
	Rules     int       `json:"rules"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	Comment   string    `json:"comment"`
}

// Publish compiles source against schema and, when it is valid, stores it
// as the next version, in force from then on, and audits it. actor is who
// publishes ("staff:<id>" or "operator:<name>"). Errors: BAD_VALUE with
// every problem of the source, or of the comment; nothing is stored then.
func Publish(ctx context.Context, db *store.DB, schema Schema, source, actor, comment string) (Published, error) {
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > MaxComment || strings.ContainsRune(comment, 0) {
		return Published{}, apperr.BadField("comment", "must be text of at most %d characters", MaxComment)
	}
	if actor == "" {
		return Published{}, errors.New("rules: Publish needs an actor")
	}
	set, err := Compile(source, schema)
	var ce *CompileError
	if errors.As(err, &ce) {
		return Published{}, apperr.BadField("rules", "%s", strings.Join(ce.Problems, "; "))
	}
	if err != nil {
		return Published{}, err
	}
	var out Published
	err = db.Write(ctx, func(tx *store.Tx) error {
		var latest int64
		if err := tx.QueryRow(`SELECT COALESCE(MAX(version), 0) FROM risk_rule_sets`).Scan(&latest); err != nil {
			return err
		}
		out = Published{Version: latest + 1, Digest: set.Digest, Rules: len(set.Rules), CreatedAt: tx.Now, CreatedBy: actor, Comment: comment}
		_, err := tx.Exec(`INSERT INTO risk_rule_sets (version, source, digest, created_at, created_by, comment) VALUES ($1, $2, $3, $4, $5, $6)`,
			out.Version, source, set.Digest, store.Micros(tx.Now), actor, comment)
		if store.IsUniqueViolation(err) {
			return store.ErrConflict
		}
		if err != nil {
			return err
		}
		_, err = audit.Append(tx, actor, AuditPublished, "risk_rules:"+strconv.FormatInt(out.Version, 10),
			map[string]any{"version": out.Version, "digest": set.Digest, "rules": len(set.Rules), "comment": comment})
		return err
	})
	return out, err
}

// History returns the published versions, newest first, at most limit.
func History(ctx context.Context, db *store.DB, limit int) ([]Published, error) {
	var out []Published
	err := db.Read(ctx, func(tx *store.Tx) error {
		out = []Published{}
		rows, err := tx.Query(`SELECT version, source, digest, created_at, created_by, comment FROM risk_rule_sets ORDER BY version DESC LIMIT $1`, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				p       Published
				source  string
				created int64
			)
			if err := rows.Scan(&p.Version, &source, &p.Digest, &created, &p.CreatedBy, &p.Comment); err != nil {
				return err
			}
			p.CreatedAt = store.FromMicros(created)
			p.Rules = countRules(source)
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// countRules counts the rule lines of a source.
func countRules(source string) int {
	n := 0
	for _, line := range strings.Split(source, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			n++
		}
	}
	return n
}

// latest loads the newest published set; nil when none was published.
func latest(tx *store.Tx, schema Schema) (*Set, error) {
	var (
		version int64
		source  string
	)
	err := tx.QueryRow(`SELECT version, source FROM risk_rule_sets ORDER BY version DESC LIMIT 1`).Scan(&version, &source)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	set, err := Compile(source, schema)
	if err != nil {
		return nil, err
	}
	set.Version = version
	return set, nil
}

// DefaultInterval is how often a Live looks for a newer version.
const DefaultInterval = 5 * time.Second

// Live is the rule set in force in a running server: the newest published
// version, or the built-in default until one is published. It looks for a
// newer version at most once per Interval, on the database's clock, when
// asked for the current set, so a rule published by any process takes
// effect everywhere within Interval without a restart. It is safe for
// concurrent use.
type Live struct {
	db       *store.DB
	schema   Schema
	interval time.Duration
	current  atomic.Pointer[Set]
	checked  atomic.Int64 // unix nanoseconds of the last look
}

// NewLive returns the live view with fallback (compiled against the schema
// the published sets are compiled against) in force until a version is
// published; interval 0 means DefaultInterval.
func NewLive(db *store.DB, fallback *Set, interval time.Duration) *Live {
	if interval <= 0 {
		interval = DefaultInterval
	}
	l := &Live{db: db, schema: fallback.schema, interval: interval}
	l.current.Store(fallback)
	return l
}

// Fixed returns a live view that always has set in force and never looks
// for published versions.
func Fixed(set *Set) *Live {
	l := &Live{schema: set.schema}
	l.current.Store(set)
	return l
}

// Expire makes the next Current look for a newer version at once: a
// process that has just published one applies it from its next order.
func (l *Live) Expire() { l.checked.Store(0) }

// Schema returns the features the live sets are compiled against.
func (l *Live) Schema() Schema { return l.schema }

// Current returns the set in force, having looked for a newer version when
// the last look is Interval old. A failed look keeps the set in force and
// returns the error with it.
func (l *Live) Current(ctx context.Context) (*Set, error) {
	if l.db == nil {
		return l.current.Load(), nil
	}
	now := l.db.Clock.Now().UnixNano()
	last := l.checked.Load()
	if now-last < int64(l.interval) || !l.checked.CompareAndSwap(last, now) {
		return l.current.Load(), nil
	}
	var newer *Set
	err := l.db.Read(ctx, func(tx *store.Tx) error {
		var version int64
		if err := tx.QueryRow(`SELECT COALESCE(MAX(version), 0) FROM risk_rule_sets`).Scan(&version); err != nil {
			return err
		}
		if version <= l.current.Load().Version {
			return nil
		}
		var err error
		newer, err = latest(tx, l.schema)
		return err
	})
	if err != nil {
		return l.current.Load(), err
	}
	if newer != nil {
		l.current.Store(newer)
	}
	return l.current.Load(), nil
}
