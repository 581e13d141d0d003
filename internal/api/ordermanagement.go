package api

import (
	"encoding/json"
	"net/http"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/store"
)

func (a *API) getOrder(w http.ResponseWriter, r *http.Request) {
	out, err := a.Checkout.GetOrder(r.Context(), currentMerchant(r).ID, r.PathValue("order_id"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getCaptures(w http.ResponseWriter, r *http.Request) {
	out, err := a.Checkout.GetCaptures(r.Context(), currentMerchant(r).ID, r.PathValue("order_id"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getCapture(w http.ResponseWriter, r *http.Request) {
	out, err := a.Checkout.GetCapture(r.Context(), currentMerchant(r).ID, r.PathValue("order_id"), r.PathValue("capture_id"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getRefund(w http.ResponseWriter, r *http.Request) {
	out, err := a.Checkout.GetRefund(r.Context(), currentMerchant(r).ID, r.PathValue("order_id"), r.PathValue("refund_id"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// orderURL is the absolute URL of an order's sub-resource.
func (a *API) orderURL(r *http.Request, orderID, rest string) string {
	return a.baseURL(r) + "/ordermanagement/v1/orders/" + orderID + rest
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
		return result{Status: http.StatusCreated, Headers: map[string]string{
			"Location":   a.orderURL(r, orderID, "/captures/"+c.CaptureID),
			"Capture-Id": c.CaptureID,
		}}, nil
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
		return result{Status: http.StatusCreated, Headers: map[string]string{
			"Location":  a.orderURL(r, orderID, "/refunds/"+ref.RefundID),
			"Refund-Id": ref.RefundID,
		}}, nil
	})
}

func (a *API) captureShippingInfo(w http.ResponseWriter, r *http.Request) {
	var req checkout.ShippingInfoRequest
	body, err := decode(w, r, &req, false)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	m := currentMerchant(r)
	a.mutate(w, r, body, func(tx *store.Tx) (result, error) {
		return noContent(a.Checkout.AddCaptureShippingInfo(tx, m.ID, r.PathValue("order_id"), r.PathValue("capture_id"), req))
	})
}

func (a *API) shippingInfo(w http.ResponseWriter, r *http.Request) {
	var req checkout.ShippingInfoRequest
	body, err := decode(w, r, &req, false)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	m := currentMerchant(r)
	a.mutate(w, r, body, func(tx *store.Tx) (result, error) {
		return noContent(a.Checkout.AddShippingInfo(tx, m.ID, r.PathValue("order_id"), req))
	})
}

func (a *API) merchantReferences(w http.ResponseWriter, r *http.Request) {
	var req checkout.MerchantReferences
	body, err := decode(w, r, &req, false)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	m := currentMerchant(r)
	a.mutate(w, r, body, func(tx *store.Tx) (result, error) {
		return noContent(a.Checkout.UpdateMerchantReferences(tx, m.ID, r.PathValue("order_id"), req))
	})
}

// bodiless runs an order-management operation that takes no body (an empty
// body or an empty JSON object is accepted).
func (a *API) bodiless(op func(tx *store.Tx, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var ignored map[string]json.RawMessage
		body, err := decode(w, r, &ignored, true)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		a.mutate(w, r, body, func(tx *store.Tx) (result, error) { return noContent(op(tx, r)) })
	}
}

func (a *API) cancel(w http.ResponseWriter, r *http.Request) {
	a.bodiless(func(tx *store.Tx, r *http.Request) error {
		return a.Checkout.Cancel(tx, currentMerchant(r).ID, r.PathValue("order_id"))
	})(w, r)
}

func (a *API) releaseRemaining(w http.ResponseWriter, r *http.Request) {
	a.bodiless(func(tx *store.Tx, r *http.Request) error {
		return a.Checkout.ReleaseRemaining(tx, currentMerchant(r).ID, r.PathValue("order_id"))
	})(w, r)
}

func (a *API) extendAuthorization(w http.ResponseWriter, r *http.Request) {
	a.bodiless(func(tx *store.Tx, r *http.Request) error {
		return a.Checkout.ExtendAuthorization(tx, currentMerchant(r), r.PathValue("order_id"))
	})(w, r)
}

func (a *API) acknowledge(w http.ResponseWriter, r *http.Request) {
	a.bodiless(func(tx *store.Tx, r *http.Request) error {
		return a.Checkout.Acknowledge(tx, currentMerchant(r).ID, r.PathValue("order_id"))
	})(w, r)
}
