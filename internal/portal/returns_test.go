package portal_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/portal"
	"github.com/tillit/tillit/internal/returns"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// newReturnEnv is newEnv with the portal showing returns.
func newReturnEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	pages, err := portal.New(portal.Config{
		DB: e.app.DB, Checkout: e.app.Checkout, Accounts: e.app.Accounts, Key: []byte(e.app.WebKey),
		Returns: e.app.Returns, Logger: logscan.LoggerTo(testLog{t}),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/static/", web.Static())
	mux.Handle(portal.Prefix, pages.Handler())
	t.Cleanup(e.srv.Close) // newEnv's cleanup closes the server below
	e.pages, e.srv = pages, httptest.NewServer(mux)
	return e
}

// returned places and captures an order of one jacket for amount and has
// its consumer register its return.
func (e *env) returned(amount int64) returns.Return {
	e.t.Helper()
	id := e.order(amount)
	e.capture(id, amount)
	var r returns.Return
	e.write(func(tx *store.Tx) error {
		var person string
		if err := tx.QueryRow(`SELECT person_id FROM orders WHERE id = $1`, id).Scan(&person); err != nil {
			return err
		}
		var err error
		r, err = e.app.Returns.Register(tx, person, "consumer:test", id, returns.Return{
			Lines: []returns.Line{{Index: 0, Quantity: 1}}, Carrier: "PostNord", TrackingNumber: "RR987654321DK"})
		return err
	})
	return r
}

// wantReturn fails unless the return has the status and version.
func (e *env) wantReturn(r returns.Return, status returns.Status, version int64) {
	e.t.Helper()
	list, err := e.app.Returns.ForMerchant(e.ctx, e.shop.ID, r.OrderID)
	if err != nil || len(list) != 1 {
		e.t.Fatalf("returns of %s: %+v %v", r.OrderID, list, err)
	}
	if list[0].Status != status || list[0].Version != version {
		e.t.Errorf("return %s is %s version %d, want %s version %d", r.ID, list[0].Status, list[0].Version, status, version)
	}
}

func TestOrderPageShowsReturnsAndMarksReceived(t *testing.T) {
	e := newReturnEnv(t)
	r := e.returned(40000)
	orderPath := "/portal/orders/" + r.OrderID
	markPath := orderPath + "/returns/" + r.ID + "/received"
	// v is a fresh mark form with the version the page showed (post adds
	// the client's CSRF token to the form it is given).
	v := func() url.Values { return url.Values{"version": {strconv.FormatInt(r.Version, 10)}} }

	// A viewer sees the return but has no button, and may not mark it.
	viewer := e.signedInAs(account.MerchantViewer, "Vera Viewer")
	res, body := viewer.get(orderPath)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("order page: %d", res.StatusCode)
	}
	wantContains(t, "viewer's order page", body, `id="return-`+r.ID+`"`, "Returns", "PostNord", "RR987654321DK", "Rain jacket",
		"On its way back", "Payments paused until", "DKK\u00a0400.00")
	if strings.Contains(body, `id="return-received-`+r.ID+`"`) {
		t.Error("a viewer is offered the mark-received button")
	}
	if res, _ := viewer.post(markPath, v()); res.StatusCode != http.StatusForbidden {
		t.Errorf("viewer marks: %d", res.StatusCode)
	}
	e.wantReturn(r, returns.Registered, r.Version)

	// Another merchant's user finds neither the order nor the return.
	other := e.merchant("Other Shop", "")
	stranger := e.client()
	stranger.signIn(e.userOf(other, account.MerchantOwner, "Otto Other"))
	if res, body := stranger.get(orderPath); res.StatusCode != http.StatusNotFound || strings.Contains(body, "RR987654321DK") {
		t.Errorf("another merchant's order page: %d", res.StatusCode)
	}
	if res, _ := stranger.post(markPath, v()); res.StatusCode != http.StatusNotFound {
		t.Errorf("another merchant marks: %d", res.StatusCode)
	}
	e.wantReturn(r, returns.Registered, r.Version)

	owner := e.signedInAs(account.MerchantOwner, "Olga Owner")
	_, body = owner.get(orderPath)
	wantContains(t, "owner's order page", body, `id="return-received-`+r.ID+`"`, `name="version" value="1"`)

	// No CSRF token, a return of another order, an unknown return and a
	// stale version write nothing.
	if res, _ := owner.post(markPath, url.Values{"version": {"1"}, "csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a forged CSRF token: %d", res.StatusCode)
	}
	second := e.returned(10000)
	if res, _ := owner.post(orderPath+"/returns/"+second.ID+"/received", v()); res.StatusCode != http.StatusNotFound {
		t.Errorf("another order's return: %d", res.StatusCode)
	}
	if res, _ := owner.post(orderPath+"/returns/not-an-id/received", v()); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown return: %d", res.StatusCode)
	}
	res, body = owner.post(markPath, url.Values{"version": {"7"}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("a stale version: %d", res.StatusCode)
	}
	wantContains(t, "stale version", body, `id="order-problem"`, "changed while you were looking")
	res, _ = owner.post(markPath, url.Values{"version": {"x"}})
	if res.StatusCode != http.StatusConflict {
		t.Errorf("a version that is not a number: %d", res.StatusCode)
	}
	e.wantReturn(r, returns.Registered, r.Version)
	e.wantReturn(second, returns.Registered, second.Version)
	if n := len(e.auditEntries(r.OrderID, returns.ActionReceived)); n != 0 {
		t.Fatalf("%d received entries after the refused marks", n)
	}

	// The owner marks it received; the service audits it as the user.
	owner.get(orderPath)
	res, _ = owner.post(markPath, v())
	wantRedirect(t, res, orderPath)
	e.wantReturn(r, returns.Received, r.Version+1)
	entries := e.auditEntries(r.OrderID, returns.ActionReceived)
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Actor, "merchant_user:") {
		t.Fatalf("received audit entries %+v", entries)
	}
	_, body = owner.get(orderPath)
	wantContains(t, "after marking", body, "The return is marked as received.", `id="return-status-`+r.ID+`"`, ">Received<")
	if strings.Contains(body, `id="return-received-`+r.ID+`"`) {
		t.Error("a received return still offers the button")
	}

	// A double submit (the same version again) changes nothing.
	res, body = owner.post(markPath, v())
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("double submit: %d", res.StatusCode)
	}
	wantContains(t, "double submit", body, `id="order-problem"`)
	res, body = owner.post(markPath, url.Values{"version": {strconv.FormatInt(r.Version+1, 10)}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("marking a received return: %d", res.StatusCode)
	}
	wantContains(t, "already received", body, "already received or closed")
	e.wantReturn(r, returns.Received, r.Version+1)
	if n := len(e.auditEntries(r.OrderID, returns.ActionReceived)); n != 1 {
		t.Errorf("%d received entries", n)
	}

	// An admin may mark too.
	admin := e.signedInAs(account.MerchantAdmin, "Ada Admin")
	admin.get("/portal/orders/" + second.OrderID)
	res, _ = admin.post("/portal/orders/"+second.OrderID+"/returns/"+second.ID+"/received", url.Values{"version": {strconv.FormatInt(second.Version, 10)}})
	wantRedirect(t, res, "/portal/orders/"+second.OrderID)
	e.wantReturn(second, returns.Received, second.Version+1)
}

// TestOrderPageWithoutReturns: an order nobody sent back shows no returns
// section.
func TestOrderPageWithoutReturns(t *testing.T) {
	e := newReturnEnv(t)
	id := e.order(40000)
	c := e.signedInAs(account.MerchantOwner, "Olga Owner")
	_, body := c.get("/portal/orders/" + id)
	if strings.Contains(body, `id="returns-title"`) {
		t.Error("an order without returns shows a returns section")
	}
}
