package card

import (
	"context"
	"encoding/json"

	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/store"
)

// JobExpire marks a card expired when its usable time has run out unused
// (a one-time card OneTimeLifetime after creation, a virtual card after
// its expiry month). Authorization checks the time itself as well, so a
// late job never lets an expired card through.
const JobExpire = "card.expire"

// expirePayload is the payload of JobExpire.
type expirePayload struct {
	CardID string `json:"card_id"`
}

// Register registers the package's jobs with r.
func (s *Service) Register(r *jobs.Runner) { r.Register(JobExpire, s.expire) }

// expire marks the card expired if it is still active and its time is up.
func (s *Service) expire(ctx context.Context, payload []byte) error {
	var p expirePayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return jobs.Drop(err)
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE cards SET status = $1, version = version + 1 WHERE id = $2 AND status = $3 AND usable_until <= $4`,
			StatusExpired, p.CardID, StatusActive, store.Micros(tx.Now))
		return err
	})
}
