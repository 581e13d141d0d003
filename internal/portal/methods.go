package portal

import (
	"net/http"
	"slices"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/web"
)

// methodsURL is the payment methods settings page.
const methodsURL = Prefix + "payment-methods"

// methodsData is the payment methods settings page.
type methodsData struct {
	page
	Form    *web.Form
	Methods []methodRow
}

// methodRow is one payment method category and whether the checkout offers
// it.
type methodRow struct {
	Category string
	Key      string
	// HintKey explains the method's terms to the merchant.
	HintKey string
	On      bool
	// ID is the checkbox's id: the first one carries the field's id, which
	// the error summary links to.
	ID string
}

// methodRows lists every category, on when on contains it.
func methodRows(on []string) []methodRow {
	var out []methodRow
	for i, c := range checkout.AllMethods() {
		id := web.FieldID("methods") + "-" + c
		if i == 0 {
			id = web.FieldID("methods")
		}
		out = append(out, methodRow{Category: c, Key: methodKey(c), HintKey: methodKey(c) + "_hint", On: slices.Contains(on, c), ID: id})
	}
	return out
}

func (p *Pages) methodsPage(w http.ResponseWriter, r *http.Request, u *user) {
	on, err := p.cfg.Checkout.EnabledMethods(r.Context(), u.MerchantID)
	if err != nil {
		p.fail(w, r, "read payment methods", err)
		return
	}
	p.rd.Render(w, r, http.StatusOK, "merchant/methods", methodsData{
		page: page{User: u, Section: "methods"}, Form: web.NewForm(nil), Methods: methodRows(on),
	})
}

// setMethods switches payment method categories on and off; sessions
// created after it offer only the ones on. At least one must stay on.
func (p *Pages) setMethods(w http.ResponseWriter, r *http.Request, u *user) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	chosen := form.Values["methods"]
	for _, c := range chosen {
		if !slices.Contains(checkout.AllMethods(), c) {
			p.rd.Error(w, r, http.StatusBadRequest)
			return
		}
	}
	if len(chosen) == 0 {
		form.AddError("methods", "merchant.methods.none")
		p.rd.Render(w, r, http.StatusUnprocessableEntity, "merchant/methods", methodsData{
			page: page{User: u, Section: "methods"}, Form: form, Methods: methodRows(nil),
		})
		return
	}
	if err := p.cfg.Checkout.ChangeEnabledMethods(r.Context(), u.actor(), u.MerchantID, chosen); err != nil {
		p.fail(w, r, "change payment methods", err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "merchant.methods.saved")
	web.Redirect(w, r, methodsURL)
}
