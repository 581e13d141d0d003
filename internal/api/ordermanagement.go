package api

import (
	"encoding/json"
	"net/http"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/store"
)

func (a *API) getOrder(w http.ResponseWriter, r *http.Request) {
	out, err := a.Checkout.GetOrder(r.Context(), currentMerchant(r).ID, r.PathValue("order_id"))
	a.reply(w, r, out, err)
}

func (a *API) getCaptures(w http.ResponseWriter, r *http.Request) {
	out, err := a.Checkout.GetCaptures(r.Context(), currentMerchant(r).ID, r.PathValue("order_id"))
	a.reply(w, r, out, err)
}

func (a *API) getCapture(w http.ResponseWriter, r *http.Request) {
	out, err := a.Checkout.GetCapture(r.Context(), currentMerchant(r).ID, r.PathValue("order_id"), r.PathValue("capture_id"))
	a.reply(w, r, out, err)
}

func (a *API) getRefund(w http.ResponseWriter, r *http.Request) {
	out, err := a.Checkout.GetRefund(r.Context(), currentMerchant(r).ID, r.PathValue("order_id"), r.PathValue("refund_id"))
	a.reply(w, r, out, err)
}

// created is the 201 answer to creating a capture or refund: an empty body,
// the absolute Location of the new resource and its id in idHeader.
func (a *API) created(r *http.Request, orderID, collection, idHeader, id string) result {
	location := a.baseURL(r) + "/ordermanagement/v1/orders/" + orderID + "/" + collection + "/" + id
	return result{Status: http.StatusCreated, Headers: map[string]string{"Location": location, idHeader: id}}
}

func (a *API) capture(w http.ResponseWriter, r *http.Request) {
	var req checkout.CaptureRequest
	body, err := decode(w, r, &req, false)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	m, orderID := currentMerchant(r), r.PathValue("order_id")
	a.mutate(w, r, body, func(tx *store.Tx) (result, error) {
		c, err := a.Checkout.Capture(tx, m.ID, orderID, req)
		if err != nil {
			return result{}, err
		}
		return a.created(r, orderID, "captures", "Capture-Id", c.CaptureID), nil
	})
}

func (a *API) refund(w http.ResponseWriter, r *http.Request) {
	var req checkout.RefundRequest
	body, err := decode(w, r, &req, false)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	m, orderID := currentMerchant(r), r.PathValue("order_id")
	a.mutate(w, r, body, func(tx *store.Tx) (result, error) {
		ref, err := a.Checkout.Refund(tx, m.ID, orderID, req)
		if err != nil {
			return result{}, err
		}
		return a.created(r, orderID, "refunds", "Refund-Id", ref.RefundID), nil
	})
}

func (a *API) captureShippingInfo(w http.ResponseWriter, r *http.Request) {
	change(a, w, r, false, func(tx *store.Tx, req checkout.ShippingInfoRequest) error {
		return a.Checkout.AddCaptureShippingInfo(tx, currentMerchant(r).ID, r.PathValue("order_id"), r.PathValue("capture_id"), req)
	})
}

func (a *API) shippingInfo(w http.ResponseWriter, r *http.Request) {
	change(a, w, r, false, func(tx *store.Tx, req checkout.ShippingInfoRequest) error {
		return a.Checkout.AddShippingInfo(tx, currentMerchant(r).ID, r.PathValue("order_id"), req)
	})
}

func (a *API) merchantReferences(w http.ResponseWriter, r *http.Request) {
	change(a, w, r, false, func(tx *store.Tx, req checkout.MerchantReferences) error {
		return a.Checkout.UpdateMerchantReferences(tx, currentMerchant(r).ID, r.PathValue("order_id"), req)
	})
}

// noBody is the request of an operation that takes no body; an empty body or
// any JSON object is accepted.
type noBody map[string]json.RawMessage

func (a *API) cancel(w http.ResponseWriter, r *http.Request) {
	change(a, w, r, true, func(tx *store.Tx, _ noBody) error {
		return a.Checkout.Cancel(tx, currentMerchant(r).ID, r.PathValue("order_id"))
	})
}

func (a *API) releaseRemaining(w http.ResponseWriter, r *http.Request) {
	change(a, w, r, true, func(tx *store.Tx, _ noBody) error {
		return a.Checkout.ReleaseRemaining(tx, currentMerchant(r).ID, r.PathValue("order_id"))
	})
}

func (a *API) extendAuthorization(w http.ResponseWriter, r *http.Request) {
	change(a, w, r, true, func(tx *store.Tx, _ noBody) error {
		return a.Checkout.ExtendAuthorization(tx, currentMerchant(r), r.PathValue("order_id"))
	})
}

func (a *API) acknowledge(w http.ResponseWriter, r *http.Request) {
	change(a, w, r, true, func(tx *store.Tx, _ noBody) error {
		return a.Checkout.Acknowledge(tx, currentMerchant(r).ID, r.PathValue("order_id"))
	})
}

// change decodes the request body into T and runs op as an idempotent
// order-management change that answers 204 No Content.
func change[T any](a *API, w http.ResponseWriter, r *http.Request, allowEmpty bool, op func(tx *store.Tx, req T) error) {
	var req T
	body, err := decode(w, r, &req, allowEmpty)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.mutate(w, r, body, func(tx *store.Tx) (result, error) { return noContent(op(tx, req)) })
}
