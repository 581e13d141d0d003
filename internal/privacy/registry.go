// Package privacy is Tillit's register of personal data (GDPR, requirement
// D1): every data category Tillit holds, every purpose it processes them for
// (with sources, legal basis, retention rule and recipients), and which
// category every column of every table holds. Everything is declared once, in
// Go, in purposes.go and columns.go; from there the package derives
//
//   - the record of processing activities (GDPR Art. 30, Record, rendered as
//     JSON and Markdown into docs/record-of-processing.md),
//   - the purpose tables of the privacy notice in every language (Notice),
//   - when a purpose's retention of a piece of data ends (RetentionEnd).
//
// The declarations are checked when the package loads (a mistake stops the
// program and every test) and the column map is checked against the migrated
// schema by this package's tests: a new column fails the build until it is
// classified. See docs/privacy.md.
//
// People-facing names and descriptions live in the i18n catalogs
// (internal/i18n/locales/privacy); the Go declarations hold only ids and
// rules.
package privacy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// CategoryID names a data category, such as "contact".
type CategoryID string

// PurposeID names a processing purpose, such as "credit_assessment".
type PurposeID string

// Source is where data of a purpose comes from.
type Source string

// Sources of personal data.
const (
	// SourceDataSubject: the person themselves (what they type or choose).
	SourceDataSubject Source = "data_subject"
	// SourceMerchant: the shop the person buys from.
	SourceMerchant Source = "merchant"
	// SourceDevice: the person's browser or app, sent with each request.
	SourceDevice Source = "device"
	// SourceTillit: made by Tillit while the person uses it (decisions,
	// schedules, payments, logs).
	SourceTillit Source = "tillit"
	// SourceCreditBureau: credit reference agencies.
	SourceCreditBureau Source = "credit_bureau"
	// SourceScreeningLists: sanctions lists and lists of politically
	// exposed persons.
	SourceScreeningLists Source = "screening_lists"
	// SourceOperator: the bank or fintech running Tillit, for the accounts of
	// its own staff.
	SourceOperator Source = "operator"
)

// Recipient is a kind of party personal data is disclosed to.
type Recipient string

// Recipients of personal data.
const (
	// RecipientMerchants: the shop the person bought from.
	RecipientMerchants Recipient = "merchants"
	// RecipientPaymentProviders: banks, card acquirers and payment schemes
	// that move the person's money.
	RecipientPaymentProviders Recipient = "payment_providers"
	// RecipientCreditBureaus: credit reference agencies.
	RecipientCreditBureaus Recipient = "credit_bureaus"
	// RecipientDebtCollectors: debt collection agencies, for overdue debt.
	RecipientDebtCollectors Recipient = "debt_collectors"
	// RecipientAuthorities: supervisory, tax and law enforcement
	// authorities, courts and complaint boards, when the law requires it.
	RecipientAuthorities Recipient = "authorities"
	// RecipientProcessors: processors working on the operator's behalf
	// (hosting, e-mail and SMS delivery).
	RecipientProcessors Recipient = "processors"
)

// Subject is a kind of person data is about (a category of data subjects).
type Subject string

// Kinds of data subjects.
const (
	// SubjectConsumer: a person who shops with Tillit's payment methods.
	SubjectConsumer Subject = "consumer"
	// SubjectMerchantUser: a person who signs in to the merchant portal.
	SubjectMerchantUser Subject = "merchant_user"
	// SubjectStaff: a member of the operator's staff using the back office.
	SubjectStaff Subject = "staff"
)

// LegalBasis is a lawful basis of GDPR Art. 6(1).
type LegalBasis string

// The lawful bases of GDPR Art. 6(1)(a)-(f).
const (
	Consent            LegalBasis = "art6_1_a"
	Contract           LegalBasis = "art6_1_b"
	LegalObligation    LegalBasis = "art6_1_c"
	VitalInterests     LegalBasis = "art6_1_d"
	PublicTask         LegalBasis = "art6_1_e"
	LegitimateInterest LegalBasis = "art6_1_f"
)

// SpecialCondition is the condition of GDPR Art. 9(2) that allows processing
// special categories of personal data.
type SpecialCondition string

// The Art. 9(2) conditions Tillit relies on.
const (
	// NoSpecialCondition: the purpose uses no special category.
	NoSpecialCondition SpecialCondition = ""
	// ExplicitConsent: Art. 9(2)(a).
	ExplicitConsent SpecialCondition = "art9_2_a"
	// SubstantialPublicInterest: Art. 9(2)(g), such as preventing money
	// laundering.
	SubstantialPublicInterest SpecialCondition = "art9_2_g"
)

// ErasureException is why data of a purpose survives a request for erasure
// (GDPR Art. 17(3)); the erasure then restricts it to that purpose.
type ErasureException string

// Grounds for keeping data after an erasure request.
const (
	// NoErasureException: the data goes when the person asks.
	NoErasureException ErasureException = ""
	// KeptByLaw: Art. 17(3)(b), a legal obligation to keep it (AML,
	// bookkeeping).
	KeptByLaw ErasureException = "art17_3_b"
	// KeptForLegalClaims: Art. 17(3)(e), needed for legal claims (the
	// limitation period of contract claims).
	KeptForLegalClaims ErasureException = "art17_3_e"
)

// Category is a kind of personal data.
type Category struct {
	// ID is the category's stable id.
	ID CategoryID
	// Special reports a special category of GDPR Art. 9 (health, political
	// opinions, ...): a purpose using it needs an Art. 9(2) condition.
	Special bool
}

// Purpose is one processing purpose and the rules it follows.
type Purpose struct {
	// ID is the purpose's stable id.
	ID PurposeID
	// Subjects are the kinds of people whose data it processes.
	Subjects []Subject
	// Categories are the data categories it uses.
	Categories []CategoryID
	// Sources are where that data comes from.
	Sources []Source
	// Basis is its lawful basis under Art. 6(1).
	Basis LegalBasis
	// Special is its Art. 9(2) condition; required when a category is
	// Special, empty otherwise.
	Special SpecialCondition
	// Retention is how long the purpose keeps its data and what happens then.
	Retention Retention
	// CategoryRetention overrides Retention for some of its categories
	// (call recordings are kept shorter than the rest, say).
	CategoryRetention map[CategoryID]Retention
	// Recipients are the parties its data is disclosed to; empty when none.
	Recipients []Recipient
	// MayObject reports whether the person may object under Art. 21: always
	// for legitimate interest and for direct marketing.
	MayObject bool
	// Automated reports whether it takes automated decisions with legal or
	// similarly significant effects (Art. 22), which a person may contest.
	Automated bool
	// Erasure is why its data survives an erasure request, if it does.
	Erasure ErasureException
	// Overriding reports that Tillit has compelling legitimate grounds to
	// go on despite a person's objection (Art. 21(1)): preventing fraud,
	// securing accounts, pursuing claims. OverridingKey explains them. Only
	// a purpose relying on legitimate interest, and never direct marketing
	// (Art. 21(3)), may have them.
	Overriding bool
}

// OverridingKey is the message key explaining p's compelling legitimate
// grounds to a person who objected.
func (p Purpose) OverridingKey() string {
	return "privacy.purpose." + string(p.ID) + ".overriding"
}

// ForLegalClaims reports whether p serves the establishment, exercise or
// defence of legal claims, which a restriction does not stop (Art. 18(2)).
func (p Purpose) ForLegalClaims() bool { return p.Erasure == KeptForLegalClaims }

// DirectMarketing reports whether p markets to the person: an objection to
// it always takes effect (Art. 21(3)).
func (p Purpose) DirectMarketing() bool {
	return p.ID == PurposeDirectMarketing || p.ID == PurposeSimilarOffers
}

// RetentionFor returns the retention rule p applies to category c, and false
// when p does not use c.
func (p Purpose) RetentionFor(c CategoryID) (Retention, bool) {
	if !slices.Contains(p.Categories, c) {
		return Retention{}, false
	}
	if r, ok := p.CategoryRetention[c]; ok {
		return r, true
	}
	return p.Retention, true
}

// Uses reports whether p uses category c.
func (p Purpose) Uses(c CategoryID) bool { return slices.Contains(p.Categories, c) }

// Categories returns every data category, in declaration order. The slice is
// a copy.
func Categories() []Category { return slices.Clone(categories) }

// Purposes returns every purpose, in declaration order. The slices inside
// are shared: do not modify them.
func Purposes() []Purpose { return slices.Clone(purposes) }

// LookupCategory returns the category with id, and false if there is none.
func LookupCategory(id CategoryID) (Category, bool) {
	i := slices.IndexFunc(categories, func(c Category) bool { return c.ID == id })
	if i < 0 {
		return Category{}, false
	}
	return categories[i], true
}

// LookupPurpose returns the purpose with id, and false if there is none.
func LookupPurpose(id PurposeID) (Purpose, bool) {
	i := slices.IndexFunc(purposes, func(p Purpose) bool { return p.ID == id })
	if i < 0 {
		return Purpose{}, false
	}
	return purposes[i], true
}

// PurposesUsing returns the purposes that use category c, in declaration
// order.
func PurposesUsing(c CategoryID) []Purpose {
	var out []Purpose
	for _, p := range purposes {
		if p.Uses(c) {
			out = append(out, p)
		}
	}
	return out
}

// init stops the program when the declarations contradict themselves.
func init() {
	if problems := check(categories, purposes, columns); len(problems) > 0 {
		panic("privacy: the registry is inconsistent:\n  " + strings.Join(problems, "\n  "))
	}
}

// idPattern is the shape of every id: lower-case words joined by
// underscores.
var idPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

var (
	knownSources    = []Source{SourceDataSubject, SourceMerchant, SourceDevice, SourceTillit, SourceCreditBureau, SourceScreeningLists, SourceOperator}
	knownRecipients = []Recipient{RecipientMerchants, RecipientPaymentProviders, RecipientCreditBureaus, RecipientDebtCollectors, RecipientAuthorities, RecipientProcessors}
	knownSubjects   = []Subject{SubjectConsumer, SubjectMerchantUser, SubjectStaff}
	knownBases      = []LegalBasis{Consent, Contract, LegalObligation, VitalInterests, PublicTask, LegitimateInterest}
	knownSpecial    = []SpecialCondition{NoSpecialCondition, ExplicitConsent, SubstantialPublicInterest}
	knownErasure    = []ErasureException{NoErasureException, KeptByLaw, KeptForLegalClaims}
)

// check returns every inconsistency among the declarations: malformed or
// repeated ids, unknown references, a category no purpose uses, a purpose
// missing what the record of processing needs, a special category without an
// Art. 9 condition, legitimate interest without the right to object, a
// malformed retention rule, and a column naming an unknown category.
func check(cats []Category, ps []Purpose, cols map[string]Column) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	byID := map[CategoryID]Category{}
	for _, c := range cats {
		if !idPattern.MatchString(string(c.ID)) {
			add("category id %q is not lower_snake_case", c.ID)
		}
		if _, dup := byID[c.ID]; dup {
			add("category %q is declared twice", c.ID)
		}
		byID[c.ID] = c
	}
	used := map[CategoryID]bool{}
	seen := map[PurposeID]bool{}
	for _, p := range ps {
		if !idPattern.MatchString(string(p.ID)) {
			add("purpose id %q is not lower_snake_case", p.ID)
		}
		if seen[p.ID] {
			add("purpose %q is declared twice", p.ID)
		}
		seen[p.ID] = true
		if len(p.Subjects) == 0 || len(p.Categories) == 0 || len(p.Sources) == 0 {
			add("purpose %q needs subjects, categories and sources", p.ID)
		}
		checkMembers(add, p.ID, "subject", p.Subjects, knownSubjects)
		checkMembers(add, p.ID, "source", p.Sources, knownSources)
		checkMembers(add, p.ID, "recipient", p.Recipients, knownRecipients)
		checkMembers(add, p.ID, "legal basis", []LegalBasis{p.Basis}, knownBases)
		checkMembers(add, p.ID, "Art. 9 condition", []SpecialCondition{p.Special}, knownSpecial)
		checkMembers(add, p.ID, "erasure exception", []ErasureException{p.Erasure}, knownErasure)
		special := false
		for i, id := range p.Categories {
			c, ok := byID[id]
			if !ok {
				add("purpose %q uses unknown category %q", p.ID, id)
			}
			if slices.Contains(p.Categories[:i], id) {
				add("purpose %q lists category %q twice", p.ID, id)
			}
			used[id] = true
			special = special || c.Special
		}
		if special && p.Special == NoSpecialCondition {
			add("purpose %q uses a special category but names no Art. 9(2) condition", p.ID)
		}
		if !special && p.Special != NoSpecialCondition {
			add("purpose %q names an Art. 9(2) condition but uses no special category", p.ID)
		}
		if p.Basis == LegitimateInterest && !p.MayObject {
			add("purpose %q relies on legitimate interest, so the person may object (Art. 21)", p.ID)
		}
		if p.Overriding && (p.Basis != LegitimateInterest || p.DirectMarketing()) {
			add("purpose %q: only a purpose relying on legitimate interest, and not direct marketing, can override an objection", p.ID)
		}
		if p.Basis == Consent && p.Retention.From != EventConsentWithdrawn && p.Retention.From != EventCollected {
			add("purpose %q relies on consent: its data goes when consent is withdrawn or after a period from collection", p.ID)
		}
		if err := p.Retention.validate(); err != nil {
			add("purpose %q: %v", p.ID, err)
		}
		for id, r := range p.CategoryRetention {
			if !slices.Contains(p.Categories, id) {
				add("purpose %q sets a retention for category %q it does not use", p.ID, id)
			}
			if err := r.validate(); err != nil {
				add("purpose %q, category %q: %v", p.ID, id, err)
			}
		}
	}
	for _, c := range cats {
		if !used[c.ID] {
			add("category %q is used by no purpose", c.ID)
		}
	}
	for name, col := range cols {
		if !columnPattern.MatchString(name) {
			add("column %q is not table.column", name)
		}
		if len(col.Categories) == 0 && col.NotPersonal == "" {
			add("column %q needs categories or a reason it is not personal", name)
		}
		if len(col.Categories) > 0 && col.NotPersonal != "" {
			add("column %q has categories and a reason it is not personal", name)
		}
		for _, id := range col.Categories {
			if _, ok := byID[id]; !ok {
				add("column %q names unknown category %q", name, id)
			}
		}
	}
	slices.Sort(problems)
	return problems
}

// checkMembers adds a problem for every value of got that is not in known.
func checkMembers[T comparable](add func(string, ...any), p PurposeID, what string, got, known []T) {
	for _, v := range got {
		if !slices.Contains(known, v) {
			add("purpose %q names unknown %s %v", p, what, v)
		}
	}
}
