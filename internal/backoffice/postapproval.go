package backoffice

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/risk/history"
	"github.com/tillit/tillit/internal/risk/postapproval"
	"github.com/tillit/tillit/internal/risk/record"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// PostApprovalQueueKey is the key of the security analysts' queue of
// approved orders in review after a new signal (requirements T2, T3),
// highest priority first. Each action on a review is audited by package
// postapproval.
const PostApprovalQueueKey = "post_approval_review"

// addPostApproval adds the queue of post-approval reviews and serves the
// analysts' action on an order's page.
func (p *Pages) addPostApproval(mux *access.Router) {
	svc := p.cfg.Reviews
	p.AddQueue(Queue{
		Key: PostApprovalQueueKey, Title: "riskreview.queue.title", Roles: access.StaffRoles("POST /staff/orders/{id}/review"),
		Count: svc.CountOpen,
		List: func(ctx context.Context, limit int) ([]QueueItem, error) {
			rs, err := svc.List(ctx, limit)
			if err != nil {
				return nil, err
			}
			out := make([]QueueItem, 0, len(rs))
			for _, r := range rs {
				kinds := make([]string, 0, len(r.Signals))
				for _, m := range r.Signals {
					if !slices.Contains(kinds, string(m.Kind)) {
						kinds = append(kinds, string(m.Kind))
					}
				}
				ctxt := r.MerchantName + " · " + strings.Join(kinds, ", ") + fmt.Sprintf(" · %.0f%%", 100*r.Risk())
				if r.Answer != "" {
					ctxt += " · " + r.Answer
				}
				out = append(out, QueueItem{ID: r.OrderID, Label: r.Reference, Context: ctxt, Amount: r.Amount, Currency: r.Currency, Since: r.OpenedAt})
			}
			return out, nil
		},
		ItemURL: func(it QueueItem) string { return orderURL(it.ID) },
	})
	mux.Handle("POST /staff/orders/{id}/review", p.staff(p.actOnReview))
}

// recordRow is an automated decision record on the order page.
type recordRow struct {
	record.Assessment
	Outcome coded
	Reasons []coded
	Signal  coded
}

// ScorePercent is the fraud score in percent.
func (r recordRow) ScorePercent() string {
	return strconv.FormatFloat(100*r.Decision.Score, 'f', 1, 64)
}

// linkedRow is an order sharing a key with the one on the page.
type linkedRow struct {
	OrderID     string
	Reference   string
	Via         coded
	At          time.Time
	FraudStatus coded
}

// reviewView is the order's post-approval review on its page.
type reviewView struct {
	postapproval.Review
	Status  coded
	Signals []markView
	Answer  coded
	// Priority is Review.Priority at the page's time, rounded.
	Priority int64
}

// RiskPercent is the combined risk in percent.
func (r reviewView) RiskPercent() string { return strconv.FormatFloat(100*r.Risk(), 'f', 1, 64) }

// Live reports whether the review waits for an analyst or the customer.
func (r reviewView) Live() bool {
	return r.Status.Code != "" && postapproval.Status(r.Status.Code).Live()
}

// CanContact reports whether the customer may still be asked.
func (r reviewView) CanContact() bool { return r.Review.Status == postapproval.StatusOpen }

// markView is a signal on the order page.
type markView struct {
	postapproval.Mark
	Kind coded
}

// loadRiskParts reads the order's decision records, linked orders and
// post-approval review for its page.
func (p *Pages) loadRiskParts(ctx context.Context, page *orderPage) error {
	return p.cfg.DB.Read(ctx, func(tx *store.Tx) error {
		recs, err := record.ForOrder(tx, page.Order.OrderID)
		if err != nil {
			return err
		}
		page.Records = make([]recordRow, 0, len(recs))
		for _, a := range recs {
			row := recordRow{Assessment: a, Outcome: codedAs("staff.fraud_status.", a.Decision.Outcome), Reasons: []coded{}}
			for _, reason := range a.Decision.Reasons {
				row.Reasons = append(row.Reasons, codedAs("staff.reason.", reason))
			}
			if a.Signal != "" {
				row.Signal = codedAs("riskreview.signal.", a.Signal)
			}
			page.Records = append(page.Records, row)
		}
		links, err := history.Linked(tx, page.Order.OrderID, linkWindow)
		if err != nil {
			return err
		}
		page.Linked = []linkedRow{}
		for _, l := range links {
			row := linkedRow{OrderID: l.OrderID, Via: codedAs("riskreview.via.", l.Via), At: l.At}
			var fraud string
			if err := tx.QueryRow(`SELECT reference, fraud_status FROM orders WHERE id = $1`, l.OrderID).Scan(&row.Reference, &fraud); err != nil {
				return err
			}
			row.FraudStatus = codedAs("staff.fraud_status.", fraud)
			page.Linked = append(page.Linked, row)
		}
		if p.cfg.Reviews == nil {
			return nil
		}
		r, ok, err := p.cfg.Reviews.ForOrder(tx, page.Order.OrderID)
		if err != nil || !ok {
			return err
		}
		v := &reviewView{Review: r, Status: codedAs("riskreview.status.", string(r.Status)), Priority: int64(r.Priority(tx.Now) + 0.5)}
		if r.Answer != "" {
			v.Answer = codedAs("riskreview.answer.", r.Answer)
		}
		for _, m := range r.Signals {
			v.Signals = append(v.Signals, markView{Mark: m, Kind: codedAs("riskreview.signal.", string(m.Kind))})
		}
		page.Review = v
		return nil
	})
}

// linkWindow is how far around the order the page looks for linked orders.
const linkWindow = 30 * 24 * time.Hour

// actOnReview records a security analyst's action on the order's review:
// clear, contact the customer, reject or stop, with a reason, at the
// version they saw.
func (p *Pages) actOnReview(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	action := postapproval.Action(form.Get("action"))
	if !action.Valid() {
		form.AddError("action", "riskreview.order.choose_action")
	}
	form.Required("review_reason")
	form.MaxLength("review_reason", postapproval.MaxReason)
	version, err := strconv.ParseInt(form.Get("version"), 10, 64)
	reviewID := form.Get("review")
	if err != nil || reviewID == "" {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	id := r.PathValue("id")
	if !form.Valid() {
		p.showOrderWith(w, r, v, http.StatusUnprocessableEntity, web.NewForm(nil), form)
		return
	}
	var rv postapproval.Review
	err = p.cfg.DB.Write(r.Context(), func(tx *store.Tx) (err error) {
		rv, err = p.cfg.Reviews.Act(tx, v.Staff, reviewID, version, action, form.Get("review_reason"))
		if err == nil && rv.OrderID != id {
			return apperr.New(apperr.NotFound, "The review is not this order's.")
		}
		return err
	})
	switch apperr.Code(err) {
	case postapproval.CodeChanged:
		web.Flash(w, r, web.FlashWarning, "riskreview.order.changed")
		web.Redirect(w, r, orderURL(id))
		return
	case apperr.NotAllowed:
		web.Flash(w, r, web.FlashWarning, "riskreview.order.not_live")
		web.Redirect(w, r, orderURL(id))
		return
	case apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
		return
	case apperr.Forbidden:
		p.rd.Error(w, r, http.StatusForbidden)
		return
	case apperr.BadValue:
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	if err != nil {
		p.fail(w, r, "act on review", err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "riskreview.order.done."+string(action))
	web.Redirect(w, r, queueURL(PostApprovalQueueKey))
}
