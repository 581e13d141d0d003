package backoffice_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/complaint"
)

// complaintPath is a complaint's page in the back office.
func complaintPath(c complaint.Complaint) string { return "/staff/complaints/" + c.ID }

// fileComplaint has a consumer with the address (who buys something first)
// file a complaint in the category through the complaint service.
func (e *env) fileComplaint(email string, cat complaint.Category, text string) complaint.Complaint {
	e.t.Helper()
	person := e.personOf(e.order(email, 10_000))
	c, err := e.app.Complaints.File(e.ctx, person, "consumer:test", complaint.Filing{Category: cat, Subject: "Trouble", Text: text})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// complaintNow reads a complaint as an admin would (audited like any
// staff read).
func (e *env) complaintNow(c complaint.Complaint) complaint.View {
	e.t.Helper()
	v, err := e.app.Complaints.StaffView(e.ctx, account.Staff{ID: "test", Role: account.RoleAdmin}, c.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

// answered files a complaint and gives it customer service's final answer.
func (e *env) answered(cs account.Staff, email string) complaint.Complaint {
	e.t.Helper()
	c := e.fileComplaint(email, complaint.CategoryFees, "The late fee is wrong")
	c, err := e.app.Complaints.FinalAnswer(e.ctx, cs, c.ID, c.Version, complaint.Answer{Outcome: complaint.Rejected,
		Text: "The fee follows the terms.", RootCauses: []string{"no_fault_found"}}, false)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// inReviewComplaint files a complaint, answers it and has the consumer ask
// for a review, so it waits for the representative.
func (e *env) inReviewComplaint(cs account.Staff, email string) complaint.Complaint {
	e.t.Helper()
	c := e.answered(cs, email)
	c, err := e.app.Complaints.RequestReview(e.ctx, c.PersonID, "consumer:test", c.ID, c.Version, "I still disagree")
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// versionForm is a form at the complaint's version with the fields given
// as name/value pairs.
func versionForm(c complaint.Complaint, kv ...string) url.Values {
	f := url.Values{"version": {strconv.FormatInt(c.Version, 10)}}
	for i := 0; i < len(kv); i += 2 {
		f.Add(kv[i], kv[i+1])
	}
	return f
}

// answerForm is a final answer or assessment form.
func answerForm(c complaint.Complaint, outcome string) url.Values {
	return versionForm(c, "outcome", outcome, "causes", "pricing_fees", "causes", "communication",
		"answer", "We refund the fee.", "remedy", "Late fee refunded")
}

// TestComplaintRoleMatrix: every staff role, and a browser signed out,
// against every complaint route. Customer service and admins see the
// queue, file for consumers, read the register and answer tier 1; the
// customer representative and admins assess tier 2; every other role gets
// 403 on every route and writes nothing; signed out, the browser is sent
// to sign in.
func TestComplaintRoleMatrix(t *testing.T) {
	e := newDecisionsEnv(t)
	cs := e.staff(account.RoleCustomerService, "Carla Service")
	roles := append([]account.Role{""}, account.Roles...)
	for _, role := range roles {
		name := string(role)
		if role == "" {
			name = "nobody"
		}
		t.Run(name, func(t *testing.T) {
			tier1 := e.fileComplaint("t1+"+name+"@example.dk", complaint.CategoryPayment, "My payment vanished")
			tier2 := e.inReviewComplaint(cs, "t2+"+name+"@example.dk")
			c := e.client()
			if role != "" {
				c.signIn(e.staff(role, "Member "+strings.ReplaceAll(name, "_", " ")))
			} else {
				c.get("/staff/signin")
			}
			handles, reviews := complaint.MayHandle(role), complaint.MayReview(role)
			works := handles || reviews
			status := func(ok bool, success int) int {
				switch {
				case role == "":
					return http.StatusSeeOther
				case ok:
					return success
				}
				return http.StatusForbidden
			}
			_, home := c.get("/staff/")
			if role != "" && strings.Contains(home, `href="/staff/complaints"`) != works {
				t.Errorf("navigation entry shown: %v, want %v", !works, works)
			}
			// Forms are built when sent, at the complaint's version then.
			at1 := func(kv ...string) func() url.Values { return func() url.Values { return versionForm(tier1, kv...) } }
			fixed := func(f url.Values) func() url.Values { return func() url.Values { return f } }
			for _, tc := range []struct {
				method, path string
				form         func() url.Values
				want         int
			}{
				{"GET", "/staff/complaints", nil, status(works, 200)},
				{"GET", "/staff/complaints/new", nil, status(handles, 200)},
				{"GET", "/staff/complaints/register", nil, status(works, 200)},
				{"GET", "/staff/complaints/register.csv", nil, status(works, 200)},
				{"GET", complaintPath(tier1), nil, status(works, 200)},
				{"GET", complaintPath(tier2), nil, status(works, 200)},
				{"POST", complaintPath(tier1) + "/assign", at1(), status(handles, 303)},
				{"POST", complaintPath(tier1) + "/update", at1("update", "We are looking into it"), status(handles, 303)},
				{"POST", complaintPath(tier1) + "/note", at1("note", "Called the merchant"), status(handles, 303)},
				{"POST", complaintPath(tier1) + "/holding-reply", at1("reasons", "Waiting for the bank"), status(handles, 303)},
				{"POST", complaintPath(tier1) + "/final-answer", func() url.Values { return answerForm(tier1, "upheld") }, status(handles, 303)},
				{"POST", complaintPath(tier2) + "/assessment", fixed(answerForm(tier2, "partly_upheld")), status(reviews, 303)},
				{"POST", "/staff/complaints", fixed(url.Values{"email": {"t1+" + name + "@example.dk"}, "channel": {"phone"},
					"category": {"service"}, "text": {"Rude on the phone"}}), status(handles, 303)},
			} {
				var res *http.Response
				if tc.method == "GET" {
					res, _ = c.get(tc.path)
				} else {
					res, _ = c.post(tc.path, tc.form())
					tier1.Version = e.complaintNow(tier1).Complaint.Version
				}
				if res.StatusCode != tc.want {
					t.Errorf("%s %s: %d, want %d", tc.method, tc.path, res.StatusCode, tc.want)
				}
				if role == "" && !strings.HasPrefix(res.Header.Get("Location"), "/staff/signin") {
					t.Errorf("%s %s signed out went to %q", tc.method, tc.path, res.Header.Get("Location"))
				}
			}
			after1, after2 := e.complaintNow(tier1).Complaint, e.complaintNow(tier2).Complaint
			if handles != (after1.Status == complaint.Answered) {
				t.Errorf("tier 1 complaint is %s", after1.Status)
			}
			if handles && (after1.OwnerID == "" || after1.HoldingReplyAt == nil || after1.Outcome != complaint.Upheld) {
				t.Errorf("tier 1 after the actions: %+v", after1)
			}
			if reviews != (after2.Status == complaint.Closed) {
				t.Errorf("tier 2 complaint is %s", after2.Status)
			}
			if !works && (after1.Status != complaint.Open || after1.OwnerID != "" || after2.Version != tier2.Version) {
				t.Error("a role without complaints changed one")
			}
		})
	}
}

// TestComplaintQueuesAndPage: customer service sees tier 1 with its
// deadlines and missed ones, the representative tier 2, the admin both;
// the complaint page shows the consumer's words and the internal note, and
// customer service cannot submit an assessment (403, nothing written).
func TestComplaintQueuesAndPage(t *testing.T) {
	e := newDecisionsEnv(t)
	cs := e.staff(account.RoleCustomerService, "Carla Service")
	rep := e.staff(account.RoleCustomerRepresentative, "Rita Representative")
	admin := e.staff(account.RoleAdmin, "Ada Admin")
	late := e.fileComplaint("late@example.dk", complaint.CategoryPayment, "Charged twice <b>really</b>")
	e.clk.Advance(40 * 24 * time.Hour)
	e.runDueJobs()
	fresh := e.fileComplaint("fresh@example.dk", complaint.CategoryService, "Nobody called back")
	review := e.inReviewComplaint(cs, "review@example.dk")

	c := e.client()
	c.signIn(cs)
	_, body := c.get("/staff/complaints")
	if !strings.Contains(body, late.Reference) || !strings.Contains(body, fresh.Reference) || strings.Contains(body, review.Reference) {
		t.Errorf("customer service queue:\n%s", body)
	}
	if strings.Index(body, late.Reference) > strings.Index(body, fresh.Reference) {
		t.Error("the older deadline is not first")
	}
	if !strings.Contains(body, "14-day target missed") || !strings.Contains(body, "PSD2 limit missed") {
		t.Error("the missed deadlines are not flagged")
	}
	if strings.Contains(body, `id="tier2-queue"`) {
		t.Error("customer service sees the representative's queue")
	}

	res, body := c.post(complaintPath(late)+"/note", versionForm(e.complaintNow(late).Complaint, "note", "Merchant says refund is on its way"))
	wantRedirect(t, res, complaintPath(late))
	_, body = c.get(complaintPath(late))
	for _, want := range []string{"Charged twice &lt;b&gt;really&lt;/b&gt;", "Merchant says refund is on its way", "Internal", late.Reference} {
		if !strings.Contains(body, want) {
			t.Errorf("complaint page lacks %q", want)
		}
	}
	if len(e.auditEntries(late.PersonID, complaint.ActionViewed)) == 0 {
		t.Error("the read of the complaint was not audited")
	}

	// Customer service cannot assess, even posting the form by hand.
	before := e.complaintNow(review).Complaint
	res, _ = c.post(complaintPath(review)+"/assessment", answerForm(before, "upheld"))
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("customer service assessment: %d", res.StatusCode)
	}
	if after := e.complaintNow(review).Complaint; after.Version != before.Version || after.Status != complaint.InReview {
		t.Errorf("the refused assessment wrote: %+v", after)
	}
	_, body = c.get(complaintPath(review))
	if strings.Contains(body, `id="assessment-form"`) || strings.Contains(body, `id="final-answer-form"`) {
		t.Error("customer service is offered the assessment")
	}

	r := e.client()
	r.signIn(rep)
	_, body = r.get("/staff/complaints")
	if !strings.Contains(body, review.Reference) || strings.Contains(body, late.Reference) || strings.Contains(body, "/staff/complaints/new") {
		t.Errorf("representative queue:\n%s", body)
	}
	_, body = r.get(complaintPath(review))
	if !strings.Contains(body, `id="assessment-form"`) || !strings.Contains(body, "I still disagree") {
		t.Error("the representative is not offered the assessment")
	}
	res, _ = r.post(complaintPath(review)+"/assessment", answerForm(e.complaintNow(review).Complaint, "upheld"))
	wantRedirect(t, res, complaintPath(review))
	if got := e.complaintNow(review).Complaint; got.Status != complaint.Closed || got.Outcome != complaint.Upheld {
		t.Errorf("after the assessment: %+v", got)
	}

	a := e.client()
	a.signIn(admin)
	_, body = a.get("/staff/complaints")
	if !strings.Contains(body, `id="tier1-queue"`) || !strings.Contains(body, `id="tier2-queue"`) {
		t.Error("the admin does not see both queues")
	}
}

// TestComplaintBadInput: malformed and stale forms get a 4xx and write
// nothing; a member can be assigned only if their role works the tier.
func TestComplaintBadInput(t *testing.T) {
	e := newDecisionsEnv(t)
	cs := e.staff(account.RoleCustomerService, "Carla Service")
	other := e.staff(account.RoleAMLOfficer, "Otto Officer")
	fees := e.fileComplaint("anna@example.dk", complaint.CategoryService, "Nobody answered")
	c := e.client()
	c.signIn(cs)
	c.get(complaintPath(fees))
	before := e.complaintNow(fees)
	stale := fees
	stale.Version--
	long := strings.Repeat("x", complaint.MaxText+1)
	for _, tc := range []struct {
		path string
		form url.Values
		want int
	}{
		{"/update", url.Values{"version": {"abc"}, "update": {"Hello"}}, http.StatusBadRequest},
		{"/update", versionForm(fees), http.StatusUnprocessableEntity},
		{"/update", versionForm(fees, "update", long), http.StatusUnprocessableEntity},
		{"/update", versionForm(stale, "update", "Hello"), http.StatusConflict},
		{"/note", versionForm(fees, "note", "  "), http.StatusUnprocessableEntity},
		{"/holding-reply", versionForm(fees, "reasons", "Not a payment complaint"), http.StatusConflict},
		{"/final-answer", versionForm(fees, "outcome", "upheld", "answer", "Fine"), http.StatusUnprocessableEntity},
		{"/final-answer", versionForm(fees, "outcome", "maybe", "causes", "process", "answer", "Fine"), http.StatusUnprocessableEntity},
		{"/final-answer", versionForm(fees, "outcome", "upheld", "causes", "bad_luck", "answer", "Fine"), http.StatusUnprocessableEntity},
		{"/assign", versionForm(fees, "owner", other.ID), http.StatusBadRequest},
		{"/assessment", answerForm(fees, "upheld"), http.StatusForbidden},
	} {
		res, body := c.post(complaintPath(fees)+tc.path, tc.form)
		if res.StatusCode != tc.want {
			t.Errorf("POST %s %v: %d, want %d", tc.path, tc.form, res.StatusCode, tc.want)
		}
		if tc.want == http.StatusConflict && !strings.Contains(body, `id="complaint-problem"`) {
			t.Errorf("POST %s: no notice saying why", tc.path)
		}
	}
	if res, _ := c.post("/staff/complaints/0190d8e2-7b6a-7c3e-9f00-00000000dead/update", versionForm(fees, "update", "Hi")); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown complaint: %d", res.StatusCode)
	}
	if got := e.complaintNow(fees); got.Complaint.Version != fees.Version || got.Complaint.OwnerID != "" || len(got.Timeline) != len(before.Timeline) {
		t.Errorf("bad forms wrote: %+v", got.Complaint)
	}
	if n := len(e.auditEntries(fees.PersonID, complaint.ActionUpdate)) + len(e.auditEntries(fees.PersonID, complaint.ActionNote)); n != 0 {
		t.Errorf("%d actions audited for refused forms", n)
	}

	// Filing for a consumer: the form says what is wrong.
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"email": {"nobody@example.dk"}, "channel": {"phone"}, "category": {"service"}, "text": {"x"}}, "No consumer has this e-mail address."},
		{url.Values{"email": {"anna@example.dk"}, "channel": {"app"}, "category": {"service"}, "text": {"x"}}, `href="#f-channel"`},
		{url.Values{"email": {"anna@example.dk"}, "channel": {"phone"}, "category": {"weather"}, "text": {"x"}}, `href="#f-category"`},
		{url.Values{"email": {"anna@example.dk"}, "channel": {"phone"}, "category": {"service"}}, `href="#f-text"`},
		{url.Values{"email": {"anna@example.dk"}, "channel": {"phone"}, "category": {"order"}, "order": {"no-such-order"}, "text": {"x"}},
			"No consumer with this e-mail address has this order."},
	} {
		res, body := c.post("/staff/complaints", tc.form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
			t.Errorf("file %v: %d, want 422 with %q", tc.form, res.StatusCode, tc.want)
		}
	}
	queue, err := e.app.Complaints.Queue(e.ctx, cs)
	if err != nil || len(queue) != 1 {
		t.Errorf("bad filings wrote: %d complaints, %v", len(queue), err)
	}
	order := e.order("anna@example.dk", 5_000)
	res, _ := c.post("/staff/complaints", url.Values{"email": {"Anna@Example.dk"}, "channel": {"letter"}, "category": {"order"},
		"order": {order}, "subject": {"Broken"}, "text": {"The lamp arrived broken"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/staff/complaints/") {
		t.Fatalf("file for a consumer: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	filed := e.complaintNow(complaint.Complaint{ID: strings.TrimPrefix(res.Header.Get("Location"), "/staff/complaints/")}).Complaint
	if filed.Channel != complaint.ChannelLetter || filed.OrderID != order || filed.PersonID != fees.PersonID || filed.Text != "The lamp arrived broken" {
		t.Errorf("filed %+v", filed)
	}

	// The register's period must be real days in order.
	for _, q := range []string{"?from=2026-13-01&to=2026-12-31", "?from=2026-05-02&to=2026-05-01"} {
		if res, _ := c.get("/staff/complaints/register" + q); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("register %s: %d", q, res.StatusCode)
		}
		if res, _ := c.get("/staff/complaints/register.csv" + q); res.StatusCode != http.StatusBadRequest {
			t.Errorf("register.csv %s: %d", q, res.StatusCode)
		}
	}
}

// TestComplaintRegisterCSV: the register page and its CSV download show
// the numbers of the service's report for the period.
func TestComplaintRegisterCSV(t *testing.T) {
	e := newDecisionsEnv(t)
	cs := e.staff(account.RoleCustomerService, "Carla Service")
	rep := e.staff(account.RoleCustomerRepresentative, "Rita Representative")
	e.answered(cs, "a@example.dk")
	e.answered(cs, "b@example.dk")
	e.fileComplaint("c@example.dk", complaint.CategoryFees, "Too much interest")
	e.fileComplaint("d@example.dk", complaint.CategoryService, "Slow")
	day := e.clk.Now().UTC().Format("2006-01-02")
	from := e.clk.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	rp, err := e.app.Complaints.RegisterReport(e.ctx, rep, complaint.Period{From: e.clk.Now().UTC().AddDate(0, 0, -1).Truncate(24 * time.Hour),
		To: e.clk.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)})
	if err != nil || rp.Total != 4 {
		t.Fatalf("report %+v %v", rp, err)
	}

	c := e.client()
	c.signIn(rep)
	q := "?" + url.Values{"from": {from}, "to": {day}}.Encode()
	res, body := c.get("/staff/complaints/register" + q)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "4 complaints filed.") || !strings.Contains(body, `href="/staff/complaints/register.csv`+strings.ReplaceAll(q, "&", "&amp;")+`"`) {
		t.Fatalf("register page: %d\n%s", res.StatusCode, body)
	}
	res, body = c.get("/staff/complaints/register.csv" + q)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv: %d %v", res.StatusCode, res.Header)
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	total, answered := 0, 0
	for _, rec := range records[1:] {
		n, _ := strconv.Atoi(rec[3])
		switch rec[0] {
		case "total":
			total = n
		case "root_cause":
			counts[rec[2]] = n
		default:
			a, _ := strconv.Atoi(rec[4])
			counts[rec[0]+"/"+rec[2]] += n
			answered += a
		}
	}
	if total != 4 || answered != 2 || counts["fees/rejected"] != 2 || counts["fees/"] != 1 || counts["service/"] != 1 || counts["no_fault_found"] != 2 {
		t.Errorf("csv numbers: total %d answered %d %v\n%s", total, answered, counts, body)
	}
}
