package card_test

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/card"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/decision"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/credit"
	"github.com/tillit/tillit/internal/risk/record"
	"github.com/tillit/tillit/internal/store"
)

// TestApprovalPlacesOrderOnce: an approved one-time card purchase becomes
// a captured order of the consumer with the chosen payment method, its
// plan and balanced postings against the network's payable; the card then
// declines as used, a repeat of the reference gets the same answer and a
// different request under it is refused.
func TestApprovalPlacesOrderOnce(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp(annaEmail)
	c, d := e.issue(anna, card.NewCard{PaymentMethod: "pay_in_parts", Amount: 30_000})
	if len(d.Number) != 16 || !strings.HasPrefix(d.Number, card.DefaultBIN) || c.Last4 != d.Number[12:] || len(d.CVV) != 3 {
		t.Fatalf("card details %+v for card %+v", d, c)
	}
	req := request(d, 29_900)
	if st, reason := e.authorize(req); st != card.AuthApproved {
		t.Fatalf("first purchase %s %s", st, reason)
	}
	var orderID, method, status string
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT id, payment_method, status FROM orders WHERE person_id = $1`, anna).Scan(&orderID, &method, &status)
	})
	if method != "pay_in_parts" || status != checkout.StatusCaptured {
		t.Errorf("order %s is %s %s, want pay_in_parts CAPTURED", orderID, method, status)
	}
	if n := e.count(`SELECT COUNT(*) FROM plan_installments WHERE order_id = $1`, orderID); n != 3 {
		t.Errorf("plan has %d instalments, want 3", n)
	}
	e.read(func(tx *store.Tx) error {
		recv, err := ledger.Balance(tx, ledger.ReceivableAccount(orderID), "DKK")
		if err != nil {
			return err
		}
		payable, err := ledger.Balance(tx, ledger.PayableAccount(card.NetworkMerchantID), "DKK")
		if recv != 29_900 || payable != -29_900 {
			t.Errorf("receivable %d, network payable %d; want 29900 and -29900", recv, payable)
		}
		return err
	})
	if got, err := e.app.Cards.Get(e.ctx, anna, c.ID); err != nil || got.Status != card.StatusUsed || got.OrderID != orderID {
		t.Errorf("card after use: %+v %v", got, err)
	}
	if st, _ := e.authorize(req); st != card.AuthApproved {
		t.Errorf("a repeat of the reference answered %s", st)
	}
	if n := e.count(`SELECT COUNT(*) FROM orders WHERE person_id = $1`, anna); n != 1 {
		t.Errorf("%d orders after a repeat, want 1", n)
	}
	other := req
	other.Amount = 100
	if code, out := e.post(other, networkUser, networkPass); code != http.StatusConflict || out["error_code"] != apperr.IdempotencyReused {
		t.Errorf("another request under the reference answered %d %v", code, out)
	}
	if st, reason := e.authorize(request(d, 100)); st != card.AuthDeclined || reason != card.DeclineUsed {
		t.Errorf("second purchase on a one-time card: %s %s", st, reason)
	}
}

// TestDeclineReasons: each reason the network can get.
func TestDeclineReasons(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp(annaEmail)
	_, d := e.issue(anna, card.NewCard{MerchantName: "Boots & Co", Amount: 20_000})
	cases := []struct {
		name   string
		change func(r *card.AuthorizationRequest)
		want   string
	}{
		{"unknown card", func(r *card.AuthorizationRequest) { r.CardNumber = "9990000000000009" }, card.DeclineUnknownCard},
		{"not Luhn-valid", func(r *card.AuthorizationRequest) {
			r.CardNumber = r.CardNumber[:15] + string('0'+(r.CardNumber[15]-'0'+1)%10)
		}, card.DeclineUnknownCard},
		{"wrong expiry", func(r *card.AuthorizationRequest) { r.ExpiryYear++ }, card.DeclineWrongExpiry},
		{"wrong cvv", func(r *card.AuthorizationRequest) { r.CVV = otherCVV(r.CVV) }, card.DeclineWrongCVV},
		{"currency", func(r *card.AuthorizationRequest) { r.Currency = "EUR" }, card.DeclineCurrencyMismatch},
		{"merchant", func(r *card.AuthorizationRequest) { r.MerchantName = "Other Shop" }, card.DeclineMerchantMismatch},
		{"over limit", func(r *card.AuthorizationRequest) { r.Amount = 20_001 }, card.DeclineOverLimit},
	}
	for _, c := range cases {
		r := request(d, 10_000)
		c.change(&r)
		if st, reason := e.authorize(r); st != card.AuthDeclined || reason != c.want {
			t.Errorf("%s: %s %q, want declined %q", c.name, st, reason, c.want)
		}
	}
	// The shop name matches without regard to case and spacing.
	r := request(d, 20_000)
	r.MerchantName = "BOOTS  & co"
	if st, reason := e.authorize(r); st != card.AuthApproved {
		t.Errorf("locked shop under another spelling: %s %s", st, reason)
	}
	if n := e.count(`SELECT COUNT(*) FROM card_authorizations WHERE approved = FALSE`); n != len(cases) {
		t.Errorf("%d declines recorded, want %d", n, len(cases))
	}

	// The credit policy's open-balance limit declines by risk.
	strict := card.New(e.app.DB, e.app.Vault, e.app.Checkout, card.Config{Credit: credit.Config{MaxOpenBalance: 5_000}}, lookupKey(t, e), nil)
	_, d2 := e.issue(anna, card.NewCard{})
	if out, err := strict.Authorize(e.ctx, request(d2, 6_000)); err != nil || out.DeclineReason != card.DeclineByRisk {
		t.Errorf("over the open-balance limit: %+v %v", out, err)
	}
}

// lookupKey reads the instance's consumer lookup secret.
func lookupKey(t *testing.T, e *env) string {
	t.Helper()
	k, err := e.app.DB.InstanceSecret(e.ctx, "consumer_lookup_key")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func otherCVV(cvv string) string {
	if cvv == "000" {
		return "001"
	}
	return "000"
}

// TestOneTimeCardExpires: unused for 24 hours, the card declines as
// expired and its job marks it so.
func TestOneTimeCardExpires(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp(annaEmail)
	c, d := e.issue(anna, card.NewCard{})
	e.clk.Advance(card.OneTimeLifetime - time.Minute)
	if _, err := e.app.Runner.RunDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.app.Cards.Get(e.ctx, anna, c.ID); got.Status != card.StatusActive {
		t.Fatalf("card before 24 h is %s", got.Status)
	}
	e.clk.Advance(2 * time.Minute)
	if st, reason := e.authorize(request(d, 1_000)); reason != card.DeclineExpired {
		t.Errorf("after 24 h: %s %s", st, reason)
	}
	if _, err := e.app.Runner.RunDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT COUNT(*) FROM cards WHERE id = $1 AND status = $2`, c.ID, card.StatusExpired); n != 1 {
		t.Error("the expiry job did not mark the card expired")
	}
}

// TestRaceApprovesOne: authorizations racing on one one-time card approve
// exactly one.
func TestRaceApprovesOne(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp(annaEmail)
	_, d := e.issue(anna, card.NewCard{})
	const n = 6
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		results []string
	)
	for range n {
		req := request(d, 1_000)
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := e.app.Cards.Authorize(e.ctx, req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				results = append(results, "error:"+err.Error())
				return
			}
			results = append(results, out.Status+":"+out.DeclineReason)
		}()
	}
	wg.Wait()
	approved := 0
	for _, r := range results {
		switch r {
		case card.AuthApproved + ":":
			approved++
		case card.AuthDeclined + ":" + card.DeclineUsed:
		default:
			t.Errorf("unexpected outcome %s", r)
		}
	}
	if approved != 1 || e.count(`SELECT COUNT(*) FROM orders WHERE person_id = $1`, anna) != 1 {
		t.Errorf("%d approved of %v; want exactly one order", approved, results)
	}
	// Only the winner's credit check decided the purchase: the others were
	// declined for the card.
	if n := e.creditRecords(anna); n != 1 {
		t.Errorf("%d credit decisions recorded for the race, want 1", n)
	}
}

// TestVirtualCardMonthlyLimit: a reusable card approves until the month's
// limit, and again in the next month.
func TestVirtualCardMonthlyLimit(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp(annaEmail)
	_, d := e.issue(anna, card.NewCard{Kind: card.KindVirtual, Amount: 10_000, PaymentMethod: "pay_now"})
	for i, want := range []string{"", "", card.DeclineOverLimit} {
		if _, reason := e.authorize(request(d, 4_000)); reason != want {
			t.Errorf("purchase %d: %q, want %q", i+1, reason, want)
		}
	}
	// The pay-now charges go through before the month turns, so nothing
	// is overdue.
	for range 3 {
		if _, err := e.app.Runner.RunDue(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.clk.Advance(time.Hour)
	}
	e.clk.Advance(32 * 24 * time.Hour)
	if st, reason := e.authorize(request(d, 4_000)); st != card.AuthApproved {
		t.Errorf("next month: %s %s", st, reason)
	}
}

// TestWrongCVVFreezesCard: three wrong CVVs freeze the card; the right one
// is then declined as frozen until the consumer unfreezes it.
func TestWrongCVVFreezesCard(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp(annaEmail)
	c, d := e.issue(anna, card.NewCard{})
	for range 3 {
		bad := request(d, 1_000)
		bad.CVV = otherCVV(d.CVV)
		e.authorize(bad)
	}
	if _, reason := e.authorize(request(d, 1_000)); reason != card.DeclineFrozen {
		t.Fatalf("after three wrong CVVs: %q", reason)
	}
	if err := e.app.Cards.Unfreeze(e.ctx, anna, "consumer:test", c.ID, e.fresh()); err != nil {
		t.Fatal(err)
	}
	if st, reason := e.authorize(request(d, 1_000)); st != card.AuthApproved {
		t.Errorf("after unfreezing: %s %s", st, reason)
	}
}

// TestFreezeAccount: a freeze takes effect on the very next card
// authorization and checkout purchase; unfreezing needs a fresh
// re-authentication.
func TestFreezeAccount(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp(annaEmail)
	_, d := e.issue(anna, card.NewCard{})
	if err := e.app.Cards.Freeze(e.ctx, anna, "consumer:test", ""); err != nil {
		t.Fatal(err)
	}
	if _, reason := e.authorize(request(d, 1_000)); reason != card.DeclineFrozen {
		t.Errorf("card on a frozen account: %q", reason)
	}
	if _, err := e.checkoutAuthorize(annaEmail); apperr.Code(err) != checkout.CodeAccountFrozen {
		t.Errorf("checkout on a frozen account: %v", err)
	}
	if res, err := e.checkoutAuthorize("someone.else@example.dk"); err != nil || !res.Approved {
		t.Errorf("another person's checkout: %+v %v", res, err)
	}
	for name, proof := range map[string]card.Reauth{
		"none":   {},
		"stale":  {VerifiedAt: e.clk.Now().Add(-6 * time.Minute)},
		"future": {VerifiedAt: e.clk.Now().Add(time.Minute)},
	} {
		if err := e.app.Cards.Unfreeze(e.ctx, anna, "consumer:test", "", proof); apperr.Code(err) != card.CodeReauthRequired {
			t.Errorf("unfreeze with %s proof: %v", name, err)
		}
	}
	if frozen, _ := e.app.Cards.AccountFrozen(e.ctx, anna); !frozen {
		t.Fatal("a refused unfreeze lifted the freeze")
	}
	if err := e.app.Cards.Unfreeze(e.ctx, anna, "consumer:test", "", e.fresh()); err != nil {
		t.Fatal(err)
	}
	if res, err := e.checkoutAuthorize(annaEmail); err != nil || !res.Approved {
		t.Errorf("checkout after unfreezing: %+v %v", res, err)
	}
	if st, reason := e.authorize(request(d, 1_000)); st != card.AuthApproved {
		t.Errorf("card after unfreezing: %s %s", st, reason)
	}
	if n := e.count(`SELECT COUNT(*) FROM freeze_events WHERE person_id = $1`, anna); n != 2 {
		t.Errorf("%d freeze events, want 2", n)
	}
}

// TestStaffFreezeRoles: only security analysts and administrators freeze
// and unfreeze; each change is audited as theirs and its reason sealed.
func TestStaffFreezeRoles(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp(annaEmail)
	const reason = "Phone reported stolen on a call"
	for i, role := range account.Roles {
		st, err := e.app.Accounts.CreateStaff(e.ctx, "cli", account.NewStaff{Email: string(role) + "@tillit.example", Name: "Staff " + string(role),
			Role: role, Password: "Lantern-harbour-violet-1987"})
		if err != nil {
			t.Fatal(err)
		}
		allowed := role == account.RoleSecurityAnalyst || role == account.RoleAdmin
		err = e.app.Cards.StaffFreeze(e.ctx, st, anna, "", reason)
		if allowed != (err == nil) || (!allowed && apperr.Code(err) != apperr.Forbidden) {
			t.Errorf("%s freezing: %v", role, err)
			continue
		}
		if !allowed {
			continue
		}
		if err := e.app.Cards.StaffUnfreeze(e.ctx, st, anna, "", ""); apperr.Code(err) != apperr.BadValue {
			t.Errorf("%s unfreezing without a reason: %v", role, err)
		}
		if err := e.app.Cards.StaffUnfreeze(e.ctx, st, anna, "", "Customer confirmed on a call"); err != nil {
			t.Errorf("%s unfreezing: %v", role, err)
		}
		entries, err := audit.ForSubject(e.ctx, e.app.DB, anna)
		if err != nil {
			t.Fatal(err)
		}
		mine := 0
		for _, en := range entries {
			if en.Actor == "staff:"+st.ID && (en.Action == card.ActionAccountFrozen || en.Action == card.ActionAccountUnfrozen) {
				mine++
			}
		}
		if mine != 2 {
			t.Errorf("%s (%d): %d audit entries of theirs, want 2", role, i, mine)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM freeze_events WHERE reason LIKE $1`, "%stolen%"); n != 0 {
		t.Error("a staff reason is stored in the clear")
	}
	if err := e.app.Cards.StaffFreeze(e.ctx, account.Staff{ID: "x", Role: account.RoleAdmin}, "0190a000-0000-7000-8000-000000000001", "", reason); apperr.Code(err) != apperr.NotFound {
		t.Errorf("freezing an unknown person: %v", err)
	}
}

// TestRevealOnceWithProof: the details show once, only after a fresh
// re-authentication, and are stored sealed.
func TestRevealOnceWithProof(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp(annaEmail)
	c, err := e.app.Cards.Create(e.ctx, anna, card.NewCard{Kind: card.KindOneTime, Amount: 1_000, Currency: "DKK", Locale: "da-DK", PaymentMethod: "pay_now"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Cards.Reveal(e.ctx, anna, c.ID, card.Reauth{VerifiedAt: e.clk.Now().Add(-time.Hour)}); apperr.Code(err) != card.CodeReauthRequired {
		t.Errorf("reveal with a stale proof: %v", err)
	}
	bob := e.signUp("bob@example.dk")
	if _, err := e.app.Cards.Reveal(e.ctx, bob, c.ID, e.fresh()); apperr.Code(err) != apperr.NotFound {
		t.Errorf("another person's reveal: %v", err)
	}
	d, err := e.app.Cards.Reveal(e.ctx, anna, c.ID, e.fresh())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Cards.Reveal(e.ctx, anna, c.ID, e.fresh()); apperr.Code(err) != card.CodeAlreadyRevealed {
		t.Errorf("second reveal: %v", err)
	}
	var sealed string
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT sealed FROM cards WHERE id = $1`, c.ID).Scan(&sealed)
	})
	if strings.Contains(sealed, d.Number) || strings.Contains(sealed, d.Number[6:12]) {
		t.Error("the card number is stored in the clear")
	}
	if _, err := e.app.Cards.Create(e.ctx, anna, card.NewCard{Kind: "gold", Amount: 1, Currency: "DKK", Locale: "da-DK", PaymentMethod: "pay_now"}); apperr.Code(err) != apperr.BadValue {
		t.Errorf("bad kind: %v", err)
	}
}

// TestBadRequestsWriteNothing: malformed or unauthenticated requests get
// a 4xx in the public error shape and write nothing.
func TestBadRequestsWriteNothing(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp(annaEmail)
	_, d := e.issue(anna, card.NewCard{})
	good := request(d, 1_000)
	bad := func(f func(r *card.AuthorizationRequest)) card.AuthorizationRequest { r := good; f(&r); return r }
	cases := []struct {
		name string
		body any
		user string
		want int
	}{
		{"no credential", good, "", http.StatusUnauthorized},
		{"wrong credential", good, "intruder", http.StatusUnauthorized},
		{"not JSON", "{", networkUser, http.StatusBadRequest},
		{"array", "[]", networkUser, http.StatusBadRequest},
		{"unknown field", `{"amount": 1, "pin": "1234"}`, networkUser, http.StatusBadRequest},
		{"zero amount", bad(func(r *card.AuthorizationRequest) { r.Amount = 0 }), networkUser, http.StatusBadRequest},
		{"bad currency", bad(func(r *card.AuthorizationRequest) { r.Currency = "kroner" }), networkUser, http.StatusBadRequest},
		{"no merchant", bad(func(r *card.AuthorizationRequest) { r.MerchantName = " " }), networkUser, http.StatusBadRequest},
		{"long merchant", bad(func(r *card.AuthorizationRequest) { r.MerchantName = strings.Repeat("x", 101) }), networkUser, http.StatusBadRequest},
		{"bad mcc", bad(func(r *card.AuthorizationRequest) { r.MerchantCategoryCode = "56" }), networkUser, http.StatusBadRequest},
		{"letters in number", bad(func(r *card.AuthorizationRequest) { r.CardNumber = "99900000000000ab" }), networkUser, http.StatusBadRequest},
		{"month 13", bad(func(r *card.AuthorizationRequest) { r.ExpiryMonth = 13 }), networkUser, http.StatusBadRequest},
		{"cvv of 4", bad(func(r *card.AuthorizationRequest) { r.CVV = "1234" }), networkUser, http.StatusBadRequest},
		{"no reference", bad(func(r *card.AuthorizationRequest) { r.NetworkReference = "" }), networkUser, http.StatusBadRequest},
		{"reference with spaces", bad(func(r *card.AuthorizationRequest) { r.NetworkReference = "a b" }), networkUser, http.StatusBadRequest},
	}
	for _, c := range cases {
		pass := networkPass
		if c.user == "intruder" {
			pass = "guess"
		}
		code, out := e.post(c.body, c.user, pass)
		if code != c.want || out["error_code"] == nil || out["correlation_id"] == nil {
			t.Errorf("%s: %d %v, want %d in the error shape", c.name, code, out, c.want)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM card_authorizations`); n != 0 {
		t.Errorf("%d authorizations recorded from bad requests", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM cards WHERE cvv_failures > 0`); n != 0 {
		t.Error("a bad request counted a CVV failure")
	}
}

// TestNoCardDataInLogs: after approvals, declines and bad requests, the
// logs hold neither a card number nor a CVV.
func TestNoCardDataInLogs(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp(annaEmail)
	_, d := e.issue(anna, card.NewCard{})
	e.authorize(request(d, 1_000))
	e.authorize(request(d, 1_000))
	wrong := request(d, 1_000)
	wrong.CVV = otherCVV(d.CVV)
	e.authorize(wrong)
	malformed := request(d, 1_000)
	malformed.ExpiryMonth = 0
	e.post(malformed, networkUser, networkPass)
	e.post(`{"card_number": 12}`, networkUser, networkPass)
	logs := e.logs.String()
	if !strings.Contains(logs, "/cards/v1/authorizations") {
		t.Fatal("the requests were not logged at all; the test would prove nothing")
	}
	for _, secret := range []string{d.Number, d.Number[6:], `"` + d.CVV + `"`, "cvv\":\"" + d.CVV} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs contain %q", secret)
		}
	}
}

// creditRecords counts the credit decision records of the person's card
// purchases.
func (e *env) creditRecords(personID string) int {
	e.t.Helper()
	return e.count(`SELECT COUNT(*) FROM risk_assessments WHERE person_id = $1 AND kind = $2`, personID, decision.RecordKindCardPurchase)
}

// decisions lists the automated decisions about the person.
func (e *env) decisions(personID string) []decision.Decision {
	e.t.Helper()
	var out []decision.Decision
	e.read(func(tx *store.Tx) (err error) {
		out, err = e.app.Decisions.ForPerson(tx, personID)
		return err
	})
	return out
}

// cardRecord reads the decision record of a card authorization.
func (e *env) cardRecord(authorizationID string) record.Assessment {
	e.t.Helper()
	var recs []record.Assessment
	e.read(func(tx *store.Tx) (err error) {
		recs, err = record.ForAuthorization(tx, authorizationID)
		return err
	})
	if len(recs) != 1 {
		e.t.Fatalf("authorization %s has %d decision records, want 1", authorizationID, len(recs))
	}
	return recs[0]
}

// TestCreditCheckIsAnAutomatedDecision: a card purchase's credit check is
// recorded as an automated decision about the card holder (D7), in the
// authorization's transaction, when it approves and when it declines by
// risk (open balance, arrears), with its reasons, what it compared and the
// policy's version; a repeat of a network reference records nothing new,
// and declines about the card itself (wrong CVV, used) are no credit
// decisions. The person sees the decisions, may contest one, and the access
// extract holds their records.
func TestCreditCheckIsAnAutomatedDecision(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp(annaEmail)
	_, d := e.issue(anna, card.NewCard{Amount: 30_000})
	first := request(d, 29_900)
	approved, err := e.app.Cards.Authorize(e.ctx, first)
	if err != nil || approved.Status != card.AuthApproved {
		t.Fatalf("approval: %+v %v", approved, err)
	}
	if n := e.creditRecords(anna); n != 1 {
		t.Fatalf("%d credit decisions after an approval, want 1", n)
	}
	rec := e.cardRecord(approved.AuthorizationID)
	if rec.OrderID != approved.OrderID || rec.MerchantID != card.NetworkMerchantID || rec.Decision.Outcome != risk.Accepted ||
		len(rec.Decision.Reasons) != 0 || rec.Decision.Summary["open_balance"] != "0" || rec.Decision.Summary["amount"] != "29900" {
		t.Errorf("the approval's record: %+v", rec)
	}

	wrongCVV := request(d, 1_000)
	wrongCVV.CVV = otherCVV(d.CVV)
	for name, req := range map[string]card.AuthorizationRequest{"repeat": first, "wrong cvv": wrongCVV, "used": request(d, 1_000)} {
		e.authorize(req)
		if n := e.creditRecords(anna); n != 1 {
			t.Errorf("after the %s: %d credit decisions, want 1", name, n)
		}
	}

	// Open balance (the approved 299.00) plus 60.00 is above a 300.00 policy.
	e.clk.Advance(time.Minute)
	policy := credit.Config{MaxOpenBalance: 30_000}
	strict := card.New(e.app.DB, e.app.Vault, e.app.Checkout, card.Config{Credit: policy}, lookupKey(t, e), nil)
	_, d2 := e.issue(anna, card.NewCard{})
	overBalance := request(d2, 6_000)
	for range 2 {
		if out, err := strict.Authorize(e.ctx, overBalance); err != nil || out.DeclineReason != card.DeclineByRisk {
			t.Fatalf("over the open-balance limit: %+v %v", out, err)
		}
	}
	if n := e.creditRecords(anna); n != 2 {
		t.Fatalf("%d credit decisions after a risk decline and its repeat, want 2", n)
	}

	// The pay-later instalment is overdue 32 days on: arrears.
	e.clk.Advance(32 * 24 * time.Hour)
	_, d3 := e.issue(anna, card.NewCard{})
	arrears, err := e.app.Cards.Authorize(e.ctx, request(d3, 1_000))
	if err != nil || arrears.DeclineReason != card.DeclineByRisk {
		t.Fatalf("with an overdue instalment: %+v %v", arrears, err)
	}
	if got := e.cardRecord(arrears.AuthorizationID).Decision.Summary; got["overdue_count"] != "1" || got["open_balance"] != "29900" ||
		got["max_open_balance"] != "7500000" {
		t.Errorf("the arrears decline's record compared %v", got)
	}

	ds := e.decisions(anna)
	var got []string
	for _, d := range ds {
		var codes []string
		for _, r := range d.Reasons {
			codes = append(codes, r.Code)
		}
		got = append(got, string(d.Kind)+":"+string(d.Outcome)+"["+strings.Join(codes, ",")+"]")
		if d.MerchantName != "Boots & Co" || d.Currency != "DKK" || d.PaymentMethod != "pay_later" {
			t.Errorf("decision %+v does not name the purchase", d)
		}
	}
	want := []string{"credit:refused[" + credit.ReasonArrears + "]", "credit:refused[" + credit.ReasonOpenBalanceLimit + "]", "credit:approved[]"}
	if !slices.Equal(got, want) {
		t.Fatalf("decisions %v, want %v", got, want)
	}
	if ds[2].Amount != 29_900 || ds[1].Amount != 6_000 || ds[0].Reasons[0].Key != "decision.reason.credit_arrears" {
		t.Errorf("decisions %+v", ds)
	}
	var groups []string
	for _, f := range ds[1].Factors {
		groups = append(groups, f.Group)
	}
	if !slices.Equal(groups, []string{"open_balance", "purchase_amount", "lending_limit", "overdue"}) {
		t.Errorf("factors %v", groups)
	}
	if v := ds[1].Versions; len(v) != 1 || v[0].Key != "decision.version.credit_policy" || v[0].Version != policy.Version() {
		t.Errorf("versions of the strict policy's decision: %+v", v)
	}
	if v := ds[2].Versions; len(v) != 1 || v[0].Version != credit.DefaultConfig().Version() {
		t.Errorf("versions of the approval: %+v", v)
	}

	// The person contests the open-balance decline like any decision.
	contest := func() error {
		return e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
			_, err := e.app.Decisions.Contest(tx, decision.ContestRequest{PersonID: anna, DecisionRef: ds[1].Ref,
				Statement: "I paid the earlier purchase yesterday.", Locale: "da-DK"})
			return err
		})
	}
	if err := contest(); err != nil {
		t.Fatal(err)
	}
	if err := contest(); apperr.Code(err) != decision.CodeAlreadyContested {
		t.Errorf("contesting it again: %v", err)
	}
	if c := e.decisions(anna)[1].Open(); c == nil || c.Kind != decision.Credit || c.DecisionOutcome != decision.Refused || c.Amount != 6_000 {
		t.Errorf("the open contest: %+v", c)
	}

	// The access extract holds the records.
	var x rights.Extract
	e.read(func(tx *store.Tx) (err error) {
		x, err = e.app.Rights.Access(tx, anna, i18n.English)
		return err
	})
	kinds := 0
	for _, c := range x.Categories {
		for _, it := range c.Items {
			if strings.HasPrefix(it.Record, "risk_assessments/") && it.Field == "kind" && it.Value == decision.RecordKindCardPurchase {
				kinds++
			}
		}
	}
	if kinds == 0 {
		t.Error("the access extract does not show the card purchases' decision records")
	}
}
