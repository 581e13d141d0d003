package consumerapp

import (
	"net/http"
	"time"

	"github.com/tillit/tillit/internal/consent"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/web"
)

// privacyPath is the page of the consumer's privacy choices.
const privacyPath = Prefix + "privacy"

// The values of the privacy form's "choice" field.
const (
	choiceGive     = "give"
	choiceWithdraw = "withdraw"
)

// privacyChoice is one purpose as the privacy page shows it.
type privacyChoice struct {
	Purpose consent.Purpose
	Granted bool
	// Since is when the consumer last changed it; nil when never.
	Since *time.Time
}

// privacyChange is a row of the history of the consumer's choices.
type privacyChange struct {
	Date      time.Time
	Purpose   consent.Purpose
	Granted   bool
	SourceKey string
}

// privacyPage is the data of the privacy page.
type privacyPage struct {
	shell
	Choices []privacyChoice
	History []privacyChange
	// DataLink shows the link to the page of everything held about them.
	DataLink bool
}

// sourceKey is the catalog key saying how a consent was changed.
func sourceKey(s consent.Source) string {
	switch s {
	case consent.SourceUnsubscribeLink, consent.SourceStaff, consent.SourceCheckout:
		return "consumer.privacy.source." + string(s)
	}
	return "consumer.privacy.source.app"
}

// privacy shows each consent purpose with its current state and a button
// to give or withdraw it, and the history of the consumer's changes.
func (p *Pages) privacy(w http.ResponseWriter, r *http.Request, cv consumerView) {
	subject := cv.Consumer.PersonID
	current, err := p.cfg.Consents.Current(r.Context(), subject)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	history, err := p.cfg.Consents.History(r.Context(), subject)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	page := privacyPage{shell: shell{Email: cv.Consumer.Email, Nav: "privacy"}, DataLink: p.cfg.Rights != nil}
	for _, c := range current {
		page.Choices = append(page.Choices, privacyChoice{Purpose: c.Purpose, Granted: c.Granted, Since: c.UpdatedAt})
	}
	for _, ch := range history {
		page.History = append(page.History, privacyChange{Date: ch.OccurredAt, Purpose: ch.Purpose, Granted: ch.Granted, SourceKey: sourceKey(ch.Source)})
	}
	p.rd.Render(w, r, http.StatusOK, "consumer/privacy", page)
}

// setConsent gives or withdraws one consent at once and goes back to the
// privacy page with a notice saying what is now the case.
func (p *Pages) setConsent(w http.ResponseWriter, r *http.Request, cv consumerView) {
	if !p.parseForm(w, r) {
		return
	}
	purpose := consent.Purpose(r.PostForm.Get("purpose"))
	choice := r.PostForm.Get("choice")
	if !purpose.Valid() || (choice != choiceGive && choice != choiceWithdraw) {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	granted := choice == choiceGive
	if _, err := p.cfg.Consents.Set(r.Context(), cv.Consumer.PersonID, purpose, granted, consent.SourceApp, "consumer:"+cv.Consumer.ID); err != nil {
		p.serverError(w, r, err)
		return
	}
	key := "consumer.privacy.withdrawn"
	if granted {
		key = "consumer.privacy.given"
	}
	web.Flash(w, r, web.FlashSuccess, key, "purpose", i18n.T(web.Lang(r), purpose.NameKey()))
	web.Redirect(w, r, privacyPath)
}
