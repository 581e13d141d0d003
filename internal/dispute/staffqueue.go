package dispute

import (
	"context"

	"github.com/tillit/tillit/internal/store"
)

// staffQueueWhere selects the disputes the dispute handlers' queue lists:
// those awaiting a decision first, then those still awaiting the
// merchant, the nearest deadline first within each.
const staffQueueWhere = ` WHERE d.status IN ($1, $2)`

// StaffQueue lists up to limit live disputes a dispute handler works:
// those awaiting a decision first, then those still awaiting the
// merchant (which a handler may decide, for instance on the merchant's
// answer by telephone), the nearest deadline first within each. Referred
// disputes are the fraud investigation's and are left out. The caller
// authorises the reader (MayDecide).
func (s *Service) StaffQueue(ctx context.Context, limit int) ([]Dispute, error) {
	var out []Dispute
	err := s.db.Read(ctx, func(tx *store.Tx) (err error) {
		out, err = s.list(tx, staffQueueWhere+` ORDER BY CASE WHEN d.status = $1 THEN 0 ELSE 1 END, d.deadline_at, d.id LIMIT $3`,
			string(AwaitingDecision), string(AwaitingMerchant), limit)
		return err
	})
	return out, err
}

// CountStaffQueue counts the disputes StaffQueue lists.
func (s *Service) CountStaffQueue(ctx context.Context) (int, error) {
	var n int
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM disputes d`+staffQueueWhere, string(AwaitingDecision), string(AwaitingMerchant)).Scan(&n)
	})
	return n, err
}
