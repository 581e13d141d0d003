package api

import (
	"net/http"

	"github.com/tillit/tillit/internal/checkout"
)

func (a *API) createSession(w http.ResponseWriter, r *http.Request) {
	var d checkout.OrderData
	if _, err := decode(w, r, &d, false); err != nil {
		a.writeError(w, r, err)
		return
	}
	out, err := a.Checkout.CreateSession(r.Context(), currentMerchant(r), d, a.baseURL(r))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getSession(w http.ResponseWriter, r *http.Request) {
	out, err := a.Checkout.GetSession(r.Context(), currentMerchant(r).ID, r.PathValue("session_id"), a.baseURL(r))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
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
	var d checkout.OrderData
	if _, err := decode(w, r, &d, false); err != nil {
		a.writeError(w, r, err)
		return
	}
	out, err := a.Checkout.CreateOrder(r.Context(), currentMerchant(r), r.PathValue("token"), d)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) cancelAuthorization(w http.ResponseWriter, r *http.Request) {
	if err := a.Checkout.CancelAuthorization(r.Context(), currentMerchant(r).ID, r.PathValue("token")); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
