package backoffice

import (
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/card"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// A consumer's security page (T10, T13): a security analyst or admin finds
// a consumer by their e-mail address, sees whether their account is
// frozen and their cards (last four digits and status, never the number),
// and freezes or unfreezes the account or one card with a reason
// (card.Service.StaffFreeze and StaffUnfreeze, audited with the member as
// actor). Every opening of the page is audited too.

// consumerSecurityPath is the search page; a consumer's page is under it,
// named by their person id.
const consumerSecurityPath = Prefix + "consumer-security"

// ActionConsumerSecurityViewed is a member of staff opening a consumer's
// security page.
const ActionConsumerSecurityViewed = "consumer_security.viewed"

// SeesConsumerSecurity reports whether the signed-in member may open
// consumers' security pages.
func (f frame) SeesConsumerSecurity() bool { return f.may("GET " + consumerSecurityPath) }

// consumerSearchPageData is the data of the search page.
type consumerSearchPageData struct {
	frame
	Form *web.Form
}

// consumerSecurityPageData is the data of a consumer's page.
type consumerSecurityPageData struct {
	frame
	PersonID string
	Consumer account.Consumer
	Frozen   bool
	Cards    []card.Card
	// Form is the freeze form as sent, with its errors; Target names what
	// it was for ("" the account, else a card id).
	Form   *web.Form
	Target string
	// MaxReason is the longest reason the form takes.
	MaxReason int
}

// addConsumerSecurity serves the pages to security analysts and admins.
func (p *Pages) addConsumerSecurity(mux *access.Router) {
	mux.Handle("GET "+consumerSecurityPath, p.staff(p.consumerSearchPage))
	mux.Handle("POST "+consumerSecurityPath, p.staff(p.findConsumer))
	mux.Handle("GET "+consumerSecurityPath+"/{person}", p.staff(p.consumerSecurityPage))
	mux.Handle("POST "+consumerSecurityPath+"/{person}/freeze", p.staff(p.freezeFor(true)))
	mux.Handle("POST "+consumerSecurityPath+"/{person}/unfreeze", p.staff(p.freezeFor(false)))
}

// consumerSearchPage shows the search form.
func (p *Pages) consumerSearchPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.rd.Render(w, r, http.StatusOK, "staff/consumer_search", consumerSearchPageData{frame: newFrame(v, "consumer_security"), Form: web.NewForm(nil)})
}

// findConsumer looks the address up and opens the consumer's page. The
// address travels in the form's body, never in a URL, so that it stays out
// of access logs and browser history.
func (p *Pages) findConsumer(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	form.Required("email")
	form.Email("email")
	form.MaxLength("email", maxEmail)
	data := consumerSearchPageData{frame: newFrame(v, "consumer_security"), Form: form}
	if !form.Valid() {
		p.rd.Render(w, r, http.StatusUnprocessableEntity, "staff/consumer_search", data)
		return
	}
	key := ids.ConsumerKey(p.cfg.LookupKey, form.Get("email"))
	var personID string
	err := p.cfg.DB.Read(r.Context(), func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COALESCE(person_id, '') FROM consumers WHERE consumer_key = $1`, key).Scan(&personID)
	})
	if errors.Is(err, sql.ErrNoRows) || (err == nil && personID == "") {
		form.AddError("email", "accountsecurity.consumer.not_found")
		p.rd.Render(w, r, http.StatusNotFound, "staff/consumer_search", data)
		return
	}
	if err != nil {
		p.fail(w, r, "find consumer", err)
		return
	}
	web.Redirect(w, r, consumerSecurityPath+"/"+personID)
}

// consumerOf returns the consumer account of the person, or false when
// they have none (404 sent).
func (p *Pages) consumerOf(w http.ResponseWriter, r *http.Request, personID string) (account.Consumer, bool) {
	if !ids.Valid(personID) {
		p.rd.Error(w, r, http.StatusNotFound)
		return account.Consumer{}, false
	}
	var id string
	err := p.cfg.DB.Read(r.Context(), func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT id FROM consumers WHERE person_id = $1`, personID).Scan(&id)
	})
	if errors.Is(err, sql.ErrNoRows) {
		p.rd.Error(w, r, http.StatusNotFound)
		return account.Consumer{}, false
	}
	if err != nil {
		p.fail(w, r, "find consumer", err)
		return account.Consumer{}, false
	}
	c, err := p.cfg.Accounts.GetConsumer(r.Context(), id)
	if err != nil {
		p.fail(w, r, "read consumer", err)
		return account.Consumer{}, false
	}
	return c, true
}

// consumerSecurityPage shows the consumer's freeze state and cards, and
// audits the opening.
func (p *Pages) consumerSecurityPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	personID := r.PathValue("person")
	c, ok := p.consumerOf(w, r, personID)
	if !ok {
		return
	}
	err := p.cfg.DB.Write(r.Context(), func(tx *store.Tx) error {
		_, err := audit.Append(tx, v.actor(), ActionConsumerSecurityViewed, personID, nil)
		return err
	})
	if err != nil {
		p.fail(w, r, "audit view", err)
		return
	}
	p.renderConsumerSecurity(w, r, v, http.StatusOK, c, consumerSecurityPageData{Form: web.NewForm(nil)})
}

// renderConsumerSecurity fills in the freeze state and cards of consumer c
// and renders the page with status.
func (p *Pages) renderConsumerSecurity(w http.ResponseWriter, r *http.Request, v *viewer, status int, c account.Consumer, data consumerSecurityPageData) {
	var err error
	if data.Frozen, err = p.cfg.Cards.AccountFrozen(r.Context(), c.PersonID); err != nil {
		p.fail(w, r, "freeze state", err)
		return
	}
	if data.Cards, err = p.cfg.Cards.List(r.Context(), c.PersonID); err != nil {
		p.fail(w, r, "list cards", err)
		return
	}
	data.frame, data.PersonID, data.Consumer, data.MaxReason = newFrame(v, "consumer_security"), c.PersonID, c, card.MaxReason
	p.rd.Render(w, r, status, "staff/consumer_security", data)
}

// freezeFor returns the handler that freezes (or unfreezes) the account,
// or the card the form names, with the reason given. A missing or too long
// reason is 422 and changes nothing; a card that is not the consumer's is
// 404.
func (p *Pages) freezeFor(freeze bool) func(http.ResponseWriter, *http.Request, *viewer) {
	return func(w http.ResponseWriter, r *http.Request, v *viewer) {
		if err := r.ParseForm(); err != nil {
			p.rd.Error(w, r, http.StatusBadRequest)
			return
		}
		c, ok := p.consumerOf(w, r, r.PathValue("person"))
		if !ok {
			return
		}
		form := web.NewForm(r.PostForm)
		cardID := form.Get("card")
		reason := strings.TrimSpace(form.Values.Get("reason"))
		if reason == "" {
			form.AddError("reason", "form.required")
		} else if !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > card.MaxReason {
			form.AddError("reason", "form.too_long", "max", card.MaxReason)
		}
		if !form.Valid() {
			p.renderConsumerSecurity(w, r, v, http.StatusUnprocessableEntity, c, consumerSecurityPageData{Form: form, Target: cardID})
			return
		}
		change := p.cfg.Cards.StaffUnfreeze
		if freeze {
			change = p.cfg.Cards.StaffFreeze
		}
		switch err := change(r.Context(), v.Staff, c.PersonID, cardID, reason); apperr.Code(err) {
		case apperr.NotFound:
			p.rd.Error(w, r, http.StatusNotFound)
			return
		case apperr.Forbidden:
			p.rd.Error(w, r, http.StatusForbidden)
			return
		default:
			if err != nil {
				p.fail(w, r, "freeze", err)
				return
			}
		}
		key := map[[2]bool]string{
			{true, true}: "accountsecurity.consumer.account_frozen", {true, false}: "accountsecurity.consumer.account_unfrozen",
			{false, true}: "accountsecurity.consumer.card_frozen", {false, false}: "accountsecurity.consumer.card_unfrozen",
		}[[2]bool{cardID == "", freeze}]
		web.Flash(w, r, web.FlashSuccess, key)
		web.Redirect(w, r, consumerSecurityPath+"/"+c.PersonID)
	}
}
