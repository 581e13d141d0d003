package portal

import (
	"context"
	"net/http"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/returns"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// The merchant side of returns (B4): the order page lists the order's
// returns (the lines sent back, carrier, tracking number, status and the end
// of the payment pause), and owners and admins mark a registered return
// received. The form sends back the version the page showed, so a change
// made meanwhile (the consumer withdrew it, a refund closed it, a colleague
// marked it) is refused and the page shows the return as it stands; the
// returns service audits the mark in its transaction.

// returnView is a return as the order page shows it.
type returnView struct {
	returns.Return
	// CanMark is set when the user may mark the return received now.
	CanMark bool
}

// StatusKey is the catalog key of the return's status.
func (v returnView) StatusKey() string { return "portalreturn.status." + string(v.Status) }

// StatusBadge is the badge colour of the return's status.
func (v returnView) StatusBadge() string {
	switch v.Status {
	case returns.Registered:
		return "warning"
	case returns.Received:
		return "info"
	case returns.Refunded:
		return "success"
	case returns.Unrefunded:
		return "error"
	}
	return "neutral"
}

// returnReceivedPath is the pattern of the mark-received form's target.
const returnReceivedPath = Prefix + "orders/{id}/returns/{return_id}/received"

// orderReturns returns the merchant's returns of an order for its page, or
// nil when the portal has no returns service.
func (p *Pages) orderReturns(ctx context.Context, u *user, orderID string) ([]returnView, error) {
	if p.cfg.Returns == nil {
		return nil, nil
	}
	list, err := p.cfg.Returns.ForMerchant(ctx, u.MerchantID, orderID)
	if err != nil {
		return nil, err
	}
	out := make([]returnView, len(list))
	for i, r := range list {
		out[i] = returnView{Return: r, CanMark: u.CanManage() && r.Status == returns.Registered}
	}
	return out, nil
}

// markReturnReceived marks one of the order's returns received with the
// version the page showed. Another merchant's order, or a return that is
// not the order's, answers 404; a version that no longer holds, or a return
// already received or closed, shows the order as it stands now with the
// reason (409). Nothing is written unless the mark is taken.
func (p *Pages) markReturnReceived(w http.ResponseWriter, r *http.Request, u *user) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	o, sum, ok := p.loadOrder(w, r, u)
	if !ok {
		return
	}
	err := p.cfg.DB.Write(r.Context(), func(tx *store.Tx) error {
		_, err := p.cfg.Returns.MarkReceived(tx, u.MerchantID, o.OrderID, u.actor(), r.PathValue("return_id"), formVersion(web.NewForm(r.PostForm)))
		return err
	})
	if err == nil {
		web.Flash(w, r, web.FlashSuccess, "portalreturn.received")
		web.Redirect(w, r, orderURL(o.OrderID))
		return
	}
	var key string
	switch apperr.Code(err) {
	case returns.CodeChanged:
		key = "portalreturn.changed"
	case returns.CodeNotLive:
		key = "portalreturn.not_live"
	case apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
		return
	default:
		p.fail(w, r, "mark return received", err)
		return
	}
	p.renderOrder(w, r, u, o, sum, http.StatusConflict, captureForm(web.Lang(r), o), web.NewForm(nil), nil, &web.Message{Key: key})
}
