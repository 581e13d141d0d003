package decision

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/fraud"
	"github.com/tillit/tillit/internal/screening"
)

// TestEveryReasonExplained pins reason codes of the risk checks to their
// kinds and checks that every code has an explanation in every language.
func TestEveryReasonExplained(t *testing.T) {
	want := map[string]Kind{
		risk.ReasonUnderage: Credit, risk.ReasonIdentityIncomplete: Credit, risk.ReasonAmountOverLimit: Credit,
		risk.ReasonHighAmountReview: Fraud, risk.ReasonCountryMismatch: Fraud, risk.ReasonShippingCountry: Fraud,
		risk.ReasonTestDenied: Fraud, risk.ReasonTestPending: Fraud,
		fraud.ReasonScoreReview: Fraud, fraud.ReasonScoreHigh: Fraud,
		screening.ReasonSanctionsMatch: AML,
	}
	for code, k := range want {
		r := Explain(code)
		if r.Kind != k || r.Code != code || r.Key != "decision.reason."+strings.ToLower(code) {
			t.Errorf("Explain(%s) = %+v, want kind %s", code, r, k)
		}
	}
	for _, code := range append(slices.Collect(maps.Keys(reasonKinds)), "SOMETHING_NEW") {
		for _, lang := range i18n.Supported {
			if _, ok := i18n.Message(lang, Explain(code).Key); !ok {
				t.Errorf("%s: no explanation of %s", lang, code)
			}
		}
	}
	if r := Explain("SOMETHING_NEW"); r.Kind != Fraud || r.Key != otherReasonKey {
		t.Errorf("unknown code = %+v", r)
	}
	for _, k := range Kinds() {
		for _, key := range []string{k.NameKey(), k.AboutKey()} {
			if !i18n.Has(key) {
				t.Errorf("no message %s", key)
			}
		}
	}
}

// TestSplit covers how one assessment becomes decisions, including AML
// reasons of a future screening check.
func TestSplit(t *testing.T) {
	reasonKinds["SANCTIONS_LIST_MATCH"] = AML
	t.Cleanup(func() { delete(reasonKinds, "SANCTIONS_LIST_MATCH") })
	tests := []struct {
		name        string
		status      string
		reasons     []string
		orderStatus string
		want        []string
	}{
		{"approved", risk.Accepted, nil, "", []string{"credit:approved", "fraud:approved"}},
		{"referred", risk.Pending, []string{risk.ReasonShippingCountry, risk.ReasonHighAmountReview}, "", []string{"credit:approved", "fraud:referred"}},
		{"referred then accepted", risk.Pending, []string{risk.ReasonHighAmountReview}, risk.Accepted, []string{"credit:approved", "fraud:referred->approved"}},
		{"referred then rejected", risk.Pending, []string{risk.ReasonHighAmountReview}, risk.Rejected, []string{"credit:approved", "fraud:referred->refused"}},
		{"referred then stopped", risk.Pending, []string{risk.ReasonHighAmountReview}, "STOPPED", []string{"credit:approved", "fraud:referred"}},
		{"refused by credit after a referral", risk.Rejected, []string{risk.ReasonHighAmountReview, risk.ReasonAmountOverLimit}, "", []string{"credit:refused", "fraud:referred"}},
		{"refused by identity", risk.Rejected, []string{risk.ReasonUnderage}, "", []string{"credit:refused"}},
		{"refused by fraud", risk.Rejected, []string{risk.ReasonCountryMismatch}, "", []string{"fraud:refused"}},
		{"refused by screening", risk.Rejected, []string{"SANCTIONS_LIST_MATCH"}, "", []string{"aml:refused"}},
		{"screening referral", risk.Pending, []string{"SANCTIONS_LIST_MATCH"}, "", []string{"credit:approved", "fraud:approved", "aml:referred"}},
		{"refused without reasons", risk.Rejected, nil, "", []string{"credit:refused"}},
	}
	for _, tt := range tests {
		var got []string
		refs := map[string]bool{}
		for _, d := range split(assessment{token: "tok", fraudStatus: tt.status, reasons: tt.reasons, orderFraud: tt.orderStatus}) {
			s := string(d.Kind) + ":" + string(d.Outcome)
			if d.SettledAs != "" {
				s += "->" + string(d.SettledAs)
			}
			got = append(got, s)
			if refs[d.Ref] || !strings.HasSuffix(d.Ref, "-"+string(d.Kind)) || d.Reasons == nil {
				t.Errorf("%s: decision %+v", tt.name, d)
			}
			refs[d.Ref] = true
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if decisionRef("a", Credit) == decisionRef("b", Credit) || decisionRef("a", Credit) == decisionRef("a", Fraud) {
		t.Error("decision references collide")
	}
}

// TestSealedColumnsDeclared checks that the registry declares the sealed
// columns in the vault contexts this package seals them in.
func TestSealedColumnsDeclared(t *testing.T) {
	for col, ctx := range map[string]string{
		"decision_contests.statement": contextStatement,
		"decision_contests.reply_to":  contextReplyTo,
		"decision_contests.note":      contextNote,
	} {
		c, ok := privacy.LookupColumn(col)
		if !ok || c.SealedContext != ctx || !c.Personal() {
			t.Errorf("%s = %+v, want sealed in %s", col, c, ctx)
		}
	}
}
