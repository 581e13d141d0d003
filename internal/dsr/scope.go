package dsr

import (
	"slices"

	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/restriction"
)

// Scoped reports whether a request of the kind names what it is about in
// Request.Scope: the data categories to restrict, the purposes objected to.
func (k Kind) Scoped() bool { return k == KindRestriction || k == KindObjection }

// ScopeChoices returns what a request of the kind may name in its scope: the
// categories a person can restrict (restriction.Restrictable), the purposes
// they can object to (Art. 21: those relying on legitimate interest, and
// direct marketing); nil for a kind without a scope.
func (k Kind) ScopeChoices() []string {
	switch k {
	case KindRestriction:
		return ids2strings(restriction.Restrictable())
	case KindObjection:
		var out []string
		for _, p := range privacy.Purposes() {
			if p.MayObject && slices.Contains(p.Subjects, privacy.SubjectConsumer) {
				out = append(out, string(p.ID))
			}
		}
		return out
	}
	return nil
}

// ScopeKey is the message key naming a choice of a request of the kind.
func (k Kind) ScopeKey(choice string) string {
	if k == KindObjection {
		return privacy.PurposeID(choice).NameKey()
	}
	return privacy.CategoryID(choice).NameKey()
}

// ScopeOption is one choice a form offers for a request's scope.
type ScopeOption struct {
	// Value is the id the form sends.
	Value string
	// NameKey and AboutKey are the message keys of its name and of what
	// it covers.
	NameKey, AboutKey string
}

// ScopeField is the name of the form field that sends the scope of a
// request of the kind, one value per ticked choice.
func (k Kind) ScopeField() string { return "scope_" + string(k) }

// ScopeFrom returns the scope submitted in form values for a request of
// the kind; nil for a kind without a scope.
func (k Kind) ScopeFrom(values map[string][]string) []string {
	if !k.Scoped() {
		return nil
	}
	return values[k.ScopeField()]
}

// ScopeGroup is what a filing form offers for the scope of one kind.
type ScopeGroup struct {
	Kind Kind
	// Field is the form field (Kind.ScopeField).
	Field string
	// LegendKey and HintKey are the message keys of the group's legend
	// and of what ticking a choice does.
	LegendKey, HintKey string
	Options            []ScopeOption
}

// ScopeGroups returns the scope choices of every kind that has a scope.
func ScopeGroups() []ScopeGroup {
	var out []ScopeGroup
	for _, k := range kinds {
		if k.Scoped() {
			out = append(out, ScopeGroup{Kind: k, Field: k.ScopeField(), LegendKey: "dsr.scope." + string(k) + ".legend",
				HintKey: "dsr.scope." + string(k) + ".hint", Options: k.ScopeOptions()})
		}
	}
	return out
}

// ScopeOptions returns the choices of ScopeChoices with their texts.
func (k Kind) ScopeOptions() []ScopeOption {
	var out []ScopeOption
	for _, c := range k.ScopeChoices() {
		about := privacy.CategoryID(c).AboutKey()
		if k == KindObjection {
			about = privacy.PurposeID(c).AboutKey()
		}
		out = append(out, ScopeOption{Value: c, NameKey: k.ScopeKey(c), AboutKey: about})
	}
	return out
}

// ids2strings converts registry ids to strings.
func ids2strings[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}

// ScopeProblem returns the message key of what is wrong with a form's scope
// for a request of the kind (nothing ticked, or something not offered), ""
// when nothing is: for forms to show by the scope field before filing.
func (k Kind) ScopeProblem(scope []string) string {
	if !k.Scoped() {
		return ""
	}
	if len(scope) == 0 {
		return "dsr.consumer.scope_needed." + string(k)
	}
	for _, v := range scope {
		if !slices.Contains(k.ScopeChoices(), v) {
			return "form.invalid_choice"
		}
	}
	return ""
}
