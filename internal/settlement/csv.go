package settlement

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"
)

// CSVColumns are the columns CSV writes, in order (documented in
// docs/settlements.md). kind is a line kind (sale, refund, fee, fee_vat,
// fraud_return, fraud_policy, brought_forward, carried_forward). amount is
// signed minor units: the column adds up to the settlement's payout. vat is
// informational and never part of the sum: on fee rows the VAT on the fee
// (also its fee_vat row), on fraud_policy rows the VAT in the returned amount
// that the fraud policy does not pay back.
var CSVColumns = []string{
	"settlement_id", "merchant_id", "currency", "period_start", "period_end",
	"line_id", "kind", "source_id", "order_id", "occurred_at", "amount", "vat",
}

// CSV writes a settlement's lines as CSV with a header row (CSVColumns), one
// row per line, times in RFC 3339 UTC. The settlement columns repeat on every
// row so that files concatenate.
func CSV(w io.Writer, s Settlement, lines []Line) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVColumns); err != nil {
		return err
	}
	for _, l := range lines {
		if err := cw.Write([]string{
			s.ID, s.MerchantID, s.Currency, s.PeriodStart.UTC().Format(time.RFC3339Nano), s.PeriodEnd.UTC().Format(time.RFC3339Nano),
			l.ID, l.Kind, l.SourceID, l.OrderID, l.OccurredAt.UTC().Format(time.RFC3339Nano),
			strconv.FormatInt(l.Amount, 10), strconv.FormatInt(l.VAT, 10),
		}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
