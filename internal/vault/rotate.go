package vault

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/store"
)

// DefaultRotateBatch is how many data keys Rotate re-wraps per transaction.
const DefaultRotateBatch = 500

// Rotate re-wraps every live data key that is not yet wrapped by to, in
// transactions of batchSize keys, each audited under actor. It unwraps with
// the vault's master keys and to, so it works both before and after the
// processes were switched to the new key. Keys already under to are skipped,
// so an interrupted rotation resumes where it stopped when run again. It
// returns how many keys it re-wrapped; a key wrapped by a master key it does
// not hold stops it with ErrMasterKeyUnavailable.
func (v *Vault) Rotate(ctx context.Context, actor string, to MasterKey, batchSize int) (int, error) {
	total := 0
	for {
		n, err := v.RotateBatch(ctx, actor, to, batchSize)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// RotateBatch re-wraps up to batchSize data keys under to in one
// transaction, with one audit entry, and returns how many it re-wrapped
// (0 when none is left).
func (v *Vault) RotateBatch(ctx context.Context, actor string, to MasterKey, batchSize int) (int, error) {
	if to.aead == nil {
		return 0, errors.New("vault: no master key to rotate to")
	}
	if batchSize <= 0 {
		batchSize = DefaultRotateBatch
	}
	keys := MasterKeys{Current: to, Previous: append([]MasterKey{v.keys.Current}, v.keys.Previous...)}
	var done int
	err := v.db.Write(ctx, func(tx *store.Tx) error {
		done = 0
		type row struct{ subject, masterID, wrapped string }
		var batch []row
		rows, err := tx.Query(`SELECT subject, master_key_id, wrapped_key FROM subject_keys
			WHERE shredded_at IS NULL AND master_key_id <> $1 ORDER BY subject LIMIT $2`, to.id, batchSize)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.subject, &r.masterID, &r.wrapped); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(batch) == 0 {
			return err
		}
		from := map[string]int{}
		for _, r := range batch {
			master, ok := keys.byID(r.masterID)
			if !ok {
				return fmt.Errorf("%w (master key id %s)", ErrMasterKeyUnavailable, r.masterID)
			}
			raw, err := unwrapWith(master, r.subject, r.wrapped)
			if err != nil {
				return err
			}
			if err := tx.ExecOne(`UPDATE subject_keys SET master_key_id = $2, wrapped_key = $3 WHERE subject = $1 AND wrapped_key = $4`,
				r.subject, to.id, wrap(to, r.subject, raw), r.wrapped); err != nil {
				return err
			}
			from[r.masterID]++
		}
		done = len(batch)
		_, err = audit.Append(tx, actor, "vault.keys_rotated", "master_key:"+to.id, map[string]any{"rewrapped": done, "from": from})
		return err
	})
	return done, err
}

// Status counts the data keys.
type Status struct {
	// ByMasterKey counts the live data keys per master key id.
	ByMasterKey map[string]int `json:"data_keys_by_master_key"`
	// Shredded counts the subjects whose data key was destroyed.
	Shredded int `json:"shredded"`
}

// Status counts the live data keys per master key and the shredded ones.
func (v *Vault) Status(ctx context.Context) (Status, error) {
	var s Status
	err := v.db.Read(ctx, func(tx *store.Tx) error {
		s = Status{ByMasterKey: map[string]int{}}
		rows, err := tx.Query(`SELECT master_key_id, COUNT(*) FROM subject_keys WHERE shredded_at IS NULL GROUP BY master_key_id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			s.ByMasterKey[id] = n
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT COUNT(*) FROM subject_keys WHERE shredded_at IS NOT NULL`).Scan(&s.Shredded)
	})
	return s, err
}

// Unavailable returns the master key ids, sorted, that wrap live data keys
// in s but are not among keys.
func (s Status) Unavailable(keys MasterKeys) []string {
	var out []string
	for id := range s.ByMasterKey {
		if _, ok := keys.byID(id); !ok {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// Check fails with ErrMasterKeyUnavailable when some live data key is
// wrapped by a master key the vault does not hold: a lost or wrong key file,
// or a previous key removed before a rotation finished. Run it at start.
func (v *Vault) Check(ctx context.Context) error {
	s, err := v.Status(ctx)
	if err != nil {
		return err
	}
	if missing := s.Unavailable(v.keys); len(missing) > 0 {
		n := 0
		for _, id := range missing {
			n += s.ByMasterKey[id]
		}
		return fmt.Errorf("%w: %d data keys are wrapped by master key id(s) %s; configured: %s (see docs/vault.md)",
			ErrMasterKeyUnavailable, n, strings.Join(missing, ", "), strings.Join(v.keys.IDs(), ", "))
	}
	return nil
}
