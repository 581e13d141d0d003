package dsr

import (
	"context"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/restriction"
	"github.com/tillit/tillit/internal/store"
)

// Lift ends a restriction or objection that the request with requestID
// asked for, for the data protection team (actor "staff:<id>"): once the
// accuracy of the data is settled (Art. 18(1)(a)), or Tillit's grounds
// were found to override an objection (Art. 18(1)(d)). The person is
// e-mailed what is lifted and why in the same transaction, so they are told
// before the data is used again (Art. 18(3)); the lift is audited. reason
// is staff's words, which the person reads. Errors: NOT_FOUND (the request,
// or an entry it did not ask for), BAD_VALUE (reason), NOT_ALLOWED (already
// lifted).
func (s *Service) Lift(ctx context.Context, actor, requestID, entryID, reason string) (restriction.Entry, error) {
	var out restriction.Entry
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := load(tx, requestID)
		if err != nil {
			return err
		}
		e, err := restriction.Get(tx, entryID)
		if err != nil {
			return err
		}
		if e.RequestID != r.ID {
			return apperr.New(apperr.NotFound, "This request asked for no such restriction or objection.")
		}
		if out, err = restriction.Lift(tx, e.ID, actor, reason); err != nil {
			return err
		}
		to, err := s.replyTo(tx, &r)
		if err != nil {
			return err
		}
		pr := i18n.Printer{Lang: r.Locale}
		key := "dsr.mail.lifted." + string(e.Kind)
		return s.send(tx, r.Request, to, pr.T(key+".subject", "reference", r.Reference),
			pr.T(key+".body", "reference", r.Reference, "what", pr.T(e.TargetKey())),
			pr.T("dsr.mail.lifted.reason", "reason", out.LiftReason))
	})
	return out, err
}
