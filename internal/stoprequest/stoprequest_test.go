package stoprequest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/settlement"
	"github.com/tillit/tillit/internal/signedlink"
	"github.com/tillit/tillit/internal/stoprequest"
	"github.com/tillit/tillit/internal/store"
)

const amount = 100_000 // 1,000.00 DKK including 200.00 VAT

func TestStoppingAnOrderAsksTheMerchantThreeWays(t *testing.T) {
	e := newEnv(t, true)
	orderID := e.order(amount)
	r := e.stop(orderID)
	if r.Status != stoprequest.StatusOpen || r.Amount != amount || !r.DeadlineAt.Equal(e.clk.Now().Add(48*time.Hour)) {
		t.Fatalf("request = %+v", r)
	}
	e.runJobs()
	var link string
	for _, ev := range e.events() {
		if ev["event_type"] == checkout.EventFraudStopped && ev["order_id"] == orderID {
			link, _ = ev["stop_request_url"].(string)
		}
	}
	if !strings.HasPrefix(link, "https://pay.tillit.example"+stoprequest.FormPath) {
		t.Fatalf("FRAUD_RISK_STOPPED carries link %q", link)
	}
	mails := e.mails()
	if len(mails) != 1 || !strings.Contains(mails[0].Body, link) || !strings.Contains(mails[0].Subject, r.Reference) {
		t.Fatalf("mails = %+v", mails)
	}
	for _, personal := range []string{"Anna", "Jensen", buyerEmail, "Sletten", "+4520123456"} {
		if strings.Contains(mails[0].Body, personal) || strings.Contains(mails[0].Subject, personal) {
			t.Errorf("the merchant's mail names the consumer (%q)", personal)
		}
	}
	if n, err := e.svc.CountWaiting(e.ctx, e.shop.ID); err != nil || n != 1 {
		t.Fatalf("waiting = %d, %v", n, err)
	}
	// The link opens this request.
	token := strings.TrimPrefix(link, "https://pay.tillit.example"+stoprequest.FormPath)
	got, err := e.svc.ByToken(e.ctx, token, e.clk.Now())
	if err != nil || got.ID != r.ID {
		t.Fatalf("ByToken = %+v, %v", got, err)
	}
}

// Each of the four answers leads to its order state, settlement lines and
// ledger postings.

func TestNotShippedTillitRemovesTheInvoice(t *testing.T) {
	e := newEnv(t, true)
	uncaptured := e.order(amount)
	r := e.mustAnswer(e.stop(uncaptured), stoprequest.Input{Answer: stoprequest.AnswerNotShipped, InvoiceRemoval: stoprequest.RemovalByTillit})
	if r.Status != stoprequest.StatusClosed || r.Outcome != stoprequest.OutcomeRemoved || !r.AnsweredInTime {
		t.Fatalf("request = %+v", r)
	}
	if got := e.request(uncaptured); got.Outcome != stoprequest.OutcomeRemoved || got.Version != r.Version {
		t.Fatalf("stored request = %+v", got)
	}
	if status, _, _ := e.orderState(uncaptured); status != checkout.StatusCancelled {
		t.Fatalf("order %s, want CANCELLED", status)
	}
	captured := e.order(amount)
	e.capture(captured, amount)
	e.mustAnswer(e.stop(captured), stoprequest.Input{Answer: stoprequest.AnswerNotShipped, InvoiceRemoval: stoprequest.RemovalByTillit})
	if status, c, ref := e.orderState(captured); c != amount || ref != amount {
		t.Fatalf("order %s captured %d refunded %d", status, c, ref)
	}
	_, lines := e.settle()
	if lines[settlement.KindSale] != amount || lines[settlement.KindRefund] != -amount ||
		lines[settlement.KindFraudReturn] != 0 || lines[settlement.KindFraudPolicy] != 0 {
		t.Fatalf("lines = %v", lines)
	}
	if b := e.balance(ledger.ReceivableAccount(captured)); b != 0 {
		t.Fatalf("receivable %d", b)
	}
}

func TestNotShippedTheMerchantsSystemRemovesTheInvoiceAndConfirms(t *testing.T) {
	e := newEnv(t, true)
	orderID := e.order(amount)
	e.capture(orderID, amount)
	r := e.mustAnswer(e.stop(orderID), stoprequest.Input{Answer: stoprequest.AnswerNotShipped, InvoiceRemoval: stoprequest.RemovalByMerchant})
	if r.Status != stoprequest.StatusAwaitingRemoval {
		t.Fatalf("status %s", r.Status)
	}
	if _, err := e.svc.Confirm(e.ctx, e.shop.ID, r.ID, "api"); apperr.Code(err) != stoprequest.CodeNotRemoved {
		t.Fatalf("confirm before the refund: %v", err)
	}
	e.write(func(tx *store.Tx) error {
		_, err := e.app.Checkout.Refund(tx, e.shop.ID, orderID, checkout.RefundRequest{RefundedAmount: amount})
		return err
	})
	r, err := e.svc.Confirm(e.ctx, e.shop.ID, r.ID, "api")
	if err != nil || r.Outcome != stoprequest.OutcomeRemoved || r.Details.RemovalConfirmedAt == nil {
		t.Fatalf("confirm = %+v, %v", r, err)
	}
	if _, err := e.svc.Confirm(e.ctx, e.shop.ID, r.ID, "api"); apperr.Code(err) != stoprequest.CodeAnswered {
		t.Fatalf("confirming twice: %v", err)
	}
}

func TestServiceCutOffOrWaitingForADispute(t *testing.T) {
	e := newEnv(t, true)
	cut := e.order(amount)
	r := e.mustAnswer(e.stop(cut), stoprequest.Input{Answer: stoprequest.AnswerService, ServiceStopped: ptr(true), InvoiceRemoval: stoprequest.RemovalByTillit})
	if r.Outcome != stoprequest.OutcomeRemoved {
		t.Fatalf("cut off: %+v", r)
	}
	running := e.order(amount)
	e.capture(running, amount)
	r = e.mustAnswer(e.stop(running), stoprequest.Input{Answer: stoprequest.AnswerService, ServiceStopped: ptr(false)})
	if r.Status != stoprequest.StatusAwaitingDispute {
		t.Fatalf("cannot stop: %+v", r)
	}
	if status, _, ref := e.orderState(running); status != checkout.StatusCaptured || ref != 0 {
		t.Fatalf("the order changed while waiting for a dispute: %s refunded %d", status, ref)
	}
	// The consumer disputes and the investigation confirms fraud: the
	// merchant answered in time, so the policy pays it back without VAT.
	e.write(func(tx *store.Tx) error {
		w, err := e.svc.WriteOff(tx, "staff:investigator", running, "victim confirmed")
		if err == nil && (w.Returned != amount || w.PolicyAmount != amount-amount/5) {
			t.Errorf("write-off = %+v", w)
		}
		return err
	})
	if r := e.request(running); r.Outcome != stoprequest.OutcomeWrittenOff {
		t.Fatalf("outcome %s", r.Outcome)
	}
	_, lines := e.settle()
	if lines[settlement.KindFraudReturn] != -amount || lines[settlement.KindFraudPolicy] != amount-amount/5 {
		t.Fatalf("lines = %v", lines)
	}
	if b := e.balance(ledger.FraudLossAccount("DKK")); b != amount-amount/5 {
		t.Fatalf("fraud losses %d", b)
	}
}

func TestShippedWithPostNordRecalledAndReturned(t *testing.T) {
	e := newEnv(t, true)
	orderID := e.order(amount)
	e.capture(orderID, amount)
	r := e.mustAnswer(e.stop(orderID), stoprequest.Input{Answer: stoprequest.AnswerShipped, Carrier: "PostNord", TrackingNumber: s10(1234567, 3), PickedUp: "no"})
	if r.Status != stoprequest.StatusAwaitingReturn || r.RecallStatus != stoprequest.RecallPending || r.TrackingNumber != s10(1234567, 3) {
		t.Fatalf("request = %+v", r)
	}
	e.runJobs()
	r = e.request(orderID)
	if r.RecallStatus != stoprequest.RecallRecalled || r.RecallReference == "" {
		t.Fatalf("after the recall: %+v", r)
	}
	// The parcel comes back; the merchant registers the return.
	r = e.mustAnswer(r, stoprequest.Input{Answer: stoprequest.AnswerReturned, InvoiceRemoval: stoprequest.RemovalByTillit})
	if r.Outcome != stoprequest.OutcomeReturned {
		t.Fatalf("returned: %+v", r)
	}
	_, lines := e.settle()
	if lines[settlement.KindRefund] != -amount || lines[settlement.KindFraudReturn] != 0 {
		t.Fatalf("lines = %v", lines)
	}
}

func TestShippedWithDBSchenkerRecalled(t *testing.T) {
	e := newEnv(t, true)
	orderID := e.order(amount)
	number := sscc("37350000123456785")
	r := e.mustAnswer(e.stop(orderID), stoprequest.Input{Answer: stoprequest.AnswerShipped, Carrier: "DB Schenker (Privpak)", TrackingNumber: number, PickedUp: "no"})
	if r.RecallStatus != stoprequest.RecallPending {
		t.Fatalf("request = %+v", r)
	}
	e.runJobs()
	if r = e.request(orderID); r.RecallStatus != stoprequest.RecallRecalled {
		t.Fatalf("recall %s", r.RecallStatus)
	}
	if mails := e.mails(); !strings.Contains(mails[0].Subject, "recalled") {
		t.Fatalf("last mail %q", mails[0].Subject)
	}
}

func TestShippedWithPostNordDeliveredPolicyMetOrNot(t *testing.T) {
	for _, c := range []struct {
		name            string
		covered, late   bool
		outcome         string
		policy, returns int64
	}{
		{"covered and in time", true, false, stoprequest.OutcomeWrittenOff, amount - amount/5, -amount},
		{"answered late", true, true, stoprequest.OutcomeReversed, 0, -amount},
		{"not covered", false, false, stoprequest.OutcomeReversed, 0, -amount},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, c.covered)
			orderID := e.order(amount)
			e.capture(orderID, amount)
			r := e.stop(orderID)
			if c.late {
				e.advance(49 * time.Hour)
			}
			e.mustAnswer(r, stoprequest.Input{Answer: stoprequest.AnswerShipped, Carrier: "Post Nord", TrackingNumber: s10(7654321, 8), PickedUp: "unknown"})
			e.runJobs()
			r = e.request(orderID)
			if r.RecallStatus != stoprequest.RecallDelivered || r.Outcome != c.outcome || r.AnsweredInTime == c.late {
				t.Fatalf("request = %+v", r)
			}
			_, lines := e.settle()
			if lines[settlement.KindFraudReturn] != c.returns || lines[settlement.KindFraudPolicy] != c.policy {
				t.Fatalf("lines = %v", lines)
			}
			if b := e.balance(ledger.FraudLossAccount("DKK")); b != c.policy {
				t.Fatalf("fraud losses %d, want %d", b, c.policy)
			}
			if b := e.balance(ledger.ReceivableAccount(orderID)); b != 0 {
				t.Fatalf("the consumer still owes %d", b)
			}
			mails := e.mails()
			if !strings.Contains(mails[0].Subject, "already delivered") {
				t.Fatalf("last mail %q", mails[0].Subject)
			}
		})
	}
}

func TestShippedWithoutATrackingNumberMovesTheLiability(t *testing.T) {
	e := newEnv(t, true)
	orderID := e.order(amount)
	e.capture(orderID, amount)
	if _, err := e.answer(e.stop(orderID), stoprequest.Input{Answer: stoprequest.AnswerShipped, Carrier: "PostNord", PickedUp: "yes"}); apperr.Code(err) != apperr.BadValue {
		t.Fatalf("shipped without a tracking number or the statement: %v", err)
	}
	r := e.mustAnswer(e.request(orderID), stoprequest.Input{Answer: stoprequest.AnswerShipped, Carrier: "PostNord", NoTrackingNumber: true, PickedUp: "yes"})
	if r.Outcome != stoprequest.OutcomeReversed || r.Status != stoprequest.StatusClosed {
		t.Fatalf("request = %+v", r)
	}
	_, lines := e.settle()
	if lines[settlement.KindFraudReturn] != -amount || lines[settlement.KindFraudPolicy] != 0 {
		t.Fatalf("lines = %v", lines)
	}
	if b := e.balance(ledger.FraudLossAccount("DKK")); b != 0 {
		t.Fatalf("fraud losses %d", b)
	}
}

func TestOtherCarriersAndUnknownTrackingNumbers(t *testing.T) {
	e := newEnv(t, true)
	other := e.order(amount)
	r := e.mustAnswer(e.stop(other), stoprequest.Input{Answer: stoprequest.AnswerShipped, Carrier: "GLS", TrackingNumber: "GLS-123 456", PickedUp: "no"})
	if r.RecallStatus != stoprequest.RecallByMerchant || r.TrackingNumber != "GLS123456" {
		t.Fatalf("other carrier: %+v", r)
	}
	unknown := e.order(amount)
	e.mustAnswer(e.stop(unknown), stoprequest.Input{Answer: stoprequest.AnswerShipped, Carrier: "PostNord", TrackingNumber: s10(1111111, 9), PickedUp: "no"})
	e.runJobs()
	r = e.request(unknown)
	if r.RecallStatus != stoprequest.RecallUnknownTracking || !strings.Contains(e.mails()[0].Subject, "tracking number") {
		t.Fatalf("unknown number: %+v", r)
	}
	// The merchant corrects the number; the recall runs again.
	r = e.mustAnswer(r, stoprequest.Input{Answer: stoprequest.AnswerShipped, Carrier: "PostNord", TrackingNumber: s10(1111111, 2), PickedUp: "no"})
	e.runJobs()
	if r = e.request(unknown); r.RecallStatus != stoprequest.RecallRecalled {
		t.Fatalf("corrected: %+v", r)
	}
	// A recalled parcel's tracking number cannot be changed any more.
	if _, err := e.answer(r, stoprequest.Input{Answer: stoprequest.AnswerShipped, Carrier: "PostNord", TrackingNumber: s10(1111111, 4), PickedUp: "no"}); apperr.Code(err) != stoprequest.CodeAnswered {
		t.Fatalf("changing a recalled parcel's number: %v", err)
	}
}

func TestBadAnswersWriteNothing(t *testing.T) {
	e := newEnv(t, true)
	orderID := e.order(amount)
	r := e.stop(orderID)
	for name, in := range map[string]stoprequest.Input{
		"no answer":          {},
		"unknown answer":     {Answer: "lost"},
		"no removal":         {Answer: stoprequest.AnswerNotShipped},
		"bad removal":        {Answer: stoprequest.AnswerReturned, InvoiceRemoval: "somebody"},
		"service unanswered": {Answer: stoprequest.AnswerService},
		"no carrier":         {Answer: stoprequest.AnswerShipped, TrackingNumber: "RR123456785DK", PickedUp: "no"},
		"long carrier":       {Answer: stoprequest.AnswerShipped, Carrier: strings.Repeat("x", 61), TrackingNumber: "RR123456785DK", PickedUp: "no"},
		"bad tracking":       {Answer: stoprequest.AnswerShipped, Carrier: "PostNord", TrackingNumber: "<script>", PickedUp: "no"},
		"both":               {Answer: stoprequest.AnswerShipped, Carrier: "PostNord", TrackingNumber: "RR123456785DK", NoTrackingNumber: true, PickedUp: "no"},
		"no picked up":       {Answer: stoprequest.AnswerShipped, Carrier: "PostNord", TrackingNumber: "RR123456785DK"},
	} {
		if _, err := e.answer(r, in); apperr.Code(err) != apperr.BadValue {
			t.Errorf("%s: %v, want BAD_VALUE", name, err)
		}
	}
	if got := e.request(orderID); got.Version != r.Version || got.AnsweredAt != nil {
		t.Fatalf("a bad answer changed the request: %+v", got)
	}
	if _, err := e.svc.Answer(e.ctx, e.shop.ID, "00000000-0000-7000-8000-000000000000", "api",
		stoprequest.Input{Answer: stoprequest.AnswerNotShipped, InvoiceRemoval: stoprequest.RemovalByTillit}); apperr.Code(err) != apperr.NotFound {
		t.Fatalf("unknown request: %v", err)
	}
	if _, err := e.svc.Answer(e.ctx, "another-merchant", r.ID, "api",
		stoprequest.Input{Answer: stoprequest.AnswerNotShipped, InvoiceRemoval: stoprequest.RemovalByTillit}); apperr.Code(err) != apperr.NotFound {
		t.Fatalf("another merchant's request: %v", err)
	}
	e.mustAnswer(r, stoprequest.Input{Answer: stoprequest.AnswerNotShipped, InvoiceRemoval: stoprequest.RemovalByTillit})
	if _, err := e.answer(r, stoprequest.Input{Answer: stoprequest.AnswerShipped, Carrier: "GLS", TrackingNumber: "1", PickedUp: "no"}); apperr.Code(err) != stoprequest.CodeAnswered {
		t.Fatalf("answering twice: %v", err)
	}
}

func TestALinkOpensOneRequestUntilItExpires(t *testing.T) {
	e := newEnv(t, true)
	first, second := e.stop(e.order(amount)), e.stop(e.order(amount))
	token := strings.TrimPrefix(e.svc.FormURL(first), "https://pay.tillit.example"+stoprequest.FormPath)
	// The token names the first request; nothing in it can be pointed at
	// the second, and a forged one is refused.
	if got, err := e.svc.ByToken(e.ctx, token, e.clk.Now()); err != nil || got.ID != first.ID || got.ID == second.ID {
		t.Fatalf("ByToken = %+v, %v", got, err)
	}
	forged := []byte(token)
	forged[len(forged)/2] ^= 1
	in := stoprequest.Input{Answer: stoprequest.AnswerNotShipped, InvoiceRemoval: stoprequest.RemovalByTillit}
	if _, err := e.svc.RespondByToken(e.ctx, string(forged), in); apperr.Code(err) != apperr.BadValue {
		t.Fatalf("forged: %v", err)
	}
	e.clk.Advance(31 * 24 * time.Hour)
	if _, err := e.svc.RespondByToken(e.ctx, token, in); apperr.Code(err) != signedlink.CodeExpired {
		t.Fatalf("expired: %v", err)
	}
	if r := e.request(first.OrderID); r.AnsweredAt != nil {
		t.Fatal("an expired link answered")
	}
	// Within its time the link answers its own request.
	e.clk.Set(first.CreatedAt.Add(time.Hour))
	r, err := e.svc.RespondByToken(e.ctx, token, in)
	if err != nil || r.ID != first.ID || r.AnsweredBy != "link" {
		t.Fatalf("answer by link: %+v, %v", r, err)
	}
	if r := e.request(second.OrderID); r.AnsweredAt != nil {
		t.Fatal("the second request was answered")
	}
}

func TestRemindersDeadlineAndPriority(t *testing.T) {
	e := newEnv(t, true)
	small := e.stop(e.order(amount))
	e.clk.Advance(time.Hour)
	big := e.stop(e.order(5 * amount))
	e.advance(11 * time.Hour) // the first request's reminder
	mails := e.mails()
	if len(mails) != 3 || !strings.HasPrefix(mails[0].Subject, "Reminder") || !strings.Contains(mails[0].Subject, small.Reference) {
		t.Fatalf("after 12 hours: %d mails, newest %q", len(mails), mails[0].Subject)
	}
	// The nearest deadline first, whatever the amount.
	queue, err := e.svc.Queue(e.ctx, 10)
	if err != nil || len(queue) != 2 || queue[0].ID != small.ID || queue[1].ID != big.ID {
		t.Fatalf("queue = %+v, %v", queue, err)
	}
	e.mustAnswer(big, stoprequest.Input{Answer: stoprequest.AnswerNotShipped, InvoiceRemoval: stoprequest.RemovalByTillit})
	e.advance(37 * time.Hour) // past the first deadline
	r := e.request(small.OrderID)
	if !r.Overdue(e.clk.Now()) || r.Reminders < 2 {
		t.Fatalf("after the deadline: %+v", r)
	}
	var overdue, bigReminders int
	for _, m := range e.mails() {
		if strings.HasPrefix(m.Subject, "Overdue") && strings.Contains(m.Subject, small.Reference) {
			overdue++
		}
		if strings.Contains(m.Subject, big.Reference) && strings.HasPrefix(m.Subject, "Reminder") {
			bigReminders++
		}
	}
	if overdue == 0 || bigReminders != 0 {
		t.Fatalf("overdue mails %d, reminders of the answered request %d", overdue, bigReminders)
	}
	// An unanswered request does not meet the policy.
	e.read(func(tx *store.Tx) error {
		met, err := stoprequest.PolicyMet(tx, small.OrderID)
		if err != nil || met {
			t.Errorf("policy met by an unanswered request: %v %v", met, err)
		}
		return nil
	})
}

func TestTheJSONEndpoints(t *testing.T) {
	e := newEnv(t, true)
	orderID := e.order(amount)
	e.capture(orderID, amount)
	r := e.stop(orderID)
	var list struct {
		StopRequests []stoprequest.Request `json:"stop_requests"`
	}
	if code := e.apiCall("GET", "/fraud/v1/stop-requests", "", &list); code != 200 || len(list.StopRequests) != 1 || list.StopRequests[0].ID != r.ID {
		t.Fatalf("list: %d %+v", code, list)
	}
	var apiErr struct {
		ErrorCode string `json:"error_code"`
	}
	path := "/fraud/v1/stop-requests/" + r.ID
	for _, c := range []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"GET", "/fraud/v1/stop-requests?status=lost", "", 400, apperr.BadValue},
		{"POST", path + "/answer", "{not json", 400, apperr.BadValue},
		{"POST", path + "/answer", `{"answer": 3}`, 400, apperr.BadValue},
		{"POST", path + "/answer", `{"answer": "shipped", "carrier": "PostNord", "picked_up": "no"}`, 400, apperr.BadValue},
		{"POST", "/fraud/v1/stop-requests/unknown/answer", `{"answer": "returned", "invoice_removal": "tillit"}`, 404, apperr.NotFound},
		{"GET", "/fraud/v1/stop-requests/unknown", "", 404, apperr.NotFound},
		{"POST", path + "/confirm-removal", "", 409, stoprequest.CodeAnswered},
	} {
		apiErr.ErrorCode = ""
		if got := e.apiCall(c.method, c.path, c.body, &apiErr); got != c.status || apiErr.ErrorCode != c.code {
			t.Errorf("%s %s %s: %d %s, want %d %s", c.method, c.path, c.body, got, apiErr.ErrorCode, c.status, c.code)
		}
	}
	if got := e.request(orderID); got.Version != r.Version {
		t.Fatal("a refused request changed the stop request")
	}
	var answered stoprequest.Request
	body := `{"answer": "shipped", "carrier": "PostNord", "tracking_number": "` + s10(2222222, 1) + `", "picked_up": "no"}`
	if code := e.apiCall("POST", path+"/answer", body, &answered); code != 200 || answered.Status != stoprequest.StatusAwaitingReturn ||
		answered.RecallStatus != stoprequest.RecallPending || answered.TrackingNumber != s10(2222222, 1) {
		t.Fatalf("answer: %d %+v", code, answered)
	}
	if code := e.apiCall("POST", path+"/answer", `{"answer": "not_shipped", "invoice_removal": "tillit"}`, &apiErr); code != 409 || apiErr.ErrorCode != stoprequest.CodeAnswered {
		t.Fatalf("answering twice: %d %s", code, apiErr.ErrorCode)
	}
	// Another merchant cannot see or answer it.
	other := newEnvMerchant(t, e)
	if code := other.apiCall("GET", path, "", &apiErr); code != 404 {
		t.Fatalf("another merchant reads it: %d", code)
	}
}

// Two answers at once (the link and the portal): one wins, the other is
// told the request was answered, and the order is refunded once.
func TestConcurrentAnswersRefundOnce(t *testing.T) {
	e := newEnv(t, true)
	orderID := e.order(amount)
	e.capture(orderID, amount)
	r := e.stop(orderID)
	in := stoprequest.Input{Answer: stoprequest.AnswerNotShipped, InvoiceRemoval: stoprequest.RemovalByTillit}
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := e.answer(r, in)
			errs <- err
		}()
	}
	var ok, answered int
	for range 2 {
		switch err := <-errs; apperr.Code(err) {
		case stoprequest.CodeAnswered:
			answered++
		default:
			if err != nil {
				t.Fatalf("answer: %v", err)
			}
			ok++
		}
	}
	if ok != 1 || answered != 1 {
		t.Fatalf("%d answers succeeded, %d were refused", ok, answered)
	}
	if _, captured, refunded := e.orderState(orderID); refunded != captured {
		t.Fatalf("refunded %d of %d", refunded, captured)
	}
	var refunds int
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM refunds WHERE order_id = $1`, orderID).Scan(&refunds)
	})
	if refunds != 1 {
		t.Fatalf("%d refunds", refunds)
	}
}
