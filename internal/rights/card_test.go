package rights_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/card"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/retention"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/store"
)

// TestCardsInAccessExtractAndErased: a consumer's one-time card (bought
// with), virtual card (locked to a shop, frozen by a security analyst with
// a reason) and account freeze are in their access extract — last four
// digits, status, limits, the authorization, the freezes with the
// analyst's reason opened — but never the card number or CVV. An erasure
// deletes the account freeze and keeps the cards, their authorization and
// the freeze history for the order's and the audit trail's purposes; the
// retention run at the date the erasure gave deletes them all.
func TestCardsInAccessExtractAndErased(t *testing.T) {
	e := newEnv(t)
	e.signIn(anna)
	id, consumerID := e.person(anna), e.consumer(anna)
	fresh := func() card.Reauth { return card.Reauth{VerifiedAt: e.clk.Now()} }

	oneTime, err := e.app.Cards.Create(e.ctx, id, card.NewCard{Kind: card.KindOneTime, Amount: 30_000, Currency: "DKK",
		Locale: "da-DK", PaymentMethod: "pay_now"})
	if err != nil {
		t.Fatal(err)
	}
	oneTimeDetails, err := e.app.Cards.Reveal(e.ctx, id, oneTime.ID, fresh())
	if err != nil {
		t.Fatal(err)
	}
	logscan.Secret(logscan.CardNumber, oneTimeDetails.Number)
	logscan.Secret(logscan.CVV, oneTimeDetails.CVV)
	const shop = "Paraplyhuset Klarup"
	auth, err := e.app.Cards.Authorize(e.ctx, card.AuthorizationRequest{Amount: 29_900, Currency: "DKK", MerchantName: shop,
		MerchantCategoryCode: "5651", CardNumber: oneTimeDetails.Number, ExpiryMonth: oneTimeDetails.ExpiryMonth,
		ExpiryYear: oneTimeDetails.ExpiryYear, CVV: oneTimeDetails.CVV, NetworkReference: "net-rights-1"})
	if err != nil || auth.Status != card.AuthApproved {
		t.Fatalf("the one-time card's purchase: %+v %v", auth, err)
	}
	// Pay now is charged at once: the plan closes and no contract is open.
	e.runJobs()
	e.clk.Advance(time.Minute)
	e.runJobs()
	if plan, err := e.app.Plans.PersonPlan(e.ctx, id, auth.OrderID); err != nil || plan.Status != repayment.StatusClosed {
		t.Fatalf("the card purchase's plan: %+v %v", plan.Status, err)
	}

	const lock = "Skotøjsmagasinet Nord"
	virtual, err := e.app.Cards.Create(e.ctx, id, card.NewCard{Kind: card.KindVirtual, Amount: 120_000, Currency: "DKK",
		Locale: "da-DK", PaymentMethod: "pay_later", MerchantName: lock})
	if err != nil {
		t.Fatal(err)
	}
	virtualDetails, err := e.app.Cards.Reveal(e.ctx, id, virtual.ID, fresh())
	if err != nil {
		t.Fatal(err)
	}
	logscan.Secret(logscan.CardNumber, virtualDetails.Number)
	logscan.Secret(logscan.CVV, virtualDetails.CVV)
	logscan.Secret(logscan.Password, "Lantern-harbour-violet-1987")
	analyst, err := e.app.Accounts.CreateStaff(e.ctx, "cli", account.NewStaff{Email: "sara@tillit.example", Name: "Sara Security",
		Role: account.RoleSecurityAnalyst, Password: "Lantern-harbour-violet-1987"})
	if err != nil {
		t.Fatal(err)
	}
	const reason = "Card number seen on a phishing site report"
	if err := e.app.Cards.StaffFreeze(e.ctx, analyst, id, virtual.ID, reason); err != nil {
		t.Fatal(err)
	}
	if err := e.app.Cards.Freeze(e.ctx, id, "consumer:"+consumerID, ""); err != nil {
		t.Fatal(err)
	}

	var x rights.Extract
	e.read(func(tx *store.Tx) (err error) {
		x, err = e.rights.Access(tx, id, i18n.English)
		return err
	})
	raw, err := x.JSON()
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string][]any{}
	for _, c := range x.Categories {
		for _, it := range c.Items {
			fields[it.Record+"."+it.Field] = append(fields[it.Record+"."+it.Field], it.Value)
		}
	}
	has := func(record, field string, want any) {
		t.Helper()
		if !slices.ContainsFunc(fields[record+"."+field], func(v any) bool { return v == want }) {
			t.Errorf("the extract shows %s %s as %v, want %v", record, field, fields[record+"."+field], want)
		}
	}
	oneTimeRec, virtualRec := "cards/"+oneTime.ID, "cards/"+virtual.ID
	has(oneTimeRec, "last4", oneTimeDetails.Number[12:])
	has(oneTimeRec, "kind", card.KindOneTime)
	has(oneTimeRec, "status", card.StatusUsed)
	has(oneTimeRec, "amount_limit", int64(30_000))
	has(virtualRec, "last4", virtualDetails.Number[12:])
	has(virtualRec, "kind", card.KindVirtual)
	has(virtualRec, "status", card.StatusActive)
	has(virtualRec, "amount_limit", int64(120_000))
	has(virtualRec, "merchant_lock", lock)
	has("card_authorizations/"+auth.AuthorizationID, "amount", int64(29_900))
	has("card_authorizations/"+auth.AuthorizationID, "merchant_name", shop)
	if got := fields["card_authorizations/"+auth.AuthorizationID+".approved"]; len(got) == 0 || (got[0] != true && got[0] != int64(1)) {
		t.Errorf("the extract shows the authorization's approval as %v", got)
	}
	has("account_freezes/", "actor", "consumer:"+consumerID)
	for _, want := range []string{"card.frozen", "account.frozen", "staff:" + analyst.ID, reason} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the extract does not show %q", want)
		}
	}
	if len(fields[virtualRec+".frozen_at"]) == 0 {
		t.Error("the extract does not show that the virtual card is frozen")
	}
	// The number and CVV were shown once in the app; the extract tells
	// that they are held, never what they are.
	for _, d := range []card.Details{oneTimeDetails, virtualDetails} {
		if strings.Contains(string(raw), d.Number) || strings.Contains(string(raw), d.Number[6:]) {
			t.Errorf("the extract shows the card number %s", d.Number)
		}
	}
	for _, rec := range []string{oneTimeRec, virtualRec} {
		got := fields[rec+".sealed"]
		if len(got) == 0 {
			t.Errorf("the extract does not say that %s's number and CVV are held", rec)
		}
		for _, v := range got {
			if s, ok := v.(string); !ok || strings.ContainsAny(s, "0123456789") {
				t.Errorf("the extract shows %s's secret as %v", rec, v)
			}
		}
	}
	if strings.Contains(string(raw), `"cvv"`) || strings.Contains(string(raw), `"pan"`) {
		t.Error("the extract holds the sealed card secret opened")
	}

	var out rights.Erasure
	e.write(func(tx *store.Tx) (err error) {
		out, err = e.rights.Erase(tx, id)
		return err
	})
	count := func(query string) int {
		t.Helper()
		var n int
		e.read(func(tx *store.Tx) error { return tx.QueryRow(query, id).Scan(&n) })
		return n
	}
	// No purpose keeps a freeze of an erased account.
	if n := count(`SELECT COUNT(*) FROM account_freezes WHERE person_id = $1`); n != 0 {
		t.Errorf("after erasure %d account freezes remain", n)
	}
	// The cards and their authorization are records of the order, which
	// bookkeeping and legal claims keep; the freeze history is kept with
	// the audit trail it accounts for.
	if n := count(`SELECT COUNT(*) FROM cards WHERE person_id = $1`); n != 2 {
		t.Errorf("after erasure %d cards, want the 2 kept with the order", n)
	}
	if n := count(`SELECT COUNT(*) FROM card_authorizations WHERE person_id = $1`); n != 1 {
		t.Errorf("after erasure %d card authorizations, want 1 kept with the order", n)
	}
	if n := count(`SELECT COUNT(*) FROM freeze_events WHERE person_id = $1`); n != 2 {
		t.Errorf("after erasure %d freeze events, want 2 kept for accountability", n)
	}
	// A kept card is no card: the very next authorization declines it.
	after, err := e.app.Cards.Authorize(e.ctx, card.AuthorizationRequest{Amount: 1_000, Currency: "DKK", MerchantName: "Anden Butik",
		MerchantCategoryCode: "5661", CardNumber: virtualDetails.Number, ExpiryMonth: virtualDetails.ExpiryMonth,
		ExpiryYear: virtualDetails.ExpiryYear, CVV: virtualDetails.CVV, NetworkReference: "net-rights-after-erasure"})
	if err != nil || after.Status != card.AuthDeclined || after.DeclineReason != card.DeclineUnknownCard {
		t.Errorf("an erased person's card after erasure: %+v %v", after, err)
	}
	payment := slices.IndexFunc(out.Kept, func(k rights.Kept) bool { return k.Category == privacy.CategoryPayment })
	if payment < 0 || !slices.Contains(out.Kept[payment].Grounds, privacy.PurposeBookkeeping) {
		t.Fatalf("the erasure does not keep the payment data for bookkeeping: %+v", out.Kept)
	}
	var last time.Time
	for _, k := range out.Kept {
		if k.Until == nil {
			t.Fatalf("%s kept without a date: %+v", k.Category, k)
		}
		if k.Until.After(last) {
			last = *k.Until
		}
	}
	// At the date the erasure gave, the retention run deletes all of it.
	e.clk.Set(last.Add(time.Hour))
	if _, err := e.app.Retention.Run(e.ctx, e.clk.Now(), retention.SourceCommand, "test"); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"cards", "card_authorizations", "account_freezes", "freeze_events"} {
		if n := count(`SELECT COUNT(*) FROM ` + table + ` WHERE person_id = $1`); n != 0 {
			t.Errorf("after retention %d rows of %s remain", n, table)
		}
	}
	if found := findIn(e.dump(), []string{oneTimeDetails.Number, virtualDetails.Number, reason, lock}); len(found) > 0 {
		t.Errorf("readable card data of the erased person remains: %v", found)
	}
}
