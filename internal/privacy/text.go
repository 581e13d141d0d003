package privacy

import (
	"fmt"

	"github.com/tillit/tillit/internal/i18n"
)

// The i18n keys of the registry's people-facing texts, all under
// "privacy." in internal/i18n/locales/privacy.

// NameKey is the key of the category's name.
func (c CategoryID) NameKey() string { return "privacy.category." + string(c) }

// AboutKey is the key of the category's one-sentence description.
func (c CategoryID) AboutKey() string { return "privacy.category." + string(c) + ".about" }

// NameKey is the key of the purpose's name.
func (p PurposeID) NameKey() string { return "privacy.purpose." + string(p) }

// AboutKey is the key of the purpose's one-sentence description.
func (p PurposeID) AboutKey() string { return "privacy.purpose." + string(p) + ".about" }

// NameKey is the key of the source's name.
func (s Source) NameKey() string { return "privacy.source." + string(s) }

// NameKey is the key of the recipient's name.
func (r Recipient) NameKey() string { return "privacy.recipient." + string(r) }

// NameKey is the key of the data subjects' name.
func (s Subject) NameKey() string { return "privacy.subject." + string(s) }

// NameKey is the key of the legal basis with its article.
func (b LegalBasis) NameKey() string { return "privacy.basis." + string(b) }

// NameKey is the key of the Art. 9(2) condition with its article; only for
// a non-empty condition.
func (s SpecialCondition) NameKey() string { return "privacy.special." + string(s) }

// NameKey is the key of what happens on erasure: "privacy.erasure.none" for
// NoErasureException.
func (e ErasureException) NameKey() string {
	if e == NoErasureException {
		return "privacy.erasure.none"
	}
	return "privacy.erasure." + string(e)
}

// NameKey is the key of the event as a noun phrase ("the end of the
// contract").
func (e Event) NameKey() string { return "privacy.event." + string(e) }

// NameKey is the key of the action as the end of a sentence ("deleted").
func (a Action) NameKey() string { return "privacy.action." + string(a) }

// periodKey is the key of a period's text: singular for one, plural
// otherwise ("privacy.period.months.one", "privacy.period.months.other").
func periodKey(p Period) string {
	if p.N == 1 {
		return "privacy.period." + string(p.Unit) + ".one"
	}
	return "privacy.period." + string(p.Unit) + ".other"
}

// Text returns the rule in lang: "3 months after collection, then deleted",
// or "Until the end of the contract, then deleted" for a zero period.
func (r Retention) Text(lang i18n.Lang) string {
	event, action := i18n.T(lang, r.From.NameKey()), i18n.T(lang, r.Then.NameKey())
	if r.Period.N == 0 {
		return i18n.T(lang, "privacy.retention.until", "event", event, "action", action)
	}
	period := i18n.T(lang, periodKey(r.Period), "n", r.Period.N)
	return i18n.T(lang, "privacy.retention.after", "period", period, "event", event, "action", action)
}

// retentionTexts returns p's retention in lang: its rule, then each category
// override as "Category: rule", in the order of p.Categories.
func retentionTexts(p Purpose, lang i18n.Lang) []RetentionText {
	out := []RetentionText{{Retention: p.Retention, Text: p.Retention.Text(lang)}}
	for _, c := range p.Categories {
		if r, ok := p.CategoryRetention[c]; ok {
			out = append(out, RetentionText{Category: c, Retention: r,
				Text: i18n.T(lang, "privacy.retention.category", "category", i18n.T(lang, c.NameKey()), "rule", r.Text(lang))})
		}
	}
	return out
}

// RetentionText is a retention rule with its text in one language.
type RetentionText struct {
	// Category is the category the rule overrides the purpose's rule for;
	// empty for the purpose's own rule.
	Category CategoryID `json:"category,omitempty"`
	// Retention is the rule.
	Retention Retention `json:"rule"`
	// Text is the rule in words.
	Text string `json:"text"`
}

// MarshalText makes a Period read "3 months" in JSON.
func (p Period) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "%d %s", p.N, p.Unit), nil }

// Named is an id with its name in one language.
type Named struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// names returns the ids with their names in lang, keyed by key.
func names[T ~string](lang i18n.Lang, ids []T, key func(T) string) []Named {
	out := make([]Named, 0, len(ids))
	for _, id := range ids {
		out = append(out, Named{ID: string(id), Name: i18n.T(lang, key(id))})
	}
	return out
}

// rightsTexts returns what the person can do about purpose p, in lang.
func rightsTexts(p Purpose, lang i18n.Lang) []string {
	var out []string
	if p.Basis == Consent {
		out = append(out, i18n.T(lang, "privacy.rights.withdraw"))
	}
	if p.MayObject {
		out = append(out, i18n.T(lang, "privacy.rights.object"))
	}
	if p.Automated {
		out = append(out, i18n.T(lang, "privacy.rights.automated"))
	}
	if len(out) == 0 {
		out = append(out, i18n.T(lang, "privacy.rights.none"))
	}
	return out
}
