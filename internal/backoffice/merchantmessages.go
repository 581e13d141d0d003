package backoffice

import (
	"context"
	"net/http"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/merchantmsg"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// The queues of merchants' messages about orders (package merchantmsg):
// the security analysts' queue of messages about orders in fraud handling,
// and customer service's merchant support queue, oldest first. A message's
// page shows its text, which may name the consumer: every opening is
// audited (merchantmsg.ActionViewed), as is marking it handled.
const (
	MerchantFraudQueueKey   = "merchant_messages_fraud"
	MerchantSupportQueueKey = "merchant_support"
)

// merchantMessageURL is a message's page.
func merchantMessageURL(id string) string { return Prefix + "merchant-messages/" + id }

// merchantQueueKey is the key of the back-office queue of q.
func merchantQueueKey(q merchantmsg.Queue) string {
	if q == merchantmsg.QueueFraud {
		return MerchantFraudQueueKey
	}
	return MerchantSupportQueueKey
}

// addMerchantMessages adds the two queues of merchants' messages and serves
// the message pages.
func (p *Pages) addMerchantMessages(mux *access.Router) {
	p.AddQueue(p.merchantQueue(MerchantFraudQueueKey, "staff.merchantmsg.queue.fraud", merchantmsg.QueueFraud))
	p.AddQueue(p.merchantQueue(MerchantSupportQueueKey, "staff.merchantmsg.queue.support", merchantmsg.QueueSupport))
	mux.Handle("GET /staff/merchant-messages/{id}", p.staff(p.merchantMessagePage))
	mux.Handle("POST /staff/merchant-messages/{id}/handle", p.staff(p.handleMerchantMessage))
}

// merchantQueue is the queue of open messages of q. Its items show the
// order reference, merchant and topic, never the text.
func (p *Pages) merchantQueue(key, title string, q merchantmsg.Queue) Queue {
	svc := p.cfg.MerchantMessages
	return Queue{
		Key: key, Title: title, Roles: q.Roles(),
		Count: func(ctx context.Context) (int, error) { return svc.CountOpen(ctx, q) },
		List: func(ctx context.Context, limit int) ([]QueueItem, error) {
			ms, err := svc.ListOpen(ctx, q, limit)
			if err != nil {
				return nil, err
			}
			out := make([]QueueItem, 0, len(ms))
			for _, m := range ms {
				out = append(out, QueueItem{ID: m.ID, Label: m.OrderReference, Context: m.MerchantName + " · " + string(m.Topic), Since: m.SentAt})
			}
			return out, nil
		},
		ItemURL: func(it QueueItem) string { return merchantMessageURL(it.ID) },
	}
}

// merchantMessagePage is the data of a message's page.
type merchantMessagePage struct {
	frame
	Message  merchantmsg.Message
	QueueURL string
	OrderURL string
	Form     *web.Form
	MaxText  int
}

// Open reports whether the message waits (and the form shows).
func (m merchantMessagePage) Open() bool { return m.Message.Status == merchantmsg.StatusOpen }

// merchantMessagePage shows a message with its text, and the form that
// marks it handled while it is open; the view is audited.
func (p *Pages) merchantMessagePage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.showMerchantMessage(w, r, v, http.StatusOK, web.NewForm(nil))
}

// showMerchantMessage renders a message's page for v, whose role must work
// its queue.
func (p *Pages) showMerchantMessage(w http.ResponseWriter, r *http.Request, v *viewer, status int, form *web.Form) {
	var m merchantmsg.Message
	err := p.cfg.DB.Write(r.Context(), func(tx *store.Tx) (err error) {
		m, err = p.cfg.MerchantMessages.ForStaff(tx, v.Staff, r.PathValue("id"))
		return err
	})
	if p.merchantMessageFailed(w, r, err) {
		return
	}
	page := merchantMessagePage{frame: newFrame(v, "home"), Message: m, QueueURL: queueURL(merchantQueueKey(m.Queue)),
		Form: form, MaxText: merchantmsg.MaxText}
	if v.may(orderPagePattern) {
		page.OrderURL = orderURL(m.OrderID)
	}
	p.rd.Render(w, r, status, "staff/merchant_message", page)
}

// merchantMessageFailed answers a failed lookup or action and reports
// whether there was a failure: 404 for an unknown message, 403 for a queue
// the member's role does not work, 400 for other bad input.
func (p *Pages) merchantMessageFailed(w http.ResponseWriter, r *http.Request, err error) bool {
	switch apperr.Code(err) {
	case apperr.Internal:
		if err == nil {
			return false
		}
		p.fail(w, r, "merchant message", err)
	case apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
	case apperr.Forbidden:
		p.rd.Error(w, r, http.StatusForbidden)
	default:
		p.rd.Error(w, r, http.StatusBadRequest)
	}
	return true
}

// handleMerchantMessage marks a message handled with the reply to the
// merchant. merchantmsg.Handle audits it and e-mails the merchant's users.
func (p *Pages) handleMerchantMessage(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	form.Required("reply")
	if n := len([]rune(form.Get("reply"))); n > merchantmsg.MaxText {
		form.AddError("reply", "form.too_long", "max", merchantmsg.MaxText)
	}
	if !form.Valid() {
		p.showMerchantMessage(w, r, v, http.StatusUnprocessableEntity, form)
		return
	}
	id := r.PathValue("id")
	var m merchantmsg.Message
	err := p.cfg.DB.Write(r.Context(), func(tx *store.Tx) (err error) {
		m, err = p.cfg.MerchantMessages.Handle(tx, v.Staff, id, form.Get("reply"))
		return err
	})
	if apperr.Code(err) == merchantmsg.CodeAlreadyHandled {
		web.Flash(w, r, web.FlashWarning, "staff.merchantmsg.already_handled")
		web.Redirect(w, r, merchantMessageURL(id))
		return
	}
	if p.merchantMessageFailed(w, r, err) {
		return
	}
	web.Flash(w, r, web.FlashSuccess, "staff.merchantmsg.handled_done")
	web.Redirect(w, r, queueURL(merchantQueueKey(m.Queue)))
}
