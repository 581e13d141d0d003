package rights

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/store"
)

// Correction is a corrected value of one field of the person's identity or
// address (D4), named as in the consumer document: "billing_address.city",
// "customer.date_of_birth".
type Correction struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// RectifiableFields are the fields a rectification may correct. The e-mail
// address is not among them: it is how Tillit finds the person, and a new
// one is proved by signing in with it.
var RectifiableFields = []string{
	"billing_address.title", "billing_address.given_name", "billing_address.family_name", "billing_address.phone",
	"billing_address.street_address", "billing_address.street_address2", "billing_address.postal_code",
	"billing_address.city", "billing_address.region", "billing_address.care_of",
	"customer.date_of_birth", "customer.national_identification_number",
}

// maxCorrection bounds a corrected value.
const maxCorrection = 200

// sealedDocuments are the sealed columns holding the person's consumer
// document or a purchase's personal fields, with the key of their rows.
var sealedDocuments = []struct{ table, column, key string }{
	{"authorizations", "consumer", "token"},
	{"orders", "consumer", "id"},
	{"orders", "personal", "id"},
	{"payment_sessions", "personal", "id"},
}

// Rectify corrects fields of the person's identity and address wherever
// Tillit keeps them (every sealed consumer document and purchase), sealing
// each corrected document again under their key, and returns how many
// documents changed. Errors: BAD_VALUE (an unknown field, an empty, overlong
// or malformed value), NOT_FOUND (an erased person).
func (s *Service) Rectify(tx *store.Tx, personID string, corrections []Correction) (int, error) {
	if len(corrections) == 0 {
		return 0, apperr.BadField("corrections", "is empty")
	}
	for i, c := range corrections {
		if err := c.validate(); err != nil {
			return 0, apperr.BadField("corrections["+strconv.Itoa(i)+"]", "%s", err.Error())
		}
	}
	p, err := person.Get(tx, personID)
	if err != nil {
		return 0, apperr.New(apperr.NotFound, "No such person.")
	}
	if p.ConsumerKey == "" {
		return 0, apperr.New(apperr.NotFound, "The person's data was erased.")
	}
	h, err := s.Collect(tx, personID)
	if err != nil {
		return 0, err
	}
	changed := 0
	for _, d := range sealedDocuments {
		col, _ := privacy.LookupColumn(d.table + "." + d.column)
		for _, r := range h.Tables[d.table] {
			raw, ok := r.Values[d.column].(json.RawMessage)
			if !ok {
				continue
			}
			doc, edited, err := applyCorrections(raw, corrections)
			if err != nil || !edited {
				if err != nil {
					return 0, err
				}
				continue
			}
			sealed, err := s.Vault.Seal(tx, personID, col.SealedContext, doc)
			if err != nil {
				return 0, err
			}
			if err := tx.ExecOne(`UPDATE `+d.table+` SET `+d.column+` = $1 WHERE `+d.key+` = $2`, sealed, r.Values[d.key]); err != nil {
				return 0, err
			}
			changed++
		}
	}
	return changed, nil
}

// datePattern is the shape of a date of birth.
var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// validate checks a correction.
func (c Correction) validate() error {
	if !slices.Contains(RectifiableFields, c.Field) {
		return fmt.Errorf("field %q cannot be corrected", c.Field)
	}
	v := strings.TrimSpace(c.Value)
	switch {
	case v == "" || len(v) > maxCorrection:
		return fmt.Errorf("the value must be 1 to %d characters", maxCorrection)
	case c.Field == "customer.date_of_birth":
		if _, err := time.Parse(time.DateOnly, v); err != nil || !datePattern.MatchString(v) {
			return errors.New("a date of birth is written YYYY-MM-DD")
		}
	}
	return nil
}

// applyCorrections sets the corrected fields present in a document (a
// field whose object the document lacks is left out: a purchase without a
// customer gets none).
func applyCorrections(raw json.RawMessage, corrections []Correction) ([]byte, bool, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, false, err
	}
	edited := false
	for _, c := range corrections {
		object, field, _ := strings.Cut(c.Field, ".")
		inner, ok := doc[object].(map[string]any)
		if !ok {
			continue
		}
		if v := strings.TrimSpace(c.Value); inner[field] != v {
			inner[field] = v
			edited = true
		}
	}
	out, err := json.Marshal(doc)
	return out, edited, err
}
