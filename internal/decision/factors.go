package decision

import (
	"encoding/json"
	"strings"

	"github.com/tillit/tillit/internal/risk"
)

// Factor is one thing that weighed in an automated decision, as the person
// reads it: a group of the fraud model's features ("how many purchases
// were made recently") rather than the features themselves.
type Factor struct {
	// Group names the group ("velocity", "device"...).
	Group string
	// Key is the catalog key of its explanation.
	Key string
}

// factorGroups maps feature-name prefixes (package features) to the
// groups the person is told about; the first matching prefix wins.
var factorGroups = []struct{ prefix, group string }{
	{"amount", "amount"}, {"customer_mean", "amount"},
	{"hour", "time"}, {"night", "time"}, {"weekend", "time"},
	{"account_age", "history"}, {"new_account", "history"}, {"customer_no_history", "history"}, {"customer_count_30d", "history"},
	{"email_age", "email"}, {"new_email", "email"},
	{"billing_shipping", "address"}, {"new_shipping", "address"}, {"shipping_", "address"},
	{"device_", "device"}, {"new_device", "device"}, {"customer_devices", "device"},
	{"ip_", "network"}, {"new_ip", "network"},
	{"customer_", "velocity"}, {"email_", "velocity"},
	{"merchant_", "merchant"}, {"new_merchant", "merchant"},
}

// factorGroup returns the group of a feature; "other" for one no prefix
// covers.
func factorGroup(feature string) string {
	for _, g := range factorGroups {
		if strings.HasPrefix(feature, g.prefix) {
			return g.group
		}
	}
	return "other"
}

// explainFactors turns a decision record's factors, largest first, into
// the groups the person reads, each once, in that order.
func explainFactors(fs []risk.Factor) []Factor {
	out := []Factor{}
	seen := map[string]bool{}
	for _, f := range fs {
		g := factorGroup(f.Name)
		if seen[g] {
			continue
		}
		seen[g] = true
		out = append(out, Factor{Group: g, Key: "decision.factor." + g})
	}
	return out
}

// recordDetail is what the decision record (package risk/record) keeps
// beside outcome and reasons; only the parts shown to the person (Summary
// only for card purchases, whose factors are what it names).
type recordDetail struct {
	Factors  []risk.Factor     `json:"factors"`
	Versions map[string]string `json:"versions"`
	Summary  map[string]string `json:"summary"`
}

// parseRecord reads a decision record's detail column; "" (no record: an
// authorization from before records were kept) gives the zero value.
func parseRecord(detail string) (recordDetail, error) {
	var d recordDetail
	if detail == "" {
		return d, nil
	}
	err := json.Unmarshal([]byte(detail), &d)
	return d, err
}

// kindVersions are the versions (decision record keys) each kind of
// decision depends on.
var kindVersions = map[Kind][]string{
	Credit: {"credit_policy"},
	Fraud:  {"rules", "model"},
	AML:    {"lists"},
}

// VersionName is a version's name in the catalog.
type VersionName struct {
	Key     string // catalog key of what it is ("decision.version.model")
	Version string
}

// versionsOf returns the versions a decision of kind k depended on, in
// kindVersions order, from a record's versions.
func versionsOf(k Kind, versions map[string]string) []VersionName {
	out := []VersionName{}
	for _, name := range kindVersions[k] {
		if v, ok := versions[name]; ok {
			out = append(out, VersionName{Key: "decision.version." + name, Version: v})
		}
	}
	return out
}
