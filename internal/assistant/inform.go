package assistant

import (
	"strings"
)

// topicQueries search the help articles of an informational intent when
// the consumer's own words find none.
var topicQueries = map[Intent]text{
	RefundStatus: {
		en: "refund return", da: "refusion returnering", nl: "terugbetaling retour",
		sv: "återbetalning retur", de: "Erstattung Retoure",
	},
	ChangePaymentDate: {
		en: "pause payment due date", da: "pause betaling forfaldsdato", nl: "betaling pauzeren vervaldatum",
		sv: "pausa betalning förfallodatum", de: "Zahlung pausieren Fälligkeit",
	},
	IsThisFromYou: {
		en: "phishing message", da: "phishing besked", nl: "phishing bericht",
		sv: "nätfiske meddelande", de: "Phishing Nachricht",
	},
}

// maxArticles is how many help articles an answer links to.
const maxArticles = 3

// inform answers an informational question and links the help articles
// about it.
func (t *turn) inform(in Intent) {
	articles := t.articles(in)
	var body string
	switch in {
	case RefundStatus:
		body = texts.RefundInfo.in(t.lang)
	case ChangePaymentDate:
		body = texts.ChangeDateInfo.in(t.lang)
	case IsThisFromYou:
		body = texts.Phishing.in(t.lang, "report", t.e.cfg.ReportURL)
		t.reply.Links = append(t.reply.Links, Link{Title: texts.ReportTitle.in(t.lang), URL: t.e.cfg.ReportURL})
	}
	if m := t.e.cfg.Model; m != nil && in != IsThisFromYou {
		if a, err := m.Answer(t.lang, t.msg, in, articles); err == nil && strings.TrimSpace(a) != "" {
			body = strings.TrimSpace(a)
		}
	}
	t.say(body)
	if len(articles) > 0 {
		lines := []string{texts.ReadMore.in(t.lang)}
		for _, a := range articles {
			t.reply.Links = append(t.reply.Links, Link{Title: a.Title, URL: a.URL})
			lines = append(lines, "- "+a.Title+": "+a.URL)
		}
		t.say(strings.Join(lines, "\n"))
	}
	t.st.record(in, Answered)
}

// articles returns the help articles for the message, or for the intent's
// topic when the message's words find none.
func (t *turn) articles(in Intent) []Article {
	r := t.e.cfg.Retriever
	if r == nil {
		return nil
	}
	hits := r.Search(string(t.lang), t.msg, maxArticles)
	if len(hits) == 0 {
		hits = r.Search(string(t.lang), topicQueries[in].in(t.lang), maxArticles)
	}
	if len(hits) > maxArticles {
		hits = hits[:maxArticles]
	}
	return hits
}
