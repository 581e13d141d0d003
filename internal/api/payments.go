package api

import (
	"encoding/json"
	"net/http"

	"github.com/tillit/tillit/internal/checkout"
)

func (a *API) createSession(w http.ResponseWriter, r *http.Request) {
	d, err := a.orderData(w, r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out, err := a.Checkout.CreateSession(r.Context(), currentMerchant(r), d, a.baseURL(r))
	a.reply(w, r, out, err)
}

func (a *API) getSession(w http.ResponseWriter, r *http.Request) {
	out, err := a.Checkout.GetSession(r.Context(), currentMerchant(r).ID, r.PathValue("session_id"), a.baseURL(r))
	a.reply(w, r, out, err)
}

func (a *API) updateSession(w http.ResponseWriter, r *http.Request) {
	var probe map[string]any
	body, err := decode(w, r, &probe, false)
	if err == nil {
		err = a.Checkout.UpdateSession(r.Context(), currentMerchant(r).ID, r.PathValue("session_id"), body)
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) createOrder(w http.ResponseWriter, r *http.Request) {
	d, err := a.orderData(w, r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out, err := a.Checkout.CreateOrder(r.Context(), currentMerchant(r), r.PathValue("token"), d)
	a.reply(w, r, out, err)
}

func (a *API) cancelAuthorization(w http.ResponseWriter, r *http.Request) {
	if err := a.Checkout.CancelAuthorization(r.Context(), currentMerchant(r).ID, r.PathValue("token")); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// orderData reads a purchase from the request body.
func (a *API) orderData(w http.ResponseWriter, r *http.Request) (checkout.OrderData, error) {
	var probe map[string]json.RawMessage
	body, err := decode(w, r, &probe, false)
	if err != nil {
		return checkout.OrderData{}, err
	}
	return checkout.ParseOrderData(body)
}
