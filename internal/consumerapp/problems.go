package consumerapp

import (
	"net/http"
	"time"

	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/returns"
)

// orderProblems is what an order's page shows about its disputes, returns
// and the money paid back on it.
type orderProblems struct {
	// ReportURL is the problem form; empty when the app takes no disputes
	// or one is live.
	ReportURL string
	Disputes  []disputeRow
	// ReturnURL is the return form; empty when the app takes no returns,
	// one is live or nothing was sent.
	ReturnURL string
	Returns   []returnRow
	// InviteURL is the problem form with "returned but not refunded"
	// chosen, after a return's pause ended without a refund.
	InviteURL string
	Payouts   []receiptRow
	// Held is whether a live dispute or return holds the payments; NextDue
	// is the (moved) due date of the next payment then.
	Held    bool
	NextDue *time.Time
}

// problemsOf builds what an order's page shows about its disputes and
// returns; nil when the app takes neither.
func (p *Pages) problemsOf(r *http.Request, cv consumerView, pl repayment.Plan) (*orderProblems, error) {
	if p.cfg.Disputes == nil && p.cfg.Returns == nil {
		return nil, nil
	}
	op := &orderProblems{}
	var (
		disputes []dispute.Dispute
		live     bool
	)
	if p.cfg.Disputes != nil {
		var err error
		if op.Disputes, disputes, live, err = p.disputesOf(r, cv, pl.OrderID); err != nil {
			return nil, err
		}
		if !live {
			op.ReportURL = problemPath(pl.OrderID, "")
		}
		op.Held = live
	}
	if p.cfg.Returns != nil {
		rs, err := p.cfg.Returns.ForOrder(r.Context(), cv.Consumer.PersonID, pl.OrderID)
		if err != nil {
			return nil, err
		}
		liveReturn := false
		for _, ret := range rs {
			op.Returns = append(op.Returns, returnRowOf(pl.OrderID, ret))
			liveReturn = liveReturn || ret.Status.Live()
		}
		if !liveReturn && len(pl.Installments) > 0 {
			op.ReturnURL = returnFormPath(pl.OrderID)
		}
		if p.cfg.Disputes != nil && len(rs) > 0 && invited(rs[0], disputes, live) {
			op.InviteURL = problemPath(pl.OrderID, dispute.ReturnedNotRefunded)
		}
		op.Held = op.Held || liveReturn
	}
	for _, rc := range pl.Receipts {
		if rc.Kind == repayment.KindPayout {
			op.Payouts = append(op.Payouts, receiptRowOf(rc))
		}
	}
	if op.Held && pl.Next != nil && owed(pl) > 0 {
		due := pl.Next.Due
		op.NextDue = &due
	}
	return op, nil
}

// invited reports whether the consumer is invited to dispute a return:
// its pause ended without a refund, and no dispute is live or was opened
// since.
func invited(ret returns.Return, disputes []dispute.Dispute, live bool) bool {
	if ret.Status != returns.Unrefunded || live || ret.ClosedAt == nil {
		return false
	}
	for _, d := range disputes {
		if !d.CreatedAt.Before(*ret.ClosedAt) {
			return false
		}
	}
	return true
}
