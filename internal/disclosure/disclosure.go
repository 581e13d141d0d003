// Package disclosure keeps the disclosure log (requirement D10): every time
// personal data of a person goes to someone outside Tillit (the shop they
// bought from, a credit bureau, a debt collector, an authority, a processor
// or a payment provider), what went (the data categories of the purpose
// registry), to whom, for which purpose and on which legal basis, and what
// it was about (an order, say). Access reports (D2) and the consumer app
// list a person's disclosures from here.
//
// Record checks each entry against the registry of package privacy: the
// purpose exists, discloses to that kind of recipient and uses every
// category named, and the legal basis is the purpose's. The caller records
// a disclosure in the transaction that makes it, so the log never claims a
// disclosure that did not happen nor misses one that did. Reports to
// authorities that the law forbids telling the person about (a suspicious
// transaction report under anti-money-laundering law) do not belong here.
package disclosure

import (
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/store"
)

// RecipientKind is the kind of party data was disclosed to.
type RecipientKind string

// The kinds of recipients.
const (
	Merchant        RecipientKind = "merchant"
	CreditBureau    RecipientKind = "credit_bureau"
	DebtCollector   RecipientKind = "debt_collector"
	Authority       RecipientKind = "authority"
	Processor       RecipientKind = "processor"
	PaymentProvider RecipientKind = "payment_provider"
)

// registryRecipient maps each kind to the recipient of the purpose
// registry its purposes must name.
var registryRecipient = map[RecipientKind]privacy.Recipient{
	Merchant:        privacy.RecipientMerchants,
	CreditBureau:    privacy.RecipientCreditBureaus,
	DebtCollector:   privacy.RecipientDebtCollectors,
	Authority:       privacy.RecipientAuthorities,
	Processor:       privacy.RecipientProcessors,
	PaymentProvider: privacy.RecipientPaymentProviders,
}

// Valid reports whether k is one of the recipient kinds.
func (k RecipientKind) Valid() bool {
	_, ok := registryRecipient[k]
	return ok
}

// Key is the catalog key of the kind's name, for the person.
func (k RecipientKind) Key() string { return "disclosure.recipient." + string(k) }

// Limits of the free-text fields, in characters.
const (
	maxName = 200
	maxID   = 200
	maxRef  = 200
)

// Disclosure is one disclosure of a person's data.
type Disclosure struct {
	ID       string `json:"id"`
	PersonID string `json:"person_id"`
	// RecipientKind, RecipientID and RecipientName say who received the
	// data: RecipientID is its id where Tillit has one (a merchant's),
	// RecipientName its name at the time.
	RecipientKind RecipientKind `json:"recipient_kind"`
	RecipientID   string        `json:"recipient_id,omitempty"`
	RecipientName string        `json:"recipient_name"`
	// Categories are the kinds of data disclosed.
	Categories []privacy.CategoryID `json:"categories"`
	// Purpose is why, and LegalBasis the purpose's lawful basis.
	Purpose    privacy.PurposeID  `json:"purpose"`
	LegalBasis privacy.LegalBasis `json:"legal_basis"`
	// Reference is what it was about, such as an order id.
	Reference  string    `json:"reference,omitempty"`
	OccurredAt time.Time `json:"occurred_at"`
}

// validate checks d against the registry.
func (d Disclosure) validate() error {
	switch {
	case d.PersonID == "":
		return apperr.BadField("person_id", "is required")
	case !d.RecipientKind.Valid():
		return apperr.BadField("recipient_kind", "must be merchant, credit_bureau, debt_collector, authority, processor or payment_provider")
	case strings.TrimSpace(d.RecipientName) == "" || utf8.RuneCountInString(d.RecipientName) > maxName:
		return apperr.BadField("recipient_name", "is required, at most %d characters", maxName)
	case len(d.RecipientID) > maxID:
		return apperr.BadField("recipient_id", "must be at most %d characters", maxID)
	case len(d.Reference) > maxRef:
		return apperr.BadField("reference", "must be at most %d characters", maxRef)
	case len(d.Categories) == 0:
		return apperr.BadField("categories", "must name at least one data category")
	}
	p, ok := privacy.LookupPurpose(d.Purpose)
	if !ok {
		return apperr.BadField("purpose", "%q is not a purpose of the registry", d.Purpose)
	}
	if !slices.Contains(p.Recipients, registryRecipient[d.RecipientKind]) {
		return apperr.BadField("recipient_kind", "%s is not a recipient of purpose %s", d.RecipientKind, d.Purpose)
	}
	if d.LegalBasis != p.Basis {
		return apperr.BadField("legal_basis", "must be %s, the basis of purpose %s", p.Basis, d.Purpose)
	}
	for i, c := range d.Categories {
		if _, ok := privacy.LookupCategory(c); !ok {
			return apperr.BadField("categories", "%q is not a category of the registry", c)
		}
		if !p.Uses(c) {
			return apperr.BadField("categories", "%s is not used by purpose %s", c, d.Purpose)
		}
		if slices.Contains(d.Categories[:i], c) {
			return apperr.BadField("categories", "names %s twice", c)
		}
	}
	return nil
}

// Record adds d to the log in tx and returns it with its id and time (tx's
// time when OccurredAt is zero). Errors, writing nothing: BAD_VALUE for a
// missing or unknown person, a missing recipient, an unknown recipient
// kind, purpose or category, a purpose that does not disclose to that kind
// of recipient or does not use a category, or a legal basis that is not
// the purpose's.
func Record(tx *store.Tx, d Disclosure) (Disclosure, error) {
	if err := d.validate(); err != nil {
		return Disclosure{}, err
	}
	var known int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM persons WHERE id = $1`, d.PersonID).Scan(&known); err != nil {
		return Disclosure{}, err
	}
	if known == 0 {
		return Disclosure{}, apperr.BadField("person_id", "is not a known person")
	}
	d.ID = ids.New()
	if d.OccurredAt.IsZero() {
		d.OccurredAt = tx.Now
	}
	d.OccurredAt = d.OccurredAt.UTC().Truncate(time.Microsecond)
	d.Categories = slices.Clone(d.Categories)
	cats, _ := json.Marshal(d.Categories)
	_, err := tx.Exec(`INSERT INTO disclosures (id, person_id, recipient_kind, recipient_id, recipient_name, categories, purpose, legal_basis, reference, occurred_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		d.ID, d.PersonID, string(d.RecipientKind), d.RecipientID, d.RecipientName, string(cats), string(d.Purpose), string(d.LegalBasis),
		d.Reference, store.Micros(d.OccurredAt))
	if err != nil {
		return Disclosure{}, err
	}
	return d, nil
}

// OrderPlaced records what a merchant receives about the buyer when an
// order is placed: their identity, contact details and address, to carry
// out the purchase under the credit agreement (a contract, Art. 6(1)(b)),
// with the order id as reference. Call it in the transaction that places
// the order. Errors: BAD_VALUE for an empty person, NOT_FOUND for an
// unknown merchant.
func OrderPlaced(tx *store.Tx, personID, merchantID, orderID string) error {
	var name string
	err := tx.QueryRow(`SELECT name FROM merchants WHERE id = $1`, merchantID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, "No such merchant.")
	}
	if err != nil {
		return err
	}
	p, _ := privacy.LookupPurpose(privacy.PurposeCreditAgreement)
	_, err = Record(tx, Disclosure{
		PersonID: personID, RecipientKind: Merchant, RecipientID: merchantID, RecipientName: name,
		Categories: []privacy.CategoryID{privacy.CategoryIdentity, privacy.CategoryContact, privacy.CategoryAddress},
		Purpose:    p.ID, LegalBasis: p.Basis, Reference: orderID,
	})
	return err
}

// ForPerson returns every disclosure of the person's data, newest first.
func ForPerson(tx *store.Tx, personID string) ([]Disclosure, error) {
	rows, err := tx.Query(`SELECT id, person_id, recipient_kind, recipient_id, recipient_name, categories, purpose, legal_basis, reference, occurred_at
		FROM disclosures WHERE person_id = $1 ORDER BY occurred_at DESC, id DESC`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Disclosure{}
	for rows.Next() {
		var (
			d          Disclosure
			kind, cats string
			purpose    string
			basis      string
			at         int64
		)
		if err := rows.Scan(&d.ID, &d.PersonID, &kind, &d.RecipientID, &d.RecipientName, &cats, &purpose, &basis, &d.Reference, &at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(cats), &d.Categories); err != nil {
			return nil, err
		}
		d.RecipientKind, d.Purpose, d.LegalBasis, d.OccurredAt = RecipientKind(kind), privacy.PurposeID(purpose), privacy.LegalBasis(basis), store.FromMicros(at)
		out = append(out, d)
	}
	return out, rows.Err()
}
