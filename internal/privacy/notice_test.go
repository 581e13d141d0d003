package privacy

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/i18n"
)

func TestNoticeListsConsumerPurposes(t *testing.T) {
	var want []PurposeID
	for _, p := range purposes {
		if slices.Contains(p.Subjects, SubjectConsumer) {
			want = append(want, p.ID)
		}
	}
	for _, lang := range i18n.Supported {
		n := BuildNotice(lang)
		var got []PurposeID
		for _, row := range n.Rows {
			got = append(got, row.ID)
			texts := [][]string{{row.Name, row.Description}, row.Data, row.Sources, row.Basis, row.Retention, row.Recipients, row.Rights}
			for _, group := range texts {
				if len(group) == 0 {
					t.Errorf("%s: %s has an empty column", lang, row.ID)
				}
				for _, s := range group {
					if s == "" || strings.HasPrefix(s, "privacy.") || strings.Contains(s, "{") {
						t.Errorf("%s: %s shows an untranslated or unfilled text %q", lang, row.ID, s)
					}
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: notice purposes %v, want %v", lang, got, want)
		}
		h := n.Headings
		for _, s := range []string{n.Title, n.Intro, h.Purpose, h.Data, h.Sources, h.Basis, h.Retention, h.Recipients, h.Rights} {
			if s == "" || strings.HasPrefix(s, "privacy.") {
				t.Errorf("%s: heading %q", lang, s)
			}
		}
	}
	if slices.Contains(want, PurposeWorkforceAccounts) {
		t.Error("the consumer notice shows purposes about staff only")
	}
	// The audit log records staff reading and changing consumers' data.
	if !slices.Contains(want, PurposeAccountability) {
		t.Error("the consumer notice does not say that staff access to their data is logged")
	}
}

// row returns the notice's row for purpose p.
func row(t *testing.T, n Notice, p PurposeID) NoticeRow {
	t.Helper()
	i := slices.IndexFunc(n.Rows, func(r NoticeRow) bool { return r.ID == p })
	if i < 0 {
		t.Fatalf("%s: no row for %s", n.Lang, p)
	}
	return n.Rows[i]
}

func TestNoticeTexts(t *testing.T) {
	tests := []struct {
		lang    i18n.Lang
		purpose PurposeID
		field   func(NoticeRow) []string
		want    []string
	}{
		{i18n.Danish, PurposeCallRecording, func(r NoticeRow) []string { return r.Retention },
			[]string{"90 dage efter indsamlingen; derefter slettes oplysningerne", "Skærmdelinger: 30 dage efter indsamlingen; derefter slettes oplysningerne"}},
		{i18n.English, PurposeCheckout, func(r NoticeRow) []string { return r.Retention },
			[]string{"3 months after collection, then deleted", "Sign-in credentials: Until their expiry or revocation, then deleted"}},
		{i18n.Dutch, PurposeCreditAgreement, func(r NoticeRow) []string { return r.Retention },
			[]string{"Tot het einde van de overeenkomst, daarna verwijderd"}},
		{i18n.Swedish, PurposeAMLScreening, func(r NoticeRow) []string { return r.Retention },
			[]string{"5 år efter kundförhållandets slut; därefter förstörs personens krypteringsnyckel så att uppgifterna inte längre kan läsas"}},
		{i18n.English, PurposeVulnerableCustomerSupport, func(r NoticeRow) []string { return r.Basis },
			[]string{"Consent (GDPR Art. 6(1)(a))", "Explicit consent for special categories (GDPR Art. 9(2)(a))"}},
		{i18n.English, PurposeVulnerableCustomerSupport, func(r NoticeRow) []string { return r.Recipients },
			[]string{"Nobody outside Tillit"}},
		{i18n.English, PurposeDirectMarketing, func(r NoticeRow) []string { return r.Rights },
			[]string{"You may withdraw your consent at any time.", "You may object at any time."}},
		{i18n.English, PurposeCreditAssessment, func(r NoticeRow) []string { return r.Rights },
			[]string{"Decisions are made automatically: you may contest one and have a person review it."}},
		{i18n.English, PurposeBookkeeping, func(r NoticeRow) []string { return r.Rights },
			[]string{"No right to object: the processing is needed for the agreement or required by law."}},
		{i18n.Danish, PurposeDebtCollection, func(r NoticeRow) []string { return r.Recipients },
			[]string{"Inkassobureauer"}},
	}
	for _, tt := range tests {
		if got := tt.field(row(t, BuildNotice(tt.lang), tt.purpose)); !slices.Equal(got, tt.want) {
			t.Errorf("%s %s: %q, want %q", tt.lang, tt.purpose, got, tt.want)
		}
	}
}

func TestNoticeJSON(t *testing.T) {
	b, err := json.Marshal(BuildNotice(i18n.Swedish))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Lang     string `json:"lang"`
		Headings struct {
			Retention string `json:"retention"`
		} `json:"headings"`
		Purposes []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"purposes"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Lang != "sv" || got.Headings.Retention != "Hur länge" || len(got.Purposes) == 0 || got.Purposes[0].Name != "Kassan" {
		t.Errorf("notice JSON: %+v", got)
	}
}
