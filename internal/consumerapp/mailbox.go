package consumerapp

import (
	"net/http"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/web"
)

// mailboxSize is how many of an address's latest e-mails the mailbox shows.
const mailboxSize = 20

// mail is an e-mail as the demo mailbox shows it.
type mail struct {
	Subject    string
	Date       time.Time
	Paragraphs []string
}

// mailboxPage is the data of the demo mailbox.
type mailboxPage struct {
	Form *web.Form
	// Email is the address looked at, or "" before one is given.
	Email    string
	Messages []mail
}

// demoMailbox lists the latest e-mails queued for the address in the email
// query parameter, newest first. It exists only in demo mode.
func (p *Pages) demoMailbox(w http.ResponseWriter, r *http.Request) {
	if !p.cfg.Demo {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	form := web.NewForm(r.URL.Query())
	form.MaxLength("email", maxEmailLength)
	form.Email("email")
	page := mailboxPage{Form: form}
	if email := form.Get("email"); email != "" && form.Valid() {
		msgs, err := p.cfg.Accounts.DemoMailbox(r.Context(), email, mailboxSize)
		if err != nil {
			p.serverError(w, r, err)
			return
		}
		page.Email = email
		for _, m := range msgs {
			page.Messages = append(page.Messages, mail{Subject: m.Subject, Date: m.CreatedAt, Paragraphs: paragraphs(m.Body)})
		}
	}
	status := http.StatusOK
	if !form.Valid() {
		status = http.StatusUnprocessableEntity
	}
	p.rd.Render(w, r, status, "consumer/mailbox", page)
}

// paragraphs splits a plain-text body at blank lines.
func paragraphs(body string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
