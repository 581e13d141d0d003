package dispute

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Event is one entry of a dispute's timeline.
type Event struct {
	At time.Time `json:"at"`
	// Party is who acted: consumer, merchant, staff or system.
	Party string `json:"party"`
	Kind  string `json:"kind"`
	// Body is what they wrote, when the view may show it.
	Body string `json:"body,omitempty"`
}

// DocumentInfo describes a stored document without its content.
type DocumentInfo struct {
	ID          string    `json:"document_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// View is a dispute with its timeline and documents.
type View struct {
	Dispute   Dispute        `json:"dispute"`
	Timeline  []Event        `json:"timeline"`
	Documents []DocumentInfo `json:"documents"`
}

// partyOf names the party an actor belongs to.
func partyOf(actor string) string {
	switch {
	case strings.HasPrefix(actor, "consumer:"):
		return "consumer"
	case strings.HasPrefix(actor, "staff:"):
		return "staff"
	case actor == "system":
		return "system"
	}
	return "merchant"
}

// openString opens a sealed text; an erased person's text reads empty.
func (s *Service) openString(tx *store.Tx, d Dispute, context, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	t, err := s.vault.OpenString(tx, d.subject(), context, sealed)
	if errors.Is(err, vault.ErrShredded) {
		return "", nil
	}
	return t, err
}

// open fills the dispute's sealed texts.
func (s *Service) open(tx *store.Tx, d Dispute) (Dispute, error) {
	var err error
	if d.Statement, err = s.openString(tx, d, ContextStatement, d.sealed.statement); err != nil {
		return Dispute{}, err
	}
	if d.Evidence.TrackingNumber, err = s.openString(tx, d, ContextTracking, d.sealed.tracking); err != nil {
		return Dispute{}, err
	}
	if d.Evidence.ProofOfDelivery, err = s.openString(tx, d, ContextProof, d.sealed.proof); err != nil {
		return Dispute{}, err
	}
	d.Evidence.Description, err = s.openString(tx, d, ContextDescription, d.sealed.description)
	return d, err
}

// view builds a dispute's view; withBody tells which events' bodies to
// show.
func (s *Service) view(tx *store.Tx, d Dispute, withBody func(party string) bool) (View, error) {
	v := View{Dispute: d, Timeline: []Event{}, Documents: []DocumentInfo{}}
	rows, err := tx.Query(`SELECT at, actor, kind, body FROM dispute_events WHERE dispute_id = $1 ORDER BY at, id`, d.ID)
	if err != nil {
		return View{}, err
	}
	type row struct {
		at                int64
		actor, kind, body string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.at, &r.actor, &r.kind, &r.body); err != nil {
			rows.Close()
			return View{}, err
		}
		all = append(all, r)
	}
	if err := rows.Close(); err != nil {
		return View{}, err
	}
	for _, r := range all {
		e := Event{At: store.FromMicros(r.at), Party: partyOf(r.actor), Kind: r.kind}
		if withBody(e.Party) {
			if e.Body, err = s.openString(tx, d, ContextEventBody, r.body); err != nil {
				return View{}, err
			}
		}
		v.Timeline = append(v.Timeline, e)
	}
	docs, err := tx.Query(`SELECT id, name, content_type, size, uploaded_at FROM dispute_documents WHERE dispute_id = $1 ORDER BY uploaded_at, id`, d.ID)
	if err != nil {
		return View{}, err
	}
	var sealedNames []string
	for docs.Next() {
		var (
			di DocumentInfo
			at int64
			n  string
		)
		if err := docs.Scan(&di.ID, &n, &di.ContentType, &di.Size, &at); err != nil {
			docs.Close()
			return View{}, err
		}
		di.UploadedAt = store.FromMicros(at)
		v.Documents = append(v.Documents, di)
		sealedNames = append(sealedNames, n)
	}
	if err := docs.Close(); err != nil {
		return View{}, err
	}
	for i := range v.Documents {
		if v.Documents[i].Name, err = s.openString(tx, d, ContextDocumentName, sealedNames[i]); err != nil {
			return View{}, err
		}
	}
	return v, nil
}

// ConsumerView returns one of the person's disputes with its timeline: the
// consumer reads their own words and the merchant's evidence; staff notes
// stay internal. Errors: NOT_FOUND (not the person's).
func (s *Service) ConsumerView(ctx context.Context, personID, id string) (View, error) {
	var v View
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		d, err := s.consumers(tx, personID, id)
		if err != nil {
			return err
		}
		if d, err = s.open(tx, d); err != nil {
			return err
		}
		v, err = s.view(tx, d, func(p string) bool { return p != "staff" })
		return err
	})
	return v, err
}

// ForOrder returns the person's disputes on an order, newest first (at
// most one is live), without their timelines. Errors: NOT_FOUND (not the
// person's order).
func (s *Service) ForOrder(ctx context.Context, personID, orderID string) ([]Dispute, error) {
	var out []Dispute
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var owner string
		err := tx.QueryRow(`SELECT COALESCE(person_id, '') FROM orders WHERE id = $1`, orderID).Scan(&owner)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (owner == "" || owner != personID)) {
			return apperr.New(apperr.NotFound, "No such order.")
		}
		if err != nil {
			return err
		}
		out, err = s.list(tx, ` WHERE d.order_id = $1 ORDER BY d.created_at DESC, d.id`, orderID)
		return err
	})
	return out, err
}

// MerchantView returns one of the merchant's disputes with its timeline
// and evidence, for the portal and the API. The consumer's own words are
// left out. Errors: NOT_FOUND (not the merchant's).
func (s *Service) MerchantView(ctx context.Context, merchantID, id string) (View, error) {
	var v View
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		if !ids.Valid(id) {
			return errNotFound
		}
		d, err := load(tx, id)
		if err == nil && d.MerchantID != merchantID {
			err = errNotFound
		}
		if err != nil {
			return err
		}
		if d, err = s.open(tx, d); err != nil {
			return err
		}
		d.Statement = ""
		v, err = s.view(tx, d, func(p string) bool { return p == "merchant" })
		return err
	})
	return v, err
}

// MerchantDisputes lists the merchant's live disputes, the closest
// deadline first.
func (s *Service) MerchantDisputes(ctx context.Context, merchantID string) ([]Dispute, error) {
	var out []Dispute
	err := s.db.Read(ctx, func(tx *store.Tx) (err error) {
		out, err = s.list(tx, ` WHERE d.merchant_id = $1 AND d.live_key IS NOT NULL ORDER BY d.deadline_at, d.id`, merchantID)
		return err
	})
	return out, err
}

// StaffView returns a dispute in full for a dispute handler (or admin),
// in tx; the read of the consumer's data is audited. Errors: FORBIDDEN,
// NOT_FOUND.
func (s *Service) StaffView(tx *store.Tx, st account.Staff, id string) (View, error) {
	if !MayDecide(st.Role) {
		return View{}, apperr.New(apperr.Forbidden, "Your role may not read disputes.")
	}
	if !ids.Valid(id) {
		return View{}, errNotFound
	}
	d, err := load(tx, id)
	if err != nil {
		return View{}, err
	}
	if d, err = s.open(tx, d); err != nil {
		return View{}, err
	}
	if _, err := audit.Append(tx, "staff:"+st.ID, ActionViewed, d.OrderID, map[string]string{"dispute_id": d.ID}); err != nil {
		return View{}, err
	}
	return s.view(tx, d, func(string) bool { return true })
}

// Queue lists the disputes waiting for a dispute handler's decision, the
// oldest deadline first. Errors: FORBIDDEN.
func (s *Service) Queue(ctx context.Context, st account.Staff) ([]Dispute, error) {
	if !MayDecide(st.Role) {
		return nil, apperr.New(apperr.Forbidden, "Your role may not work disputes.")
	}
	var out []Dispute
	err := s.db.Read(ctx, func(tx *store.Tx) (err error) {
		out, err = s.list(tx, ` WHERE d.status = $1 ORDER BY d.deadline_at, d.id`, string(AwaitingDecision))
		return err
	})
	return out, err
}

// Document returns a stored document's content for a dispute handler (or
// admin), in tx; the read is audited. Errors: FORBIDDEN, NOT_FOUND.
func (s *Service) Document(tx *store.Tx, st account.Staff, disputeID, documentID string) (DocumentInfo, []byte, error) {
	if !MayDecide(st.Role) {
		return DocumentInfo{}, nil, apperr.New(apperr.Forbidden, "Your role may not read disputes.")
	}
	if !ids.Valid(disputeID) || !ids.Valid(documentID) {
		return DocumentInfo{}, nil, errNotFound
	}
	d, err := load(tx, disputeID)
	if err != nil {
		return DocumentInfo{}, nil, err
	}
	var (
		di           DocumentInfo
		name, sealed string
		at           int64
	)
	err = tx.QueryRow(`SELECT id, name, content_type, size, uploaded_at, content FROM dispute_documents WHERE id = $1 AND dispute_id = $2`, documentID, disputeID).
		Scan(&di.ID, &name, &di.ContentType, &di.Size, &at, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
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
	if _, err := audit.Append(tx, "staff:"+st.ID, ActionDocument, d.OrderID, map[string]string{"dispute_id": d.ID, "document_id": di.ID}); err != nil {
		return DocumentInfo{}, nil, err
	}
	return di, content, nil
}

// list reads disputes matching where (with its ORDER BY), sealed texts
// left closed.
func (s *Service) list(tx *store.Tx, where string, args ...any) ([]Dispute, error) {
	rows, err := tx.Query(`SELECT `+disputeColumns+disputeFrom+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Dispute{}
	for rows.Next() {
		d, err := scanDispute(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
