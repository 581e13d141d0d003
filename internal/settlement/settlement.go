// Package settlement owns settlement runs (P8): per merchant, currency and
// period [start, end) it collects the captures (sales) and refunds not yet
// settled, charges fees and the VAT on them, pays out what is left and carries
// a negative result to the next settlement. It owns the tables settlements,
// settlement_lines and merchant_fee_terms.
//
// Rules:
//   - A settlement is written closed, in one transaction together with its
//     lines, its ledger postings (fees, VAT, payout) and its settlement.ready
//     webhook event. There is no update path: corrections land in the next
//     settlement.
//   - Every line has a kind and a source id, unique together, so a capture, a
//     refund, a fee or a carried balance is settled exactly once; running the
//     same period again returns the existing settlement and changes nothing.
//   - An item belongs to the period its time falls in, start inclusive and end
//     exclusive. A run also sweeps in unsettled items up to Lookback before the
//     period start (for example a capture whose transaction committed after
//     its period had been settled), so nothing is left behind.
//   - Fees are charged per capture: PercentBP of the captured amount (rounded
//     half up) plus FixedMinor once per order, at its first settled capture.
//     VAT is charged per fee line at VATRateBP, rounded half up. Refunds do not
//     give fees back.
//   - A fraud write-off (checkout's FraudWriteOff: a refund of kind fraud) is
//     not a refund: it settles as a fraud_return line of minus the returned
//     amount and, when the merchant met the fraud policy, a fraud_policy line
//     of plus what the policy pays back (the returned amount excluding VAT),
//     both with the refund as their source. The money moved in the ledger at
//     the write-off; the settlement only nets it into the payout.
//   - net = sales - refunds - fees - fee VAT - fraud returns + fraud policy +
//     brought forward. A positive net is paid out; a negative net pays
//     nothing and is carried: the settlement gets a carried_forward line of
//     -net (so its lines add up to the payout, zero) and the merchant's next
//     settlement in that currency a brought_forward line of net.
//   - Days are UTC days.
package settlement

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/money"
	"github.com/tillit/tillit/internal/notify"
	"github.com/tillit/tillit/internal/store"
)

// Line kinds.
const (
	// KindSale is a capture settled to the merchant (amount > 0).
	KindSale = "sale"
	// KindRefund is a refund taken back from the merchant (amount < 0).
	KindRefund = "refund"
	// KindFee is Tillit's fee for a capture (amount < 0; vat holds the VAT on it).
	KindFee = "fee"
	// KindFeeVAT is the VAT on one fee line (amount < 0).
	KindFeeVAT = "fee_vat"
	// KindFraudReturn is a fraudulent order's claim taken back from the
	// merchant ("Return (fraud)"; amount < 0; source is the fraud refund).
	KindFraudReturn = "fraud_return"
	// KindFraudPolicy is what the fraud policy pays the merchant back, the
	// returned amount excluding VAT ("Fraud policy"; amount > 0; vat holds
	// the VAT left out; source is the fraud refund).
	KindFraudPolicy = "fraud_policy"
	// KindBroughtForward is a negative net carried in from an earlier
	// settlement (amount < 0; source is that settlement).
	KindBroughtForward = "brought_forward"
	// KindCarriedForward closes a negative settlement: amount is -net (> 0),
	// so the lines add up to the payout, zero (source is the settlement itself).
	KindCarriedForward = "carried_forward"
)

// StatusClosed is the only settlement status: settlements are written closed.
const StatusClosed = "closed"

// EventReady is the webhook event type sent when a settlement is closed.
const EventReady = "settlement.ready"

// Day is the default settlement period.
const Day = 24 * time.Hour

// Lookback is how far before a period's start a run sweeps in items that no
// earlier settlement took.
const Lookback = 31 * Day

// Default fee terms, used for merchants without a merchant_fee_terms row.
const (
	DefaultPercentBP  = 249
	DefaultFixedMinor = 0
	DefaultVATRateBP  = 2500
)

// FeeTerms are what a merchant pays per capture.
type FeeTerms struct {
	// PercentBP is the fee in basis points of the captured amount.
	PercentBP int64 `json:"percent_bp"`
	// FixedMinor is a fixed fee in minor units, charged once per order.
	FixedMinor int64 `json:"fixed_minor"`
	// VATRateBP is the VAT rate on fees in basis points.
	VATRateBP int64 `json:"vat_rate_bp"`
}

// DefaultFeeTerms are the terms of a merchant without its own.
var DefaultFeeTerms = FeeTerms{PercentBP: DefaultPercentBP, FixedMinor: DefaultFixedMinor, VATRateBP: DefaultVATRateBP}

// Settlement is one closed settlement run. Amounts are minor units of
// Currency; Sales, Refunds, Fees, FeeVAT, FraudReturns, FraudPolicy, Payout
// and Carried are magnitudes, BroughtForward (<= 0) and Net are signed.
type Settlement struct {
	ID             string    `json:"settlement_id"`
	MerchantID     string    `json:"merchant_id"`
	Currency       string    `json:"currency"`
	PeriodStart    time.Time `json:"period_start"`
	PeriodEnd      time.Time `json:"period_end"`
	Status         string    `json:"status"`
	Sales          int64     `json:"sales"`
	Refunds        int64     `json:"refunds"`
	Fees           int64     `json:"fees"`
	FeeVAT         int64     `json:"fee_vat"`
	FraudReturns   int64     `json:"fraud_returns"`
	FraudPolicy    int64     `json:"fraud_policy"`
	BroughtForward int64     `json:"brought_forward"`
	Net            int64     `json:"net"`
	Payout         int64     `json:"payout"`
	Carried        int64     `json:"carried"`
	Terms          FeeTerms  `json:"fee_terms"`
	CreatedAt      time.Time `json:"created_at"`
}

// Line is one settled item. Amount is signed: what the line adds to the payout.
type Line struct {
	ID           string    `json:"line_id"`
	SettlementID string    `json:"settlement_id"`
	Kind         string    `json:"kind"`
	SourceID     string    `json:"source_id"`
	OrderID      string    `json:"order_id"`
	Amount       int64     `json:"amount"`
	VAT          int64     `json:"vat"`
	OccurredAt   time.Time `json:"occurred_at"`
}

// GetFeeTerms returns a merchant's fee terms, or DefaultFeeTerms when it has
// none of its own.
func GetFeeTerms(tx *store.Tx, merchantID string) (FeeTerms, error) {
	var t FeeTerms
	err := tx.QueryRow(`SELECT percent_bp, fixed_minor, vat_rate_bp FROM merchant_fee_terms WHERE merchant_id = $1`, merchantID).
		Scan(&t.PercentBP, &t.FixedMinor, &t.VATRateBP)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultFeeTerms, nil
	}
	return t, err
}

// SetFeeTerms stores a merchant's fee terms; they apply to settlements run
// from then on. Errors: BAD_VALUE for negative values or rates above 100%,
// NOT_FOUND for an unknown merchant.
func SetFeeTerms(ctx context.Context, db *store.DB, merchantID string, t FeeTerms) error {
	switch {
	case t.PercentBP < 0 || t.PercentBP > 10000:
		return apperr.BadField("percent_bp", "must be between 0 and 10000")
	case t.FixedMinor < 0 || t.FixedMinor > money.MaxAmount:
		return apperr.BadField("fixed_minor", "must be between 0 and %d", money.MaxAmount)
	case t.VATRateBP < 0 || t.VATRateBP > 10000:
		return apperr.BadField("vat_rate_bp", "must be between 0 and 10000")
	}
	return db.Write(ctx, func(tx *store.Tx) error {
		if _, err := loadMerchantCurrency(tx, merchantID); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO merchant_fee_terms (merchant_id, percent_bp, fixed_minor, vat_rate_bp, updated_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (merchant_id) DO UPDATE SET percent_bp = excluded.percent_bp, fixed_minor = excluded.fixed_minor,
    vat_rate_bp = excluded.vat_rate_bp, updated_at = excluded.updated_at`,
			merchantID, t.PercentBP, t.FixedMinor, t.VATRateBP, store.Micros(tx.Now))
		return err
	})
}

func loadMerchantCurrency(tx *store.Tx, merchantID string) (string, error) {
	var cur string
	err := tx.QueryRow(`SELECT settlement_currency FROM merchants WHERE id = $1`, merchantID).Scan(&cur)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.New(apperr.NotFound, "No such merchant.")
	}
	return cur, err
}

// DayPeriod returns the UTC day containing t as [start, end).
func DayPeriod(t time.Time) (time.Time, time.Time) {
	start := t.UTC().Truncate(Day)
	return start, start.Add(Day)
}

// Run settles a merchant's period [periodStart, periodEnd) in every currency
// it has unsettled items or a carried balance in, and always in its settlement
// currency (possibly an empty settlement, which still closes the period). It
// returns the settlement in the merchant's settlement currency; List shows the
// others. Running a period that is already settled returns the existing
// settlement and changes nothing. Errors: NOT_FOUND (merchant), BAD_VALUE
// (empty period), NOT_ALLOWED (the period overlaps a different settled one).
func Run(ctx context.Context, db *store.DB, merchantID string, periodStart, periodEnd time.Time) (Settlement, error) {
	all, err := RunAll(ctx, db, merchantID, periodStart, periodEnd)
	if err != nil {
		return Settlement{}, err
	}
	return all[0], nil
}

// RunAll is Run returning every settlement of the period, the merchant's
// settlement currency first.
func RunAll(ctx context.Context, db *store.DB, merchantID string, periodStart, periodEnd time.Time) ([]Settlement, error) {
	start, end := periodStart.UTC().Truncate(time.Microsecond), periodEnd.UTC().Truncate(time.Microsecond)
	if !end.After(start) {
		return nil, apperr.BadField("period_end", "must be after period_start")
	}
	var out []Settlement
	err := db.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = runTx(tx, merchantID, start, end)
		return err
	})
	if err != nil && store.IsUniqueViolation(err) {
		// A concurrent run closed the same period first: answer with its result.
		var existing []Settlement
		if rerr := db.Read(ctx, func(tx *store.Tx) error {
			var err error
			existing, err = periodSettlements(tx, merchantID, start, end)
			return err
		}); rerr == nil && len(existing) > 0 {
			return existing, nil
		}
	}
	return out, err
}

// runTx does Run's work inside tx.
func runTx(tx *store.Tx, merchantID string, start, end time.Time) ([]Settlement, error) {
	mainCurrency, err := loadMerchantCurrency(tx, merchantID)
	if err != nil {
		return nil, err
	}
	existing, err := periodSettlements(tx, merchantID, start, end)
	if err != nil {
		return nil, err
	}
	if len(existing) > 0 {
		return existing, nil
	}
	var overlapping int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM settlements WHERE merchant_id = $1 AND period_start < $2 AND period_end > $3`,
		merchantID, store.Micros(end), store.Micros(start)).Scan(&overlapping); err != nil {
		return nil, err
	}
	if overlapping > 0 {
		return nil, apperr.New(apperr.NotAllowed, "The period %s to %s overlaps a settled period.", start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	terms, err := GetFeeTerms(tx, merchantID)
	if err != nil {
		return nil, err
	}
	items, err := unsettledItems(tx, merchantID, start.Add(-Lookback), end)
	if err != nil {
		return nil, err
	}
	carries, err := openCarries(tx, merchantID)
	if err != nil {
		return nil, err
	}
	byCurrency := map[string]*draft{mainCurrency: {currency: mainCurrency}}
	get := func(cur string) *draft {
		if byCurrency[cur] == nil {
			byCurrency[cur] = &draft{currency: cur}
		}
		return byCurrency[cur]
	}
	for _, it := range items {
		get(it.currency).items = append(get(it.currency).items, it)
	}
	for _, c := range carries {
		get(c.currency).carries = append(get(c.currency).carries, c)
	}
	currencies := make([]string, 0, len(byCurrency))
	for cur := range byCurrency {
		if cur != mainCurrency {
			currencies = append(currencies, cur)
		}
	}
	sort.Strings(currencies)
	currencies = append([]string{mainCurrency}, currencies...)
	out := make([]Settlement, 0, len(currencies))
	feeCharged := map[string]bool{} // orders whose fixed fee this run charged
	for _, cur := range currencies {
		s, err := byCurrency[cur].close(tx, merchantID, start, end, terms, feeCharged)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// item is an unsettled capture, refund or fraud write-off.
type item struct {
	kind, id, orderID, currency string
	amount                      int64
	// policy is a fraud write-off's fraud policy amount.
	policy int64
	at     int64
}

// unsettledItems returns the merchant's captures, refunds and fraud
// write-offs in [from, to) that no settlement line took yet, oldest first.
func unsettledItems(tx *store.Tx, merchantID string, from, to time.Time) ([]item, error) {
	var out []item
	queries := []struct{ kind, query string }{
		{KindSale, `SELECT c.id, c.order_id, o.purchase_currency, c.captured_amount, 0, c.captured_at
			FROM captures c JOIN orders o ON o.id = c.order_id
			WHERE o.merchant_id = $1 AND c.captured_at >= $2 AND c.captured_at < $3
			  AND NOT EXISTS (SELECT 1 FROM settlement_lines l WHERE l.kind = 'sale' AND l.source_id = c.id)`},
		{KindRefund, `SELECT r.id, r.order_id, o.purchase_currency, r.refunded_amount, 0, r.refunded_at
			FROM refunds r JOIN orders o ON o.id = r.order_id
			WHERE o.merchant_id = $1 AND r.refunded_at >= $2 AND r.refunded_at < $3 AND r.kind <> 'fraud'
			  AND NOT EXISTS (SELECT 1 FROM settlement_lines l WHERE l.kind = 'refund' AND l.source_id = r.id)`},
		{KindFraudReturn, `SELECT r.id, r.order_id, o.purchase_currency, r.refunded_amount, r.fraud_policy_amount, r.refunded_at
			FROM refunds r JOIN orders o ON o.id = r.order_id
			WHERE o.merchant_id = $1 AND r.refunded_at >= $2 AND r.refunded_at < $3 AND r.kind = 'fraud'
			  AND NOT EXISTS (SELECT 1 FROM settlement_lines l WHERE l.kind = 'fraud_return' AND l.source_id = r.id)`},
	}
	for _, q := range queries {
		rows, err := tx.Query(q.query, merchantID, store.Micros(from), store.Micros(to))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			it := item{kind: q.kind}
			if err := rows.Scan(&it.id, &it.orderID, &it.currency, &it.amount, &it.policy, &it.at); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, it)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].at != out[j].at {
			return out[i].at < out[j].at
		}
		return out[i].id < out[j].id
	})
	return out, nil
}

// carry is an earlier settlement's negative net not yet brought forward.
type carry struct {
	settlementID, currency string
	amount                 int64 // the carried magnitude (> 0)
}

func openCarries(tx *store.Tx, merchantID string) ([]carry, error) {
	rows, err := tx.Query(`SELECT s.id, s.currency, s.carried FROM settlements s
		WHERE s.merchant_id = $1 AND s.carried > 0
		  AND NOT EXISTS (SELECT 1 FROM settlement_lines l WHERE l.kind = 'brought_forward' AND l.source_id = s.id)
		ORDER BY s.period_start, s.id`, merchantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []carry
	for rows.Next() {
		var c carry
		if err := rows.Scan(&c.settlementID, &c.currency, &c.amount); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// draft is a settlement being built for one currency.
type draft struct {
	currency string
	items    []item
	carries  []carry
}

// percentOf returns amount*bp/10000 rounded half up (amount, bp >= 0).
func percentOf(amount, bp int64) (int64, error) {
	p, err := money.Mul(amount, bp)
	if err != nil {
		return 0, err
	}
	return (p + 5000) / 10000, nil
}

// close computes the lines and totals, writes the settlement, posts it to the
// ledger and records the webhook event.
func (d *draft) close(tx *store.Tx, merchantID string, start, end time.Time, terms FeeTerms, feeCharged map[string]bool) (Settlement, error) {
	s := Settlement{
		ID: ids.New(), MerchantID: merchantID, Currency: d.currency, PeriodStart: start, PeriodEnd: end,
		Status: StatusClosed, Terms: terms, CreatedAt: tx.Now,
	}
	var lines []Line
	add := func(kind, source, orderID string, amount, vat, at int64) {
		lines = append(lines, Line{ID: ids.New(), SettlementID: s.ID, Kind: kind, SourceID: source, OrderID: orderID,
			Amount: amount, VAT: vat, OccurredAt: store.FromMicros(at)})
	}
	sum := func(total *int64, v int64) error {
		var err error
		*total, err = money.Add(*total, v)
		return err
	}
	for _, c := range d.carries {
		add(KindBroughtForward, c.settlementID, "", -c.amount, 0, store.Micros(tx.Now))
		if err := sum(&s.BroughtForward, -c.amount); err != nil {
			return Settlement{}, err
		}
	}
	for _, it := range d.items {
		switch it.kind {
		case KindRefund:
			add(KindRefund, it.id, it.orderID, -it.amount, 0, it.at)
			if err := sum(&s.Refunds, it.amount); err != nil {
				return Settlement{}, err
			}
			continue
		case KindFraudReturn:
			add(KindFraudReturn, it.id, it.orderID, -it.amount, 0, it.at)
			if err := sum(&s.FraudReturns, it.amount); err != nil {
				return Settlement{}, err
			}
			if it.policy > 0 {
				// vat: the VAT in the returned amount, which the policy
				// does not pay back (informational).
				add(KindFraudPolicy, it.id, it.orderID, it.policy, it.amount-it.policy, it.at)
				if err := sum(&s.FraudPolicy, it.policy); err != nil {
					return Settlement{}, err
				}
			}
			continue
		}
		add(KindSale, it.id, it.orderID, it.amount, 0, it.at)
		if err := sum(&s.Sales, it.amount); err != nil {
			return Settlement{}, err
		}
		fee, err := percentOf(it.amount, terms.PercentBP)
		if err != nil {
			return Settlement{}, err
		}
		if terms.FixedMinor > 0 && !feeCharged[it.orderID] {
			var earlier int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM settlement_lines WHERE order_id = $1 AND kind = 'fee'`, it.orderID).Scan(&earlier); err != nil {
				return Settlement{}, err
			}
			if earlier == 0 {
				fee += terms.FixedMinor
			}
		}
		feeCharged[it.orderID] = true
		if fee == 0 {
			continue
		}
		vat, err := percentOf(fee, terms.VATRateBP)
		if err != nil {
			return Settlement{}, err
		}
		add(KindFee, it.id, it.orderID, -fee, vat, it.at)
		if err := sum(&s.Fees, fee); err != nil {
			return Settlement{}, err
		}
		if vat != 0 {
			add(KindFeeVAT, it.id, it.orderID, -vat, 0, it.at)
			if err := sum(&s.FeeVAT, vat); err != nil {
				return Settlement{}, err
			}
		}
	}
	net, err := netOf(s)
	if err != nil {
		return Settlement{}, err
	}
	s.Net = net
	if net > 0 {
		s.Payout = net
	} else if net < 0 {
		s.Carried = -net
		add(KindCarriedForward, s.ID, "", -net, 0, store.Micros(end))
	}
	if _, err := tx.Exec(`INSERT INTO settlements (id, merchant_id, currency, period_start, period_end, status, sales, refunds, fees, fee_vat,
    brought_forward, net, payout, carried, percent_bp, fixed_minor, vat_rate_bp, created_at, fraud_returns, fraud_policy)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		s.ID, s.MerchantID, s.Currency, store.Micros(start), store.Micros(end), s.Status, s.Sales, s.Refunds, s.Fees, s.FeeVAT,
		s.BroughtForward, s.Net, s.Payout, s.Carried, terms.PercentBP, terms.FixedMinor, terms.VATRateBP, store.Micros(tx.Now),
		s.FraudReturns, s.FraudPolicy); err != nil {
		return Settlement{}, fmt.Errorf("settlement: insert: %w", err)
	}
	for _, l := range lines {
		if _, err := tx.Exec(`INSERT INTO settlement_lines (id, settlement_id, kind, source_id, order_id, amount, vat, occurred_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, l.ID, l.SettlementID, l.Kind, l.SourceID, l.OrderID, l.Amount, l.VAT, store.Micros(l.OccurredAt)); err != nil {
			return Settlement{}, fmt.Errorf("settlement: insert line %s/%s: %w", l.Kind, l.SourceID, err)
		}
	}
	if s.Fees+s.FeeVAT > 0 {
		if err := ledger.SettlementFees(tx, s.ID, merchantID, s.Currency, s.Fees, s.FeeVAT); err != nil {
			return Settlement{}, err
		}
	}
	if s.Payout > 0 {
		if err := ledger.MerchantPayout(tx, s.ID, merchantID, s.Currency, s.Payout); err != nil {
			return Settlement{}, err
		}
	}
	body, err := json.Marshal(readyBody{
		SettlementID: s.ID, MerchantID: merchantID, PeriodStart: start.Format(time.RFC3339Nano), PeriodEnd: end.Format(time.RFC3339Nano),
		Net: s.Net, Currency: s.Currency, EventType: EventReady, EventID: ids.New(),
	})
	if err != nil {
		return Settlement{}, err
	}
	if _, err := notify.Enqueue(tx, merchantID, "", EventReady, "", body); err != nil {
		return Settlement{}, err
	}
	return s, nil
}

// netOf returns sales - refunds - fees - fee VAT - fraud returns + fraud
// policy + brought forward, or ErrOverflow.
func netOf(s Settlement) (int64, error) {
	net := s.BroughtForward
	for _, v := range []int64{s.Sales, -s.Refunds, -s.Fees, -s.FeeVAT, -s.FraudReturns, s.FraudPolicy} {
		var err error
		if net, err = money.Add(net, v); err != nil {
			return 0, err
		}
	}
	return net, nil
}

// readyBody is the body of a settlement.ready webhook event.
type readyBody struct {
	SettlementID string `json:"settlement_id"`
	MerchantID   string `json:"merchant_id"`
	PeriodStart  string `json:"period_start"`
	PeriodEnd    string `json:"period_end"`
	Net          int64  `json:"net"`
	Currency     string `json:"currency"`
	EventType    string `json:"event_type"`
	EventID      string `json:"event_id"`
}

const settlementColumns = `id, merchant_id, currency, period_start, period_end, status, sales, refunds, fees, fee_vat,
    brought_forward, net, payout, carried, percent_bp, fixed_minor, vat_rate_bp, created_at, fraud_returns, fraud_policy`

type scanner interface{ Scan(dest ...any) error }

func scanSettlement(row scanner) (Settlement, error) {
	var (
		s                     Settlement
		start, end, createdAt int64
	)
	err := row.Scan(&s.ID, &s.MerchantID, &s.Currency, &start, &end, &s.Status, &s.Sales, &s.Refunds, &s.Fees, &s.FeeVAT,
		&s.BroughtForward, &s.Net, &s.Payout, &s.Carried, &s.Terms.PercentBP, &s.Terms.FixedMinor, &s.Terms.VATRateBP, &createdAt,
		&s.FraudReturns, &s.FraudPolicy)
	s.PeriodStart, s.PeriodEnd, s.CreatedAt = store.FromMicros(start), store.FromMicros(end), store.FromMicros(createdAt)
	return s, err
}

func querySettlements(tx *store.Tx, where string, args ...any) ([]Settlement, error) {
	rows, err := tx.Query(`SELECT `+settlementColumns+` FROM settlements WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Settlement{}
	for rows.Next() {
		s, err := scanSettlement(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// periodSettlements returns the settlements of exactly this period, the
// merchant's settlement currency first.
func periodSettlements(tx *store.Tx, merchantID string, start, end time.Time) ([]Settlement, error) {
	all, err := querySettlements(tx, `merchant_id = $1 AND period_start = $2 AND period_end = $3 ORDER BY currency`,
		merchantID, store.Micros(start), store.Micros(end))
	if err != nil || len(all) == 0 {
		return all, err
	}
	var main string
	if err := tx.QueryRow(`SELECT settlement_currency FROM merchants WHERE id = $1`, merchantID).Scan(&main); err != nil {
		return nil, err
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Currency == main && all[j].Currency != main })
	return all, nil
}

// Get returns a settlement and its lines (in the order they were written:
// brought forward, then items oldest first with their fees or fraud policy
// line, then carried forward). Errors: NOT_FOUND.
func Get(ctx context.Context, db *store.DB, id string) (Settlement, []Line, error) {
	var (
		s     Settlement
		lines []Line
	)
	err := db.Read(ctx, func(tx *store.Tx) error {
		var err error
		s, err = scanSettlement(tx.QueryRow(`SELECT `+settlementColumns+` FROM settlements WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "No such settlement.")
		}
		if err != nil {
			return err
		}
		lines, err = loadLines(tx, id)
		return err
	})
	return s, lines, err
}

// kindOrder sorts lines of one item: sale, refund or fraud return, then fee
// and its VAT, or the fraud policy line.
const kindOrder = `CASE kind WHEN 'brought_forward' THEN 0 WHEN 'carried_forward' THEN 9 WHEN 'fee' THEN 2 WHEN 'fee_vat' THEN 3 WHEN 'fraud_policy' THEN 2 ELSE 1 END`

func loadLines(tx *store.Tx, settlementID string) ([]Line, error) {
	rows, err := tx.Query(`SELECT id, settlement_id, kind, source_id, order_id, amount, vat, occurred_at FROM settlement_lines
		WHERE settlement_id = $1 ORDER BY CASE kind WHEN 'brought_forward' THEN 0 WHEN 'carried_forward' THEN 2 ELSE 1 END, occurred_at, source_id, `+kindOrder, settlementID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Line{}
	for rows.Next() {
		var (
			l  Line
			at int64
		)
		if err := rows.Scan(&l.ID, &l.SettlementID, &l.Kind, &l.SourceID, &l.OrderID, &l.Amount, &l.VAT, &at); err != nil {
			return nil, err
		}
		l.OccurredAt = store.FromMicros(at)
		out = append(out, l)
	}
	return out, rows.Err()
}

// List returns a merchant's settlements, newest period first.
func List(ctx context.Context, db *store.DB, merchantID string) ([]Settlement, error) {
	var out []Settlement
	err := db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = querySettlements(tx, `merchant_id = $1 ORDER BY period_start DESC, currency`, merchantID)
		return err
	})
	return out, err
}
