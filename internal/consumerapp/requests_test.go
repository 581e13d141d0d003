package consumerapp_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/consumerapp"
	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/restriction"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// staffActor answers requests in these tests.
const staffActor = "staff:0190d8e2-7b6a-7c3e-9f00-000000000001"

// newRequestsEnv is the consumer app with the request pages, on a request
// service whose access requests a fake fulfiller carries out.
func newRequestsEnv(t *testing.T) (*env, *dsr.Service) {
	t.Helper()
	e := newEnv(t, true)
	secret, err := e.app.DB.InstanceSecret(e.ctx, ids.ConsumerKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := dsr.New(dsr.Config{DB: e.app.DB, Vault: e.app.Vault, LookupKey: secret, Intakes: rights.New(e.app.DB, e.app.Vault).Intakes(), Fulfillers: map[dsr.Kind]dsr.Fulfiller{
		dsr.KindAccess: dsr.FulfillerFunc(func(tx *store.Tx, r dsr.Request) (dsr.Outcome, error) {
			return dsr.Outcome{Status: dsr.StatusCompleted,
				Items:    []dsr.Item{{What: "privacy.category.purchase", Done: true, Reason: "1 order"}},
				Document: &dsr.Document{Name: "tillit-access.json", ContentType: "application/json", Body: []byte(`{"person_id":"` + r.PersonID + `"}`)}}, nil
		}),
	}})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := consumerapp.New(consumerapp.Config{
		Accounts: e.app.Accounts, Plans: e.app.Plans, Requests: svc, Key: []byte(e.app.WebKey), Demo: true,
		Logger: logscan.Logger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(consumerapp.Prefix, pages.Handler())
	mux.Handle("GET /static/", web.Static())
	e.srv.Config.Handler = mux
	return e, svc
}

// requestID returns the id of the request whose page the client is on.
func requestID(t *testing.T, pg page) string {
	t.Helper()
	id, ok := strings.CutPrefix(pg.path, "/app/privacy/requests/")
	if !ok || !ids.Valid(id) {
		t.Fatalf("not on a request page: %s (%d)", pg.path, pg.status)
	}
	return id
}

func TestConsumerFilesAndFollowsARequest(t *testing.T) {
	e, svc := newRequestsEnv(t)
	c := e.client()
	c.signIn(anna)

	pg := c.get("/app/privacy")
	if !strings.Contains(pg.body, `href="/app/privacy/requests"`) {
		t.Fatalf("the privacy page does not link the requests:\n%s", pg.body)
	}
	pg = c.get("/app/privacy/requests")
	if pg.status != http.StatusOK || !pg.has("You have not made any requests yet.") || !strings.Contains(pg.body, `value="rectification"`) {
		t.Fatalf("requests page: %d\n%s", pg.status, pg.body)
	}

	// Mistakes are shown by their fields; nothing is filed.
	pg = c.post("/app/privacy/requests", url.Values{})
	if pg.status != http.StatusUnprocessableEntity || !pg.has("Choose what you want us to do.") {
		t.Errorf("no kind: %d", pg.status)
	}
	pg = c.post("/app/privacy/requests", url.Values{"kind": {"rectification"}, "description": {"  "}})
	if pg.status != http.StatusUnprocessableEntity || !pg.has("Say which data is wrong and what it should be.") {
		t.Errorf("rectification without saying what: %d", pg.status)
	}
	pg = c.post("/app/privacy/requests", url.Values{"kind": {"access"}, "country": {"XX"}})
	if pg.status != http.StatusUnprocessableEntity || !strings.Contains(pg.body, `href="#f-country"`) {
		t.Errorf("unknown country: %d", pg.status)
	}
	if n, _ := svc.CountOpen(e.ctx); n != 0 {
		t.Fatalf("%d requests filed by bad forms", n)
	}

	pg = c.post("/app/privacy/requests", url.Values{"kind": {"access"}, "country": {"NL"}, "description": {"Also my old orders <please>."}})
	id := requestID(t, pg)
	c2, err := svc.Get(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c2.PersonID != e.subject(anna) || c2.Channel != dsr.ChannelApp || c2.Country != "NL" {
		t.Errorf("filed: %+v", c2.Request)
	}
	for _, want := range []string{"We have received your request " + c2.Reference, "Access to your data", "Identity verified",
		"Also my old orders <please>.", "We answer by"} {
		if !pg.has(want) {
			t.Errorf("request page lacks %q", want)
		}
	}
	if strings.Contains(pg.body, "<please>") {
		t.Error("what the consumer wrote is not escaped")
	}
	if msgs, err := e.app.Accounts.DemoMailbox(e.ctx, anna, 1); err != nil || len(msgs) != 1 || !strings.Contains(msgs[0].Subject, c2.Reference) {
		t.Errorf("receipt e-mail: %+v %v", msgs, err)
	}

	// The same kind again is refused while the first is open.
	pg = c.post("/app/privacy/requests", url.Values{"kind": {"access"}})
	if pg.status != http.StatusUnprocessableEntity || !pg.has("You already have an open request of this kind.") {
		t.Errorf("duplicate: %d", pg.status)
	}
	pg = c.get("/app/privacy/requests")
	if !strings.Contains(pg.body, `href="/app/privacy/requests/`+id+`"`) {
		t.Errorf("the list lacks the request:\n%s", pg.body)
	}

	// Another consumer sees none of it.
	other := e.client()
	other.signIn(bob)
	for _, path := range []string{"/app/privacy/requests/" + id, "/app/privacy/requests/" + id + "/document", "/app/privacy/requests/not-an-id"} {
		if pg := other.get(path); pg.status != http.StatusNotFound {
			t.Errorf("bob GET %s: %d", path, pg.status)
		}
	}
	if pg := other.get("/app/privacy/requests"); strings.Contains(pg.body, id) || !pg.has("You have not made any requests yet.") {
		t.Error("bob's list shows anna's request")
	}

	// Answered with a document: Anna downloads it; Bob cannot.
	r, err := svc.Start(e.ctx, staffActor, id, c2.Version)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CarryOut(e.ctx, staffActor, id, r.Version); err != nil {
		t.Fatal(err)
	}
	pg = c.get("/app/privacy/requests/" + id)
	for _, want := range []string{"We have carried out your request.", "Done: Purchases: 1 order", "Download your data", "You can download it until"} {
		if !pg.has(want) {
			t.Errorf("answered page lacks %q:\n%s", want, pg.body)
		}
	}
	if pg.has("data protection authority") {
		t.Error("a full answer names the authority")
	}
	res, err := c.http.Get(c.base + "/app/privacy/requests/" + id + "/document")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Disposition") != `attachment; filename="tillit-access.json"` ||
		string(body) != `{"person_id":"`+e.subject(anna)+`"}` {
		t.Errorf("download: %d %v %q", res.StatusCode, res.Header, body)
	}
	if pg := other.get("/app/privacy/requests/" + id + "/document"); pg.status != http.StatusNotFound {
		t.Errorf("bob downloads anna's data: %d", pg.status)
	}
}

func TestConsumerSeesTheRouteToTheAuthority(t *testing.T) {
	e, svc := newRequestsEnv(t)
	c := e.client()
	c.signIn(anna)
	c.get("/app/privacy/requests")
	pg := c.post("/app/privacy/requests", url.Values{"kind": {"erasure"}, "country": {"SE"}})
	id := requestID(t, pg)
	r, err := svc.Get(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Refuse(e.ctx, staffActor, id, r.Version, []string{"You have an open debt with us."}); err != nil {
		t.Fatal(err)
	}
	pg = c.get("/app/privacy/requests/" + id)
	for _, want := range []string{"We cannot carry out your request", "Not done: You have an open debt with us.", "Integritetsskyddsmyndigheten (IMY)",
		`href="https://www.imy.se"`, dsr.AuthoritiesListURL, "Refused"} {
		if !pg.has(want) {
			t.Errorf("refused page lacks %q", want)
		}
	}
}

func TestConsumerRestrictsAndObjects(t *testing.T) {
	e, svc := newRequestsEnv(t)
	c := e.client()
	c.signIn(anna)
	person := e.subject(anna)
	permits := func(p privacy.PurposeID, cats ...privacy.CategoryID) bool {
		t.Helper()
		var ok bool
		err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
			var err error
			ok, err = restriction.Permits(tx, person, p, cats...)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	pg := c.get("/app/privacy/requests")
	for _, want := range []string{`name="scope_restriction" value="purchase"`, `name="scope_objection" value="similar_offers"`,
		`name="scope_objection" value="direct_marketing"`} {
		if !strings.Contains(pg.body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	if strings.Contains(pg.body, `name="scope_objection" value="credit_agreement"`) {
		t.Error("the form offers to object to the credit agreement, which is a contract")
	}

	// Nothing ticked, or something not offered: nothing is filed.
	pg = c.post("/app/privacy/requests", url.Values{"kind": {"restriction"}})
	if pg.status != http.StatusUnprocessableEntity || !pg.has("Tick the data you want restricted.") || !strings.Contains(pg.body, `href="#f-scope_restriction"`) {
		t.Errorf("restriction of nothing: %d", pg.status)
	}
	pg = c.post("/app/privacy/requests", url.Values{"kind": {"objection"}, "scope_objection": {"credit_agreement"}})
	if pg.status != http.StatusUnprocessableEntity {
		t.Errorf("objection to the contract: %d", pg.status)
	}
	if n, _ := svc.CountOpen(e.ctx); n != 0 {
		t.Fatalf("%d requests filed by bad forms", n)
	}

	// A restriction takes effect as it is filed, and its page says so.
	pg = c.post("/app/privacy/requests", url.Values{"kind": {"restriction"}, "scope_restriction": {"device", "purchase"},
		"scope_objection": {"similar_offers"}, "description": {"The shop has my order wrong."}})
	id := requestID(t, pg)
	for _, want := range []string{"Data restricted", "Purchases: restricted", "Device and network: restricted"} {
		if !pg.has(want) {
			t.Errorf("restriction page lacks %q:\n%s", want, pg.body)
		}
	}
	got, err := svc.Get(e.ctx, id)
	if err != nil || strings.Join(got.Scope, ",") != "purchase,device" {
		t.Fatalf("filed scope: %v %v (the objection's ticks must not leak into a restriction)", got.Scope, err)
	}
	if permits(privacy.PurposeFraudPrevention, privacy.CategoryPurchase) || !permits(privacy.PurposeSimilarOffers, privacy.CategoryIdentity) {
		t.Error("the restriction did not take effect as filed, or did more")
	}

	pg = c.post("/app/privacy/requests", url.Values{"kind": {"objection"}, "scope_objection": {"similar_offers"}})
	requestID(t, pg)
	if !pg.has("Objected to") || !pg.has("Offers of similar services: stopped") {
		t.Errorf("objection page:\n%s", pg.body)
	}
	if permits(privacy.PurposeSimilarOffers) {
		t.Error("similar offers still go on after the objection")
	}
}
