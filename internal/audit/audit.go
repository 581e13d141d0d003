// Package audit keeps the append-only, tamper-evident log of what staff and
// operators do (T13). Each entry is written in the same transaction as the
// change it records and carries the SHA-256 of its predecessor, so that
// editing, deleting or reordering any entry breaks the chain, which Verify
// finds. Entries name subjects by id and never hold personal data.
package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// genesis is the predecessor hash of the first entry.
var genesis = hex.EncodeToString(make([]byte, sha256.Size))

// Entry is one audited action.
type Entry struct {
	Seq      int64           `json:"seq"`
	ID       string          `json:"id"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	Subject  string          `json:"subject"`
	Details  json.RawMessage `json:"details"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// hashOf computes an entry's hash over its predecessor's hash and its fields,
// each length-prefixed so that no two different entries hash alike.
func hashOf(e Entry) string {
	h := sha256.New()
	for _, field := range []string{e.PrevHash, strconv.FormatInt(e.Seq, 10), e.ID, strconv.FormatInt(e.At.UnixMicro(), 10),
		e.Actor, e.Action, e.Subject, string(e.Details)} {
		fmt.Fprintf(h, "%d:%s|", len(field), field)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Append records an action in tx. details is encoded as JSON. Two
// transactions appending at once cannot both succeed: the loser conflicts on
// the sequence number and store.DB.Write retries it.
func Append(tx *store.Tx, actor, action, subject string, details any) (Entry, error) {
	if actor == "" || action == "" {
		return Entry{}, errors.New("audit: actor and action are required")
	}
	raw, err := json.Marshal(details)
	if err != nil {
		return Entry{}, fmt.Errorf("audit: encode details: %w", err)
	}
	e := Entry{ID: ids.New(), At: tx.Now, Actor: actor, Action: action, Subject: subject, Details: raw, PrevHash: genesis, Seq: 1}
	var lastSeq int64
	var lastHash string
	err = tx.QueryRow(`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&lastSeq, &lastHash)
	switch {
	case err == nil:
		e.Seq, e.PrevHash = lastSeq+1, lastHash
	case !errors.Is(err, sql.ErrNoRows):
		return Entry{}, err
	}
	e.Hash = hashOf(e)
	_, err = tx.Exec(`INSERT INTO audit_log (seq, id, at, actor, action, subject, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.Seq, e.ID, store.Micros(e.At), e.Actor, e.Action, e.Subject, string(e.Details), e.PrevHash, e.Hash)
	if store.IsUniqueViolation(err) {
		return Entry{}, store.ErrConflict
	}
	return e, err
}

// Report is the outcome of Verify.
type Report struct {
	Entries  int      `json:"entries"`
	Problems []string `json:"problems"`
}

// OK reports whether the chain is intact.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Verify walks the log in order and recomputes every hash.
func Verify(ctx context.Context, db *store.DB) (Report, error) {
	var r Report
	err := db.Read(ctx, func(tx *store.Tx) error {
		r = Report{Problems: []string{}}
		prev, want := genesis, int64(1)
		return eachEntry(tx, `ORDER BY seq`, nil, func(e Entry) {
			r.Entries++
			switch {
			case e.Seq != want:
				r.Problems = append(r.Problems, fmt.Sprintf("entry %d missing before entry %d", want, e.Seq))
			case e.PrevHash != prev:
				r.Problems = append(r.Problems, fmt.Sprintf("entry %d does not follow its predecessor", e.Seq))
			case hashOf(e) != e.Hash:
				r.Problems = append(r.Problems, fmt.Sprintf("entry %d was altered", e.Seq))
			}
			prev, want = e.Hash, e.Seq+1
		})
	})
	return r, err
}

// ForSubject lists the entries about one subject, oldest first.
func ForSubject(ctx context.Context, db *store.DB, subject string) ([]Entry, error) {
	var out []Entry
	err := db.Read(ctx, func(tx *store.Tx) error {
		out = nil
		return eachEntry(tx, `WHERE subject = $1 ORDER BY seq`, []any{subject}, func(e Entry) { out = append(out, e) })
	})
	return out, err
}

// eachEntry calls fn for every entry the query tail selects.
func eachEntry(tx *store.Tx, tail string, args []any, fn func(Entry)) error {
	rows, err := tx.Query(`SELECT seq, id, at, actor, action, subject, details, prev_hash, hash FROM audit_log `+tail, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e       Entry
			at      int64
			details string
		)
		if err := rows.Scan(&e.Seq, &e.ID, &at, &e.Actor, &e.Action, &e.Subject, &details, &e.PrevHash, &e.Hash); err != nil {
			return err
		}
		e.At, e.Details = store.FromMicros(at), json.RawMessage(details)
		fn(e)
	}
	return rows.Err()
}
