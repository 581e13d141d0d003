package decision

import (
	"strings"

	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/credit"
	"github.com/tillit/tillit/internal/risk/fraud"
	"github.com/tillit/tillit/internal/risk/postapproval"
	"github.com/tillit/tillit/internal/screening"
)

// Reason is one reason of a decision: the risk check's code, the kind of
// decision it belongs to and the catalog key of its explanation, written
// for the person it is about.
type Reason struct {
	Code string
	Kind Kind
	Key  string
}

// reasonKinds maps every reason code a risk check gives to the kind of
// decision it belongs to. A check that adds a code adds it here, with its
// explanation "decision.reason.<code in lower case>" in the decision
// catalogs (internal/i18n/locales/decision); TestEveryReasonExplained
// checks both.
var reasonKinds = map[string]Kind{
	// Whether Tillit may lend to the person at all, and how much.
	risk.ReasonUnderage:           Credit,
	risk.ReasonIdentityIncomplete: Credit,
	risk.ReasonAmountOverLimit:    Credit,
	// The credit decision: what the person owes, how they paid, the bureau.
	credit.ReasonOpenBalanceLimit:  Credit,
	credit.ReasonArrears:           Credit,
	credit.ReasonLateHistory:       Credit,
	credit.ReasonBureauDecline:     Credit,
	credit.ReasonBureauUnavailable: Credit,
	// The fraud rules.
	risk.ReasonHighAmountReview: Fraud,
	risk.ReasonCountryMismatch:  Fraud,
	risk.ReasonShippingCountry:  Fraud,
	risk.ReasonTestDenied:       Fraud,
	risk.ReasonTestPending:      Fraud,
	// The fraud model.
	fraud.ReasonScoreReview: Fraud,
	fraud.ReasonScoreHigh:   Fraud,
	// Sanctions screening: a person reviews a resemblance to a listed one.
	screening.ReasonSanctionsMatch: AML,
	// Post-approval reassessments: a new signal about an approved order.
	postapproval.ReasonLinkedFraud:      Fraud,
	postapproval.ReasonDeviceIdentities: Fraud,
	postapproval.ReasonPaymentFailed:    Fraud,
	postapproval.ReasonScreeningHit:     Fraud,
}

// otherReasonKey explains a code this package does not know.
const otherReasonKey = "decision.reason.other"

// Explain returns the reason a code stands for. A code missing from
// reasonKinds (a check added without updating it) counts as a fraud reason,
// the broadest of the checks, and is explained as "another check".
func Explain(code string) Reason {
	k, ok := reasonKinds[code]
	if !ok {
		return Reason{Code: code, Kind: Fraud, Key: otherReasonKey}
	}
	return Reason{Code: code, Kind: k, Key: "decision.reason." + strings.ToLower(code)}
}
