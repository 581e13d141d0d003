package dispute

import (
	"context"
	"database/sql"
	"errors"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// The merchant's side of a dispute beyond its answer: the documents it sent
// with its evidence, its disputes of one order, and how many wait for it.

// MerchantDocument returns a document the merchant uploaded to one of its
// own disputes, in tx; by names the reader ("merchant_user:<id>", "api")
// and the read is audited. Another merchant's dispute or a document the
// merchant did not upload answers like an unknown one. Errors: NOT_FOUND.
func (s *Service) MerchantDocument(tx *store.Tx, merchantID, by, disputeID, documentID string) (DocumentInfo, []byte, error) {
	if !ids.Valid(disputeID) || !ids.Valid(documentID) || merchantID == "" {
		return DocumentInfo{}, nil, errNotFound
	}
	d, err := load(tx, disputeID)
	if err == nil && d.MerchantID != merchantID {
		err = errNotFound
	}
	if err != nil {
		return DocumentInfo{}, nil, err
	}
	var (
		di                   DocumentInfo
		name, sealed, author string
		at                   int64
	)
	err = tx.QueryRow(`SELECT id, name, content_type, size, uploaded_at, content, uploaded_by FROM dispute_documents WHERE id = $1 AND dispute_id = $2`, documentID, disputeID).
		Scan(&di.ID, &name, &di.ContentType, &di.Size, &at, &sealed, &author)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && partyOf(author) != "merchant") {
		return DocumentInfo{}, nil, errNotFound
	}
	if err != nil {
		return DocumentInfo{}, nil, err
	}
	di.UploadedAt = store.FromMicros(at)
	if di.Name, err = s.openString(tx, d, ContextDocumentName, name); err != nil {
		return DocumentInfo{}, nil, err
	}
	content, err := s.vault.Open(tx, d.subject(), ContextDocument, sealed)
	if errors.Is(err, vault.ErrShredded) {
		return DocumentInfo{}, nil, apperr.New(apperr.NotFound, "The document was erased.")
	}
	if err != nil {
		return DocumentInfo{}, nil, err
	}
	if _, err := audit.Append(tx, by, ActionDocument, d.OrderID, map[string]string{"dispute_id": d.ID, "document_id": di.ID}); err != nil {
		return DocumentInfo{}, nil, err
	}
	return di, content, nil
}

// MerchantForOrder returns the merchant's disputes of one of its orders,
// newest first (at most one is live), sealed texts left closed; another
// merchant's order has none.
func (s *Service) MerchantForOrder(ctx context.Context, merchantID, orderID string) ([]Dispute, error) {
	var out []Dispute
	err := s.db.Read(ctx, func(tx *store.Tx) (err error) {
		out, err = s.list(tx, ` WHERE d.merchant_id = $1 AND d.order_id = $2 ORDER BY d.created_at DESC, d.id`, merchantID, orderID)
		return err
	})
	return out, err
}

// CountAwaitingMerchant counts the merchant's disputes that wait for its
// answer and whose deadline has not passed.
func (s *Service) CountAwaitingMerchant(ctx context.Context, merchantID string) (int, error) {
	var n int
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM disputes WHERE merchant_id = $1 AND status = $2 AND deadline_at > $3`,
			merchantID, string(AwaitingMerchant), store.Micros(tx.Now)).Scan(&n)
	})
	return n, err
}

// MerchantPage returns one page of the merchant's disputes, newest first,
// sealed texts left closed: those in status, or every one when status is
// empty, skipping offset and at most limit of them, with how many match
// in all. Errors: BAD_VALUE (an unknown status, a negative offset, a
// limit below 1).
func (s *Service) MerchantPage(ctx context.Context, merchantID string, status Status, offset, limit int) ([]Dispute, int, error) {
	switch status {
	case "", AwaitingMerchant, AwaitingDecision, Referred, Closed:
	default:
		return nil, 0, apperr.BadField("status", "must be awaiting_merchant, awaiting_decision, referred or closed")
	}
	if offset < 0 || limit < 1 {
		return nil, 0, apperr.BadField("offset", "must not be negative, and limit at least 1")
	}
	var (
		out   []Dispute
		total int
	)
	err := s.db.Read(ctx, func(tx *store.Tx) (err error) {
		where, args := ` WHERE d.merchant_id = $1`, []any{merchantID}
		if status != "" {
			where, args = where+` AND d.status = $2`, append(args, string(status))
		}
		if err := tx.QueryRow(`SELECT COUNT(*)`+disputeFrom+where, args...).Scan(&total); err != nil {
			return err
		}
		n := len(args)
		out, err = s.list(tx, where+` ORDER BY d.created_at DESC, d.id DESC LIMIT $`+itoa(n+1)+` OFFSET $`+itoa(n+2), append(args, limit, offset)...)
		return err
	})
	return out, total, err
}
