package returns_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/notify"
	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/returns"
	"github.com/tillit/tillit/internal/store"
)

// dues returns the due dates of the order's instalments.
func dues(p repayment.Plan) []time.Time {
	var out []time.Time
	for _, in := range p.Installments {
		out = append(out, in.Due)
	}
	return out
}

// lateFees returns the late fees charged on the plan.
func lateFees(p repayment.Plan) int64 {
	var n int64
	for _, in := range p.Installments {
		n += in.LateFee
	}
	return n
}

// TestRegisterPausesUntilThePauseEnds: a return of one of two jackets is
// worth half the jackets' line; the merchant gets a webhook with the lines,
// carrier and tracking number and nothing else about the consumer, and an
// e-mail. The plan pauses: its due date moves by the pause, and across the
// old due date no reminder is sent and no late fee charged. When the pause
// ends without a refund the return is unrefunded, the plan runs again from
// the moved due date and the consumer is invited to dispute.
func TestRegisterPausesUntilThePauseEnds(t *testing.T) {
	e := newEnv(t)
	id := e.shipped(annaEmail)
	e.advanceDays(25) // the instalment is due on day 30
	before := dues(e.plan(id))
	if len(before) != 1 || e.reminders(annaEmail) != 0 {
		t.Fatalf("before the return: due %v, %d reminders", before, e.reminders(annaEmail))
	}
	registeredAt := e.clk.Now()
	r := e.register(id)
	pause := time.Duration(returns.DefaultPauseDays) * 24 * time.Hour
	want := []returns.Line{{Index: 0, Name: "Rain jacket", Quantity: 1}}
	if r.Status != returns.Registered || !slices.Equal(r.Lines, want) || r.Amount != 20_000 || r.Currency != "DKK" ||
		r.Carrier != "PostNord" || r.TrackingNumber != "RR123456785DK" || r.MerchantID != e.shop.ID || r.Version != 1 ||
		!r.PauseUntil.Equal(registeredAt.Add(pause)) || r.Reference == "" {
		t.Fatalf("registered %+v", r)
	}
	if got := e.latest(id); got.ID != r.ID || got.TrackingNumber != r.TrackingNumber || got.Status != returns.Registered {
		t.Errorf("the consumer reads %+v", got)
	}
	if e.auditBy(id, returns.ActionRegistered, "consumer:test") != 1 {
		t.Error("the registration is not audited")
	}

	deliveries, err := notify.Deliveries(e.ctx, e.app.DB, e.shop.ID, id, 50)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	for _, d := range deliveries {
		if d.Event.Type == returns.WebhookRegistered {
			if body != nil {
				t.Error("two return.registered webhooks")
			}
			if err := json.Unmarshal(d.Event.Body, &body); err != nil {
				t.Fatal(err)
			}
			for _, personal := range []string{"Anna", "Jensen", "Sletten", "Klarup", "9270", annaEmail, "+4520123456", "1990"} {
				if strings.Contains(string(d.Event.Body), personal) {
					t.Errorf("the webhook carries %q: %s", personal, d.Event.Body)
				}
			}
		}
	}
	var keys []string
	for k := range body {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	wantKeys := []string{"amount", "carrier", "currency", "event_id", "event_type", "lines", "occurred_at", "order_id", "pause_until", "return_id", "tracking_number"}
	if !slices.Equal(keys, wantKeys) || body["return_id"] != r.ID || body["order_id"] != id || body["tracking_number"] != "RR123456785DK" ||
		body["carrier"] != "PostNord" || body["amount"] != 20_000.0 {
		t.Errorf("webhook body %v", body)
	}
	if lines, _ := body["lines"].([]any); len(lines) != 1 {
		t.Errorf("webhook lines %v", body["lines"])
	}
	subject := i18n.T(i18n.Default, "return.mail.registered.subject", "reference", r.Reference)
	if !slices.Contains(e.mails(ownerEmail), subject) {
		t.Errorf("the merchant owner got %v, not %q", e.mails(ownerEmail), subject)
	}

	p := e.plan(id)
	if p.PausedUntil == nil || !p.PausedUntil.After(e.clk.Now()) || !dues(p)[0].Equal(plan.AddDays(before[0], returns.DefaultPauseDays)) {
		t.Fatalf("after registering: paused until %v, due %v (was %v)", p.PausedUntil, dues(p), before)
	}
	moved := dues(p)

	// Day 45: past the old due date and its first overdue reminder.
	e.advanceDays(returns.DefaultPauseDays - 1)
	if n := e.reminders(annaEmail); n != 0 {
		t.Errorf("%d payment reminders while the return pauses the plan", n)
	}
	if p := e.plan(id); lateFees(p) != 0 || p.PausedUntil == nil {
		t.Errorf("during the pause: late fees %d, paused until %v", lateFees(p), p.PausedUntil)
	}
	if got := e.latest(id); got.Status != returns.Registered {
		t.Fatalf("before the pause ends the return is %s", got.Status)
	}
	unrefunded := i18n.T(i18n.Danish, "return.mail.unrefunded.subject", "reference", r.Reference)
	if slices.Contains(e.mails(annaEmail), unrefunded) {
		t.Error("the consumer is invited to dispute before the pause ends")
	}

	// The pause ends.
	e.advanceDays(1)
	got := e.latest(id)
	if got.Status != returns.Unrefunded || got.ClosedAt == nil || got.Version != 2 {
		t.Fatalf("after the pause: %+v", got)
	}
	if e.auditBy(id, returns.ActionUnrefunded, "system") != 1 {
		t.Error("the pause end is not audited")
	}
	if !slices.Contains(e.mails(annaEmail), unrefunded) {
		t.Errorf("the consumer got %v, no invitation to dispute", e.mails(annaEmail))
	}
	p = e.plan(id)
	if p.PausedUntil != nil || !slices.EqualFunc(dues(p), moved, time.Time.Equal) {
		t.Fatalf("after the pause: paused until %v, due %v (moved to %v)", p.PausedUntil, dues(p), moved)
	}
	e.runJobs() // the pause-end job ran once and is gone
	if n := e.count(`SELECT COUNT(*) FROM jobs WHERE kind = $1`, returns.JobPauseEnd); n != 0 {
		t.Errorf("%d pause-end jobs left", n)
	}

	// The plan runs again: reminders and late fees from the moved due date.
	e.advanceDays(15)
	if e.reminders(annaEmail) == 0 || lateFees(e.plan(id)) == 0 {
		t.Errorf("after the moved due date: %d reminders, late fees %d", e.reminders(annaEmail), lateFees(e.plan(id)))
	}
	if got := e.latest(id); got.Status != returns.Unrefunded || got.Version != 2 {
		t.Errorf("the closed return changed: %+v", got)
	}
}

// TestMerchantRefundResumesThePlan: a refund through checkout's refund path
// marks the live return refunded with the refund's id and resumes the plan
// at once; the moved due date stays and the pause-end job does nothing.
func TestMerchantRefundResumesThePlan(t *testing.T) {
	e := newEnv(t)
	id := e.shipped(annaEmail)
	e.advanceDays(25)
	r := e.register(id)
	moved := dues(e.plan(id))
	e.advanceDays(3)
	refundID := e.refund(id, 20_000)
	got := e.latest(id)
	if got.Status != returns.Refunded || got.RefundID != refundID || got.ClosedAt == nil || got.Version != r.Version+1 ||
		got.TrackingNumber != "RR123456785DK" {
		t.Fatalf("after the refund: %+v", got)
	}
	if e.auditBy(id, returns.ActionRefunded, "system") != 1 {
		t.Error("the refund of the return is not audited")
	}
	p := e.plan(id)
	if p.PausedUntil != nil || p.Outstanding != 25_000 || !slices.EqualFunc(dues(p), moved, time.Time.Equal) {
		t.Fatalf("after the refund: paused until %v, outstanding %d, due %v (moved to %v)", p.PausedUntil, p.Outstanding, dues(p), moved)
	}

	// A second refund finds no live return; the pause end leaves the
	// refunded return alone.
	e.refund(id, 5_000)
	e.advanceDays(returns.DefaultPauseDays)
	if got := e.latest(id); got.Status != returns.Refunded || got.Version != r.Version+1 {
		t.Errorf("later: %+v", got)
	}
	if e.auditBy(id, returns.ActionRefunded, "system") != 1 || e.auditBy(id, returns.ActionUnrefunded, "system") != 0 {
		t.Error("a closed return was closed again")
	}
	unrefunded := i18n.T(i18n.Danish, "return.mail.unrefunded.subject", "reference", r.Reference)
	if slices.Contains(e.mails(annaEmail), unrefunded) {
		t.Error("the consumer of a refunded return is invited to dispute")
	}

	// The order's return is closed, so a new one may be registered.
	again := e.register(id)
	if again.ID == r.ID || again.Status != returns.Registered {
		t.Errorf("a new return after the refund: %+v", again)
	}
}

// TestRefundOfPaidOrderPaysTheConsumerBack: the consumer paid the whole
// order; the merchant's refund of the returned jacket is paid out to them,
// and the order's receivable and the payouts in transit are back at zero.
func TestRefundOfPaidOrderPaysTheConsumerBack(t *testing.T) {
	e := newEnv(t)
	id := e.shipped(annaEmail)
	personID := e.person(id)
	if _, err := e.app.Plans.Pay(e.ctx, personID, id, repayment.PayAll, ""); err != nil {
		t.Fatal(err)
	}
	e.runJobs()
	e.clk.Advance(time.Minute)
	e.runJobs()
	if p := e.plan(id); p.Paid != 45_000 || p.Outstanding != 0 {
		t.Fatalf("after paying: %+v", p)
	}
	r := e.register(id)
	e.refund(id, r.Amount)
	e.runJobs()
	e.clk.Advance(time.Minute)
	e.runJobs()
	if got := e.latest(id); got.Status != returns.Refunded {
		t.Fatalf("after the refund the return is %s", got.Status)
	}
	payouts, err := e.svc.Payouts(e.ctx, personID, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(payouts) != 1 || payouts[0].Amount != 20_000 || payouts[0].Currency != "DKK" || payouts[0].Status != repayment.PaymentSettled {
		t.Fatalf("payouts %+v", payouts)
	}
	other := e.person(e.shipped("bo@example.dk"))
	if theirs, err := e.svc.Payouts(e.ctx, other, id); err != nil || len(theirs) != 0 {
		t.Errorf("another person reads the payouts %+v %v", theirs, err)
	}
	e.read(func(tx *store.Tx) error {
		for account, want := range map[string]int64{ledger.ReceivableAccount(id): 0, ledger.PayoutsInTransitAccount("DKK"): 0} {
			b, err := ledger.Balance(tx, account, "DKK")
			if err != nil {
				return err
			}
			if b != want {
				t.Errorf("%s balance %d, want %d", account, b, want)
			}
		}
		return nil
	})
	if p := e.plan(id); p.Credit != 0 || p.Outstanding != 0 {
		t.Errorf("after the payout: credit %d, outstanding %d", p.Credit, p.Outstanding)
	}
}

// TestOneLiveReturnPerOrder: a second return while one is live is refused
// and writes nothing; the consumer may withdraw a registered return
// (version-checked) and then register again.
func TestOneLiveReturnPerOrder(t *testing.T) {
	e := newEnv(t)
	id := e.shipped(annaEmail)
	personID := e.person(id)
	r := e.register(id)
	err := e.try(func(tx *store.Tx) error {
		_, err := e.svc.Register(tx, personID, "consumer:test", id, returns.Return{
			Lines: []returns.Line{{Index: 1, Quantity: 1}}, Carrier: "GLS", TrackingNumber: "GLS-1"})
		return err
	})
	if apperr.Code(err) != returns.CodeAlreadyRegistered {
		t.Fatalf("a second return: %v", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM returns WHERE order_id = $1`, id); n != 1 || e.auditBy(id, returns.ActionRegistered, "consumer:test") != 1 {
		t.Errorf("%d returns after the refused one", n)
	}

	cancel := func(person string, version int64) (returns.Return, error) {
		var out returns.Return
		err := e.try(func(tx *store.Tx) (err error) {
			out, err = e.svc.Cancel(tx, person, "consumer:test", r.ID, version)
			return err
		})
		return out, err
	}
	other := e.person(e.shipped("bo@example.dk"))
	if _, err := cancel(other, r.Version); apperr.Code(err) != apperr.NotFound {
		t.Errorf("another person cancels: %v", err)
	}
	if _, err := cancel(personID, r.Version+1); apperr.Code(err) != returns.CodeChanged {
		t.Errorf("a wrong version: %v", err)
	}
	if got := e.latest(id); got.Status != returns.Registered || got.Version != r.Version {
		t.Fatalf("refused cancels changed the return: %+v", got)
	}
	got, err := cancel(personID, r.Version)
	if err != nil || got.Status != returns.Cancelled || got.ClosedAt == nil || got.Version != r.Version+1 {
		t.Fatalf("cancel: %+v %v", got, err)
	}
	if e.auditBy(id, returns.ActionCancelled, "consumer:test") != 1 {
		t.Error("the cancel is not audited")
	}
	if p := e.plan(id); p.PausedUntil != nil {
		t.Errorf("the plan is paused until %v after the cancel", p.PausedUntil)
	}
	if _, err := cancel(personID, got.Version); apperr.Code(err) != returns.CodeNotLive {
		t.Errorf("cancelling twice: %v", err)
	}
	again := e.register(id)
	if again.Status != returns.Registered || e.count(`SELECT COUNT(*) FROM returns WHERE order_id = $1`, id) != 2 {
		t.Errorf("registering after the cancel: %+v", again)
	}
	if e.plan(id).PausedUntil == nil {
		t.Error("the new return does not pause the plan")
	}
}

// TestBadInputWritesNothing: each refused registration names its reason
// and leaves no return, audit entry, webhook, e-mail, job or pause behind.
func TestBadInputWritesNothing(t *testing.T) {
	e := newEnv(t)
	id := e.shipped(annaEmail)
	anna := e.person(id)
	bo := e.person(e.shipped("bo@example.dk"))
	unshipped := e.placed(annaEmail)
	refunded := e.shipped(annaEmail)
	e.refund(refunded, 45_000)
	line := func(index int, qty int64) []returns.Line { return []returns.Line{{Index: index, Quantity: qty}} }
	ok := returns.Return{Lines: line(0, 1), Carrier: "PostNord", TrackingNumber: "RR123456785DK"}
	with := func(f func(r *returns.Return)) returns.Return {
		r := ok
		f(&r)
		return r
	}
	cases := []struct {
		name, person, order string
		in                  returns.Return
		code                string
	}{
		{"an unknown line", anna, id, with(func(r *returns.Return) { r.Lines = line(2, 1) }), apperr.BadValue},
		{"a negative line", anna, id, with(func(r *returns.Return) { r.Lines = line(-1, 1) }), apperr.BadValue},
		{"quantity 0", anna, id, with(func(r *returns.Return) { r.Lines = line(0, 0) }), apperr.BadValue},
		{"a negative quantity", anna, id, with(func(r *returns.Return) { r.Lines = line(1, -1) }), apperr.BadValue},
		{"more than bought", anna, id, with(func(r *returns.Return) { r.Lines = line(0, 3) }), apperr.BadValue},
		{"a line twice", anna, id, with(func(r *returns.Return) { r.Lines = append(line(0, 1), line(0, 1)...) }), apperr.BadValue},
		{"no lines", anna, id, with(func(r *returns.Return) { r.Lines = nil }), apperr.BadValue},
		{"no carrier", anna, id, with(func(r *returns.Return) { r.Carrier = "  " }), apperr.BadValue},
		{"a long carrier", anna, id, with(func(r *returns.Return) { r.Carrier = strings.Repeat("c", returns.MaxCarrier+1) }), apperr.BadValue},
		{"no tracking number", anna, id, with(func(r *returns.Return) { r.TrackingNumber = "" }), apperr.BadValue},
		{"a long tracking number", anna, id, with(func(r *returns.Return) { r.TrackingNumber = strings.Repeat("9", returns.MaxTracking+1) }), apperr.BadValue},
		{"two lines of tracking", anna, id, with(func(r *returns.Return) { r.TrackingNumber = "RR1\nRR2" }), apperr.BadValue},
		{"another person's order", bo, id, ok, apperr.NotFound},
		{"an unknown order", anna, "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", ok, apperr.NotFound},
		{"nothing captured", anna, unshipped, ok, apperr.NotAllowed},
		{"everything refunded", anna, refunded, ok, apperr.NotAllowed},
	}
	mailsBefore := len(e.mails(ownerEmail))
	for _, c := range cases {
		err := e.try(func(tx *store.Tx) error {
			_, err := e.svc.Register(tx, c.person, "consumer:test", c.order, c.in)
			return err
		})
		if apperr.Code(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	// The limits themselves are accepted.
	at := e.register(id) // one jacket
	if at.Status != returns.Registered {
		t.Fatalf("a valid return after the refused ones: %+v", at)
	}
	if n := e.count(`SELECT COUNT(*) FROM returns`); n != 1 {
		t.Errorf("%d returns stored, want only the valid one", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM webhook_events WHERE event_type = $1`, returns.WebhookRegistered); n != 1 {
		t.Errorf("%d return webhooks", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM jobs WHERE kind = $1`, returns.JobPauseEnd); n != 1 {
		t.Errorf("%d pause-end jobs", n)
	}
	if n := len(e.mails(ownerEmail)) - mailsBefore; n != 1 {
		t.Errorf("%d e-mails to the merchant", n)
	}
	for _, order := range []string{unshipped, refunded} {
		if e.auditBy(order, returns.ActionRegistered, "consumer:test") != 0 {
			t.Errorf("a refused return of %s is audited", order)
		}
		if p := e.plan(order); p.PausedUntil != nil {
			t.Errorf("a refused return paused %s", order)
		}
	}
	longest := e.shipped(annaEmail)
	e.write(func(tx *store.Tx) error {
		r, err := e.svc.Register(tx, anna, "consumer:test", longest, returns.Return{Lines: []returns.Line{{Index: 1, Quantity: 1}, {Index: 0, Quantity: 2}},
			Carrier: strings.Repeat("c", returns.MaxCarrier), TrackingNumber: strings.Repeat("9", returns.MaxTracking)})
		if err == nil && r.Amount != 45_000 {
			t.Errorf("the whole order returned is worth %d", r.Amount)
		}
		return err
	})
}

// TestMarkReceived: the merchant marks the parcel received with the version
// it read; another merchant cannot see it; a received return can no longer
// be withdrawn, keeps the plan paused, and still ends unrefunded when the
// pause ends without a refund.
func TestMarkReceived(t *testing.T) {
	e := newEnv(t)
	id := e.shipped(annaEmail)
	r := e.register(id)
	creds, err := merchant.Create(e.ctx, e.app.DB, merchant.NewMerchant{Name: "Other Shop", TestMode: true, SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	if list, err := e.svc.ForMerchant(e.ctx, creds.MerchantID, ""); err != nil || len(list) != 0 {
		t.Errorf("another merchant lists %+v %v", list, err)
	}
	list, err := e.svc.ForMerchant(e.ctx, e.shop.ID, id)
	if err != nil || len(list) != 1 || list[0].TrackingNumber != "RR123456785DK" || list[0].Lines[0].Name != "Rain jacket" {
		t.Fatalf("the merchant lists %+v %v", list, err)
	}
	if all, err := e.svc.ForMerchant(e.ctx, e.shop.ID, ""); err != nil || len(all) != 1 {
		t.Errorf("all the merchant's returns: %+v %v", all, err)
	}
	otherOrder := e.shipped("bo@example.dk")
	if theirs, err := e.svc.ForOrder(e.ctx, e.person(otherOrder), id); err != nil || len(theirs) != 0 {
		t.Errorf("another person reads the order's returns: %+v %v", theirs, err)
	}
	mark := func(merchantID string, version int64) (returns.Return, error) {
		var out returns.Return
		err := e.try(func(tx *store.Tx) (err error) {
			out, err = e.svc.MarkReceived(tx, merchantID, id, "merchant_user:olga", r.ID, version)
			return err
		})
		return out, err
	}
	if _, err := mark(creds.MerchantID, r.Version); apperr.Code(err) != apperr.NotFound {
		t.Errorf("another merchant marks it: %v", err)
	}
	if _, err := mark(e.shop.ID, r.Version-1); apperr.Code(err) != returns.CodeChanged {
		t.Errorf("a stale version: %v", err)
	}
	e.read(func(tx *store.Tx) error {
		_, err := e.svc.MarkReceived(tx, e.shop.ID, id, "merchant_user:olga", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", 1)
		if apperr.Code(err) != apperr.NotFound {
			t.Errorf("an unknown return: %v", err)
		}
		_, err = e.svc.MarkReceived(tx, e.shop.ID, otherOrder, "merchant_user:olga", r.ID, r.Version)
		if apperr.Code(err) != apperr.NotFound {
			t.Errorf("the return under another order of the merchant: %v", err)
		}
		return nil
	})
	if e.auditBy(id, returns.ActionReceived, "merchant_user:olga") != 0 || e.latest(id).Status != returns.Registered {
		t.Fatal("a refused mark changed the return")
	}
	e.clk.Advance(time.Hour)
	got, err := mark(e.shop.ID, r.Version)
	if err != nil || got.Status != returns.Received || got.ReceivedAt == nil || !got.ReceivedAt.Equal(e.clk.Now()) ||
		got.Version != r.Version+1 || got.TrackingNumber != "RR123456785DK" {
		t.Fatalf("marked %+v %v", got, err)
	}
	if e.auditBy(id, returns.ActionReceived, "merchant_user:olga") != 1 {
		t.Error("the mark is not audited")
	}
	if _, err := mark(e.shop.ID, got.Version); apperr.Code(err) != returns.CodeNotLive {
		t.Errorf("marking twice: %v", err)
	}
	err = e.try(func(tx *store.Tx) error {
		_, err := e.svc.Cancel(tx, e.person(id), "consumer:test", r.ID, got.Version)
		return err
	})
	if apperr.Code(err) != returns.CodeNotLive {
		t.Errorf("withdrawing a received return: %v", err)
	}
	err = e.try(func(tx *store.Tx) error {
		_, err := e.svc.Register(tx, e.person(id), "consumer:test", id, returns.Return{Lines: []returns.Line{{Index: 1, Quantity: 1}}, Carrier: "GLS", TrackingNumber: "G1"})
		return err
	})
	if apperr.Code(err) != returns.CodeAlreadyRegistered {
		t.Errorf("a second return while one is received: %v", err)
	}
	if e.plan(id).PausedUntil == nil {
		t.Error("the plan runs while the return is received")
	}
	e.advanceDays(returns.DefaultPauseDays)
	if got := e.latest(id); got.Status != returns.Unrefunded || got.ReceivedAt == nil {
		t.Errorf("a received return at the pause end: %+v", got)
	}
	if _, err := mark(e.shop.ID, got.Version+1); apperr.Code(err) != returns.CodeNotLive {
		t.Errorf("marking a closed return: %v", err)
	}
}

// TestConfigLimits: the pause defaults to DefaultPauseDays and never
// exceeds repayment.MaxPauseDays.
func TestConfigLimits(t *testing.T) {
	for _, c := range []struct{ in, want int }{{0, returns.DefaultPauseDays}, {-3, returns.DefaultPauseDays}, {14, 14},
		{repayment.MaxPauseDays + 1, repayment.MaxPauseDays}} {
		if got := returns.New(nil, nil, nil, "", "", returns.Config{PauseDays: c.in}, nil).Config().PauseDays; got != c.want {
			t.Errorf("PauseDays %d: %d, want %d", c.in, got, c.want)
		}
	}
	if returns.DefaultConfig().PauseDays != returns.DefaultPauseDays {
		t.Error("the default configuration does not pause for DefaultPauseDays")
	}
}
