package account

import (
	"context"
	"errors"

	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// legacyBatch is how many addresses SealLegacyAddresses seals per
// transaction.
const legacyBatch = 200

// SealLegacyAddresses seals the addresses of the consumer accounts made
// before consumers.email was sealed (migration 00017), which are still in
// clear (a sealed value never holds an "@"), under the person of each
// account, giving an account made before persons existed its person; an
// erased person's address, which can no longer be sealed, is cleared. It
// returns how many it sealed; once they are all sealed it finds nothing, so
// it is run at every start. Processes running it at once do not seal an
// address twice.
func (s *Service) SealLegacyAddresses(ctx context.Context) (int, error) {
	if s.vault == nil {
		return 0, errNoVault
	}
	type plain struct{ id, key, personID, email string }
	total := 0
	for {
		found, sealed := 0, 0
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			found, sealed = 0, 0
			rows, err := tx.Query(`SELECT id, consumer_key, COALESCE(person_id, ''), email FROM consumers
				WHERE email LIKE '%@%' ORDER BY id LIMIT $1`, legacyBatch)
			if err != nil {
				return err
			}
			var batch []plain
			for rows.Next() {
				var p plain
				if err := rows.Scan(&p.id, &p.key, &p.personID, &p.email); err != nil {
					rows.Close()
					return err
				}
				batch = append(batch, p)
			}
			if err := rows.Close(); err != nil {
				return err
			}
			found = len(batch)
			for _, p := range batch {
				if p.personID == "" {
					if p.personID, err = person.Resolve(tx, p.key); err != nil {
						return err
					}
				}
				text, err := s.sealEmail(tx, p.personID, p.email)
				if errors.Is(err, vault.ErrShredded) {
					// An erased person's address is not kept.
					text, err = "", nil
				}
				if err != nil {
					return err
				}
				res, err := tx.Exec(`UPDATE consumers SET email = $2, person_id = $3 WHERE id = $1 AND email = $4`, p.id, text, p.personID, p.email)
				if err != nil {
					return err
				}
				n, err := res.RowsAffected()
				if err != nil {
					return err
				}
				sealed += int(n)
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += sealed
		if found < legacyBatch {
			return total, nil
		}
	}
}
