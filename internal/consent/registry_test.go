package consent_test

import (
	"testing"

	"github.com/tillit/tillit/internal/consent"
	"github.com/tillit/tillit/internal/privacy"
)

// TestEveryConsentPurposeIsARegisteredConsentPurpose checks each purpose a
// person can consent to is declared in the privacy registry with consent as
// its lawful basis, so the record of processing and the consents agree.
func TestEveryConsentPurposeIsARegisteredConsentPurpose(t *testing.T) {
	for _, p := range consent.Purposes() {
		reg, ok := privacy.LookupPurpose(privacy.PurposeID(p))
		if !ok {
			t.Errorf("consent purpose %s is not in the privacy registry", p)
			continue
		}
		if reg.Basis != privacy.Consent {
			t.Errorf("consent purpose %s has basis %s in the registry, want consent", p, reg.Basis)
		}
	}
	// And the other way: whatever the registry bases on consent, a person
	// can give and withdraw.
	for _, reg := range privacy.Purposes() {
		if reg.Basis == privacy.Consent && !consent.Purpose(reg.ID).Valid() {
			t.Errorf("registry purpose %s is based on consent but cannot be consented to", reg.ID)
		}
	}
}
