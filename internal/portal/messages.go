package portal

import (
	"context"
	"net/http"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/merchantmsg"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// messagesView is the order page's merchant support part: the order's
// messages with their replies, and the form that sends a new one.
type messagesView struct {
	List    []merchantmsg.Message
	Form    *web.Form
	Topics  []merchantmsg.Topic
	MaxText int
}

// loadMessages reads the order's messages for its page, with form as the
// message form (a fresh one when nil).
func (p *Pages) loadMessages(ctx context.Context, orderID string, form *web.Form) (*messagesView, error) {
	if form == nil {
		form = web.NewForm(nil)
	}
	v := &messagesView{Form: form, Topics: merchantmsg.Topics, MaxText: merchantmsg.MaxText}
	err := p.cfg.DB.Read(ctx, func(tx *store.Tx) (err error) {
		v.List, err = p.cfg.Messages.ForOrder(tx, orderID)
		return err
	})
	return v, err
}

// sendMessage sends the merchant user's message about the order to
// merchant support. Any user who may see the order may send one; another
// merchant's order answers 404 and nothing is written.
func (p *Pages) sendMessage(w http.ResponseWriter, r *http.Request, u *user) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	o, sum, ok := p.loadOrder(w, r, u)
	if !ok {
		return
	}
	form := web.NewForm(r.PostForm)
	topic := merchantmsg.Topic(form.Get("topic"))
	if !topic.Valid() {
		form.AddError("topic", "merchant.message.choose_topic")
	}
	form.Required("text")
	if utf8.RuneCountInString(form.Get("text")) > merchantmsg.MaxText {
		form.AddError("text", "form.too_long", "max", merchantmsg.MaxText)
	}
	if form.Valid() {
		err := p.cfg.DB.Write(r.Context(), func(tx *store.Tx) error {
			_, err := p.cfg.Messages.Send(tx, merchantmsg.Sender{UserID: u.ID, MerchantID: u.MerchantID, Locale: string(web.Lang(r))},
				o.OrderID, topic, form.Get("text"))
			return err
		})
		switch {
		case err == nil:
		case apperr.Code(err) == apperr.NoSuchOrder:
			p.rd.Error(w, r, http.StatusNotFound)
			return
		case apperr.Code(err) == apperr.BadValue:
			form.AddError("text", "merchant.message.not_text")
		default:
			p.fail(w, r, "send message", err)
			return
		}
	}
	if !form.Valid() {
		p.showOrder(w, r, u, o, sum, http.StatusUnprocessableEntity, captureForm(web.Lang(r), o), web.NewForm(nil), form)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "merchant.message.sent")
	web.Redirect(w, r, orderURL(o.OrderID))
}
