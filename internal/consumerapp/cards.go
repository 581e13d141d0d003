package consumerapp

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/card"
	moneypkg "github.com/tillit/tillit/internal/money"
	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/web"
)

// Cards (requirements T9, T10; package card): the consumer creates one-time
// and virtual cards, sees them listed without their numbers, has one card's
// details shown once after re-authentication, and freezes and unfreezes a
// card or their whole account. Another consumer's card answers "not
// found".
const (
	cardsPath    = Prefix + "cards"
	freezePath   = Prefix + "freeze"
	unfreezePath = Prefix + "unfreeze"
)

// cardCurrencies are the currencies a card can be issued in.
var cardCurrencies = []string{"DKK", "SEK", "NOK", "EUR", "GBP"}

// cardMethods are the payment methods a card's purchases can be paid with.
var cardMethods = []string{repayment.CategoryPayLater, repayment.CategoryPayIn3, repayment.CategoryFinancing, repayment.CategoryPayNow}

// amountPattern is an amount as typed: whole units, optionally with one or
// two decimals after a point or a comma.
var amountPattern = regexp.MustCompile(`^[0-9]{1,9}([.,][0-9]{1,2})?$`)

// addCards serves the card and freeze pages.
func (p *Pages) addCards(mux *access.Router) {
	mux.HandleFunc("GET "+cardsPath, p.signedIn(p.cards))
	mux.HandleFunc("POST "+cardsPath, p.signedIn(p.createCard))
	mux.HandleFunc("POST "+cardsPath+"/{card}/freeze", p.signedIn(p.freezeCard))
	mux.HandleFunc("GET "+cardsPath+"/{card}/reveal", p.signedIn(p.revealForm))
	mux.HandleFunc("POST "+cardsPath+"/{card}/reveal/code", p.signedIn(p.cardStepCode("reveal")))
	mux.HandleFunc("POST "+cardsPath+"/{card}/reveal", p.signedIn(p.reveal))
	mux.HandleFunc("GET "+cardsPath+"/{card}/unfreeze", p.signedIn(p.unfreezeCardForm))
	mux.HandleFunc("POST "+cardsPath+"/{card}/unfreeze/code", p.signedIn(p.cardStepCode("unfreeze")))
	mux.HandleFunc("POST "+cardsPath+"/{card}/unfreeze", p.signedIn(p.unfreezeCard))
	mux.HandleFunc("POST "+freezePath, p.signedIn(p.freezeAccount))
	mux.HandleFunc("GET "+unfreezePath, p.signedIn(p.unfreezeAccountForm))
	mux.HandleFunc("POST "+unfreezePath+"/code", p.signedIn(func(w http.ResponseWriter, r *http.Request, cv consumerView) {
		p.sendReauthCode(w, r, cv, unfreezePath)
	}))
	mux.HandleFunc("POST "+unfreezePath, p.signedIn(p.unfreezeAccount))
}

// cardURL is the path of one of the consumer's cards' steps.
func cardURL(id, step string) string { return cardsPath + "/" + id + "/" + step }

// cardRow is a card as the list shows it: never its number.
type cardRow struct {
	card.Card
	Status    badge
	KindKey   string
	MethodKey string
}

func newCardRow(c card.Card) cardRow {
	row := cardRow{Card: c, KindKey: "consumersecurity.card.kind." + c.Kind, MethodKey: methodKey(c.PaymentMethod)}
	switch {
	case c.Frozen:
		row.Status = badge{"consumersecurity.card.status.frozen", "warning"}
	case c.Status == card.StatusActive:
		row.Status = badge{"consumersecurity.card.status.active", "success"}
	default:
		row.Status = badge{"consumersecurity.card.status." + c.Status, ""}
	}
	return row
}

// accountFreeze is what the freeze box of the home, cards and security
// pages shows.
type accountFreeze struct {
	// Enabled is whether the app offers freezing (Config.Cards is set).
	Enabled bool
	Frozen  bool
}

// accountFreeze tells whether the consumer's account is frozen.
func (p *Pages) accountFreeze(r *http.Request, cv consumerView) (accountFreeze, error) {
	if p.cfg.Cards == nil {
		return accountFreeze{}, nil
	}
	frozen, err := p.cfg.Cards.AccountFrozen(r.Context(), cv.Consumer.PersonID)
	return accountFreeze{Enabled: true, Frozen: frozen}, err
}

// choice is an option of a select or a radio group.
type choice struct {
	Value    string
	Key      string
	Selected bool
}

// cardsPage is the data of the cards page.
type cardsPage struct {
	shell
	Freeze     accountFreeze
	Cards      []cardRow
	Form       *web.Form
	Kinds      []choice
	Currencies []choice
	Methods    []choice
	Months     []choice
	MaxName    int
}

// cards lists the consumer's cards with the form to create one.
func (p *Pages) cards(w http.ResponseWriter, r *http.Request, cv consumerView) {
	form := web.NewForm(nil)
	form.Values.Set("kind", card.KindOneTime)
	form.Values.Set("payment_method", repayment.CategoryPayLater)
	form.Values.Set("currency", defaultCurrency(cv))
	p.showCards(w, r, cv, http.StatusOK, form)
}

// defaultCurrency is the card currency the consumer's purchase country
// uses, or the first one when it uses none of them.
func defaultCurrency(cv consumerView) string {
	_, country, _ := strings.Cut(cv.Consumer.Locale, "-")
	for _, c := range cardCurrencies {
		if moneypkg.CountryUses(country, c) {
			return c
		}
	}
	return cardCurrencies[0]
}

// showCards renders the cards page with form (empty, or as submitted with
// its errors).
func (p *Pages) showCards(w http.ResponseWriter, r *http.Request, cv consumerView, status int, form *web.Form) {
	list, err := p.cfg.Cards.List(r.Context(), cv.Consumer.PersonID)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	fr, err := p.accountFreeze(r, cv)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	page := cardsPage{shell: shell{Email: cv.Consumer.Email, Nav: "cards"}, Freeze: fr, Form: form, MaxName: card.MaxMerchantName}
	for _, c := range list {
		page.Cards = append(page.Cards, newCardRow(c))
	}
	for _, k := range []string{card.KindOneTime, card.KindVirtual} {
		page.Kinds = append(page.Kinds, choice{k, "consumersecurity.card.kind." + k, form.Get("kind") == k})
	}
	for _, c := range cardCurrencies {
		page.Currencies = append(page.Currencies, choice{c, "", form.Get("currency") == c})
	}
	for _, m := range cardMethods {
		page.Methods = append(page.Methods, choice{m, methodKey(m), form.Get("payment_method") == m})
	}
	for _, m := range plan.FinancingMonths {
		v := strconv.Itoa(m)
		page.Months = append(page.Months, choice{v, "", form.Get("financing_months") == v})
	}
	p.rd.Render(w, r, status, "consumer/cards", page)
}

// parseCardAmount reads a typed amount in minor units of a two-decimal
// currency; ok is false when it is not a number of that form.
func parseCardAmount(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if !amountPattern.MatchString(s) {
		return 0, false
	}
	whole, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	frac += strings.Repeat("0", 2-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil
}

// createCard issues the card the form asks for. Every mistake shows the
// form again with its problem (422) and creates nothing.
func (p *Pages) createCard(w http.ResponseWriter, r *http.Request, cv consumerView) {
	if !p.parseForm(w, r) {
		return
	}
	form := web.NewForm(r.PostForm)
	form.Required("kind", "amount", "currency", "payment_method")
	form.MaxLength("merchant_name", card.MaxMerchantName)
	kind, currency, method := form.Get("kind"), form.Get("currency"), form.Get("payment_method")
	if kind != "" && kind != card.KindOneTime && kind != card.KindVirtual {
		form.AddError("kind", "form.invalid_choice")
	}
	if currency != "" && !slices.Contains(cardCurrencies, currency) {
		form.AddError("currency", "form.invalid_choice")
	}
	if method != "" && !slices.Contains(cardMethods, method) {
		form.AddError("payment_method", "form.invalid_choice")
	}
	amount, ok := parseCardAmount(form.Get("amount"))
	maxAmount := p.cfg.Cards.Config.MaxAmount
	switch {
	case form.Get("amount") == "":
	case !ok || amount <= 0 || amount > maxAmount:
		form.AddError("amount", "consumersecurity.cards.bad_amount", "max", strconv.FormatInt(maxAmount/100, 10))
	}
	months := 0
	if m := form.Get("financing_months"); m != "" {
		n, err := strconv.Atoi(m)
		switch {
		case err != nil || !slices.Contains(plan.FinancingMonths, n):
			form.AddError("financing_months", "form.invalid_choice")
		case method != repayment.CategoryFinancing:
			form.AddError("financing_months", "consumersecurity.cards.months_only_financing")
		default:
			months = n
		}
	}
	if !form.Valid() {
		p.showCards(w, r, cv, http.StatusUnprocessableEntity, form)
		return
	}
	c, err := p.cfg.Cards.Create(r.Context(), cv.Consumer.PersonID, card.NewCard{
		Kind: kind, Amount: amount, Currency: currency, Locale: cv.Consumer.Locale, MerchantName: form.Get("merchant_name"),
		PaymentMethod: method, FinancingMonths: months,
	})
	if apperr.Code(err) == apperr.BadValue {
		form.AddError("amount", "consumersecurity.cards.refused")
		p.showCards(w, r, cv, http.StatusUnprocessableEntity, form)
		return
	}
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "consumersecurity.cards.created", "last4", c.Last4)
	web.Redirect(w, r, cardsPath)
}

// ownCard loads one of the consumer's cards; another person's or an
// unknown card answers 404 and reports false.
func (p *Pages) ownCard(w http.ResponseWriter, r *http.Request, cv consumerView) (card.Card, bool) {
	c, err := p.cfg.Cards.Get(r.Context(), cv.Consumer.PersonID, r.PathValue("card"))
	switch {
	case apperr.Code(err) == apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
		return card.Card{}, false
	case err != nil:
		p.serverError(w, r, err)
		return card.Card{}, false
	}
	return c, true
}

// freezeCard freezes one of the consumer's cards at once.
func (p *Pages) freezeCard(w http.ResponseWriter, r *http.Request, cv consumerView) {
	c, ok := p.ownCard(w, r, cv)
	if !ok {
		return
	}
	if err := p.cfg.Cards.Freeze(r.Context(), cv.Consumer.PersonID, "consumer:"+cv.Consumer.ID, c.ID); err != nil {
		p.serverError(w, r, err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "consumersecurity.cards.frozen", "last4", c.Last4)
	web.Redirect(w, r, cardsPath)
}

// freezeAccount freezes the consumer's account at once, with one click:
// no new card or checkout purchases until they unfreeze it. The form's
// "from" field names the page to go back to.
func (p *Pages) freezeAccount(w http.ResponseWriter, r *http.Request, cv consumerView) {
	if !p.parseForm(w, r) {
		return
	}
	back := Prefix
	switch r.PostForm.Get("from") {
	case "", "home":
	case "cards":
		back = cardsPath
	case "security":
		back = securityPath
	default:
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	if err := p.cfg.Cards.Freeze(r.Context(), cv.Consumer.PersonID, "consumer:"+cv.Consumer.ID, ""); err != nil {
		p.serverError(w, r, err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "consumersecurity.freeze.done")
	web.Redirect(w, r, back)
}

// cardStepCode e-mails a one-time code for the card's step ("reveal" or
// "unfreeze").
func (p *Pages) cardStepCode(step string) func(http.ResponseWriter, *http.Request, consumerView) {
	return func(w http.ResponseWriter, r *http.Request, cv consumerView) {
		c, ok := p.ownCard(w, r, cv)
		if !ok {
			return
		}
		p.sendReauthCode(w, r, cv, cardURL(c.ID, step))
	}
}

// revealNeed is what showing a card's details asks for: the authenticator
// code when two-step verification is on, else an e-mailed code.
func (p *Pages) revealNeed(r *http.Request, cv consumerView) (reauthNeed, error) {
	on, err := p.twoStepOn(r, cv)
	return reauthNeed{Email: !on, TOTP: on}, err
}

// unfreezeNeed is what lifting a freeze asks for: an e-mailed code and,
// with two-step verification on, the authenticator code too.
func (p *Pages) unfreezeNeed(r *http.Request, cv consumerView) (reauthNeed, error) {
	on, err := p.twoStepOn(r, cv)
	return reauthNeed{Email: true, TOTP: on}, err
}

// revealPage builds the re-authentication page before a card's details.
func (p *Pages) revealPage(r *http.Request, cv consumerView, c card.Card, form *web.Form) (reauthPage, error) {
	need, err := p.revealNeed(r, cv)
	row := newCardRow(c)
	page := p.newReauthPage(cv, "cards", cardURL(c.ID, "reveal"), need, form)
	page.TitleKey, page.IntroKey, page.SubmitKey, page.Card = "consumersecurity.reveal.title", "consumersecurity.reveal.intro", "consumersecurity.reveal.submit", &row
	return page, err
}

// revealForm asks the consumer to confirm it is them before the card's
// details are shown; a card shown already goes back to the list.
func (p *Pages) revealForm(w http.ResponseWriter, r *http.Request, cv consumerView) {
	c, ok := p.ownCard(w, r, cv)
	if !ok {
		return
	}
	if c.Revealed {
		web.Flash(w, r, web.FlashWarning, "consumersecurity.reveal.already")
		web.Redirect(w, r, cardsPath)
		return
	}
	page, err := p.revealPage(r, cv, c, nil)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.rd.Render(w, r, http.StatusOK, "consumer/reauth", page)
}

// cardDetailsPage is the data of the page that shows a card's details.
type cardDetailsPage struct {
	shell
	Card cardRow
	// Number is the card number in groups of four.
	Number  string
	Details card.Details
}

// reveal checks the codes and shows the card's number, expiry and CVV,
// once; the page is never cached.
func (p *Pages) reveal(w http.ResponseWriter, r *http.Request, cv consumerView) {
	c, ok := p.ownCard(w, r, cv)
	if !ok || !p.parseForm(w, r) {
		return
	}
	if c.Revealed {
		p.rd.Error(w, r, http.StatusConflict)
		return
	}
	proof, ok := p.stepUp(w, r, cv, p.revealNeed, func(form *web.Form) (reauthPage, error) { return p.revealPage(r, cv, c, form) })
	if !ok {
		return
	}
	d, err := p.cfg.Cards.Reveal(r.Context(), cv.Consumer.PersonID, c.ID, proof)
	switch errCode(err) {
	case "":
	case apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
		return
	case card.CodeAlreadyRevealed:
		p.rd.Error(w, r, http.StatusConflict)
		return
	default:
		p.serverError(w, r, err)
		return
	}
	c.Revealed = true
	w.Header().Set("Cache-Control", "no-store")
	p.rd.Render(w, r, http.StatusOK, "consumer/card_details", cardDetailsPage{
		shell: shell{Email: cv.Consumer.Email, Nav: "cards"}, Card: newCardRow(c), Number: groupDigits(d.Number, 4), Details: d,
	})
}

// groupDigits writes s in groups of n characters separated by spaces.
func groupDigits(s string, n int) string {
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && i%n == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(ch)
	}
	return b.String()
}

// unfreezeCardPage builds the re-authentication page before a card is
// unfrozen.
func (p *Pages) unfreezeCardPage(r *http.Request, cv consumerView, c card.Card, form *web.Form) (reauthPage, error) {
	need, err := p.unfreezeNeed(r, cv)
	row := newCardRow(c)
	page := p.newReauthPage(cv, "cards", cardURL(c.ID, "unfreeze"), need, form)
	page.TitleKey, page.IntroKey, page.SubmitKey, page.Card = "consumersecurity.unfreeze_card.title", "consumersecurity.unfreeze_card.intro", "consumersecurity.unfreeze_card.submit", &row
	return page, err
}

// unfreezeCardForm asks the consumer to confirm it is them before a card
// is unfrozen.
func (p *Pages) unfreezeCardForm(w http.ResponseWriter, r *http.Request, cv consumerView) {
	c, ok := p.ownCard(w, r, cv)
	if !ok {
		return
	}
	if !c.Frozen {
		web.Redirect(w, r, cardsPath)
		return
	}
	page, err := p.unfreezeCardPage(r, cv, c, nil)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.rd.Render(w, r, http.StatusOK, "consumer/reauth", page)
}

// unfreezeCard checks the codes and unfreezes the card.
func (p *Pages) unfreezeCard(w http.ResponseWriter, r *http.Request, cv consumerView) {
	c, ok := p.ownCard(w, r, cv)
	if !ok || !p.parseForm(w, r) {
		return
	}
	proof, ok := p.stepUp(w, r, cv, p.unfreezeNeed, func(form *web.Form) (reauthPage, error) { return p.unfreezeCardPage(r, cv, c, form) })
	if !ok {
		return
	}
	if err := p.cfg.Cards.Unfreeze(r.Context(), cv.Consumer.PersonID, "consumer:"+cv.Consumer.ID, c.ID, proof); err != nil {
		p.serverError(w, r, err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "consumersecurity.cards.unfrozen", "last4", c.Last4)
	web.Redirect(w, r, cardsPath)
}

// unfreezeAccountPage builds the re-authentication page before the
// account is unfrozen.
func (p *Pages) unfreezeAccountPage(r *http.Request, cv consumerView, form *web.Form) (reauthPage, error) {
	need, err := p.unfreezeNeed(r, cv)
	page := p.newReauthPage(cv, "security", unfreezePath, need, form)
	page.TitleKey, page.IntroKey, page.SubmitKey = "consumersecurity.unfreeze.title", "consumersecurity.unfreeze.intro", "consumersecurity.unfreeze.submit"
	return page, err
}

// unfreezeAccountForm asks the consumer to confirm it is them before their
// account is unfrozen; an account not frozen goes home.
func (p *Pages) unfreezeAccountForm(w http.ResponseWriter, r *http.Request, cv consumerView) {
	fr, err := p.accountFreeze(r, cv)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	if !fr.Frozen {
		web.Redirect(w, r, Prefix)
		return
	}
	page, err := p.unfreezeAccountPage(r, cv, nil)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.rd.Render(w, r, http.StatusOK, "consumer/reauth", page)
}

// unfreezeAccount checks the codes and unfreezes the account.
func (p *Pages) unfreezeAccount(w http.ResponseWriter, r *http.Request, cv consumerView) {
	if !p.parseForm(w, r) {
		return
	}
	proof, ok := p.stepUp(w, r, cv, p.unfreezeNeed, func(form *web.Form) (reauthPage, error) { return p.unfreezeAccountPage(r, cv, form) })
	if !ok {
		return
	}
	if err := p.cfg.Cards.Unfreeze(r.Context(), cv.Consumer.PersonID, "consumer:"+cv.Consumer.ID, "", proof); err != nil {
		p.serverError(w, r, err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "consumersecurity.unfreeze.done")
	web.Redirect(w, r, Prefix)
}
