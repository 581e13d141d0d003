package portal

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/web"
)

// orderURL is an order's page.
func orderURL(id string) string { return Prefix + "orders/" + id }

// PageSize is how many orders the order list shows at a time.
const PageSize = 50

// filterFields are the query parameters of the order list's filters, which
// its page links keep.
var filterFields = []string{"q", "status", "fraud", "method", "min_amount", "max_amount", "from", "to"}

// ordersData is the order list.
type ordersData struct {
	page
	Form                             *web.Form
	Statuses, FraudStatuses, Methods selectField
	Orders                           []orderRow
	Filtered                         bool
	NewerURL, OlderURL               string
}

// orderRow is one order of the list.
type orderRow struct {
	checkout.OrderSummary
	labelled
	URL string
}

func (p *Pages) orders(w http.ResponseWriter, r *http.Request, u *user) {
	q := r.URL.Query()
	form := web.NewForm(q)
	filter := checkout.OrderFilter{Search: form.Get("q"), Limit: PageSize + 1}
	choose := func(name string, allowed []string, into *string) {
		if v := form.Get(name); v != "" {
			if slices.Contains(allowed, v) {
				*into = v
			} else {
				form.AddError(name, "form.invalid_choice")
			}
		}
	}
	form.MaxLength("q", 255)
	choose("status", orderStatuses, &filter.Status)
	choose("fraud", fraudStatuses, &filter.FraudStatus)
	choose("method", paymentMethods, &filter.PaymentMethod)
	lang := web.Lang(r)
	for _, a := range []struct {
		name string
		into *int64
	}{{"min_amount", &filter.MinAmount}, {"max_amount", &filter.MaxAmount}} {
		if v := form.Get(a.name); v != "" {
			n, msg := parseAmount(lang, v, u.Currency)
			if msg != nil {
				form.AddError(a.name, msg.Key, msg.Args...)
			}
			*a.into = n
		}
	}
	if filter.MinAmount > 0 && filter.MaxAmount > 0 && filter.MaxAmount < filter.MinAmount {
		form.AddError("max_amount", "merchant.filter.max_below_min")
	}
	from, to := period(form)
	filter.From = from
	if !to.IsZero() {
		filter.To = to.AddDate(0, 0, 1)
	}
	status := http.StatusOK
	if !form.Valid() {
		// Show the form with its errors above an unfiltered list.
		status = http.StatusUnprocessableEntity
		filter = checkout.OrderFilter{Limit: PageSize + 1}
	}
	if c, err := checkout.ParseOrderCursor(q.Get("after")); err == nil {
		filter.After = &c
	} else if c, err := checkout.ParseOrderCursor(q.Get("before")); err == nil {
		filter.Before = &c
	}
	list, err := p.cfg.Checkout.ListOrders(r.Context(), u.MerchantID, filter)
	if err != nil {
		p.fail(w, r, "list orders", err)
		return
	}
	more := len(list) > PageSize
	if more && filter.Before != nil {
		list = list[1:] // the extra one is the newest
	} else if more {
		list = list[:PageSize]
	}
	data := ordersData{
		page: page{User: u, Section: "orders"}, Form: form,
		Statuses:      newSelect(form, "status", "merchant.filter.status", options(orderStatuses, statusKey, filter.Status)),
		FraudStatuses: newSelect(form, "fraud", "merchant.filter.fraud", options(fraudStatuses, fraudKey, filter.FraudStatus)),
		Methods:       newSelect(form, "method", "merchant.filter.method", options(paymentMethods, methodKey, filter.PaymentMethod)),
		Filtered: filter.Status != "" || filter.FraudStatus != "" || filter.PaymentMethod != "" || filter.Search != "" ||
			filter.MinAmount > 0 || filter.MaxAmount > 0 || !filter.From.IsZero() || !filter.To.IsZero(),
	}
	for _, o := range list {
		data.Orders = append(data.Orders, orderRow{OrderSummary: o, labelled: labelled{o.Status, o.FraudStatus, o.PaymentMethod}, URL: Prefix + "orders/" + o.OrderID})
	}
	// Page links keep the filters and replace the cursor.
	link := func(name string, c checkout.OrderCursor) string {
		v := url.Values{}
		for _, k := range filterFields {
			if s := q.Get(k); s != "" && form.Valid() {
				v.Set(k, s)
			}
		}
		v.Set(name, c.String())
		return Prefix + "orders?" + v.Encode()
	}
	if len(list) > 0 {
		if (filter.Before != nil && more) || filter.After != nil {
			data.NewerURL = link("before", list[0].Cursor())
		}
		if (filter.Before == nil && more) || filter.Before != nil {
			data.OlderURL = link("after", list[len(list)-1].Cursor())
		}
	}
	p.rd.Render(w, r, status, "merchant/orders", data)
}
