package api_test

import (
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/returns"
	"github.com/tillit/tillit/internal/store"
)

// apiReturn is a return as the API answers it.
type apiReturn struct {
	ReturnID       string `json:"return_id"`
	OrderID        string `json:"order_id"`
	OrderReference string `json:"order_reference"`
	Status         string `json:"status"`
	Lines          []struct {
		Index    int    `json:"index"`
		Name     string `json:"name"`
		Quantity int64  `json:"quantity"`
	} `json:"lines"`
	Amount         int64  `json:"amount"`
	Carrier        string `json:"carrier"`
	TrackingNumber string `json:"tracking_number"`
	PauseUntil     string `json:"pause_until"`
	ReceivedAt     string `json:"received_at"`
	Version        int64  `json:"version"`
}

// returnedOrder places an order as the env's merchant, captures it in full
// through the API and has its consumer register the return of one rain
// jacket, through the service.
func (e *env) returnedOrder() (string, returns.Return) {
	e.t.Helper()
	id := e.placeOrder("anna@example.dk")
	e.do(request{method: "POST", path: om(id, "/captures"), body: map[string]any{"captured_amount": 125000}}).expect(e.t, 201)
	var r returns.Return
	err := e.app.DB.Write(e.t.Context(), func(tx *store.Tx) error {
		var person string
		if err := tx.QueryRow(`SELECT person_id FROM orders WHERE id = $1`, id).Scan(&person); err != nil {
			return err
		}
		var err error
		r, err = e.app.Returns.Register(tx, person, "consumer:test", id, returns.Return{
			Lines: []returns.Line{{Index: 0, Quantity: 1}}, Carrier: "PostNord", TrackingNumber: "RR123456785DK"})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return id, r
}

// TestReturnAPIListAndMarkReceived: the merchant lists an order's returns
// and marks one received with the version it read (replayed with its
// idempotency key); stale versions, other orders' and other merchants'
// returns, and a body without a version are refused and write nothing.
func TestReturnAPIListAndMarkReceived(t *testing.T) {
	c := newContract(t)
	e := newEnv(t)
	orderID, r := e.returnedOrder()

	var list struct {
		Returns []apiReturn `json:"returns"`
	}
	c.do(e, request{method: "GET", path: om(orderID, "/returns")}).expect(t, 200).json(t, &list)
	if len(list.Returns) != 1 {
		t.Fatalf("returns %+v", list.Returns)
	}
	got := list.Returns[0]
	if got.ReturnID != r.ID || got.OrderID != orderID || got.Status != "registered" || got.Carrier != "PostNord" || got.TrackingNumber != "RR123456785DK" ||
		got.Amount != 50000 || len(got.Lines) != 1 || got.Lines[0].Name != "Rain jacket" || got.Lines[0].Quantity != 1 || got.Version != 1 ||
		got.PauseUntil == "" || got.ReceivedAt != "" || got.OrderReference == "" {
		t.Fatalf("the return reads %+v", got)
	}
	var none struct {
		Returns []apiReturn `json:"returns"`
	}
	plain := e.placeOrder("anna@example.dk")
	c.do(e, request{method: "GET", path: om(plain, "/returns")}).expect(t, 200).json(t, &none)
	if none.Returns == nil || len(none.Returns) != 0 {
		t.Errorf("an order without returns lists %+v", none.Returns)
	}

	received := func(order, id string, body any, headers map[string]string) resp {
		return e.do(request{method: "POST", path: om(order, "/returns/"+id+"/received"), body: body, headers: headers})
	}
	wantCode := func(res resp, status int, code string) {
		t.Helper()
		c.check(request{method: res.Request.Method, path: res.Request.URL.Path}, res, false)
		res.expect(t, status)
		if got := res.errorCode(t); got != code {
			t.Errorf("%s: error_code %s, want %s", res.Request.URL.Path, got, code)
		}
	}
	otherOrder, other := e.returnedOrder()
	wantCode(received(orderID, r.ID, map[string]any{}, nil), 400, "BAD_VALUE")
	wantCode(received(orderID, r.ID, "[]", nil), 400, "BAD_VALUE")
	wantCode(received(orderID, r.ID, map[string]any{"version": 7}, nil), 409, "RETURN_CHANGED")
	wantCode(received(orderID, other.ID, map[string]any{"version": 1}, nil), 404, "NOT_FOUND")
	wantCode(received(orderID, "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", map[string]any{"version": 1}, nil), 404, "NOT_FOUND")
	wantCode(received(orderID, "not-an-id", map[string]any{"version": 1}, nil), 404, "NOT_FOUND")
	wantCode(received("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", r.ID, map[string]any{"version": 1}, nil), 404, "NO_SUCH_ORDER")

	// Another merchant finds neither the order nor its returns.
	stranger := e.newMerchant(merchant.NewMerchant{Name: "Other Shop", TestMode: true, SettlementCurrency: "DKK"})
	as := func(req request) resp {
		req.user, req.pass = stranger.Username, stranger.Password
		return e.do(req)
	}
	wantCode(as(request{method: "GET", path: om(orderID, "/returns")}), 404, "NO_SUCH_ORDER")
	wantCode(as(request{method: "POST", path: om(orderID, "/returns/"+r.ID+"/received"), body: map[string]any{"version": 1}}), 404, "NO_SUCH_ORDER")

	entries := func() int {
		all, err := audit.ForSubject(t.Context(), e.app.DB, orderID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, en := range all {
			if en.Action == returns.ActionReceived && en.Actor == "api" {
				n++
			}
		}
		return n
	}
	if n := entries(); n != 0 {
		t.Fatalf("%d received entries after refused requests", n)
	}

	key := map[string]string{"Klarna-Idempotency-Key": "mark-received-1"}
	var marked apiReturn
	first := c.do(e, request{method: "POST", path: om(orderID, "/returns/"+r.ID+"/received"), body: map[string]any{"version": 1}, headers: key}).expect(t, 200)
	first.json(t, &marked)
	again := c.do(e, request{method: "POST", path: om(orderID, "/returns/"+r.ID+"/received"), body: map[string]any{"version": 1}, headers: key}).expect(t, 200)
	if marked.Status != "received" || marked.ReceivedAt == "" || marked.Version != 2 || again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) {
		t.Fatalf("marked %+v, replayed %s (%v)", marked, again.Body, again.Header)
	}
	if n := entries(); n != 1 {
		t.Errorf("%d received entries", n)
	}
	wantCode(received(orderID, r.ID, map[string]any{"version": 2}, nil), 409, "RETURN_NOT_LIVE")
	wantCode(received(orderID, r.ID, map[string]any{"version": 1}, nil), 409, "RETURN_CHANGED")
	c.do(e, request{method: "GET", path: om(otherOrder, "/returns")}).expect(t, 200).json(t, &list)
	if len(list.Returns) != 1 || list.Returns[0].Status != "registered" || list.Returns[0].Version != 1 {
		t.Errorf("the other order's return changed: %+v", list.Returns)
	}
	if strings.Contains(string(first.Body), "Jensen") || strings.Contains(string(first.Body), "anna@example.dk") {
		t.Errorf("the return carries the consumer's name or address: %s", first.Body)
	}
}
