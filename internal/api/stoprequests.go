package api

import (
	"encoding/json"
	"net/http"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/stoprequest"
	"github.com/tillit/tillit/internal/store"
)

// The stop-request endpoints (T4) let a merchant's integration list the
// stop requests it must answer, read one, answer it and confirm a removal,
// as the portal form and the signed link do.

// maxStopRequestList bounds a list answer.
const maxStopRequestList = 200

// stopRequestList is the body of GET /fraud/v1/stop-requests.
type stopRequestList struct {
	StopRequests []stoprequest.Request `json:"stop_requests"`
}

// withStopRequests answers 404 when the API serves no stop requests.
func (a *API) withStopRequests(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if a.StopRequests == nil {
			a.writeError(w, r, apperr.New(apperr.NotFound, "Stop requests are not served here."))
			return
		}
		h(w, r)
	}
}

// listStopRequests answers the merchant's stop requests that are not closed
// in priority order, or with status=closed its closed ones, newest first.
func (a *API) listStopRequests(w http.ResponseWriter, r *http.Request) {
	closed := false
	switch r.URL.Query().Get("status") {
	case "", "waiting":
	case "closed":
		closed = true
	default:
		a.writeError(w, r, apperr.BadField("status", "must be waiting or closed"))
		return
	}
	list, err := a.StopRequests.List(r.Context(), currentMerchant(r).ID, closed, maxStopRequestList)
	if list == nil {
		list = []stoprequest.Request{}
	}
	a.reply(w, r, stopRequestList{StopRequests: list}, err)
}

func (a *API) getStopRequest(w http.ResponseWriter, r *http.Request) {
	sr, err := a.StopRequests.Get(r.Context(), currentMerchant(r).ID, r.PathValue("stop_request_id"))
	a.reply(w, r, sr, err)
}

func (a *API) answerStopRequest(w http.ResponseWriter, r *http.Request) {
	var in stoprequest.Input
	body, err := decode(w, r, &in, false)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	m := currentMerchant(r)
	a.mutate(w, r, body, func(tx *store.Tx) (result, error) {
		sr, err := a.StopRequests.Respond(tx, m.ID, r.PathValue("stop_request_id"), "api", in)
		if err != nil {
			return result{}, err
		}
		return jsonResult(sr)
	})
}

func (a *API) confirmStopRequestRemoval(w http.ResponseWriter, r *http.Request) {
	body, err := decode(w, r, &struct{}{}, true)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	m := currentMerchant(r)
	a.mutate(w, r, body, func(tx *store.Tx) (result, error) {
		sr, err := a.StopRequests.ConfirmRemoval(tx, m.ID, r.PathValue("stop_request_id"), "api")
		if err != nil {
			return result{}, err
		}
		return jsonResult(sr)
	})
}

// jsonResult is a 200 result with v as its JSON body.
func jsonResult(v any) (result, error) {
	b, err := json.Marshal(v)
	return result{Status: http.StatusOK, Body: b}, err
}
