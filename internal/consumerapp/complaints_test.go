package consumerapp_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/complaint"
	"github.com/tillit/tillit/internal/consumerapp"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/web"
)

// staffPassword is the test staff's password.
const staffPassword = "Lantern-harbour-violet-1987"

// newComplaintsEnv is the consumer app with the complaint pages.
func newComplaintsEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, true)
	pages, err := consumerapp.New(consumerapp.Config{
		Accounts: e.app.Accounts, Plans: e.app.Plans, Complaints: e.app.Complaints, Key: []byte(e.app.WebKey), Demo: true,
		Logger: logscan.Logger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(consumerapp.Prefix, pages.Handler())
	mux.Handle("GET /static/", web.Static())
	e.srv.Config.Handler = mux
	return e
}

// staffMember is a member of staff with their authenticator.
type staffMember struct {
	account.Staff
	auth *browsertest.Authenticator
}

// member creates a member of staff with the role and sets up their
// authenticator, as the command line does.
func (e *env) member(role account.Role, name string) *staffMember {
	e.t.Helper()
	st, err := e.app.Accounts.CreateStaff(e.ctx, "cli", account.NewStaff{
		Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@tillit.example", Name: name, Role: role, Password: staffPassword,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	enrolment, err := e.app.Accounts.StartEnrolment(e.ctx, account.KindStaff, st.ID, "")
	if err != nil {
		e.t.Fatal(err)
	}
	m := &staffMember{Staff: st, auth: &browsertest.Authenticator{Secret: enrolment.Secret}}
	if m.auth.Recovery, err = e.app.Accounts.ConfirmEnrolment(e.ctx, account.KindStaff, st.ID, m.auth.Code(e.t, e.clk.Now())); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// complaintOn returns the complaint whose page the client is on, as staff
// see it.
func (e *env) complaintOn(pg page) complaint.Complaint {
	e.t.Helper()
	id, ok := strings.CutPrefix(pg.path, "/app/complaints/")
	if !ok || strings.Contains(id, "/") {
		e.t.Fatalf("not on a complaint page: %s (%d)", pg.path, pg.status)
	}
	v, err := e.app.Complaints.StaffView(e.ctx, account.Staff{ID: "test", Role: account.RoleAdmin}, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return v.Complaint
}

// at is a form at the complaint's version with fields as name/value pairs.
func at(c complaint.Complaint, kv ...string) url.Values {
	f := url.Values{"version": {strconv.FormatInt(c.Version, 10)}}
	for i := 0; i < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

// TestConsumerComplaintJourney: a consumer complains about an order from
// its page, is told the reference and the dates at once, adds
// information, sees customer service's final answer with the bodies to go
// to (but not its internal note), asks for a review, and sees the
// representative's assessment. Bad forms write nothing; another consumer
// sees none of it.
func TestConsumerComplaintJourney(t *testing.T) {
	e := newComplaintsEnv(t)
	order := e.order(anna, repayment.CategoryPayLater, 50_000, 0)
	cs := e.member(account.RoleCustomerService, "Carla Service")
	rep := e.member(account.RoleCustomerRepresentative, "Rita Representative")
	c := e.client()
	home := c.signIn(anna)
	if !strings.Contains(home.body, `href="/app/complaints"`) {
		t.Error("the navigation does not link the complaints")
	}
	pg := c.get("/app/orders/" + order)
	if !strings.Contains(pg.body, `href="/app/complaints/new?order=`+order+`"`) {
		t.Fatalf("the order page does not link a complaint about it:\n%s", pg.body)
	}
	pg = c.get("/app/complaints/new?order=" + order)
	if pg.status != http.StatusOK || !strings.Contains(pg.body, `<option value="`+order+`" selected>`) || !strings.Contains(pg.body, `<option value="order" selected>`) {
		t.Fatalf("the form does not choose the order:\n%s", pg.body)
	}

	// Mistakes are shown by their fields and file nothing.
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"text": {"Broken"}}, "Choose what your complaint is about."},
		{url.Values{"category": {"weather"}, "text": {"Broken"}}, `href="#f-category"`},
		{url.Values{"category": {"order"}}, `href="#f-text"`},
		{url.Values{"category": {"order"}, "order": {"someone-elses"}, "text": {"Broken"}}, `href="#f-order"`},
		{url.Values{"category": {"order"}, "text": {strings.Repeat("x", complaint.MaxText+1)}}, `href="#f-text"`},
		{url.Values{"category": {"order"}, "subject": {strings.Repeat("s", complaint.MaxSubject+1)}, "text": {"Broken"}}, `href="#f-subject"`},
	} {
		if pg := c.post("/app/complaints", tc.form); pg.status != http.StatusUnprocessableEntity || !pg.has(tc.want) {
			t.Errorf("file %v: %d, want 422 with %q", tc.form, pg.status, tc.want)
		}
	}
	person := e.subject(anna)
	if mine, err := e.app.Complaints.Mine(e.ctx, person); err != nil || len(mine) != 0 {
		t.Fatalf("bad forms filed %d complaints (%v)", len(mine), err)
	}

	pg = c.post("/app/complaints", url.Values{"category": {"order"}, "order": {order}, "subject": {"Broken lamp"},
		"text": {"The lamp came <broken>."}})
	filed := e.complaintOn(pg)
	if filed.PersonID != person || filed.OrderID != order || filed.Channel != complaint.ChannelApp || filed.PSD2At == nil {
		t.Errorf("filed %+v", filed)
	}
	for _, want := range []string{"We have received your complaint " + filed.Reference, "Broken lamp", "The lamp came <broken>.",
		"Being handled", "Not yet assigned"} {
		if !pg.has(want) {
			t.Errorf("complaint page lacks %q", want)
		}
	}
	if strings.Contains(pg.body, "<broken>") {
		t.Error("what the consumer wrote is not escaped")
	}
	if !strings.Contains(pg.body, `id="complaint-target"`) || !strings.Contains(pg.body, `id="complaint-psd2"`) || strings.Contains(pg.body, `id="review-form"`) {
		t.Error("the open complaint does not show its deadlines, or offers a review")
	}
	if pg := c.get("/app/complaints"); !strings.Contains(pg.body, `href="/app/complaints/`+filed.ID+`"`) {
		t.Error("the list lacks the complaint")
	}

	// Adding information: empty and stale forms are refused.
	if pg := c.post("/app/complaints/"+filed.ID+"/information", at(filed, "information", " ")); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("empty information: %d", pg.status)
	}
	if pg := c.post("/app/complaints/"+filed.ID+"/information", url.Values{"version": {"x"}, "information": {"Hi"}}); pg.status != http.StatusBadRequest {
		t.Errorf("malformed version: %d", pg.status)
	}
	stale := filed
	stale.Version--
	if pg := c.post("/app/complaints/"+filed.ID+"/information", at(stale, "information", "Photos attached")); pg.status != http.StatusConflict || !pg.has("changed while you were writing") {
		t.Errorf("stale information: %d", pg.status)
	}
	if now := e.complaintOn(pg); now.Version != filed.Version {
		t.Fatal("refused information was written")
	}
	pg = c.post("/app/complaints/"+filed.ID+"/information", at(filed, "information", "The box was dented too."))
	if pg.status != http.StatusOK || !pg.has("We have added your information") || !pg.has("The box was dented too.") {
		t.Errorf("information: %d", pg.status)
	}

	// Another consumer sees none of it and changes nothing.
	other := e.client()
	other.signIn(bob)
	now := e.complaintOn(pg)
	for _, tc := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/app/complaints/" + filed.ID, nil},
		{"POST", "/app/complaints/" + filed.ID + "/information", at(now, "information", "Hijack")},
		{"POST", "/app/complaints/" + filed.ID + "/review", at(now)},
		{"GET", "/app/complaints/not-an-id", nil},
	} {
		var pg page
		if tc.method == "GET" {
			pg = other.get(tc.path)
		} else {
			pg = other.post(tc.path, tc.form)
		}
		if pg.status != http.StatusNotFound {
			t.Errorf("bob %s %s: %d", tc.method, tc.path, pg.status)
		}
	}
	if pg := other.get("/app/complaints"); strings.Contains(pg.body, filed.ID) || !pg.has("You have not made any complaints.") {
		t.Error("bob's list shows anna's complaint")
	}
	if pg := other.get("/app/complaints/new?order=" + order); strings.Contains(pg.body, `value="`+order+`"`) {
		t.Error("bob is offered anna's order")
	}
	if e.complaintOn(pg).Version != now.Version {
		t.Error("bob changed anna's complaint")
	}

	// Customer service owns it, notes internally and answers.
	now, err := e.app.Complaints.Assign(e.ctx, cs.Staff, filed.ID, now.Version, "")
	if err != nil {
		t.Fatal(err)
	}
	if now, err = e.app.Complaints.Update(e.ctx, cs.Staff, filed.ID, now.Version, "Merchant blames the courier", true); err != nil {
		t.Fatal(err)
	}
	if now, err = e.app.Complaints.FinalAnswer(e.ctx, cs.Staff, filed.ID, now.Version, complaint.Answer{Outcome: complaint.PartlyUpheld,
		Text: "We refund the shipping.", RootCauses: []string{"merchant_delivery"}, Remedy: "Shipping refunded"}, false); err != nil {
		t.Fatal(err)
	}
	pg = c.get("/app/complaints/" + filed.ID)
	for _, want := range []string{"Carla Service", "Partly upheld", "We refund the shipping.", "Det Finansielle Ankenævn", "FIN-NET"} {
		if !pg.has(want) {
			t.Errorf("answered page lacks %q", want)
		}
	}
	if pg.has("Merchant blames the courier") {
		t.Error("the consumer sees the internal note")
	}
	if !strings.Contains(pg.body, `href="https://fanke.dk"`) || !strings.Contains(pg.body, `id="review-form"`) || strings.Contains(pg.body, `id="information-form"`) {
		t.Error("the answered page lacks the board's link or the review form, or still takes information")
	}

	pg = c.post("/app/complaints/"+filed.ID+"/review", at(now, "reason", "Shipping is not enough."))
	if pg.status != http.StatusOK || !pg.has("Our customer representative will now review your complaint.") || !pg.has("With the customer representative") {
		t.Errorf("review: %d", pg.status)
	}
	if pg := c.post("/app/complaints/"+filed.ID+"/review", at(e.complaintOn(pg))); pg.status != http.StatusConflict || !pg.has("no longer possible") {
		t.Errorf("second review: %d", pg.status)
	}
	now = e.complaintOn(pg)
	if _, err := e.app.Complaints.Assess(e.ctx, rep.Staff, filed.ID, now.Version, complaint.Answer{Outcome: complaint.Upheld,
		Text: "We refund the lamp as well.", RootCauses: []string{"merchant_quality"}}); err != nil {
		t.Fatal(err)
	}
	pg = c.get("/app/complaints/" + filed.ID)
	for _, want := range []string{"Final assessment", "We refund the lamp as well.", "Upheld", "Closed", "Det Finansielle Ankenævn"} {
		if !pg.has(want) {
			t.Errorf("assessed page lacks %q", want)
		}
	}
	if strings.Contains(pg.body, `id="review-form"`) || strings.Contains(pg.body, `id="information-form"`) {
		t.Error("the closed complaint still takes forms")
	}
}

// TestComplaintReviewWindowEnds: once the time to ask for a review has
// passed, the form is gone and asking anyway is refused, writing nothing.
func TestComplaintReviewWindowEnds(t *testing.T) {
	e := newComplaintsEnv(t)
	cs := e.member(account.RoleCustomerService, "Carla Service")
	c := e.client()
	c.signIn(anna)
	c.get("/app/complaints/new")
	pg := c.post("/app/complaints", url.Values{"category": {"service"}, "text": {"Nobody called back."}})
	filed := e.complaintOn(pg)
	if !pg.has("We have received your complaint "+filed.Reference) || strings.Contains(pg.body, `id="complaint-psd2"`) {
		t.Errorf("a service complaint's acknowledgement: %d", pg.status)
	}
	answered, err := e.app.Complaints.FinalAnswer(e.ctx, cs.Staff, filed.ID, filed.Version, complaint.Answer{Outcome: complaint.Rejected,
		Text: "We called on Monday.", RootCauses: []string{"no_fault_found"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Set(answered.ReviewUntil.Add(time.Hour))
	c.signIn(anna) // the session has ended meanwhile
	pg = c.get("/app/complaints/" + filed.ID)
	if strings.Contains(pg.body, `id="review-form"`) || !pg.has("Det Finansielle Ankenævn") {
		t.Error("the review form shows after the window, or the board is gone")
	}
	if pg := c.post("/app/complaints/"+filed.ID+"/review", at(answered)); pg.status != http.StatusConflict {
		t.Errorf("late review: %d", pg.status)
	}
	if now := e.complaintOn(pg); now.Status == complaint.InReview {
		t.Error("a late review went through")
	}
}
