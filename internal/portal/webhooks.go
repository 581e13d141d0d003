package portal

import (
	"net/http"

	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/notify"
	"github.com/tillit/tillit/internal/web"
)

// WebhookLogSize is how many of the latest webhook events the log shows.
const WebhookLogSize = 100

// webhookStatusKey is the catalog key of a delivery's status: a pending
// event not yet tried is queued, one tried already is being retried.
func webhookStatusKey(d notify.Delivery) string {
	if d.Status == notify.StatusPending && len(d.Attempts) == 0 {
		return "merchant.webhook.status.queued"
	}
	return "merchant.webhook.status." + d.Status
}

// webhookBadge is the badge colour of a delivery status.
func webhookBadge(status string) string {
	switch status {
	case notify.StatusDelivered:
		return "success"
	case notify.StatusPending:
		return "warning"
	case notify.StatusFailed:
		return "error"
	}
	return "neutral"
}

// webhooksData is the webhook delivery log.
type webhooksData struct {
	page
	Form *web.Form
	// Order is the order id the log is narrowed to, if any.
	Order string
	Rows  []webhookRow
	// Full is set when the log shows WebhookLogSize events and older ones
	// are left out.
	Full bool
}

// webhookRow is one event of the log.
type webhookRow struct {
	notify.Delivery
	StatusKey, Badge string
	OrderURL         string
	// Last is the latest attempt, if any.
	Last *notify.Attempt
}

func (p *Pages) webhooks(w http.ResponseWriter, r *http.Request, u *user) {
	form := web.NewForm(r.URL.Query())
	order := form.Get("order")
	status := http.StatusOK
	if order != "" && !ids.Valid(order) {
		form.AddError("order", "merchant.webhooks.invalid_order")
		status, order = http.StatusUnprocessableEntity, ""
	}
	list, err := notify.Deliveries(r.Context(), p.cfg.DB, u.MerchantID, order, WebhookLogSize)
	if err != nil {
		p.fail(w, r, "read webhook log", err)
		return
	}
	data := webhooksData{page: page{User: u, Section: "webhooks"}, Form: form, Order: order, Full: len(list) == WebhookLogSize}
	for _, d := range list {
		row := webhookRow{Delivery: d, StatusKey: webhookStatusKey(d), Badge: webhookBadge(d.Status)}
		if d.Event.OrderID != "" {
			row.OrderURL = orderURL(d.Event.OrderID)
		}
		if n := len(d.Attempts); n > 0 {
			row.Last = &d.Attempts[n-1]
		}
		data.Rows = append(data.Rows, row)
	}
	p.rd.Render(w, r, status, "merchant/webhooks", data)
}
