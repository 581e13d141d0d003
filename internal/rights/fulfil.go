package rights

import (
	"fmt"
	"strings"

	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/store"
)

// Fulfillers returns what carries out access, portability, erasure,
// restriction and objection requests, for dsr.Config.Fulfillers.
// Rectification is answered by the data protection team by hand, with
// Rectify.
func (s *Service) Fulfillers() map[dsr.Kind]dsr.Fulfiller {
	return map[dsr.Kind]dsr.Fulfiller{
		dsr.KindAccess:      dsr.FulfillerFunc(s.fulfilAccess),
		dsr.KindPortability: dsr.FulfillerFunc(s.fulfilPortability),
		dsr.KindErasure:     dsr.FulfillerFunc(s.fulfilErasure),
		dsr.KindRestriction: dsr.FulfillerFunc(s.fulfilRestriction),
		dsr.KindObjection:   dsr.FulfillerFunc(s.fulfilObjection),
	}
}

// fulfilAccess answers with the access extract as a JSON document.
func (s *Service) fulfilAccess(tx *store.Tx, r dsr.Request) (dsr.Outcome, error) {
	x, err := s.Access(tx, r.PersonID, r.Locale)
	if err != nil {
		return dsr.Outcome{}, err
	}
	return extractOutcome(x, r, "rights.access.done", "access")
}

// fulfilPortability answers with the portable export as a JSON document.
func (s *Service) fulfilPortability(tx *store.Tx, r dsr.Request) (dsr.Outcome, error) {
	x, err := s.Portable(tx, r.PersonID, r.Locale)
	if err != nil {
		return dsr.Outcome{}, err
	}
	return extractOutcome(x, r, "rights.portability.done", "portable-data")
}

// extractOutcome hands over an extract, one item per category.
func extractOutcome(x Extract, r dsr.Request, doneKey, name string) (dsr.Outcome, error) {
	body, err := x.JSON()
	if err != nil {
		return dsr.Outcome{}, err
	}
	out := dsr.Outcome{
		Status: dsr.StatusCompleted,
		Items:  []dsr.Item{{Done: true, Reason: doneKey}},
		Document: &dsr.Document{
			Name:        fmt.Sprintf("tillit-%s-%s.json", name, strings.ToLower(r.Reference)),
			ContentType: "application/json",
			Body:        body,
		},
	}
	for _, c := range x.Categories {
		out.Items = append(out.Items, dsr.Item{What: c.ID.NameKey(), Done: true, Reason: "rights.extract.included"})
	}
	return out, nil
}

// fulfilErasure erases the person and lists, category by category, what
// went and what the law keeps, why and until when.
func (s *Service) fulfilErasure(tx *store.Tx, r dsr.Request) (dsr.Outcome, error) {
	er, err := s.Erase(tx, r.PersonID)
	if err != nil {
		return dsr.Outcome{}, err
	}
	out := dsr.Outcome{Status: dsr.StatusCompleted}
	for _, c := range er.Erased {
		out.Items = append(out.Items, dsr.Item{What: c.NameKey(), Done: true, Reason: "rights.erasure.erased"})
	}
	for _, k := range er.Kept {
		out.Status = dsr.StatusPartlyCompleted
		out.Items = append(out.Items, dsr.Item{What: k.Category.NameKey(), Reason: keptReason(k, r.Locale), Until: k.Until})
	}
	if len(out.Items) == 0 {
		out.Items = []dsr.Item{{Done: true, Reason: "rights.erasure.nothing_held"}}
	}
	return out, nil
}

// keptReason says in lang why a category is kept: the open contract, and
// the purposes whose legal grounds survive the erasure, grouped by ground.
func keptReason(k Kept, lang i18n.Lang) string {
	byGround := map[privacy.ErasureException][]string{}
	var order []privacy.ErasureException
	for _, id := range k.Grounds {
		p, _ := privacy.LookupPurpose(id)
		if _, seen := byGround[p.Erasure]; !seen {
			order = append(order, p.Erasure)
		}
		byGround[p.Erasure] = append(byGround[p.Erasure], i18n.T(lang, id.NameKey()))
	}
	var grounds []string
	for _, e := range order {
		grounds = append(grounds, i18n.T(lang, "rights.erasure.ground."+groundKey(e), "purposes", strings.Join(byGround[e], ", ")))
	}
	key := "rights.erasure.kept"
	if k.OpenContract {
		key = "rights.erasure.kept_open_contract"
	}
	return i18n.T(lang, key, "grounds", strings.Join(grounds, "; "))
}

// groundKey names a ground in the catalog.
func groundKey(e privacy.ErasureException) string {
	if e == privacy.NoErasureException {
		return "contract"
	}
	return string(e)
}
