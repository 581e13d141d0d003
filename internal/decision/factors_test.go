package decision

import (
	"slices"
	"testing"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/features"
)

// TestEveryFeatureHasAGroup: every fraud model feature is explained to the
// person by one of the groups, and every group (and every factor of a card
// purchase's credit check) in every language.
func TestEveryFeatureHasAGroup(t *testing.T) {
	groups := map[string]bool{}
	for _, name := range features.Names() {
		g := factorGroup(name)
		if g == "other" {
			t.Errorf("feature %s has no group", name)
		}
		groups[g] = true
	}
	groups["other"] = true
	for _, f := range creditFactors {
		groups[f.group] = true
	}
	for g := range groups {
		for _, lang := range i18n.Supported {
			if _, ok := i18n.Message(lang, "decision.factor."+g); !ok {
				t.Errorf("%s: no explanation of factor group %s", lang, g)
			}
		}
	}
	for _, names := range kindVersions {
		for _, n := range names {
			for _, lang := range i18n.Supported {
				if _, ok := i18n.Message(lang, "decision.version."+n); !ok {
					t.Errorf("%s: no name for version %s", lang, n)
				}
			}
		}
	}
}

func TestExplainFactorsGroupsOnceInOrder(t *testing.T) {
	got := explainFactors([]risk.Factor{
		{Name: "device_customers_7d"}, {Name: "new_account"}, {Name: "device_count_1h"}, {Name: "hour"}, {Name: "mystery"},
	})
	var names []string
	for _, f := range got {
		names = append(names, f.Group)
	}
	if !slices.Equal(names, []string{"device", "history", "time", "other"}) {
		t.Errorf("groups %v", names)
	}
}
