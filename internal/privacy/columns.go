package privacy

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/store"
)

// Column says what one database column holds: the data categories of the
// personal data in it, or why it holds none.
//
// A column is personal when its value, in its row, is about a person or
// something a person did (what they bought, paid, said, when they signed in),
// even when the row names the person only through another table. A JSON
// document holds every category it may contain. Keyed hashes of personal
// data (consumer_key) are pseudonymous personal data (CategoryLookupKeys).
// Random ids and the references to them, counters, deadlines the system set
// itself, merchants' business data and configuration are not personal.
type Column struct {
	// Categories are the categories of personal data the column holds.
	Categories []CategoryID
	// NotPersonal is why the column holds no personal data; empty when it
	// does.
	NotPersonal string
	// SealedContext, when set, says the column holds its personal data only
	// as vault ciphertext under the person's data key, sealed in this vault
	// context (package vault), so shredding the key makes it unreadable
	// everywhere.
	SealedContext string
}

// Sealed reports whether the column holds vault ciphertext.
func (c Column) Sealed() bool { return c.SealedContext != "" }

// Personal reports whether the column holds personal data.
func (c Column) Personal() bool { return len(c.Categories) > 0 }

// personal declares a column holding the given categories.
func personal(cats ...CategoryID) Column { return Column{Categories: cats} }

// sealedIn declares a column holding the given categories as vault
// ciphertext sealed in the vault context.
func sealedIn(context string, cats ...CategoryID) Column {
	return Column{Categories: cats, SealedContext: context}
}

// notPersonal declares a column holding no personal data, and why.
func notPersonal(reason string) Column { return Column{NotPersonal: reason} }

// Reasons shared by many columns.
var (
	randomID  = notPersonal("a random id (UUIDv7 or token) or a reference to one; says nothing about the person")
	version   = notPersonal("optimistic-locking counter")
	deadline  = notPersonal("a deadline the system set itself")
	business  = notPersonal("data about a merchant, a business")
	delivery  = notPersonal("delivery bookkeeping of a message to a merchant")
	schedule  = notPersonal("scheduling of background work")
	migration = notPersonal("the schema's migration history")
	personRef = notPersonal("the opaque id of a person (package person): it says nothing about them, and once they are erased it leads to nothing readable")
)

// columns maps every column of every table, as "table.column", to what it
// holds. TestEveryColumnClassified fails when a column of the migrated
// schema is missing here, or when an entry names a column that is gone.
var columns = map[string]Column{
	"goose_db_version.id":         migration,
	"goose_db_version.version_id": migration,
	"goose_db_version.is_applied": migration,
	"goose_db_version.tstamp":     migration,

	"instance_secrets.name":       notPersonal("name of an instance-wide secret"),
	"instance_secrets.value":      notPersonal("an instance-wide random secret"),
	"instance_secrets.created_at": notPersonal("when an instance-wide secret was made"),

	"merchants.id":                   randomID,
	"merchants.name":                 business,
	"merchants.category":             business,
	"merchants.test_mode":            business,
	"merchants.notification_url":     business,
	"merchants.signing_secret":       business,
	"merchants.settlement_currency":  business,
	"merchants.fraud_policy_covered": business,
	"merchants.expiry_days":          business,
	"merchants.created_at":           business,

	"merchant_credentials.username":    notPersonal("a generated API user name of a merchant's integration"),
	"merchant_credentials.merchant_id": randomID,
	"merchant_credentials.secret_hash": notPersonal("digest of a merchant's API secret"),
	"merchant_credentials.created_at":  business,
	"merchant_credentials.revoked_at":  business,

	"merchant_fee_terms.merchant_id": randomID,
	"merchant_fee_terms.percent_bp":  business,
	"merchant_fee_terms.fixed_minor": business,
	"merchant_fee_terms.vat_rate_bp": business,
	"merchant_fee_terms.updated_at":  business,

	"merchant_disabled_payment_methods.merchant_id": randomID,
	"merchant_disabled_payment_methods.category":    business,
	"merchant_disabled_payment_methods.disabled_at": business,

	"payment_sessions.id":                  randomID,
	"payment_sessions.person_id":           personRef,
	"payment_sessions.merchant_id":         randomID,
	"payment_sessions.status":              personal(CategoryPurchase),
	"payment_sessions.purchase_country":    personal(CategoryPurchase),
	"payment_sessions.purchase_currency":   personal(CategoryPurchase),
	"payment_sessions.locale":              personal(CategoryPurchase),
	"payment_sessions.order_amount":        personal(CategoryPurchase),
	"payment_sessions.data":                personal(CategoryPurchase),
	"payment_sessions.personal":            sealedIn(person.ContextPurchase, CategoryIdentity, CategoryContact, CategoryAddress, CategoryDateOfBirth, CategoryNationalID),
	"payment_sessions.authorization_token": randomID,
	"payment_sessions.created_at":          personal(CategoryPurchase),
	"payment_sessions.expires_at":          deadline,
	"payment_sessions.version":             version,

	"otp_challenges.session_id": randomID,
	"otp_challenges.code_hash":  personal(CategoryCredentials),
	"otp_challenges.attempts":   personal(CategoryCredentials),
	"otp_challenges.expires_at": deadline,

	"authorizations.token":              randomID,
	"authorizations.person_id":          personRef,
	"authorizations.session_id":         randomID,
	"authorizations.merchant_id":        randomID,
	"authorizations.status":             personal(CategoryCredit),
	"authorizations.fraud_status":       personal(CategoryFraud),
	"authorizations.payment_method":     personal(CategoryPayment),
	"authorizations.approved_amount":    personal(CategoryCredit),
	"authorizations.consumer":           sealedIn(person.ContextConsumer, CategoryIdentity, CategoryContact, CategoryAddress, CategoryDateOfBirth, CategoryNationalID, CategoryDevice),
	"authorizations.reasons":            personal(CategoryCredit, CategoryFraud),
	"authorizations.order_id":           randomID,
	"authorizations.created_at":         personal(CategoryCredit),
	"authorizations.expires_at":         deadline,
	"authorizations.version":            version,
	"authorizations.financing_months":   personal(CategoryPayment),
	"authorizations.payment_instrument": personal(CategoryPayment),

	"orders.id":                    randomID,
	"orders.person_id":             personRef,
	"orders.merchant_id":           randomID,
	"orders.session_id":            randomID,
	"orders.reference":             randomID,
	"orders.status":                personal(CategoryPurchase),
	"orders.fraud_status":          personal(CategoryFraud),
	"orders.payment_method":        personal(CategoryPayment),
	"orders.purchase_country":      personal(CategoryPurchase),
	"orders.purchase_currency":     personal(CategoryPurchase),
	"orders.locale":                personal(CategoryPurchase),
	"orders.original_order_amount": personal(CategoryPurchase),
	"orders.order_amount":          personal(CategoryPurchase),
	"orders.order_tax_amount":      personal(CategoryPurchase),
	"orders.captured_amount":       personal(CategoryPurchase),
	"orders.refunded_amount":       personal(CategoryPurchase),
	"orders.released_amount":       personal(CategoryPurchase),
	"orders.merchant_reference1":   personal(CategoryPurchase),
	"orders.merchant_reference2":   personal(CategoryPurchase),
	"orders.data":                  personal(CategoryPurchase),
	"orders.personal":              sealedIn(person.ContextPurchase, CategoryIdentity, CategoryContact, CategoryAddress, CategoryDateOfBirth, CategoryNationalID),
	"orders.consumer":              sealedIn(person.ContextConsumer, CategoryIdentity, CategoryContact, CategoryAddress, CategoryDateOfBirth, CategoryNationalID, CategoryDevice),
	"orders.shipping_info":         personal(CategoryPurchase),
	"orders.created_at":            personal(CategoryPurchase),
	"orders.expires_at":            deadline,
	"orders.acknowledged_at":       personal(CategoryPurchase),
	"orders.version":               version,

	"captures.id":                  randomID,
	"captures.order_id":            randomID,
	"captures.reference":           randomID,
	"captures.captured_amount":     personal(CategoryPurchase),
	"captures.refunded_amount":     personal(CategoryPurchase),
	"captures.description":         personal(CategoryPurchase),
	"captures.merchant_ref":        personal(CategoryPurchase),
	"captures.order_lines":         personal(CategoryPurchase),
	"captures.shipping_info":       personal(CategoryPurchase),
	"captures.captured_at":         personal(CategoryPurchase),
	"captures.shipping_delay_days": personal(CategoryPurchase),

	"refunds.id":              randomID,
	"refunds.order_id":        randomID,
	"refunds.refunded_amount": personal(CategoryPurchase),
	"refunds.description":     personal(CategoryPurchase),
	"refunds.merchant_ref":    personal(CategoryPurchase),
	"refunds.order_lines":     personal(CategoryPurchase),
	"refunds.refunded_at":     personal(CategoryPurchase),
	// kind fraud says the order was written off as fraud, and the policy
	// amount goes with it.
	"refunds.kind":                personal(CategoryFraud),
	"refunds.fraud_policy_amount": personal(CategoryFraud),

	"idempotency_keys.merchant_id":  randomID,
	"idempotency_keys.key":          notPersonal("a merchant's idempotency key"),
	"idempotency_keys.method":       notPersonal("HTTP method of a merchant's request"),
	"idempotency_keys.path":         notPersonal("API path of a merchant's request; names an order by id at most"),
	"idempotency_keys.request_hash": notPersonal("SHA-256 of a request, compared with repeats only"),
	"idempotency_keys.status_code":  notPersonal("HTTP status of the stored response"),
	"idempotency_keys.headers":      notPersonal("headers of the stored response: locations and ids"),
	"idempotency_keys.body":         notPersonal("body of an order-management response: empty or ids"),
	"idempotency_keys.created_at":   notPersonal("when a merchant's request was first answered"),
	"idempotency_keys.expires_at":   deadline,

	"ledger_journals.id":         randomID,
	"ledger_journals.kind":       personal(CategoryPayment),
	"ledger_journals.reference":  randomID,
	"ledger_journals.order_id":   randomID,
	"ledger_journals.currency":   personal(CategoryPayment),
	"ledger_journals.created_at": personal(CategoryPayment),

	"ledger_entries.id":         randomID,
	"ledger_entries.journal_id": randomID,
	"ledger_entries.account":    notPersonal("an account name; names an order or merchant by id at most"),
	"ledger_entries.currency":   personal(CategoryPayment),
	"ledger_entries.amount":     personal(CategoryPayment),

	"jobs.id":           randomID,
	"jobs.kind":         schedule,
	"jobs.unique_key":   notPersonal("a job's de-duplication key: kind and ids"),
	"jobs.payload":      notPersonal("the ids of the rows a job works on"),
	"jobs.run_at":       schedule,
	"jobs.attempts":     schedule,
	"jobs.locked_until": schedule,
	"jobs.last_error":   notPersonal("an error message; errors never carry personal data"),
	"jobs.created_at":   schedule,

	"webhook_events.id":           randomID,
	"webhook_events.merchant_id":  randomID,
	"webhook_events.order_id":     randomID,
	"webhook_events.event_type":   personal(CategoryFraud),
	"webhook_events.url":          business,
	"webhook_events.body":         personal(CategoryPurchase, CategoryFraud),
	"webhook_events.status":       delivery,
	"webhook_events.attempts":     delivery,
	"webhook_events.created_at":   delivery,
	"webhook_events.give_up_at":   deadline,
	"webhook_events.delivered_at": delivery,

	"webhook_attempts.id":           randomID,
	"webhook_attempts.event_id":     randomID,
	"webhook_attempts.attempt":      delivery,
	"webhook_attempts.attempted_at": delivery,
	"webhook_attempts.status_code":  delivery,
	"webhook_attempts.error":        delivery,
	"webhook_attempts.duration_us":  delivery,

	"outbox_messages.id":            randomID,
	"outbox_messages.channel":       notPersonal("e-mail or SMS"),
	"outbox_messages.recipient":     sealedIn("outbox_messages.recipient", CategoryContact),
	"outbox_messages.subject":       sealedIn("outbox_messages.subject", CategoryCommunications),
	"outbox_messages.body":          sealedIn("outbox_messages.body", CategoryCommunications),
	"outbox_messages.created_at":    personal(CategoryCommunications),
	"outbox_messages.sent_at":       personal(CategoryCommunications),
	"outbox_messages.person_id":     personRef,
	"outbox_messages.recipient_key": personal(CategoryLookupKeys),

	"audit_log.seq":       notPersonal("position in the audit chain"),
	"audit_log.id":        randomID,
	"audit_log.at":        personal(CategoryAuditTrail),
	"audit_log.actor":     personal(CategoryAuditTrail),
	"audit_log.action":    personal(CategoryAuditTrail),
	"audit_log.subject":   personal(CategoryAuditTrail),
	"audit_log.details":   personal(CategoryAuditTrail),
	"audit_log.prev_hash": notPersonal("hash of the previous audit entry"),
	"audit_log.hash":      notPersonal("hash of the audit entry"),

	"settlements.id":              randomID,
	"settlements.merchant_id":     randomID,
	"settlements.currency":        business,
	"settlements.period_start":    business,
	"settlements.period_end":      business,
	"settlements.status":          business,
	"settlements.sales":           business,
	"settlements.refunds":         business,
	"settlements.fees":            business,
	"settlements.fee_vat":         business,
	"settlements.brought_forward": business,
	"settlements.net":             business,
	"settlements.payout":          business,
	"settlements.carried":         business,
	"settlements.fraud_returns":   business,
	"settlements.fraud_policy":    business,
	"settlements.percent_bp":      business,
	"settlements.fixed_minor":     business,
	"settlements.vat_rate_bp":     business,
	"settlements.created_at":      business,

	"settlement_lines.id":            randomID,
	"settlement_lines.settlement_id": randomID,
	"settlement_lines.kind":          personal(CategoryPurchase),
	"settlement_lines.source_id":     randomID,
	"settlement_lines.order_id":      randomID,
	"settlement_lines.amount":        personal(CategoryPurchase),
	"settlement_lines.vat":           personal(CategoryPurchase),
	"settlement_lines.occurred_at":   personal(CategoryPurchase),

	"payment_plans.order_id":        randomID,
	"payment_plans.person_id":       personRef,
	"payment_plans.merchant_id":     randomID,
	"payment_plans.method":          personal(CategoryPayment),
	"payment_plans.currency":        personal(CategoryPayment),
	"payment_plans.locale":          personal(CategoryPurchase),
	"payment_plans.instrument":      personal(CategoryPayment),
	"payment_plans.months":          personal(CategoryPayment),
	"payment_plans.nominal_rate_bp": personal(CategoryPayment),
	"payment_plans.monthly_fee":     personal(CategoryPayment),
	"payment_plans.setup_fee":       personal(CategoryPayment),
	"payment_plans.status":          personal(CategoryPayment),
	"payment_plans.credit":          personal(CategoryPayment),
	"payment_plans.late_fees":       personal(CategoryPayment),
	"payment_plans.paused_until":    personal(CategoryPayment),
	"payment_plans.statement_day":   personal(CategoryPayment),
	"payment_plans.created_at":      personal(CategoryPayment),
	"payment_plans.updated_at":      personal(CategoryPayment),
	"payment_plans.closed_at":       personal(CategoryPayment),
	"payment_plans.version":         version,

	"plan_installments.order_id":  randomID,
	"plan_installments.number":    personal(CategoryPayment),
	"plan_installments.due_date":  personal(CategoryPayment),
	"plan_installments.principal": personal(CategoryPayment),
	"plan_installments.interest":  personal(CategoryPayment),
	"plan_installments.fee":       personal(CategoryPayment),
	"plan_installments.late_fee":  personal(CategoryPayment),
	"plan_installments.amount":    personal(CategoryPayment),
	"plan_installments.paid":      personal(CategoryPayment),
	"plan_installments.paid_at":   personal(CategoryPayment),

	"plan_payments.id":          randomID,
	"plan_payments.order_id":    randomID,
	"plan_payments.kind":        personal(CategoryPayment),
	"plan_payments.transfer_id": randomID,
	"plan_payments.purpose":     personal(CategoryPayment),
	"plan_payments.amount":      personal(CategoryPayment),
	"plan_payments.currency":    personal(CategoryPayment),
	"plan_payments.status":      personal(CategoryPayment),
	"plan_payments.created_at":  personal(CategoryPayment),
	"plan_payments.settled_at":  personal(CategoryPayment),

	"plan_statements.id":              randomID,
	"plan_statements.order_id":        randomID,
	"plan_statements.period_start":    personal(CategoryPayment),
	"plan_statements.period_end":      personal(CategoryPayment),
	"plan_statements.opening_balance": personal(CategoryPayment),
	"plan_statements.charges":         personal(CategoryPayment),
	"plan_statements.payments":        personal(CategoryPayment),
	"plan_statements.reductions":      personal(CategoryPayment),
	"plan_statements.closing_balance": personal(CategoryPayment),
	"plan_statements.next_due_date":   personal(CategoryPayment),
	"plan_statements.next_due_amount": personal(CategoryPayment),
	"plan_statements.final":           personal(CategoryPayment),
	"plan_statements.created_at":      personal(CategoryPayment),

	// A pause of a person's plan, what holds it ("dispute:<id>", ...) and
	// since when tell that they disputed, returned or reported a fraud:
	// payment data like the plan's paused_until.
	"plan_pauses.order_id":   randomID,
	"plan_pauses.holder":     personal(CategoryPayment),
	"plan_pauses.until":      personal(CategoryPayment),
	"plan_pauses.created_at": personal(CategoryPayment),

	"rail_transfers.id":                 randomID,
	"rail_transfers.direction":          personal(CategoryPayment),
	"rail_transfers.order_id":           randomID,
	"rail_transfers.purpose":            personal(CategoryPayment),
	"rail_transfers.amount":             personal(CategoryPayment),
	"rail_transfers.currency":           personal(CategoryPayment),
	"rail_transfers.instrument":         personal(CategoryPayment),
	"rail_transfers.status":             personal(CategoryPayment),
	"rail_transfers.provider_reference": randomID,
	"rail_transfers.failure_reason":     personal(CategoryPayment),
	"rail_transfers.attempts":           schedule,
	"rail_transfers.idempotency_key":    randomID,
	"rail_transfers.created_at":         personal(CategoryPayment),
	"rail_transfers.submitted_at":       personal(CategoryPayment),
	"rail_transfers.settled_at":         personal(CategoryPayment),
	"rail_transfers.version":            version,

	"staff_users.id":              randomID,
	"staff_users.email":           personal(CategoryContact),
	"staff_users.name":            personal(CategoryIdentity),
	"staff_users.role":            personal(CategoryAccount),
	"staff_users.password_hash":   personal(CategoryCredentials),
	"staff_users.created_at":      personal(CategoryAccount),
	"staff_users.password_set_at": personal(CategoryCredentials),
	"staff_users.last_sign_in_at": personal(CategoryAccount),
	"staff_users.disabled_at":     personal(CategoryAccount),

	"merchant_users.id":              randomID,
	"merchant_users.merchant_id":     randomID,
	"merchant_users.email":           personal(CategoryContact),
	"merchant_users.name":            personal(CategoryIdentity),
	"merchant_users.role":            personal(CategoryAccount),
	"merchant_users.password_hash":   personal(CategoryCredentials),
	"merchant_users.created_at":      personal(CategoryAccount),
	"merchant_users.password_set_at": personal(CategoryCredentials),
	"merchant_users.last_sign_in_at": personal(CategoryAccount),
	"merchant_users.disabled_at":     personal(CategoryAccount),

	"consumers.id":              randomID,
	"consumers.consumer_key":    personal(CategoryLookupKeys),
	"consumers.email":           sealedIn("consumers.email", CategoryContact),
	"consumers.locale":          personal(CategoryAccount),
	"consumers.created_at":      personal(CategoryAccount),
	"consumers.last_sign_in_at": personal(CategoryAccount),
	"consumers.person_id":       personRef,

	"persons.id":                    personRef,
	"persons.consumer_key":          personal(CategoryLookupKeys),
	"persons.created_at":            personal(CategoryAccount),
	"persons.relationship_ended_at": personal(CategoryAccount),
	"persons.erased_at":             personal(CategoryAccount),

	"login_codes.consumer_key": personal(CategoryLookupKeys),
	"login_codes.code_hash":    personal(CategoryCredentials),
	"login_codes.locale":       personal(CategoryAccount),
	"login_codes.attempts":     personal(CategoryCredentials),
	"login_codes.created_at":   personal(CategoryCredentials),
	"login_codes.expires_at":   deadline,

	"web_sessions.id":           randomID,
	"web_sessions.token_hash":   personal(CategorySessions),
	"web_sessions.kind":         personal(CategorySessions),
	"web_sessions.subject_id":   randomID,
	"web_sessions.merchant_id":  randomID,
	"web_sessions.created_at":   personal(CategorySessions),
	"web_sessions.last_seen_at": personal(CategorySessions),
	"web_sessions.expires_at":   deadline,
	"web_sessions.revoked_at":   personal(CategorySessions),
	"web_sessions.user_agent":   sealedIn("web_sessions.user_agent", CategoryDevice),
	"web_sessions.ip":           sealedIn("web_sessions.ip", CategoryDevice),

	"second_factors.kind":         personal(CategoryCredentials),
	"second_factors.subject_id":   randomID,
	"second_factors.secret":       sealedIn("second_factors.secret", CategoryCredentials),
	"second_factors.created_at":   personal(CategoryCredentials),
	"second_factors.confirmed_at": personal(CategoryCredentials),
	"second_factors.last_step":    personal(CategoryCredentials),

	"recovery_codes.id":         randomID,
	"recovery_codes.kind":       personal(CategoryCredentials),
	"recovery_codes.subject_id": randomID,
	"recovery_codes.code_hash":  personal(CategoryCredentials),
	"recovery_codes.created_at": personal(CategoryCredentials),
	"recovery_codes.used_at":    personal(CategoryCredentials),

	"pending_sign_ins.token_hash":  personal(CategorySessions),
	"pending_sign_ins.kind":        personal(CategorySessions),
	"pending_sign_ins.subject_id":  randomID,
	"pending_sign_ins.merchant_id": randomID,
	"pending_sign_ins.stage":       personal(CategorySessions),
	"pending_sign_ins.created_at":  personal(CategorySessions),
	"pending_sign_ins.expires_at":  deadline,

	"known_devices.kind":          personal(CategoryDevice),
	"known_devices.subject_id":    randomID,
	"known_devices.device_hash":   personal(CategoryDevice),
	"known_devices.first_seen_at": personal(CategoryDevice),
	"known_devices.last_seen_at":  personal(CategoryDevice),

	"sign_in_throttle.scope":        notPersonal("which sign-in form a counter is for"),
	"sign_in_throttle.key_hash":     personal(CategoryLookupKeys),
	"sign_in_throttle.attempts":     personal(CategoryCredentials),
	"sign_in_throttle.window_start": personal(CategoryCredentials),
	"sign_in_throttle.locked_until": personal(CategoryCredentials),
	"sign_in_throttle.expires_at":   deadline,
	"sign_in_throttle.version":      version,

	"subject_keys.subject":       personal(CategoryLookupKeys),
	"subject_keys.master_key_id": notPersonal("short hash naming a master key"),
	"subject_keys.wrapped_key":   notPersonal("a random data key, encrypted under the master key"),
	"subject_keys.created_at":    notPersonal("when the vault made a random data key"),
	"subject_keys.shredded_at":   notPersonal("when the vault destroyed a random data key"),

	"consents.subject":    personRef,
	"consents.purpose":    personal(CategoryConsents),
	"consents.granted":    personal(CategoryConsents),
	"consents.updated_at": personal(CategoryConsents),
	"consents.version":    version,

	"consent_history.id":          randomID,
	"consent_history.subject":     personRef,
	"consent_history.purpose":     personal(CategoryConsents),
	"consent_history.granted":     personal(CategoryConsents),
	"consent_history.source":      personal(CategoryConsents),
	"consent_history.actor":       personal(CategoryConsents),
	"consent_history.occurred_at": personal(CategoryConsents),

	"risk_rule_sets.version":    notPersonal("the number of a published rule set"),
	"risk_rule_sets.source":     notPersonal("fraud and review rules operators wrote, about orders in general"),
	"risk_rule_sets.digest":     notPersonal("SHA-256 of a rule set's text"),
	"risk_rule_sets.created_at": personal(CategoryAuditTrail),
	"risk_rule_sets.created_by": personal(CategoryAuditTrail),
	"risk_rule_sets.comment":    notPersonal("why an operator published a rule set, about the rules"),

	"retention_runs.id":          randomID,
	"retention_runs.source":      notPersonal("what started a retention run: the schedule, staff or the command line"),
	"retention_runs.started_at":  notPersonal("when a retention run started"),
	"retention_runs.finished_at": notPersonal("when a retention run finished"),
	"retention_runs.items":       notPersonal("how many pieces of data a retention run removed"),
	"retention_runs.changed":     notPersonal("how many rows a retention run deleted or anonymised"),
	"retention_runs.report":      notPersonal("a retention run's counts per rule, purpose and table"),
	"retention_runs.error":       notPersonal("an error message; errors never carry personal data"),

	"retention_retired_persons.person_id":  personRef,
	"retention_retired_persons.retired_at": notPersonal("when the retention engine finished with a person id; by then nothing readable about the person remains"),

	"decision_contests.id":               randomID,
	"decision_contests.person_id":        personRef,
	"decision_contests.decision_ref":     notPersonal("a digest of an authorization's random token and the decision's kind; says nothing about the person"),
	"decision_contests.kind":             personal(CategoryCredit, CategoryFraud, CategoryAMLScreening),
	"decision_contests.decision_outcome": personal(CategoryCredit, CategoryFraud, CategoryAMLScreening),
	"decision_contests.reasons":          personal(CategoryCredit, CategoryFraud, CategoryAMLScreening),
	"decision_contests.merchant_id":      randomID,
	"decision_contests.amount":           personal(CategoryPurchase),
	"decision_contests.currency":         personal(CategoryPurchase),
	"decision_contests.decided_at":       personal(CategoryCredit, CategoryFraud, CategoryAMLScreening),
	"decision_contests.statement":        sealedIn("decision_contests.statement", CategoryCommunications, CategoryCredit, CategoryFraud, CategoryAMLScreening),
	"decision_contests.reply_to":         sealedIn("decision_contests.reply_to", CategoryContact),
	"decision_contests.locale":           personal(CategoryAccount),
	"decision_contests.status":           personal(CategoryCommunications),
	"decision_contests.open_key":         notPersonal("the decision_ref of an open contest, for its unique index"),
	"decision_contests.outcome":          personal(CategoryCommunications, CategoryCredit, CategoryFraud, CategoryAMLScreening),
	"decision_contests.note":             sealedIn("decision_contests.note", CategoryCommunications, CategoryCredit, CategoryFraud, CategoryAMLScreening),
	"decision_contests.reviewer":         personal(CategoryAuditTrail),
	"decision_contests.created_at":       personal(CategoryCommunications),
	"decision_contests.reviewed_at":      personal(CategoryCommunications),
	"decision_contests.version":          version,

	"disclosures.id":             randomID,
	"disclosures.person_id":      personRef,
	"disclosures.recipient_kind": personal(CategoryPurchase, CategoryPayment, CategoryCredit),
	"disclosures.recipient_id":   personal(CategoryPurchase, CategoryPayment, CategoryCredit),
	"disclosures.recipient_name": personal(CategoryPurchase, CategoryPayment, CategoryCredit),
	"disclosures.categories":     personal(CategoryPurchase, CategoryPayment, CategoryCredit),
	"disclosures.purpose":        personal(CategoryPurchase, CategoryPayment, CategoryCredit),
	"disclosures.legal_basis":    personal(CategoryPurchase, CategoryPayment, CategoryCredit),
	"disclosures.reference":      personal(CategoryPurchase, CategoryPayment, CategoryCredit),
	"disclosures.occurred_at":    personal(CategoryPurchase, CategoryPayment, CategoryCredit),

	// Data-subject requests (package dsr): the record that a request was
	// made and how it was handled is Tillit's evidence of compliance (GDPR
	// Art. 5(2), accountability), an audit trail. What the person wrote,
	// the address answers go to and how staff verified them are sealed, and
	// an erasure of the person sets them to NULL in all their requests.
	"data_subject_requests.id":               randomID,
	"data_subject_requests.reference":        randomID,
	"data_subject_requests.person_id":        personRef,
	"data_subject_requests.kind":             personal(CategoryAuditTrail),
	"data_subject_requests.status":           personal(CategoryAuditTrail),
	"data_subject_requests.channel":          personal(CategoryAuditTrail),
	"data_subject_requests.identity_method":  personal(CategoryAuditTrail),
	"data_subject_requests.country":          personal(CategoryAddress),
	"data_subject_requests.locale":           personal(CategoryAuditTrail),
	"data_subject_requests.description":      sealedIn("data_subject_requests.description", CategoryCommunications),
	"data_subject_requests.reply_to":         sealedIn("data_subject_requests.reply_to", CategoryContact),
	"data_subject_requests.identity_note":    sealedIn("data_subject_requests.identity_note", CategoryIdentity),
	"data_subject_requests.received_at":      personal(CategoryAuditTrail),
	"data_subject_requests.original_due_at":  deadline,
	"data_subject_requests.due_at":           deadline,
	"data_subject_requests.extension_months": personal(CategoryAuditTrail),
	"data_subject_requests.reminded_at":      notPersonal("when the deadline job reminded staff of a request's deadline"),
	"data_subject_requests.breached_at":      notPersonal("when the deadline job found a request's deadline missed: about Tillit's handling, not the person"),
	"data_subject_requests.closed_at":        personal(CategoryAuditTrail),
	"data_subject_requests.erased_at":        personal(CategoryAuditTrail),
	"data_subject_requests.outcome":          personal(CategoryAuditTrail),
	"data_subject_requests.open_key":         personal(CategoryAuditTrail),
	"data_subject_requests.version":          version,
	"data_subject_requests.scope":            personal(CategoryAuditTrail),

	"processing_restrictions.id":          randomID,
	"processing_restrictions.person_id":   personRef,
	"processing_restrictions.kind":        personal(CategoryConsents),
	"processing_restrictions.target":      personal(CategoryConsents),
	"processing_restrictions.request_id":  randomID,
	"processing_restrictions.created_at":  personal(CategoryConsents),
	"processing_restrictions.created_by":  personal(CategoryConsents),
	"processing_restrictions.lifted_at":   personal(CategoryConsents),
	"processing_restrictions.lifted_by":   personal(CategoryConsents),
	"processing_restrictions.lift_reason": personal(CategoryConsents),
	"processing_restrictions.active_key":  personal(CategoryConsents),

	"data_subject_request_events.id":          randomID,
	"data_subject_request_events.request_id":  randomID,
	"data_subject_request_events.seq":         notPersonal("position of a step in its request's history"),
	"data_subject_request_events.event":       personal(CategoryAuditTrail),
	"data_subject_request_events.from_status": personal(CategoryAuditTrail),
	"data_subject_request_events.to_status":   personal(CategoryAuditTrail),
	"data_subject_request_events.actor":       personal(CategoryAuditTrail),
	"data_subject_request_events.note":        personal(CategoryAuditTrail),
	"data_subject_request_events.occurred_at": personal(CategoryAuditTrail),

	"data_subject_request_documents.request_id":   randomID,
	"data_subject_request_documents.name":         notPersonal("a generated file name"),
	"data_subject_request_documents.content_type": notPersonal("the media type of a generated document"),
	"data_subject_request_documents.size":         notPersonal("the length of a generated document"),
	"data_subject_request_documents.body":         sealedIn("data_subject_request_documents.body", CategoryCommunications),
	"data_subject_request_documents.created_at":   personal(CategoryCommunications),
	"data_subject_request_documents.expires_at":   deadline,

	"screening_false_positives.id":            randomID,
	"screening_false_positives.person_id":     personRef,
	"screening_false_positives.identity_key":  personal(CategoryLookupKeys),
	"screening_false_positives.list_name":     personal(CategoryAMLScreening),
	"screening_false_positives.entry_id":      personal(CategoryAMLScreening),
	"screening_false_positives.reason":        personal(CategoryAMLScreening),
	"screening_false_positives.created_at":    personal(CategoryAMLScreening),
	"screening_false_positives.created_by":    personal(CategoryAMLScreening),
	"screening_false_positives.revoked_at":    personal(CategoryAMLScreening),
	"screening_false_positives.revoked_by":    personal(CategoryAMLScreening),
	"screening_false_positives.revoke_reason": personal(CategoryAMLScreening),
	"screening_false_positives.active_key":    personal(CategoryLookupKeys),

	"aml_alerts.id":           randomID,
	"aml_alerts.person_id":    personRef,
	"aml_alerts.rule":         personal(CategoryAMLScreening),
	"aml_alerts.severity":     personal(CategoryAMLScreening),
	"aml_alerts.params":       personal(CategoryAMLScreening),
	"aml_alerts.status":       personal(CategoryAMLScreening),
	"aml_alerts.open_key":     personal(CategoryAMLScreening),
	"aml_alerts.opened_at":    personal(CategoryAMLScreening),
	"aml_alerts.updated_at":   personal(CategoryAMLScreening),
	"aml_alerts.escalated_at": personal(CategoryAMLScreening),
	"aml_alerts.escalated_by": personal(CategoryAMLScreening),
	"aml_alerts.closed_at":    personal(CategoryAMLScreening),
	"aml_alerts.closed_by":    personal(CategoryAMLScreening),
	"aml_alerts.outcome_note": sealedIn("aml_alerts.outcome_note", CategoryAMLScreening),
	"aml_alerts.version":      version,

	"aml_alert_evidence.alert_id": randomID,
	"aml_alert_evidence.kind":     personal(CategoryAMLScreening, CategoryPurchase),
	"aml_alert_evidence.order_id": randomID,
	"aml_alert_evidence.amount":   personal(CategoryAMLScreening, CategoryPurchase),
	"aml_alert_evidence.currency": personal(CategoryAMLScreening, CategoryPurchase),
	"aml_alert_evidence.at":       personal(CategoryAMLScreening, CategoryPurchase),

	"risk_assessments.id":                  randomID,
	"risk_assessments.kind":                personal(CategoryCredit, CategoryFraud),
	"risk_assessments.authorization_token": randomID,
	"risk_assessments.order_id":            randomID,
	"risk_assessments.person_id":           personRef,
	"risk_assessments.merchant_id":         randomID,
	"risk_assessments.outcome":             personal(CategoryCredit, CategoryFraud),
	"risk_assessments.reasons":             personal(CategoryCredit, CategoryFraud),
	"risk_assessments.score_ppm":           personal(CategoryFraud),
	"risk_assessments.signal":              personal(CategoryFraud),
	"risk_assessments.detail":              personal(CategoryCredit, CategoryFraud, CategoryPurchase),
	"risk_assessments.created_at":          personal(CategoryCredit, CategoryFraud),

	"risk_observations.authorization_token": randomID,
	"risk_observations.order_id":            randomID,
	"risk_observations.person_id":           personRef,
	"risk_observations.merchant_id":         randomID,
	"risk_observations.amount":              personal(CategoryPurchase),
	"risk_observations.currency":            personal(CategoryPurchase),
	"risk_observations.outcome":             personal(CategoryFraud),
	"risk_observations.email_key":           personal(CategoryLookupKeys),
	"risk_observations.phone_key":           personal(CategoryLookupKeys),
	"risk_observations.device_key":          personal(CategoryLookupKeys, CategoryDevice),
	"risk_observations.ip_key":              personal(CategoryLookupKeys, CategoryDevice),
	"risk_observations.shipping_key":        personal(CategoryLookupKeys, CategoryAddress),
	"risk_observations.ships_elsewhere":     personal(CategoryAddress, CategoryFraud),
	"risk_observations.fraud_label":         personal(CategoryFraud),
	"risk_observations.labelled_at":         personal(CategoryFraud),
	"risk_observations.created_at":          personal(CategoryPurchase),

	"merchant_messages.id":          randomID,
	"merchant_messages.order_id":    randomID,
	"merchant_messages.merchant_id": randomID,
	"merchant_messages.person_id":   personRef,
	"merchant_messages.topic":       personal(CategoryCommunications),
	"merchant_messages.text":        sealedIn("merchant_messages.text", CategoryCommunications, CategoryPurchase, CategoryFraud),
	"merchant_messages.queue":       personal(CategoryFraud),
	"merchant_messages.status":      personal(CategoryCommunications),
	"merchant_messages.locale":      business,
	"merchant_messages.sent_at":     personal(CategoryCommunications),
	"merchant_messages.sent_by":     notPersonal("the id of the merchant user who wrote the message; says nothing about the consumer"),
	"merchant_messages.handled_at":  personal(CategoryCommunications),
	"merchant_messages.handled_by":  personal(CategoryAuditTrail),
	"merchant_messages.reply":       sealedIn("merchant_messages.reply", CategoryCommunications, CategoryPurchase, CategoryFraud),
	"merchant_messages.version":     version,

	"stop_requests.id":               randomID,
	"stop_requests.order_id":         randomID,
	"stop_requests.merchant_id":      randomID,
	"stop_requests.person_id":        personRef,
	"stop_requests.status":           personal(CategoryFraud),
	"stop_requests.outcome":          personal(CategoryFraud),
	"stop_requests.answer":           personal(CategoryFraud),
	"stop_requests.answer_details":   personal(CategoryFraud),
	"stop_requests.carrier":          personal(CategoryPurchase),
	"stop_requests.tracking_number":  sealedIn("stop_requests.tracking_number", CategoryPurchase),
	"stop_requests.recall_status":    personal(CategoryFraud),
	"stop_requests.recall_reference": personal(CategoryPurchase),
	"stop_requests.amount":           personal(CategoryPurchase),
	"stop_requests.currency":         personal(CategoryPurchase),
	"stop_requests.reminders":        notPersonal("how many reminders the merchant got; says nothing about the consumer"),
	"stop_requests.reminded_at":      notPersonal("when the merchant was last reminded"),
	"stop_requests.created_at":       personal(CategoryFraud),
	"stop_requests.deadline_at":      personal(CategoryFraud),
	"stop_requests.link_expires_at":  notPersonal("when the merchant's form link stops working"),
	"stop_requests.answered_at":      personal(CategoryFraud),
	"stop_requests.answered_by":      notPersonal("which merchant user, link or integration answered; says nothing about the consumer"),
	"stop_requests.answered_in_time": personal(CategoryFraud),
	"stop_requests.closed_at":        personal(CategoryFraud),
	"stop_requests.version":          version,

	"risk_reviews.id":           randomID,
	"risk_reviews.order_id":     randomID,
	"risk_reviews.person_id":    personRef,
	"risk_reviews.merchant_id":  randomID,
	"risk_reviews.status":       personal(CategoryFraud),
	"risk_reviews.open_key":     randomID,
	"risk_reviews.signals":      personal(CategoryFraud),
	"risk_reviews.amount":       personal(CategoryPurchase),
	"risk_reviews.currency":     personal(CategoryPurchase),
	"risk_reviews.score_ppm":    personal(CategoryFraud),
	"risk_reviews.severity_ppm": personal(CategoryFraud),
	"risk_reviews.ship_by":      personal(CategoryPurchase),
	"risk_reviews.answer":       personal(CategoryFraud),
	"risk_reviews.answer_note":  sealedIn("risk_reviews.answer_note", CategoryFraud),
	"risk_reviews.asked_at":     personal(CategoryFraud),
	"risk_reviews.answered_at":  personal(CategoryFraud),
	"risk_reviews.opened_at":    personal(CategoryFraud),
	"risk_reviews.opened_by":    personal(CategoryFraud),
	"risk_reviews.updated_at":   personal(CategoryFraud),
	"risk_reviews.updated_by":   personal(CategoryFraud),
	"risk_reviews.closed_at":    personal(CategoryFraud),
	"risk_reviews.closed_by":    personal(CategoryFraud),
	"risk_reviews.version":      version,

	"fraud_cases.id":          randomID,
	"fraud_cases.order_id":    randomID,
	"fraud_cases.person_id":   personRef,
	"fraud_cases.merchant_id": randomID,
	"fraud_cases.status":      personal(CategoryFraud),
	"fraud_cases.open_key":    randomID,
	"fraud_cases.channel":     personal(CategoryFraud),
	"fraud_cases.outcome":     personal(CategoryFraud),
	"fraud_cases.opened_at":   personal(CategoryFraud),
	"fraud_cases.opened_by":   personal(CategoryFraud),
	"fraud_cases.updated_at":  personal(CategoryFraud),
	"fraud_cases.updated_by":  personal(CategoryFraud),
	"fraud_cases.closed_at":   personal(CategoryFraud),
	"fraud_cases.closed_by":   personal(CategoryFraud),
	"fraud_cases.version":     version,

	"fraud_case_events.id":         randomID,
	"fraud_case_events.case_id":    randomID,
	"fraud_case_events.at":         personal(CategoryFraud),
	"fraud_case_events.actor":      personal(CategoryFraud),
	"fraud_case_events.actor_role": personal(CategoryFraud),
	"fraud_case_events.kind":       personal(CategoryFraud),
	"fraud_case_events.body":       sealedIn("fraud_case_events.body", CategoryFraud, CategoryCommunications, CategoryIdentity, CategoryContact, CategoryAddress),
	"fraud_case_events.outcome":    personal(CategoryFraud),
	"fraud_case_events.request_id": randomID,
	"fraud_case_events.expires_at": deadline,

	"disputes.id":                randomID,
	"disputes.order_id":          randomID,
	"disputes.person_id":         personRef,
	"disputes.merchant_id":       randomID,
	"disputes.live_key":          randomID,
	"disputes.reason":            personal(CategoryComplaints),
	"disputes.status":            personal(CategoryComplaints),
	"disputes.outcome":           personal(CategoryComplaints),
	"disputes.resolution":        personal(CategoryComplaints),
	"disputes.protected":         personal(CategoryComplaints),
	"disputes.exception":         personal(CategoryComplaints),
	"disputes.statement":         sealedIn("disputes.statement", CategoryComplaints, CategoryCommunications, CategoryPurchase),
	"disputes.amount":            personal(CategoryPurchase),
	"disputes.currency":          personal(CategoryPurchase),
	"disputes.refunded":          personal(CategoryPayment),
	"disputes.carrier":           personal(CategoryPurchase),
	"disputes.tracking_number":   sealedIn("disputes.tracking_number", CategoryPurchase),
	"disputes.proof_of_delivery": sealedIn("disputes.proof_of_delivery", CategoryPurchase, CategoryIdentity, CategoryContact),
	"disputes.description":       sealedIn("disputes.description", CategoryComplaints, CategoryCommunications, CategoryPurchase),
	"disputes.fraud_case_id":     randomID,
	"disputes.reminders":         notPersonal("how many reminders the merchant got; says nothing about the consumer"),
	"disputes.created_at":        personal(CategoryComplaints),
	"disputes.deadline_at":       deadline,
	"disputes.responded_at":      personal(CategoryComplaints),
	"disputes.responded_by":      notPersonal("which merchant user or integration answered; says nothing about the consumer"),
	"disputes.decided_at":        personal(CategoryComplaints),
	"disputes.decided_by":        notPersonal("the member of staff (by id) or the rule that decided"),
	"disputes.decision_reason":   personal(CategoryComplaints),
	"disputes.version":           version,

	"dispute_events.id":         randomID,
	"dispute_events.dispute_id": randomID,
	"dispute_events.at":         personal(CategoryComplaints),
	"dispute_events.actor":      personal(CategoryComplaints),
	"dispute_events.kind":       personal(CategoryComplaints),
	"dispute_events.body":       sealedIn("dispute_events.body", CategoryComplaints, CategoryCommunications, CategoryPurchase),

	"dispute_documents.id":           randomID,
	"dispute_documents.dispute_id":   randomID,
	"dispute_documents.name":         sealedIn("dispute_documents.name", CategoryComplaints),
	"dispute_documents.content_type": personal(CategoryComplaints),
	"dispute_documents.size":         personal(CategoryComplaints),
	"dispute_documents.content":      sealedIn("dispute_documents.content", CategoryComplaints, CategoryPurchase, CategoryIdentity, CategoryContact, CategoryAddress),
	"dispute_documents.uploaded_by":  notPersonal("which merchant user or integration uploaded it"),
	"dispute_documents.uploaded_at":  personal(CategoryComplaints),

	"returns.id":              randomID,
	"returns.order_id":        randomID,
	"returns.person_id":       personRef,
	"returns.merchant_id":     randomID,
	"returns.live_key":        randomID,
	"returns.status":          personal(CategoryPurchase),
	"returns.lines":           personal(CategoryPurchase),
	"returns.amount":          personal(CategoryPurchase),
	"returns.currency":        personal(CategoryPurchase),
	"returns.carrier":         personal(CategoryPurchase),
	"returns.tracking_number": sealedIn("returns.tracking_number", CategoryPurchase),
	"returns.refund_id":       randomID,
	"returns.created_at":      personal(CategoryPurchase),
	"returns.pause_until":     deadline,
	"returns.received_at":     personal(CategoryPurchase),
	"returns.closed_at":       personal(CategoryPurchase),
	"returns.version":         version,

	"complaints.id":                  randomID,
	"complaints.reference":           randomID,
	"complaints.person_id":           personRef,
	"complaints.order_id":            randomID,
	"complaints.category":            personal(CategoryComplaints),
	"complaints.channel":             personal(CategoryComplaints),
	"complaints.country":             personal(CategoryComplaints),
	"complaints.tier":                personal(CategoryComplaints),
	"complaints.status":              personal(CategoryComplaints),
	"complaints.owner_id":            notPersonal("the member of staff (by id) who owns the complaint"),
	"complaints.subject":             sealedIn("complaints.subject", CategoryComplaints, CategoryCommunications),
	"complaints.text":                sealedIn("complaints.text", CategoryComplaints, CategoryCommunications, CategoryPurchase, CategoryPayment),
	"complaints.answer_outcome":      personal(CategoryComplaints),
	"complaints.assessment_outcome":  personal(CategoryComplaints),
	"complaints.root_causes":         personal(CategoryComplaints),
	"complaints.filed_by":            personal(CategoryComplaints),
	"complaints.filed_at":            personal(CategoryComplaints),
	"complaints.target_at":           deadline,
	"complaints.psd2_at":             deadline,
	"complaints.holding_reply_at":    personal(CategoryComplaints),
	"complaints.first_contact":       personal(CategoryComplaints),
	"complaints.answered_at":         personal(CategoryComplaints),
	"complaints.review_until":        deadline,
	"complaints.review_requested_at": personal(CategoryComplaints),
	"complaints.assessed_at":         personal(CategoryComplaints),
	"complaints.closed_at":           personal(CategoryComplaints),
	"complaints.target_breached_at":  notPersonal("when Tillit missed its own answer target; says nothing about the consumer"),
	"complaints.psd2_breached_at":    notPersonal("when Tillit missed the PSD2 answer limit; says nothing about the consumer"),
	"complaints.version":             version,

	"complaint_events.id":           randomID,
	"complaint_events.complaint_id": randomID,
	"complaint_events.at":           personal(CategoryComplaints),
	"complaint_events.actor":        personal(CategoryComplaints),
	"complaint_events.party":        personal(CategoryComplaints),
	"complaint_events.kind":         personal(CategoryComplaints),
	"complaint_events.body":         sealedIn("complaint_events.body", CategoryComplaints, CategoryCommunications, CategoryPurchase, CategoryPayment),
	"complaint_events.internal":     notPersonal("whether a timeline entry is for staff only"),

	"credit_bureau_reports.subject_key":  personal(CategoryLookupKeys, CategoryDateOfBirth),
	"credit_bureau_reports.consumer_key": personal(CategoryLookupKeys),
	"credit_bureau_reports.bureau":       notPersonal("the name and version of the bureau adapter that answered"),
	"credit_bureau_reports.score":        personal(CategoryCredit),
	"credit_bureau_reports.band":         personal(CategoryCredit),
	"credit_bureau_reports.remarks":      personal(CategoryCredit),
	"credit_bureau_reports.reference":    personal(CategoryCredit),
	"credit_bureau_reports.fetched_at":   personal(CategoryCredit),

	"cards.id":               randomID,
	"cards.person_id":        personRef,
	"cards.kind":             personal(CategoryPayment),
	"cards.status":           personal(CategoryPayment),
	"cards.bin":              notPersonal("the issuer's bank identification number, the same for every card Tillit issues"),
	"cards.last4":            personal(CategoryPayment),
	"cards.pan_hash":         personal(CategoryLookupKeys),
	"cards.sealed":           sealedIn("cards.secret", CategoryPayment),
	"cards.expiry_month":     personal(CategoryPayment),
	"cards.expiry_year":      personal(CategoryPayment),
	"cards.currency":         personal(CategoryPayment),
	"cards.amount_limit":     personal(CategoryPayment),
	"cards.merchant_lock":    sealedIn("cards.merchant_lock", CategoryPurchase),
	"cards.payment_method":   personal(CategoryPayment),
	"cards.financing_months": personal(CategoryPayment, CategoryCredit),
	"cards.locale":           personal(CategoryPayment),
	"cards.period":           personal(CategoryPayment),
	"cards.period_spent":     personal(CategoryPayment, CategoryPurchase),
	"cards.cvv_failures":     personal(CategoryPayment, CategoryFraud),
	"cards.frozen_at":        personal(CategoryPayment, CategoryAccount),
	"cards.revealed_at":      personal(CategoryPayment),
	"cards.used_at":          personal(CategoryPurchase),
	"cards.order_id":         randomID,
	"cards.created_at":       personal(CategoryPayment),
	"cards.usable_until":     deadline,
	"cards.version":          version,

	"card_authorizations.id":                randomID,
	"card_authorizations.network_reference": notPersonal("the card network's own reference of a request"),
	"card_authorizations.request_hash":      personal(CategoryLookupKeys),
	"card_authorizations.card_id":           randomID,
	"card_authorizations.person_id":         personRef,
	"card_authorizations.approved":          personal(CategoryPurchase),
	"card_authorizations.decline_reason":    personal(CategoryPurchase, CategoryFraud),
	"card_authorizations.amount":            personal(CategoryPurchase),
	"card_authorizations.currency":          personal(CategoryPurchase),
	"card_authorizations.merchant_name":     personal(CategoryPurchase),
	"card_authorizations.merchant_category": personal(CategoryPurchase),
	"card_authorizations.order_id":          randomID,
	"card_authorizations.created_at":        personal(CategoryPurchase),

	"account_freezes.person_id": personRef,
	"account_freezes.actor":     personal(CategoryAccount),
	"account_freezes.frozen_at": personal(CategoryAccount),

	"freeze_events.id":         randomID,
	"freeze_events.person_id":  personRef,
	"freeze_events.card_id":    randomID,
	"freeze_events.action":     personal(CategoryAccount),
	"freeze_events.actor":      personal(CategoryAccount),
	"freeze_events.reason":     sealedIn("freeze_events.reason", CategoryAccount, CategoryFraud),
	"freeze_events.created_at": personal(CategoryAccount),

	"security_reports.id":             randomID,
	"security_reports.reference":      randomID,
	"security_reports.person_id":      personRef,
	"security_reports.kind":           personal(CategoryFraud),
	"security_reports.state":          personal(CategoryFraud),
	"security_reports.locale":         personal(CategoryCommunications),
	"security_reports.reporter_email": sealedIn("security_reports.reporter_email", CategoryContact),
	"security_reports.text":           sealedIn("security_reports.text", CategoryCommunications, CategoryFraud),
	"security_reports.url":            sealedIn("security_reports.url", CategoryCommunications, CategoryFraud),
	"security_reports.file_name":      sealedIn("security_reports.file_name", CategoryCommunications),
	"security_reports.file_type":      personal(CategoryCommunications),
	"security_reports.file_size":      personal(CategoryCommunications),
	"security_reports.file_content":   sealedIn("security_reports.file_content", CategoryCommunications, CategoryContact, CategoryFraud),
	"security_reports.owner_id":       notPersonal("the member of staff (by id) who triages the report"),
	"security_reports.closing_notes":  sealedIn("security_reports.closing_notes", CategoryFraud),
	"security_reports.created_at":     personal(CategoryCommunications),
	"security_reports.taken_at":       notPersonal("when a member of staff took the report; says nothing about the reporter"),
	"security_reports.closed_at":      personal(CategoryFraud),
	"security_reports.version":        version,

	"support_conversations.id":               randomID,
	"support_conversations.reference":        randomID,
	"support_conversations.person_id":        personRef,
	"support_conversations.channel":          personal(CategoryCommunications),
	"support_conversations.contact_email":    sealedIn("support_conversations.contact_email", CategoryContact),
	"support_conversations.order_id":         randomID,
	"support_conversations.subject":          sealedIn("support_conversations.subject", CategoryCommunications),
	"support_conversations.language":         personal(CategoryCommunications),
	"support_conversations.status":           personal(CategoryCommunications),
	"support_conversations.assigned_to":      notPersonal("the member of staff (by id) the conversation is assigned to"),
	"support_conversations.assistant_state":  sealedIn("support_conversations.assistant_state", CategoryCommunications, CategoryPurchase),
	"support_conversations.handover_summary": sealedIn("support_conversations.handover_summary", CategoryCommunications, CategoryPurchase),
	"support_conversations.handed_over_by":   personal(CategoryCommunications),
	"support_conversations.handed_over_at":   personal(CategoryCommunications),
	"support_conversations.converted_kind":   personal(CategoryCommunications),
	"support_conversations.converted_id":     randomID,
	"support_conversations.created_at":       personal(CategoryCommunications),
	"support_conversations.updated_at":       personal(CategoryCommunications),
	"support_conversations.waiting_since":    personal(CategoryCommunications),
	"support_conversations.closed_at":        personal(CategoryCommunications),
	"support_conversations.version":          version,

	"support_messages.id":              randomID,
	"support_messages.conversation_id": randomID,
	"support_messages.author":          personal(CategoryCommunications),
	"support_messages.staff_id":        notPersonal("the member of staff (by id) who wrote the message"),
	"support_messages.body":            sealedIn("support_messages.body", CategoryCommunications, CategoryContact, CategoryPurchase, CategoryPayment),
	"support_messages.created_at":      personal(CategoryCommunications),
}

// columnPattern is the shape of a column name: table.column.
var columnPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$`)

// LookupColumn returns what column name ("table.column") holds, and false
// when the registry does not know the column.
func LookupColumn(name string) (Column, bool) {
	c, ok := columns[name]
	c.Categories = slices.Clone(c.Categories)
	return c, ok
}

// ColumnNames returns every classified column as "table.column", sorted.
func ColumnNames() []string { return slices.Sorted(maps.Keys(columns)) }

// ColumnsHolding returns the columns ("table.column", sorted) that hold
// category c.
func ColumnsHolding(c CategoryID) []string {
	var out []string
	for name, col := range columns {
		if slices.Contains(col.Categories, c) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// SchemaColumns returns every column of every table of the database tx
// reads, as sorted "table.column" names: SQLite's own tables (sqlite_*)
// left out, and on PostgreSQL the tables of the current schema (the one
// search_path selects, as storetest does per test).
func SchemaColumns(tx *store.Tx) ([]string, error) {
	query := `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'`
	if tx.Dialect == store.Postgres {
		query = `SELECT table_name, column_name FROM information_schema.columns
WHERE table_schema = current_schema()`
	}
	rows, err := tx.Query(query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			return nil, err
		}
		out = append(out, strings.ToLower(table)+"."+strings.ToLower(column))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}

// Unclassified compares the columns of a schema (as SchemaColumns returns
// them) with the registry: missing are schema columns the registry does not
// classify, stale are registry entries for columns the schema lacks. Both
// are sorted.
func Unclassified(schema []string) (missing, stale []string) {
	inSchema := map[string]bool{}
	for _, name := range schema {
		inSchema[name] = true
		if _, ok := columns[name]; !ok {
			missing = append(missing, name)
		}
	}
	for _, name := range ColumnNames() {
		if !inSchema[name] {
			stale = append(stale, name)
		}
	}
	slices.Sort(missing)
	return missing, stale
}
