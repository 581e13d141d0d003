package complaint

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/store"
)

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return slices.Contains(Categories, c) }

// File files a consumer's own complaint (channel app); actor is
// "consumer:<account id>". Acknowledged at once: the timeline records the
// filing and the acknowledgement, and the consumer gets an e-mail in their
// language with the reference and the deadlines. Errors, each writing
// nothing: BAD_VALUE (category, subject, text, country), NOT_FOUND (an
// order that is not the person's).
func (s *Service) File(ctx context.Context, personID, actor string, f Filing) (Complaint, error) {
	if personID == "" || !strings.HasPrefix(actor, "consumer:") {
		return Complaint{}, errors.New("complaint: File needs the person and a consumer actor")
	}
	var out Complaint
	err := s.cfg.DB.Write(ctx, func(tx *store.Tx) (err error) {
		out, err = s.FileTx(tx, personID, actor, f)
		return err
	})
	return out, err
}

// FileTx is File within tx.
func (s *Service) FileTx(tx *store.Tx, personID, actor string, f Filing) (Complaint, error) {
	if personID == "" || !strings.HasPrefix(actor, "consumer:") {
		return Complaint{}, errors.New("complaint: FileTx needs the person and a consumer actor")
	}
	return s.file(tx, personID, actor, PartyConsumer, ChannelApp, "", f)
}

// FileForConsumer files a complaint on a consumer's behalf by customer
// service (customer_service or admin), the consumer found by e-mail
// address, which the acknowledgement goes to. Errors, each writing
// nothing: FORBIDDEN, BAD_VALUE (channel, category, subject, text,
// country), NOT_FOUND (no such consumer, or an order not theirs).
func (s *Service) FileForConsumer(ctx context.Context, st account.Staff, consumerEmail string, ch Channel, f Filing) (Complaint, error) {
	if !MayHandle(st.Role) {
		return Complaint{}, errForbidden
	}
	if !slices.Contains(StaffChannels, ch) {
		return Complaint{}, apperr.BadField("channel", "must be one of phone, email, chat, letter")
	}
	email := strings.ToLower(strings.TrimSpace(consumerEmail))
	if email == "" || len(email) > 254 || !strings.Contains(email, "@") {
		return Complaint{}, apperr.BadField("email", "must be an e-mail address")
	}
	var out Complaint
	err := s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		personID, found, err := person.Lookup(tx, ids.ConsumerKey(s.cfg.LookupKey, email))
		if err != nil {
			return err
		}
		if !found {
			return apperr.New(apperr.NotFound, "No consumer has that e-mail address.")
		}
		out, err = s.file(tx, personID, staffActor(st), PartyCustomerService, ch, email, f)
		return err
	})
	return out, err
}

// FileForPersonTx files, in the caller's transaction, a complaint customer
// service (customer_service or admin) took for a person Tillit already
// knows in another channel: a support conversation turned into a complaint
// (package support). to is the address the acknowledgement goes to (""
// for the person's own); record is what was said before the complaint, in
// order, each part at most MaxText characters, added to the timeline as
// information from customer service the consumer sees too. Errors, each
// writing nothing: FORBIDDEN, BAD_VALUE (channel, category, subject, text,
// country, record), NOT_FOUND (an order not the person's).
func (s *Service) FileForPersonTx(tx *store.Tx, st account.Staff, personID, to string, ch Channel, f Filing, record []string) (Complaint, error) {
	if !MayHandle(st.Role) {
		return Complaint{}, errForbidden
	}
	if !slices.Contains(StaffChannels, ch) {
		return Complaint{}, apperr.BadField("channel", "must be one of phone, email, chat, letter")
	}
	for i, part := range record {
		if record[i], _ = checkText("record", part, MaxText, true); record[i] == "" {
			return Complaint{}, apperr.BadField("record", "must be text of at most %d characters", MaxText)
		}
	}
	c, err := s.file(tx, personID, staffActor(st), PartyCustomerService, ch, to, f)
	if err != nil || len(record) == 0 {
		return c, err
	}
	r, err := load(tx, c.ID)
	if err != nil {
		return Complaint{}, err
	}
	for _, part := range record {
		if err := s.addEvent(tx, r, staffActor(st), PartyCustomerService, EventInformation, part, false); err != nil {
			return Complaint{}, err
		}
	}
	return c, nil
}

// file validates a filing and records it, acknowledged.
func (s *Service) file(tx *store.Tx, personID, actor, party string, ch Channel, to string, f Filing) (Complaint, error) {
	if !f.Category.Valid() {
		return Complaint{}, apperr.BadField("category", "must be one of order, decision, payment, fees, collection, service, privacy, fraud, other")
	}
	subject, err := checkText("subject", f.Subject, MaxSubject, false)
	if err != nil {
		return Complaint{}, err
	}
	text, err := checkText("text", f.Text, MaxText, true)
	if err != nil {
		return Complaint{}, err
	}
	var orderID any
	orderCountry := ""
	if f.OrderID = strings.TrimSpace(f.OrderID); f.OrderID != "" {
		var owner string
		err := tx.QueryRow(`SELECT COALESCE(person_id, ''), purchase_country FROM orders WHERE id = $1`, f.OrderID).Scan(&owner, &orderCountry)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != personID) {
			return Complaint{}, apperr.New(apperr.NotFound, "No such order.")
		}
		if err != nil {
			return Complaint{}, err
		}
		orderID = f.OrderID
	}
	country, err := countryFor(tx, personID, f.Country, orderCountry)
	if err != nil {
		return Complaint{}, err
	}
	d, err := DeadlinesFor(country, f.Category, tx.Now, false)
	if err != nil {
		return Complaint{}, err
	}
	ref, err := newReference(tx)
	if err != nil {
		return Complaint{}, err
	}
	id := ids.New()
	sealedSubject, err := s.seal(tx, personID, ContextSubject, subject)
	if err != nil {
		return Complaint{}, err
	}
	sealedText, err := s.seal(tx, personID, ContextText, text)
	if err != nil {
		return Complaint{}, err
	}
	if _, err := tx.Exec(`INSERT INTO complaints (id, reference, person_id, order_id, category, channel, country, tier, status, subject, text,
    filed_by, filed_at, target_at, psd2_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $11, $12, $13, $14)`,
		id, ref, personID, orderID, string(f.Category), string(ch), country, string(Open), sealedSubject, sealedText, actor,
		store.Micros(tx.Now), store.Micros(d.Target), micros(d.PSD2)); err != nil {
		return Complaint{}, err
	}
	r, err := load(tx, id)
	if err != nil {
		return Complaint{}, err
	}
	if err := s.addEvent(tx, r, actor, party, EventFiled, "", false); err != nil {
		return Complaint{}, err
	}
	if err := s.addEvent(tx, r, "system", PartySystem, EventAcknowledged, "", false); err != nil {
		return Complaint{}, err
	}
	if _, err := audit.Append(tx, actor, ActionFiled, personID, map[string]any{"complaint_id": id, "reference": ref,
		"category": f.Category, "channel": ch, "country": country}); err != nil {
		return Complaint{}, err
	}
	if err := s.scheduleDeadlines(tx, r); err != nil {
		return Complaint{}, err
	}
	if err := s.mailConsumer(tx, r, mailAcknowledged, to, "", ""); err != nil {
		return Complaint{}, err
	}
	return s.opened(tx, r)
}

// countryFor picks a complaint's country: the one given, else the order's,
// else that of the person's newest order, else DK. It must have a
// business-day calendar and a national board. Errors: BAD_VALUE.
func countryFor(tx *store.Tx, personID, given, orderCountry string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(given))
	if c == "" {
		c = orderCountry
	}
	if c == "" {
		err := tx.QueryRow(`SELECT purchase_country FROM orders WHERE person_id = $1 ORDER BY created_at DESC, id LIMIT 1`, personID).Scan(&c)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
	}
	if _, ok := BoardFor(c); !ok {
		if given == "" {
			return "DK", nil
		}
		return "", apperr.BadField("country", "must be one of DK, SE, NL, DE")
	}
	return c, nil
}

// Mine lists the person's complaints, newest first, texts opened.
func (s *Service) Mine(ctx context.Context, personID string) ([]Complaint, error) {
	out := []Complaint{}
	err := s.cfg.DB.Read(ctx, func(tx *store.Tx) error {
		rs, err := list(tx, ` WHERE c.person_id = $1 ORDER BY c.filed_at DESC, c.id DESC`, personID)
		if err != nil {
			return err
		}
		for _, r := range rs {
			c, err := s.opened(tx, r)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// mine loads one of the person's complaints; another person's is NOT_FOUND.
func mine(tx *store.Tx, personID, id string) (row, error) {
	r, err := load(tx, id)
	if err == nil && r.PersonID != personID {
		return row{}, errNotFound
	}
	return r, err
}

// ConsumerView is one of the person's complaints with its consumer-visible
// timeline; another person's answers NOT_FOUND.
func (s *Service) ConsumerView(ctx context.Context, personID, id string) (View, error) {
	var v View
	err := s.cfg.DB.Read(ctx, func(tx *store.Tx) error {
		r, err := mine(tx, personID, id)
		if err != nil {
			return err
		}
		v, err = s.view(tx, r, false)
		return err
	})
	return v, err
}

// AddInformation adds the consumer's words to a live complaint (open or in
// review). Errors, each writing nothing: BAD_VALUE (text), NOT_FOUND,
// CodeChanged, CodeWrongState.
func (s *Service) AddInformation(ctx context.Context, personID, actor, id string, version int64, text string) (Complaint, error) {
	text, err := checkText("text", text, MaxText, true)
	if err != nil {
		return Complaint{}, err
	}
	return s.consumerChange(ctx, personID, id, version, func(tx *store.Tx, r *row) error {
		if r.Status != Open && r.Status != InReview {
			return apperr.New(CodeWrongState, "The complaint is not being handled now, so nothing can be added to it.")
		}
		if err := r.save(tx); err != nil {
			return err
		}
		if err := s.addEvent(tx, *r, actor, PartyConsumer, EventInformation, text, false); err != nil {
			return err
		}
		_, err := audit.Append(tx, actor, ActionInformation, r.PersonID, map[string]any{"complaint_id": r.ID})
		return err
	})
}

// RequestReview asks the independent customer representative to review an
// answered complaint (tier 2), within ReviewWindow of the final answer;
// reason optional. Errors, each writing nothing: BAD_VALUE (reason),
// NOT_FOUND, CodeChanged, CodeWrongState (not answered, or the window
// ended).
func (s *Service) RequestReview(ctx context.Context, personID, actor, id string, version int64, reason string) (Complaint, error) {
	reason, err := checkText("reason", reason, MaxText, false)
	if err != nil {
		return Complaint{}, err
	}
	return s.consumerChange(ctx, personID, id, version, func(tx *store.Tx, r *row) error {
		if r.Status != Answered {
			return apperr.New(CodeWrongState, "Only a complaint with a final answer can go to the customer representative.")
		}
		if r.ReviewUntil == nil || tx.Now.After(*r.ReviewUntil) {
			return apperr.New(CodeWrongState, "The time to ask for a review of this complaint has ended.")
		}
		now := tx.Now
		r.Tier, r.Status, r.ReviewRequestedAt, r.OwnerID = 2, InReview, &now, ""
		if err := r.save(tx); err != nil {
			return err
		}
		if err := s.addEvent(tx, *r, actor, PartyConsumer, EventReviewRequested, reason, false); err != nil {
			return err
		}
		if _, err := audit.Append(tx, actor, ActionReviewRequested, r.PersonID, map[string]any{"complaint_id": r.ID}); err != nil {
			return err
		}
		return s.mailConsumer(tx, *r, mailReviewRequested, "", "", "")
	})
}

// consumerChange runs change on one of the person's complaints at version
// in a write transaction and returns it opened.
func (s *Service) consumerChange(ctx context.Context, personID, id string, version int64, change func(tx *store.Tx, r *row) error) (Complaint, error) {
	var out Complaint
	err := s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := mine(tx, personID, id)
		if err != nil {
			return err
		}
		if err := r.checkVersion(version); err != nil {
			return err
		}
		if err := change(tx, &r); err != nil {
			return err
		}
		out, err = s.opened(tx, r)
		return err
	})
	return out, err
}
