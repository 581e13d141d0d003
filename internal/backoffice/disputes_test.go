package backoffice_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/store"
)

// disputeQueuePath is the dispute handlers' queue page.
const disputeQueuePath = "/staff/queues/" + backoffice.DisputesQueueKey

// testPDF is a small document that reads as a PDF.
var testPDF = []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")

// disputeShop creates a test-mode merchant with the name and makes it the
// one e.order buys from (so each case settles on its own).
func (e *env) disputeShop(name string) {
	e.t.Helper()
	creds, err := merchant.Create(e.ctx, e.app.DB, merchant.NewMerchant{Name: name, TestMode: true, SettlementCurrency: "DKK"})
	if err != nil {
		e.t.Fatal(err)
	}
	if e.shop, err = merchant.Get(e.ctx, e.app.DB, creds.MerchantID); err != nil {
		e.t.Fatal(err)
	}
}

// shippedOrder places an order of amount and captures it in full.
func (e *env) shippedOrder(amount int64) string {
	e.t.Helper()
	id := e.order("anna@example.dk", amount)
	err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		_, err := e.app.Checkout.Capture(tx, e.shop.ID, id, checkout.CaptureRequest{CapturedAmount: amount, Description: "Shipped"})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// openDispute has the order's consumer dispute it for the reason, through
// the dispute service.
func (e *env) openDispute(orderID string, reason dispute.Reason, statement string) dispute.Dispute {
	e.t.Helper()
	var d dispute.Dispute
	err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		var person string
		if err := tx.QueryRow(`SELECT person_id FROM orders WHERE id = $1`, orderID).Scan(&person); err != nil {
			return err
		}
		var err error
		d, err = e.app.Disputes.Open(tx, person, "consumer:test", orderID, reason, statement)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

// disputedShipped places and captures an order of amount and has its
// consumer dispute it for the reason.
func (e *env) disputedShipped(amount int64, reason dispute.Reason, statement string) dispute.Dispute {
	e.t.Helper()
	return e.openDispute(e.shippedOrder(amount), reason, statement)
}

// contestDispute contests d as the merchant with a description and the
// documents.
func (e *env) contestDispute(d dispute.Dispute, docs ...dispute.Upload) dispute.Dispute {
	e.t.Helper()
	err := e.app.DB.Write(e.ctx, func(tx *store.Tx) (err error) {
		d, err = e.app.Disputes.Contest(tx, d.MerchantID, d.ID, "api", d.Version, dispute.Contest{
			Carrier: "PostNord", TrackingNumber: "RR123456785DK", ProofOfDelivery: "Signed for at the parcel shop",
			Description: "Delivered on the 3rd", Documents: docs})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

// disputeNow reads a dispute as its merchant (without auditing a staff
// read).
func (e *env) disputeNow(d dispute.Dispute) dispute.Dispute {
	e.t.Helper()
	v, err := e.app.Disputes.MerchantView(e.ctx, d.MerchantID, d.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return v.Dispute
}

// decideForm is a handler's decision form for d.
func decideForm(d dispute.Dispute, outcome dispute.Outcome, reason string) url.Values {
	return url.Values{"version": {strconv.FormatInt(d.Version, 10)}, "outcome": {string(outcome)}, "reason": {reason}}
}

// disputePath is a dispute's page.
func disputePath(d dispute.Dispute) string { return "/staff/disputes/" + d.ID }

// TestDisputeRoleMatrix: every staff role against the queue, a dispute's
// page, a document and the decision. Dispute handlers and admins see the
// queue on the home page, open the dispute with the consumer's statement
// and the merchant's evidence, download the document as an attachment and
// decide; every other role gets 403 and writes nothing.
func TestDisputeRoleMatrix(t *testing.T) {
	e := newDecisionsEnv(t)
	for _, role := range account.Roles {
		t.Run(string(role), func(t *testing.T) {
			d := e.contestDispute(e.disputedShipped(20_000, dispute.NotReceived, "The parcel never came"),
				dispute.Upload{Name: "proof.pdf", Content: testPDF})
			page := disputePath(d)
			var v dispute.View
			err := e.app.DB.Write(e.ctx, func(tx *store.Tx) (err error) {
				v, err = e.app.Disputes.StaffView(tx, account.Staff{ID: "test", Role: account.RoleAdmin}, d.ID)
				return err
			})
			if err != nil || len(v.Documents) != 1 {
				t.Fatalf("view %+v %v", v, err)
			}
			doc := page + "/documents/" + v.Documents[0].ID
			st := e.staff(role, "Member "+strings.ReplaceAll(string(role), "_", " "))
			c := e.client()
			c.signIn(st)
			mayWork := role == account.RoleDisputeHandler || role == account.RoleAdmin
			want := map[bool]int{true: http.StatusOK, false: http.StatusForbidden}
			_, home := c.get("/staff/")
			if got := strings.Contains(home, disputeQueuePath); got != mayWork {
				t.Errorf("home lists the dispute queue: %v, want %v", got, mayWork)
			}
			res, body := c.get(disputeQueuePath)
			if res.StatusCode != want[mayWork] || (mayWork && !strings.Contains(body, page)) {
				t.Errorf("GET queue: %d, want %d", res.StatusCode, want[mayWork])
			}
			res, body = c.get(page)
			if res.StatusCode != want[mayWork] {
				t.Errorf("GET page: %d, want %d", res.StatusCode, want[mayWork])
			}
			if mayWork {
				for _, s := range []string{"The parcel never came", "RR123456785DK", "Delivered on the 3rd", "proof.pdf", d.Reference, "Item not received"} {
					if !strings.Contains(body, s) {
						t.Errorf("the page does not show %q", s)
					}
				}
			}
			viewed := len(e.auditEntries(d.OrderID, dispute.ActionViewed))
			res, body = c.get(doc)
			if res.StatusCode != want[mayWork] {
				t.Errorf("GET document: %d, want %d", res.StatusCode, want[mayWork])
			}
			if mayWork {
				h := res.Header
				if h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
					h.Get("Content-Disposition") != `attachment; filename=proof.pdf` || body != string(testPDF) {
					t.Errorf("document served as %v: %q", h, body)
				}
				if n := len(e.auditEntries(d.OrderID, dispute.ActionDocument)); n != 1 {
					t.Errorf("%d document reads audited", n)
				}
			} else if n := len(e.auditEntries(d.OrderID, dispute.ActionDocument)); n != 0 || viewed != 1 {
				t.Errorf("refused reads audited: %d documents, %d views", n, viewed)
			}
			c.get("/staff/")
			res, _ = c.post(page+"/decide", decideForm(d, dispute.MerchantWon, "Carrier confirms delivery"))
			if mayWork {
				wantRedirect(t, res, page)
				if got := e.disputeNow(d); got.Outcome != dispute.MerchantWon || got.DecidedBy != "staff:"+st.ID {
					t.Errorf("after the decision: %+v", got)
				}
			} else {
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("POST decide: %d, want 403", res.StatusCode)
				}
				if got := e.disputeNow(d); got.Status != dispute.AwaitingDecision {
					t.Errorf("a refused decision left %s", got.Status)
				}
			}
		})
	}
}

// TestDisputeDecisionBadInput: a decision without an outcome or reason is
// told so (422); a bad version is 400, an unknown dispute or document 404;
// a stale version is refused with a notice; none of them writes anything.
// A decided dispute shows no form and cannot be decided again.
func TestDisputeDecisionBadInput(t *testing.T) {
	e := newDecisionsEnv(t)
	d := e.contestDispute(e.disputedShipped(30_000, dispute.NotAsDescribed, "Seams leak"))
	handler := e.staff(account.RoleDisputeHandler, "Dana Dispute")
	c := e.client()
	c.signIn(handler)
	page := disputePath(d)
	c.get(page)
	res, body := c.post(page+"/decide", url.Values{"version": {strconv.FormatInt(d.Version, 10)}, "outcome": {"draw"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose who wins the dispute") || !strings.Contains(body, "Fill in this field.") {
		t.Errorf("no outcome, no reason: %d", res.StatusCode)
	}
	res, _ = c.post(page+"/decide", url.Values{"version": {"x"}, "outcome": {"consumer_won"}, "reason": {"r"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad version: %d", res.StatusCode)
	}
	res, _ = c.post(page+"/decide", url.Values{"version": {"1"}, "outcome": {"consumer_won"}, "reason": {strings.Repeat("r", dispute.MaxDecisionReason+1)}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a long reason: %d", res.StatusCode)
	}
	stale := d
	stale.Version--
	res, _ = c.post(page+"/decide", decideForm(stale, dispute.ConsumerWon, "Refund"))
	wantRedirect(t, res, page)
	if _, body = c.get(page); !strings.Contains(body, "The dispute changed while you were reading it.") {
		t.Error("no notice of the stale version")
	}
	if res, _ := c.get("/staff/disputes/" + strings.Repeat("0", 26)); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown dispute: %d", res.StatusCode)
	}
	if res, _ := c.get(page + "/documents/nope"); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown document: %d", res.StatusCode)
	}
	if got := e.disputeNow(d); got.Status != dispute.AwaitingDecision || got.Version != d.Version || len(e.auditEntries(d.OrderID, dispute.ActionDecided)) != 0 {
		t.Fatalf("bad input wrote: %+v", got)
	}
	res, _ = c.post(page+"/decide", decideForm(d, dispute.ConsumerWon, "Photos show a factory fault"))
	wantRedirect(t, res, page)
	_, body = c.get(page)
	if !strings.Contains(body, "Decided: the consumer won.") || strings.Contains(body, `id="decide-form"`) || !strings.Contains(body, "Photos show a factory fault") {
		t.Error("the decided page")
	}
	res, _ = c.post(page+"/decide", decideForm(e.disputeNow(d), dispute.MerchantWon, "again"))
	wantRedirect(t, res, page)
	if _, body = c.get(page); !strings.Contains(body, "The dispute can no longer be decided here.") {
		t.Error("deciding twice is not refused")
	}
	if got := e.disputeNow(d); got.Outcome != dispute.ConsumerWon {
		t.Errorf("outcome %s", got.Outcome)
	}
}
