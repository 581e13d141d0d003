package postapproval_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/rail"
	"github.com/tillit/tillit/internal/risk/postapproval"
	"github.com/tillit/tillit/internal/risk/record"
	"github.com/tillit/tillit/internal/screening"
	"github.com/tillit/tillit/internal/store"
)

// TestLinkedFraudAcceptance is the acceptance path of the issue: two
// approved orders share a device; a signal brings the first into review
// and an analyst stops it; the second enters the queue through
// linked_fraud, an analyst stops it too, its fraud status becomes STOPPED
// and the merchant's endpoint receives FRAUD_RISK_STOPPED for it, with
// nothing about the consumer or why.
func TestLinkedFraudAcceptance(t *testing.T) {
	e := newEnv(t)
	first := e.order(buyer{"mallory@example.dk", "device-shared-1"}, 250_000)
	second := e.order(buyer{"trudy@example.dk", "device-shared-1"}, 180_000)
	other := e.order(buyer{"anna@example.dk", "device-anna"}, 90_000)

	if got := e.raise(postapproval.Signal{Kind: postapproval.PaymentFailed, PersonID: e.personOf(first), Detail: "insufficient_funds"}); !slices.Equal(got, []string{first}) {
		t.Fatalf("payment_failed reviewed %v, want the first order", got)
	}
	queue, err := e.svc.List(e.ctx, 10)
	if err != nil || len(queue) != 1 || queue[0].OrderID != first {
		t.Fatalf("queue = %+v, %v", queue, err)
	}
	if err := e.act(analyst, e.review(first), postapproval.Stop, "Card testing pattern on this account"); err != nil {
		t.Fatal(err)
	}
	if fs, _ := e.fraudStatus(first); fs != checkout.FraudStopped {
		t.Fatalf("first order's fraud status %s, want STOPPED", fs)
	}

	// The stop confirmed the first order as fraud: the second, on the
	// same device, is in the queue through linked_fraud; the third is not.
	queue, err = e.svc.List(e.ctx, 10)
	if err != nil || len(queue) != 1 || queue[0].OrderID != second {
		t.Fatalf("queue after the stop = %+v, %v", queue, err)
	}
	r := queue[0]
	if len(r.Signals) != 1 || r.Signals[0].Kind != postapproval.LinkedFraud || r.Signals[0].Source != first || r.Signals[0].Detail != "device_key" {
		t.Fatalf("signals = %+v", r.Signals)
	}
	if e.hasReview(other) {
		t.Error("an order on another device was reviewed")
	}
	var recs []record.Assessment
	e.read(func(tx *store.Tx) (err error) {
		recs, err = record.ForOrder(tx, second)
		return err
	})
	last := recs[len(recs)-1]
	if last.Kind != record.KindReassessment || last.Signal != string(postapproval.LinkedFraud) || last.Decision.Outcome != "PENDING" ||
		!slices.Equal(last.Decision.Reasons, []string{postapproval.ReasonLinkedFraud}) {
		t.Fatalf("last decision record = %+v", last)
	}
	var label int
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT fraud_label FROM risk_observations WHERE order_id = $1`, first).Scan(&label)
	})
	if label != 1 {
		t.Errorf("the stopped order's fraud label is %d, want 1", label)
	}

	if err := e.act(analyst, r, postapproval.Stop, "Same device as a stopped order"); err != nil {
		t.Fatal(err)
	}
	if fs, status := e.fraudStatus(second); fs != checkout.FraudStopped || status != checkout.StatusAuthorized {
		t.Fatalf("second order is %s/%s, want STOPPED and still AUTHORIZED", fs, status)
	}
	if r := e.review(second); r.Status != postapproval.StatusStopped || r.ClosedBy != "staff:"+analyst.ID || r.ClosedAt == nil {
		t.Fatalf("review after the stop = %+v", r)
	}
	if n, err := e.svc.CountOpen(e.ctx); err != nil || n != 0 {
		t.Fatalf("%d open reviews, %v", n, err)
	}

	e.runJobs()
	var stopped []string
	for _, ev := range e.events() {
		if ev["event_type"] == checkout.EventFraudStopped {
			stopped = append(stopped, ev["order_id"].(string))
		}
		for k := range ev {
			// A stop carries the link to its stop request's form, nothing
			// about the consumer or why.
			if !slices.Contains([]string{"order_id", "event_type", "event_id", "occurred_at", "stop_request_url"}, k) {
				t.Errorf("the merchant's notification carries %q: %v", k, ev)
			}
		}
	}
	if !slices.Contains(stopped, second) || !slices.Contains(stopped, first) {
		t.Fatalf("FRAUD_RISK_STOPPED for %v, want both orders", stopped)
	}
	for _, b := range e.rec.bodies() {
		if containsAny(strings.ToLower(string(b)), "trudy", "mallory", "anna", "jensen", "sletten", "device", "reason", "same device", "@") {
			t.Errorf("a notification reveals the consumer or why: %s", b)
		}
	}

	// Every action is audited with the analyst, the review, the order and
	// the reason.
	entries, err := audit.ForSubject(e.ctx, e.app.DB, second)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, en := range entries {
		if en.Action == postapproval.ActionStopped {
			found = true
			s := string(en.Details)
			if en.Actor != "staff:"+analyst.ID || !strings.Contains(s, r.ID) || !strings.Contains(s, "Same device as a stopped order") {
				t.Errorf("audit entry = %+v %s", en, s)
			}
		}
	}
	if !found {
		t.Fatal("the stop is not in the audit log")
	}
}

// TestActionsAreCheckedAndWriteNothingWhenRefused: a stale version, a
// closed review, a missing reason, a role that may not work reviews and an
// unknown review are refused with their codes and change nothing.
func TestActionsAreCheckedAndWriteNothingWhenRefused(t *testing.T) {
	e := newEnv(t)
	id := e.order(buyer{"anna@example.dk", "dev-a"}, 50_000)
	e.raise(postapproval.Signal{Kind: postapproval.ScreeningHit, OrderIDs: []string{id}, Detail: "ofac_sdn"})
	r := e.review(id)
	stale := r
	stale.Version--
	for _, c := range []struct {
		name   string
		st     account.Staff
		r      postapproval.Review
		action postapproval.Action
		reason string
		code   string
	}{
		{"stale version", analyst, stale, postapproval.Clear, "fine", postapproval.CodeChanged},
		{"no reason", analyst, r, postapproval.Clear, "  ", apperr.BadValue},
		{"long reason", analyst, r, postapproval.Clear, strings.Repeat("x", postapproval.MaxReason+1), apperr.BadValue},
		{"unknown action", analyst, r, "approve", "fine", apperr.BadValue},
		{"risk analyst", account.Staff{ID: ids.New(), Role: account.RoleRiskAnalyst}, r, postapproval.Clear, "fine", apperr.Forbidden},
		{"customer service", account.Staff{ID: ids.New(), Role: account.RoleCustomerService}, r, postapproval.Stop, "fine", apperr.Forbidden},
		{"unknown review", analyst, postapproval.Review{ID: ids.New(), Version: 1}, postapproval.Clear, "fine", apperr.NotFound},
	} {
		if err := e.act(c.st, c.r, c.action, c.reason); apperr.Code(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if got := e.review(id); got.Version != r.Version || got.Status != postapproval.StatusOpen {
		t.Fatalf("refused actions changed the review: %+v", got)
	}
	if n := len(auditActions(t, e, id)); n != 0 {
		t.Fatalf("refused actions audited %d entries", n)
	}
	// Admin may; then the review is closed and the order stays approved.
	if err := e.act(account.Staff{ID: ids.New(), Role: account.RoleAdmin}, r, postapproval.Clear, "Known customer, list name only"); err != nil {
		t.Fatal(err)
	}
	if fs, _ := e.fraudStatus(id); fs != checkout.FraudAccepted {
		t.Fatalf("cleared order is %s", fs)
	}
	if err := e.act(analyst, e.review(id), postapproval.Stop, "late"); apperr.Code(err) != apperr.NotAllowed {
		t.Fatalf("acting on a closed review: %v", err)
	}
	// A new signal after clearing opens a new review.
	e.raise(postapproval.Signal{Kind: postapproval.PaymentFailed, OrderIDs: []string{id}})
	if got := e.review(id); got.ID == r.ID || got.Status != postapproval.StatusOpen {
		t.Fatalf("after a new signal: %+v", got)
	}
	// A signal with personal data in its detail is refused.
	e.write(func(tx *store.Tx) error {
		_, err := e.svc.Raise(tx, postapproval.Signal{Kind: postapproval.ScreeningHit, OrderIDs: []string{id}, Detail: "Anna Jensen"})
		if apperr.Code(err) != apperr.BadValue {
			t.Errorf("detail with a name: %v", err)
		}
		return nil
	})
}

// auditActions lists the review actions audited for an order.
func auditActions(t *testing.T, e *env, orderID string) []string {
	t.Helper()
	entries, err := audit.ForSubject(e.ctx, e.app.DB, orderID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, en := range entries {
		if strings.HasPrefix(en.Action, "risk_review.") {
			out = append(out, en.Action)
		}
	}
	return out
}

// TestSignalsReachOnlyApprovedUnshippedOrders: a captured order and a
// cancelled one are not reviewed; a second signal on an order in review
// adds to its review, and the same signal twice adds once.
func TestSignalsReachOnlyApprovedUnshippedOrders(t *testing.T) {
	e := newEnv(t)
	b := buyer{"anna@example.dk", "dev-a"}
	open := e.order(b, 40_000)
	shipped := e.order(b, 30_000)
	cancelled := e.order(b, 20_000)
	e.write(func(tx *store.Tx) error {
		if _, err := e.app.Checkout.Capture(tx, e.shop.ID, shipped, checkout.CaptureRequest{CapturedAmount: 30_000}); err != nil {
			return err
		}
		return e.app.Checkout.Cancel(tx, e.shop.ID, cancelled)
	})
	person := e.personOf(open)
	if got := e.raise(postapproval.Signal{Kind: postapproval.PaymentFailed, PersonID: person, Detail: "insufficient_funds"}); !slices.Equal(got, []string{open}) {
		t.Fatalf("reviewed %v, want only the open order", got)
	}
	e.raise(postapproval.Signal{Kind: postapproval.PaymentFailed, PersonID: person, Detail: "insufficient_funds"})
	e.raise(postapproval.Signal{Kind: postapproval.ScreeningHit, PersonID: person, Detail: "un_consolidated"})
	r := e.review(open)
	if len(r.Signals) != 2 || r.Signals[0].Kind != postapproval.PaymentFailed || r.Signals[1].Kind != postapproval.ScreeningHit {
		t.Fatalf("signals = %+v", r.Signals)
	}
	// 1 - (1 - 0.25)(1 - 0.9) = 0.925
	if r.SeverityPPM != 925_000 {
		t.Errorf("severity = %d ppm, want 925000", r.SeverityPPM)
	}
	if e.hasReview(shipped) || e.hasReview(cancelled) {
		t.Error("a shipped or cancelled order was reviewed")
	}
}

// TestQueueOrdersByAmountRiskAndShipping: a larger amount comes first at
// equal risk, a stronger signal first at equal amount, and an order whose
// capture deadline is near first when the rest is equal.
func TestQueueOrdersByAmountRiskAndShipping(t *testing.T) {
	e := newEnv(t)
	small := e.order(buyer{"a@example.dk", "d1"}, 10_000)
	large := e.order(buyer{"b@example.dk", "d2"}, 90_000)
	screened := e.order(buyer{"c@example.dk", "d3"}, 10_000)
	e.raise(postapproval.Signal{Kind: postapproval.PaymentFailed, OrderIDs: []string{small, large}})
	e.raise(postapproval.Signal{Kind: postapproval.ScreeningHit, OrderIDs: []string{screened}})
	order := func() []string {
		rs, err := e.svc.List(e.ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rs {
			out = append(out, r.OrderID)
		}
		return out
	}
	if got := order(); !slices.Equal(got, []string{large, screened, small}) {
		t.Fatalf("queue %v, want large, screened, small", got)
	}
	// An extended authorization moves the deadline the queue works with.
	before := e.review(small).ShipBy
	e.clk.Advance(10 * 24 * time.Hour)
	e.write(func(tx *store.Tx) error { return e.app.Checkout.ExtendAuthorization(tx, e.shop, small) })
	rs, err := e.svc.List(e.ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(rs, func(r postapproval.Review) bool { return r.OrderID == small }); i < 0 || !rs[i].ShipBy.After(before) {
		t.Errorf("after an extension the queue's deadline is still %v", before)
	}
	// Urgency: the same review weighs 4× within a day of its deadline.
	r := e.review(small)
	if u := r.Urgency(r.ShipBy.Add(-48 * time.Hour)); u != 2 {
		t.Errorf("urgency two days out = %v", u)
	}
	if u := r.Urgency(r.ShipBy.Add(-time.Hour)); u != 4 {
		t.Errorf("urgency an hour out = %v", u)
	}
	if p, q := r.Priority(r.ShipBy.Add(-time.Hour)), r.Priority(r.ShipBy.Add(-30*24*time.Hour)); p != 4*q {
		t.Errorf("priority near the deadline %v, far %v", p, q)
	}
}

// TestDeviceSeenOnManyIdentities: the fourth person on one device within
// a week raises device_many_identities for the approved orders placed from
// it (checkout's hook does so in the authorization); three do not.
func TestDeviceSeenOnManyIdentities(t *testing.T) {
	e := newEnv(t)
	var orders []string
	for _, email := range []string{"p1@example.dk", "p2@example.dk", "p3@example.dk"} {
		orders = append(orders, e.order(buyer{email, "farm-1"}, 20_000))
	}
	var key string
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT device_key FROM risk_observations WHERE order_id = $1`, orders[0]).Scan(&key)
	})
	seen := func() []string {
		var out []string
		e.write(func(tx *store.Tx) (err error) {
			out, err = e.svc.DeviceSeen(tx, key)
			return err
		})
		return out
	}
	if got := seen(); len(got) != 0 {
		t.Fatalf("three persons raised the signal for %v", got)
	}
	e.order(buyer{"p4@example.dk", "farm-1"}, 20_000)
	// Checkout's hook after the fourth person's assessment raised it
	// already, in the authorization's transaction.
	if !e.hasReview(orders[0]) {
		t.Fatal("the fourth person's authorization did not raise the device signal")
	}
	got := seen()
	if len(got) != 4 || !slices.Contains(got, orders[0]) {
		t.Fatalf("reviewed %v, want the four orders on the device", got)
	}
	if r := e.review(orders[0]); r.Signals[0].Kind != postapproval.DeviceIdentities || r.Signals[0].Detail != "persons_4" {
		t.Fatalf("signal = %+v", r.Signals)
	}
	// A week later the device's older purchases no longer count.
	e.clk.Advance(8 * 24 * time.Hour)
	e.write(func(tx *store.Tx) error {
		n, err := e.svc.DeviceSeen(tx, key)
		if len(n) != 0 {
			t.Errorf("a week later the signal reviewed %v", n)
		}
		return err
	})
}

// TestFailedCollectRaisesPaymentFailed: the rail's failure hook raises
// payment_failed for the person's approved orders on a failed collect, and
// does nothing for a payout.
func TestFailedCollectRaisesPaymentFailed(t *testing.T) {
	e := newEnv(t)
	id := e.order(buyer{"anna@example.dk", "dev-a"}, 30_000)
	e.write(func(tx *store.Tx) error {
		return e.svc.TransferFailed(tx, rail.Transfer{ID: ids.New(), Direction: rail.Payout, OrderID: id, FailureReason: "closed"})
	})
	if e.hasReview(id) {
		t.Fatal("a failed payout raised a review")
	}
	e.write(func(tx *store.Tx) error {
		return e.svc.TransferFailed(tx, rail.Transfer{ID: ids.New(), Direction: rail.Collect, OrderID: id, FailureReason: "insufficient_funds"})
	})
	if r := e.review(id); r.Signals[0].Kind != postapproval.PaymentFailed || r.Signals[0].Detail != "insufficient_funds" {
		t.Fatalf("signals = %+v", r.Signals)
	}
}

// TestRejectCancelsAndNotifies: rejecting sets REJECTED, cancels the
// authorization and notifies the merchant FRAUD_RISK_REJECTED.
func TestRejectCancelsAndNotifies(t *testing.T) {
	e := newEnv(t)
	id := e.order(buyer{"anna@example.dk", "dev-a"}, 30_000)
	e.raise(postapproval.Signal{Kind: postapproval.ScreeningHit, OrderIDs: []string{id}, Detail: "ofac_sdn"})
	if err := e.act(analyst, e.review(id), postapproval.Reject, "Confirmed list match"); err != nil {
		t.Fatal(err)
	}
	if fs, status := e.fraudStatus(id); fs != checkout.FraudRejected || status != checkout.StatusCancelled {
		t.Fatalf("rejected order is %s/%s", fs, status)
	}
	e.runJobs()
	var rejected bool
	for _, ev := range e.events() {
		rejected = rejected || (ev["event_type"] == checkout.EventFraudRejected && ev["order_id"] == id)
	}
	if !rejected {
		t.Fatalf("no FRAUD_RISK_REJECTED: %v", e.events())
	}
}

// TestContactCustomerAndAnswer: contacting the customer mails a
// verification request and takes the review out of the queue; the answer
// (another person's is refused) puts it back with the answer and the note,
// which is stored sealed.
func TestContactCustomerAndAnswer(t *testing.T) {
	e := newEnv(t)
	const email = "anna@example.dk"
	id := e.order(buyer{email, "dev-a"}, 30_000)
	stranger := e.personOf(e.order(buyer{"bob@example.dk", "dev-b"}, 10_000))
	e.raise(postapproval.Signal{Kind: postapproval.PaymentFailed, OrderIDs: []string{id}})
	if err := e.act(analyst, e.review(id), postapproval.Contact, "Ask before deciding"); err != nil {
		t.Fatal(err)
	}
	r := e.review(id)
	if r.Status != postapproval.StatusAwaitingCustomer || r.AskedAt == nil {
		t.Fatalf("review = %+v", r)
	}
	if n, _ := e.svc.CountOpen(e.ctx); n != 0 {
		t.Fatalf("%d open reviews while the customer is asked", n)
	}
	secret, err := e.app.DB.InstanceSecret(e.ctx, ids.ConsumerKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	e.read(func(tx *store.Tx) error {
		msgs, err := outbox.To(tx, e.app.Vault, secret, outbox.Email, email, 5)
		if err != nil {
			return err
		}
		if len(msgs) == 0 || !strings.Contains(msgs[0].Body, "Nordic Rain") || msgs[0].PersonID != r.PersonID {
			t.Errorf("verification mail = %+v", msgs)
		}
		return nil
	})
	var vs []postapproval.Verification
	e.read(func(tx *store.Tx) (err error) {
		vs, err = e.svc.Verifications(tx, r.PersonID)
		return err
	})
	if len(vs) != 1 || vs[0].OrderID != id || vs[0].MerchantName != "Nordic Rain" {
		t.Fatalf("verifications = %+v", vs)
	}
	e.write(func(tx *store.Tx) error {
		if err := e.svc.Answer(tx, stranger, "", r.ID, false, ""); apperr.Code(err) != apperr.NotFound {
			t.Errorf("another person's answer: %v", err)
		}
		return nil
	})
	const note = "My son used my account, I did not order this"
	e.write(func(tx *store.Tx) error { return e.svc.Answer(tx, r.PersonID, "", r.ID, false, note) })
	r = e.review(id)
	if r.Status != postapproval.StatusOpen || r.Answer != postapproval.AnswerNotMade || r.Note != note || r.AnsweredAt == nil {
		t.Fatalf("answered review = %+v", r)
	}
	e.read(func(tx *store.Tx) error {
		var stored string
		if err := tx.QueryRow(`SELECT answer_note FROM risk_reviews WHERE id = $1`, r.ID).Scan(&stored); err != nil {
			return err
		}
		if stored == "" || strings.Contains(stored, "son") {
			t.Errorf("the note is stored as %q", stored)
		}
		return nil
	})
	e.write(func(tx *store.Tx) error {
		if err := e.svc.Answer(tx, r.PersonID, "", r.ID, true, ""); apperr.Code(err) != apperr.NotAllowed {
			t.Errorf("a second answer: %v", err)
		}
		return nil
	})
	if got := auditActions(t, e, id); !slices.Equal(got, []string{postapproval.ActionContacted, postapproval.ActionAnswered}) {
		t.Fatalf("audited %v", got)
	}
}

// TestScreeningReloadHitReviewsOnce: the screening service's hook, as the
// app wires it, raises screening_hit for the person's approved orders with
// the list and entry as detail; the same hit again (a retried batch)
// records nothing more.
func TestScreeningReloadHitReviewsOnce(t *testing.T) {
	e := newEnv(t)
	id := e.order(buyer{"anna@example.dk", "dev-a"}, 30_000)
	hit := screening.RescreenHit{PersonID: e.personOf(id), OrderIDs: []string{id},
		Matches: []screening.Match{{List: "OFAC SDN", EntryID: "12345", PrimaryName: "Somebody Listed"}}}
	for range 2 {
		e.write(func(tx *store.Tx) error { return e.app.Screening.OnHit(e.ctx, tx, hit) })
	}
	r := e.review(id)
	if len(r.Signals) != 1 || r.Signals[0].Kind != postapproval.ScreeningHit || r.Signals[0].Detail != "ofac_sdn:12345" {
		t.Fatalf("signals = %+v", r.Signals)
	}
	var n int
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM risk_assessments WHERE order_id = $1 AND kind = $2`, id, record.KindReassessment).Scan(&n)
	})
	if n != 1 {
		t.Fatalf("%d reassessments, want 1", n)
	}
}
