package checkout_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/risk/engine"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

// listEnv is checkout on a test database with a manual clock, for the list
// and statistics queries.
type listEnv struct {
	t   *testing.T
	ctx context.Context
	db  *store.DB
	clk *clock.Manual
	svc *checkout.Service
}

func newListEnv(t *testing.T) *listEnv {
	db, clk := storetest.Open(t)
	svc := checkout.New(db, engine.Pipeline(engine.Config{}), vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()}), "list-test-key", "consumer-lookup-key", logscan.Logger())
	return &listEnv{t: t, ctx: context.Background(), db: db, clk: clk, svc: svc}
}

func (e *listEnv) merchant(name, currency string) merchant.Merchant {
	e.t.Helper()
	creds, err := merchant.Create(e.ctx, e.db, merchant.NewMerchant{Name: name, TestMode: true, SettlementCurrency: currency})
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := merchant.Get(e.ctx, e.db, creds.MerchantID)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// place authorizes and, when approved, places an order; it returns the
// order id, or "" for a rejected authorization.
func (e *listEnv) place(m merchant.Merchant, country, currency string, amount int64, method, email, ref string) string {
	e.t.Helper()
	data := checkout.OrderData{
		PurchaseCountry: country, PurchaseCurrency: currency, Locale: "en-GB", OrderAmount: amount, MerchantReference1: ref,
		OrderLines: []checkout.OrderLine{{Type: "physical", Name: "Umbrella", Quantity: 1, UnitPrice: amount, TotalAmount: amount}},
	}
	sess, err := e.svc.CreateSession(e.ctx, m, data, "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	auth, err := e.svc.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: method, Customer: checkout.Customer{DateOfBirth: "1990-05-17"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: email, StreetAddress: "Sletten 1",
			PostalCode: "9270", City: "Klarup", Country: country},
		OTP: checkout.TestOTP,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if !auth.Approved {
		return ""
	}
	created, err := e.svc.CreateOrder(e.ctx, m, auth.AuthorizationToken, data)
	if err != nil {
		e.t.Fatal(err)
	}
	return created.OrderID
}

func (e *listEnv) write(fn func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.db.Write(e.ctx, fn); err != nil {
		e.t.Fatal(err)
	}
}

func orderIDs(list []checkout.OrderSummary) []string {
	out := make([]string, len(list))
	for i, o := range list {
		out[i] = o.OrderID
	}
	return out
}

func TestListOrdersFiltersAndPages(t *testing.T) {
	e := newListEnv(t)
	m := e.merchant("Rain Shop", "DKK")
	other := e.merchant("Other Shop", "DKK")
	otherOrder := e.place(other, "DK", "DKK", 5000, "pay_later", "bo@example.dk", "SHARED-REF")

	// Seven orders a minute apart; newest first they are ids[6] .. ids[0].
	var ids []string
	methods := []string{"pay_later", "pay_now", "pay_later", "pay_in_parts", "pay_later", "pay_later", "pay_later"}
	for i, method := range methods {
		ref := "R-" + string(rune('A'+i))
		if i == 3 {
			ref = "SHARED-REF"
		}
		ids = append(ids, e.place(m, "DK", "DKK", int64(10000+i), method, "anna@example.dk", ref))
		e.clk.Advance(time.Minute)
	}
	e.write(func(tx *store.Tx) error {
		if _, err := e.svc.Capture(tx, m.ID, ids[1], checkout.CaptureRequest{CapturedAmount: 10001}); err != nil {
			return err
		}
		if _, err := e.svc.Capture(tx, m.ID, ids[2], checkout.CaptureRequest{CapturedAmount: 2}); err != nil {
			return err
		}
		return e.svc.Cancel(tx, m.ID, ids[4])
	})
	want := func(name string, f checkout.OrderFilter, expect ...string) []checkout.OrderSummary {
		t.Helper()
		got, err := e.svc.ListOrders(e.ctx, m.ID, f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if expect == nil {
			expect = []string{}
		}
		if !slices.Equal(orderIDs(got), expect) {
			t.Errorf("%s: got %v, want %v", name, orderIDs(got), expect)
		}
		return got
	}

	all := want("all", checkout.OrderFilter{}, ids[6], ids[5], ids[4], ids[3], ids[2], ids[1], ids[0])
	if o := all[4]; o.Status != checkout.StatusPartCaptured || o.CapturedAmount != 2 || o.RemainingAuthorizedAmount != 10000 || o.Currency != "DKK" ||
		o.PaymentMethod != "pay_later" || o.FraudStatus != checkout.FraudAccepted || o.MerchantReference1 != "R-C" || o.Reference == "" {
		t.Errorf("summary of a part-captured order: %+v", o)
	}
	if o := all[5]; o.Status != checkout.StatusCaptured || o.RemainingAuthorizedAmount != 0 {
		t.Errorf("summary of a captured order: %+v", o)
	}
	want("status", checkout.OrderFilter{Status: checkout.StatusCancelled}, ids[4])
	want("method", checkout.OrderFilter{PaymentMethod: "pay_now"}, ids[1])
	want("fraud", checkout.OrderFilter{FraudStatus: checkout.FraudPending})
	want("status and method", checkout.OrderFilter{Status: checkout.StatusAuthorized, PaymentMethod: "pay_later"}, ids[6], ids[5], ids[0])
	want("from", checkout.OrderFilter{From: storetest.Start.Add(5 * time.Minute)}, ids[6], ids[5])
	want("to", checkout.OrderFilter{To: storetest.Start.Add(time.Minute)}, ids[0])
	want("range", checkout.OrderFilter{From: storetest.Start.Add(2 * time.Minute), To: storetest.Start.Add(4 * time.Minute)}, ids[3], ids[2])
	want("amount at least", checkout.OrderFilter{MinAmount: 10005}, ids[6], ids[5])
	want("amount at most", checkout.OrderFilter{MaxAmount: 10001}, ids[1], ids[0])
	want("amount between", checkout.OrderFilter{MinAmount: 10002, MaxAmount: 10003}, ids[3], ids[2])
	want("amount exactly", checkout.OrderFilter{MinAmount: 10004, MaxAmount: 10004}, ids[4])

	// Search finds an order by its id, its Tillit reference (in any case)
	// or the merchant's reference, and never another merchant's order.
	want("search id", checkout.OrderFilter{Search: ids[2]}, ids[2])
	want("search other merchant's id", checkout.OrderFilter{Search: otherOrder})
	want("search merchant reference", checkout.OrderFilter{Search: " SHARED-REF "}, ids[3])
	ref := all[0].Reference
	want("search reference", checkout.OrderFilter{Search: ref}, ids[6])
	lower := []byte(ref)
	for i, c := range lower {
		if c >= 'A' && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	want("search reference in lower case", checkout.OrderFilter{Search: string(lower)}, ids[6])
	want("search nothing", checkout.OrderFilter{Search: "no-such"})

	// Keyset pages of three, forwards and back, also across equal times.
	page1 := want("page 1", checkout.OrderFilter{Limit: 3}, ids[6], ids[5], ids[4])
	c := page1[2].Cursor()
	page2 := want("page 2", checkout.OrderFilter{Limit: 3, After: &c}, ids[3], ids[2], ids[1])
	c = page2[2].Cursor()
	want("page 3", checkout.OrderFilter{Limit: 3, After: &c}, ids[0])
	c = page2[0].Cursor()
	want("back to page 1", checkout.OrderFilter{Limit: 3, Before: &c}, ids[6], ids[5], ids[4])
	c = page1[0].Cursor()
	want("before the first", checkout.OrderFilter{Before: &c})

	// One order by id, as the list shows it; another merchant's is unknown.
	one, err := e.svc.GetOrderSummary(e.ctx, m.ID, ids[2])
	if err != nil || one != all[4] {
		t.Errorf("GetOrderSummary: %+v %v, want %+v", one, err, all[4])
	}
	for _, id := range []string{otherOrder, "no-such-order"} {
		if _, err := e.svc.GetOrderSummary(e.ctx, m.ID, id); apperr.Code(err) != apperr.NoSuchOrder {
			t.Errorf("GetOrderSummary(%q): %v, want NO_SUCH_ORDER", id, err)
		}
	}
	refs, err := e.svc.OrderReferences(e.ctx, m.ID, []string{ids[6], otherOrder, "no-such-order", ids[6]})
	if err != nil || len(refs) != 1 || refs[ids[6]] != all[0].Reference {
		t.Errorf("OrderReferences: %v %v", refs, err)
	}

	parsed, err := checkout.ParseOrderCursor(page2[1].Cursor().String())
	if err != nil || parsed.ID != ids[2] || !parsed.CreatedAt.Equal(page2[1].CreatedAt) {
		t.Errorf("cursor round trip: %+v %v", parsed, err)
	}
	for _, bad := range []string{"", "12", "x.y", "-1." + ids[0], "1.not-an-id", "+5." + ids[0]} {
		if _, err := checkout.ParseOrderCursor(bad); apperr.Code(err) != apperr.BadValue {
			t.Errorf("ParseOrderCursor(%q): %v, want BAD_VALUE", bad, err)
		}
	}
	for _, f := range []checkout.OrderFilter{{Limit: -1}, {Limit: checkout.MaxListLimit + 1}, {After: &c, Before: &c}} {
		if _, err := e.svc.ListOrders(e.ctx, m.ID, f); apperr.Code(err) != apperr.BadValue {
			t.Errorf("ListOrders(%+v): %v, want BAD_VALUE", f, err)
		}
	}
}

func TestMerchantStats(t *testing.T) {
	e := newListEnv(t)
	m := e.merchant("Rain Shop", "DKK")
	other := e.merchant("Other Shop", "DKK")
	day := storetest.Start.Truncate(24 * time.Hour)

	// Before the period: an order captured in it later, and one left open.
	early := e.place(m, "DK", "DKK", 30000, "pay_later", "anna@example.dk", "")
	e.place(m, "DK", "DKK", 7000, "pay_later", "anna@example.dk", "")
	e.clk.Set(day.Add(24 * time.Hour))

	// In the period: two DKK orders, a euro order, a rejected authorization
	// and another merchant's order.
	a := e.place(m, "DK", "DKK", 10000, "pay_later", "anna@example.dk", "")
	b := e.place(m, "DK", "DKK", 20000, "pay_now", "anna@example.dk", "")
	eur := e.place(m, "NL", "EUR", 5000, "pay_later", "anna@example.nl", "")
	if id := e.place(m, "DK", "DKK", 1000, "pay_later", "anna+denied@example.dk", ""); id != "" {
		t.Fatal("the denied authorization was approved")
	}
	e.place(other, "DK", "DKK", 99900, "pay_later", "bo@example.dk", "")
	e.write(func(tx *store.Tx) error {
		for _, c := range []struct {
			id     string
			amount int64
		}{{early, 30000}, {a, 4000}, {eur, 5000}} {
			if _, err := e.svc.Capture(tx, m.ID, c.id, checkout.CaptureRequest{CapturedAmount: c.amount}); err != nil {
				return err
			}
		}
		if _, err := e.svc.Refund(tx, m.ID, early, checkout.RefundRequest{RefundedAmount: 2500}); err != nil {
			return err
		}
		return e.svc.Cancel(tx, m.ID, b)
	})
	from, to := day.Add(24*time.Hour), day.Add(48*time.Hour)
	st, err := e.svc.MerchantStats(e.ctx, m.ID, from, to)
	if err != nil {
		t.Fatal(err)
	}
	wantCur := []checkout.CurrencyStats{
		// Sales 30000 + 4000; orders a, b; outstanding: open 7000 and a's 6000.
		{Currency: "DKK", Sales: 34000, Refunds: 2500, Orders: 2, Outstanding: 13000},
		{Currency: "EUR", Sales: 5000, Orders: 1},
	}
	if !slices.Equal(st.Currencies, wantCur) || st.Authorizations != 4 || st.Approved != 3 || st.ApprovalRate() != 0.75 {
		t.Errorf("stats = %+v, rate %v; want %+v, 3 of 4 approved", st, st.ApprovalRate(), wantCur)
	}

	// The day before holds only the two early orders, and no sales.
	st, err = e.svc.MerchantStats(e.ctx, m.ID, day, from)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(st.Currencies, []checkout.CurrencyStats{{Currency: "DKK", Orders: 2, Outstanding: 13000}}) || st.Authorizations != 2 || st.Approved != 2 {
		t.Errorf("stats of the first day = %+v", st)
	}

	// A merchant without activity has nothing, and a rate of zero.
	st, err = e.svc.MerchantStats(e.ctx, e.merchant("Quiet Shop", "SEK").ID, day, to)
	if err != nil || len(st.Currencies) != 0 || st.Authorizations != 0 || st.ApprovalRate() != 0 {
		t.Errorf("quiet merchant: %+v %v", st, err)
	}
	if _, err := e.svc.MerchantStats(e.ctx, m.ID, to, to); apperr.Code(err) != apperr.BadValue {
		t.Errorf("empty period: %v, want BAD_VALUE", err)
	}
}
