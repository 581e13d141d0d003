package retention

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/consent"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// relationshipEnd is the SQL of when a person's relationship with Tillit
// ended, for retention: when their last contract ended or, for a person
// erased before that was recorded, their erasure.
const relationshipEnd = "COALESCE(p.relationship_ended_at, p.erased_at)"

// consumerAccounts: a consumer's app account (their address and language)
// goes when their relationship ends, with its sessions and sign-in codes. A
// person who comes back signs in again and gets a new account.
func consumerAccounts() Rule {
	return &rowRule{
		info:  info(RuleConsumerAccounts, privacy.PurposeConsumerAccount, privacy.CategoryAccount, "consumers", "web_sessions", "login_codes", "second_factors", "recovery_codes", "pending_sign_ins", "known_devices"),
		from:  "consumers c JOIN persons p ON p.id = c.person_id",
		key:   "c.id",
		since: relationshipEnd,
		where: relationshipEnd + " <= $1",
		apply: applySteps(
			del("web_sessions", `DELETE FROM web_sessions WHERE kind = '`+string(account.KindConsumer)+`' AND subject_id IN (?)`),
			del("login_codes", `DELETE FROM login_codes WHERE consumer_key IN (SELECT consumer_key FROM consumers WHERE id IN (?))`),
			del("second_factors", `DELETE FROM second_factors WHERE kind = '`+string(account.KindConsumer)+`' AND subject_id IN (?)`),
			del("recovery_codes", `DELETE FROM recovery_codes WHERE kind = '`+string(account.KindConsumer)+`' AND subject_id IN (?)`),
			del("pending_sign_ins", `DELETE FROM pending_sign_ins WHERE kind = '`+string(account.KindConsumer)+`' AND subject_id IN (?)`),
			del("known_devices", `DELETE FROM known_devices WHERE kind = '`+string(account.KindConsumer)+`' AND subject_id IN (?)`),
			del("consumers", `DELETE FROM consumers WHERE id IN (?)`),
		),
	}
}

// consentRecords: the record of a person's consents (the current state and
// its history) goes after the consent records' period from the end of the
// relationship, except a direct-marketing consent the person still gives,
// which direct marketing keeps until it is withdrawn (the person-level rule
// removes it with the rest).
func consentRecords() Rule {
	const keptDM = `c.purpose = $5 AND c.granted = $6`
	return &rowRule{
		info:  info(RuleConsentRecords, privacy.PurposeConsentRecords, privacy.CategoryConsents, "consent_history", "consents"),
		from:  "persons p",
		key:   "p.id",
		since: relationshipEnd,
		where: relationshipEnd + ` <= $1 AND (
			EXISTS (SELECT 1 FROM consents c WHERE c.subject = p.id AND NOT (` + keptDM + `))
			OR EXISTS (SELECT 1 FROM consent_history h WHERE h.subject = p.id AND NOT EXISTS (
				SELECT 1 FROM consents c WHERE c.subject = h.subject AND c.purpose = h.purpose AND ` + keptDM + `)))`,
		args: []any{string(consent.DirectMarketing), true},
		apply: func(tx *store.Tx, keys []string, c *Changes) error {
			return inChunks(keys, 3, func(in string, args []any) error {
				args = append([]any{string(consent.DirectMarketing), true}, args...)
				if err := c.exec(tx, false, "consent_history", `DELETE FROM consent_history WHERE subject IN (`+in+`) AND NOT EXISTS (
					SELECT 1 FROM consents c WHERE c.subject = consent_history.subject AND c.purpose = consent_history.purpose
					AND c.purpose = $1 AND c.granted = $2)`, args...); err != nil {
					return err
				}
				return c.exec(tx, false, "consents", `DELETE FROM consents WHERE subject IN (`+in+`) AND NOT (purpose = $1 AND granted = $2)`, args...)
			})
		},
	}
}

// personRule removes what is left about a person once every purpose that
// keeps their data has ended: see personRecords.
type personRule struct {
	info  RuleInfo
	vault *vault.Vault
	// afterRelationship and afterContract are the shortest periods the law
	// keeps a customer's data (someone who placed an order) after their
	// relationship and after their last contract ended: such a person is
	// never due before both have passed, which spares the daily run from
	// reading every former customer.
	afterRelationship, afterContract privacy.Period
}

// ActionPersonRetired is the audit action of the person-level rule, whose
// subject is the person's id.
const ActionPersonRetired = "person.retention_ended"

// ActorRetention is the audit actor of what the engine does by itself.
const ActorRetention = "system:retention"

// personRecords: for a person whose relationship ended (or who was erased)
// and who has no open contract, once the latest end among the retention
// rules of every consumer purpose of the registry has passed (usually the
// contract claims' 10 years after the last contract ended; AML's 5 years
// after the relationship ended; bookkeeping's 7 years after the year end),
// everything left about them goes: see PersonTables for what happens to
// each table. Their vault key is shredded, the link from their address
// (persons.consumer_key) cut, and the person is never looked at again.
func personRecords(v *vault.Vault) Rule {
	return &personRule{
		info:              info(RulePersonRecords, privacy.PurposeLegalClaims, privacy.CategoryPurchase, "orders", "captures", "refunds", "payment_sessions", "authorizations", "payment_plans"),
		vault:             v,
		afterRelationship: shortest(privacy.PurposeAMLScreening, privacy.EventRelationshipEnded),
		afterContract:     shortest(privacy.PurposeLegalClaims, privacy.EventContractEnded),
	}
}

// shortest returns the shortest period purpose p keeps any category for
// after event e. The registry must have one: it is a programming error
// otherwise.
func shortest(p privacy.PurposeID, e privacy.Event) privacy.Period {
	purpose, _ := privacy.LookupPurpose(p)
	var out *privacy.Period
	for _, c := range purpose.Categories {
		r, _ := purpose.RetentionFor(c)
		if r.From == e && (out == nil || longer(*out, r.Period)) {
			out = &r.Period
		}
	}
	if out == nil {
		panic(fmt.Sprintf("retention: purpose %q keeps nothing after %q", p, e))
	}
	return *out
}

// longer reports whether a ends later than b for the same start.
func longer(a, b privacy.Period) bool {
	ref := time.Date(2001, time.January, 1, 0, 0, 0, 0, time.UTC)
	return a.AddTo(ref).After(b.AddTo(ref))
}

// Info implements Rule.
func (r *personRule) Info() RuleInfo { return r.info }

// personDates are what the person-level rule reads about one person.
type personDates struct {
	id                             string
	relationshipEnded              int64
	contractEnded, booked, ordered sql.NullInt64
	open, planless, orders         int64
	// consents and complaints count the person's rows holding those
	// categories.
	consents, complaints int64
	// conversed is the last change of their support conversations.
	conversed sql.NullInt64
}

// Due implements Rule.
func (r *personRule) Due(tx *store.Tx, now time.Time, limit int) ([]Item, error) {
	query := `SELECT p.id, ` + relationshipEnd + ` AS r,
	(SELECT MAX(pl.closed_at) FROM payment_plans pl WHERE pl.person_id = p.id OR pl.order_id IN (SELECT o.id FROM orders o WHERE o.person_id = p.id)),
	(SELECT MAX(j.created_at) FROM ledger_journals j JOIN orders o ON o.id = j.order_id WHERE o.person_id = p.id),
	(SELECT MAX(o.created_at) FROM orders o WHERE o.person_id = p.id),
	(SELECT MAX(sc.updated_at) FROM support_conversations sc WHERE sc.person_id = p.id),
	(SELECT COUNT(*) FROM payment_plans pl WHERE pl.closed_at IS NULL AND (pl.person_id = p.id OR pl.order_id IN (SELECT o.id FROM orders o WHERE o.person_id = p.id)))
	 + (SELECT COUNT(*) FROM orders o WHERE o.person_id = p.id AND (o.status IN ($5, $6)
		OR (o.status = $7 AND NOT EXISTS (SELECT 1 FROM payment_plans pl WHERE pl.order_id = o.id)))),
	(SELECT COUNT(*) FROM orders o WHERE o.person_id = p.id AND NOT EXISTS (SELECT 1 FROM payment_plans pl WHERE pl.order_id = o.id)),
	(SELECT COUNT(*) FROM orders o WHERE o.person_id = p.id),
	` + held(privacy.CategoryConsents) + `,
	` + held(privacy.CategoryComplaints) + `
FROM persons p
WHERE ` + relationshipEnd + ` <= $1
  AND NOT EXISTS (SELECT 1 FROM retention_retired_persons d WHERE d.person_id = p.id)
  AND (` + relationshipEnd + ` > $2 OR (` + relationshipEnd + ` = $2 AND p.id > $3))
  AND (NOT EXISTS (SELECT 1 FROM orders o WHERE o.person_id = p.id) OR (` + relationshipEnd + ` <= $8
    AND NOT EXISTS (SELECT 1 FROM payment_plans pl WHERE (pl.person_id = p.id OR pl.order_id IN (SELECT o.id FROM orders o WHERE o.person_id = p.id))
      AND (pl.closed_at IS NULL OR pl.closed_at > $9))))
ORDER BY r, p.id LIMIT $4`
	var (
		out     []Item
		lastR   = int64(-1) << 62
		lastKey = ""
	)
	for len(out) < limit {
		rows, err := tx.Query(query, store.Micros(now), lastR, lastKey, candidatePage,
			checkout.StatusAuthorized, checkout.StatusPartCaptured, checkout.StatusCaptured,
			store.Micros(latestStart(r.afterRelationship, now)), store.Micros(latestStart(r.afterContract, now)))
		if err != nil {
			return nil, err
		}
		var page []personDates
		for rows.Next() {
			var d personDates
			if err := rows.Scan(&d.id, &d.relationshipEnded, &d.contractEnded, &d.booked, &d.ordered, &d.conversed, &d.open, &d.planless, &d.orders, &d.consents, &d.complaints); err != nil {
				rows.Close()
				return nil, err
			}
			page = append(page, d)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, d := range page {
			lastR, lastKey = d.relationshipEnded, d.id
			if it, due := governing(d, now); due && len(out) < limit {
				out = append(out, it)
			}
		}
		if len(page) < candidatePage {
			break
		}
	}
	return out, nil
}

// governing returns the retention rule of the consumer purposes whose
// period ends last for the person d describes, and whether it has ended by
// now. A person with an open contract is never due. As an erasure decides
// (package rights), a purpose the law keeps data for counts only where it
// has a ground: AML, bookkeeping and contract claims need a contract (an
// order), the consent records a consent, complaints a complaint; and a rule
// whose event has not happened (a consent never withdrawn) does not hold
// the data back, since nothing of the person's is used for it once their
// relationship ended.
func governing(d personDates, now time.Time) (Item, bool) {
	if d.open > 0 {
		return Item{}, false
	}
	ended := store.FromMicros(d.relationshipEnded)
	dt := privacy.Dates{RelationshipEnded: ended}
	if d.contractEnded.Valid {
		dt.ContractEnded = store.FromMicros(d.contractEnded.Int64)
	}
	if d.planless > 0 && dt.ContractEnded.Before(ended) {
		// An order without a payment plan records no end of its contract;
		// the relationship cannot have ended before it.
		dt.ContractEnded = ended
	}
	for _, v := range []sql.NullInt64{d.booked, d.ordered, d.conversed} {
		if v.Valid && store.FromMicros(v.Int64).After(dt.Collected) {
			dt.Collected = store.FromMicros(v.Int64)
		}
	}
	var it Item
	for _, p := range privacy.Purposes() {
		if !consumerPurpose(p) || !hasGround(p.ID, d) {
			continue
		}
		for _, c := range p.Categories {
			ret, _ := p.RetentionFor(c)
			end, started := ret.End(dt)
			if !started || (!it.End.IsZero() && !end.After(it.End)) {
				continue
			}
			since, _ := dt.At(ret.From)
			it = Item{Key: d.id, Purpose: p.ID, Category: c, Retention: ret, Since: since, End: end}
		}
	}
	return it, !it.End.IsZero() && !it.End.After(now)
}

// hasGround reports whether purpose p keeps anything of the person d
// describes: the purposes the law keeps data for need what they keep it
// for; every other purpose counts.
func hasGround(p privacy.PurposeID, d personDates) bool {
	switch p {
	case privacy.PurposeAMLScreening, privacy.PurposeBookkeeping, privacy.PurposeLegalClaims:
		return d.orders > 0
	case privacy.PurposeConsentRecords:
		return d.consents > 0
	case privacy.PurposeComplaints:
		return d.complaints > 0
	}
	return true
}

// held returns an SQL expression counting the rows about the person p.id
// (of the query's persons p) in the tables with a column holding category
// c, found through the registry's links (privacy.PersonLinks), so that a
// table added later counts without a change here.
func held(c privacy.CategoryID) string {
	var tables []string
	for _, col := range privacy.ColumnsHolding(c) {
		table, _, _ := strings.Cut(col, ".")
		if !slices.Contains(tables, table) {
			tables = append(tables, table)
		}
	}
	parts := []string{}
	for _, t := range tables {
		if cond, ok := aboutPerson(t, "p.id", 0); ok {
			parts = append(parts, "(SELECT COUNT(*) FROM "+t+" WHERE "+cond+")")
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, " + ")
}

// aboutPerson returns the SQL condition on table's own columns that selects
// its rows about the person whose id is the SQL expression id, from the
// registry's links; false when no link leads there.
func aboutPerson(table, id string, depth int) (string, bool) {
	links, ok := privacy.PersonLinks(table)
	if !ok || depth > 4 {
		return "", false
	}
	var conds []string
	for _, l := range links {
		var cond string
		switch {
		case l.Parent == "":
			cond = l.Column + " = " + id
		default:
			parent, ok := aboutPerson(l.Parent, id, depth+1)
			if !ok {
				continue
			}
			cond = l.Column + " IN (SELECT " + l.ParentKey + " FROM " + l.Parent + " WHERE " + parent + ")"
		}
		if l.Where != "" {
			cond = "(" + cond + " AND " + l.Where + ")"
		}
		conds = append(conds, cond)
	}
	if len(conds) == 0 {
		return "", false
	}
	return "(" + strings.Join(conds, " OR ") + ")", true
}

// consumerPurpose reports whether p processes data about consumers.
func consumerPurpose(p privacy.Purpose) bool {
	for _, s := range p.Subjects {
		if s == privacy.SubjectConsumer {
			return true
		}
	}
	return false
}

// Apply implements Rule: for each person, one after another in tx.
func (r *personRule) Apply(tx *store.Tx, items []Item) (Changes, error) {
	var c Changes
	for _, it := range items {
		if err := r.retire(tx, it, &c); err != nil {
			return c, err
		}
	}
	return c, nil
}

// PersonTables says, for every table the registry links to a person
// (privacy.LinkedTables), what the person-level rule does with the rows
// about them.
var PersonTables = map[string]string{
	"persons":           "kept, pseudonymous: the link from their address is cut (person.Forget) and the id is marked retired",
	"consumers":         "deleted",
	"payment_sessions":  "deleted, or anonymised when an order names them (its purchase, personal fields and person cleared)",
	"otp_challenges":    "deleted",
	"authorizations":    "deleted",
	"orders":            "anonymised: the amounts and statuses stay for the books; the person, their sealed details, the purchase, the merchant's references and the shipping details are cleared",
	"captures":          "anonymised: the amounts stay; descriptions, references, order lines and shipping details are cleared",
	"refunds":           "anonymised: the amounts stay; descriptions, references and order lines are cleared",
	"ledger_journals":   "kept: amounts and ids only, naming an order that no longer says whose it was",
	"ledger_entries":    "kept: amounts and ids only, naming an order that no longer says whose it was",
	"webhook_events":    "deleted, with their delivery attempts",
	"settlement_lines":  "kept: the merchant's settlement, amounts and ids only",
	"payment_plans":     "deleted",
	"plan_installments": "deleted",
	"plan_payments":     "deleted",
	"plan_statements":   "deleted",
	"plan_pauses":       "deleted",
	"rail_transfers":    "deleted",
	"outbox_messages":   "deleted (the outbox rule deletes every message sooner, after its period)",
	"audit_log":         "kept: the append-only audit trail names people by id only",
	"login_codes":       "deleted",
	"web_sessions":      "deleted (consumer sessions of their account)",
	"second_factors":    "deleted (their authenticator, whose secret the shredded key sealed)",
	"recovery_codes":    "deleted",
	"pending_sign_ins":  "deleted",
	"known_devices":     "deleted",
	"subject_keys":      "shredded: the person's data key is destroyed, so everything sealed for them, in every table and backup, is unreadable",
	"consents":          "deleted",
	"consent_history":   "deleted",
	"decision_contests": "deleted",
	"disclosures":       "deleted",
	"risk_assessments":  "deleted",
	"risk_observations": "deleted",
	"risk_reviews":      "deleted",
	"stop_requests":     "anonymised: the person, the carrier and the sealed tracking number are removed; the merchant's answers and the outcome stay with the order",
	"merchant_messages": "deleted (the text and replies sealed under the person are shredded with their key in any case)",

	// Fraud cases stay as long as the fraud investigation purpose keeps
	// them (an erasure keeps them for legal claims until then).
	"fraud_cases":       "deleted",
	"fraud_case_events": "deleted, with their cases",

	// Disputes stay as long as the complaints purpose keeps them (an
	// erasure keeps them for legal claims until then).
	"disputes":          "deleted",
	"dispute_events":    "deleted, with their disputes",
	"dispute_documents": "deleted, with their disputes",

	// Returns go with the orders they are about.
	"returns": "deleted",

	// Complaints stay as long as the complaints purpose keeps them (an
	// erasure keeps them for complaint handling until then).
	"complaints":       "deleted",
	"complaint_events": "deleted, with their complaints",

	// Cards and their authorizations go with the orders they made (the
	// orders themselves are anonymised); freezes with the person.
	"cards":               "deleted, with their authorizations",
	"card_authorizations": "deleted",
	"account_freezes":     "deleted",
	"freeze_events":       "deleted",

	// Reports of suspicious e-mails and websites go with the person (the
	// security reports rule removes each sooner, a year after it closed).
	"security_reports": "deleted",

	// Support conversations go with the person when their own rule has not
	// removed them sooner (ten years after their last message).
	"support_conversations": "deleted, with their messages",
	"support_messages":      "deleted, with their conversations",

	// Bureau reports are asked for again when needed.
	"credit_bureau_reports": "deleted",

	// AML alerts stay for the 5 years the AML purpose keeps them (an
	// erasure keeps them until then).
	"aml_alerts":         "deleted",
	"aml_alert_evidence": "deleted, with their alerts",

	// The data-subject requests go last: the law keeps them no longer
	// than the rest (the complaints purpose, 5 years after the
	// relationship ended).
	"processing_restrictions":        "deleted (before the requests that asked for them)",
	"screening_false_positives":      "deleted",
	"data_subject_requests":          "deleted",
	"data_subject_request_events":    "deleted",
	"data_subject_request_documents": "deleted",
}

// retire removes what is left about the person it names.
func (r *personRule) retire(tx *store.Tx, it Item, c *Changes) error {
	id := it.Key
	orders, sessions, err := personRows(tx, id)
	if err != nil {
		return err
	}
	var plans []string
	if err := collect(tx, &plans, `SELECT order_id FROM payment_plans WHERE person_id = $1`, id); err != nil {
		return err
	}
	plans = append(plans, orders...)
	steps := []struct {
		keys []string
		step step
	}{
		{orders, del("webhook_attempts", `DELETE FROM webhook_attempts WHERE event_id IN (SELECT id FROM webhook_events WHERE order_id IN (?))`)},
		{orders, del("webhook_events", `DELETE FROM webhook_events WHERE order_id IN (?)`)},
		{plans, del("plan_statements", `DELETE FROM plan_statements WHERE order_id IN (?)`)},
		{plans, del("plan_pauses", `DELETE FROM plan_pauses WHERE order_id IN (?)`)},
		{plans, del("plan_payments", `DELETE FROM plan_payments WHERE order_id IN (?)`)},
		{plans, del("plan_installments", `DELETE FROM plan_installments WHERE order_id IN (?)`)},
		{plans, del("payment_plans", `DELETE FROM payment_plans WHERE order_id IN (?)`)},
		{orders, del("rail_transfers", `DELETE FROM rail_transfers WHERE order_id IN (?)`)},
		{orders, step{table: "captures", anonymise: true, query: `UPDATE captures SET description = '', merchant_ref = '', order_lines = '[]', shipping_info = '[]' WHERE order_id IN (?)`}},
		{orders, step{table: "refunds", anonymise: true, query: `UPDATE refunds SET description = '', merchant_ref = '', order_lines = '[]' WHERE order_id IN (?)`}},
		{orders, step{table: "stop_requests", anonymise: true, query: `UPDATE stop_requests SET person_id = NULL, carrier = '', tracking_number = '', recall_reference = '',
			version = version + 1 WHERE order_id IN (?)`}},
		{orders, del("authorizations", `DELETE FROM authorizations WHERE order_id IN (?)`)},
		{sessions, del("authorizations", `DELETE FROM authorizations WHERE session_id IN (?)`)},
		{sessions, del("otp_challenges", `DELETE FROM otp_challenges WHERE session_id IN (?)`)},
		{orders, step{table: "orders", anonymise: true, query: `UPDATE orders SET person_id = NULL, data = '{}', personal = '', consumer = '', merchant_reference1 = '',
			merchant_reference2 = '', shipping_info = '[]', version = version + 1 WHERE id IN (?)`}},
		{sessions, step{table: "payment_sessions", anonymise: true, query: `UPDATE payment_sessions SET person_id = NULL, data = '{}', personal = '', version = version + 1
			WHERE id IN (?) AND EXISTS (SELECT 1 FROM orders o WHERE o.session_id = payment_sessions.id)`}},
		{sessions, del("payment_sessions", `DELETE FROM payment_sessions WHERE id IN (?) AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.session_id = payment_sessions.id)`)},
	}
	for _, s := range steps {
		if err := applySteps(s.step)(tx, s.keys, c); err != nil {
			return err
		}
	}
	byPerson := []step{
		del("card_authorizations", `DELETE FROM card_authorizations WHERE person_id = $1 OR card_id IN (SELECT id FROM cards WHERE person_id = $1)`),
		del("cards", `DELETE FROM cards WHERE person_id = $1`),
		del("freeze_events", `DELETE FROM freeze_events WHERE person_id = $1`),
		del("account_freezes", `DELETE FROM account_freezes WHERE person_id = $1`),
		del("risk_assessments", `DELETE FROM risk_assessments WHERE person_id = $1`),
		del("risk_observations", `DELETE FROM risk_observations WHERE person_id = $1`),
		del("risk_reviews", `DELETE FROM risk_reviews WHERE person_id = $1`),
		del("merchant_messages", `DELETE FROM merchant_messages WHERE person_id = $1`),
		del("fraud_case_events", `DELETE FROM fraud_case_events WHERE case_id IN (SELECT id FROM fraud_cases WHERE person_id = $1)`),
		del("fraud_cases", `DELETE FROM fraud_cases WHERE person_id = $1`),
		del("dispute_events", `DELETE FROM dispute_events WHERE dispute_id IN (SELECT id FROM disputes WHERE person_id = $1)`),
		del("dispute_documents", `DELETE FROM dispute_documents WHERE dispute_id IN (SELECT id FROM disputes WHERE person_id = $1)`),
		del("disputes", `DELETE FROM disputes WHERE person_id = $1`),
		del("returns", `DELETE FROM returns WHERE person_id = $1`),
		del("complaint_events", `DELETE FROM complaint_events WHERE complaint_id IN (SELECT id FROM complaints WHERE person_id = $1)`),
		del("complaints", `DELETE FROM complaints WHERE person_id = $1`),
		del("security_reports", `DELETE FROM security_reports WHERE person_id = $1`),
		del("support_messages", `DELETE FROM support_messages WHERE conversation_id IN (SELECT id FROM support_conversations WHERE person_id = $1)`),
		del("support_conversations", `DELETE FROM support_conversations WHERE person_id = $1`),
		del("credit_bureau_reports", `DELETE FROM credit_bureau_reports WHERE consumer_key IN (SELECT consumer_key FROM persons WHERE id = $1)`),
		del("authorizations", `DELETE FROM authorizations WHERE person_id = $1`),
		del("web_sessions", `DELETE FROM web_sessions WHERE kind = '`+string(account.KindConsumer)+`' AND subject_id IN (SELECT id FROM consumers WHERE person_id = $1)`),
		del("second_factors", `DELETE FROM second_factors WHERE kind = '`+string(account.KindConsumer)+`' AND subject_id IN (SELECT id FROM consumers WHERE person_id = $1)`),
		del("recovery_codes", `DELETE FROM recovery_codes WHERE kind = '`+string(account.KindConsumer)+`' AND subject_id IN (SELECT id FROM consumers WHERE person_id = $1)`),
		del("pending_sign_ins", `DELETE FROM pending_sign_ins WHERE kind = '`+string(account.KindConsumer)+`' AND subject_id IN (SELECT id FROM consumers WHERE person_id = $1)`),
		del("known_devices", `DELETE FROM known_devices WHERE kind = '`+string(account.KindConsumer)+`' AND subject_id IN (SELECT id FROM consumers WHERE person_id = $1)`),
		del("login_codes", `DELETE FROM login_codes WHERE consumer_key IN (SELECT consumer_key FROM persons WHERE id = $1)`),
		del("consumers", `DELETE FROM consumers WHERE person_id = $1`),
		del("outbox_messages", `DELETE FROM outbox_messages WHERE person_id = $1`),
		del("consent_history", `DELETE FROM consent_history WHERE subject = $1`),
		del("consents", `DELETE FROM consents WHERE subject = $1`),
		del("decision_contests", `DELETE FROM decision_contests WHERE person_id = $1`),
		del("disclosures", `DELETE FROM disclosures WHERE person_id = $1`),
		del("aml_alert_evidence", `DELETE FROM aml_alert_evidence WHERE alert_id IN (SELECT id FROM aml_alerts WHERE person_id = $1)`),
		del("aml_alerts", `DELETE FROM aml_alerts WHERE person_id = $1`),
		del("processing_restrictions", `DELETE FROM processing_restrictions WHERE person_id = $1`),
		del("screening_false_positives", `DELETE FROM screening_false_positives WHERE person_id = $1`),
		del("data_subject_request_events", `DELETE FROM data_subject_request_events WHERE request_id IN (SELECT id FROM data_subject_requests WHERE person_id = $1)`),
		del("data_subject_request_documents", `DELETE FROM data_subject_request_documents WHERE request_id IN (SELECT id FROM data_subject_requests WHERE person_id = $1)`),
		del("data_subject_requests", `DELETE FROM data_subject_requests WHERE person_id = $1`),
	}
	for _, s := range byPerson {
		if err := c.exec(tx, false, s.table, s.query, id); err != nil {
			return err
		}
	}
	if err := r.vault.Shred(tx, id); err != nil {
		return err
	}
	c.Shredded++
	p, err := person.Get(tx, id)
	if err != nil {
		return err
	}
	if !p.Erased() {
		if err := person.Forget(tx, id); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(`INSERT INTO retention_retired_persons (person_id, retired_at) VALUES ($1, $2) ON CONFLICT (person_id) DO NOTHING`, id, store.Micros(tx.Now)); err != nil {
		return err
	}
	_, err = audit.Append(tx, ActorRetention, ActionPersonRetired, id, map[string]any{
		"purpose": it.Purpose, "category": it.Category, "period_ended": it.End.UTC().Format(time.RFC3339),
	})
	return err
}

// personRows returns the ids of the person's orders and of their payment
// sessions (those the person_id names and those of their orders).
func personRows(tx *store.Tx, id string) (orders, sessions []string, err error) {
	rows, err := tx.Query(`SELECT id, session_id FROM orders WHERE person_id = $1`, id)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	for rows.Next() {
		var o, s string
		if err := rows.Scan(&o, &s); err != nil {
			rows.Close()
			return nil, nil, err
		}
		orders = append(orders, o)
		if !seen[s] {
			seen[s] = true
			sessions = append(sessions, s)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, nil, err
	}
	var own []string
	if err := collect(tx, &own, `SELECT id FROM payment_sessions WHERE person_id = $1`, id); err != nil {
		return nil, nil, err
	}
	for _, s := range own {
		if !seen[s] {
			seen[s] = true
			sessions = append(sessions, s)
		}
	}
	return orders, sessions, nil
}

// collect appends the text values query returns to out.
func collect(tx *store.Tx, out *[]string, query string, args ...any) error {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return err
		}
		*out = append(*out, v)
	}
	return rows.Err()
}
