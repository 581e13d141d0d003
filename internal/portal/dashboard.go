package portal

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/web"
)

// Dashboard periods.
const (
	// DefaultPeriodDays is the dashboard's period when none is chosen: the
	// last 30 days, today included.
	DefaultPeriodDays = 30
	// MaxPeriodDays is the longest period the dashboard sums.
	MaxPeriodDays = 366
)

// dateLayout is how dates travel in URLs and date inputs.
const dateLayout = "2006-01-02"

// dashboardData is the dashboard page.
type dashboardData struct {
	page
	Form *web.Form
	// From and To are the first and last day of the period, both included.
	From, To time.Time
	Stats    checkout.Stats
	// Rate is the approval rate as the reader writes a percentage.
	Rate string
	// OrdersURL lists the period's orders.
	OrdersURL string
}

// period reads the from and to dates (UTC days, both included) of a filter
// form, adding errors for dates that do not parse or are in the wrong order.
// Empty dates stay zero.
func period(form *web.Form) (from, to time.Time) {
	parse := func(name string) time.Time {
		v := form.Get(name)
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse(dateLayout, v)
		if err != nil || t.Year() < 2000 || t.Year() > 9999 {
			form.AddError(name, "form.invalid_date")
			return time.Time{}
		}
		return t
	}
	from, to = parse("from"), parse("to")
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		form.AddError("to", "merchant.filter.to_before_from")
	}
	return from, to
}

func (p *Pages) dashboard(w http.ResponseWriter, r *http.Request, u *user) {
	form := web.NewForm(r.URL.Query())
	today := utcDay(p.cfg.DB.Clock.Now())
	from, to := period(form)
	if to.IsZero() {
		to = today
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, 1-DefaultPeriodDays)
	}
	if form.Valid() && to.Sub(from) >= MaxPeriodDays*24*time.Hour {
		form.AddError("from", "merchant.dashboard.period_too_long", "days", MaxPeriodDays)
	}
	status := http.StatusOK
	if !form.Valid() {
		status = http.StatusUnprocessableEntity
		from, to = today.AddDate(0, 0, 1-DefaultPeriodDays), today
	}
	form.Values.Set("from", from.Format(dateLayout))
	form.Values.Set("to", to.Format(dateLayout))
	st, err := p.cfg.Checkout.MerchantStats(r.Context(), u.MerchantID, from, to.AddDate(0, 0, 1))
	if err != nil {
		p.fail(w, r, "statistics", err)
		return
	}
	lang := web.Lang(r)
	p.rd.Render(w, r, status, "merchant/dashboard", dashboardData{
		page: page{User: u, Section: "dashboard"}, Form: form, From: from, To: to, Stats: st,
		Rate:      percent(lang, st.ApprovalRate()),
		OrdersURL: Prefix + "orders?" + url.Values{"from": {from.Format(dateLayout)}, "to": {to.Format(dateLayout)}}.Encode(),
	})
}

// percent writes a ratio as a percentage with one decimal, the way lang
// writes it ("92.5%" in English, "92,5 %" in Danish).
func percent(lang i18n.Lang, ratio float64) string {
	tenths := int64(math.Round(ratio * 1000))
	s := strconv.FormatInt(tenths/10, 10) + "." + strconv.FormatInt(tenths%10, 10)
	if lang != i18n.English {
		s = strings.Replace(s, ".", ",", 1)
	}
	return i18n.T(lang, "merchant.percent", "value", s)
}
