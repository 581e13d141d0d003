package fraudcase

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/risk/record"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// File is everything an investigator reads about a case: the case, the
// order, its risk signals, the attachments and the timeline.
type File struct {
	Case        Case
	Order       OrderFacts
	Signals     Signals
	Attachments []Attachment
	Timeline    []Event
}

// OrderFacts is the disputed order as the case file shows it, with the
// addresses given at purchase.
type OrderFacts struct {
	ID              string                  `json:"id"`
	Reference       string                  `json:"reference"`
	MerchantID      string                  `json:"merchant_id"`
	MerchantName    string                  `json:"merchant"`
	Status          string                  `json:"status"`
	FraudStatus     string                  `json:"fraud_status"`
	PaymentMethod   string                  `json:"payment_method"`
	Country         string                  `json:"purchase_country"`
	Currency        string                  `json:"currency"`
	Amount          int64                   `json:"order_amount"`
	TaxAmount       int64                   `json:"order_tax_amount"`
	Captured        int64                   `json:"captured_amount"`
	Refunded        int64                   `json:"refunded_amount"`
	CreatedAt       time.Time               `json:"created_at"`
	ExpiresAt       string                  `json:"expires_at"`
	Items           []Item                  `json:"items"`
	BillingAddress  *checkout.Address       `json:"billing_address,omitempty"`
	ShippingAddress *checkout.Address       `json:"shipping_address,omitempty"`
	Shipping        []checkout.ShippingInfo `json:"shipping_info"`
}

// Item is an order line.
type Item struct {
	Reference   string `json:"reference,omitempty"`
	Name        string `json:"name"`
	Quantity    int64  `json:"quantity"`
	UnitPrice   int64  `json:"unit_price"`
	TotalAmount int64  `json:"total_amount"`
}

// Signals are the order's risk signals: its automated decision records
// (codes and the model's factors only) and its post-approval review.
type Signals struct {
	Decisions []DecisionSignal `json:"decisions"`
	Review    *ReviewSignal    `json:"post_approval_review,omitempty"`
}

// DecisionSignal is one automated decision record of the order.
type DecisionSignal struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`
	Signal  string    `json:"signal,omitempty"`
	Outcome string    `json:"outcome"`
	Reasons []string  `json:"reasons"`
	// Score is the fraud model's score, 0..1.
	Score   float64  `json:"score"`
	Factors []string `json:"factors"`
}

// ReviewSignal is the order's post-approval review: its status, the
// customer's answer code and its signals (kind and detail code; the orders
// they came from are other people's and left out).
type ReviewSignal struct {
	OpenedAt time.Time    `json:"opened_at"`
	Status   string       `json:"status"`
	Answer   string       `json:"answer,omitempty"`
	Signals  []ReviewMark `json:"signals"`
}

// ReviewMark is one signal of a post-approval review.
type ReviewMark struct {
	Kind   string    `json:"kind"`
	Detail string    `json:"detail,omitempty"`
	At     time.Time `json:"at"`
}

// Event is one entry of a case's timeline, with what was written opened.
type Event struct {
	ID        string
	At        time.Time
	Actor     string
	Role      string
	Kind      EventKind
	Text      string
	Outcome   Outcome
	RequestID string
	Expires   *time.Time
	// Unreadable: the person was erased and the text is gone.
	Unreadable bool
}

// Get returns a case's file for a member of staff who works cases; the
// view is audited (ActionViewed). Errors: FORBIDDEN, NOT_FOUND.
func (s *Service) Get(ctx context.Context, st account.Staff, id string) (File, error) {
	return s.file(ctx, st, id, ActionViewed, "page")
}

// file reads a case's file and audits the reading as action.
func (s *Service) file(ctx context.Context, st account.Staff, id, action, what string) (File, error) {
	if !MayWork(st.Role) {
		return File{}, errForbidden
	}
	var c Case
	if err := s.cfg.DB.Read(ctx, func(tx *store.Tx) (err error) {
		c, err = load(tx, id)
		return err
	}); err != nil {
		return File{}, err
	}
	facts, err := s.orderFacts(ctx, c)
	if err != nil {
		return File{}, err
	}
	f := File{Case: c, Order: facts}
	err = s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		if f.Signals, err = s.signals(tx, c.OrderID); err != nil {
			return err
		}
		f.Attachments = []Attachment{}
		if s.Attachments != nil {
			if f.Attachments, err = s.Attachments(tx, c.OrderID); err != nil {
				return err
			}
		}
		if f.Timeline, err = s.timeline(tx, c); err != nil {
			return err
		}
		_, err := audit.Append(tx, "staff:"+st.ID, action, c.OrderID, map[string]string{"case_id": c.ID, "order_id": c.OrderID, "what": what})
		return err
	})
	return f, err
}

// orderFacts reads the order through checkout, with the addresses given at
// purchase.
func (s *Service) orderFacts(ctx context.Context, c Case) (OrderFacts, error) {
	ri, err := s.cfg.Checkout.ReviewOrder(ctx, c.OrderID)
	if err != nil {
		return OrderFacts{}, err
	}
	o, err := s.cfg.Checkout.GetOrder(ctx, c.MerchantID, c.OrderID)
	if err != nil {
		return OrderFacts{}, err
	}
	f := OrderFacts{
		ID: o.OrderID, Reference: ri.Reference, MerchantID: c.MerchantID, MerchantName: ri.MerchantName, Status: o.Status,
		FraudStatus: o.FraudStatus, PaymentMethod: ri.PaymentMethod, Country: o.PurchaseCountry, Currency: o.PurchaseCurrency,
		Amount: o.OrderAmount, TaxAmount: o.OrderTaxAmount, Captured: o.CapturedAmount, Refunded: o.RefundedAmount,
		CreatedAt: ri.CreatedAt, ExpiresAt: o.ExpiresAt, Items: []Item{}, Shipping: o.ShippingInfo,
		BillingAddress: o.BillingAddress, ShippingAddress: o.ShippingAddress,
	}
	if f.Shipping == nil {
		f.Shipping = []checkout.ShippingInfo{}
	}
	for _, l := range o.OrderLines {
		f.Items = append(f.Items, Item{Reference: l.Reference, Name: l.Name, Quantity: l.Quantity, UnitPrice: l.UnitPrice, TotalAmount: l.TotalAmount})
	}
	return f, nil
}

// signals reads the order's decision records and post-approval review,
// codes only.
func (s *Service) signals(tx *store.Tx, orderID string) (Signals, error) {
	out := Signals{Decisions: []DecisionSignal{}}
	recs, err := record.ForOrder(tx, orderID)
	if err != nil {
		return out, err
	}
	for _, a := range recs {
		d := DecisionSignal{At: a.At, Kind: a.Kind, Signal: a.Signal, Outcome: a.Decision.Outcome, Reasons: a.Decision.Reasons,
			Score: a.Decision.Score, Factors: []string{}}
		if d.Reasons == nil {
			d.Reasons = []string{}
		}
		for _, f := range a.Decision.Factors {
			d.Factors = append(d.Factors, f.Name)
		}
		out.Decisions = append(out.Decisions, d)
	}
	if s.cfg.Reviews == nil {
		return out, nil
	}
	r, ok, err := s.cfg.Reviews.ForOrder(tx, orderID)
	if err != nil || !ok {
		return out, err
	}
	rv := &ReviewSignal{OpenedAt: r.OpenedAt, Status: string(r.Status), Answer: r.Answer, Signals: []ReviewMark{}}
	for _, m := range r.Signals {
		rv.Signals = append(rv.Signals, ReviewMark{Kind: string(m.Kind), Detail: m.Detail, At: m.At})
	}
	out.Review = rv
	return out, nil
}

// timeline reads the case's events, oldest first, with their texts opened.
func (s *Service) timeline(tx *store.Tx, c Case) ([]Event, error) {
	rows, err := tx.Query(`SELECT id, at, actor, actor_role, kind, body, outcome, request_id, expires_at FROM fraud_case_events
		WHERE case_id = $1 ORDER BY at, id`, c.ID)
	if err != nil {
		return nil, err
	}
	type raw struct {
		e      Event
		sealed string
	}
	var all []raw
	for rows.Next() {
		var (
			r             raw
			at            int64
			kind, outcome string
			expires       sql.NullInt64
		)
		if err := rows.Scan(&r.e.ID, &at, &r.e.Actor, &r.e.Role, &kind, &r.sealed, &outcome, &r.e.RequestID, &expires); err != nil {
			rows.Close()
			return nil, err
		}
		r.e.At, r.e.Kind, r.e.Outcome = store.FromMicros(at), EventKind(kind), Outcome(outcome)
		if expires.Valid {
			t := store.FromMicros(expires.Int64)
			r.e.Expires = &t
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, err
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	out := make([]Event, 0, len(all))
	for _, r := range all {
		if r.sealed != "" {
			text, err := s.cfg.Vault.OpenString(tx, c.PersonID, ContextBody, r.sealed)
			switch {
			case errors.Is(err, vault.ErrShredded):
				r.e.Unreadable = true
			case err != nil:
				return nil, err
			default:
				r.e.Text = text
			}
		}
		out = append(out, r.e)
	}
	return out, nil
}

// Export is the case file handed to the police: the order, its signals,
// the merchant's answers and replies, and the timeline with the actors'
// roles. It holds nothing about other people.
type Export struct {
	CaseID      string        `json:"case_id"`
	Status      string        `json:"status"`
	Outcome     string        `json:"outcome,omitempty"`
	Channel     string        `json:"opened_through"`
	OpenedAt    time.Time     `json:"opened_at"`
	ClosedAt    *time.Time    `json:"closed_at,omitempty"`
	GeneratedAt time.Time     `json:"generated_at"`
	Order       OrderFacts    `json:"order"`
	Signals     Signals       `json:"signals"`
	Attachments []Attachment  `json:"attachments"`
	Timeline    []ExportEntry `json:"timeline"`
}

// ExportEntry is one timeline entry of the export.
type ExportEntry struct {
	At      time.Time `json:"at"`
	Role    string    `json:"actor_role"`
	Action  string    `json:"action"`
	Text    string    `json:"text,omitempty"`
	Outcome string    `json:"outcome,omitempty"`
}

// Export returns the case file for a police report; the export is audited
// (ActionExported, with format "json" or "html"). Errors: FORBIDDEN,
// NOT_FOUND, BAD_VALUE (format).
func (s *Service) Export(ctx context.Context, st account.Staff, id, format string) (Export, error) {
	if format != "json" && format != "html" {
		return Export{}, apperr.BadField("format", "must be json or html")
	}
	f, err := s.file(ctx, st, id, ActionExported, format)
	if err != nil {
		return Export{}, err
	}
	x := Export{
		CaseID: f.Case.ID, Status: string(f.Case.Status), Outcome: string(f.Case.Outcome), Channel: string(f.Case.Channel),
		OpenedAt: f.Case.OpenedAt, ClosedAt: f.Case.ClosedAt, GeneratedAt: s.cfg.DB.Clock.Now().UTC(),
		Order: f.Order, Signals: f.Signals, Attachments: f.Attachments, Timeline: []ExportEntry{},
	}
	for _, e := range f.Timeline {
		x.Timeline = append(x.Timeline, ExportEntry{At: e.At, Role: e.Role, Action: string(e.Kind), Text: e.Text, Outcome: string(e.Outcome)})
	}
	return x, nil
}
