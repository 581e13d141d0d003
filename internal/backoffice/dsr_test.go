package backoffice_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/restriction"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// dsrEnv is the back office with the data protection team's pages, on a
// request service whose access requests a fake fulfiller carries out.
type dsrEnv struct {
	*env
	dsr *dsr.Service
	// secret is the instance secret addresses are hashed under.
	secret string
}

// extractFulfiller answers access requests with a small extract.
var extractFulfiller = dsr.FulfillerFunc(func(tx *store.Tx, r dsr.Request) (dsr.Outcome, error) {
	return dsr.Outcome{
		Status:   dsr.StatusCompleted,
		Items:    []dsr.Item{{What: "privacy.category.contact", Done: true, Reason: "1 address"}},
		Document: &dsr.Document{Name: "tillit-access.json", ContentType: "application/json", Body: []byte(`{"person":"` + r.PersonID + `"}`)},
	}, nil
})

func newDSREnv(t *testing.T) *dsrEnv {
	t.Helper()
	e := newEnv(t)
	secret, err := e.app.DB.InstanceSecret(e.ctx, ids.ConsumerKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := dsr.New(dsr.Config{DB: e.app.DB, Vault: e.app.Vault, LookupKey: secret,
		Fulfillers: map[dsr.Kind]dsr.Fulfiller{dsr.KindAccess: extractFulfiller}, Intakes: rights.New(e.app.DB, e.app.Vault).Intakes()})
	if err != nil {
		t.Fatal(err)
	}
	svc.Register(e.app.Runner)
	pages, err := backoffice.New(backoffice.Config{
		Accounts: e.app.Accounts, Checkout: e.app.Checkout, DSR: svc, DB: e.app.DB, Key: []byte(e.app.WebKey),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/static/", web.Static())
	mux.Handle(backoffice.Prefix, pages.Handler())
	e.srv.Config.Handler = mux
	e.pages = pages
	return &dsrEnv{env: e, dsr: svc, secret: secret}
}

// person returns the id of the person with the address, made when new.
func (e *dsrEnv) person(email string) string {
	e.t.Helper()
	var id string
	err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		var err error
		id, err = person.Resolve(tx, ids.ConsumerKey(e.secret, email))
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// consumerRequest files a request as the consumer with the address.
func (e *dsrEnv) consumerRequest(email string, kind dsr.Kind, description string) dsr.Request {
	e.t.Helper()
	return e.consumerRequestWith(dsr.ConsumerFiling{Email: email, Kind: kind, Description: description})
}

// consumerRequestWith files f as the consumer with f.Email, filling in
// what f leaves out.
func (e *dsrEnv) consumerRequestWith(f dsr.ConsumerFiling) dsr.Request {
	e.t.Helper()
	f.ConsumerID, f.PersonID, f.Locale, f.Country = "c", e.person(f.Email), i18n.English, "NL"
	r, err := e.dsr.FileByConsumer(e.ctx, f)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// request reads a request.
func (e *dsrEnv) request(id string) dsr.Case {
	e.t.Helper()
	c, err := e.dsr.Get(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// text is a page's text with entities decoded.
func text(body string) string { return html.UnescapeString(body) }

var versionRE = regexp.MustCompile(`name="version" value="(\d+)"`)

// formVersion returns the version the last page's step forms act on.
func formVersion(t *testing.T, body string) string {
	t.Helper()
	m := versionRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no step form on the page:\n%s", body)
	}
	return m[1]
}

func TestDSRPagesByRole(t *testing.T) {
	e := newDSREnv(t)
	access := e.consumerRequest("anna@example.dk", dsr.KindAccess, "")
	done := e.consumerRequest("bo@example.dk", dsr.KindAccess, "")
	done, _ = e.dsr.Start(e.ctx, "staff:setup", done.ID, done.Version)
	if _, err := e.dsr.CarryOut(e.ctx, "staff:setup", done.ID, done.Version); err != nil {
		t.Fatal(err)
	}
	paths := []string{
		"/staff/queues/privacy_requests", "/staff/privacy-requests/new", "/staff/privacy-requests/" + access.ID,
		"/staff/privacy-requests/" + done.ID + "/document",
	}
	for _, role := range account.Roles {
		t.Run(string(role), func(t *testing.T) {
			st := e.staff(role, "Staff "+strings.ReplaceAll(string(role), "_", " "))
			works := role == account.RoleDataProtection || role == account.RoleAdmin
			c := e.client()
			c.signIn(st)
			_, home := c.get("/staff/")
			if got := strings.Contains(home, `href="/staff/queues/privacy_requests"`); got != works {
				t.Errorf("home lists the queue: %v", got)
			}
			want := http.StatusForbidden
			if works {
				want = http.StatusOK
			}
			for _, path := range paths {
				if res, _ := c.get(path); res.StatusCode != want {
					t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
				}
			}
			before := e.request(access.ID)
			c.get("/staff/") // a fresh CSRF token
			res, _ := c.post("/staff/privacy-requests/"+access.ID+"/refuse",
				url.Values{"version": {strconv.FormatInt(before.Version, 10)}, "refuse_reasons": {"Not allowed to " + string(role)}})
			after := e.request(access.ID)
			if works {
				wantRedirect(t, res, "/staff/privacy-requests/"+access.ID)
				if after.Status != dsr.StatusRefused {
					t.Errorf("not refused: %s", after.Status)
				}
				// Put a fresh request in its place for the next role.
				access = e.consumerRequest("anna@example.dk", dsr.KindAccess, "")
				paths[2] = "/staff/privacy-requests/" + access.ID
			} else {
				if res.StatusCode != http.StatusForbidden || after.Version != before.Version {
					t.Errorf("POST: %d, version %d -> %d", res.StatusCode, before.Version, after.Version)
				}
				res, _ = c.post("/staff/privacy-requests/new", url.Values{"email": {"anna@example.dk"}, "kind": {"erasure"},
					"identity_note": {"checked"}, "locale": {"en"}})
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("POST new: %d", res.StatusCode)
				}
			}
			if works {
				if res, _ := c.get("/staff/privacy-requests/0190d8e2-7b6a-7c3e-9f00-00000000dead"); res.StatusCode != http.StatusNotFound {
					t.Errorf("unknown request: %d", res.StatusCode)
				}
				if res, _ := c.get("/staff/privacy-requests/" + access.ID + "/document"); res.StatusCode != http.StatusNotFound {
					t.Errorf("document of an open request: %d", res.StatusCode)
				}
			}
		})
	}
	// Only the staff who worked requests are in their audit trail, and
	// every view of a request page is recorded.
	if views := e.auditEntries(done.ID, dsr.AuditDocumentFetched); len(views) != 2 {
		t.Errorf("%d document downloads audited, want 2 (data protection, admin)", len(views))
	}
}

func TestDSRStaffFilesAndWorksARequest(t *testing.T) {
	e := newDSREnv(t)
	annaID := e.person("anna@example.dk")
	dpo := e.staff(account.RoleDataProtection, "Dora Protect")
	c := e.client()
	c.signIn(dpo)

	res, body := c.get("/staff/queues/privacy_requests")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="queue-empty"`) {
		t.Fatalf("empty queue: %d\n%s", res.StatusCode, body)
	}
	_, body = c.get("/staff/privacy-requests/new")
	if !strings.Contains(body, `name="identity_note"`) || !strings.Contains(body, `<option value="SE">Sweden</option>`) {
		t.Fatalf("form:\n%s", body)
	}

	// An address Tillit does not know, and a form with gaps: nothing saved.
	res, body = c.post("/staff/privacy-requests/new", url.Values{"email": {"nobody@example.dk"}, "kind": {"erasure"},
		"identity_note": {"Passport seen at the counter."}, "locale": {"en"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(body), "No person is known by this e-mail address") {
		t.Fatalf("unknown address: %d\n%s", res.StatusCode, body)
	}
	res, body = c.post("/staff/privacy-requests/new", url.Values{"email": {"anna@example.dk"}, "kind": {"rectification"}, "locale": {"en"},
		"received_on": {"2026-13-40"}})
	for _, field := range []string{"identity_note", "description", "received_on"} {
		if !strings.Contains(body, `href="#f-`+field+`"`) {
			t.Errorf("no error for %s", field)
		}
	}
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("gaps: %d", res.StatusCode)
	}
	if n, _ := e.dsr.CountOpen(e.ctx); n != 0 {
		t.Fatalf("%d requests after refused forms", n)
	}

	res, _ = c.post("/staff/privacy-requests/new", url.Values{"email": {"anna@example.dk"}, "kind": {"erasure"}, "locale": {"da"},
		"country": {"DK"}, "description": {"Please erase my account."}, "identity_note": {"Called back on the number on file."},
		"received_on": {e.clk.Now().AddDate(0, 0, -3).Format(time.DateOnly)}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/staff/privacy-requests/") {
		t.Fatalf("file: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	page := res.Header.Get("Location")
	id := strings.TrimPrefix(page, "/staff/privacy-requests/")
	r := e.request(id)
	if r.PersonID != annaID || r.Channel != dsr.ChannelStaff || r.Kind != dsr.KindErasure || r.Locale != i18n.Danish {
		t.Fatalf("filed: %+v", r)
	}
	if got := e.auditEntries(id, dsr.AuditFiled); len(got) != 1 || got[0].Actor != "staff:"+dpo.ID {
		t.Errorf("filing audit: %+v", got)
	}

	res, body = c.get(page)
	for _, want := range []string{"Request " + r.Reference, "Request " + r.Reference + " was recorded", "Please erase my account.", "Called back on the number on file.",
		"Identity verified", "Datatilsynet", `action="/staff/privacy-requests/` + id + `/start"`, `action="/staff/privacy-requests/` + id + `/refuse"`} {
		if !strings.Contains(text(body), want) && !strings.Contains(body, want) {
			t.Errorf("request page lacks %q", want)
		}
	}
	if res.StatusCode != http.StatusOK || strings.Contains(body, "/carry_out") {
		t.Errorf("request page: %d", res.StatusCode)
	}
	if got := e.auditEntries(id, dsr.AuditViewed); len(got) != 1 {
		t.Errorf("%d views audited", len(got))
	}

	// Start, then extend with a reason.
	res, _ = c.post(page+"/start", url.Values{"version": {formVersion(t, body)}})
	wantRedirect(t, res, page)
	_, body = c.get(page)
	if !strings.Contains(text(body), "Work on request "+r.Reference+" has started.") || !strings.Contains(body, `id="step-extend"`) {
		t.Fatalf("after start:\n%s", body)
	}
	res, body = c.post(page+"/extend", url.Values{"version": {formVersion(t, body)}, "months": {"1"}, "extend_reason": {""}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-extend_reason"`) {
		t.Fatalf("extend without reason: %d", res.StatusCode)
	}
	res, _ = c.post(page+"/extend", url.Values{"version": {formVersion(t, body)}, "months": {"1"}, "extend_reason": {"Three merchants to ask."}})
	wantRedirect(t, res, page)
	r = e.request(id)
	if r.Status != dsr.StatusExtended || r.ExtensionMonths != 1 {
		t.Fatalf("extended: %+v", r)
	}

	// A form shown before a change is refused, keeping what was typed.
	_, body = c.get(page)
	stale := formVersion(t, body)
	if _, err := e.dsr.Extend(e.ctx, "staff:other", id, r.Version, 2, "Another colleague extended it."); err != nil {
		t.Fatal(err)
	}
	res, body = c.post(page+"/complete", url.Values{"version": {stale}, "done": {"Account erased."}, "not_done": {""}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "The request changed while you were working on it") ||
		!strings.Contains(body, "Account erased.</textarea>") {
		t.Fatalf("stale form: %d\n%s", res.StatusCode, body)
	}
	if e.request(id).Status != dsr.StatusExtended {
		t.Fatal("a stale form changed the request")
	}

	// Answer by hand, partly.
	res, _ = c.post(page+"/complete", url.Values{"version": {formVersion(t, body)},
		"done": {"Account erased.\n\nConsents deleted."}, "not_done": {"Orders kept for bookkeeping until 2033."}})
	wantRedirect(t, res, page)
	r = e.request(id)
	if r.Status != dsr.StatusPartlyCompleted || len(r.Outcome) != 3 {
		t.Fatalf("answered: %+v", r)
	}
	_, body = c.get(page)
	for _, want := range []string{"Partly completed", "Done: Account erased.", "Not done: Orders kept for bookkeeping until 2033.", "staff:" + dpo.ID, "Three merchants to ask."} {
		if !strings.Contains(text(body), want) {
			t.Errorf("answered page lacks %q", want)
		}
	}
	if strings.Contains(body, `id="step-`) {
		t.Error("an answered request still offers steps")
	}
	// Taking a step the request no longer allows: a notice, nothing written.
	res, body = c.post(page+"/refuse", url.Values{"version": {strconv.FormatInt(r.Version, 10)}, "refuse_reasons": {"no"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "cannot be refused in its present status") {
		t.Errorf("refuse an answered request: %d", res.StatusCode)
	}
	if got := e.request(id); got.Version != r.Version {
		t.Error("the answered request changed")
	}
	if res, _ := c.post(page+"/approve", url.Values{"version": {"1"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown step: %d", res.StatusCode)
	}
	if res, _ := c.post(page+"/start", url.Values{"version": {"x"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed version: %d", res.StatusCode)
	}
	// The same kind again: the form says it is open no longer.
	res, _ = c.post("/staff/privacy-requests/new", url.Values{"email": {"anna@example.dk"}, "kind": {"access"}, "locale": {"en"},
		"identity_note": {"Same call."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second request: %d", res.StatusCode)
	}
	res, body = c.post("/staff/privacy-requests/new", url.Values{"email": {"anna@example.dk"}, "kind": {"access"}, "locale": {"en"},
		"identity_note": {"Same call."}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "already has an open request of this kind") {
		t.Errorf("duplicate: %d", res.StatusCode)
	}
}

func TestDSRCarryOutAndDocument(t *testing.T) {
	e := newDSREnv(t)
	r := e.consumerRequest("anna@example.dk", dsr.KindAccess, "")
	r, _ = e.dsr.Start(e.ctx, "staff:setup", r.ID, r.Version)
	dpo := e.staff(account.RoleDataProtection, "Dora Protect")
	c := e.client()
	c.signIn(dpo)
	page := "/staff/privacy-requests/" + r.ID
	_, body := c.get(page)
	if !strings.Contains(body, `id="step-carry-out"`) || strings.Contains(body, `id="step-complete"`) {
		t.Fatalf("steps of an access request:\n%s", body)
	}
	res, _ := c.post(page+"/carry_out", url.Values{"version": {formVersion(t, body)}})
	wantRedirect(t, res, page)
	_, body = c.get(page)
	if !strings.Contains(text(body), "Done: Contact details: 1 address") || !strings.Contains(body, page+"/document") {
		t.Fatalf("carried out:\n%s", body)
	}
	res, doc := c.get(page + "/document")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" ||
		res.Header.Get("Content-Disposition") != `attachment; filename="tillit-access.json"` ||
		res.Header.Get("Cache-Control") != "no-store" || !strings.Contains(doc, r.PersonID) {
		t.Errorf("document: %d %v %q", res.StatusCode, res.Header, doc)
	}
	if got := e.auditEntries(r.ID, dsr.AuditDocumentFetched); len(got) != 1 {
		t.Errorf("%d downloads audited", len(got))
	}
	if got := e.auditEntries(r.ID, dsr.AuditCarriedOut); len(got) != 1 || got[0].Actor != "staff:"+dpo.ID {
		t.Errorf("carry-out audit: %+v", got)
	}
}

func TestDSRQueueMostUrgentFirst(t *testing.T) {
	e := newDSREnv(t)
	first := e.consumerRequest("anna@example.dk", dsr.KindErasure, "")
	e.clk.Advance(5 * 24 * time.Hour)
	second := e.consumerRequest("bo@example.dk", dsr.KindErasure, "")
	e.clk.Advance(7 * 24 * time.Hour)
	third := e.consumerRequest("cy@example.dk", dsr.KindErasure, "")
	// The first request's deadline passes; the second's is near.
	e.clk.Set(first.DueAt.Add(time.Hour))
	for {
		n, err := e.app.Runner.RunDue(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	dpo := e.staff(account.RoleDataProtection, "Dora Protect")
	c := e.client()
	c.signIn(dpo)
	_, home := c.get("/staff/")
	if !strings.Contains(home, "Data-subject requests") {
		t.Errorf("home:\n%s", home)
	}
	_, body := c.get("/staff/queues/privacy_requests")
	i1, i2, i3 := strings.Index(body, first.Reference), strings.Index(body, second.Reference), strings.Index(body, third.Reference)
	if i1 < 0 || i2 < i1 || i3 < i2 {
		t.Fatalf("order %d %d %d:\n%s", i1, i2, i3, body)
	}
	rows := strings.Split(body, "<tr>")
	if len(rows) < 5 || !strings.Contains(rows[2], "Deadline missed") || !strings.Contains(rows[3], "Due soon, days left: 5") ||
		!strings.Contains(rows[4], "Days left: 12") {
		t.Errorf("badges:\n%s", body)
	}
	if !strings.Contains(body, "Waiting: 3") {
		t.Error("no count")
	}
}

func TestDSRStaffFileAndLiftARestriction(t *testing.T) {
	e := newDSREnv(t)
	annaID := e.person("anna@example.dk")
	dpo := e.staff(account.RoleDataProtection, "Dora Protect")
	c := e.client()
	c.signIn(dpo)

	_, body := c.get("/staff/privacy-requests/new")
	if !strings.Contains(body, `name="scope_restriction" value="purchase"`) || !strings.Contains(body, `name="scope_objection" value="similar_offers"`) {
		t.Fatalf("the filing form offers no scope:\n%s", body)
	}
	form := url.Values{"email": {"anna@example.dk"}, "kind": {"restriction"}, "locale": {"en"},
		"identity_note": {"Letter signed, address matches."}}
	res, body := c.post("/staff/privacy-requests/new", form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-scope_restriction"`) {
		t.Fatalf("restriction of nothing: %d", res.StatusCode)
	}
	form["scope_restriction"] = []string{"purchase", "horoscope"}
	res, body = c.post("/staff/privacy-requests/new", form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-scope_restriction"`) {
		t.Fatalf("restriction of something not offered: %d", res.StatusCode)
	}
	form["scope_restriction"] = []string{"purchase", "device"}
	res, _ = c.post("/staff/privacy-requests/new", form)
	page := res.Header.Get("Location")
	id := strings.TrimPrefix(page, "/staff/privacy-requests/")
	r := e.request(id)
	if r.PersonID != annaID || strings.Join(r.Scope, ",") != "purchase,device" || len(r.Entries) != 2 || !r.Entries[0].InForce() {
		t.Fatalf("filed: %+v %+v", r.Request, r.Entries)
	}
	purchase := r.Entries[0]

	_, body = c.get(page)
	if !strings.Contains(text(body), "Data restricted") || !strings.Contains(body, `id="lift-purchase"`) || !strings.Contains(body, `id="lift-device"`) {
		t.Fatalf("the request page does not offer to lift:\n%s", body)
	}
	lift := page + "/entries/" + purchase.ID + "/lift"
	res, body = c.post(lift, url.Values{})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-lift_`+purchase.ID+`"`) {
		t.Errorf("lift without a reason: %d", res.StatusCode)
	}
	if !e.request(id).Entries[0].InForce() {
		t.Fatal("a lift without a reason lifted")
	}
	// Staff of other roles cannot lift.
	support := e.client()
	support.signIn(e.staff(account.RoleCustomerService, "Sam Service"))
	if res, _ := support.post(lift, url.Values{"lift_" + purchase.ID: {"checked"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("support lifts: %d", res.StatusCode)
	}
	// An entry of another request is not found through this one.
	other := e.consumerRequestWith(dsr.ConsumerFiling{Email: "bo@example.dk", Kind: dsr.KindObjection, Scope: []string{"similar_offers"}})
	otherEntry := e.request(other.ID).Entries[0]
	if res, _ := c.post(page+"/entries/"+otherEntry.ID+"/lift", url.Values{"lift_" + otherEntry.ID: {"x"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("lifting another request's entry: %d", res.StatusCode)
	}

	res, _ = c.post(lift, url.Values{"lift_" + purchase.ID: {"Checked against the shop's records: the purchase data is right."}})
	wantRedirect(t, res, page)
	after := e.request(id)
	if after.Entries[0].InForce() || after.Entries[0].LiftedBy != "staff:"+dpo.ID || !after.Entries[1].InForce() {
		t.Errorf("after the lift: %+v", after.Entries)
	}
	if got := e.auditEntries(purchase.ID, restriction.AuditLifted); len(got) != 1 || got[0].Actor != "staff:"+dpo.ID {
		t.Errorf("lift audit: %+v", got)
	}
	_, body = c.get(page)
	if !strings.Contains(text(body), "Checked against the shop's records") || strings.Contains(body, `id="lift-purchase"`) {
		t.Errorf("the page after the lift:\n%s", body)
	}
	res, body = c.post(lift, url.Values{"lift_" + purchase.ID: {"again"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(text(body), "already lifted") {
		t.Errorf("lifting twice: %d", res.StatusCode)
	}
}
