package rights

import (
	"slices"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/store"
)

// derived are the categories Tillit makes about a person rather than
// receives from them or from their use of the service (assessments,
// screening results, keys, digests and logs): they are in an access extract
// but not in a portable export (GDPR Art. 20 covers data the person
// provided).
var derived = []privacy.CategoryID{
	privacy.CategoryCredit, privacy.CategoryFraud, privacy.CategoryAMLScreening, privacy.CategoryLookupKeys,
	privacy.CategoryCredentials, privacy.CategorySessions, privacy.CategoryAuditTrail,
}

// portableBases are the legal bases under which data is portable.
var portableBases = []string{string(privacy.Consent), string(privacy.Contract)}

// Portable builds the portable export of the person (D3): the categories of
// data they provided that a purpose processes under their consent or a
// contract with them, in the extract's machine-readable shape.
func (s *Service) Portable(tx *store.Tx, personID string, lang i18n.Lang) (Extract, error) {
	x, err := s.Access(tx, personID, lang)
	if err != nil {
		return Extract{}, err
	}
	return portableOf(x), nil
}

// portableOf keeps the portable categories of an extract.
func portableOf(x Extract) Extract {
	var keep []CategoryExtract
	for _, c := range x.Categories {
		if slices.Contains(derived, c.ID) {
			continue
		}
		if slices.ContainsFunc(c.Purposes, func(p PurposeUse) bool { return slices.Contains(portableBases, p.LegalBasis.ID) }) {
			keep = append(keep, c)
		}
	}
	x.Categories = keep
	return x
}
