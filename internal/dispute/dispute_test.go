package dispute_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/settlement"
	"github.com/tillit/tillit/internal/store"
)

// TestEachReasonOpens: every reason opens a dispute on the consumer's own
// order and pauses its plan at once; the merchant gets the dispute.opened
// webhook (without the consumer's words) and an e-mail; an unauthorised
// purchase goes to the fraud investigation instead. A second dispute on
// the same order, and bad input, write nothing.
func TestEachReasonOpens(t *testing.T) {
	e := newEnv(t)
	var referred []string
	e.svc.Unauthorised = func(tx *store.Tx, personID, actor, orderID, statement string) (string, error) {
		referred = append(referred, orderID)
		// Like a fraud case, the case holds the plan paused.
		return "case-1", e.app.Plans.Pause(tx, orderID, "fraud_case:case-1", 30)
	}
	const statement = "The parcel shop says it never got it"
	for _, reason := range dispute.Reasons {
		t.Run(string(reason), func(t *testing.T) {
			id := e.shipped(anna, 30_000)
			mailsBefore := len(e.mails(ownerEmail))
			d := e.open(id, reason, statement)
			if _, _, paused := e.plan(id); paused == nil || !paused.After(e.clk.Now()) {
				t.Errorf("the plan is not paused: %v", paused)
			}
			if e.auditBy(id, dispute.ActionOpened, "consumer:test") != 1 {
				t.Error("the opening is not audited")
			}
			if v := e.get(id, d.ID); v.Dispute.Statement != statement || len(v.Timeline) == 0 || v.Timeline[0].Kind != dispute.EventOpened {
				t.Errorf("the consumer reads %+v", v)
			}
			var sealed string
			e.read(func(tx *store.Tx) error {
				return tx.QueryRow(`SELECT statement FROM disputes WHERE id = $1`, d.ID).Scan(&sealed)
			})
			if strings.Contains(sealed, "parcel") {
				t.Error("the statement is stored in the clear")
			}
			if reason == dispute.Unauthorised {
				if d.Status != dispute.Referred || d.FraudCaseID != "case-1" || len(referred) != 1 || referred[0] != id {
					t.Errorf("unauthorised: %+v, referred %v", d, referred)
				}
				if n := e.count(`SELECT COUNT(*) FROM webhook_events WHERE order_id = $1 AND event_type = $2`, id, dispute.WebhookOpened); n != 0 {
					t.Errorf("%d webhooks for a referred dispute", n)
				}
				if n := e.count(`SELECT COUNT(*) FROM plan_pauses WHERE holder = $1`, "dispute:"+d.ID); n != 0 {
					t.Errorf("the referred dispute holds the plan paused besides its case (%d holds)", n)
				}
				return
			}
			if d.Status != dispute.AwaitingMerchant || !d.DeadlineAt.Equal(e.clk.Now().Add(e.svc.Config().For(reason).RespondWithin)) {
				t.Errorf("opened %+v", d)
			}
			var body string
			e.read(func(tx *store.Tx) error {
				return tx.QueryRow(`SELECT body FROM webhook_events WHERE order_id = $1 AND event_type = $2`, id, dispute.WebhookOpened).Scan(&body)
			})
			var hook map[string]any
			if err := json.Unmarshal([]byte(body), &hook); err != nil {
				t.Fatal(err)
			}
			if hook["order_id"] != id || hook["dispute_id"] != d.ID || hook["reason"] != string(reason) || hook["deadline_at"] == nil || strings.Contains(body, "parcel") {
				t.Errorf("webhook body %s", body)
			}
			if len(e.mails(ownerEmail)) != mailsBefore+1 {
				t.Error("the merchant's owner got no e-mail")
			}
			err := e.try(func(tx *store.Tx) error {
				_, err := e.svc.Open(tx, e.person(id), "consumer:test", id, dispute.NotReceived, "")
				return err
			})
			if apperr.Code(err) != dispute.CodeAlreadyOpen {
				t.Errorf("a second dispute: %v", err)
			}
		})
	}
	id := e.shipped(anna, 10_000)
	for _, c := range []struct {
		reason    dispute.Reason
		statement string
	}{{"broken", ""}, {dispute.NotReceived, strings.Repeat("x", dispute.MaxStatement+1)}, {dispute.NotReceived, "a\x00b"}} {
		err := e.try(func(tx *store.Tx) error {
			_, err := e.svc.Open(tx, e.person(id), "consumer:test", id, c.reason, c.statement)
			return err
		})
		if apperr.Code(err) != apperr.BadValue {
			t.Errorf("open %q: %v", c.reason, err)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM disputes WHERE order_id = $1`, id); n != 0 {
		t.Errorf("bad input wrote %d disputes", n)
	}
}

// TestAnotherConsumersOrderIsNotFound: a consumer can neither dispute nor
// read nor add to another person's order and dispute.
func TestAnotherConsumersOrderIsNotFound(t *testing.T) {
	e := newEnv(t)
	mine := e.shipped(anna, 20_000)
	theirs := e.shipped(carl, 25_000)
	me := e.person(mine)
	err := e.try(func(tx *store.Tx) error {
		_, err := e.svc.Open(tx, me, "consumer:anna", theirs, dispute.NotReceived, "")
		return err
	})
	if apperr.Code(err) != apperr.NotFound {
		t.Errorf("disputing another's order: %v", err)
	}
	d := e.open(theirs, dispute.NotAsDescribed, "The zip is broken")
	if _, err := e.svc.ConsumerView(e.ctx, me, d.ID); apperr.Code(err) != apperr.NotFound {
		t.Errorf("reading another's dispute: %v", err)
	}
	if _, err := e.svc.ForOrder(e.ctx, me, theirs); apperr.Code(err) != apperr.NotFound {
		t.Errorf("listing another's order: %v", err)
	}
	err = e.try(func(tx *store.Tx) error {
		_, err := e.svc.AddInformation(tx, me, "consumer:anna", d.ID, d.Version, "me too")
		return err
	})
	if apperr.Code(err) != apperr.NotFound {
		t.Errorf("adding to another's dispute: %v", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM disputes WHERE person_id = $1`, me); n != 0 {
		t.Errorf("%d disputes for the wrong consumer", n)
	}
}

// TestPausedScheduleThenMerchantWins: while a contested dispute is open,
// moving the clock across the original due dates sends no payment reminder
// and charges no late fee (the plan is paused again before each pause
// ends). The consumer adds information. After a dispute handler decides
// for the merchant the due dates stay moved and the reminders come again.
func TestPausedScheduleThenMerchantWins(t *testing.T) {
	e := newEnv(t)
	id := e.shipped(anna, 40_000)
	before, _, _ := e.plan(id)
	d := e.open(id, dispute.NotReceived, "Never arrived")
	err := e.try(func(tx *store.Tx) (err error) {
		d, err = e.svc.Contest(tx, e.shop.ID, d.ID, "api", d.Version, dispute.Contest{Carrier: "PostNord", TrackingNumber: "RR123456785DK",
			ProofOfDelivery: "Signed for at the parcel shop", Description: "Delivered on the 3rd"})
		return err
	})
	if err != nil || d.Status != dispute.AwaitingDecision || d.Evidence.TrackingNumber != "RR123456785DK" {
		t.Fatalf("contest: %+v %v", d, err)
	}
	e.write(func(tx *store.Tx) (err error) {
		d, err = e.svc.AddInformation(tx, e.person(id), "consumer:test", d.ID, d.Version, "The parcel shop has no record of it")
		return err
	})
	e.advanceDays(75)
	if n := e.reminders(anna); n != 0 {
		t.Errorf("%d payment reminders while the dispute is open", n)
	}
	dues, fees, paused := e.plan(id)
	if fees != 0 || paused == nil || !paused.After(e.clk.Now()) {
		t.Fatalf("after 75 days: late fees %d, paused until %v", fees, paused)
	}
	for i := range dues {
		if !dues[i].After(e.clk.Now()) || !dues[i].After(before[i]) {
			t.Errorf("instalment %d due %v (was %v)", i+1, dues[i], before[i])
		}
	}
	v := e.get(id, d.ID)
	if v.Dispute.Status != dispute.AwaitingDecision || v.Timeline[len(v.Timeline)-1].Body != "The parcel shop has no record of it" {
		t.Errorf("the consumer reads %+v", v)
	}

	cs := e.staff(account.RoleCustomerService)
	handler := e.staff(account.RoleDisputeHandler)
	decide := func(st account.Staff, version int64, outcome dispute.Outcome, reason string) error {
		return e.try(func(tx *store.Tx) error {
			out, err := e.svc.Decide(tx, st, d.ID, version, outcome, reason)
			if err == nil {
				d = out
			}
			return err
		})
	}
	if err := decide(cs, d.Version, dispute.MerchantWon, "x"); apperr.Code(err) != apperr.Forbidden {
		t.Errorf("customer service decides: %v", err)
	}
	if err := decide(handler, d.Version-1, dispute.MerchantWon, "x"); apperr.Code(err) != dispute.CodeChanged {
		t.Errorf("a stale version: %v", err)
	}
	if err := decide(handler, d.Version, "draw", "x"); apperr.Code(err) != apperr.BadValue {
		t.Errorf("a bad outcome: %v", err)
	}
	if err := decide(handler, d.Version, dispute.MerchantWon, "Carrier confirms delivery with signature"); err != nil {
		t.Fatal(err)
	}
	if d.Status != dispute.Closed || d.Outcome != dispute.MerchantWon || e.auditBy(id, dispute.ActionDecided, "staff:"+handler.ID) != 1 {
		t.Fatalf("decided %+v", d)
	}
	after, fees, paused := e.plan(id)
	if paused != nil || fees != 0 {
		t.Fatalf("after merchant_won: paused until %v, late fees %d", paused, fees)
	}
	for i := range after {
		if !after[i].Equal(dues[i]) {
			t.Errorf("instalment %d due %v after the decision, %v before", i+1, after[i], dues[i])
		}
	}
	if err := decide(handler, d.Version, dispute.ConsumerWon, "again"); apperr.Code(err) != dispute.CodeNotOpen {
		t.Errorf("deciding twice: %v", err)
	}
	e.advanceDays(120)
	if n := e.reminders(anna); n == 0 {
		t.Error("no payment reminder after the merchant won")
	}
	if st, _, refunded := e.orderState(id); refunded != 0 || st == checkout.StatusCancelled {
		t.Errorf("the order is %s, refunded %d", st, refunded)
	}
}

// TestConsumerWinsRefundAndSettlement: a dispute handler decides for the
// consumer: checkout refunds the captured amount and the merchant's
// settlement carries it as a refund line.
func TestConsumerWinsRefundAndSettlement(t *testing.T) {
	e := newEnv(t)
	id := e.shipped(anna, 50_000)
	d := e.open(id, dispute.NotAsDescribed, "The seams leak")
	e.write(func(tx *store.Tx) (err error) {
		d, err = e.svc.Contest(tx, e.shop.ID, d.ID, "merchant_user:1", d.Version, dispute.Contest{Description: "Jacket was fine when shipped"})
		return err
	})
	handler := e.staff(account.RoleDisputeHandler)
	e.write(func(tx *store.Tx) (err error) {
		d, err = e.svc.Decide(tx, handler, d.ID, d.Version, dispute.ConsumerWon, "Photos show a factory fault")
		return err
	})
	if d.Outcome != dispute.ConsumerWon || d.Resolution != dispute.Refund || d.Refunded != 50_000 {
		t.Fatalf("decided %+v", d)
	}
	if _, captured, refunded := e.orderState(id); refunded != captured {
		t.Errorf("captured %d, refunded %d", captured, refunded)
	}
	lines := e.settle()
	if lines[settlement.KindRefund] != -50_000 {
		t.Errorf("settlement lines %v: the merchant is not charged back 50000", lines)
	}
	if _, _, paused := e.plan(id); paused != nil {
		t.Errorf("the plan is still paused until %v", paused)
	}
}

// TestMerchantAccepts: the merchant accepts with a refund of the whole
// amount, or cancels an order not yet captured; both close consumer_won.
// After the deadline it can no longer answer.
func TestMerchantAccepts(t *testing.T) {
	e := newEnv(t)
	id := e.shipped(anna, 30_000)
	d := e.open(id, dispute.ReturnedNotRefunded, "Sent back on Monday")
	err := e.try(func(tx *store.Tx) error {
		_, err := e.svc.Accept(tx, e.shop.ID, d.ID, "api", d.Version, dispute.Acceptance{Resolution: dispute.Cancel})
		return err
	})
	if apperr.Code(err) != apperr.CancelNotAllowed {
		t.Errorf("cancelling a captured order: %v", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM dispute_events WHERE dispute_id = $1`, d.ID); n != 1 {
		t.Errorf("a refused acceptance left %d events", n)
	}
	e.write(func(tx *store.Tx) (err error) {
		d, err = e.svc.Accept(tx, e.shop.ID, d.ID, "api", d.Version, dispute.Acceptance{Resolution: dispute.Refund})
		return err
	})
	if d.Outcome != dispute.ConsumerWon || d.Refunded != 30_000 {
		t.Errorf("accepted %+v", d)
	}

	auth := e.order(anna, 12_000, "physical")
	d = e.open(auth, dispute.WrongInvoice, "")
	e.write(func(tx *store.Tx) (err error) {
		d, err = e.svc.Accept(tx, e.shop.ID, d.ID, "api", d.Version, dispute.Acceptance{Resolution: dispute.Cancel})
		return err
	})
	if st, _, _ := e.orderState(auth); st != checkout.StatusCancelled || d.Resolution != dispute.Cancel {
		t.Errorf("order %s, dispute %+v", st, d)
	}

	late := e.shipped(anna, 8_000)
	d = e.open(late, dispute.NotReceived, "")
	e.advanceDays(15)
	err = e.try(func(tx *store.Tx) error {
		_, err := e.svc.Accept(tx, e.shop.ID, d.ID, "api", d.Version, dispute.Acceptance{Resolution: dispute.Refund})
		return err
	})
	if code := apperr.Code(err); code != dispute.CodeNotOpen && code != dispute.CodeChanged {
		t.Errorf("answering after the deadline: %v", err)
	}
}

// TestDeadlineDecidesForConsumer: the merchant is reminded before the
// deadline; without an answer the rule decides for the consumer (audited
// as system) and refunds. Outside buyer protection (wrong invoice, or a
// gift card) the dispute goes to a dispute handler instead, and the
// consumer sees the exception.
func TestDeadlineDecidesForConsumer(t *testing.T) {
	e := newEnv(t)
	id := e.shipped(anna, 20_000)
	d := e.open(id, dispute.NotReceived, "")
	mails := len(e.mails(ownerEmail))
	e.advanceDays(13)
	if got := len(e.mails(ownerEmail)) - mails; got != 2 {
		t.Errorf("%d reminders to the merchant before the deadline, want 2", got)
	}
	e.advanceDays(1)
	v := e.get(id, d.ID)
	if v.Dispute.Status != dispute.Closed || v.Dispute.Outcome != dispute.ConsumerWon || v.Dispute.DecidedBy != "system" {
		t.Fatalf("after the deadline %+v", v.Dispute)
	}
	if got := len(e.mails(ownerEmail)) - mails; got != 3 {
		t.Errorf("%d e-mails to the merchant after the decision, want 2 reminders and the decision", got)
	}
	if e.auditBy(id, dispute.ActionDecided, "system") != 1 || e.auditBy(id, dispute.ActionDeadline, "system") != 1 {
		t.Error("the automatic decision is not audited as system")
	}
	if _, captured, refunded := e.orderState(id); refunded != captured {
		t.Errorf("captured %d, refunded %d", captured, refunded)
	}

	wrong := e.shipped(anna, 15_000)
	d = e.open(wrong, dispute.WrongInvoice, "Charged twice")
	gift := e.order(anna, 5_000, "gift_card")
	e.write(func(tx *store.Tx) error {
		_, err := e.app.Checkout.Capture(tx, e.shop.ID, gift, checkout.CaptureRequest{CapturedAmount: 5_000})
		return err
	})
	g := e.open(gift, dispute.NotReceived, "")
	if g.Protected || g.Exception != "dispute.exception.gift_card" || d.Protected {
		t.Errorf("protection: gift %+v, wrong invoice %+v", g, d)
	}
	e.advanceDays(15)
	for _, c := range []struct{ order, id string }{{wrong, d.ID}, {gift, g.ID}} {
		if v := e.get(c.order, c.id); v.Dispute.Status != dispute.AwaitingDecision {
			t.Errorf("an unprotected dispute after the deadline: %+v", v.Dispute)
		}
		if _, _, paused := e.plan(c.order); paused == nil {
			t.Error("the plan resumed while the dispute waits for a decision")
		}
	}
	q, err := e.svc.Queue(e.ctx, e.staff(account.RoleDisputeHandler))
	if err != nil || len(q) != 2 {
		t.Errorf("queue %d %v", len(q), err)
	}
}

// pdf, png and jpeg are the smallest files of each type the sniffer knows.
var (
	pdf  = []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	png  = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 32)...)
	jpeg = append([]byte("\xff\xd8\xff\xe0"), make([]byte, 32)...)
)

// TestContestWithDocuments: documents are stored sealed and read back by a
// dispute handler (audited); a file too large, of another type, or one too
// many is refused and nothing is written.
func TestContestWithDocuments(t *testing.T) {
	e := newEnv(t)
	id := e.shipped(anna, 25_000)
	d := e.open(id, dispute.NotReceived, "")
	contest := func(docs ...dispute.Upload) error {
		return e.try(func(tx *store.Tx) (err error) {
			_, err = e.svc.Contest(tx, e.shop.ID, d.ID, "api", d.Version, dispute.Contest{Description: "Delivered", Documents: docs})
			return err
		})
	}
	big := append(append([]byte{}, pdf...), make([]byte, dispute.MaxDocumentBytes)...)
	six := make([]dispute.Upload, 6)
	for i := range six {
		six[i] = dispute.Upload{Name: "p.png", Content: png}
	}
	for name, docs := range map[string][]dispute.Upload{
		"too large": {{Name: "receipt.pdf", Content: big}},
		"text":      {{Name: "receipt.pdf", Content: []byte("just some text pretending to be a PDF")}},
		"html":      {{Name: "x.png", Content: []byte("<html><body>hi</body></html>")}},
		"empty":     {{Name: "e.pdf"}},
		"no name":   {{Content: pdf}},
		"six":       six,
	} {
		if err := contest(docs...); apperr.Code(err) != apperr.BadValue {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := e.try(func(tx *store.Tx) error {
		_, err := e.svc.Contest(tx, e.shop.ID, d.ID, "api", d.Version, dispute.Contest{TrackingNumber: "RR1", Description: "x"})
		return err
	}); apperr.Code(err) != apperr.BadValue {
		t.Errorf("a tracking number without a carrier: %v", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM dispute_documents`); n != 0 {
		t.Fatalf("refused uploads stored %d documents", n)
	}
	if err := contest(dispute.Upload{Name: "pod.pdf", Content: pdf}, dispute.Upload{Name: "photo.png", Content: png},
		dispute.Upload{Name: "label.jpg", Content: jpeg}); err != nil {
		t.Fatal(err)
	}
	var sealed string
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT content FROM dispute_documents WHERE content_type = 'application/pdf'`).Scan(&sealed)
	})
	if strings.Contains(sealed, "PDF") {
		t.Error("the document is stored in the clear")
	}
	handler := e.staff(account.RoleDisputeHandler)
	var v dispute.View
	e.write(func(tx *store.Tx) (err error) {
		v, err = e.svc.StaffView(tx, handler, d.ID)
		return err
	})
	if len(v.Documents) != 3 || v.Documents[0].Name != "pod.pdf" || v.Documents[2].ContentType != "image/jpeg" {
		t.Fatalf("documents %+v", v.Documents)
	}
	e.write(func(tx *store.Tx) error {
		di, content, err := e.svc.Document(tx, handler, d.ID, v.Documents[0].ID)
		if err == nil && (!bytes.Equal(content, pdf) || di.ContentType != "application/pdf") {
			t.Errorf("read back %+v %q", di, content)
		}
		return err
	})
	if e.auditBy(id, dispute.ActionDocument, "staff:"+handler.ID) != 1 || e.auditBy(id, dispute.ActionViewed, "staff:"+handler.ID) != 1 {
		t.Error("the staff's reads are not audited")
	}
	cs := e.staff(account.RoleCustomerService)
	if err := e.try(func(tx *store.Tx) error {
		_, _, err := e.svc.Document(tx, cs, d.ID, v.Documents[0].ID)
		return err
	}); apperr.Code(err) != apperr.Forbidden {
		t.Errorf("customer service reads a document: %v", err)
	}
	mv, err := e.svc.MerchantView(e.ctx, e.shop.ID, d.ID)
	if err != nil || len(mv.Documents) != 3 || mv.Dispute.Statement != "" {
		t.Errorf("merchant view %+v %v", mv, err)
	}
	if _, err := e.svc.MerchantView(e.ctx, "someone-else", d.ID); apperr.Code(err) != apperr.NotFound {
		t.Errorf("another merchant reads the dispute: %v", err)
	}
}
