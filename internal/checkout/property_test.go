package checkout_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/risk/engine"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

// The property test drives random sequences of order-management operations
// and clock moves against the service and against a model of the documented
// rules, and after every step compares the two and checks the ledger.
//
// TILLIT_PROPERTY_SEED=<n> replays a run; the seed is logged.

const (
	propCurrency = "DKK"
	defaultSeed  = 20260302
	maxAuthAge   = 180 * 24 * time.Hour
)

// modelCapture is one capture as the model sees it.
type modelCapture struct{ amount, refunded int64 }

// modelOrder is the expected state of one order.
type modelOrder struct {
	id                           string
	amount                       int64
	status, fraud                string
	captured, refunded, released int64
	captures                     []modelCapture
	refunds                      []int64
	created, expires             time.Time
	// A pending test-mode order resolves to resolveTo at resolveAt.
	resolveAt time.Time
	resolveTo string
	longLived bool
	// mayCancel: only some orders are ever cancelled while they can be.
	mayCancel bool
	lastOp    string
}

// open: an authorization that can still be captured or released.
func (o *modelOrder) open() bool {
	return o.status == checkout.StatusAuthorized || o.status == checkout.StatusPartCaptured
}

// remaining is the authorized amount neither captured nor released; a closed
// authorization has none.
func (o *modelOrder) remaining() int64 {
	if !o.open() {
		return 0
	}
	return o.amount - o.captured - o.released
}

// closeIfRefunded: a CAPTURED order whose every captured unit was refunded is
// CLOSED.
func (o *modelOrder) closeIfRefunded() {
	if o.status == checkout.StatusCaptured && o.captured > 0 && o.refunded == o.captured {
		o.status = checkout.StatusClosed
	}
}

// release gives up what remains of the authorization: the order is CAPTURED
// (or CLOSED when everything captured was refunded).
func (o *modelOrder) release() {
	o.released += o.remaining()
	o.status = checkout.StatusCaptured
	o.closeIfRefunded()
}

// property is one run of the property test.
type property struct {
	t      *testing.T
	ctx    context.Context
	seed   uint64
	rng    *rand.Rand
	db     *store.DB
	clk    *clock.Manual
	svc    *checkout.Service
	runner *jobs.Runner
	m      merchant.Merchant
	other  merchant.Merchant // owns no orders; sees NO_SUCH_ORDER
	orders []*modelOrder
	trace  []string
	steps  int
	// counts of each outcome, to show the run exercised every path
	outcomes map[string]int
}

func propertySeed(t *testing.T) uint64 {
	if s := os.Getenv("TILLIT_PROPERTY_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("TILLIT_PROPERTY_SEED: %v", err)
		}
		return n
	}
	return defaultSeed
}

func TestOrderManagementProperties(t *testing.T) {
	orders, ops := 30, 40
	if os.Getenv(storetest.EnvURL) != "" {
		orders, ops = 20, 40 // fewer: PostgreSQL round trips are slower, and the database may be shared
	}
	if testing.Short() {
		orders, ops = 5, 30
	}
	seed := propertySeed(t)
	t.Logf("seed %d (set TILLIT_PROPERTY_SEED to replay), %d orders x %d operations", seed, orders, ops)
	p := newProperty(t, seed)
	for i := 0; i < orders; i++ {
		o := p.createOrder()
		for j := 0; j < ops; j++ {
			target := o
			if len(p.orders) > 1 && p.rng.IntN(8) == 0 {
				target = p.orders[p.rng.IntN(len(p.orders))]
			}
			p.step(target)
		}
		p.verifyLedger(fmt.Sprintf("after order %d", i))
	}
	p.checkAllOrders("at the end")
	for _, o := range p.orders {
		p.checkOrder(o)
	}
	p.verifyLedger("at the end")
	t.Logf("%d steps; outcomes: %v", p.steps, p.outcomes)
	for _, want := range []string{
		"capture ok", "capture CAPTURE_NOT_ALLOWED", "capture BAD_VALUE", "refund ok", "refund REFUND_NOT_ALLOWED",
		"refund BAD_VALUE", "cancel ok", "cancel CANCEL_NOT_ALLOWED", "release ok", "release NOT_ALLOWED",
		"extend ok", "extend NOT_ALLOWED", "extend refused at the 180-day limit", "status EXPIRED", "status CLOSED", "status CANCELLED", "fraud REJECTED",
	} {
		if p.outcomes[want] == 0 {
			// The default run must cover every path; other seeds just say so.
			report := t.Logf
			if seed == defaultSeed && !testing.Short() {
				report = t.Errorf
			}
			report("the run never produced %q", want)
		}
	}
}

func newProperty(t *testing.T, seed uint64) *property {
	ctx := context.Background()
	db, clk := storetest.Open(t)
	logger := logscan.Logger()
	svc := checkout.New(db, engine.Pipeline(engine.Config{}), vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()}), "k", "consumer-lookup-key", logger)
	runner := jobs.NewRunner(db, logger)
	svc.Register(runner)
	p := &property{
		t: t, ctx: ctx, seed: seed, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		db: db, clk: clk, svc: svc, runner: runner, outcomes: map[string]int{},
	}
	p.m = p.newMerchant("Property Shop")
	p.other = p.newMerchant("Other Shop")
	return p
}

func (p *property) newMerchant(name string) merchant.Merchant {
	creds, err := merchant.Create(p.ctx, p.db, merchant.NewMerchant{Name: name, TestMode: true, SettlementCurrency: propCurrency})
	if err != nil {
		p.t.Fatalf("create merchant: %v", err)
	}
	m, err := merchant.Get(p.ctx, p.db, creds.MerchantID)
	if err != nil {
		p.t.Fatalf("get merchant: %v", err)
	}
	return m
}

// fail stops the run with the seed and the recent operations.
func (p *property) fail(format string, args ...any) {
	p.t.Helper()
	recent := p.trace
	if len(recent) > 25 {
		recent = recent[len(recent)-25:]
	}
	p.t.Fatalf("seed %d, step %d: %s\nrecent operations:\n  %s", p.seed, p.steps, fmt.Sprintf(format, args...), strings.Join(recent, "\n  "))
}

func (p *property) note(format string, args ...any) {
	p.trace = append(p.trace, fmt.Sprintf("[%d] ", p.steps)+fmt.Sprintf(format, args...))
}

func propOrderData(amount int64) checkout.OrderData {
	return checkout.OrderData{
		PurchaseCountry: "DK", PurchaseCurrency: propCurrency, Locale: "da-DK", OrderAmount: amount,
		OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-1", Name: "Rain jacket", Quantity: 1, UnitPrice: amount, TotalAmount: amount}},
	}
}

// createOrder places an order through session, authorization and CreateOrder.
// Most consumers are accepted outright; some test-mode e-mails go to a review
// that a job resolves after TestReviewDelay.
func (p *property) createOrder() *modelOrder {
	var amount int64
	switch p.rng.IntN(4) {
	case 0:
		amount = 1 + p.rng.Int64N(5)
	case 1:
		amount = 1 + p.rng.Int64N(1_000)
	default:
		amount = 1 + p.rng.Int64N(2_000_000)
	}
	email, fraud, resolveTo := "anna@example.com", checkout.FraudAccepted, ""
	switch p.rng.IntN(8) {
	case 0:
		email, fraud, resolveTo = "anna+pending-accepted@example.com", checkout.FraudPending, checkout.FraudAccepted
	case 1:
		email, fraud, resolveTo = "anna+pending-rejected@example.com", checkout.FraudPending, checkout.FraudRejected
	}
	sess, err := p.svc.CreateSession(p.ctx, p.m, propOrderData(amount), "https://tillit.example")
	if err != nil {
		p.fail("create session: %v", err)
	}
	auth, err := p.svc.Authorize(p.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later",
		Customer:              checkout.Customer{DateOfBirth: "1990-05-17", NationalIdentificationNumber: "1705901234"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: email, Phone: "+4520123456",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		Device: checkout.Device{IP: "192.0.2.10", Fingerprint: "abc123"},
		OTP:    checkout.TestOTP,
	})
	if err != nil || !auth.Approved || auth.FraudStatus != fraud {
		p.fail("authorize %s: %+v, %v; want approved, %s", email, auth, err, fraud)
	}
	created, err := p.svc.CreateOrder(p.ctx, p.m, auth.AuthorizationToken, propOrderData(amount))
	if err != nil {
		p.fail("create order: %v", err)
	}
	if created.FraudStatus != fraud {
		p.fail("order fraud status %s, want %s", created.FraudStatus, fraud)
	}
	now := p.clk.Now()
	o := &modelOrder{
		id: created.OrderID, amount: amount, status: checkout.StatusAuthorized, fraud: fraud,
		created: now, expires: now.Add(time.Duration(p.m.ExpiryDays) * 24 * time.Hour),
		resolveTo: resolveTo, longLived: p.rng.IntN(4) == 0, mayCancel: p.rng.IntN(3) == 0,
	}
	if resolveTo != "" {
		o.resolveAt = now.Add(checkout.TestReviewDelay)
	}
	p.orders = append(p.orders, o)
	p.note("order %d: %s amount %d fraud %s long-lived %v", len(p.orders)-1, o.id, amount, fraud, o.longLived)
	p.checkOrder(o)
	return o
}

func (p *property) index(o *modelOrder) int {
	for i, x := range p.orders {
		if x == o {
			return i
		}
	}
	return -1
}

// apply runs op in a write transaction. Half of the time a domain error is
// swallowed and the transaction committed anyway, which shows that a refused
// operation wrote nothing before it refused.
func (p *property) apply(op func(tx *store.Tx) error) error {
	commitOnError := p.rng.IntN(2) == 0
	var opErr error
	err := p.db.Write(p.ctx, func(tx *store.Tx) error {
		opErr = op(tx)
		if _, domain := apperr.As(opErr); domain && commitOnError {
			return nil
		}
		return opErr
	})
	if opErr == nil && err != nil {
		p.fail("transaction failed after the operation succeeded: %v", err)
	}
	if opErr != nil {
		if _, domain := apperr.As(opErr); !domain {
			p.fail("operation failed with a non-domain error: %v", opErr)
		}
	}
	return opErr
}

// expectCode compares an operation's error with the model's expectation ("" is
// success) and counts the outcome.
func (p *property) expectCode(op string, err error, want string) {
	p.t.Helper()
	got := ""
	if err != nil {
		got = apperr.Code(err)
	}
	if got != want {
		p.fail("%s: got error %q (%v), model expects %q", op, got, err, want)
	}
	if got == "" {
		got = "ok"
	}
	p.outcomes[op+" "+got]++
}

// pickAmount chooses an amount around limit: mostly part of it or exactly
// it, sometimes just above it, far above it, zero, negative or huge.
func (p *property) pickAmount(limit int64) int64 {
	switch r := p.rng.IntN(20); {
	case r < 2:
		return limit
	case r < 12:
		if limit > 1 {
			return 1 + p.rng.Int64N(limit/3+1)
		}
		return 1
	case r < 15:
		return limit + 1
	case r < 16:
		return limit + 1 + p.rng.Int64N(1_000_000)
	case r < 17:
		return 0
	case r < 18:
		return -1 - p.rng.Int64N(1_000)
	case r < 19:
		return math.MaxInt64
	default:
		return 1 + p.rng.Int64N(2*limit+2)
	}
}

// step runs one random operation on o and checks the outcome.
func (p *property) step(o *modelOrder) {
	p.steps++
	weights := []struct {
		op string
		w  int
	}{{"capture", 10}, {"refund", 8}, {"cancel", 1}, {"release", 1}, {"extend", 3}, {"advance", 4}, {"foreign", 1}}
	if o.longLived {
		weights = []struct {
			op string
			w  int
		}{{"capture", 1}, {"refund", 1}, {"extend", 2}, {"advance", 10}, {"foreign", 1}}
	}
	total := 0
	for _, w := range weights {
		total += w.w
	}
	n := p.rng.IntN(total)
	op := ""
	for _, w := range weights {
		if n < w.w {
			op = w.op
			break
		}
		n -= w.w
	}
	switch {
	case op == "cancel" && o.status == checkout.StatusAuthorized && !o.mayCancel:
		op = "capture"
	case o.longLived && o.lastOp == "advance":
		op = "extend" // keep the authorization alive towards the 180-day limit
	}
	o.lastOp = op
	i := p.index(o)
	switch op {
	case "capture":
		p.capture(i, o)
	case "refund":
		p.refund(i, o)
	case "cancel":
		p.cancel(i, o)
	case "release":
		p.releaseRemaining(i, o)
	case "extend":
		p.extend(i, o)
	case "advance":
		p.advance(o)
		return // advance checks every order
	case "foreign":
		p.foreign(i, o)
	}
	p.checkOrder(o)
}

func (p *property) capture(i int, o *modelOrder) {
	amount := p.pickAmount(o.remaining())
	req := checkout.CaptureRequest{CapturedAmount: amount, Description: "shipped"}
	badLines := false
	if amount > 0 && amount < math.MaxInt64 && p.rng.IntN(6) == 0 {
		// Order lines must add up to the captured amount.
		total := amount
		if badLines = p.rng.IntN(2) == 0; badLines {
			total++
		}
		req.OrderLines = []checkout.OrderLine{{Type: "physical", Name: "Part", Quantity: 1, UnitPrice: total, TotalAmount: total}}
	}
	now := p.clk.Now()
	want := ""
	switch {
	case amount <= 0 || badLines:
		want = apperr.BadValue
	case !o.open() || o.fraud != checkout.FraudAccepted || !now.Before(o.expires) || amount > o.remaining():
		want = apperr.CaptureNotAllowed
	}
	p.note("capture order %d amount %d (lines %v, bad %v): status %s fraud %s remaining %d; want %q",
		i, amount, req.OrderLines != nil, badLines, o.status, o.fraud, o.remaining(), want)
	var got checkout.Capture
	err := p.apply(func(tx *store.Tx) error {
		var err error
		got, err = p.svc.Capture(tx, p.m.ID, o.id, req)
		return err
	})
	p.expectCode("capture", err, want)
	if want != "" {
		return
	}
	if got.CapturedAmount != amount || got.RefundedAmount != 0 || got.CaptureID == "" {
		p.fail("capture returned %+v", got)
	}
	o.captured += amount
	o.captures = append(o.captures, modelCapture{amount: amount})
	if o.remaining() == 0 {
		o.status = checkout.StatusCaptured
	} else {
		o.status = checkout.StatusPartCaptured
	}
}

func (p *property) refund(i int, o *modelOrder) {
	refundable := o.captured - o.refunded
	amount := p.pickAmount(refundable)
	want := ""
	switch {
	case amount <= 0:
		want = apperr.BadValue
	case amount > refundable:
		want = apperr.RefundNotAllowed
	}
	p.note("refund order %d amount %d: status %s refundable %d; want %q", i, amount, o.status, refundable, want)
	var got checkout.Refund
	err := p.apply(func(tx *store.Tx) error {
		var err error
		got, err = p.svc.Refund(tx, p.m.ID, o.id, checkout.RefundRequest{RefundedAmount: amount, Description: "returned"})
		return err
	})
	p.expectCode("refund", err, want)
	if want != "" {
		return
	}
	if got.RefundedAmount != amount || got.RefundID == "" {
		p.fail("refund returned %+v", got)
	}
	o.refunded += amount
	o.refunds = append(o.refunds, amount)
	left := amount
	for k := range o.captures { // oldest capture first
		take := min(left, o.captures[k].amount-o.captures[k].refunded)
		o.captures[k].refunded += take
		left -= take
	}
	o.closeIfRefunded()
}

func (p *property) cancel(i int, o *modelOrder) {
	want := ""
	switch o.status {
	case checkout.StatusCancelled: // cancelling again changes nothing
	case checkout.StatusAuthorized:
		if o.captured != 0 {
			p.fail("model: AUTHORIZED order with captures")
		}
	default:
		want = apperr.CancelNotAllowed
	}
	p.note("cancel order %d: status %s captured %d; want %q", i, o.status, o.captured, want)
	err := p.apply(func(tx *store.Tx) error { return p.svc.Cancel(tx, p.m.ID, o.id) })
	p.expectCode("cancel", err, want)
	if want == "" {
		o.status = checkout.StatusCancelled
	}
}

func (p *property) releaseRemaining(i int, o *modelOrder) {
	want := ""
	switch o.status {
	case checkout.StatusCaptured, checkout.StatusClosed: // nothing left to release
	case checkout.StatusPartCaptured:
	default:
		want = apperr.NotAllowed
	}
	p.note("release order %d: status %s remaining %d; want %q", i, o.status, o.remaining(), want)
	err := p.apply(func(tx *store.Tx) error { return p.svc.ReleaseRemaining(tx, p.m.ID, o.id) })
	p.expectCode("release", err, want)
	if want == "" && o.status == checkout.StatusPartCaptured {
		o.release()
	}
}

// extendTo is the documented extension: the merchant's authorization period
// counted from today, at the time of day the order was created (so extending
// twice on one day gives the same date), never past 180 days after the order.
func (p *property) extendTo(o *modelOrder, now time.Time) time.Time {
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	next := day(now).Add(o.created.Sub(day(o.created))).AddDate(0, 0, p.m.ExpiryDays)
	if limit := o.created.Add(maxAuthAge); next.After(limit) {
		next = limit
	}
	return next
}

func (p *property) extend(i int, o *modelOrder) {
	now := p.clk.Now()
	want, next := "", o.expires
	switch {
	case !o.open() || !now.Before(o.expires):
		want = apperr.NotAllowed
	case p.extendTo(o, now).After(o.expires):
		next = p.extendTo(o, now)
	case !o.expires.Before(o.created.Add(maxAuthAge)):
		want = apperr.NotAllowed // already at the longest time allowed
		p.outcomes["extend refused at the 180-day limit"]++
	}
	p.note("extend order %d at %s: status %s expires %s; want %q, expires %s", i, now.Format(time.RFC3339Nano), o.status,
		o.expires.Format(time.RFC3339Nano), want, next.Format(time.RFC3339Nano))
	err := p.apply(func(tx *store.Tx) error { return p.svc.ExtendAuthorization(tx, p.m, o.id) })
	p.expectCode("extend", err, want)
	if want == "" {
		if next.After(o.expires) {
			p.outcomes["extend moved expiry"]++
		}
		o.expires = next
	}
}

// foreign runs an operation on o as a merchant that does not own it, or on an
// order that does not exist: NO_SUCH_ORDER, and nothing changes.
func (p *property) foreign(i int, o *modelOrder) {
	id := o.id
	switch p.rng.IntN(4) {
	case 0:
		id = ids.New()
	case 1:
		id = "not-an-id"
	}
	which := p.rng.IntN(5)
	p.note("foreign op %d on order %d (%s)", which, i, id)
	err := p.apply(func(tx *store.Tx) error {
		switch which {
		case 0:
			_, err := p.svc.Capture(tx, p.other.ID, id, checkout.CaptureRequest{CapturedAmount: 1})
			return err
		case 1:
			_, err := p.svc.Refund(tx, p.other.ID, id, checkout.RefundRequest{RefundedAmount: 1})
			return err
		case 2:
			return p.svc.Cancel(tx, p.other.ID, id)
		case 3:
			return p.svc.ReleaseRemaining(tx, p.other.ID, id)
		default:
			return p.svc.ExtendAuthorization(tx, p.other, id)
		}
	})
	p.expectCode("foreign", err, apperr.NoSuchOrder)
	if _, err := p.svc.GetOrder(p.ctx, p.other.ID, o.id); apperr.Code(err) != apperr.NoSuchOrder {
		p.fail("GetOrder as another merchant: %v, want NO_SUCH_ORDER", err)
	}
}

// advance moves the clock (sometimes exactly onto, or just before, o's expiry
// or review) and runs the due jobs: expiries and test reviews of every order.
func (p *property) advance(o *modelOrder) {
	now := p.clk.Now()
	var d time.Duration
	r := p.rng.IntN(20)
	if o.longLived && r < 17 {
		// Weeks at a time, then, close to the 180-day limit, hours to days,
		// so that extensions happen on each of the last days.
		r = 16
		if now.Sub(o.created) > 150*24*time.Hour {
			r = 20
		}
	}
	switch {
	case r < 10:
		d = time.Duration(1 + p.rng.Int64N(int64(2*time.Hour)))
	case r < 15:
		d = time.Duration(1 + p.rng.Int64N(int64(48*time.Hour)))
	case r < 17:
		d = time.Duration(int64(5*24*time.Hour) + p.rng.Int64N(int64(21*24*time.Hour)))
	case r < 18:
		d = o.expires.Sub(now)
	case r < 19:
		d = o.expires.Sub(now) - time.Microsecond
	case r < 20:
		d = o.resolveAt.Sub(now)
	default:
		d = time.Duration(1 + p.rng.Int64N(int64(30*time.Hour)))
	}
	if d <= 0 {
		d = time.Duration(1 + p.rng.Int64N(int64(time.Hour)))
	}
	p.clk.Advance(d)
	now = p.clk.Now()
	p.note("advance %s to %s", d, now.Format(time.RFC3339Nano))
	if _, err := p.runner.RunDue(p.ctx); err != nil {
		p.fail("run due jobs: %v", err)
	}
	for _, x := range p.orders {
		if x.fraud == checkout.FraudPending && !now.Before(x.resolveAt) {
			x.fraud = x.resolveTo
			p.outcomes["fraud "+x.fraud]++
		}
		if x.open() && !now.Before(x.expires) {
			// An expired authorization without captures is EXPIRED; a
			// part-captured one releases what remains.
			if x.captured == 0 {
				x.status = checkout.StatusExpired
			} else {
				x.release()
			}
			p.outcomes["expired with captures "+strconv.FormatBool(x.captured > 0)]++
		}
	}
	var failed int64
	if err := p.db.Read(p.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM jobs WHERE attempts > 0 OR last_error <> ''`).Scan(&failed)
	}); err != nil {
		p.fail("count failed jobs: %v", err)
	}
	if failed != 0 {
		p.fail("%d jobs failed", failed)
	}
	p.checkAllOrders("after advancing the clock")
	p.checkOrder(o)
}

// checkOrder compares the service's view of o with the model and checks the
// ledger balances.
func (p *property) checkOrder(o *modelOrder) {
	p.t.Helper()
	got, err := p.svc.GetOrder(p.ctx, p.m.ID, o.id)
	if err != nil {
		p.fail("get order %s: %v", o.id, err)
	}
	p.outcomes["status "+got.Status]++
	type view struct {
		Status, Fraud                      string
		Amount, Captured, Refunded, Remain int64
		Expires                            string
		Captures, Refunds                  string
	}
	want := view{o.status, o.fraud, o.amount, o.captured, o.refunded, o.remaining(),
		o.expires.UTC().Format("2006-01-02T15:04:05.000Z"), fmt.Sprint(o.captures), fmt.Sprint(o.refunds)}
	gotCaptures := make([]modelCapture, 0, len(got.Captures))
	for _, c := range got.Captures {
		gotCaptures = append(gotCaptures, modelCapture{amount: c.CapturedAmount, refunded: c.RefundedAmount})
	}
	gotRefunds := make([]int64, 0, len(got.Refunds))
	for _, r := range got.Refunds {
		gotRefunds = append(gotRefunds, r.RefundedAmount)
	}
	have := view{got.Status, got.FraudStatus, got.OrderAmount, got.CapturedAmount, got.RefundedAmount, got.RemainingAuthorizedAmount,
		got.ExpiresAt, fmt.Sprint(gotCaptures), fmt.Sprint(gotRefunds)}
	if have != want {
		p.fail("order %d differs from the model:\n  service %+v\n  model   %+v", p.index(o), have, want)
	}
	p.checkLedger(o)
}

// checkLedger checks, in one snapshot, that the order's receivable is what was
// captured less what was refunded, that the merchant's payable is minus that
// sum over all orders, that the other merchant owes and is owed nothing, that
// every capture and refund has its journal, and that all entries sum to zero.
func (p *property) checkLedger(o *modelOrder) {
	p.t.Helper()
	var payable, captures, refunds int64
	for _, x := range p.orders {
		payable -= x.captured - x.refunded
		captures += int64(len(x.captures))
		refunds += int64(len(x.refunds))
	}
	var receivable, gotPayable, otherPayable, sum, gotCaptures, gotRefunds, journals int64
	err := p.db.Read(p.ctx, func(tx *store.Tx) error {
		var err error
		if receivable, err = ledger.Balance(tx, ledger.ReceivableAccount(o.id), propCurrency); err != nil {
			return err
		}
		if gotPayable, err = ledger.Balance(tx, ledger.PayableAccount(p.m.ID), propCurrency); err != nil {
			return err
		}
		if otherPayable, err = ledger.Balance(tx, ledger.PayableAccount(p.other.ID), propCurrency); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT COALESCE(SUM(amount), 0) FROM ledger_entries`).Scan(&sum); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT
			(SELECT COUNT(*) FROM ledger_journals j WHERE j.kind = 'capture' AND EXISTS (SELECT 1 FROM captures c WHERE c.id = j.reference AND c.order_id = j.order_id)),
			(SELECT COUNT(*) FROM ledger_journals j WHERE j.kind = 'refund' AND EXISTS (SELECT 1 FROM refunds r WHERE r.id = j.reference AND r.order_id = j.order_id)),
			(SELECT COUNT(*) FROM ledger_journals)`).Scan(&gotCaptures, &gotRefunds, &journals)
	})
	if err != nil {
		p.fail("read ledger: %v", err)
	}
	switch {
	case receivable != o.captured-o.refunded:
		p.fail("receivable of order %d is %d, want captured %d - refunded %d", p.index(o), receivable, o.captured, o.refunded)
	case gotPayable != payable:
		p.fail("merchant payable is %d, want %d", gotPayable, payable)
	case otherPayable != 0:
		p.fail("other merchant's payable is %d", otherPayable)
	case sum != 0:
		p.fail("ledger entries sum to %d: money was created or lost", sum)
	case gotCaptures != captures || gotRefunds != refunds || journals != captures+refunds:
		p.fail("journals: %d of captures, %d of refunds, %d in all; want %d, %d, %d", gotCaptures, gotRefunds, journals, captures, refunds, captures+refunds)
	}
}

// checkAllOrders compares every order's stored state with the model in one
// query.
func (p *property) checkAllOrders(when string) {
	p.t.Helper()
	type row struct {
		status, fraud                string
		captured, refunded, released int64
		expires                      int64
	}
	got := map[string]row{}
	err := p.db.Read(p.ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT id, status, fraud_status, captured_amount, refunded_amount, released_amount, expires_at FROM orders`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var r row
			if err := rows.Scan(&id, &r.status, &r.fraud, &r.captured, &r.refunded, &r.released, &r.expires); err != nil {
				return err
			}
			got[id] = r
		}
		return rows.Err()
	})
	if err != nil {
		p.fail("read orders: %v", err)
	}
	if len(got) != len(p.orders) {
		p.fail("%s: %d orders stored, model has %d", when, len(got), len(p.orders))
	}
	for i, o := range p.orders {
		want := row{o.status, o.fraud, o.captured, o.refunded, o.released, store.Micros(o.expires)}
		if got[o.id] != want {
			p.fail("%s: order %d stored as %+v, model %+v", when, i, got[o.id], want)
		}
		if o.captured+o.released > o.amount || o.refunded > o.captured {
			p.fail("model order %d out of range: %+v", i, o)
		}
	}
}

// verifyLedger runs the full ledger verification.
func (p *property) verifyLedger(when string) {
	p.t.Helper()
	r, err := ledger.Verify(p.ctx, p.db)
	if err != nil {
		p.fail("verify %s: %v", when, err)
	}
	if !r.OK() {
		p.fail("ledger verify %s: %v", when, r.Problems)
	}
	if r.Orders != len(p.orders) {
		p.fail("verify %s counted %d orders, want %d", when, r.Orders, len(p.orders))
	}
}
