// Package rights carries out people's data-protection rights over
// everything the privacy registry says Tillit holds about them
// (requirements D2, D3 and D5): it finds every row about a person through
// the registry's table links (privacy.PersonLinks), opens what the vault
// sealed for them, and from that builds the access extract (by data
// category, with purposes, sources, recipients, disclosures and retention),
// the portable export, and the erasure that keeps exactly what the law
// requires and says until when.
//
// Nothing here knows the tables by heart: a new table holding personal data
// is classified in internal/privacy (columns.go, links.go) and from then on
// appears in extracts and is erased by the same rules. The data-subject
// request lifecycle (deadlines, the queue, the answer) lives in package
// dsr; Fulfillers adapts this package to it.
package rights

import (
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Service carries out data-subject rights.
type Service struct {
	DB    *store.DB
	Vault *vault.Vault
}

// New returns a Service.
func New(db *store.DB, vlt *vault.Vault) *Service { return &Service{DB: db, Vault: vlt} }
