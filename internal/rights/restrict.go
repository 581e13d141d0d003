package rights

import (
	"strings"

	"github.com/tillit/tillit/internal/consent"
	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/restriction"
	"github.com/tillit/tillit/internal/store"
)

// Intakes returns what takes effect the moment a restriction or objection
// request is filed, for dsr.Config.Intakes: the restriction of the
// categories named (Art. 18(1)(a) and (d): while Tillit checks the
// request), the objection to the purposes named (processing stops while
// Tillit weighs its grounds), and, for an objection to direct marketing,
// the withdrawal of the marketing consent (Art. 21(3)).
func (s *Service) Intakes() map[dsr.Kind]dsr.Intake {
	return map[dsr.Kind]dsr.Intake{
		dsr.KindRestriction: restrictOnFiling,
		dsr.KindObjection:   objectOnFiling,
	}
}

// restrictOnFiling restricts the categories a request names.
func restrictOnFiling(tx *store.Tx, r dsr.Request, actor string) error {
	_, err := restriction.Restrict(tx, r.PersonID, categoriesOf(r.Scope), r.ID, actor)
	return err
}

// objectOnFiling records the objections a request makes.
func objectOnFiling(tx *store.Tx, r dsr.Request, actor string) error {
	var purposes []privacy.PurposeID
	for _, id := range r.Scope {
		if privacy.PurposeID(id) == privacy.PurposeDirectMarketing {
			if _, err := consent.SetTx(tx, r.PersonID, consent.DirectMarketing, false, consent.SourceObjection, actor); err != nil {
				return err
			}
			continue
		}
		purposes = append(purposes, privacy.PurposeID(id))
	}
	if len(purposes) == 0 {
		return nil
	}
	_, err := restriction.Object(tx, r.PersonID, purposes, r.ID, actor)
	return err
}

// categoriesOf converts a restriction request's scope.
func categoriesOf(scope []string) []privacy.CategoryID {
	out := make([]privacy.CategoryID, len(scope))
	for i, id := range scope {
		out[i] = privacy.CategoryID(id)
	}
	return out
}

// fulfilRestriction answers a restriction request: each category named
// stays restricted (the intake restricted it on filing; it is restricted
// again here should that entry have been lifted meanwhile) until the data
// protection team lifts it, telling the person first.
func (s *Service) fulfilRestriction(tx *store.Tx, r dsr.Request) (dsr.Outcome, error) {
	actor := "request:" + r.ID
	entries, err := restriction.Restrict(tx, r.PersonID, categoriesOf(r.Scope), r.ID, actor)
	if err != nil {
		return dsr.Outcome{}, err
	}
	out := dsr.Outcome{Status: dsr.StatusCompleted}
	for _, e := range entries {
		out.Items = append(out.Items, dsr.Item{What: e.TargetKey(), Done: true,
			Reason: i18n.T(r.Locale, "rights.restriction.in_force", "purposes", heedingPurposes(r.Locale, privacy.CategoryID(e.Target)))})
	}
	return out, nil
}

// heedingPurposes names in lang the purposes a restriction of c stops.
func heedingPurposes(lang i18n.Lang, c privacy.CategoryID) string {
	var names []string
	for _, p := range privacy.PurposesUsing(c) {
		if p.Basis == privacy.LegitimateInterest && !p.ForLegalClaims() {
			names = append(names, i18n.T(lang, p.ID.NameKey()))
		}
	}
	return strings.Join(names, ", ")
}

// fulfilObjection answers an objection: direct marketing stopped when the
// request was filed; a purpose for which the registry records compelling
// legitimate grounds (privacy.Purpose.Overriding) goes on, its objection
// lifted with those grounds as the reason; every other purpose stays
// stopped for the person.
func (s *Service) fulfilObjection(tx *store.Tx, r dsr.Request) (dsr.Outcome, error) {
	actor := "request:" + r.ID
	if err := objectOnFiling(tx, r, actor); err != nil {
		return dsr.Outcome{}, err
	}
	entries, err := restriction.ForRequest(tx, r.ID)
	if err != nil {
		return dsr.Outcome{}, err
	}
	out := dsr.Outcome{Status: dsr.StatusCompleted}
	for _, id := range r.Scope {
		p, _ := privacy.LookupPurpose(privacy.PurposeID(id))
		item := dsr.Item{What: p.ID.NameKey(), Done: true, Reason: "rights.objection.upheld"}
		switch {
		case p.DirectMarketing() && p.Basis == privacy.Consent:
			item.Reason = "rights.objection.marketing_stopped"
		case p.Overriding:
			for _, e := range entries {
				if e.Kind == restriction.KindObjection && e.Target == id && e.InForce() {
					if _, err := restriction.Lift(tx, e.ID, actor, p.OverridingKey()); err != nil {
						return dsr.Outcome{}, err
					}
				}
			}
			item.Done, item.Reason = false, i18n.T(r.Locale, "rights.objection.overridden", "grounds", i18n.T(r.Locale, p.OverridingKey()))
			out.Status = dsr.StatusPartlyCompleted
		}
		out.Items = append(out.Items, item)
	}
	return out, nil
}
