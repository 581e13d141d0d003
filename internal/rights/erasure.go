package rights

import (
	"fmt"
	"slices"
	"time"

	"github.com/tillit/tillit/internal/consent"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/store"
)

// Erasure is what erasing a person did (D5).
type Erasure struct {
	// Erased are the categories whose data about the person is gone.
	Erased []privacy.CategoryID `json:"erased"`
	// Kept are the categories the law (or an open contract) keeps, each
	// restricted to that ground, with the date it will go.
	Kept []Kept `json:"kept"`
	// Shredded reports that the person's data key was destroyed, making
	// whatever was sealed for them unreadable everywhere, backups included.
	Shredded bool `json:"shredded"`
}

// Kept is one category an erasure keeps.
type Kept struct {
	Category privacy.CategoryID `json:"category"`
	// Grounds are the purposes it is kept for.
	Grounds []privacy.PurposeID `json:"grounds"`
	// OpenContract reports that a contract with the person is still open
	// (a debt, an order not yet settled): the data serves it until it ends,
	// and then the rules of Grounds apply.
	OpenContract bool `json:"open_contract"`
	// Until is when it goes; nil while it depends on the open contract.
	Until *time.Time `json:"until,omitempty"`
}

// contractBound are the purposes with an erasure exception that apply only
// to a person who made a contract (placed an order): without one there is
// no money, no customer relationship to screen and no claim.
var contractBound = []privacy.PurposeID{privacy.PurposeAMLScreening, privacy.PurposeBookkeeping, privacy.PurposeLegalClaims}

// evidenceOf are the purposes with an erasure exception that apply only to
// a person holding data of the given category: complaints kept for the
// complaint board need a complaint, the audit trail an audited action, the
// consent records a consent.
var evidenceOf = map[privacy.PurposeID]privacy.CategoryID{
	privacy.PurposeComplaints:     privacy.CategoryComplaints,
	privacy.PurposeAccountability: privacy.CategoryAuditTrail,
	privacy.PurposeConsentRecords: privacy.CategoryConsents,
}

// contractPurposes keep data while a contract with the person is open; the
// account stays so that they can see and pay what they owe.
var contractPurposes = []privacy.PurposeID{privacy.PurposeCreditAgreement, privacy.PurposeDebtCollection, privacy.PurposeConsumerAccount}

// untouchable are linked tables an erasure never deletes from: the person
// row itself (it is marked erased instead), the vault's keys (shredded
// through the vault) and the append-only audit log (kept by law).
var untouchable = []string{"persons", "subject_keys", "audit_log"}

// Erase carries out a request for erasure in tx: every consent is
// withdrawn; everything about the person without a remaining legal ground
// is deleted; what the law keeps is restricted to that ground and listed
// with the date it goes; the link from their e-mail address to them is cut
// (so Tillit no longer finds them by it, and someone coming back with it is
// a new person); and when nothing sealed for them is kept their data key is
// shredded. While a contract with them is open, what it needs stays,
// including their account and the link, until CompleteErasures finishes
// the erasure once the contract has ended.
func (s *Service) Erase(tx *store.Tx, personID string) (Erasure, error) {
	p, err := person.Get(tx, personID)
	if err != nil {
		return Erasure{}, err
	}
	// An objection to every use that rests on consent takes effect first.
	if err := withdrawConsents(tx, personID); err != nil {
		return Erasure{}, err
	}
	h, err := s.Collect(tx, personID)
	if err != nil {
		return Erasure{}, err
	}
	plan := planErasure(h, p, tx.Now)
	order, err := deleteOrder(tx)
	if err != nil {
		return Erasure{}, err
	}
	for _, table := range order {
		if slices.Contains(plan.keptTables, table) || len(h.Tables[table]) == 0 {
			continue
		}
		if err := s.eraseTable(tx, h, table); err != nil {
			return Erasure{}, err
		}
	}
	out := Erasure{Kept: plan.kept}
	for _, c := range plan.present {
		if !plan.keeps(c) {
			out.Erased = append(out.Erased, c)
		}
	}
	if !plan.keepsSealed(h) {
		if err := s.Vault.Shred(tx, personID); err != nil {
			return Erasure{}, err
		}
		out.Shredded = true
	}
	if plan.openContract {
		// The contract still needs the person to find and pay their debt;
		// CompleteErasures finishes once it ends.
		return out, person.MarkErased(tx, personID)
	}
	if err := person.Forget(tx, personID); err != nil {
		return Erasure{}, err
	}
	ended := tx.Now
	if p.RelationshipEndedAt != nil {
		ended = *p.RelationshipEndedAt
	}
	return out, person.SetRelationshipEnded(tx, personID, &ended)
}

// withdrawConsents withdraws every consent the person has given.
func withdrawConsents(tx *store.Tx, personID string) error {
	for _, purpose := range consent.Purposes() {
		if _, err := consent.SetTx(tx, personID, purpose, false, consent.SourceErasure, ""); err != nil {
			return err
		}
	}
	return nil
}

// erasurePlan is what an erasure keeps.
type erasurePlan struct {
	// present are the categories the person has data in.
	present []privacy.CategoryID
	// grounds are the purposes that still have a ground to keep the
	// person's data.
	grounds []privacy.PurposeID
	// keptTables are the linked tables whose rows about the person stay.
	keptTables []string
	kept       []Kept
	// openContract reports that a contract with the person is still open.
	openContract bool
}

// keeps reports whether the plan keeps category c.
func (p *erasurePlan) keeps(c privacy.CategoryID) bool {
	return slices.ContainsFunc(p.kept, func(k Kept) bool { return k.Category == c })
}

// keepsSealed reports whether a kept row holds sealed data, so the person's
// key must stay.
func (p *erasurePlan) keepsSealed(h *Holding) bool {
	for _, table := range p.keptTables {
		for _, column := range tableColumns(table) {
			col, _ := privacy.LookupColumn(table + "." + column)
			if !col.Sealed() {
				continue
			}
			for _, r := range h.Tables[table] {
				if v := r.Values[column]; v != nil && v != "" {
					return true
				}
			}
		}
	}
	return false
}

// reported are the linked tables whose categories an erasure does not
// report: the person row (which becomes a pseudonymous anchor) and the
// vault's keys.
var reported = func(table string) bool { return table != "persons" && table != "subject_keys" }

// planErasure decides what the law keeps: the purposes with a surviving
// ground, the tables whose rows they keep, and category by category why
// and until when.
func planErasure(h *Holding, p person.Person, now time.Time) *erasurePlan {
	plan := &erasurePlan{openContract: openContract(h)}
	held := heldCategories(h, func(string) bool { return true })
	hasContract := len(h.Tables["orders"]) > 0
	for _, purpose := range privacy.Purposes() {
		ground := false
		switch {
		case plan.openContract && slices.Contains(contractPurposes, purpose.ID):
			ground = true
		case purpose.Erasure == privacy.NoErasureException:
		case slices.Contains(contractBound, purpose.ID):
			ground = hasContract
		case evidenceOf[purpose.ID] != "":
			ground = held[evidenceOf[purpose.ID]]
		default:
			ground = true
		}
		if ground {
			plan.grounds = append(plan.grounds, purpose.ID)
		}
	}
	for table := range h.Tables {
		if slices.Contains(untouchable, table) ||
			slices.ContainsFunc(privacy.TablePurposes(table), func(id privacy.PurposeID) bool { return slices.Contains(plan.grounds, id) }) {
			plan.keptTables = append(plan.keptTables, table)
		}
	}
	slices.Sort(plan.keptTables)

	dates := privacy.Dates{Collected: lastActivity(h), ContractEnded: contractEnded(h), RelationshipEnded: now}
	if p.RelationshipEndedAt != nil {
		dates.RelationshipEnded = *p.RelationshipEndedAt
	}
	if plan.openContract {
		dates.ContractEnded, dates.RelationshipEnded = time.Time{}, time.Time{}
	}
	keptHeld := heldCategories(h, func(t string) bool { return reported(t) && slices.Contains(plan.keptTables, t) })
	for _, c := range privacy.Categories() {
		if !held[c.ID] {
			continue
		}
		plan.present = append(plan.present, c.ID)
		if !keptHeld[c.ID] {
			continue
		}
		k := Kept{Category: c.ID, OpenContract: plan.openContract}
		var latest time.Time
		known := true
		for _, id := range groundsFor(plan, h, c.ID) {
			purpose, _ := privacy.LookupPurpose(id)
			rule, ok := purpose.RetentionFor(c.ID)
			if !ok {
				rule = purpose.Retention // kept with a record of the purpose
			}
			k.Grounds = append(k.Grounds, id)
			if end, started := rule.End(dates); !started {
				known = false
			} else if end.After(latest) {
				latest = end
			}
		}
		if known && !latest.IsZero() {
			k.Until = &latest
		}
		plan.kept = append(plan.kept, k)
	}
	return plan
}

// groundsFor returns the grounds that keep category c: those that use it,
// or else those that keep the records holding it.
func groundsFor(plan *erasurePlan, h *Holding, c privacy.CategoryID) []privacy.PurposeID {
	var using, keeping []privacy.PurposeID
	for _, id := range plan.grounds {
		if p, _ := privacy.LookupPurpose(id); p.Uses(c) {
			using = append(using, id)
		}
	}
	if len(using) > 0 {
		return using
	}
	for _, table := range plan.keptTables {
		if !reported(table) || !heldCategories(&Holding{Tables: map[string][]Row{table: h.Tables[table]}}, func(string) bool { return true })[c] {
			continue
		}
		for _, id := range privacy.TablePurposes(table) {
			if slices.Contains(plan.grounds, id) && !slices.Contains(keeping, id) {
				keeping = append(keeping, id)
			}
		}
	}
	return keeping
}

// heldCategories returns the categories of the data in the rows of the
// tables include accepts.
func heldCategories(h *Holding, include func(table string) bool) map[privacy.CategoryID]bool {
	held := map[privacy.CategoryID]bool{}
	for table, rows := range h.Tables {
		if !include(table) || !reported(table) {
			continue
		}
		for _, column := range tableColumns(table) {
			col, _ := privacy.LookupColumn(table + "." + column)
			for _, r := range rows {
				if r.Values[column] != nil || slices.Contains(r.Unreadable, column) {
					for _, c := range col.Categories {
						held[c] = true
					}
				}
			}
		}
	}
	return held
}

// eraseTable deletes the person's rows of table.
func (s *Service) eraseTable(tx *store.Tx, h *Holding, table string) error {
	cond := h.conditions[table]
	if _, err := tx.Exec(`DELETE FROM `+table+` WHERE `+cond.sql, cond.args...); err != nil {
		return fmt.Errorf("rights: erase %s: %w", table, err)
	}
	return nil
}

// openContract reports whether a contract with the person is still open: a
// payment plan with something owed or due back, or an order whose
// authorization can still be captured.
func openContract(h *Holding) bool {
	for _, r := range h.Tables["payment_plans"] {
		if text(r.Values["status"]) == "OPEN" {
			return true
		}
	}
	for _, r := range h.Tables["orders"] {
		if s := text(r.Values["status"]); s == "AUTHORIZED" || s == "PART_CAPTURED" {
			return true
		}
	}
	return false
}

// contractEnded is when the person's last contract ended: the latest
// closing of a payment plan, or of an order without one.
func contractEnded(h *Holding) time.Time {
	var latest int64
	for _, r := range h.Tables["payment_plans"] {
		if at, ok := r.Values["closed_at"].(int64); ok && at > latest {
			latest = at
		}
	}
	if latest == 0 {
		return lastActivity(h)
	}
	return store.FromMicros(latest)
}

// lastActivity is the latest time recorded in the person's rows: when their
// most recent data was collected.
func lastActivity(h *Holding) time.Time {
	var latest int64
	for table, rows := range h.Tables {
		if slices.Contains(untouchable, table) {
			continue
		}
		for _, r := range rows {
			for _, column := range []string{"created_at", "occurred_at", "updated_at", "captured_at", "refunded_at", "settled_at", "closed_at"} {
				if at, ok := r.Values[column].(int64); ok && at > latest {
					latest = at
				}
			}
		}
	}
	if latest == 0 {
		return time.Time{}
	}
	return store.FromMicros(latest)
}
