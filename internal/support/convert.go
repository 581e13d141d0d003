package support

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/complaint"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/store"
)

// ComplaintConversion is a conversation customer service turns into a
// complaint.
type ComplaintConversion struct {
	Category complaint.Category
	// OrderID is the order complained about, optional; the person's own.
	// Empty takes the conversation's order.
	OrderID string
	// Subject is the complaint's subject; empty takes the conversation's.
	Subject string
}

// DisputeConversion is a conversation customer service turns into a
// buyer-protection dispute of one of the person's orders.
type DisputeConversion struct {
	// OrderID is the disputed order; empty takes the conversation's.
	OrderID string
	Reason  dispute.Reason
}

// PrivacyConversion is a conversation customer service turns into a
// data-subject request.
type PrivacyConversion struct {
	Kind dsr.Kind
	// Scope is what a restriction or objection is about (dsr.Request.Scope).
	Scope []string
	// Country is where the person lives (a listed country or "").
	Country string
	// IdentityNote says how the person's identity was verified: required
	// for a contact-form conversation; for one from the app it defaults to
	// the consumer's sign-in.
	IdentityNote string
}

// ConvertToComplaint files a complaint for the conversation's person
// through the complaint service, in the same transaction that marks the
// conversation Converted and links it to the complaint: channel chat, the
// acknowledgement to the conversation's address, and the whole
// conversation in the complaint's text and, when longer, its timeline.
// Errors, each writing nothing: FORBIDDEN, NOT_ALLOWED (no complaint
// service), NOT_FOUND (the conversation, or an order not the person's),
// CodeChanged, CodeWrongState (already converted), and the complaint
// service's (BAD_VALUE category, subject).
func (s *Service) ConvertToComplaint(ctx context.Context, st account.Staff, id string, version int64, c ComplaintConversion) (Conversation, error) {
	if s.cfg.Complaints == nil {
		return Conversation{}, errNoCases
	}
	return s.convert(ctx, st, id, version, CaseComplaint, func(tx *store.Tx, r row, conv Conversation, record []string) (string, error) {
		to := ""
		if conv.Visitor() {
			to = conv.ContactEmail
		}
		subject := c.Subject
		if subject == "" {
			subject = conv.Subject
		}
		orderID := c.OrderID
		if orderID == "" {
			orderID = conv.OrderID
		}
		parts := splitRecord(record, complaint.MaxText)
		filed, err := s.cfg.Complaints.FileForPersonTx(tx, st, r.PersonID, to, complaint.ChannelChat,
			complaint.Filing{Category: c.Category, OrderID: orderID, Subject: subject, Text: parts[0]}, parts[1:])
		return filed.ID, err
	})
}

// ConvertToDispute opens a buyer-protection dispute of one of the person's
// orders through the dispute service, on their behalf (the member of staff
// is the actor), in the same transaction that marks the conversation
// Converted and links it to the dispute: the conversation becomes the
// dispute's statement and, when longer, information added to it. Errors,
// each writing nothing: FORBIDDEN, NOT_ALLOWED (no dispute service, nothing
// left to dispute), BAD_VALUE (no order), NOT_FOUND (the conversation, or an
// order not the person's), CodeChanged, CodeWrongState, and the dispute
// service's (BAD_VALUE reason, dispute.CodeAlreadyOpen).
func (s *Service) ConvertToDispute(ctx context.Context, st account.Staff, id string, version int64, d DisputeConversion) (Conversation, error) {
	if s.cfg.Disputes == nil {
		return Conversation{}, errNoCases
	}
	return s.convert(ctx, st, id, version, CaseDispute, func(tx *store.Tx, r row, conv Conversation, record []string) (string, error) {
		orderID := d.OrderID
		if orderID == "" {
			orderID = conv.OrderID
		}
		if orderID == "" {
			return "", apperr.BadField("order", "is required")
		}
		actor := staffActor(st)
		parts := splitRecord(record, dispute.MaxStatement)
		opened, err := s.cfg.Disputes.Open(tx, r.PersonID, actor, orderID, d.Reason, parts[0])
		if err != nil {
			return "", err
		}
		for _, part := range parts[1:] {
			if opened, err = s.cfg.Disputes.AddInformation(tx, r.PersonID, actor, opened.ID, opened.Version, part); err != nil {
				return "", err
			}
		}
		return opened.ID, nil
	})
}

// ConvertToPrivacyRequest files a data-subject request for the
// conversation's person through the requests service, on their behalf, in
// the same transaction that marks the conversation Converted and links it
// to the request: the request's description is the conversation (as much
// as its limit of dsr.MaxDescription characters holds; the conversation
// keeps the rest), its answers go to the conversation's address in its
// language. Errors, each writing nothing: FORBIDDEN, NOT_ALLOWED (no
// requests service; the person's data was erased), NOT_FOUND, CodeChanged,
// CodeWrongState, and the requests service's (BAD_VALUE kind, scope,
// country, identity note; dsr.CodeAlreadyOpen).
func (s *Service) ConvertToPrivacyRequest(ctx context.Context, st account.Staff, id string, version int64, p PrivacyConversion) (Conversation, error) {
	if s.cfg.Requests == nil {
		return Conversation{}, errNoCases
	}
	return s.convert(ctx, st, id, version, CasePrivacyRequest, func(tx *store.Tx, r row, conv Conversation, record []string) (string, error) {
		to, err := s.recipient(tx, r)
		if err != nil {
			return "", err
		}
		if to == "" {
			return "", apperr.New(apperr.NotAllowed, "There is no address to answer the request at.")
		}
		note := strings.TrimSpace(p.IdentityNote)
		if note == "" && !conv.Visitor() {
			note = i18n.T(i18n.English, "support.convert.identity_app", "reference", conv.Reference)
		}
		description := splitRecord(record, dsr.MaxDescription)[0]
		filed, err := s.cfg.Requests.FileForPersonTx(tx, staffActor(st), r.PersonID, dsr.StaffFiling{Email: to,
			Locale: langOf(i18n.Lang(conv.Language)), Kind: p.Kind, Country: p.Country, Description: description,
			Scope: p.Scope, IdentityNote: note})
		return filed.ID, err
	})
}

// errNoCases refuses a conversion into a kind of case this installation
// does not run.
var errNoCases = apperr.New(apperr.NotAllowed, "Conversations cannot become cases of this kind here.")

// convert runs create, which opens the case in tx from the conversation and
// its record (the transcript, one entry per message), and marks the
// conversation Converted, linked to the case, audited, all in one
// transaction.
func (s *Service) convert(ctx context.Context, st account.Staff, id string, version int64, kind CaseKind,
	create func(tx *store.Tx, r row, conv Conversation, record []string) (string, error)) (Conversation, error) {
	return s.staffChange(ctx, st, id, version, func(tx *store.Tx, r *row) error {
		if r.Status == Converted {
			return apperr.New(CodeWrongState, "The conversation was already converted.")
		}
		t, err := s.thread(tx, *r)
		if err != nil {
			return err
		}
		caseID, err := create(tx, *r, t.Conversation, transcript(t))
		if err != nil {
			return err
		}
		r.ConvertedKind, r.ConvertedID = kind, caseID
		if r.AssignedTo == "" {
			r.AssignedTo = st.ID
		}
		r.setStatus(tx.Now, Converted)
		if err := r.save(tx); err != nil {
			return err
		}
		_, err = audit.Append(tx, staffActor(st), ActionConverted, r.PersonID, map[string]any{"conversation_id": r.ID,
			"kind": kind, "case_id": caseID})
		return err
	})
}

// transcript writes the conversation out for a case, in its language: a
// heading naming the conversation, then one entry per message with its
// time (UTC) and who wrote it.
func transcript(t Thread) []string {
	c := t.Conversation
	pr := i18n.Printer{Lang: langOf(i18n.Lang(c.Language))}
	out := []string{pr.T("support.transcript.heading", "reference", c.Reference, "date", pr.Date(c.CreatedAt))}
	for _, m := range t.Messages {
		out = append(out, pr.T("support.transcript.entry", "time", m.At.UTC().Format("2006-01-02 15:04"),
			"who", pr.T("support.party."+string(m.Author)), "text", m.Body))
	}
	return out
}

// splitRecord joins the entries into parts of at most max characters,
// entry by entry, cutting an entry longer than max; there is always at
// least one part.
func splitRecord(entries []string, max int) []string {
	var (
		parts []string
		cur   strings.Builder
		n     int
	)
	flush := func() {
		if cur.Len() > 0 {
			parts = append(parts, cur.String())
			cur.Reset()
			n = 0
		}
	}
	for _, e := range entries {
		for utf8.RuneCountInString(e) > max {
			flush()
			cut := []rune(e)
			parts = append(parts, string(cut[:max]))
			e = string(cut[max:])
		}
		size := utf8.RuneCountInString(e)
		if n > 0 && n+2+size > max {
			flush()
		}
		if n > 0 {
			cur.WriteString("\n\n")
			n += 2
		}
		cur.WriteString(e)
		n += size
	}
	flush()
	if len(parts) == 0 {
		parts = []string{""}
	}
	return parts
}
