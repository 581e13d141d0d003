package privacy

// The data categories. Each has a name and a description in the i18n
// catalogs (privacy.category.<id> and privacy.category.<id>.about).
const (
	CategoryIdentity       CategoryID = "identity"
	CategoryContact        CategoryID = "contact"
	CategoryAddress        CategoryID = "address"
	CategoryDateOfBirth    CategoryID = "date_of_birth"
	CategoryNationalID     CategoryID = "national_id"
	CategoryLookupKeys     CategoryID = "lookup_keys"
	CategoryPurchase       CategoryID = "purchase"
	CategoryPayment        CategoryID = "payment"
	CategoryCredit         CategoryID = "credit"
	CategoryFraud          CategoryID = "fraud"
	CategoryDevice         CategoryID = "device"
	CategoryAMLScreening   CategoryID = "aml_screening"
	CategoryCommunications CategoryID = "communications"
	CategoryCallRecordings CategoryID = "call_recordings"
	CategoryScreenShares   CategoryID = "screen_shares"
	CategoryCredentials    CategoryID = "credentials"
	CategorySessions       CategoryID = "sessions"
	CategoryAccount        CategoryID = "account"
	CategoryConsents       CategoryID = "consents"
	CategoryComplaints     CategoryID = "complaints"
	CategoryVulnerability  CategoryID = "vulnerability"
	CategoryAuditTrail     CategoryID = "audit_trail"
)

// categories lists every category, in the order the record shows them.
var categories = []Category{
	{ID: CategoryIdentity},
	{ID: CategoryContact},
	{ID: CategoryAddress},
	{ID: CategoryDateOfBirth},
	{ID: CategoryNationalID},
	{ID: CategoryLookupKeys},
	{ID: CategoryPurchase},
	{ID: CategoryPayment},
	{ID: CategoryCredit},
	{ID: CategoryFraud},
	{ID: CategoryDevice},
	// Screening against lists of politically exposed persons can reveal
	// political opinions.
	{ID: CategoryAMLScreening, Special: true},
	{ID: CategoryCommunications},
	{ID: CategoryCallRecordings},
	{ID: CategoryScreenShares},
	{ID: CategoryCredentials},
	{ID: CategorySessions},
	{ID: CategoryAccount},
	{ID: CategoryConsents},
	{ID: CategoryComplaints},
	// Health and other circumstances that make a person need extra support.
	{ID: CategoryVulnerability, Special: true},
	{ID: CategoryAuditTrail},
}

// The purposes. Each has a name and a description in the i18n catalogs
// (privacy.purpose.<id> and privacy.purpose.<id>.about).
const (
	PurposeCheckout                  PurposeID = "checkout"
	PurposeCreditAgreement           PurposeID = "credit_agreement"
	PurposeCreditAssessment          PurposeID = "credit_assessment"
	PurposeFraudPrevention           PurposeID = "fraud_prevention"
	PurposeFraudInvestigation        PurposeID = "fraud_investigation"
	PurposeAMLScreening              PurposeID = "aml_screening"
	PurposeBookkeeping               PurposeID = "bookkeeping"
	PurposeLegalClaims               PurposeID = "legal_claims"
	PurposeDebtCollection            PurposeID = "debt_collection"
	PurposeCustomerService           PurposeID = "customer_service"
	PurposeComplaints                PurposeID = "complaints"
	PurposeCallRecording             PurposeID = "call_recording"
	PurposeConsumerAccount           PurposeID = "consumer_account"
	PurposeAccountSecurity           PurposeID = "account_security"
	PurposeWorkforceAccounts         PurposeID = "workforce_accounts"
	PurposeAccountability            PurposeID = "accountability"
	PurposeSimilarOffers             PurposeID = "similar_offers"
	PurposeDirectMarketing           PurposeID = "direct_marketing"
	PurposeConsentRecords            PurposeID = "consent_records"
	PurposeVulnerableCustomerSupport PurposeID = "vulnerable_customer_support"
	PurposeModelImprovement          PurposeID = "model_improvement"
	PurposeSecurityReports           PurposeID = "security_reports"
	PurposeSupportConversations      PurposeID = "support_conversations"
)

// defaultRetention is the rule where nothing else applies: three months
// after collection, then deleted.
var defaultRetention = after(3, Months, EventCollected, Delete)

// after is the rule "n units after event e, then a".
func after(n int, u Unit, e Event, a Action) Retention {
	return Retention{Period: Period{N: n, Unit: u}, From: e, Then: a}
}

// until is the rule "until event e, then a".
func until(e Event, a Action) Retention { return after(0, Days, e, a) }

// purposes lists every purpose, in the order the record and the privacy
// notice show them.
var purposes = []Purpose{
	{
		// The steps before the contract: the payment session, the buyer's
		// identity and one-time code. Sessions that never become an order
		// go after the default period; a one-time code goes when it
		// expires.
		ID:         PurposeCheckout,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryIdentity, CategoryContact, CategoryAddress, CategoryDateOfBirth, CategoryNationalID, CategoryLookupKeys, CategoryPurchase, CategoryDevice, CategoryCredentials},
		Sources:    []Source{SourceDataSubject, SourceMerchant, SourceDevice},
		Basis:      Contract,
		Retention:  defaultRetention,
		CategoryRetention: map[CategoryID]Retention{
			CategoryCredentials: until(EventExpired, Delete),
		},
		Recipients: []Recipient{RecipientMerchants, RecipientProcessors},
	},
	{
		// The order, its payment plan, invoices, reminders, payments and
		// payouts while the agreement runs; afterwards legal_claims,
		// bookkeeping and aml_screening keep what they need.
		ID:         PurposeCreditAgreement,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryIdentity, CategoryContact, CategoryAddress, CategoryDateOfBirth, CategoryNationalID, CategoryLookupKeys, CategoryPurchase, CategoryPayment, CategoryCommunications},
		Sources:    []Source{SourceDataSubject, SourceMerchant, SourceTillit},
		Basis:      Contract,
		Retention:  until(EventContractEnded, Delete),
		Recipients: []Recipient{RecipientMerchants, RecipientPaymentProviders, RecipientProcessors},
	},
	{
		ID:         PurposeCreditAssessment,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryIdentity, CategoryAddress, CategoryDateOfBirth, CategoryNationalID, CategoryLookupKeys, CategoryPurchase, CategoryPayment, CategoryCredit},
		Sources:    []Source{SourceDataSubject, SourceMerchant, SourceCreditBureau, SourceTillit},
		Basis:      Contract,
		Retention:  defaultRetention,
		Recipients: []Recipient{RecipientCreditBureaus},
		Automated:  true,
	},
	{
		// Recital 47: preventing fraud is a legitimate interest.
		ID:         PurposeFraudPrevention,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryIdentity, CategoryContact, CategoryAddress, CategoryDateOfBirth, CategoryLookupKeys, CategoryPurchase, CategoryPayment, CategoryDevice, CategoryFraud},
		Sources:    []Source{SourceDataSubject, SourceMerchant, SourceDevice, SourceTillit},
		Basis:      LegitimateInterest,
		Retention:  until(EventRelationshipEnded, Delete),
		Recipients: []Recipient{RecipientMerchants, RecipientProcessors},
		MayObject:  true,
		Overriding: true,
		Automated:  true,
	},
	{
		// Anti-money-laundering law: know the customer, screen against
		// sanctions and PEP lists, monitor transactions, report suspicions;
		// records are kept five years after the relationship ends.
		ID:         PurposeAMLScreening,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryIdentity, CategoryAddress, CategoryDateOfBirth, CategoryNationalID, CategoryPurchase, CategoryPayment, CategoryDevice, CategoryFraud, CategoryAMLScreening},
		Sources:    []Source{SourceDataSubject, SourceMerchant, SourceScreeningLists, SourceTillit},
		Basis:      LegalObligation,
		Special:    SubstantialPublicInterest,
		Retention:  after(5, Years, EventRelationshipEnded, CryptoShred),
		Recipients: []Recipient{RecipientAuthorities},
		Automated:  true,
		Erasure:    KeptByLaw,
	},
	{
		// Bookkeeping law: accounting records are kept seven years after
		// the end of the financial year they belong to.
		ID:         PurposeBookkeeping,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryIdentity, CategoryAddress, CategoryPurchase, CategoryPayment},
		Sources:    []Source{SourceDataSubject, SourceMerchant, SourceTillit},
		Basis:      LegalObligation,
		Retention:  after(7, Years, EventYearEnd, Anonymise),
		Recipients: []Recipient{RecipientAuthorities},
		Erasure:    KeptByLaw,
	},
	{
		// Contract claims become time-barred ten years after the contract
		// ends at the latest.
		ID:       PurposeLegalClaims,
		Subjects: []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryIdentity, CategoryContact, CategoryAddress, CategoryDateOfBirth, CategoryNationalID, CategoryLookupKeys,
			CategoryPurchase, CategoryPayment, CategoryCredit, CategoryFraud, CategoryCommunications, CategoryComplaints},
		Sources:    []Source{SourceDataSubject, SourceMerchant, SourceTillit},
		Basis:      LegitimateInterest,
		Retention:  after(10, Years, EventContractEnded, CryptoShred),
		Recipients: []Recipient{RecipientAuthorities},
		MayObject:  true,
		Overriding: true,
		Erasure:    KeptForLegalClaims,
	},
	{
		// A person disputes a claim ("I did not buy this"): the case, what
		// the person, staff and the merchant wrote on it, and the case file
		// handed to the police (package fraudcase). Establishing, exercising
		// and defending legal claims is a legitimate interest; the case is
		// kept as long as a claim about the order could be raised, ten years
		// after the contract ended, as long as legal_claims (listed before
		// it, so that it names the longest period of a person's records).
		// An erasure keeps it for legal claims (the tables serve that
		// purpose too), like the order itself.
		ID:         PurposeFraudInvestigation,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryIdentity, CategoryContact, CategoryAddress, CategoryPurchase, CategoryPayment, CategoryFraud, CategoryCommunications},
		Sources:    []Source{SourceDataSubject, SourceMerchant, SourceTillit},
		Basis:      LegitimateInterest,
		Retention:  after(10, Years, EventContractEnded, CryptoShred),
		Recipients: []Recipient{RecipientMerchants, RecipientAuthorities},
		MayObject:  true,
		Overriding: true,
	},
	{
		ID:         PurposeDebtCollection,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryIdentity, CategoryContact, CategoryAddress, CategoryPurchase, CategoryPayment, CategoryCommunications},
		Sources:    []Source{SourceDataSubject, SourceMerchant, SourceTillit},
		Basis:      LegitimateInterest,
		Retention:  until(EventContractEnded, Delete),
		Recipients: []Recipient{RecipientDebtCollectors},
		MayObject:  true,
		Overriding: true,
	},
	{
		ID:         PurposeCustomerService,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryIdentity, CategoryContact, CategoryPurchase, CategoryPayment, CategoryCommunications},
		Sources:    []Source{SourceDataSubject, SourceTillit},
		Basis:      Contract,
		Retention:  defaultRetention,
		Recipients: []Recipient{RecipientMerchants, RecipientProcessors},
	},
	{
		// The written conversations with the chat assistant and customer
		// service (package support), kept to answer the person and to
		// document what was said and agreed in a customer case. The privacy
		// notice of the seed (section 4.8, written conversations with
		// customer service) keeps them up to ten years, the limitation
		// period: ten years after the conversation's last message.
		ID:         PurposeSupportConversations,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryContact, CategoryPurchase, CategoryPayment, CategoryCommunications},
		Sources:    []Source{SourceDataSubject, SourceTillit},
		Basis:      Contract,
		Retention:  after(10, Years, EventCollected, Delete),
		Recipients: []Recipient{RecipientProcessors},
	},
	{
		// Complaint handling rules for financial institutions; complaint
		// boards and the supervisor may ask for the file.
		ID:         PurposeComplaints,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryIdentity, CategoryContact, CategoryPurchase, CategoryPayment, CategoryCommunications, CategoryComplaints},
		Sources:    []Source{SourceDataSubject, SourceMerchant, SourceTillit},
		Basis:      LegalObligation,
		Retention:  after(5, Years, EventRelationshipEnded, Delete),
		Recipients: []Recipient{RecipientMerchants, RecipientAuthorities, RecipientProcessors},
		Erasure:    KeptByLaw,
	},
	{
		// Recorded calls and screen shares for quality, with consent.
		ID:         PurposeCallRecording,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryCallRecordings, CategoryScreenShares},
		Sources:    []Source{SourceDataSubject, SourceTillit},
		Basis:      Consent,
		Retention:  after(90, Days, EventCollected, Delete),
		CategoryRetention: map[CategoryID]Retention{
			CategoryScreenShares: after(30, Days, EventCollected, Delete),
		},
		Recipients: []Recipient{RecipientProcessors},
	},
	{
		// The consumer app: sign-in by e-mailed code, purchases, payments.
		// The account stays three months after the last contract ended, so
		// that receipts and the final statement can still be fetched.
		// Sign-in codes and sessions go when they expire or are revoked.
		ID:         PurposeConsumerAccount,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryContact, CategoryLookupKeys, CategoryAccount, CategoryCredentials, CategorySessions},
		Sources:    []Source{SourceDataSubject, SourceDevice, SourceTillit},
		Basis:      Contract,
		Retention:  after(3, Months, EventRelationshipEnded, Delete),
		CategoryRetention: map[CategoryID]Retention{
			CategoryCredentials: until(EventExpired, Delete),
			CategorySessions:    until(EventExpired, Delete),
		},
		Recipients: []Recipient{RecipientProcessors},
	},
	{
		// Recital 49: network and information security is a legitimate
		// interest. Sign-in throttling, lockout, session devices: kept
		// while the counter or the session is in force.
		ID:         PurposeAccountSecurity,
		Subjects:   []Subject{SubjectConsumer, SubjectMerchantUser, SubjectStaff},
		Categories: []CategoryID{CategoryLookupKeys, CategoryCredentials, CategorySessions, CategoryDevice},
		Sources:    []Source{SourceDataSubject, SourceDevice, SourceTillit},
		Basis:      LegitimateInterest,
		Retention:  until(EventExpired, Delete),
		Recipients: []Recipient{RecipientProcessors},
		MayObject:  true,
		Overriding: true,
	},
	{
		// Reports of suspicious e-mails, websites, messages and calls
		// (package securityreport): what the reporter wrote, the address
		// and the e-mail they sent in, and their address for the answer.
		// Protecting customers from fraud and phishing is a legitimate
		// interest (Recitals 47 and 49); a report is kept a year after its
		// triage closed, to recognise the same attempt again.
		ID:         PurposeSecurityReports,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryContact, CategoryCommunications, CategoryFraud},
		Sources:    []Source{SourceDataSubject},
		Basis:      LegitimateInterest,
		Retention:  after(1, Years, EventClosed, Delete),
		Recipients: []Recipient{RecipientProcessors},
		MayObject:  true,
	},
	{
		// Accounts of merchant users and staff, given by their employer;
		// their sign-in sessions go when they expire or are revoked.
		ID:         PurposeWorkforceAccounts,
		Subjects:   []Subject{SubjectMerchantUser, SubjectStaff},
		Categories: []CategoryID{CategoryIdentity, CategoryContact, CategoryAccount, CategoryCredentials, CategorySessions},
		Sources:    []Source{SourceDataSubject, SourceMerchant, SourceOperator, SourceTillit},
		Basis:      LegitimateInterest,
		Retention:  after(3, Months, EventRelationshipEnded, Delete),
		CategoryRetention: map[CategoryID]Retention{
			CategorySessions: until(EventExpired, Delete),
		},
		Recipients: []Recipient{RecipientMerchants, RecipientProcessors},
		MayObject:  true,
	},
	{
		// GDPR Art. 5(2) and 32 and financial supervision: who read or
		// changed what, in the tamper-evident audit log.
		ID:         PurposeAccountability,
		Subjects:   []Subject{SubjectConsumer, SubjectMerchantUser, SubjectStaff},
		Categories: []CategoryID{CategoryAuditTrail},
		Sources:    []Source{SourceTillit},
		Basis:      LegalObligation,
		Retention:  after(5, Years, EventYearEnd, Delete),
		Recipients: []Recipient{RecipientAuthorities},
		Erasure:    KeptByLaw,
	},
	{
		// Offers of Tillit's own, similar services to existing customers,
		// until they object (which takes effect at once).
		ID:         PurposeSimilarOffers,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryIdentity, CategoryContact, CategoryPurchase, CategoryAccount, CategoryConsents},
		Sources:    []Source{SourceDataSubject, SourceMerchant, SourceTillit},
		Basis:      LegitimateInterest,
		Retention:  until(EventObjected, Delete),
		Recipients: []Recipient{RecipientProcessors},
		MayObject:  true,
	},
	{
		// News and offers the person signed up for (consent.DirectMarketing).
		ID:         PurposeDirectMarketing,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryIdentity, CategoryContact, CategoryAccount, CategoryConsents},
		Sources:    []Source{SourceDataSubject, SourceTillit},
		Basis:      Consent,
		Retention:  until(EventConsentWithdrawn, Delete),
		Recipients: []Recipient{RecipientProcessors},
		MayObject:  true,
	},
	{
		// GDPR Art. 7(1): showing that a consent was given, and when it was
		// withdrawn, for the general three-year limitation period after
		// the relationship.
		ID:         PurposeConsentRecords,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryConsents},
		Sources:    []Source{SourceDataSubject, SourceTillit},
		Basis:      LegalObligation,
		Retention:  after(3, Years, EventRelationshipEnded, Delete),
		Erasure:    KeptByLaw,
	},
	{
		ID:         PurposeVulnerableCustomerSupport,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryContact, CategoryVulnerability},
		Sources:    []Source{SourceDataSubject},
		Basis:      Consent,
		Special:    ExplicitConsent,
		Retention:  until(EventConsentWithdrawn, Delete),
	},
	{
		// Training and testing risk and credit models; after the default
		// period only anonymised records remain.
		ID:         PurposeModelImprovement,
		Subjects:   []Subject{SubjectConsumer},
		Categories: []CategoryID{CategoryPurchase, CategoryPayment, CategoryCredit, CategoryFraud, CategoryDevice},
		Sources:    []Source{SourceTillit},
		Basis:      LegitimateInterest,
		Retention:  after(3, Months, EventCollected, Anonymise),
		MayObject:  true,
	},
}
