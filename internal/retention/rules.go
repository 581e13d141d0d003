package retention

import (
	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// The rules' names, in the order DefaultRules runs them.
const (
	RuleCheckoutCodes          = "checkout_codes"
	RuleUnplacedAuthorizations = "unplaced_authorizations"
	RuleAbandonedSessions      = "abandoned_sessions"
	RuleSignInCodes            = "sign_in_codes"
	RuleWebSessions            = "web_sessions"
	RuleSignInThrottle         = "sign_in_throttle"
	RuleOutboxMessages         = "outbox_messages"
	RuleMerchantMessages       = "merchant_messages"
	RuleConsumerAccounts       = "consumer_accounts"
	RuleConsentRecords         = "consent_records"
	RulePersonRecords          = "person_records"
	RuleStaffAccounts          = "staff_accounts"
	RuleMerchantUserAccounts   = "merchant_user_accounts"
	RuleSecurityReports        = "security_reports"
	RuleSupportConversations   = "support_conversations"
)

// DefaultRules returns the rules for the data Tillit holds, in the order a
// run applies them (an authorization goes before the session it belongs to).
// v crypto-shreds vault subjects: abandoned sessions' and messages' own keys
// and, at the end, each person's.
func DefaultRules(v *vault.Vault) []Rule {
	return []Rule{
		checkoutCodes(),
		unplacedAuthorizations(),
		abandonedSessions(v),
		signInCodes(),
		webSessions(),
		signInThrottle(),
		outboxMessages(v),
		merchantMessages(v),
		securityReports(v),
		supportConversations(),
		consumerAccounts(),
		consentRecords(),
		personRecords(v),
		workforceAccounts(RuleStaffAccounts, "staff_users", account.KindStaff),
		workforceAccounts(RuleMerchantUserAccounts, "merchant_users", account.KindMerchant),
	}
}

// checkoutCodes: a checkout's one-time code goes when it expires.
func checkoutCodes() Rule {
	return &rowRule{
		info:  info(RuleCheckoutCodes, privacy.PurposeCheckout, privacy.CategoryCredentials, "otp_challenges"),
		from:  "otp_challenges",
		key:   "session_id",
		since: "expires_at",
		where: "expires_at <= $1",
		apply: applySteps(del("otp_challenges", `DELETE FROM otp_challenges WHERE session_id IN (?)`)),
	}
}

// unplacedAuthorizations: an authorization (the credit assessment and the
// buyer's sealed details) that never became an order goes after the credit
// assessment's period, counted from the authorization.
func unplacedAuthorizations() Rule {
	return &rowRule{
		info:  info(RuleUnplacedAuthorizations, privacy.PurposeCreditAssessment, privacy.CategoryCredit, "authorizations"),
		from:  "authorizations a",
		key:   "a.token",
		since: "a.created_at",
		where: "a.created_at <= $1 AND a.order_id IS NULL AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.session_id = a.session_id)",
		apply: applySteps(
			del("risk_assessments", `DELETE FROM risk_assessments WHERE authorization_token IN (?)`),
			del("risk_observations", `DELETE FROM risk_observations WHERE authorization_token IN (?)`),
			del("authorizations", `DELETE FROM authorizations WHERE token IN (?)`),
		),
	}
}

// abandonedSessions: a payment session that never became an order, and has
// no authorization left, goes after checkout's period from its creation,
// with its one-time code; the vault key its personal fields were sealed
// under (the session's own, until a person authorizes) is shredded.
func abandonedSessions(v *vault.Vault) Rule {
	return &rowRule{
		info:  info(RuleAbandonedSessions, privacy.PurposeCheckout, privacy.CategoryPurchase, "payment_sessions", "otp_challenges"),
		from:  "payment_sessions s",
		key:   "s.id",
		since: "s.created_at",
		where: `s.created_at <= $1 AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.session_id = s.id)
			AND NOT EXISTS (SELECT 1 FROM authorizations a WHERE a.session_id = s.id)`,
		apply: func(tx *store.Tx, keys []string, c *Changes) error {
			var sealed []string
			err := inChunks(keys, 1, func(in string, args []any) error {
				rows, err := tx.Query(`SELECT id FROM payment_sessions WHERE personal <> '' AND id IN (`+in+`)`, args...)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var id string
					if err := rows.Scan(&id); err != nil {
						return err
					}
					sealed = append(sealed, id)
				}
				return rows.Err()
			})
			if err != nil {
				return err
			}
			err = applySteps(
				del("otp_challenges", `DELETE FROM otp_challenges WHERE session_id IN (?)`),
				del("payment_sessions", `DELETE FROM payment_sessions WHERE id IN (?)`),
			)(tx, keys, c)
			if err != nil {
				return err
			}
			for _, id := range sealed {
				if err := v.Shred(tx, id); err != nil {
					return err
				}
				c.Shredded++
			}
			return nil
		},
	}
}

// signInCodes: a consumer's e-mailed sign-in code goes when it expires.
func signInCodes() Rule {
	return &rowRule{
		info:  info(RuleSignInCodes, privacy.PurposeConsumerAccount, privacy.CategoryCredentials, "login_codes"),
		from:  "login_codes",
		key:   "consumer_key",
		since: "expires_at",
		where: "expires_at <= $1",
		apply: applySteps(del("login_codes", `DELETE FROM login_codes WHERE consumer_key IN (?)`)),
	}
}

// webSessions: a browser session (consumer, merchant user or staff) goes
// when it is revoked or reaches the end of its lifetime.
func webSessions() Rule {
	return &rowRule{
		info:  info(RuleWebSessions, privacy.PurposeAccountSecurity, privacy.CategorySessions, "web_sessions"),
		from:  "web_sessions",
		key:   "id",
		since: "CASE WHEN revoked_at IS NOT NULL AND revoked_at < expires_at THEN revoked_at ELSE expires_at END",
		where: "(expires_at <= $1 OR revoked_at <= $1)",
		apply: applySteps(del("web_sessions", `DELETE FROM web_sessions WHERE id IN (?)`)),
	}
}

// signInThrottle: a counter of failed sign-ins goes when it expires.
func signInThrottle() Rule {
	return &rowRule{
		info:  info(RuleSignInThrottle, privacy.PurposeAccountSecurity, privacy.CategoryCredentials, "sign_in_throttle"),
		from:  "sign_in_throttle",
		key:   "scope || ' ' || key_hash",
		since: "expires_at",
		where: "expires_at <= $1",
		apply: applySteps(del("sign_in_throttle", `DELETE FROM sign_in_throttle WHERE scope || ' ' || key_hash IN (?)`)),
	}
}

// outboxMessages: an e-mail or SMS to a consumer (its address, and a code,
// a reminder or a receipt in its body) goes after customer service's
// period from when it was queued. The outbox is a delivery queue: what an
// agreement needs on record is its plan, kept with the person's records. A
// message sealed under its own key (one about no known person, package
// outbox) has that key shredded.
func outboxMessages(v *vault.Vault) Rule {
	return &rowRule{
		info:  info(RuleOutboxMessages, privacy.PurposeCustomerService, privacy.CategoryCommunications, "outbox_messages"),
		from:  "outbox_messages",
		key:   "id",
		since: "created_at",
		where: "created_at <= $1",
		apply: func(tx *store.Tx, keys []string, c *Changes) error {
			var own []string
			err := inChunks(keys, 1, func(in string, args []any) error {
				rows, err := tx.Query(`SELECT id FROM outbox_messages WHERE person_id IS NULL AND recipient_key <> '' AND id IN (`+in+`)`, args...)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var id string
					if err := rows.Scan(&id); err != nil {
						return err
					}
					own = append(own, id)
				}
				return rows.Err()
			})
			if err != nil {
				return err
			}
			if err := applySteps(del("outbox_messages", `DELETE FROM outbox_messages WHERE id IN (?)`))(tx, keys, c); err != nil {
				return err
			}
			for _, id := range own {
				if err := v.Shred(tx, id); err != nil {
					return err
				}
				c.Shredded++
			}
			return nil
		},
	}
}

// merchantMessages: a merchant's message about an order without a person
// (package merchantmsg; one about a person goes with the person's records)
// goes after customer service's period from when it was sent, and the key
// of its own it was sealed under is shredded.
func merchantMessages(v *vault.Vault) Rule {
	return &rowRule{
		info:  info(RuleMerchantMessages, privacy.PurposeCustomerService, privacy.CategoryCommunications, "merchant_messages"),
		from:  "merchant_messages",
		key:   "id",
		since: "sent_at",
		where: "person_id IS NULL AND sent_at <= $1",
		apply: func(tx *store.Tx, keys []string, c *Changes) error {
			if err := applySteps(del("merchant_messages", `DELETE FROM merchant_messages WHERE person_id IS NULL AND id IN (?)`))(tx, keys, c); err != nil {
				return err
			}
			for _, id := range keys {
				if err := v.Shred(tx, id); err != nil {
					return err
				}
				c.Shredded++
			}
			return nil
		},
	}
}

// workforceAccounts: a disabled staff or merchant-user account goes after
// the workforce purpose's period from when it was disabled, with the
// sessions it had and its two-step verification and known browsers.
func workforceAccounts(name, table string, kind account.Kind) Rule {
	return &rowRule{
		info:  info(name, privacy.PurposeWorkforceAccounts, privacy.CategoryAccount, table, "web_sessions", "second_factors", "recovery_codes", "pending_sign_ins", "known_devices"),
		from:  table,
		key:   "id",
		since: "disabled_at",
		where: "disabled_at <= $1",
		apply: applySteps(
			del("web_sessions", `DELETE FROM web_sessions WHERE kind = '`+string(kind)+`' AND subject_id IN (?)`),
			del("second_factors", `DELETE FROM second_factors WHERE kind = '`+string(kind)+`' AND subject_id IN (?)`),
			del("recovery_codes", `DELETE FROM recovery_codes WHERE kind = '`+string(kind)+`' AND subject_id IN (?)`),
			del("pending_sign_ins", `DELETE FROM pending_sign_ins WHERE kind = '`+string(kind)+`' AND subject_id IN (?)`),
			del("known_devices", `DELETE FROM known_devices WHERE kind = '`+string(kind)+`' AND subject_id IN (?)`),
			del(table, `DELETE FROM `+table+` WHERE id IN (?)`),
		),
	}
}

// securityReports: a report of a suspicious e-mail or website (package
// securityreport) goes a year after its triage closed; one from the public
// page, sealed under a key of its own, has that key shredded.
func securityReports(v *vault.Vault) Rule {
	return &rowRule{
		info:  info(RuleSecurityReports, privacy.PurposeSecurityReports, privacy.CategoryCommunications, "security_reports"),
		from:  "security_reports",
		key:   "id",
		since: "closed_at",
		where: "closed_at <= $1",
		apply: func(tx *store.Tx, keys []string, c *Changes) error {
			var own []string
			err := inChunks(keys, 1, func(in string, args []any) error {
				return collect(tx, &own, `SELECT id FROM security_reports WHERE person_id IS NULL AND id IN (`+in+`)`, args...)
			})
			if err != nil {
				return err
			}
			if err := applySteps(del("security_reports", `DELETE FROM security_reports WHERE id IN (?)`))(tx, keys, c); err != nil {
				return err
			}
			for _, id := range own {
				if err := v.Shred(tx, id); err != nil {
					return err
				}
				c.Shredded++
			}
			return nil
		},
	}
}

// supportConversations: a conversation with the assistant and customer
// service (package support) goes with its messages ten years after its
// last change (the last message, or staff closing or converting it).
// Those of a person whose records go earlier go with them (PersonTables).
func supportConversations() Rule {
	return &rowRule{
		info:  info(RuleSupportConversations, privacy.PurposeSupportConversations, privacy.CategoryCommunications, "support_conversations", "support_messages"),
		from:  "support_conversations",
		key:   "id",
		since: "updated_at",
		where: "updated_at <= $1",
		apply: applySteps(
			del("support_messages", `DELETE FROM support_messages WHERE conversation_id IN (?)`),
			del("support_conversations", `DELETE FROM support_conversations WHERE id IN (?)`),
		),
	}
}
