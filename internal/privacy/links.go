package privacy

import (
	"maps"
	"slices"
)

// Link says how the rows of one table that are about a person are found,
// so that an access extract (D2), an erasure (D5) or a test can reach every
// row about them from the registry alone.
//
// Column holds the key. With Parent empty it holds the person's id
// (persons.id); otherwise it holds the ParentKey column of the Parent
// table's rows about the person (which the Parent's own links find). Where,
// when set, is an extra SQL condition on the table's own columns.
type Link struct {
	Column    string
	Parent    string
	ParentKey string
	Where     string
}

// direct links a table by a column holding the person id.
func direct(column string) Link { return Link{Column: column} }

// via links a table by a column holding the key of a parent table's rows.
func via(column, parent, parentKey string) Link {
	return Link{Column: column, Parent: parent, ParentKey: parentKey}
}

// tableLinks maps every table holding personal data about consumers to the
// links that find the rows about one person; a row is about them when any
// link finds it. TestEveryPersonalTableLinked fails when a table with a
// personal column is neither here nor in notAboutConsumers.
var tableLinks = map[string][]Link{
	"persons":           {direct("id")},
	"consumers":         {direct("person_id")},
	"payment_sessions":  {direct("person_id")},
	"otp_challenges":    {via("session_id", "payment_sessions", "id")},
	"authorizations":    {direct("person_id")},
	"orders":            {direct("person_id")},
	"captures":          {via("order_id", "orders", "id")},
	"refunds":           {via("order_id", "orders", "id")},
	"ledger_journals":   {via("order_id", "orders", "id")},
	"ledger_entries":    {via("journal_id", "ledger_journals", "id")},
	"webhook_events":    {via("order_id", "orders", "id")},
	"settlement_lines":  {via("order_id", "orders", "id")},
	"payment_plans":     {direct("person_id")},
	"plan_installments": {via("order_id", "orders", "id")},
	"plan_payments":     {via("order_id", "orders", "id")},
	"plan_statements":   {via("order_id", "orders", "id")},
	"plan_pauses":       {via("order_id", "orders", "id")},
	"rail_transfers":    {via("order_id", "orders", "id")},
	"outbox_messages":   {direct("person_id")},
	"audit_log":         {direct("subject"), via("subject", "orders", "id"), via("subject", "data_subject_requests", "id")},
	"login_codes":       {via("consumer_key", "persons", "consumer_key")},
	"web_sessions":      {{Column: "subject_id", Parent: "consumers", ParentKey: "id", Where: "kind = 'consumer'"}},
	"second_factors":    {{Column: "subject_id", Parent: "consumers", ParentKey: "id", Where: "kind = 'consumer'"}},
	"recovery_codes":    {{Column: "subject_id", Parent: "consumers", ParentKey: "id", Where: "kind = 'consumer'"}},
	"pending_sign_ins":  {{Column: "subject_id", Parent: "consumers", ParentKey: "id", Where: "kind = 'consumer'"}},
	"known_devices":     {{Column: "subject_id", Parent: "consumers", ParentKey: "id", Where: "kind = 'consumer'"}},
	"subject_keys":      {direct("subject"), via("subject", "payment_sessions", "id")},
	"consents":          {direct("subject")},
	"consent_history":   {direct("subject")},
	"decision_contests": {direct("person_id")},
	"disclosures":       {direct("person_id")},

	"data_subject_requests":          {direct("person_id")},
	"data_subject_request_events":    {via("request_id", "data_subject_requests", "id")},
	"data_subject_request_documents": {via("request_id", "data_subject_requests", "id")},
	"processing_restrictions":        {direct("person_id")},
	"screening_false_positives":      {direct("person_id")},
	"aml_alerts":                     {direct("person_id")},
	"aml_alert_evidence":             {via("alert_id", "aml_alerts", "id")},
	"risk_assessments":               {direct("person_id")},
	"risk_observations":              {direct("person_id")},
	"risk_reviews":                   {direct("person_id")},
	"stop_requests":                  {direct("person_id"), via("order_id", "orders", "id")},
	"merchant_messages":              {direct("person_id")},
	"fraud_cases":                    {direct("person_id")},
	"fraud_case_events":              {via("case_id", "fraud_cases", "id")},
	"disputes":                       {direct("person_id"), via("order_id", "orders", "id")},
	"dispute_events":                 {via("dispute_id", "disputes", "id")},
	"dispute_documents":              {via("dispute_id", "disputes", "id")},
	"returns":                        {direct("person_id"), via("order_id", "orders", "id")},
	"complaints":                     {direct("person_id")},
	"complaint_events":               {via("complaint_id", "complaints", "id")},
	"credit_bureau_reports":          {via("consumer_key", "persons", "consumer_key")},
	"cards":                          {direct("person_id")},
	"card_authorizations":            {direct("person_id"), via("card_id", "cards", "id")},
	"account_freezes":                {direct("person_id")},
	"freeze_events":                  {direct("person_id")},
	"security_reports":               {direct("person_id")},
	"support_conversations":          {direct("person_id")},
	"support_messages":               {via("conversation_id", "support_conversations", "id")},
}

// Purpose sets of linked tables whose rows are records of the same things.
var (
	// orderRecords: a placed order, its money and its schedule.
	orderRecords = []PurposeID{PurposeCreditAgreement, PurposeBookkeeping, PurposeAMLScreening, PurposeLegalClaims, PurposeDebtCollection, PurposeCustomerService}
	// decisionRecords: an assessment at checkout and what came of it.
	decisionRecords = []PurposeID{PurposeCreditAssessment, PurposeFraudPrevention, PurposeAMLScreening, PurposeLegalClaims, PurposeCreditAgreement}
	// consentRecords: what the person agreed to.
	consentRecords = []PurposeID{PurposeConsentRecords, PurposeDirectMarketing, PurposeVulnerableCustomerSupport, PurposeCallRecording}
)

// tablePurposes maps every linked table to the purposes its rows are
// records of: an erasure keeps a person's rows of a table exactly when one
// of these purposes still has a ground to keep them (a legal obligation, a
// legal claim, or the open contract), and deletes them otherwise. A table
// referenced by another (a foreign key) serves at least the purposes of the
// tables referencing it, so that what is kept never points at what went.
var tablePurposes = map[string][]PurposeID{
	"persons":           {PurposeConsumerAccount},
	"consumers":         {PurposeConsumerAccount},
	"web_sessions":      {PurposeConsumerAccount, PurposeAccountSecurity},
	"login_codes":       {PurposeAccountSecurity},
	"second_factors":    {PurposeAccountSecurity},
	"recovery_codes":    {PurposeAccountSecurity},
	"pending_sign_ins":  {PurposeAccountSecurity},
	"known_devices":     {PurposeAccountSecurity},
	"payment_sessions":  slices.Concat([]PurposeID{PurposeCheckout}, orderRecords, decisionRecords),
	"otp_challenges":    {PurposeCheckout, PurposeAccountSecurity},
	"authorizations":    slices.Concat(decisionRecords, orderRecords),
	"orders":            orderRecords,
	"captures":          orderRecords,
	"refunds":           orderRecords,
	"ledger_journals":   orderRecords,
	"ledger_entries":    orderRecords,
	"webhook_events":    orderRecords,
	"settlement_lines":  orderRecords,
	"payment_plans":     orderRecords,
	"plan_installments": orderRecords,
	"plan_payments":     orderRecords,
	"plan_statements":   orderRecords,
	"plan_pauses":       orderRecords,
	"rail_transfers":    orderRecords,
	"outbox_messages":   {PurposeCheckout, PurposeCreditAgreement, PurposeCustomerService, PurposeDebtCollection, PurposeConsumerAccount},
	"audit_log":         {PurposeAccountability},
	"subject_keys":      {PurposeConsumerAccount},
	"consents":          consentRecords,
	"consent_history":   consentRecords,

	"decision_contests":              {PurposeCreditAssessment, PurposeFraudPrevention, PurposeAMLScreening, PurposeLegalClaims, PurposeAccountability},
	"disclosures":                    {PurposeAccountability},
	"data_subject_requests":          {PurposeAccountability},
	"data_subject_request_events":    {PurposeAccountability},
	"data_subject_request_documents": {PurposeConsumerAccount},
	"processing_restrictions":        {PurposeConsentRecords, PurposeAccountability},
	"screening_false_positives":      {PurposeAMLScreening},
	"aml_alerts":                     {PurposeAMLScreening},
	"risk_assessments":               decisionRecords,
	"risk_observations":              {PurposeFraudPrevention},
	"risk_reviews":                   {PurposeFraudPrevention},
	"stop_requests":                  {PurposeFraudPrevention, PurposeFraudInvestigation, PurposeLegalClaims},
	"merchant_messages":              {PurposeFraudPrevention, PurposeCustomerService},
	"fraud_cases":                    {PurposeFraudInvestigation, PurposeLegalClaims},
	"fraud_case_events":              {PurposeFraudInvestigation, PurposeLegalClaims},
	"disputes":                       {PurposeComplaints, PurposeLegalClaims},
	"dispute_events":                 {PurposeComplaints, PurposeLegalClaims},
	"dispute_documents":              {PurposeComplaints, PurposeLegalClaims},
	"returns":                        {PurposeCreditAgreement, PurposeLegalClaims},
	"complaints":                     {PurposeComplaints},
	"complaint_events":               {PurposeComplaints},
	"credit_bureau_reports":          {PurposeCreditAssessment},
	"aml_alert_evidence":             {PurposeAMLScreening},
	"cards":                          orderRecords,
	"card_authorizations":            orderRecords,
	"account_freezes":                {PurposeAccountSecurity},
	"freeze_events":                  {PurposeAccountSecurity, PurposeAccountability},
	"security_reports":               {PurposeSecurityReports},
	"support_conversations":          {PurposeSupportConversations},
	"support_messages":               {PurposeSupportConversations},
}

// notAboutConsumers lists the tables with personal columns that hold no
// data about consumers, and why; an access extract or erasure of a consumer
// does not look in them.
var notAboutConsumers = map[string]string{
	"staff_users":      "accounts of Tillit's staff (workforce accounts), not of consumers",
	"merchant_users":   "accounts of merchants' staff (workforce accounts), not of consumers",
	"risk_rule_sets":   "the fraud rule sets operators published: who published one is a member of staff",
	"sign_in_throttle": "counters of failed sign-ins per keyed hash of an address, kept for hours; they hold no data beyond the attempt count and lapse by themselves",
}

// PersonLinks returns the links that find a table's rows about a person,
// and false when the table holds nothing about consumers.
func PersonLinks(table string) ([]Link, bool) {
	l, ok := tableLinks[table]
	return slices.Clone(l), ok
}

// LinkedTables returns every table holding data about consumers, sorted.
func LinkedTables() []string { return slices.Sorted(maps.Keys(tableLinks)) }

// TablePurposes returns the purposes the rows of a linked table are records
// of (see tablePurposes).
func TablePurposes(table string) []PurposeID { return slices.Clone(tablePurposes[table]) }
