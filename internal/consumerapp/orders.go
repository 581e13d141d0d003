package consumerapp

import (
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// orderPath is the page of one order.
func orderPath(orderID string) string { return Prefix + "orders/" + url.PathEscape(orderID) }

// purchase is a row of the purchases list.
type purchase struct {
	OrderID   string
	Reference string
	Merchant  string
	Date      time.Time
	// Shipped is whether anything was captured, so Total is known.
	Shipped   bool
	Total     int64
	Currency  string
	MethodKey string
	Status    badge
}

// upcomingPayment is the next payment of one order.
type upcomingPayment struct {
	OrderID   string
	Reference string
	Merchant  string
	Due       time.Time
	Amount    int64
	Currency  string
	Status    badge
}

// money is an amount in a currency.
type money struct {
	Amount   int64
	Currency string
}

// homePage is the data of the app's front page.
type homePage struct {
	shell
	Purchases []purchase
	Upcoming  []upcomingPayment
	// Owed is the total still to pay, per currency.
	Owed []money
	// Verify is whether a purchase waits for the consumer's confirmation
	// (/app/verify).
	Verify bool
	// Freeze is the account freeze box.
	Freeze accountFreeze
}

// home lists the consumer's purchases, their upcoming payments (earliest
// first) and what they owe in total.
func (p *Pages) home(w http.ResponseWriter, r *http.Request, cv consumerView) {
	plans, err := p.cfg.Plans.ForPerson(r.Context(), cv.Consumer.PersonID)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	today := p.today()
	page := homePage{shell: shell{Email: cv.Consumer.Email, Nav: "home"}}
	totals := map[string]int64{}
	for _, pl := range plans {
		page.Purchases = append(page.Purchases, purchase{
			OrderID: pl.OrderID, Reference: pl.OrderReference, Merchant: pl.MerchantName, Date: pl.CreatedAt,
			Shipped: len(pl.Installments) > 0, Total: pl.Total, Currency: pl.Currency,
			MethodKey: methodKey(pl.Method), Status: planBadge(pl, today),
		})
		due := owed(pl)
		if due == 0 || pl.Next == nil {
			continue
		}
		totals[pl.Currency] += due
		page.Upcoming = append(page.Upcoming, upcomingPayment{
			OrderID: pl.OrderID, Reference: pl.OrderReference, Merchant: pl.MerchantName, Due: pl.Next.Due,
			Amount: min(unpaid(*pl.Next), due), Currency: pl.Currency, Status: installmentBadge(*pl.Next, today),
		})
	}
	sort.SliceStable(page.Upcoming, func(i, j int) bool { return page.Upcoming[i].Due.Before(page.Upcoming[j].Due) })
	for cur, amount := range totals {
		page.Owed = append(page.Owed, money{amount, cur})
	}
	sort.Slice(page.Owed, func(i, j int) bool { return page.Owed[i].Currency < page.Owed[j].Currency })
	if p.cfg.Verifications != nil {
		err := p.cfg.Verifications.DB().Read(r.Context(), func(tx *store.Tx) error {
			vs, err := p.cfg.Verifications.Verifications(tx, cv.Consumer.PersonID)
			page.Verify = len(vs) > 0
			return err
		})
		if err != nil {
			p.serverError(w, r, err)
			return
		}
	}
	if page.Freeze, err = p.accountFreeze(r, cv); err != nil {
		p.serverError(w, r, err)
		return
	}
	p.rd.Render(w, r, http.StatusOK, "consumer/home", page)
}

// part is one non-zero component of an instalment.
type part struct {
	Key    string
	Amount int64
}

// installmentRow is a row of an order's schedule.
type installmentRow struct {
	Number int
	Due    time.Time
	Amount int64
	// Parts break the amount down when it is more than principal.
	Parts  []part
	PaidAt *time.Time
	Status badge
}

// financingTerms are the terms of a financing plan as the page shows them.
type financingTerms struct {
	Months int
	// Rate and APR are percentages written in the page's language; APR is
	// empty when it cannot be worked out.
	Rate, APR  string
	CreditCost int64
}

// receiptRow is a payment or payout of an order.
type receiptRow struct {
	ID       string
	Date     time.Time
	What     string
	Amount   int64
	Currency string
	Status   badge
	// Printable is whether a receipt page exists (settled payments).
	Printable bool
}

// orderPage is the data of an order's page.
type orderPage struct {
	shell
	Plan         repayment.Plan
	MethodKey    string
	Status       badge
	Installments []installmentRow
	HasParts     bool
	Financing    *financingTerms
	Statements   []repayment.Statement
	// HasReductions is whether any statement has refunds or credits.
	HasReductions bool
	Receipts      []receiptRow
	// Pending is the payment being processed, if any.
	Pending *receiptRow
	// Owed is everything still to pay; Next and NextDue the next
	// instalment's part of it.
	Owed    int64
	Next    int64
	NextDue time.Time
	CanPay  bool
	// FraudClaim is what the page shows about reporting the purchase as
	// not made by the consumer; nil when the app takes no reports.
	FraudClaim *fraudClaim
	// ComplainURL is the form filing a complaint about the order; empty
	// when the app takes no complaints.
	ComplainURL string
	// Problems are the order's disputes, returns and payouts; nil when
	// the app takes neither disputes nor returns.
	Problems *orderProblems
}

// order shows one of the consumer's orders; any other order is not found.
func (p *Pages) order(w http.ResponseWriter, r *http.Request, cv consumerView) {
	pl, ok := p.consumerPlan(w, r, cv)
	if !ok {
		return
	}
	statements, err := p.cfg.Plans.Statements(r.Context(), pl.OrderID)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	today := p.today()
	page := orderPage{
		shell: shell{Email: cv.Consumer.Email}, Plan: pl, MethodKey: methodKey(pl.Method), Status: planBadge(pl, today),
		Statements: statements, Owed: owed(pl),
	}
	for _, st := range statements {
		page.HasReductions = page.HasReductions || st.Reductions != 0
	}
	var principal, charges int64
	for _, in := range pl.Installments {
		row := installmentRow{Number: in.Number, Due: in.Due, Amount: in.Amount, PaidAt: in.PaidAt, Status: installmentBadge(in, today)}
		if in.Interest != 0 || in.Fee != 0 || in.LateFee != 0 {
			for _, pt := range []part{{"consumer.part.principal", in.Principal}, {"consumer.part.interest", in.Interest},
				{"consumer.part.fee", in.Fee}, {"consumer.part.late_fee", in.LateFee}} {
				if pt.Amount != 0 {
					row.Parts = append(row.Parts, pt)
				}
			}
			page.HasParts = true
		}
		principal += in.Principal
		charges += in.Interest + in.Fee
		page.Installments = append(page.Installments, row)
	}
	if t := pl.Financing; t != nil {
		lang := web.Lang(r)
		f := &financingTerms{Months: t.Months, Rate: percent(lang, t.NominalRateBP), CreditCost: charges}
		if principal > 0 {
			if offer, err := plan.Offer(principal, *t); err == nil {
				f.APR = percent(lang, offer.APR)
			}
		}
		page.Financing = f
	}
	for _, rc := range pl.Receipts {
		row := receiptRowOf(rc)
		page.Receipts = append(page.Receipts, row)
		if rc.Kind == repayment.KindPayment && rc.Status == repayment.PaymentPending {
			page.Pending = &row
		}
	}
	if pl.Next != nil && page.Owed > 0 {
		page.Next, page.NextDue = min(unpaid(*pl.Next), page.Owed), pl.Next.Due
		page.CanPay = page.Pending == nil
	}
	if p.cfg.Complaints != nil {
		page.ComplainURL = newComplaintURL(pl.OrderID)
	}
	if page.FraudClaim, err = p.fraudClaimOf(r, cv, pl.OrderID); err != nil {
		p.serverError(w, r, err)
		return
	}
	if page.Problems, err = p.problemsOf(r, cv, pl); err != nil {
		p.serverError(w, r, err)
		return
	}
	p.rd.Render(w, r, http.StatusOK, "consumer/order", page)
}

func receiptRowOf(rc repayment.Receipt) receiptRow {
	row := receiptRow{ID: rc.ID, Date: rc.CreatedAt, What: receiptKey(rc), Amount: rc.Amount, Currency: rc.Currency,
		Status: receiptBadge(rc.Status), Printable: rc.Status == repayment.PaymentSettled}
	if rc.SettledAt != nil {
		row.Date = *rc.SettledAt
	}
	return row
}

// consumerPlan loads the order of the request's path if it is the
// consumer's; otherwise it answers with the not-found page and reports false.
func (p *Pages) consumerPlan(w http.ResponseWriter, r *http.Request, cv consumerView) (repayment.Plan, bool) {
	pl, err := p.cfg.Plans.PersonPlan(r.Context(), cv.Consumer.PersonID, r.PathValue("order"))
	switch errCode(err) {
	case "":
		return pl, true
	case apperr.NoSuchOrder, apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
	default:
		p.serverError(w, r, err)
	}
	return repayment.Plan{}, false
}

// pay starts a payment of the next instalment or of everything owed. The
// payment is processed in the background; the order page shows it as
// processing until the rail confirms it.
func (p *Pages) pay(w http.ResponseWriter, r *http.Request, cv consumerView) {
	if !p.parseForm(w, r) {
		return
	}
	what := r.PostForm.Get("what")
	if what != repayment.PayNext && what != repayment.PayAll {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	orderID := r.PathValue("order")
	pay, err := p.cfg.Plans.Pay(r.Context(), cv.Consumer.PersonID, orderID, what, "")
	switch errCode(err) {
	case "":
		web.Flash(w, r, web.FlashSuccess, "consumer.pay.started", "amount", i18n.FormatMoney(web.Lang(r), pay.Amount, pay.Currency))
	case apperr.NoSuchOrder:
		p.rd.Error(w, r, http.StatusNotFound)
		return
	case apperr.NotAllowed:
		// Say which: a payment already on its way, or nothing to pay.
		pl, ok := p.consumerPlan(w, r, cv)
		if !ok {
			return
		}
		key := "consumer.pay.nothing_owed"
		if pendingPayment(pl) != nil {
			key = "consumer.pay.already_pending"
		}
		web.Flash(w, r, web.FlashError, key)
	default:
		p.serverError(w, r, err)
		return
	}
	web.Redirect(w, r, orderPath(orderID))
}

// receiptPage is the data of a printable receipt.
type receiptPage struct {
	shell
	Plan      repayment.Plan
	MethodKey string
	Receipt   receiptRow
}

// receipt shows the receipt of a settled payment or payout of one of the
// consumer's orders.
func (p *Pages) receipt(w http.ResponseWriter, r *http.Request, cv consumerView) {
	pl, ok := p.consumerPlan(w, r, cv)
	if !ok {
		return
	}
	for _, rc := range pl.Receipts {
		if rc.ID == r.PathValue("receipt") && rc.Status == repayment.PaymentSettled {
			p.rd.Render(w, r, http.StatusOK, "consumer/receipt", receiptPage{
				shell: shell{Email: cv.Consumer.Email}, Plan: pl, MethodKey: methodKey(pl.Method), Receipt: receiptRowOf(rc),
			})
			return
		}
	}
	p.rd.Error(w, r, http.StatusNotFound)
}
