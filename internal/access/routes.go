package access

import "github.com/tillit/tillit/internal/account"

// Role sets the table names more than once. Admin may use every staff route
// and is never listed.
var (
	// everyStaff is every member of staff.
	everyStaff = Rule{Audience: Staff}
	// adminOnly is the administration of staff and the audit log.
	adminOnly = staff(account.RoleAdmin)
	// orderReviewers decide orders held for manual review.
	orderReviewers = staff(account.RoleRiskAnalyst, account.RoleSecurityAnalyst)
	// orderReaders open an order's page: the reviewers, and AML officers
	// the screening hits send there.
	orderReaders = staff(account.RoleRiskAnalyst, account.RoleSecurityAnalyst, account.RoleAMLOfficer)
	// amlOfficers work AML alerts and sanctions screening.
	amlOfficers = staff(account.RoleAMLOfficer)
	// securityAnalysts work fraud cases, stop requests, post-approval
	// reviews, suspicious reports and freezes.
	securityAnalysts = staff(account.RoleSecurityAnalyst)
	// fraudCaseOpeners open a fraud case on a caller's behalf.
	fraudCaseOpeners = staff(account.RoleCustomerService, account.RoleSecurityAnalyst)
	// merchantMessageReaders answer merchants' messages about orders.
	merchantMessageReaders = staff(account.RoleSecurityAnalyst, account.RoleCustomerService)
	// disputeHandlers decide disputes.
	disputeHandlers = staff(account.RoleDisputeHandler)
	// dataProtection works privacy requests and retention.
	dataProtection = staff(account.RoleDataProtection)
	// contestReviewers open contests of automated decisions; which
	// contests each may read is the decision package's rule.
	contestReviewers = staff(account.RoleRiskAnalyst, account.RoleDataProtection, account.RoleAMLOfficer)
	// riskAnalysts publish the fraud rules.
	riskAnalysts = staff(account.RoleRiskAnalyst)
	// complaintWorkers work either tier of complaints.
	complaintWorkers = staff(account.RoleCustomerService, account.RoleCustomerRepresentative)
	// complaintHandlers work tier 1: customer service.
	complaintHandlers = staff(account.RoleCustomerService)
	// complaintReviewers work tier 2: the independent customer
	// representative.
	complaintReviewers = staff(account.RoleCustomerRepresentative)

	// everyMerchantUser is every user of a merchant, viewers included.
	everyMerchantUser = Rule{Audience: MerchantUser}
	// merchantManagers change orders and settings: owners and admins.
	merchantManagers = Rule{Audience: MerchantUser, MerchantRoles: []account.MerchantRole{account.MerchantOwner, account.MerchantAdmin}}

	// supportWorkers answer the support inbox: customer service.
	supportWorkers = staff(account.RoleCustomerService)

	public      = Rule{Audience: Public}
	consumer    = Rule{Audience: Consumer}
	merchantAPI = Rule{Audience: MerchantAPI}
)

// staff is the rule of a staff route for roles (and admin).
func staff(roles ...account.Role) Rule { return Rule{Audience: Staff, StaffRoles: roles} }

// routes is the access table: every pattern Tillit registers and who may
// use it. A pattern registered by more than one part has one rule.
var routes = map[string]Rule{
	// Back office (package backoffice).
	"GET /staff/signin":                                      public,
	"POST /staff/signin":                                     public,
	"GET /staff/signin/verify":                               public,
	"POST /staff/signin/verify":                              public,
	"/staff/":                                                public, // the not-found page
	"POST /staff/signout":                                    everyStaff,
	"GET /staff/{$}":                                         everyStaff,
	"GET /staff/queues/{key}":                                everyStaff, // each queue checks its own roles
	"GET /staff/my-security":                                 everyStaff,
	"POST /staff/my-security/recovery-codes":                 everyStaff,
	"POST /staff/my-security/sessions/revoke-others":         everyStaff,
	"POST /staff/my-security/sessions/{id}/revoke":           everyStaff,
	"GET /staff/orders/{id}":                                 orderReaders,
	"POST /staff/orders/{id}/decision":                       orderReviewers,
	"POST /staff/orders/{id}/review":                         securityAnalysts,
	"POST /staff/orders/{id}/screening/false-positive":       amlOfficers,
	"POST /staff/orders/{id}/screening/revoke":               amlOfficers,
	"GET /staff/staff":                                       adminOnly,
	"POST /staff/staff":                                      adminOnly,
	"GET /staff/staff/{id}":                                  adminOnly,
	"POST /staff/staff/{id}/disable":                         adminOnly,
	"POST /staff/staff/{id}/unlock":                          adminOnly,
	"POST /staff/staff/{id}/reset-two-step":                  adminOnly,
	"GET /staff/audit":                                       adminOnly,
	"GET /staff/consumer-security":                           securityAnalysts,
	"POST /staff/consumer-security":                          securityAnalysts,
	"GET /staff/consumer-security/{person}":                  securityAnalysts,
	"POST /staff/consumer-security/{person}/freeze":          securityAnalysts,
	"POST /staff/consumer-security/{person}/unfreeze":        securityAnalysts,
	"GET /staff/queues/privacy_requests":                     dataProtection,
	"GET /staff/privacy-requests/new":                        dataProtection,
	"POST /staff/privacy-requests/new":                       dataProtection,
	"GET /staff/privacy-requests/{id}":                       dataProtection,
	"GET /staff/privacy-requests/{id}/document":              dataProtection,
	"POST /staff/privacy-requests/{id}/{step}":               dataProtection,
	"POST /staff/privacy-requests/{id}/entries/{entry}/lift": dataProtection,
	"GET /staff/retention":                                   dataProtection,
	"POST /staff/retention/run":                              dataProtection,
	"GET /staff/contests/{id}":                               contestReviewers,
	"POST /staff/contests/{id}/review":                       contestReviewers,
	"GET /staff/risk/rules":                                  riskAnalysts,
	"POST /staff/risk/rules":                                 riskAnalysts,
	"GET /staff/aml/alerts/{id}":                             amlOfficers,
	"POST /staff/aml/alerts/{id}/action":                     amlOfficers,
	"GET /staff/screening":                                   amlOfficers,
	"POST /staff/screening/reload":                           amlOfficers,
	"GET /staff/fraud-cases/new":                             fraudCaseOpeners,
	"POST /staff/fraud-cases":                                fraudCaseOpeners,
	"GET /staff/fraud-cases/{id}":                            securityAnalysts,
	"POST /staff/fraud-cases/{id}/note":                      securityAnalysts,
	"POST /staff/fraud-cases/{id}/ask":                       securityAnalysts,
	"POST /staff/fraud-cases/{id}/close":                     securityAnalysts,
	"GET /staff/fraud-cases/{id}/export.json":                securityAnalysts,
	"GET /staff/fraud-cases/{id}/export":                     securityAnalysts,
	"GET /staff/merchant-messages/{id}":                      merchantMessageReaders,
	"POST /staff/merchant-messages/{id}/handle":              merchantMessageReaders,
	"GET /staff/stop-requests/{id}":                          securityAnalysts,
	"POST /staff/stop-requests/{id}/settle":                  securityAnalysts,
	"GET /staff/disputes/{id}":                               disputeHandlers,
	"GET /staff/disputes/{id}/documents/{doc}":               disputeHandlers,
	"POST /staff/disputes/{id}/decide":                       disputeHandlers,
	"GET /staff/complaints":                                  complaintWorkers,
	"POST /staff/complaints":                                 complaintHandlers,
	"GET /staff/complaints/new":                              complaintHandlers,
	"GET /staff/complaints/register":                         complaintWorkers,
	"GET /staff/complaints/register.csv":                     complaintWorkers,
	"GET /staff/complaints/{id}":                             complaintWorkers,
	"POST /staff/complaints/{id}/assign":                     complaintWorkers,
	"POST /staff/complaints/{id}/update":                     complaintWorkers,
	"POST /staff/complaints/{id}/note":                       complaintWorkers,
	"POST /staff/complaints/{id}/holding-reply":              complaintHandlers,
	"POST /staff/complaints/{id}/final-answer":               complaintHandlers,
	"POST /staff/complaints/{id}/assessment":                 complaintReviewers,
	"GET /staff/security-reports":                            securityAnalysts,
	"GET /staff/security-reports/{id}":                       securityAnalysts,
	"GET /staff/security-reports/{id}/file":                  securityAnalysts,
	"POST /staff/security-reports/{id}/take":                 securityAnalysts,
	"POST /staff/security-reports/{id}/close":                securityAnalysts,

	// Merchant portal (package portal). The links in e-mails carry their
	// own proof (a signed token) and need no sign-in.
	"GET /portal/signin":                          public,
	"POST /portal/signin":                         public,
	"GET /portal/signin/verify":                   public,
	"POST /portal/signin/verify":                  public,
	"GET /portal/fraud-cases/{id}/reply/{token}":  public,
	"POST /portal/fraud-cases/{id}/reply/{token}": public,
	"GET /portal/stop-requests/answer/{token}":    public,
	"POST /portal/stop-requests/answer/{token}":   public,
	"/portal/":                                              everyMerchantUser, // the not-found page
	"POST /portal/signout":                                  everyMerchantUser,
	"GET /portal/{$}":                                       everyMerchantUser,
	"GET /portal/orders":                                    everyMerchantUser,
	"GET /portal/orders/{id}":                               everyMerchantUser,
	"POST /portal/orders/{id}/messages":                     everyMerchantUser,
	"POST /portal/orders/{id}/capture":                      merchantManagers,
	"POST /portal/orders/{id}/refund":                       merchantManagers,
	"POST /portal/orders/{id}/cancel":                       merchantManagers,
	"POST /portal/orders/{id}/release":                      merchantManagers,
	"POST /portal/orders/{id}/returns/{return_id}/received": merchantManagers,
	"GET /portal/webhooks":                                  everyMerchantUser,
	"GET /portal/settlements":                               everyMerchantUser,
	"GET /portal/settlements/{id}":                          everyMerchantUser,
	"GET /portal/settlements/{id}/csv":                      everyMerchantUser,
	"GET /portal/payment-methods":                           everyMerchantUser,
	"POST /portal/payment-methods":                          merchantManagers,
	"GET /portal/stop-requests":                             everyMerchantUser,
	"GET /portal/stop-requests/{id}":                        everyMerchantUser,
	"POST /portal/stop-requests/{id}":                       merchantManagers,
	"GET /portal/disputes":                                  everyMerchantUser,
	"GET /portal/disputes/{id}":                             everyMerchantUser,
	"GET /portal/disputes/{id}/documents/{doc}":             everyMerchantUser,
	"POST /portal/disputes/{id}/accept":                     merchantManagers,
	"POST /portal/disputes/{id}/contest":                    merchantManagers,
	"GET /portal/security":                                  everyMerchantUser,
	"POST /portal/security/two-step/start":                  everyMerchantUser,
	"POST /portal/security/two-step/confirm":                everyMerchantUser,
	"POST /portal/security/two-step/disable":                everyMerchantUser,
	"POST /portal/security/recovery-codes":                  everyMerchantUser,
	"POST /portal/security/sessions/revoke-others":          everyMerchantUser,
	"POST /portal/security/sessions/{id}/revoke":            everyMerchantUser,

	// Consumer app (package consumerapp). Signing out needs no session:
	// it ends whichever the browser has.
	"/app/":                                        public, // the pages (each checked here) and the not-found page
	"GET /app/signin":                              public,
	"POST /app/signin":                             public,
	"GET /app/signin/code":                         public,
	"POST /app/signin/code":                        public,
	"GET /app/signin/verify":                       public,
	"POST /app/signin/verify":                      public,
	"POST /app/signout":                            public,
	"GET /app/unsubscribe/{token}":                 public,
	"POST /app/unsubscribe/{token}":                public,
	"GET /demo/mailbox":                            public, // demo mode only
	"/demo/mailbox":                                public,
	"GET /app/{$}":                                 consumer,
	"GET /app/orders/{order}":                      consumer,
	"POST /app/orders/{order}/pay":                 consumer,
	"GET /app/orders/{order}/receipts/{receipt}":   consumer,
	"GET /app/orders/{order}/not-mine":             consumer,
	"POST /app/orders/{order}/not-mine":            consumer,
	"GET /app/orders/{order}/problem":              consumer,
	"POST /app/orders/{order}/disputes":            consumer,
	"GET /app/orders/{order}/return":               consumer,
	"POST /app/orders/{order}/returns":             consumer,
	"GET /app/orders/{order}/returns/{id}":         consumer,
	"POST /app/orders/{order}/returns/{id}/cancel": consumer,
	"GET /app/disputes/{id}":                       consumer,
	"POST /app/disputes/{id}/information":          consumer,
	"GET /app/privacy":                             consumer,
	"POST /app/privacy":                            consumer,
	"GET /app/privacy/data":                        consumer,
	"GET /app/privacy/data.json":                   consumer,
	"GET /app/privacy/requests":                    consumer,
	"POST /app/privacy/requests":                   consumer,
	"GET /app/privacy/requests/{id}":               consumer,
	"GET /app/privacy/requests/{id}/document":      consumer,
	"GET /app/verify":                              consumer,
	"POST /app/verify/{review}":                    consumer,
	"GET /app/decisions":                           consumer,
	"POST /app/decisions/{ref}/contest":            consumer,
	"GET /app/complaints":                          consumer,
	"POST /app/complaints":                         consumer,
	"GET /app/complaints/new":                      consumer,
	"GET /app/complaints/{id}":                     consumer,
	"POST /app/complaints/{id}/information":        consumer,
	"POST /app/complaints/{id}/review":             consumer,
	"GET /app/report-suspicious":                   consumer,
	"POST /app/report-suspicious":                  consumer,
	"GET /app/security":                            consumer,
	"POST /app/security/two-step":                  consumer,
	"POST /app/security/two-step/confirm":          consumer,
	"POST /app/security/two-step/disable":          consumer,
	"POST /app/security/recovery-codes":            consumer,
	"POST /app/security/sessions/others/revoke":    consumer,
	"POST /app/security/sessions/{session}/revoke": consumer,
	"GET /app/cards":                               consumer,
	"POST /app/cards":                              consumer,
	"POST /app/cards/{card}/freeze":                consumer,
	"GET /app/cards/{card}/reveal":                 consumer,
	"POST /app/cards/{card}/reveal/code":           consumer,
	"POST /app/cards/{card}/reveal":                consumer,
	"GET /app/cards/{card}/unfreeze":               consumer,
	"POST /app/cards/{card}/unfreeze/code":         consumer,
	"POST /app/cards/{card}/unfreeze":              consumer,
	"POST /app/freeze":                             consumer,
	"GET /app/unfreeze":                            consumer,
	"POST /app/unfreeze/code":                      consumer,
	"POST /app/unfreeze":                           consumer,

	// Hosted checkout (package hosted): the session id in the path is the
	// consumer's proof.
	"GET /checkout/{session_id}":              public,
	"POST /checkout/{session_id}":             public,
	"GET /checkout/{session_id}/code":         public,
	"POST /checkout/{session_id}/code":        public,
	"POST /checkout/{session_id}/code/resend": public,
	"/checkout/": public,

	// Demo shop (package demoshop), demo mode only.
	"GET /demo/{$}":             public,
	"GET /demo/shop":            public,
	"POST /demo/shop":           public,
	"GET /demo/shop/authorized": public,
	"/demo/":                    public,

	// Privacy notice (package notice) and the public suspicious-report
	// page (package reportpage).
	"GET /privacy/{$}":         public,
	"GET /privacy/notice.json": public,
	"/privacy/":                public,
	"GET /report-suspicious":   public,
	"POST /report-suspicious":  public,

	// Merchant APIs (package api).
	"POST /payments/v1/sessions":                                                     merchantAPI,
	"GET /payments/v1/sessions/{session_id}":                                         merchantAPI,
	"POST /payments/v1/sessions/{session_id}":                                        merchantAPI,
	"POST /payments/v1/authorizations/{token}/order":                                 merchantAPI,
	"DELETE /payments/v1/authorizations/{token}":                                     merchantAPI,
	"GET /ordermanagement/v1/orders/{order_id}":                                      merchantAPI,
	"POST /ordermanagement/v1/orders/{order_id}/captures":                            merchantAPI,
	"GET /ordermanagement/v1/orders/{order_id}/captures":                             merchantAPI,
	"GET /ordermanagement/v1/orders/{order_id}/captures/{capture_id}":                merchantAPI,
	"POST /ordermanagement/v1/orders/{order_id}/captures/{capture_id}/shipping-info": merchantAPI,
	"POST /ordermanagement/v1/orders/{order_id}/refunds":                             merchantAPI,
	"GET /ordermanagement/v1/orders/{order_id}/refunds/{refund_id}":                  merchantAPI,
	"POST /ordermanagement/v1/orders/{order_id}/cancel":                              merchantAPI,
	"POST /ordermanagement/v1/orders/{order_id}/release-remaining-authorization":     merchantAPI,
	"POST /ordermanagement/v1/orders/{order_id}/extend-authorization-time":           merchantAPI,
	"POST /ordermanagement/v1/orders/{order_id}/acknowledge":                         merchantAPI,
	"POST /ordermanagement/v1/orders/{order_id}/shipping-info":                       merchantAPI,
	"PATCH /ordermanagement/v1/orders/{order_id}/merchant-references":                merchantAPI,
	"GET /ordermanagement/v1/orders/{order_id}/returns":                              merchantAPI,
	"POST /ordermanagement/v1/orders/{order_id}/returns/{return_id}/received":        merchantAPI,
	"GET /notifications/v1/deliveries":                                               merchantAPI,
	"GET /fraud/v1/stop-requests":                                                    merchantAPI,
	"GET /fraud/v1/stop-requests/{stop_request_id}":                                  merchantAPI,
	"POST /fraud/v1/stop-requests/{stop_request_id}/answer":                          merchantAPI,
	"POST /fraud/v1/stop-requests/{stop_request_id}/confirm-removal":                 merchantAPI,
	"GET /disputes/v1/disputes":                                                      merchantAPI,
	"GET /disputes/v1/disputes/{dispute_id}":                                         merchantAPI,
	"POST /disputes/v1/disputes/{dispute_id}/accept":                                 merchantAPI,
	"POST /disputes/v1/disputes/{dispute_id}/contest":                                merchantAPI,
	// The consumer's side of an API checkout: the session and its client
	// token are the proof.
	"POST /checkout/v1/sessions/{session_id}/otp":       public,
	"POST /checkout/v1/sessions/{session_id}/authorize": public,
	// The card network.
	"POST /cards/v1/authorizations": {Audience: Network},
	// Operations and public assets.
	"GET /healthz":                       public,
	"GET /readyz":                        public,
	"GET /metrics":                       public,
	"GET /openapi.json":                  public,
	"GET /assets/payment-methods/{file}": public,

	// Support inbox (package support): the consumer's conversations in the
	// app, customer service's queue in the back office, and the public
	// contact form with a visitor's conversation behind a signed link
	// (package support/contactpage).
	"GET /app/support":                         consumer,
	"POST /app/support":                        consumer,
	"GET /app/support/{id}":                    consumer,
	"POST /app/support/{id}/messages":          consumer,
	"POST /app/support/{id}/person":            consumer,
	"GET /staff/support":                       supportWorkers,
	"GET /staff/support/{id}":                  supportWorkers,
	"POST /staff/support/{id}/reply":           supportWorkers,
	"POST /staff/support/{id}/assign":          supportWorkers,
	"POST /staff/support/{id}/close":           supportWorkers,
	"POST /staff/support/{id}/complaint":       supportWorkers,
	"POST /staff/support/{id}/dispute":         supportWorkers,
	"POST /staff/support/{id}/privacy-request": supportWorkers,
	"GET /support/contact":                     public,
	"POST /support/contact":                    public,
	"GET /support/conversations/{id}/{token}":  public,
	"POST /support/conversations/{id}/{token}": public,
	"/support/": public, // the not-found page

	// Help centre (package help): articles anyone may read and search.
	"GET /help/{$}":    public,
	"GET /help/search": public,
	"GET /help/{slug}": public,
	"/help/":           public, // the not-found page
}
