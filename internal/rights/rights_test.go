package rights_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/consent"
	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/restriction"
	"github.com/tillit/tillit/internal/retention"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

func TestAccessExtractHoldsEverythingOfThePersonAndNothingElse(t *testing.T) {
	e := newEnv(t)
	first := e.buy(anna, "pay_later", 40000)
	e.capture(first, 40000)
	e.buy(anna, "pay_in_parts", 30000)
	e.signIn(anna)
	e.consent(anna, consent.DirectMarketing, true)
	e.consent(anna, consent.DirectMarketing, false)
	boOrder := e.buy(bo, "pay_later", 25000)
	e.signIn(bo)

	var x rights.Extract
	e.read(func(tx *store.Tx) error {
		var err error
		x, err = e.rights.Access(tx, e.person(anna), i18n.English)
		return err
	})
	raw, err := x.JSON()
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)

	// Every category Tillit holds about Anna, by the registry's own account
	// of where each lives, is in the extract.
	want := []privacy.CategoryID{
		privacy.CategoryIdentity, privacy.CategoryContact, privacy.CategoryAddress, privacy.CategoryDateOfBirth,
		privacy.CategoryNationalID, privacy.CategoryLookupKeys, privacy.CategoryPurchase, privacy.CategoryPayment,
		privacy.CategoryCredit, privacy.CategoryFraud, privacy.CategoryDevice, privacy.CategoryCommunications,
		privacy.CategoryAccount, privacy.CategoryConsents,
	}
	got := x.CategoryIDs()
	for _, c := range want {
		if !slices.Contains(got, c) {
			t.Errorf("the extract lacks category %s (has %v)", c, got)
		}
	}
	for _, c := range got {
		if !slices.Contains(want, c) {
			t.Errorf("the extract has category %s the test does not expect", c)
		}
	}
	for _, s := range []string{anna.email, anna.family, anna.street, anna.dob, anna.nationalID, anna.ip, first} {
		if !strings.Contains(doc, s) {
			t.Errorf("the extract lacks %q", s)
		}
	}
	// Nothing of anyone else.
	for _, s := range append(bo.secrets(), boOrder) {
		if strings.Contains(doc, s) {
			t.Errorf("Anna's extract holds Bo's %q", s)
		}
	}
	// Each category says why it is held, from where, and for how long.
	for _, c := range x.Categories {
		if len(c.Purposes) == 0 || len(c.Items) == 0 || c.Name == "" || c.Name == string(c.ID) {
			t.Errorf("category %s: %d purposes, %d items, name %q", c.ID, len(c.Purposes), len(c.Items), c.Name)
		}
		for _, p := range c.Purposes {
			if p.LegalBasis.ID == "" || len(p.Retention) == 0 {
				t.Errorf("category %s purpose %s lacks basis or retention", c.ID, p.ID)
			}
		}
	}
	// The disclosures to the merchant appear with the data they covered.
	for _, c := range x.Categories {
		if c.ID != privacy.CategoryAddress {
			continue
		}
		refs := map[string]bool{}
		for _, d := range c.Disclosures {
			if d.Recipient == "Regnvejr ApS" && d.RecipientKind == "merchant" && d.LegalBasis != "" {
				refs[d.Reference] = true
			}
		}
		if !refs[first] || len(refs) != 2 {
			t.Errorf("address disclosures: %+v", c.Disclosures)
		}
	}
	// Secrets are shown as held, never as their digests.
	var decoded struct {
		Categories []struct {
			ID    string `json:"id"`
			Items []struct {
				Field string `json:"field"`
				Value any    `json:"value"`
			} `json:"items"`
		} `json:"categories"`
	}
	if err := json.Unmarshal(raw, &decoded); err != nil {
		t.Fatal(err)
	}
	for _, c := range decoded.Categories {
		if c.ID != string(privacy.CategoryCredentials) {
			continue
		}
		for _, it := range c.Items {
			if s, _ := it.Value.(string); len(s) == 64 {
				t.Errorf("credential %s shown as its digest %q", it.Field, s)
			}
		}
	}
}

func TestErasureWithOpenDebtKeepsWhatTheLawRequires(t *testing.T) {
	e := newEnv(t)
	order := e.buy(anna, "pay_later", 40000)
	e.capture(order, 40000) // owed, due in 30 days
	e.signIn(anna)
	e.consent(anna, consent.DirectMarketing, true)
	boOrder := e.buy(bo, "pay_later", 25000)
	e.signIn(bo)
	id := e.person(anna)

	var out rights.Erasure
	e.write(func(tx *store.Tx) error {
		var err error
		out, err = e.rights.Erase(tx, id)
		return err
	})
	if out.Shredded {
		t.Error("the key of a person with an open debt was shredded")
	}
	kept := map[privacy.CategoryID]rights.Kept{}
	for _, k := range out.Kept {
		kept[k.Category] = k
	}
	// The credit agreement is open: what it needs stays, until it ends, and
	// AML and bookkeeping keep it after that.
	for _, c := range []privacy.CategoryID{privacy.CategoryIdentity, privacy.CategoryAddress, privacy.CategoryPurchase, privacy.CategoryPayment} {
		k, ok := kept[c]
		if !ok || !k.OpenContract || k.Until != nil || !slices.Contains(k.Grounds, privacy.PurposeCreditAgreement) ||
			!slices.Contains(k.Grounds, privacy.PurposeAMLScreening) {
			t.Errorf("%s: kept %+v", c, k)
		}
	}
	// Every consent is withdrawn at once.
	e.read(func(tx *store.Tx) error {
		for _, p := range consent.Purposes() {
			if ok, err := consent.Granted(tx, id, p); err != nil || ok {
				t.Errorf("consent %s after erasure: %v %v", p, ok, err)
			}
		}
		return nil
	})
	// Anna can still find and pay her debt.
	if e.person(anna) != id {
		t.Fatal("the open contract lost its person")
	}
	if _, err := e.app.Plans.Pay(e.ctx, id, order, repayment.PayAll, ""); err != nil {
		t.Fatal(err)
	}
	e.runJobs()
	e.clk.Advance(time.Minute)
	e.runJobs()
	if p, err := e.app.Plans.PersonPlan(e.ctx, id, order); err != nil || p.Status != repayment.StatusClosed {
		t.Fatalf("the plan after paying: %+v %v", p.Status, err)
	}

	// With the contract ended, the daily job finishes the erasure.
	n, err := e.rights.CompleteErasures(e.ctx)
	if err != nil || n != 1 {
		t.Fatalf("completed %d erasures: %v", n, err)
	}
	after := e.dump()
	if found := findIn(map[string][]string{"consumers": after["consumers"], "web_sessions": after["web_sessions"], "outbox_messages": after["outbox_messages"]},
		[]string{anna.email}); len(found) > 0 {
		t.Errorf("Anna's account, sessions or mail remain: %v", found)
	}
	var mails int
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM outbox_messages WHERE person_id = $1`, id).Scan(&mails)
	})
	if mails != 0 {
		t.Errorf("%d sealed mails to Anna remain", mails)
	}
	if e.person(anna) != "" {
		t.Error("the address still leads to the erased person")
	}
	var p person.Person
	e.read(func(tx *store.Tx) error {
		var err error
		p, err = person.Get(tx, id)
		return err
	})
	if !p.Erased() || p.ConsumerKey != "" || p.RelationshipEndedAt == nil {
		t.Errorf("person after erasure: %+v", p)
	}
	// The law keeps the order: the merchant and AML can still read it.
	o, err := e.app.Checkout.GetOrder(e.ctx, e.m.ID, order)
	if err != nil || o.BillingAddress == nil || o.BillingAddress.FamilyName != anna.family {
		t.Errorf("the kept order after erasure: %+v %v", o.BillingAddress, err)
	}
	if n, err := e.rights.CompleteErasures(e.ctx); err != nil || n != 0 {
		t.Errorf("a second run finished %d erasures: %v", n, err)
	}

	// Coming back, Anna is a new person.
	e.buy(anna, "pay_later", 1000)
	if again := e.person(anna); again == "" || again == id {
		t.Errorf("Anna coming back is person %q (was %q)", again, id)
	}
	// Bo is untouched.
	if o, err := e.app.Checkout.GetOrder(e.ctx, e.m.ID, boOrder); err != nil || o.BillingAddress == nil || o.BillingAddress.Email != bo.email {
		t.Errorf("Bo's order: %+v %v", o.BillingAddress, err)
	}
	if c, err := e.app.Accounts.GetConsumer(e.ctx, e.consumer(bo)); err != nil || c.Email != bo.email {
		t.Errorf("Bo's account went with Anna's: %+v %v", c, err)
	}
}

func TestErasureAfterTheContractKeepsWhatTheLawRequiresUntilItsDate(t *testing.T) {
	e := newEnv(t)
	order := e.buy(anna, "pay_now", 40000)
	e.runJobs()
	e.clk.Advance(time.Minute)
	e.runJobs()
	e.capture(order, 40000)
	e.signIn(anna)
	id := e.person(anna)
	var plan repayment.Plan
	plan, err := e.app.Plans.PersonPlan(e.ctx, id, order)
	if err != nil || plan.Status != repayment.StatusClosed {
		t.Fatalf("a paid pay-now order: %+v %v", plan.Status, err)
	}
	erasedAt := e.clk.Now()
	var out rights.Erasure
	e.write(func(tx *store.Tx) error {
		var err error
		out, err = e.rights.Erase(tx, id)
		return err
	})
	if out.Shredded {
		t.Error("the key was shredded while AML keeps the identity")
	}
	for _, k := range out.Kept {
		if k.OpenContract || k.Until == nil {
			t.Errorf("%s: %+v", k.Category, k)
			continue
		}
		// Nothing goes before AML's five years after the relationship.
		if k.Until.Before(erasedAt.AddDate(5, 0, 0)) {
			t.Errorf("%s kept only until %v", k.Category, k.Until)
		}
	}
	if !slices.Contains(out.Erased, privacy.CategoryAccount) {
		t.Errorf("the account was not erased: %v", out.Erased)
	}
	if e.person(anna) != "" {
		t.Error("the address still leads to the erased person")
	}
}

func TestErasureWithoutContractShredsEverything(t *testing.T) {
	e := newEnv(t)
	if id := e.buy(rejected, "pay_later", 40000); id != "" {
		t.Fatalf("the test assessor approved %s", rejected.email)
	}
	e.signIn(rejected)
	e.consent(rejected, consent.CallRecording, true)
	e.buy(bo, "pay_later", 25000)
	id := e.person(rejected)
	var sealed []string
	e.read(func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT consumer FROM authorizations WHERE person_id = $1`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return err
			}
			sealed = append(sealed, s)
		}
		return rows.Err()
	})
	if len(sealed) == 0 {
		t.Fatal("no refused authorization was kept for the person")
	}

	var out rights.Erasure
	e.write(func(tx *store.Tx) error {
		var err error
		out, err = e.rights.Erase(tx, id)
		return err
	})
	if !out.Shredded {
		t.Error("nothing sealed is kept, yet the key stays")
	}
	for _, k := range out.Kept {
		if k.Category != privacy.CategoryConsents && k.Category != privacy.CategoryAuditTrail {
			t.Errorf("kept %s without a contract: %+v", k.Category, k)
		}
	}
	// What was sealed for them cannot be opened any more, anywhere.
	e.read(func(tx *store.Tx) error {
		for _, s := range sealed {
			if _, err := e.app.Vault.Open(tx, id, person.ContextConsumer, s); !errors.Is(err, vault.ErrShredded) {
				t.Errorf("a copy of the sealed consumer document opens: %v", err)
			}
		}
		return nil
	})
	if found := findIn(e.dump(), rejected.secrets()); len(found) > 0 {
		t.Errorf("readable data of the erased person remains: %v", found)
	}
	// Consent records are kept by law for three years after the
	// relationship, which the erasure ended.
	for _, k := range out.Kept {
		if k.Category == privacy.CategoryConsents {
			want := e.clk.Now().AddDate(3, 0, 0)
			if k.Until == nil || k.Until.Sub(want).Abs() > time.Minute {
				t.Errorf("consents kept until %v, want %v", k.Until, want)
			}
		}
	}
}

func TestRectifyCorrectsEveryCopy(t *testing.T) {
	e := newEnv(t)
	first := e.buy(anna, "pay_later", 40000)
	second := e.buy(anna, "pay_in_parts", 30000)
	boOrder := e.buy(bo, "pay_later", 25000)
	id := e.person(anna)
	var n int
	e.write(func(tx *store.Tx) error {
		var err error
		n, err = e.rights.Rectify(tx, id, []rights.Correction{
			{Field: "billing_address.family_name", Value: "Kristiansen"},
			{Field: "customer.date_of_birth", Value: "1987-04-22"},
		})
		return err
	})
	// Per purchase: the authorization's and the order's consumer document,
	// the order's and the session's personal fields.
	if n != 8 {
		t.Errorf("%d documents changed, want 8", n)
	}
	for _, order := range []string{first, second} {
		o, err := e.app.Checkout.GetOrder(e.ctx, e.m.ID, order)
		if err != nil || o.BillingAddress.FamilyName != "Kristiansen" || o.Customer.DateOfBirth != "1987-04-22" || o.BillingAddress.GivenName != anna.given {
			t.Errorf("order %s after the correction: %+v %+v %v", order, o.BillingAddress, o.Customer, err)
		}
	}
	if o, _ := e.app.Checkout.GetOrder(e.ctx, e.m.ID, boOrder); o.BillingAddress.FamilyName != bo.family {
		t.Errorf("Bo's order changed: %+v", o.BillingAddress)
	}
	for _, bad := range [][]rights.Correction{
		nil,
		{{Field: "billing_address.email", Value: "x@example.dk"}},
		{{Field: "billing_address.city", Value: "  "}},
		{{Field: "customer.date_of_birth", Value: "22/04/1987"}},
		{{Field: "billing_address.city", Value: strings.Repeat("x", 201)}},
	} {
		err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
			_, err := e.rights.Rectify(tx, id, bad)
			return err
		})
		if apperr.Code(err) != apperr.BadValue {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

// TestRequestsAreAnsweredByTheRights files an access and then an erasure
// request as the consumer would and has the data protection team carry
// them out: the access answer hands over the extract as a file, the
// erasure answer says what went and what the law keeps until when.
func TestRequestsAreAnsweredByTheRights(t *testing.T) {
	e := newEnv(t)
	order := e.buy(anna, "pay_now", 40000)
	e.runJobs()
	e.clk.Advance(time.Minute)
	e.runJobs()
	e.capture(order, 40000)
	e.signIn(anna)
	e.consent(anna, consent.DirectMarketing, true)
	id := e.person(anna)
	consumer := e.consumer(anna)
	const staff = "staff:dpo"

	file := func(kind dsr.Kind) dsr.Request {
		t.Helper()
		r, err := e.app.DSR.FileByConsumer(e.ctx, dsr.ConsumerFiling{ConsumerID: consumer, PersonID: id, Email: anna.email,
			Locale: i18n.English, Kind: kind, Country: "DK", Description: "Please."})
		if err != nil {
			t.Fatal(err)
		}
		if r, err = e.app.DSR.Start(e.ctx, staff, r.ID, r.Version); err != nil {
			t.Fatal(err)
		}
		if r, err = e.app.DSR.CarryOut(e.ctx, staff, r.ID, r.Version); err != nil {
			t.Fatal(err)
		}
		return r
	}

	access := file(dsr.KindAccess)
	if access.Status != dsr.StatusCompleted || access.Document == nil {
		t.Fatalf("access answer: %+v", access)
	}
	info, body, err := e.app.DSR.Document(e.ctx, id, access.ID)
	if err != nil || info.ContentType != "application/json" || !strings.Contains(string(body), anna.street) {
		t.Fatalf("the extract handed over: %+v %v", info, err)
	}

	erasure := file(dsr.KindErasure)
	if erasure.Status != dsr.StatusPartlyCompleted {
		t.Fatalf("erasure answer: %s", erasure.Status)
	}
	var keptIdentity, erasedAccount bool
	for _, it := range erasure.Outcome {
		switch it.What {
		case privacy.CategoryIdentity.NameKey():
			keptIdentity = !it.Done && it.Until != nil && strings.Contains(it.Reason, "Anti-money") && it.Until.After(e.clk.Now().AddDate(5, 0, 0))
		case privacy.CategoryAccount.NameKey():
			erasedAccount = it.Done
		}
	}
	if !keptIdentity || !erasedAccount {
		t.Errorf("erasure items: %+v", erasure.Outcome)
	}
	// The answer goes to the address the request gave; then the person is
	// gone from the address.
	if e.person(anna) != "" {
		t.Error("the address still leads to the erased person")
	}
}

// TestNothingReadableRemainsAfterErasureAndRetention is the acceptance of
// erasure: a customer who bought, paid and consented asks for erasure; what
// the law keeps stays readable until its date, and once the clock passes the
// last retention period and the engine has run, no table holds anything of
// hers that can be read: none of her values in clear, no lookup key, and
// the sealed copies cannot be opened.
func TestNothingReadableRemainsAfterErasureAndRetention(t *testing.T) {
	e := newEnv(t)
	order := e.buy(anna, "pay_now", 40000)
	e.runJobs()
	e.clk.Advance(time.Minute)
	e.runJobs()
	e.capture(order, 40000)
	e.signIn(anna)
	e.consent(anna, consent.DirectMarketing, true)
	id := e.person(anna)
	secret, err := e.app.DB.InstanceSecret(e.ctx, ids.ConsumerKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	lookupKey := ids.ConsumerKey(secret, anna.email)
	var sealed []string
	e.read(func(tx *store.Tx) error {
		var s string
		err := tx.QueryRow(`SELECT consumer FROM orders WHERE id = $1`, order).Scan(&s)
		sealed = append(sealed, s)
		return err
	})

	var out rights.Erasure
	e.write(func(tx *store.Tx) error {
		var err error
		out, err = e.rights.Erase(tx, id)
		return err
	})
	var last time.Time
	for _, k := range out.Kept {
		if k.Until == nil {
			t.Fatalf("%s kept without a date: %+v", k.Category, k)
		}
		if k.Until.After(last) {
			last = *k.Until
		}
	}
	// Until then the order stays readable for what the law keeps it for.
	if o, err := e.app.Checkout.GetOrder(e.ctx, e.m.ID, order); err != nil || o.BillingAddress == nil {
		t.Fatalf("the kept order: %+v %v", o.BillingAddress, err)
	}

	e.clk.Set(last.Add(time.Hour))
	boOrder := e.buy(bo, "pay_later", 25000)
	if _, err := e.app.Retention.Run(e.ctx, e.clk.Now(), retention.SourceCommand, "test"); err != nil {
		t.Fatal(err)
	}
	dump := e.dump()
	if found := findIn(dump, append(anna.secrets(), lookupKey)); len(found) > 0 {
		t.Errorf("readable data of the erased person remains: %v", found)
	}
	e.read(func(tx *store.Tx) error {
		for _, s := range sealed {
			if _, err := e.app.Vault.Open(tx, id, person.ContextConsumer, s); !errors.Is(err, vault.ErrShredded) {
				t.Errorf("her sealed consumer document still opens: %v", err)
			}
		}
		return nil
	})
	// Someone else's data is untouched.
	if o, err := e.app.Checkout.GetOrder(e.ctx, e.m.ID, boOrder); err != nil || o.BillingAddress == nil || o.BillingAddress.Email != bo.email {
		t.Errorf("Bo's order after the run: %+v %v", o.BillingAddress, err)
	}
}

// TestRestrictionAndObjectionTakeEffectOnFilingAndAreAnswered follows D6: a
// restriction stops the purposes relying on legitimate interest from using
// the categories named the moment it is filed; an objection stops the
// purposes named at once (direct marketing by withdrawing the consent), and
// the answer upholds it except where the registry records compelling
// grounds; staff lift a restriction only by telling the person.
func TestRestrictionAndObjectionTakeEffectOnFilingAndAreAnswered(t *testing.T) {
	e := newEnv(t)
	e.buy(anna, "pay_later", 25000)
	e.signIn(anna)
	e.consent(anna, consent.DirectMarketing, true)
	e.buy(bo, "pay_later", 12000)
	id, other := e.person(anna), e.person(bo)
	consumer := e.consumer(anna)
	const staff = "staff:dpo"

	permits := func(personID string, p privacy.PurposeID, cats ...privacy.CategoryID) bool {
		t.Helper()
		var ok bool
		e.read(func(tx *store.Tx) error {
			var err error
			ok, err = restriction.Permits(tx, personID, p, cats...)
			return err
		})
		return ok
	}
	file := func(kind dsr.Kind, scope ...string) dsr.Request {
		t.Helper()
		r, err := e.app.DSR.FileByConsumer(e.ctx, dsr.ConsumerFiling{ConsumerID: consumer, PersonID: id, Email: anna.email,
			Locale: i18n.English, Kind: kind, Country: "DK", Scope: scope})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	answer := func(r dsr.Request) dsr.Request {
		t.Helper()
		r, err := e.app.DSR.Start(e.ctx, staff, r.ID, r.Version)
		if err != nil {
			t.Fatal(err)
		}
		if r, err = e.app.DSR.CarryOut(e.ctx, staff, r.ID, r.Version); err != nil {
			t.Fatal(err)
		}
		return r
	}

	restrictReq := file(dsr.KindRestriction, "purchase", "device")
	if permits(id, privacy.PurposeFraudPrevention) || permits(id, privacy.PurposeModelImprovement) || permits(id, privacy.PurposeFraudPrevention, privacy.CategoryDevice) {
		t.Error("purposes relying on legitimate interest still use restricted data right after filing")
	}
	if !permits(id, privacy.PurposeFraudPrevention, privacy.CategoryIdentity) || !permits(id, privacy.PurposeCreditAgreement) || !permits(id, privacy.PurposeLegalClaims) {
		t.Error("a restriction stopped what it does not cover: other categories, the contract, legal claims")
	}
	if !permits(other, privacy.PurposeFraudPrevention) {
		t.Error("anna's restriction reached bo")
	}

	objectReq := file(dsr.KindObjection, "direct_marketing", "similar_offers", "fraud_prevention")
	var marketing bool
	e.read(func(tx *store.Tx) error {
		var err error
		marketing, err = consent.Granted(tx, id, consent.DirectMarketing)
		return err
	})
	if marketing || permits(id, privacy.PurposeSimilarOffers) || permits(id, privacy.PurposeFraudPrevention, privacy.CategoryIdentity) {
		t.Error("the objection did not take effect on filing")
	}

	objected := answer(objectReq)
	if objected.Status != dsr.StatusPartlyCompleted || len(objected.Outcome) != 3 {
		t.Fatalf("objection answer: %s %+v", objected.Status, objected.Outcome)
	}
	for _, it := range objected.Outcome {
		switch it.What {
		case privacy.PurposeSimilarOffers.NameKey():
			if !it.Done || it.Reason != "rights.objection.upheld" {
				t.Errorf("similar offers: %+v", it)
			}
		case privacy.PurposeDirectMarketing.NameKey():
			if !it.Done || it.Reason != "rights.objection.marketing_stopped" {
				t.Errorf("direct marketing: %+v", it)
			}
		case privacy.PurposeFraudPrevention.NameKey():
			if it.Done || !strings.Contains(it.Reason, "identity theft") {
				t.Errorf("fraud prevention goes on, with the grounds said: %+v", it)
			}
		default:
			t.Errorf("unexpected item %+v", it)
		}
	}
	if permits(id, privacy.PurposeSimilarOffers) || !permits(id, privacy.PurposeFraudPrevention, privacy.CategoryIdentity) {
		t.Error("after the answer similar offers must stay stopped and fraud prevention go on")
	}

	restricted := answer(restrictReq)
	if restricted.Status != dsr.StatusCompleted || len(restricted.Outcome) != 2 ||
		!strings.Contains(restricted.Outcome[0].Reason, "Fraud prevention") || restricted.Outcome[0].What != privacy.CategoryPurchase.NameKey() {
		t.Fatalf("restriction answer: %s %+v", restricted.Status, restricted.Outcome)
	}
	if permits(id, privacy.PurposeFraudPrevention, privacy.CategoryPurchase) {
		t.Error("the restriction ended with its answer")
	}

	// Staff lift the restriction of purchases once checked; the device
	// data stays restricted. An entry of another request is not theirs to
	// lift through this one.
	c, err := e.app.DSR.Get(e.ctx, restrictReq.ID)
	if err != nil || len(c.Entries) != 2 {
		t.Fatalf("the restriction request's entries: %+v %v", c.Entries, err)
	}
	objection, err := e.app.DSR.Get(e.ctx, objectReq.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.DSR.Lift(e.ctx, staff, restrictReq.ID, objection.Entries[0].ID, "checked"); apperr.Code(err) != apperr.NotFound {
		t.Errorf("lifting another request's entry: %v", err)
	}
	if _, err := e.app.DSR.Lift(e.ctx, staff, restrictReq.ID, c.Entries[0].ID, "The purchase data was checked against the shop's records and is right."); err != nil {
		t.Fatal(err)
	}
	if !permits(id, privacy.PurposeFraudPrevention, privacy.CategoryPurchase) || permits(id, privacy.PurposeFraudPrevention, privacy.CategoryDevice) {
		t.Error("lifting the purchase restriction did the wrong thing")
	}

	// The access extract shows what is restricted and objected to.
	var x rights.Extract
	e.read(func(tx *store.Tx) error {
		var err error
		x, err = e.rights.Access(tx, id, i18n.English)
		return err
	})
	body, _ := x.JSON()
	for _, want := range []string{`"similar_offers"`, `"device"`, "The purchase data was checked"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the access extract does not show %s", want)
		}
	}
}
