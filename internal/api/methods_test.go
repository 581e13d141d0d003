package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/repayment"
)

// TestEachPaymentMethodThroughTheAPI runs every payment method through the
// merchant's JSON integration: session, consumer authorization with the
// method, order, capture and refund; the order's payment plan follows, and
// the ledger balances (checked by newEnv).
func TestEachPaymentMethodThroughTheAPI(t *testing.T) {
	for _, c := range []struct {
		category     string
		months       int
		installments int
	}{
		{repayment.CategoryPayNow, 0, 1},
		{repayment.CategoryPayLater, 0, 1},
		{repayment.CategoryPayIn3, 0, 3},
		{repayment.CategoryFinancing, 24, 24},
	} {
		t.Run(c.category, func(t *testing.T) {
			e := newEnv(t)
			sid, ct := e.session(sampleOrder())
			body := consumer("anna@example.com")
			body["payment_method_category"] = c.category
			if c.months > 0 {
				body["financing_months"] = c.months
			}
			if c.category == repayment.CategoryPayNow {
				body["payment_instrument"] = "sim:ok"
			}
			auth := e.authorize(sid, ct, body)
			token, _ := auth["authorization_token"].(string)
			if token == "" {
				t.Fatalf("not approved: %v", auth)
			}
			var created struct {
				OrderID string `json:"order_id"`
			}
			e.do(request{method: "POST", path: "/payments/v1/authorizations/" + token + "/order", body: sampleOrder()}).expect(t, 200).json(t, &created)
			id := created.OrderID
			// The rail's jobs settle a pay-now charge.
			e.runJobs()
			e.clk.Advance(time.Minute)
			e.runJobs()
			e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + id + "/captures", body: map[string]any{"captured_amount": 125000}}).expect(t, 201)
			p, err := e.app.Plans.Get(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if p.Method != c.category || len(p.Installments) != c.installments {
				t.Fatalf("plan %s with %d instalments, want %s with %d", p.Method, len(p.Installments), c.category, c.installments)
			}
			switch c.category {
			case repayment.CategoryPayNow:
				if p.Outstanding != 0 || p.Paid != 125000 {
					t.Fatalf("pay now not paid at purchase: %+v", p)
				}
			case repayment.CategoryFinancing:
				offer, err := plan.Offer(125000, plan.Terms{Months: 24, NominalRateBP: repayment.DefaultConfig().Financing.NominalRateBP})
				if err != nil {
					t.Fatal(err)
				}
				if p.Total != offer.TotalPayable || p.Financing == nil || p.Financing.Months != 24 {
					t.Fatalf("financing plan %+v, offer %+v", p, offer)
				}
			default:
				if p.Outstanding != 125000 {
					t.Fatalf("plan %+v", p)
				}
			}
			e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + id + "/refunds", body: map[string]any{"refunded_amount": 25000}}).expect(t, 201)
			if p, err = e.app.Plans.Get(context.Background(), id); err != nil {
				t.Fatal(err)
			}
			var principal int64
			for _, in := range p.Installments {
				principal += in.Principal
			}
			if principal != 100000 {
				t.Fatalf("principal after refund %d, want 100000", principal)
			}
			e.runJobs()
			e.clk.Advance(time.Minute)
			e.runJobs()
		})
	}
}

// TestFinancingMonthsAreValidated: a term that is not offered, or a term on
// another method, is a BAD_VALUE and authorizes nothing.
func TestFinancingMonthsAreValidated(t *testing.T) {
	e := newEnv(t)
	sid, ct := e.session(sampleOrder())
	for _, c := range []struct {
		category string
		months   any
	}{
		{repayment.CategoryFinancing, 7},
		{repayment.CategoryFinancing, "12"},
		{repayment.CategoryPayLater, 12},
	} {
		body := consumer("anna@example.com")
		body["payment_method_category"] = c.category
		body["financing_months"] = c.months
		r := e.do(request{method: "POST", path: "/checkout/v1/sessions/" + sid + "/authorize", bearer: ct, body: body}).expect(t, 400)
		if code := r.errorCode(t); code != "BAD_VALUE" {
			t.Fatalf("%v: %s", c, code)
		}
	}
	// The session is still open: a valid authorization goes through.
	body := consumer("anna@example.com")
	body["payment_method_category"] = repayment.CategoryFinancing
	body["financing_months"] = 36
	if auth := e.authorize(sid, ct, body); auth["approved"] != true {
		t.Fatalf("valid term refused: %v", auth)
	}
}
