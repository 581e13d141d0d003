package consumerapp

import (
	"net/http"
	"net/url"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/card"
	"github.com/tillit/tillit/internal/web"
)

// Re-authentication: before a card's details are shown or a freeze is
// lifted, the signed-in consumer proves it is them again, on the page of
// that step, with a fresh one-time code e-mailed to them and/or a code from
// their authenticator app. The codes are checked in the same request that
// does the step, and the proof handed to package card (card.Reauth) is the
// time this server saw them pass: nothing the browser sends.

// Fields of a re-authentication form.
const (
	reauthEmailField = "code"
	reauthTOTPField  = "totp"
)

// reauthNeed is which codes a step asks for.
type reauthNeed struct {
	Email bool
	TOTP  bool
}

// reauthPage is the data of a re-authentication page: what the step is
// about and the form that confirms it.
type reauthPage struct {
	shell
	// TitleKey and IntroKey name the step; SubmitKey its button.
	TitleKey  string
	IntroKey  string
	SubmitKey string
	// Card is the card the step is about, if any.
	Card *cardRow
	// Action is where the form posts; SendAction where "e-mail me a code"
	// posts.
	Action     string
	SendAction string
	Need       reauthNeed
	Form       *web.Form
	Minutes    int
	// Mailbox links to the demo mailbox (demo mode only).
	Mailbox string
}

// twoStepOn reports whether the consumer has two-step verification on.
func (p *Pages) twoStepOn(r *http.Request, cv consumerView) (bool, error) {
	st, err := p.cfg.Accounts.TwoStepStatus(r.Context(), account.KindConsumer, cv.Consumer.ID)
	return st.Enabled, err
}

// newReauthPage fills in the parts of a re-authentication page every step
// shares.
func (p *Pages) newReauthPage(cv consumerView, nav, action string, need reauthNeed, form *web.Form) reauthPage {
	page := reauthPage{shell: shell{Email: cv.Consumer.Email, Nav: nav}, Action: action, SendAction: action + "/code",
		Need: need, Form: form, Minutes: int(account.LoginCodeLifetime / time.Minute)}
	if form == nil {
		page.Form = web.NewForm(nil)
	}
	if p.cfg.Demo && need.Email {
		page.Mailbox = MailboxPath + "?" + url.Values{"email": {cv.Consumer.Email}}.Encode()
	}
	return page
}

// sendReauthCode e-mails the consumer a one-time code for the step whose
// page is back, and returns there.
func (p *Pages) sendReauthCode(w http.ResponseWriter, r *http.Request, cv consumerView, back string) {
	err := p.cfg.Accounts.RequestLoginCode(r.Context(), cv.Consumer.Email, cv.Consumer.Locale)
	switch errCode(err) {
	case "":
		web.Flash(w, r, web.FlashInfo, "consumersecurity.reauth.code_sent", "minutes", int(account.LoginCodeLifetime/time.Minute))
	case apperr.TooManyRequests:
		web.Flash(w, r, web.FlashError, "consumer.signin.too_many", "minutes", lockMinutes(p.cfg.Accounts.Config.CodeRequests.Lockout))
	default:
		p.serverError(w, r, err)
		return
	}
	web.Redirect(w, r, back)
}

// stepUp re-authenticates the consumer for a sensitive action with the
// codes in the posted form (parsed already): need says which codes the
// action asks for, page builds the re-authentication page. It returns the
// proof for package card, or renders the page again (with the status
// reauthenticate gives) or an error page and returns false.
func (p *Pages) stepUp(w http.ResponseWriter, r *http.Request, cv consumerView,
	need func(*http.Request, consumerView) (reauthNeed, error), page func(*web.Form) (reauthPage, error)) (card.Reauth, bool) {
	form := web.NewForm(r.PostForm)
	n, err := need(r, cv)
	if err != nil {
		p.serverError(w, r, err)
		return card.Reauth{}, false
	}
	proof, status, err := p.reauthenticate(r, cv, n, form)
	if err != nil {
		p.serverError(w, r, err)
		return card.Reauth{}, false
	}
	if status != http.StatusOK {
		pg, err := page(form)
		if err != nil {
			p.serverError(w, r, err)
			return card.Reauth{}, false
		}
		p.rd.Render(w, r, status, "consumer/reauth", pg)
		return card.Reauth{}, false
	}
	return proof, true
}

// reauthenticate checks the codes need asks for in form, adding an error
// to form for each that fails, and returns the proof for package card
// when all pass. status is the answer to give otherwise: 422 for a missing
// code, 401 for a wrong one, 429 while the account is locked.
func (p *Pages) reauthenticate(r *http.Request, cv consumerView, need reauthNeed, form *web.Form) (proof card.Reauth, status int, err error) {
	if need.Email {
		form.Required(reauthEmailField)
		form.MaxLength(reauthEmailField, maxCodeLength)
	}
	if need.TOTP {
		form.Required(reauthTOTPField)
		form.MaxLength(reauthTOTPField, maxCodeLength)
	}
	if !form.Valid() {
		return card.Reauth{}, http.StatusUnprocessableEntity, nil
	}
	// The authenticator first: a wrong one then leaves the e-mailed code
	// unspent.
	if need.TOTP {
		err := p.cfg.Accounts.VerifyAuthenticatorCode(r.Context(), account.KindConsumer, cv.Consumer.ID, form.Get(reauthTOTPField))
		switch errCode(err) {
		case "":
		case apperr.InvalidOTP, apperr.NotAllowed:
			form.AddError(reauthTOTPField, "security.signin_code.wrong")
			return card.Reauth{}, http.StatusUnauthorized, nil
		case apperr.TooManyRequests:
			form.AddError(reauthTOTPField, "security.signin_code.locked", "minutes", p.lockedFor(r, cv.Consumer.ID, p.cfg.Accounts.Config.SecondFactor.Lockout))
			return card.Reauth{}, http.StatusTooManyRequests, nil
		default:
			return card.Reauth{}, 0, err
		}
	}
	if need.Email {
		c, err := p.cfg.Accounts.VerifyLoginCode(r.Context(), cv.Consumer.Email, form.Get(reauthEmailField))
		switch errCode(err) {
		case "":
			if c.ID != cv.Consumer.ID {
				form.AddError(reauthEmailField, "consumer.signin.bad_code")
				return card.Reauth{}, http.StatusUnauthorized, nil
			}
		case apperr.InvalidOTP:
			form.AddError(reauthEmailField, "consumer.signin.bad_code")
			return card.Reauth{}, http.StatusUnauthorized, nil
		case apperr.TooManyRequests:
			form.AddError(reauthEmailField, "consumersecurity.signin.code_locked", "minutes", lockMinutes(p.cfg.Accounts.Config.CodeChecks.Lockout))
			return card.Reauth{}, http.StatusTooManyRequests, nil
		default:
			return card.Reauth{}, 0, err
		}
	}
	return card.Reauth{VerifiedAt: p.cfg.Clock.Now()}, http.StatusOK, nil
}
