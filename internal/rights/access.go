package rights

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/store"
)

// Extract is the answer to an access request (D2): everything held about a
// person, by data category, with the purposes it is used for, where it came
// from, who it goes to (the registry's recipients and the disclosures
// actually made) and how long it is kept.
type Extract struct {
	PersonID    string    `json:"person_id"`
	GeneratedAt time.Time `json:"generated_at"`
	Lang        i18n.Lang `json:"lang"`
	// Categories are the categories Tillit holds data of about the person,
	// in the registry's order.
	Categories []CategoryExtract `json:"categories"`
}

// CategoryExtract is what is held about the person in one category.
type CategoryExtract struct {
	ID          privacy.CategoryID `json:"id"`
	Name        string             `json:"name"`
	Description string             `json:"description"`
	// Purposes are the purposes that use the category for consumers.
	Purposes []PurposeUse `json:"purposes"`
	// Sources are where data of the category comes from.
	Sources []privacy.Named `json:"sources"`
	// Recipients are the kinds of recipients the purposes may disclose it to.
	Recipients []privacy.Named `json:"recipients"`
	// Disclosures are the disclosures of the category actually made (D10).
	Disclosures []Disclosure `json:"disclosures"`
	// Items are the stored values.
	Items []Item `json:"items"`
}

// PurposeUse is one purpose a category is used for.
type PurposeUse struct {
	ID         privacy.PurposeID       `json:"id"`
	Name       string                  `json:"name"`
	LegalBasis privacy.Named           `json:"legal_basis"`
	Retention  []privacy.RetentionText `json:"retention"`
}

// Disclosure is one recorded disclosure of the person's data.
type Disclosure struct {
	RecipientKind string    `json:"recipient_kind"`
	Recipient     string    `json:"recipient"`
	Purpose       string    `json:"purpose"`
	LegalBasis    string    `json:"legal_basis"`
	Reference     string    `json:"reference,omitempty"`
	OccurredAt    time.Time `json:"occurred_at"`
}

// Item is one stored value: a column of a row.
type Item struct {
	// Record names the row: "table/key".
	Record string `json:"record"`
	// Field is the column.
	Field string `json:"field"`
	// Value is what is stored; a one-way digest is shown as such.
	Value any `json:"value"`
	// Unreadable reports a sealed value whose key was shredded.
	Unreadable bool `json:"unreadable,omitempty"`
}

// rowKeys are the columns naming a row in an extract, per table; "id"
// where not listed.
var rowKeys = map[string][]string{
	"authorizations":    {"token"},
	"otp_challenges":    {"session_id"},
	"payment_plans":     {"order_id"},
	"plan_installments": {"order_id", "number"},
	"login_codes":       {"consumer_key"},
	"subject_keys":      {"subject"},
	"consents":          {"purpose"},
	"audit_log":         {"seq"},
}

// handedOver are sealed columns holding files already handed over to the
// person (earlier access extracts): an extract lists the request they
// answered, not their content again.
var handedOver = []string{"data_subject_request_documents.body"}

// shownOnce are sealed columns holding secrets the person is shown once
// where they use them (a card's number and CVV, revealed once in the app,
// package card): an extract says that they are held, never what they are.
var shownOnce = []string{"cards.sealed"}

// digestCategories are categories whose stored values are one-way digests
// or secrets: the extract says that it holds one, not its bytes.
var digestCategories = []privacy.CategoryID{privacy.CategoryCredentials}

// Access builds the access extract of the person in lang.
func (s *Service) Access(tx *store.Tx, personID string, lang i18n.Lang) (Extract, error) {
	h, err := s.Collect(tx, personID)
	if err != nil {
		return Extract{}, err
	}
	return BuildExtract(h, lang, tx.Now), nil
}

// BuildExtract arranges a holding as an access extract in lang.
func BuildExtract(h *Holding, lang i18n.Lang, now time.Time) Extract {
	items := map[privacy.CategoryID][]Item{}
	for _, table := range privacy.LinkedTables() {
		for _, r := range h.Tables[table] {
			record := table + "/" + rowKey(table, r)
			for _, column := range tableColumns(table) {
				col, _ := privacy.LookupColumn(table + "." + column)
				if !col.Personal() || slices.Contains(handedOver, table+"."+column) {
					continue
				}
				it := Item{Record: record, Field: column, Value: readable(column, r.Values[column]), Unreadable: slices.Contains(r.Unreadable, column)}
				if it.Value == nil && !it.Unreadable {
					continue
				}
				if it.Value != nil && slices.Contains(shownOnce, table+"."+column) {
					it.Value = i18n.T(lang, "rights.extract.shown_once")
				}
				for _, c := range col.Categories {
					v := it
					if slices.Contains(digestCategories, c) && v.Value != nil {
						v.Value = i18n.T(lang, "rights.extract.digest")
					}
					items[c] = append(items[c], v)
				}
			}
		}
	}
	disclosures := disclosuresIn(h)
	record := privacy.BuildRecord(lang)
	x := Extract{PersonID: h.PersonID, GeneratedAt: now, Lang: lang}
	for _, entry := range record.Categories {
		if len(items[entry.ID]) == 0 {
			continue
		}
		ce := CategoryExtract{ID: entry.ID, Name: entry.Name, Description: entry.Description, Items: items[entry.ID],
			Sources: []privacy.Named{}, Recipients: []privacy.Named{}, Disclosures: []Disclosure{}}
		for _, a := range record.Activities {
			if !usesFor(a, entry.ID) {
				continue
			}
			ce.Purposes = append(ce.Purposes, PurposeUse{ID: a.ID, Name: a.Name, LegalBasis: a.Basis, Retention: a.Retention})
			ce.Sources = appendNew(ce.Sources, a.Sources...)
			ce.Recipients = appendNew(ce.Recipients, a.Recipients...)
		}
		for _, d := range disclosures {
			if slices.Contains(d.categories, entry.ID) {
				ce.Disclosures = append(ce.Disclosures, d.Disclosure)
			}
		}
		x.Categories = append(x.Categories, ce)
	}
	return x
}

// JSON returns the extract as indented JSON.
func (x Extract) JSON() ([]byte, error) { return json.MarshalIndent(x, "", "  ") }

// CategoryIDs returns the ids of the extract's categories.
func (x Extract) CategoryIDs() []privacy.CategoryID {
	out := make([]privacy.CategoryID, len(x.Categories))
	for i, c := range x.Categories {
		out[i] = c.ID
	}
	return out
}

// usesFor reports whether activity a processes category c of consumers.
func usesFor(a privacy.Activity, c privacy.CategoryID) bool {
	consumer := slices.ContainsFunc(a.Subjects, func(n privacy.Named) bool { return n.ID == string(privacy.SubjectConsumer) })
	uses := slices.ContainsFunc(a.Categories, func(n privacy.Named) bool { return n.ID == string(c) })
	return consumer && uses
}

// appendNew appends the names not yet in list.
func appendNew(list []privacy.Named, more ...privacy.Named) []privacy.Named {
	for _, n := range more {
		if !slices.Contains(list, n) {
			list = append(list, n)
		}
	}
	return list
}

// rowKey names a row by its key columns.
func rowKey(table string, r Row) string {
	keys, ok := rowKeys[table]
	if !ok {
		keys = []string{"id"}
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = text(r.Values[k])
	}
	return strings.Join(parts, "/")
}

// disclosure is a disclosure with the categories it covered.
type disclosure struct {
	Disclosure
	categories []privacy.CategoryID
}

// disclosuresIn reads the person's disclosure log rows from the holding.
func disclosuresIn(h *Holding) []disclosure {
	var out []disclosure
	for _, r := range h.Tables["disclosures"] {
		d := disclosure{Disclosure: Disclosure{
			RecipientKind: text(r.Values["recipient_kind"]), Recipient: text(r.Values["recipient_name"]),
			Purpose: text(r.Values["purpose"]), LegalBasis: text(r.Values["legal_basis"]), Reference: text(r.Values["reference"]),
		}}
		if at, ok := r.Values["occurred_at"].(int64); ok {
			d.OccurredAt = store.FromMicros(at)
		}
		raw := text(r.Values["categories"])
		var cats []privacy.CategoryID
		if json.Unmarshal([]byte(raw), &cats) != nil {
			for _, c := range strings.Split(raw, ",") {
				cats = append(cats, privacy.CategoryID(strings.TrimSpace(c)))
			}
		}
		d.categories = cats
		out = append(out, d)
	}
	return out
}

// readable shows a stored timestamp (a column named *_at, stored as
// microseconds) as a time; other values as they are.
func readable(column string, v any) any {
	if at, ok := v.(int64); ok && strings.HasSuffix(column, "_at") {
		return store.FromMicros(at)
	}
	return v
}

// text returns a value as text.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.RawMessage:
		return string(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
