package fraudcase_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/fraudcase"
	"github.com/tillit/tillit/internal/i18n"
)

// reminderSubjects are the subjects of payment reminders to a Danish
// order's consumer.
var reminderSubjects = []string{i18n.T(i18n.Danish, "mail.reminder_before.subject"), i18n.T(i18n.Danish, "mail.reminder_overdue.subject")}

// reminders counts the payment reminders e-mailed to the address.
func (e *env) reminders(email string) int {
	n := 0
	for _, m := range e.mails(email) {
		for _, s := range reminderSubjects {
			if m.Subject == s {
				n++
			}
		}
	}
	return n
}

// lateFees sums the late fees on an order's plan.
func (e *env) lateFees(orderID string) int64 {
	e.t.Helper()
	p, err := e.app.Plans.Get(e.ctx, orderID)
	if err != nil {
		e.t.Fatal(err)
	}
	var fees int64
	for _, in := range p.Installments {
		fees += in.LateFee
	}
	return fees
}

// TestVictimFlowOverHTTP: the consumer reports a shipped purchase as not
// theirs in the app, which pauses its payments; an analyst asks the
// merchant for more; the merchant answers through the e-mailed link, which
// puts the case back in the queue; the analyst confirms the victim, which
// cancels the claim: moving the clock past every due date sends no
// reminder and charges no late fee.
func TestVictimFlowOverHTTP(t *testing.T) {
	e := newEnv(t)
	id := e.order(anna, 60_000)
	e.capture(id, 60_000)
	ref := e.reference(id)
	const statement = "I was abroad that week; somebody used my name"

	consumer := e.client()
	consumer.consumerSignIn(annaEmail)
	pg := consumer.get("/app/orders/" + id)
	if pg.status != http.StatusOK || !strings.Contains(pg.body, "/app/orders/"+id+"/not-mine") {
		t.Fatalf("order page: %d, report link shown: %v", pg.status, strings.Contains(pg.body, "not-mine"))
	}
	if pg = consumer.get("/app/orders/" + id + "/not-mine"); pg.status != http.StatusOK || !strings.Contains(pg.body, ref) {
		t.Fatalf("report page: %d", pg.status)
	}
	pg = consumer.post("/app/orders/"+id+"/not-mine", url.Values{"statement": {statement}})
	// The app files the report as an unauthorised-purchase dispute, which
	// opens the fraud case, and shows the dispute.
	if pg.status != http.StatusSeeOther || !strings.HasPrefix(pg.location, "/app/disputes/") {
		t.Fatalf("report: %d to %q", pg.status, pg.location)
	}
	c := e.caseOf(id)
	if c.Status != fraudcase.StatusOpen || c.Channel != fraudcase.ByConsumer {
		t.Fatalf("case %+v", c)
	}
	if p, err := e.app.Plans.Get(e.ctx, id); err != nil || p.PausedUntil == nil {
		t.Fatalf("the plan is not paused: %+v %v", p.PausedUntil, err)
	}
	if n := e.auditCount(id, fraudcase.ActionOpened); n != 1 {
		t.Errorf("%d openings audited", n)
	}
	if pg = consumer.get("/app/orders/" + id); !strings.Contains(pg.body, `id="fraud-claim"`) || strings.Contains(pg.body, "/not-mine") {
		t.Errorf("the order page does not tell the case is open")
	}
	if pg = consumer.post("/app/orders/"+id+"/not-mine", url.Values{"statement": {"again"}}); pg.status != http.StatusConflict {
		t.Errorf("reporting twice: %d", pg.status)
	}
	if n := e.count(`SELECT COUNT(*) FROM fraud_cases WHERE order_id = $1`, id); n != 1 {
		t.Errorf("%d cases after reporting twice", n)
	}

	analyst := e.client()
	analyst.staffSignIn(e.staff(account.RoleSecurityAnalyst))
	casePath := "/staff/fraud-cases/" + c.ID
	if pg = analyst.get("/staff/queues/fraud_cases"); !strings.Contains(pg.body, casePath) {
		t.Fatalf("the queue does not list the case")
	}
	if pg = analyst.get(casePath); pg.status != http.StatusOK || !strings.Contains(pg.body, statement) || !strings.Contains(pg.body, "Sletten 1") {
		t.Fatalf("case page: %d", pg.status)
	}
	const question = "Which IP address and delivery address did the buyer use, and was the parcel signed for?"
	pg = analyst.post(casePath+"/ask", url.Values{"version": {version(c)}, "ask_text": {question}, "ask_reason": {"Need delivery evidence"}})
	if pg.status != http.StatusSeeOther || pg.location != casePath {
		t.Fatalf("ask: %d to %q", pg.status, pg.location)
	}
	if c = e.caseOf(id); c.Status != fraudcase.StatusAwaitingMerchant {
		t.Fatalf("after asking the case is %s", c.Status)
	}
	if pg = analyst.get("/staff/queues/fraud_cases"); strings.Contains(pg.body, casePath) {
		t.Error("a case waiting for the merchant is still in the queue")
	}

	link := e.replyLink()
	merchant := e.client()
	if pg = merchant.get(link); pg.status != http.StatusOK || !strings.Contains(pg.body, question) || !strings.Contains(pg.body, ref) {
		t.Fatalf("reply page: %d", pg.status)
	}
	for _, s := range []string{"Jensen", annaEmail, "Sletten", statement} {
		if strings.Contains(pg.body, s) {
			t.Errorf("the merchant's page shows %q", s)
		}
	}
	const answer = "Shipped to a parcel locker in Aalborg, picked up with a code; IP 203.0.113.7."
	if pg = merchant.post(link, url.Values{"reply": {answer}}); pg.status != http.StatusSeeOther || pg.location != link {
		t.Fatalf("reply: %d to %q", pg.status, pg.location)
	}
	if pg = merchant.get(link); !strings.Contains(pg.body, answer) {
		t.Error("the reply page does not show the answer given")
	}
	if c = e.caseOf(id); c.Status != fraudcase.StatusOpen {
		t.Fatalf("after the reply the case is %s", c.Status)
	}
	if n := e.auditCount(id, fraudcase.ActionMerchantReplied); n != 1 {
		t.Errorf("%d replies audited", n)
	}

	if pg = analyst.get(casePath); !strings.Contains(pg.body, answer) {
		t.Fatal("the case page does not show the merchant's answer")
	}
	pg = analyst.post(casePath+"/close", url.Values{"version": {version(c)}, "outcome": {"victim_confirmed"}, "close_reason": {"Delivery to a locker, not her address"}})
	if pg.status != http.StatusSeeOther || pg.location != "/staff/queues/fraud_cases" {
		t.Fatalf("close: %d to %q", pg.status, pg.location)
	}
	if c = e.caseOf(id); c.Status != fraudcase.StatusClosed || c.Outcome != fraudcase.VictimConfirmed {
		t.Fatalf("closed case %+v", c)
	}
	for _, a := range []string{fraudcase.ActionMerchantAsked, fraudcase.ActionClosed} {
		if n := e.auditCount(id, a); n != 1 {
			t.Errorf("%d %s audited", n, a)
		}
	}
	if n := e.auditCount(id, fraudcase.ActionViewed); n < 2 {
		t.Errorf("%d views audited", n)
	}

	before := e.reminders(annaEmail)
	e.advanceDays(150)
	if n := e.reminders(annaEmail); n != before {
		t.Errorf("%d reminders sent after the victim was confirmed", n-before)
	}
	if fees := e.lateFees(id); fees != 0 {
		t.Errorf("late fees %d after the victim was confirmed", fees)
	}
	if p, err := e.app.Plans.Get(e.ctx, id); err != nil || p.Outstanding != 0 {
		t.Errorf("the consumer still owes %d (%v)", p.Outstanding, err)
	}
	// The session ended while the clock moved: sign in again.
	consumer = e.client()
	consumer.consumerSignIn(annaEmail)
	if pg = consumer.get("/app/orders/" + id); !strings.Contains(pg.body, i18n.T(i18n.English, "fraudcase.consumer.victim_notice")) &&
		!strings.Contains(pg.body, i18n.T(i18n.Danish, "fraudcase.consumer.victim_notice")) {
		t.Error("the order page does not tell the consumer they owe nothing")
	}
}

// TestOpenCaseKeepsThePlanPausedThenClaimStands: while a case stays open,
// the plan is paused again before each pause ends, so no reminder or late
// fee comes however long it lasts; closing it as claim_stands resumes the
// plan and the reminders come again.
func TestOpenCaseKeepsThePlanPausedThenClaimStands(t *testing.T) {
	e := newEnv(t)
	id := e.order(anna, 40_000)
	e.capture(id, 40_000)
	cs := e.staff(account.RoleCustomerService)
	c, err := e.svc.OpenByStaff(e.ctx, cs, e.reference(id), "Caller disputes the purchase", "She says the phone number is hers but the order is not")
	if err != nil {
		t.Fatal(err)
	}
	if c.Channel != fraudcase.ByStaff || e.auditCount(id, fraudcase.ActionOpened) != 1 {
		t.Fatalf("case %+v", c)
	}
	if _, err := e.svc.OpenByStaff(e.ctx, cs, e.reference(id), "Again", ""); apperr.Code(err) != fraudcase.CodeAlreadyOpen {
		t.Errorf("a second case on the order: %v", err)
	}
	e.advanceDays(100)
	if n := e.reminders(annaEmail); n != 0 {
		t.Errorf("%d reminders while the case is open", n)
	}
	if fees := e.lateFees(id); fees != 0 {
		t.Errorf("late fees %d while the case is open", fees)
	}
	p, err := e.app.Plans.Get(e.ctx, id)
	if err != nil || p.PausedUntil == nil || !p.PausedUntil.After(e.clk.Now()) {
		t.Fatalf("after 100 days the plan is not paused: %+v %v", p.PausedUntil, err)
	}
	analyst := e.staff(account.RoleSecurityAnalyst)
	if _, err := e.svc.Close(e.ctx, analyst, c.ID, c.Version, fraudcase.ClaimStands, "Purchase confirmed by delivery signature"); err != nil {
		t.Fatal(err)
	}
	if p, err = e.app.Plans.Get(e.ctx, id); err != nil || p.PausedUntil != nil {
		t.Fatalf("after claim_stands the plan is still paused: %+v %v", p.PausedUntil, err)
	}
	e.advanceDays(100)
	if n := e.reminders(annaEmail); n == 0 {
		t.Error("no reminder after the claim was found to stand")
	}
	if _, err := e.svc.Close(e.ctx, analyst, c.ID, c.Version+1, fraudcase.ClaimStands, "Twice"); apperr.Code(err) != apperr.NotAllowed {
		t.Errorf("closing a closed case: %v", err)
	}
}

// TestConsumerCannotReportAnotherPersonsOrder: another person's order
// answers 404 and opens nothing.
func TestConsumerCannotReportAnotherPersonsOrder(t *testing.T) {
	e := newEnv(t)
	e.order(anna, 20_000)
	other := e.order(bo, 30_000)
	c := e.client()
	c.consumerSignIn(annaEmail)
	if pg := c.get("/app/orders/" + other + "/not-mine"); pg.status != http.StatusNotFound {
		t.Errorf("GET another's order: %d", pg.status)
	}
	c.get("/app/")
	if pg := c.post("/app/orders/"+other+"/not-mine", url.Values{"statement": {"not mine"}}); pg.status != http.StatusNotFound {
		t.Errorf("POST another's order: %d", pg.status)
	}
	long := strings.Repeat("x", fraudcase.MaxStatement+1)
	own := e.order(anna, 25_000)
	c.get("/app/orders/" + own + "/not-mine")
	if pg := c.post("/app/orders/"+own+"/not-mine", url.Values{"statement": {long}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("too long a statement: %d", pg.status)
	}
	if n := e.count(`SELECT COUNT(*) FROM fraud_cases`); n != 0 {
		t.Errorf("%d cases opened", n)
	}
	if _, err := e.svc.OpenByConsumer(e.ctx, "someone-else", "consumer:x", fraudcase.Opening{OrderID: own}); apperr.Code(err) != apperr.NotFound {
		t.Errorf("service, another person: %v", err)
	}
}
