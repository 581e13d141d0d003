package consumerapp

import (
	"strconv"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/repayment"
)

// badge is a status as a page shows it: a catalog key and a badge colour
// (info, success, warning, error, or "" for a neutral one).
type badge struct {
	Key   string
	Class string
}

// methodKey is the catalog key naming a checkout payment method category.
func methodKey(category string) string {
	switch category {
	case repayment.CategoryPayNow, repayment.CategoryPayLater, repayment.CategoryPayIn3, repayment.CategoryFinancing:
		return "consumer.method." + category
	}
	return "consumer.method.other"
}

// owed is what the consumer still has to pay on a plan.
func owed(pl repayment.Plan) int64 { return max(0, pl.Outstanding-pl.Credit) }

// pendingPayment is the consumer's payment on its way through the rail, if
// any (a plan has at most one).
func pendingPayment(pl repayment.Plan) *repayment.Receipt {
	for i, r := range pl.Receipts {
		if r.Kind == repayment.KindPayment && r.Status == repayment.PaymentPending {
			return &pl.Receipts[i]
		}
	}
	return nil
}

// unpaid is what is left to pay of an instalment.
func unpaid(in repayment.Installment) int64 { return max(0, in.Amount-in.Paid) }

// overdue reports whether an instalment is unpaid after its due date.
func overdue(in repayment.Installment, today time.Time) bool {
	return unpaid(in) > 0 && in.Due.Before(today)
}

// planBadge sums up a plan for the purchases list and the order page.
func planBadge(pl repayment.Plan, today time.Time) badge {
	late := false
	for _, in := range pl.Installments {
		late = late || overdue(in, today)
	}
	switch {
	case len(pl.Installments) == 0 && (pl.OrderStatus == checkout.StatusCancelled || pl.OrderStatus == checkout.StatusExpired):
		return badge{"consumer.status.cancelled", ""}
	case pendingPayment(pl) != nil:
		return badge{"consumer.status.processing", "info"}
	case late:
		return badge{"status.overdue", "error"}
	case pl.PausedUntil != nil && owed(pl) > 0:
		return badge{"consumer.status.paused", "warning"}
	case len(pl.Installments) == 0:
		return badge{"consumer.status.awaiting_shipment", "info"}
	case owed(pl) > 0:
		return badge{"consumer.status.open", "info"}
	case pl.Total == 0:
		return badge{"consumer.status.closed", ""}
	}
	return badge{"status.paid", "success"}
}

// installmentBadge is an instalment's paid, due or overdue badge.
func installmentBadge(in repayment.Installment, today time.Time) badge {
	switch {
	case unpaid(in) == 0:
		return badge{"status.paid", "success"}
	case overdue(in, today):
		return badge{"status.overdue", "error"}
	}
	return badge{"status.due", "info"}
}

// receiptBadge is a payment's or payout's status.
func receiptBadge(status string) badge {
	switch status {
	case repayment.PaymentSettled:
		return badge{"consumer.receipt.status.settled", "success"}
	case repayment.PaymentFailed:
		return badge{"consumer.receipt.status.failed", "error"}
	}
	return badge{"consumer.receipt.status.pending", "info"}
}

// receiptKey is the catalog key describing what a payment or payout was for.
func receiptKey(r repayment.Receipt) string {
	if r.Kind == repayment.KindPayout {
		return "consumer.receipt.purpose.payout"
	}
	switch r.Purpose {
	case repayment.PurposePayNow, repayment.PurposeInstallment, repayment.PurposePayAll:
		return "consumer.receipt.purpose." + r.Purpose
	}
	return "consumer.receipt.purpose.other"
}

// percent writes basis points as a percentage number in lang, with two
// decimals: 1995 is "19.95" in English and "19,95" in Danish, Dutch and
// Swedish.
func percent(lang i18n.Lang, bp int64) string {
	sign := ""
	if bp < 0 {
		sign, bp = "-", -bp
	}
	sep := ","
	if lang == i18n.English {
		sep = "."
	}
	frac := strconv.FormatInt(bp%100, 10)
	if len(frac) < 2 {
		frac = "0" + frac
	}
	return sign + strconv.FormatInt(bp/100, 10) + sep + frac
}

// today is the current date, as due dates are written.
func (p *Pages) today() time.Time { return plan.Date(p.cfg.Clock.Now().UTC()) }

// errCode is the apperr code of err, or "" when err is nil.
func errCode(err error) string {
	if err == nil {
		return ""
	}
	return apperr.Code(err)
}
