package dispute

import (
	"net/http"
	"slices"
	"strings"
	"unicode"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/notify"
	"github.com/tillit/tillit/internal/store"
)

// Acceptance is the merchant's acceptance of a dispute.
type Acceptance struct {
	// Resolution is Refund or Cancel (an order nothing of which was
	// captured).
	Resolution Resolution `json:"resolution"`
	// Amount (Refund) is how much to refund, minor units; zero refunds
	// everything captured and not yet refunded and releases the rest.
	Amount int64 `json:"amount,omitempty"`
}

// Upload is one document a merchant sends with its evidence.
type Upload struct {
	// Name is the file's name (at most MaxDocumentName characters, sealed).
	Name string
	// Content is the file, at most MaxDocumentBytes, PDF, PNG or JPEG by
	// its content.
	Content []byte
}

// Contest is the merchant's evidence against a dispute.
type Contest struct {
	// Carrier and TrackingNumber name the shipment (a tracking number
	// needs its carrier).
	Carrier        string `json:"carrier,omitempty"`
	TrackingNumber string `json:"tracking_number,omitempty"`
	// ProofOfDelivery is what shows the goods arrived (a signature, a
	// parcel shop's receipt).
	ProofOfDelivery string `json:"proof_of_delivery,omitempty"`
	// Description is the merchant's account; required.
	Description string `json:"description"`
	// Documents are attached files (with those already stored at most
	// MaxDocuments).
	Documents []Upload `json:"-"`
}

// answerable loads a dispute the merchant may still answer. merchantID,
// when set, must own it (another merchant's dispute answers like an
// unknown one). Errors: NOT_FOUND, CodeChanged, CodeNotOpen.
func answerable(tx *store.Tx, merchantID, id string, version int64) (Dispute, error) {
	d, err := load(tx, id)
	if err == nil && merchantID != "" && d.MerchantID != merchantID {
		err = errNotFound
	}
	if err != nil {
		return Dispute{}, err
	}
	if err := d.checkVersion(version); err != nil {
		return Dispute{}, err
	}
	if d.Status != AwaitingMerchant || !tx.Now.Before(d.DeadlineAt) {
		return Dispute{}, apperr.New(CodeNotOpen, "The dispute is no longer waiting for the merchant's answer (%s).", d.Status)
	}
	return d, nil
}

// Accept records the merchant's acceptance in tx: checkout refunds (or
// cancels) at once and the dispute closes as consumer_won. by names who
// answered ("merchant_user:<id>", "api"). Errors, each writing nothing:
// BAD_VALUE, NOT_FOUND, CodeChanged, CodeNotOpen, and checkout's errors
// (CANCEL_NOT_ALLOWED for an order already captured).
func (s *Service) Accept(tx *store.Tx, merchantID, id, by string, version int64, in Acceptance) (Dispute, error) {
	if in.Resolution != Refund && in.Resolution != Cancel {
		return Dispute{}, apperr.BadField("resolution", "must be refund or cancel")
	}
	if in.Amount < 0 || (in.Resolution == Cancel && in.Amount != 0) {
		return Dispute{}, apperr.BadField("amount", "must be a positive amount to refund, or left out")
	}
	d, err := answerable(tx, merchantID, id, version)
	if err != nil {
		return Dispute{}, err
	}
	now := tx.Now
	d.RespondedAt, d.responder = &now, by
	if err := s.addEvent(tx, d, by, EventAccepted, ""); err != nil {
		return Dispute{}, err
	}
	if _, err := audit.Append(tx, by, ActionAccepted, d.OrderID, map[string]any{"dispute_id": d.ID, "resolution": in.Resolution, "amount": in.Amount}); err != nil {
		return Dispute{}, err
	}
	if err := s.giveConsumer(tx, &d, in.Resolution, in.Amount); err != nil {
		return Dispute{}, err
	}
	return s.close(tx, by, d, ConsumerWon, "accepted by the merchant")
}

// Contest records the merchant's evidence in tx; the dispute waits for a
// dispute handler's decision. Errors, each writing nothing: BAD_VALUE
// (a field, a document's size or type, too many documents), NOT_FOUND,
// CodeChanged, CodeNotOpen.
func (s *Service) Contest(tx *store.Tx, merchantID, id, by string, version int64, in Contest) (Dispute, error) {
	ev, err := in.validate()
	if err != nil {
		return Dispute{}, err
	}
	types := make([]string, len(in.Documents))
	for i, u := range in.Documents {
		if types[i], err = checkUpload(u); err != nil {
			return Dispute{}, err
		}
	}
	d, err := answerable(tx, merchantID, id, version)
	if err != nil {
		return Dispute{}, err
	}
	var stored int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM dispute_documents WHERE dispute_id = $1`, d.ID).Scan(&stored); err != nil {
		return Dispute{}, err
	}
	if stored+len(in.Documents) > MaxDocuments {
		return Dispute{}, apperr.BadField("documents", "at most %d documents per dispute", MaxDocuments)
	}
	d.Evidence.Carrier = ev.Carrier
	if d.sealed.tracking, err = s.seal(tx, d, ContextTracking, ev.TrackingNumber); err != nil {
		return Dispute{}, err
	}
	if d.sealed.proof, err = s.seal(tx, d, ContextProof, ev.ProofOfDelivery); err != nil {
		return Dispute{}, err
	}
	if d.sealed.description, err = s.seal(tx, d, ContextDescription, ev.Description); err != nil {
		return Dispute{}, err
	}
	for i, u := range in.Documents {
		if err := s.storeDocument(tx, d, by, strings.TrimSpace(u.Name), types[i], u.Content); err != nil {
			return Dispute{}, err
		}
	}
	now := tx.Now
	d.RespondedAt, d.responder = &now, by
	d.Status = AwaitingDecision
	if err := d.save(tx); err != nil {
		return Dispute{}, err
	}
	if err := s.addEvent(tx, d, by, EventContested, ev.Description); err != nil {
		return Dispute{}, err
	}
	if _, err := audit.Append(tx, by, ActionContested, d.OrderID, map[string]any{"dispute_id": d.ID, "carrier": ev.Carrier,
		"tracking_number_given": ev.TrackingNumber != "", "proof_of_delivery_given": ev.ProofOfDelivery != "", "documents": len(in.Documents)}); err != nil {
		return Dispute{}, err
	}
	return s.open(tx, d)
}

// validate checks the evidence's texts and returns them trimmed.
func (in Contest) validate() (Evidence, error) {
	var (
		ev  Evidence
		err error
	)
	if ev.Carrier, err = checkText("carrier", in.Carrier, MaxCarrier, false); err != nil {
		return ev, err
	}
	if ev.TrackingNumber, err = checkText("tracking_number", in.TrackingNumber, MaxTracking, false); err != nil {
		return ev, err
	}
	if strings.IndexFunc(ev.TrackingNumber, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' }) >= 0 {
		return ev, apperr.BadField("tracking_number", "must be letters, digits and dashes")
	}
	if ev.TrackingNumber != "" && ev.Carrier == "" {
		return ev, apperr.BadField("carrier", "is required with a tracking number")
	}
	if ev.ProofOfDelivery, err = checkText("proof_of_delivery", in.ProofOfDelivery, MaxEvidenceText, false); err != nil {
		return ev, err
	}
	if ev.Description, err = checkText("description", in.Description, MaxEvidenceText, true); err != nil {
		return ev, err
	}
	return ev, nil
}

// checkUpload checks a document's name, size and type and returns its
// content type, detected from its bytes.
func checkUpload(u Upload) (string, error) {
	if _, err := checkText("documents.name", u.Name, MaxDocumentName, true); err != nil {
		return "", err
	}
	if len(u.Content) == 0 || len(u.Content) > MaxDocumentBytes {
		return "", apperr.BadField("documents", "%q must be 1 byte to %d MB", u.Name, MaxDocumentBytes>>20)
	}
	ct, _, _ := strings.Cut(http.DetectContentType(u.Content), ";")
	if !slices.Contains(DocumentTypes, ct) {
		return "", apperr.BadField("documents", "%q must be a PDF, PNG or JPEG file", u.Name)
	}
	return ct, nil
}

// storeDocument seals and stores one document.
func (s *Service) storeDocument(tx *store.Tx, d Dispute, by, name, contentType string, content []byte) error {
	sealedName, err := s.vault.SealString(tx, d.subject(), ContextDocumentName, name)
	if err != nil {
		return err
	}
	sealed, err := s.vault.Seal(tx, d.subject(), ContextDocument, content)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT INTO dispute_documents (id, dispute_id, name, content_type, size, content, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		ids.New(), d.ID, sealedName, contentType, len(content), sealed, by, store.Micros(tx.Now))
	return err
}

// seal seals a text under the dispute's subject; an empty text stays empty.
func (s *Service) seal(tx *store.Tx, d Dispute, context, text string) (string, error) {
	if text == "" {
		return "", nil
	}
	return s.vault.SealString(tx, d.subject(), context, text)
}

// AddInformation adds what the consumer writes to a live dispute on their
// order, sealed, in tx. Errors, each writing nothing: BAD_VALUE, NOT_FOUND
// (not the person's dispute), CodeChanged, CodeNotOpen (closed).
func (s *Service) AddInformation(tx *store.Tx, personID, actor, id string, version int64, text string) (Dispute, error) {
	text, err := checkText("information", text, MaxStatement, true)
	if err != nil {
		return Dispute{}, err
	}
	d, err := s.consumers(tx, personID, id)
	if err != nil {
		return Dispute{}, err
	}
	if err := d.checkVersion(version); err != nil {
		return Dispute{}, err
	}
	if !d.Status.Live() {
		return Dispute{}, apperr.New(CodeNotOpen, "The dispute is closed.")
	}
	if err := d.save(tx); err != nil { // bumps the version
		return Dispute{}, err
	}
	if err := s.addEvent(tx, d, actor, EventInformation, text); err != nil {
		return Dispute{}, err
	}
	if _, err := audit.Append(tx, actor, ActionInformation, d.OrderID, map[string]string{"dispute_id": d.ID}); err != nil {
		return Dispute{}, err
	}
	return s.open(tx, d)
}

// consumers loads a dispute on the person's order. Errors: NOT_FOUND.
func (s *Service) consumers(tx *store.Tx, personID, id string) (Dispute, error) {
	if !ids.Valid(id) || personID == "" {
		return Dispute{}, errNotFound
	}
	d, err := load(tx, id)
	if err == nil && d.personID != personID {
		return Dispute{}, errNotFound
	}
	return d, err
}

// Roles may decide disputes; admin always may.
var Roles = []account.Role{account.RoleDisputeHandler}

// MayDecide reports whether a member of staff with role may decide
// disputes (and read their evidence).
func MayDecide(role account.Role) bool {
	return role == account.RoleAdmin || slices.Contains(Roles, role)
}

// MaxDecisionReason limits a decision's reason.
const MaxDecisionReason = 500

// Decide decides a dispute awaiting the merchant or a decision, in tx, as
// a dispute handler (or admin): ConsumerWon refunds or cancels through
// checkout (the merchant is charged back through its settlement's refund
// line); MerchantWon resumes the payment plan with the moved due dates.
// reason is the member's words (audited; no personal data). Errors, each
// writing nothing: FORBIDDEN (role), BAD_VALUE (outcome, reason),
// NOT_FOUND, CodeChanged, CodeNotOpen (closed), NOT_ALLOWED (referred to
// the fraud investigation).
func (s *Service) Decide(tx *store.Tx, st account.Staff, id string, version int64, outcome Outcome, reason string) (Dispute, error) {
	if !MayDecide(st.Role) {
		return Dispute{}, apperr.New(apperr.Forbidden, "Your role may not decide disputes.")
	}
	if outcome != ConsumerWon && outcome != MerchantWon {
		return Dispute{}, apperr.BadField("outcome", "must be consumer_won or merchant_won")
	}
	reason, err := checkText("reason", reason, MaxDecisionReason, true)
	if err != nil {
		return Dispute{}, err
	}
	if !ids.Valid(id) {
		return Dispute{}, errNotFound
	}
	d, err := load(tx, id)
	if err != nil {
		return Dispute{}, err
	}
	if err := d.checkVersion(version); err != nil {
		return Dispute{}, err
	}
	switch d.Status {
	case Closed:
		return Dispute{}, apperr.New(CodeNotOpen, "The dispute was already decided (%s).", d.Outcome)
	case Referred:
		return Dispute{}, apperr.New(apperr.NotAllowed, "The dispute is with the fraud investigation, which decides it.")
	}
	return s.decide(tx, "staff:"+st.ID, d, outcome, reason)
}

// decide closes a live dispute with outcome; actor is audited.
func (s *Service) decide(tx *store.Tx, actor string, d Dispute, outcome Outcome, reason string) (Dispute, error) {
	if outcome == ConsumerWon {
		if err := s.giveConsumer(tx, &d, "", 0); err != nil {
			return Dispute{}, err
		}
	}
	return s.close(tx, actor, d, outcome, reason)
}

// giveConsumer refunds or cancels for a consumer who won, through
// checkout: resolution "" picks Cancel for an order nothing of which was
// captured and a full Refund otherwise; amount 0 refunds everything
// captured and not refunded and releases the rest of the authorization.
func (s *Service) giveConsumer(tx *store.Tx, d *Dispute, resolution Resolution, amount int64) error {
	var (
		status             string
		captured, refunded int64
	)
	if err := tx.QueryRow(`SELECT status, captured_amount, refunded_amount FROM orders WHERE id = $1`, d.OrderID).Scan(&status, &captured, &refunded); err != nil {
		return err
	}
	if resolution == "" {
		resolution = Refund
		if status == checkout.StatusAuthorized && captured == 0 {
			resolution = Cancel
		}
	}
	d.Resolution = resolution
	if resolution == Cancel {
		return s.checkout.Cancel(tx, d.MerchantID, d.OrderID)
	}
	left := captured - refunded
	if amount > left {
		return apperr.BadField("amount", "must be at most %d, what is captured and not yet refunded", left)
	}
	full := amount == 0
	if full {
		amount = left
	}
	if amount > 0 {
		if _, err := s.checkout.Refund(tx, d.MerchantID, d.OrderID, checkout.RefundRequest{RefundedAmount: amount, Description: "Dispute " + d.Reference}); err != nil {
			return err
		}
		d.Refunded += amount
	}
	if full && (status == checkout.StatusPartCaptured || (status == checkout.StatusAuthorized && captured > 0)) {
		return s.checkout.ReleaseRemaining(tx, d.MerchantID, d.OrderID)
	}
	return nil
}

// close closes the dispute with outcome, ends its hold on the plan (which
// resumes unless a return or a fraud case still holds it; its due dates
// stay moved), tells the merchant (an e-mail and the dispute.closed
// webhook) and the consumer (an e-mail with the outcome and what happens
// next), and records the decision on the
// timeline and in the audit log.
func (s *Service) close(tx *store.Tx, actor string, d Dispute, outcome Outcome, reason string) (Dispute, error) {
	now := tx.Now
	d.Status, d.Outcome = Closed, outcome
	d.DecidedAt, d.DecidedBy, d.DecisionReason = &now, actor, reason
	if err := d.save(tx); err != nil {
		return Dispute{}, err
	}
	if err := s.resume(tx, d); err != nil {
		return Dispute{}, err
	}
	if err := s.addEvent(tx, d, actor, EventDecided, ""); err != nil {
		return Dispute{}, err
	}
	if err := s.mailMerchant(tx, d, "dispute.mail.decided"); err != nil {
		return Dispute{}, err
	}
	if _, err := notify.Enqueue(tx, d.MerchantID, d.OrderID, WebhookClosed, "", closedBody(d, tx.Now)); err != nil {
		return Dispute{}, err
	}
	kind := mailLost
	if outcome == ConsumerWon {
		kind = mailWon
		if actor == d.responder {
			kind = mailAccepted
		}
	}
	if err := s.mailConsumer(tx, d, kind); err != nil {
		return Dispute{}, err
	}
	if _, err := audit.Append(tx, actor, ActionDecided, d.OrderID, map[string]any{"dispute_id": d.ID, "outcome": outcome,
		"resolution": d.Resolution, "refunded": d.Refunded, "currency": d.Currency, "reason": reason}); err != nil {
		return Dispute{}, err
	}
	return s.open(tx, d)
}
