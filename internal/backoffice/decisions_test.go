package backoffice_test

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/decision"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/store"
)

// newDecisionsEnv is newEnv serving the whole app as wired, so the back
// office has the queues of contested decisions.
func newDecisionsEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.srv.Close()
	e.srv = httptest.NewServer(e.app.Handler)
	e.pages = e.app.Pages.BackOffice
	return e
}

// contested runs a purchase above the credit limit for the consumer with
// the address through checkout (the credit check refuses it, the fraud
// rules refer it), contests both decisions and returns the person and the
// two contests, credit first.
func (e *env) contested(email string) (string, decision.Contest, decision.Contest) {
	e.t.Helper()
	const amount = 6_000_000
	data := checkout.OrderData{
		PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "da-DK", OrderAmount: amount,
		OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-9", Name: "Sofa", Quantity: 1, UnitPrice: amount, TotalAmount: amount}},
	}
	sess, err := e.app.Checkout.CreateSession(e.ctx, e.shop, data, "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.app.Checkout.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later", Customer: checkout.Customer{DateOfBirth: "1990-05-17"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: email, Phone: "+4520123456",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		OTP: checkout.TestOTP,
	}); err != nil {
		e.t.Fatal(err)
	}
	secret, err := e.app.DB.InstanceSecret(e.ctx, ids.ConsumerKeySecret)
	if err != nil {
		e.t.Fatal(err)
	}
	var (
		personID      string
		credit, fraud decision.Contest
	)
	err = e.app.DB.Write(e.ctx, func(tx *store.Tx) (err error) {
		if personID, err = person.Resolve(tx, ids.ConsumerKey(secret, email)); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE authorizations SET person_id = $1 WHERE session_id = $2 AND person_id IS NULL`, personID, sess.SessionID); err != nil {
			return err
		}
		ds, err := e.app.Decisions.ForPerson(tx, personID)
		if err != nil {
			return err
		}
		if credit, err = e.app.Decisions.Contest(tx, decision.ContestRequest{PersonID: personID, DecisionRef: ds[0].Ref,
			Statement: "My income covers this purchase.", ReplyTo: email, Locale: "en"}); err != nil {
			return err
		}
		fraud, err = e.app.Decisions.Contest(tx, decision.ContestRequest{PersonID: personID, DecisionRef: ds[1].Ref,
			Statement: "The shop is in my own country.", ReplyTo: email, Locale: "en"})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if credit.Kind != decision.Credit || fraud.Kind != decision.Fraud {
		e.t.Fatalf("contests of %s and %s", credit.Kind, fraud.Kind)
	}
	return personID, credit, fraud
}

// amlContest stores an open contest of an AML decision about the person,
// as the screening of the risk engine will give them; no check gives AML
// reasons yet.
func (e *env) amlContest(personID string) string {
	e.t.Helper()
	id := ids.New()
	err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		statement, err := e.app.Vault.SealString(tx, personID, "decision_contests.statement", "I am not the person on the list.")
		if err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO decision_contests (id, person_id, decision_ref, kind, decision_outcome, reasons, merchant_id, amount, currency,
				decided_at, statement, reply_to, locale, status, open_key, created_at)
			VALUES ($1, $2, $3, 'aml', 'refused', '["SANCTIONS_LIST_MATCH"]', $4, 1000, 'DKK', $5, $6, '', 'en', 'open', $3, $5)`,
			id, personID, "aml-"+id, e.shop.ID, store.Micros(tx.Now), statement)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// contestStatus reads a contest's status.
func (e *env) contestStatus(id string) string {
	e.t.Helper()
	var status string
	if err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT status FROM decision_contests WHERE id = $1`, id).Scan(&status)
	}); err != nil {
		e.t.Fatal(err)
	}
	return status
}

// mailsTo counts the e-mails queued to an address.
func (e *env) mailsTo(address string) int {
	e.t.Helper()
	msgs, err := e.app.Accounts.DemoMailbox(e.ctx, address, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(msgs)
}

func TestContestedDecisionsRoleMatrix(t *testing.T) {
	e := newDecisionsEnv(t)
	const anna = "anna@example.dk"
	annaID, credit, fraud := e.contested(anna)
	aml := e.amlContest(annaID)
	const (
		creditStatement = "My income covers this purchase."
		amlStatement    = "I am not the person on the list."
	)
	for _, role := range account.Roles {
		t.Run(string(role), func(t *testing.T) {
			st := e.staff(role, "Member "+strings.ReplaceAll(string(role), "_", " "))
			c := e.client()
			c.signIn(st)
			mayCredit := role == account.RoleRiskAnalyst || role == account.RoleDataProtection || role == account.RoleAdmin
			mayAML := role == account.RoleAMLOfficer || role == account.RoleAdmin
			_, home := c.get("/staff/")
			if got := strings.Contains(home, "Contested decisions"); got != mayCredit {
				t.Errorf("home lists the contested decisions: %v, want %v", got, mayCredit)
			}
			if got := strings.Contains(home, "Contested anti-money-laundering decisions"); got != mayAML {
				t.Errorf("home lists the contested AML decisions: %v, want %v", got, mayAML)
			}
			for _, tt := range []struct {
				path      string
				may       bool
				statement string
			}{
				{"/staff/queues/" + backoffice.ContestedQueueKey, mayCredit, ""},
				{"/staff/queues/" + backoffice.ContestedAMLQueueKey, mayAML, ""},
				{"/staff/contests/" + credit.ID, mayCredit, creditStatement},
				{"/staff/contests/" + aml, mayAML, amlStatement},
			} {
				res, body := c.get(tt.path)
				want := http.StatusForbidden
				if tt.may {
					want = http.StatusOK
				}
				if res.StatusCode != want {
					t.Errorf("GET %s: %d, want %d", tt.path, res.StatusCode, want)
				}
				if tt.statement != "" && strings.Contains(html.UnescapeString(body), tt.statement) != tt.may {
					t.Errorf("GET %s shows the statement: %v", tt.path, !tt.may)
				}
			}
			if !mayCredit {
				res, _ := c.post("/staff/contests/"+fraud.ID+"/review", url.Values{"outcome": {"overturned"}, "note": {"Looks fine to me."}})
				if res.StatusCode != http.StatusForbidden || e.contestStatus(fraud.ID) != "open" {
					t.Errorf("review by %s: %d, contest %s", role, res.StatusCode, e.contestStatus(fraud.ID))
				}
			}
			if !mayAML {
				res, _ := c.post("/staff/contests/"+aml+"/review", url.Values{"outcome": {"overturned"}, "note": {"Not on the list."}})
				if res.StatusCode != http.StatusForbidden || e.contestStatus(aml) != "open" {
					t.Errorf("AML review by %s: %d, contest %s", role, res.StatusCode, e.contestStatus(aml))
				}
			}
			views := 0
			for _, en := range e.auditEntries(annaID, decision.ActionContestViewed) {
				if en.Actor == "staff:"+st.ID {
					views++
				}
			}
			wantViews := 0
			if mayCredit {
				wantViews++
			}
			if mayAML {
				wantViews++
			}
			if views != wantViews {
				t.Errorf("%d contest views audited, want %d", views, wantViews)
			}
		})
	}
	if len(e.auditEntries(annaID, decision.ActionContestReviewed)) != 0 || e.mailsTo(anna) != 0 {
		t.Error("a refused review was recorded or mailed")
	}
}

func TestReviewAContestedDecision(t *testing.T) {
	e := newDecisionsEnv(t)
	const anna = "anna@example.dk"
	annaID, credit, fraud := e.contested(anna)
	analyst := e.staff(account.RoleRiskAnalyst, "Rita Risk")
	c := e.client()
	c.signIn(analyst)

	_, queue := c.get("/staff/queues/" + backoffice.ContestedQueueKey)
	if !strings.Contains(queue, "Waiting: 2") || !strings.Contains(queue, `href="/staff/contests/`+credit.ID+`"`) ||
		!strings.Contains(queue, `href="/staff/contests/`+fraud.ID+`"`) || strings.Contains(queue, "income") {
		t.Fatalf("queue:\n%s", queue)
	}
	if res, _ := c.get("/staff/contests/" + ids.New()); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown contest: %d", res.StatusCode)
	}
	res, body := c.get("/staff/contests/" + credit.ID)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("contest page: %d", res.StatusCode)
	}
	for _, want := range []string{"Credit check", "Declined", "Nordic Rain", "My income covers this purchase.", "AMOUNT_OVER_CREDIT_LIMIT", annaID, "Under review"} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("the contest page lacks %q", want)
		}
	}

	path := "/staff/contests/" + credit.ID + "/review"
	res, body = c.post(path, url.Values{"outcome": {"maybe"}, "note": {" "}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-outcome"`) || !strings.Contains(body, `href="#f-note"`) {
		t.Fatalf("empty review: %d\n%s", res.StatusCode, body)
	}
	if e.contestStatus(credit.ID) != "open" {
		t.Fatal("an invalid review changed the contest")
	}
	res, _ = c.post(path, url.Values{"outcome": {"upheld"}, "note": {"The amount is above the most we lend for one purchase."}})
	wantRedirect(t, res, "/staff/queues/"+backoffice.ContestedQueueKey)
	if _, queue := c.get("/staff/queues/" + backoffice.ContestedQueueKey); !strings.Contains(queue, "The review is recorded and the person has been told.") ||
		!strings.Contains(queue, "Waiting: 1") {
		t.Errorf("queue after the review:\n%s", queue)
	}
	if e.contestStatus(credit.ID) != "reviewed" || e.mailsTo(anna) != 1 {
		t.Errorf("contest %s, %d mails", e.contestStatus(credit.ID), e.mailsTo(anna))
	}
	reviews := e.auditEntries(annaID, decision.ActionContestReviewed)
	if len(reviews) != 1 || reviews[0].Actor != "staff:"+analyst.ID {
		t.Errorf("review audit = %+v", reviews)
	}
	_, body = c.get("/staff/contests/" + credit.ID)
	if !strings.Contains(body, "Reviewed: the decision stands") || !strings.Contains(body, "staff:"+analyst.ID) ||
		strings.Contains(body, `action="/staff/contests/`+credit.ID+`/review"`) {
		t.Errorf("the reviewed contest:\n%s", body)
	}
	res, _ = c.post(path, url.Values{"outcome": {"overturned"}, "note": {"Again."}})
	wantRedirect(t, res, "/staff/contests/"+credit.ID)
	if _, body := c.get("/staff/contests/" + credit.ID); !strings.Contains(body, "This contest was reviewed already.") {
		t.Error("no notice for a second review")
	}
	if e.mailsTo(anna) != 1 || len(e.auditEntries(annaID, decision.ActionContestReviewed)) != 1 {
		t.Error("the second review was recorded")
	}
}
