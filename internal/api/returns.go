package api

import (
	"net/http"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/returns"
	"github.com/tillit/tillit/internal/store"
)

// The return endpoints (B4) let a merchant's integration read the returns
// consumers registered on an order (the lines sent back, carrier and
// tracking number, status and the end of the payment pause) and mark one
// received, as the portal's order page does. The mark names the version of
// the return it was made against, so that a change made meanwhile (the
// consumer withdrew it, a refund closed it, the portal marked it) is
// refused; the returns service audits it.

// returnJSON is a return as the API shows it to its merchant.
type returnJSON struct {
	ReturnID       string         `json:"return_id"`
	OrderID        string         `json:"order_id"`
	OrderReference string         `json:"order_reference"`
	Status         returns.Status `json:"status"`
	Lines          []returnLine   `json:"lines"`
	Amount         int64          `json:"amount"`
	Currency       string         `json:"currency"`
	Carrier        string         `json:"carrier"`
	TrackingNumber string         `json:"tracking_number"`
	RefundID       string         `json:"refund_id,omitempty"`
	CreatedAt      string         `json:"created_at"`
	PauseUntil     string         `json:"pause_until"`
	ReceivedAt     string         `json:"received_at,omitempty"`
	ClosedAt       string         `json:"closed_at,omitempty"`
	Version        int64          `json:"version"`
}

// returnLine is one order line sent back: its position in the order's
// order_lines (from 0), its name and how many.
type returnLine struct {
	Index    int    `json:"index"`
	Name     string `json:"name"`
	Quantity int64  `json:"quantity"`
}

// returnList is GET .../returns.
type returnList struct {
	Returns []returnJSON `json:"returns"`
}

// receivedRequest is the body of POST .../returns/{return_id}/received.
type receivedRequest struct {
	Version *int64 `json:"version"`
}

// withReturns answers 404 when the API serves no returns.
func (a *API) withReturns(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if a.Returns == nil {
			a.writeError(w, r, apperr.New(apperr.NotFound, "Returns are not served here."))
			return
		}
		h(w, r)
	}
}

// viewReturn shows a return.
func viewReturn(rt returns.Return) returnJSON {
	v := returnJSON{
		ReturnID: rt.ID, OrderID: rt.OrderID, OrderReference: rt.Reference, Status: rt.Status, Lines: make([]returnLine, 0, len(rt.Lines)),
		Amount: rt.Amount, Currency: rt.Currency, Carrier: rt.Carrier, TrackingNumber: rt.TrackingNumber, RefundID: rt.RefundID,
		CreatedAt: apiTime(rt.CreatedAt), PauseUntil: apiTime(rt.PauseUntil), Version: rt.Version,
	}
	for _, l := range rt.Lines {
		v.Lines = append(v.Lines, returnLine{Index: l.Index, Name: l.Name, Quantity: l.Quantity})
	}
	if rt.ReceivedAt != nil {
		v.ReceivedAt = apiTime(*rt.ReceivedAt)
	}
	if rt.ClosedAt != nil {
		v.ClosedAt = apiTime(*rt.ClosedAt)
	}
	return v
}

// listReturns answers the returns of one of the merchant's orders, newest
// first. Errors: NO_SUCH_ORDER (unknown, or another merchant's).
func (a *API) listReturns(w http.ResponseWriter, r *http.Request) {
	m, orderID := currentMerchant(r), r.PathValue("order_id")
	if _, err := a.Checkout.GetOrder(r.Context(), m.ID, orderID); err != nil {
		a.writeError(w, r, err)
		return
	}
	list, err := a.Returns.ForMerchant(r.Context(), m.ID, orderID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := returnList{Returns: make([]returnJSON, 0, len(list))}
	for _, rt := range list {
		out.Returns = append(out.Returns, viewReturn(rt))
	}
	writeJSON(w, http.StatusOK, out)
}

// markReturnReceived marks one of the order's returns received and answers
// it as it is now. Errors: BAD_VALUE (no version), NO_SUCH_ORDER, NOT_FOUND
// (not a return of the order), RETURN_CHANGED, RETURN_NOT_LIVE.
func (a *API) markReturnReceived(w http.ResponseWriter, r *http.Request) {
	var req receivedRequest
	body, err := decode(w, r, &req, false)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if req.Version == nil {
		a.writeError(w, r, apperr.BadField("version", "is required: the version of the return you read"))
		return
	}
	m, orderID, id := currentMerchant(r), r.PathValue("order_id"), r.PathValue("return_id")
	if _, err := a.Checkout.GetOrder(r.Context(), m.ID, orderID); err != nil {
		a.writeError(w, r, err)
		return
	}
	if !ids.Valid(id) {
		a.writeError(w, r, apperr.New(apperr.NotFound, "No such return."))
		return
	}
	a.mutate(w, r, body, func(tx *store.Tx) (result, error) {
		rt, err := a.Returns.MarkReceived(tx, m.ID, orderID, "api", id, *req.Version)
		if err != nil {
			return result{}, err
		}
		return jsonResult(viewReturn(rt))
	})
}
