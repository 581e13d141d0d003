package privacy

import (
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/i18n"
)

func TestRegistryIsConsistent(t *testing.T) {
	for _, p := range check(categories, purposes, columns) {
		t.Error(p)
	}
}

func TestCheckFindsProblems(t *testing.T) {
	cats := []Category{{ID: "contact"}, {ID: "contact"}, {ID: "Health", Special: true}, {ID: "unused"}}
	ps := []Purpose{
		{
			ID: "marketing", Subjects: []Subject{SubjectConsumer}, Categories: []CategoryID{"contact", "nope", "contact"},
			Sources: []Source{"rumour"}, Basis: LegitimateInterest, Recipients: []Recipient{"press"},
			Retention:         Retention{Period: Period{N: -1, Unit: Days}, From: EventCollected, Then: Delete},
			CategoryRetention: map[CategoryID]Retention{"Health": {Period: Period{N: 1, Unit: "weeks"}, From: "birthday", Then: "burn"}},
		},
		{ID: "marketing", Categories: []CategoryID{"Health"}, Basis: "art6_1_z", Special: "art9_2_z",
			Retention: Retention{Period: Period{N: 1, Unit: Years}, From: EventCollected, Then: Delete}},
		{ID: "support", Subjects: []Subject{SubjectConsumer}, Categories: []CategoryID{"contact"}, Sources: []Source{SourceDataSubject},
			Basis: Consent, Special: ExplicitConsent, Erasure: "art17_3_z",
			Retention: Retention{Period: Period{N: 1, Unit: Years}, From: EventContractEnded, Then: Anonymise}},
	}
	cols := map[string]Column{
		"orders.email":  personal("mail"),
		"orders.id":     {},
		"orders.both":   {Categories: []CategoryID{"contact"}, NotPersonal: "random"},
		"Orders.Status": notPersonal("status"),
	}
	got := check(cats, ps, cols)
	want := []string{
		`category "contact" is declared twice`,
		`category "unused" is used by no purpose`,
		`category id "Health" is not lower_snake_case`,
		`column "Orders.Status" is not table.column`,
		`column "orders.both" has categories and a reason it is not personal`,
		`column "orders.email" names unknown category "mail"`,
		`column "orders.id" needs categories or a reason it is not personal`,
		`purpose "marketing" is declared twice`,
		`purpose "marketing" lists category "contact" twice`,
		`purpose "marketing" names unknown Art. 9 condition art9_2_z`,
		`purpose "marketing" names unknown legal basis art6_1_z`,
		`purpose "marketing" names unknown recipient press`,
		`purpose "marketing" names unknown source rumour`,
		`purpose "marketing" needs subjects, categories and sources`,
		`purpose "marketing" relies on legitimate interest, so the person may object (Art. 21)`,
		`purpose "marketing" sets a retention for category "Health" it does not use`,
		`purpose "marketing" uses unknown category "nope"`,
		`purpose "marketing", category "Health": retention period has unknown unit "weeks"`,
		`purpose "marketing": retention period is negative`,
		`purpose "support" names an Art. 9(2) condition but uses no special category`,
		`purpose "support" names unknown erasure exception art17_3_z`,
		`purpose "support" relies on consent: its data goes when consent is withdrawn or after a period from collection`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestSpecialCategoryNeedsCondition(t *testing.T) {
	cats := []Category{{ID: "health", Special: true}}
	ps := []Purpose{{ID: "care", Subjects: []Subject{SubjectConsumer}, Categories: []CategoryID{"health"},
		Sources: []Source{SourceDataSubject}, Basis: Contract, Retention: defaultRetention}}
	got := check(cats, ps, nil)
	want := []string{`purpose "care" uses a special category but names no Art. 9(2) condition`}
	if !slices.Equal(got, want) {
		t.Errorf("problems %q, want %q", got, want)
	}
}

// TestIssueRetentionRules pins the retention periods the requirements name
// (issue 4, D9).
func TestIssueRetentionRules(t *testing.T) {
	tests := []struct {
		purpose  PurposeID
		category CategoryID
		want     Retention
	}{
		{PurposeCheckout, CategoryContact, after(3, Months, EventCollected, Delete)},
		{PurposeCallRecording, CategoryCallRecordings, after(90, Days, EventCollected, Delete)},
		{PurposeCallRecording, CategoryScreenShares, after(30, Days, EventCollected, Delete)},
		{PurposeAMLScreening, CategoryAMLScreening, after(5, Years, EventRelationshipEnded, CryptoShred)},
		{PurposeBookkeeping, CategoryPayment, after(7, Years, EventYearEnd, Anonymise)},
		{PurposeLegalClaims, CategoryPurchase, after(10, Years, EventContractEnded, CryptoShred)},
	}
	for _, tt := range tests {
		p, ok := LookupPurpose(tt.purpose)
		if !ok {
			t.Fatalf("no purpose %s", tt.purpose)
		}
		if got, ok := p.RetentionFor(tt.category); !ok || got != tt.want {
			t.Errorf("%s/%s: retention %+v (%v), want %+v", tt.purpose, tt.category, got, ok, tt.want)
		}
	}
}

// TestErasureExceptions checks that exactly the purposes the law keeps
// survive erasure: AML, bookkeeping, legal claims and their kin.
func TestErasureExceptions(t *testing.T) {
	for _, p := range Purposes() {
		switch {
		case p.Erasure == KeptByLaw && p.Basis != LegalObligation:
			t.Errorf("%s is kept by law but its basis is %s", p.ID, p.Basis)
		case p.Erasure == KeptForLegalClaims && p.Retention.From != EventContractEnded:
			t.Errorf("%s is kept for legal claims but does not count from the end of the contract", p.ID)
		case p.Basis == Consent && p.Erasure != NoErasureException:
			t.Errorf("%s relies on consent but survives erasure", p.ID)
		}
	}
	for _, id := range []PurposeID{PurposeAMLScreening, PurposeBookkeeping, PurposeLegalClaims} {
		if p, _ := LookupPurpose(id); p.Erasure == NoErasureException {
			t.Errorf("%s must survive erasure", id)
		}
	}
}

func TestLookups(t *testing.T) {
	if _, ok := LookupCategory("nope"); ok {
		t.Error("LookupCategory found an unknown category")
	}
	if c, ok := LookupCategory(CategoryAMLScreening); !ok || !c.Special {
		t.Errorf("LookupCategory(aml_screening) = %+v, %v", c, ok)
	}
	if _, ok := LookupPurpose("nope"); ok {
		t.Error("LookupPurpose found an unknown purpose")
	}
	var using []PurposeID
	for _, p := range PurposesUsing(CategoryCallRecordings) {
		using = append(using, p.ID)
	}
	if !slices.Equal(using, []PurposeID{PurposeCallRecording}) {
		t.Errorf("PurposesUsing(call_recordings) = %v", using)
	}
	if len(Categories()) != len(categories) || len(Purposes()) != len(purposes) {
		t.Error("Categories or Purposes lost entries")
	}
}

// textKeys returns every catalog key the registry's texts use.
func textKeys() []string {
	keys := []string{
		"privacy.column.activities", "privacy.column.automated", "privacy.column.basis", "privacy.column.categories",
		"privacy.column.category", "privacy.column.controller", "privacy.column.data", "privacy.column.description",
		"privacy.column.erasure", "privacy.column.objection", "privacy.column.purpose", "privacy.column.recipients",
		"privacy.column.retention", "privacy.column.rights", "privacy.column.security", "privacy.column.sources",
		"privacy.column.special", "privacy.column.stored_in", "privacy.column.subjects", "privacy.column.transfers",
		"privacy.notice.intro", "privacy.notice.title", "privacy.recipients.none",
		"privacy.record.controller_placeholder", "privacy.record.intro", "privacy.record.not_stored", "privacy.record.title", "privacy.record.transfers",
		"privacy.retention.after", "privacy.retention.category", "privacy.retention.until",
		"privacy.rights.automated", "privacy.rights.none", "privacy.rights.object", "privacy.rights.withdraw",
		"privacy.yes", "privacy.no",
	}
	keys = append(keys, securityMeasures...)
	for _, c := range categories {
		keys = append(keys, c.ID.NameKey(), c.ID.AboutKey())
	}
	for _, p := range purposes {
		keys = append(keys, p.ID.NameKey(), p.ID.AboutKey())
		if p.Overriding {
			keys = append(keys, p.OverridingKey())
		}
	}
	for _, s := range knownSources {
		keys = append(keys, s.NameKey())
	}
	for _, r := range knownRecipients {
		keys = append(keys, r.NameKey())
	}
	for _, s := range knownSubjects {
		keys = append(keys, s.NameKey())
	}
	for _, b := range knownBases {
		keys = append(keys, b.NameKey())
	}
	for _, s := range knownSpecial {
		if s != NoSpecialCondition {
			keys = append(keys, s.NameKey())
		}
	}
	for _, e := range knownErasure {
		keys = append(keys, e.NameKey())
	}
	for _, e := range []Event{EventCollected, EventYearEnd, EventRelationshipEnded, EventContractEnded, EventConsentWithdrawn, EventObjected, EventExpired, EventClosed} {
		keys = append(keys, e.NameKey())
	}
	for _, a := range []Action{Delete, Anonymise, CryptoShred} {
		keys = append(keys, a.NameKey())
	}
	for _, u := range []Unit{Days, Months, Years} {
		keys = append(keys, periodKey(Period{N: 1, Unit: u}), periodKey(Period{N: 2, Unit: u}))
	}
	return keys
}

// TestEveryTextTranslated checks that each text the registry shows exists
// in every language, and that the privacy catalog holds nothing else.
func TestEveryTextTranslated(t *testing.T) {
	keys := textKeys()
	for _, lang := range i18n.Supported {
		for _, key := range keys {
			if _, ok := i18n.Message(lang, key); !ok {
				t.Errorf("%s: no message %q", lang, key)
			}
		}
	}
	for _, key := range i18n.Keys(i18n.English) {
		if strings.HasPrefix(key, "privacy.") && !slices.Contains(keys, key) {
			t.Errorf("message %q is used by nothing in package privacy", key)
		}
	}
}
