package portal

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/settlement"
	"github.com/tillit/tillit/internal/web"
)

// settlementURL is a settlement's page.
func settlementURL(id string) string { return Prefix + "settlements/" + id }

// settlementKindKey is the catalog key of a settlement line's kind.
func settlementKindKey(kind string) string { return "merchant.settlement.kind." + kind }

// settlementRow is a settlement as the list shows it.
type settlementRow struct {
	settlement.Settlement
	URL string
	// Period is the settled period as the reader writes it.
	Period string
}

// FeesTotal is the settlement's fees with the VAT on them.
func (r settlementRow) FeesTotal() int64 { return r.Fees + r.FeeVAT }

// periodText writes a settlement's period [start, end) as days: one date,
// or the first and last day.
func periodText(lang i18n.Lang, s settlement.Settlement) string {
	first, last := s.PeriodStart.UTC(), s.PeriodEnd.UTC().Add(-time.Microsecond)
	if utcDay(first).Equal(utcDay(last)) {
		return i18n.FormatDate(lang, first)
	}
	return i18n.T(lang, "merchant.settlement.period", "from", i18n.FormatDate(lang, first), "to", i18n.FormatDate(lang, last))
}

// basisPoints writes a rate in basis points as the reader writes a
// percentage ("2.49%" in English, "25 %" in Danish).
func basisPoints(lang i18n.Lang, bp int64) string {
	s := strconv.FormatInt(bp/100, 10)
	if frac := bp % 100; frac != 0 {
		dec := "."
		if lang != i18n.English {
			dec = ","
		}
		s += dec + strings.TrimRight(fmt.Sprintf("%02d", frac), "0")
	}
	return i18n.T(lang, "merchant.percent", "value", s)
}

// settlementsData is the list of settlements.
type settlementsData struct {
	page
	Rows []settlementRow
}

func (p *Pages) settlements(w http.ResponseWriter, r *http.Request, u *user) {
	list, err := settlement.List(r.Context(), p.cfg.DB, u.MerchantID)
	if err != nil {
		p.fail(w, r, "list settlements", err)
		return
	}
	lang := web.Lang(r)
	data := settlementsData{page: page{User: u, Section: "settlements"}}
	for _, s := range list {
		data.Rows = append(data.Rows, settlementRow{Settlement: s, URL: settlementURL(s.ID), Period: periodText(lang, s)})
	}
	p.rd.Render(w, r, http.StatusOK, "merchant/settlements", data)
}

// settlementData is a settlement's page.
type settlementData struct {
	page
	Settlement settlement.Settlement
	Period     string
	Lines      []lineRow
	// CSVURL downloads the lines as CSV.
	CSVURL string
	// FeePercent is the fee rate as the reader writes a percentage, and
	// VATPercent the VAT rate on fees.
	FeePercent, VATPercent string
}

// lineRow is one line of a settlement.
type lineRow struct {
	settlement.Line
	KindKey string
	// OrderURL and OrderReference name the line's order, if it has one.
	OrderURL, OrderReference string
}

// loadSettlement returns the user's merchant's settlement of the request's
// path, or answers 404 (also for another merchant's settlement) or 500 and
// returns false.
func (p *Pages) loadSettlement(w http.ResponseWriter, r *http.Request, u *user) (settlement.Settlement, []settlement.Line, bool) {
	s, lines, err := settlement.Get(r.Context(), p.cfg.DB, r.PathValue("id"))
	if apperr.Code(err) == apperr.NotFound || (err == nil && s.MerchantID != u.MerchantID) {
		p.rd.Error(w, r, http.StatusNotFound)
		return settlement.Settlement{}, nil, false
	}
	if err != nil {
		p.fail(w, r, "read settlement", err)
		return settlement.Settlement{}, nil, false
	}
	return s, lines, true
}

func (p *Pages) settlement(w http.ResponseWriter, r *http.Request, u *user) {
	s, lines, ok := p.loadSettlement(w, r, u)
	if !ok {
		return
	}
	var orderIDs []string
	for _, l := range lines {
		if l.OrderID != "" {
			orderIDs = append(orderIDs, l.OrderID)
		}
	}
	refs, err := p.cfg.Checkout.OrderReferences(r.Context(), u.MerchantID, orderIDs)
	if err != nil {
		p.fail(w, r, "read order references", err)
		return
	}
	lang := web.Lang(r)
	data := settlementData{
		page: page{User: u, Section: "settlements"}, Settlement: s, Period: periodText(lang, s), CSVURL: settlementURL(s.ID) + "/csv",
		FeePercent: basisPoints(lang, s.Terms.PercentBP), VATPercent: basisPoints(lang, s.Terms.VATRateBP),
	}
	for _, l := range lines {
		row := lineRow{Line: l, KindKey: settlementKindKey(l.Kind)}
		if ref, ok := refs[l.OrderID]; ok {
			row.OrderURL, row.OrderReference = orderURL(l.OrderID), ref
		}
		data.Lines = append(data.Lines, row)
	}
	p.rd.Render(w, r, http.StatusOK, "merchant/settlement", data)
}

// settlementCSV downloads a settlement's lines as CSV (settlement.CSV: its
// amount column adds up to the payout).
func (p *Pages) settlementCSV(w http.ResponseWriter, r *http.Request, u *user) {
	s, lines, ok := p.loadSettlement(w, r, u)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := settlement.CSV(&buf, s, lines); err != nil {
		p.fail(w, r, "write settlement CSV", err)
		return
	}
	name := "settlement-" + s.PeriodStart.UTC().Format(dateLayout) + "-" + s.Currency + ".csv"
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(buf.Bytes()); err != nil {
		p.cfg.Logger.Debug("portal: write settlement CSV", "err", err)
	}
}
