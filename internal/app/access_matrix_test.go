package app_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/apptest"
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/card"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/complaint"
	"github.com/tillit/tillit/internal/consumerapp"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/portal"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/support"
	"github.com/tillit/tillit/internal/web"
)

// roleMatrix is who may use every route Tillit serves, written out here
// independently of the access table (internal/access/routes.go) so that
// the two must agree. Each entry is an audience, optionally with the roles
// that may use it:
//
//	public                  anyone
//	staff                   every member of staff
//	staff:role,role         those roles (and admin)
//	merchant                every merchant user
//	merchant:role,role      those merchant user roles
//	consumer                a signed-in consumer
//	api                     a merchant's API credentials
//	network                 the card network's credentials
//
// A route missing here fails TestRoleMatrix: a new route must say who may
// use it, here and in the table.
var roleMatrix = map[string]string{
	"GET /staff/signin":                                      "public",
	"POST /staff/signin":                                     "public",
	"GET /staff/signin/verify":                               "public",
	"POST /staff/signin/verify":                              "public",
	"/staff/":                                                "public",
	"POST /staff/signout":                                    "staff",
	"GET /staff/{$}":                                         "staff",
	"GET /staff/queues/{key}":                                "staff",
	"GET /staff/my-security":                                 "staff",
	"POST /staff/my-security/recovery-codes":                 "staff",
	"POST /staff/my-security/sessions/revoke-others":         "staff",
	"POST /staff/my-security/sessions/{id}/revoke":           "staff",
	"GET /staff/orders/{id}":                                 "staff:risk_analyst,security_analyst,aml_officer",
	"POST /staff/orders/{id}/decision":                       "staff:risk_analyst,security_analyst",
	"POST /staff/orders/{id}/review":                         "staff:security_analyst",
	"POST /staff/orders/{id}/screening/false-positive":       "staff:aml_officer",
	"POST /staff/orders/{id}/screening/revoke":               "staff:aml_officer",
	"GET /staff/staff":                                       "staff:admin",
	"POST /staff/staff":                                      "staff:admin",
	"GET /staff/staff/{id}":                                  "staff:admin",
	"POST /staff/staff/{id}/disable":                         "staff:admin",
	"POST /staff/staff/{id}/unlock":                          "staff:admin",
	"POST /staff/staff/{id}/reset-two-step":                  "staff:admin",
	"GET /staff/audit":                                       "staff:admin",
	"GET /staff/consumer-security":                           "staff:security_analyst",
	"POST /staff/consumer-security":                          "staff:security_analyst",
	"GET /staff/consumer-security/{person}":                  "staff:security_analyst",
	"POST /staff/consumer-security/{person}/freeze":          "staff:security_analyst",
	"POST /staff/consumer-security/{person}/unfreeze":        "staff:security_analyst",
	"GET /staff/queues/privacy_requests":                     "staff:data_protection",
	"GET /staff/privacy-requests/new":                        "staff:data_protection",
	"POST /staff/privacy-requests/new":                       "staff:data_protection",
	"GET /staff/privacy-requests/{id}":                       "staff:data_protection",
	"GET /staff/privacy-requests/{id}/document":              "staff:data_protection",
	"POST /staff/privacy-requests/{id}/{step}":               "staff:data_protection",
	"POST /staff/privacy-requests/{id}/entries/{entry}/lift": "staff:data_protection",
	"GET /staff/retention":                                   "staff:data_protection",
	"POST /staff/retention/run":                              "staff:data_protection",
	"GET /staff/contests/{id}":                               "staff:risk_analyst,data_protection,aml_officer",
	"POST /staff/contests/{id}/review":                       "staff:risk_analyst,data_protection,aml_officer",
	"GET /staff/risk/rules":                                  "staff:risk_analyst",
	"POST /staff/risk/rules":                                 "staff:risk_analyst",
	"GET /staff/aml/alerts/{id}":                             "staff:aml_officer",
	"POST /staff/aml/alerts/{id}/action":                     "staff:aml_officer",
	"GET /staff/screening":                                   "staff:aml_officer",
	"POST /staff/screening/reload":                           "staff:aml_officer",
	"GET /staff/fraud-cases/new":                             "staff:customer_service,security_analyst",
	"POST /staff/fraud-cases":                                "staff:customer_service,security_analyst",
	"GET /staff/fraud-cases/{id}":                            "staff:security_analyst",
	"POST /staff/fraud-cases/{id}/note":                      "staff:security_analyst",
	"POST /staff/fraud-cases/{id}/ask":                       "staff:security_analyst",
	"POST /staff/fraud-cases/{id}/close":                     "staff:security_analyst",
	"GET /staff/fraud-cases/{id}/export.json":                "staff:security_analyst",
	"GET /staff/fraud-cases/{id}/export":                     "staff:security_analyst",
	"GET /staff/merchant-messages/{id}":                      "staff:security_analyst,customer_service",
	"POST /staff/merchant-messages/{id}/handle":              "staff:security_analyst,customer_service",
	"GET /staff/stop-requests/{id}":                          "staff:security_analyst",
	"POST /staff/stop-requests/{id}/settle":                  "staff:security_analyst",
	"GET /staff/disputes/{id}":                               "staff:dispute_handler",
	"GET /staff/disputes/{id}/documents/{doc}":               "staff:dispute_handler",
	"POST /staff/disputes/{id}/decide":                       "staff:dispute_handler",
	"GET /staff/complaints":                                  "staff:customer_service,customer_representative",
	"POST /staff/complaints":                                 "staff:customer_service",
	"GET /staff/complaints/new":                              "staff:customer_service",
	"GET /staff/complaints/register":                         "staff:customer_service,customer_representative",
	"GET /staff/complaints/register.csv":                     "staff:customer_service,customer_representative",
	"GET /staff/complaints/{id}":                             "staff:customer_service,customer_representative",
	"POST /staff/complaints/{id}/assign":                     "staff:customer_service,customer_representative",
	"POST /staff/complaints/{id}/update":                     "staff:customer_service,customer_representative",
	"POST /staff/complaints/{id}/note":                       "staff:customer_service,customer_representative",
	"POST /staff/complaints/{id}/holding-reply":              "staff:customer_service",
	"POST /staff/complaints/{id}/final-answer":               "staff:customer_service",
	"POST /staff/complaints/{id}/assessment":                 "staff:customer_representative",
	"GET /staff/security-reports":                            "staff:security_analyst",
	"GET /staff/security-reports/{id}":                       "staff:security_analyst",
	"GET /staff/security-reports/{id}/file":                  "staff:security_analyst",
	"POST /staff/security-reports/{id}/take":                 "staff:security_analyst",
	"POST /staff/security-reports/{id}/close":                "staff:security_analyst",

	"GET /portal/signin":                          "public",
	"POST /portal/signin":                         "public",
	"GET /portal/signin/verify":                   "public",
	"POST /portal/signin/verify":                  "public",
	"GET /portal/fraud-cases/{id}/reply/{token}":  "public",
	"POST /portal/fraud-cases/{id}/reply/{token}": "public",
	"GET /portal/stop-requests/answer/{token}":    "public",
	"POST /portal/stop-requests/answer/{token}":   "public",
	"/portal/":                                              "merchant",
	"POST /portal/signout":                                  "merchant",
	"GET /portal/{$}":                                       "merchant",
	"GET /portal/orders":                                    "merchant",
	"GET /portal/orders/{id}":                               "merchant",
	"POST /portal/orders/{id}/messages":                     "merchant",
	"POST /portal/orders/{id}/capture":                      "merchant:owner,admin",
	"POST /portal/orders/{id}/refund":                       "merchant:owner,admin",
	"POST /portal/orders/{id}/cancel":                       "merchant:owner,admin",
	"POST /portal/orders/{id}/release":                      "merchant:owner,admin",
	"POST /portal/orders/{id}/returns/{return_id}/received": "merchant:owner,admin",
	"GET /portal/webhooks":                                  "merchant",
	"GET /portal/settlements":                               "merchant",
	"GET /portal/settlements/{id}":                          "merchant",
	"GET /portal/settlements/{id}/csv":                      "merchant",
	"GET /portal/payment-methods":                           "merchant",
	"POST /portal/payment-methods":                          "merchant:owner,admin",
	"GET /portal/stop-requests":                             "merchant",
	"GET /portal/stop-requests/{id}":                        "merchant",
	"POST /portal/stop-requests/{id}":                       "merchant:owner,admin",
	"GET /portal/disputes":                                  "merchant",
	"GET /portal/disputes/{id}":                             "merchant",
	"GET /portal/disputes/{id}/documents/{doc}":             "merchant",
	"POST /portal/disputes/{id}/accept":                     "merchant:owner,admin",
	"POST /portal/disputes/{id}/contest":                    "merchant:owner,admin",
	"GET /portal/security":                                  "merchant",
	"POST /portal/security/two-step/start":                  "merchant",
	"POST /portal/security/two-step/confirm":                "merchant",
	"POST /portal/security/two-step/disable":                "merchant",
	"POST /portal/security/recovery-codes":                  "merchant",
	"POST /portal/security/sessions/revoke-others":          "merchant",
	"POST /portal/security/sessions/{id}/revoke":            "merchant",

	"/app/":                                        "public",
	"GET /app/signin":                              "public",
	"POST /app/signin":                             "public",
	"GET /app/signin/code":                         "public",
	"POST /app/signin/code":                        "public",
	"GET /app/signin/verify":                       "public",
	"POST /app/signin/verify":                      "public",
	"POST /app/signout":                            "public",
	"GET /app/unsubscribe/{token}":                 "public",
	"POST /app/unsubscribe/{token}":                "public",
	"GET /demo/mailbox":                            "public",
	"/demo/mailbox":                                "public",
	"GET /app/{$}":                                 "consumer",
	"GET /app/orders/{order}":                      "consumer",
	"POST /app/orders/{order}/pay":                 "consumer",
	"GET /app/orders/{order}/receipts/{receipt}":   "consumer",
	"GET /app/orders/{order}/not-mine":             "consumer",
	"POST /app/orders/{order}/not-mine":            "consumer",
	"GET /app/orders/{order}/problem":              "consumer",
	"POST /app/orders/{order}/disputes":            "consumer",
	"GET /app/orders/{order}/return":               "consumer",
	"POST /app/orders/{order}/returns":             "consumer",
	"GET /app/orders/{order}/returns/{id}":         "consumer",
	"POST /app/orders/{order}/returns/{id}/cancel": "consumer",
	"GET /app/disputes/{id}":                       "consumer",
	"POST /app/disputes/{id}/information":          "consumer",
	"GET /app/privacy":                             "consumer",
	"POST /app/privacy":                            "consumer",
	"GET /app/privacy/data":                        "consumer",
	"GET /app/privacy/data.json":                   "consumer",
	"GET /app/privacy/requests":                    "consumer",
	"POST /app/privacy/requests":                   "consumer",
	"GET /app/privacy/requests/{id}":               "consumer",
	"GET /app/privacy/requests/{id}/document":      "consumer",
	"GET /app/verify":                              "consumer",
	"POST /app/verify/{review}":                    "consumer",
	"GET /app/decisions":                           "consumer",
	"POST /app/decisions/{ref}/contest":            "consumer",
	"GET /app/complaints":                          "consumer",
	"POST /app/complaints":                         "consumer",
	"GET /app/complaints/new":                      "consumer",
	"GET /app/complaints/{id}":                     "consumer",
	"POST /app/complaints/{id}/information":        "consumer",
	"POST /app/complaints/{id}/review":             "consumer",
	"GET /app/report-suspicious":                   "consumer",
	"POST /app/report-suspicious":                  "consumer",
	"GET /app/security":                            "consumer",
	"POST /app/security/two-step":                  "consumer",
	"POST /app/security/two-step/confirm":          "consumer",
	"POST /app/security/two-step/disable":          "consumer",
	"POST /app/security/recovery-codes":            "consumer",
	"POST /app/security/sessions/others/revoke":    "consumer",
	"POST /app/security/sessions/{session}/revoke": "consumer",
	"GET /app/cards":                               "consumer",
	"POST /app/cards":                              "consumer",
	"POST /app/cards/{card}/freeze":                "consumer",
	"GET /app/cards/{card}/reveal":                 "consumer",
	"POST /app/cards/{card}/reveal/code":           "consumer",
	"POST /app/cards/{card}/reveal":                "consumer",
	"GET /app/cards/{card}/unfreeze":               "consumer",
	"POST /app/cards/{card}/unfreeze/code":         "consumer",
	"POST /app/cards/{card}/unfreeze":              "consumer",
	"POST /app/freeze":                             "consumer",
	"GET /app/unfreeze":                            "consumer",
	"POST /app/unfreeze/code":                      "consumer",
	"POST /app/unfreeze":                           "consumer",

	"GET /checkout/{session_id}":              "public",
	"POST /checkout/{session_id}":             "public",
	"GET /checkout/{session_id}/code":         "public",
	"POST /checkout/{session_id}/code":        "public",
	"POST /checkout/{session_id}/code/resend": "public",
	"/checkout/":                "public",
	"GET /demo/{$}":             "public",
	"GET /demo/shop":            "public",
	"POST /demo/shop":           "public",
	"GET /demo/shop/authorized": "public",
	"/demo/":                    "public",
	"GET /privacy/{$}":          "public",
	"GET /privacy/notice.json":  "public",
	"/privacy/":                 "public",
	"GET /report-suspicious":    "public",
	"POST /report-suspicious":   "public",

	"POST /payments/v1/sessions":                                                     "api",
	"GET /payments/v1/sessions/{session_id}":                                         "api",
	"POST /payments/v1/sessions/{session_id}":                                        "api",
	"POST /payments/v1/authorizations/{token}/order":                                 "api",
	"DELETE /payments/v1/authorizations/{token}":                                     "api",
	"GET /ordermanagement/v1/orders/{order_id}":                                      "api",
	"POST /ordermanagement/v1/orders/{order_id}/captures":                            "api",
	"GET /ordermanagement/v1/orders/{order_id}/captures":                             "api",
	"GET /ordermanagement/v1/orders/{order_id}/captures/{capture_id}":                "api",
	"POST /ordermanagement/v1/orders/{order_id}/captures/{capture_id}/shipping-info": "api",
	"POST /ordermanagement/v1/orders/{order_id}/refunds":                             "api",
	"GET /ordermanagement/v1/orders/{order_id}/refunds/{refund_id}":                  "api",
	"POST /ordermanagement/v1/orders/{order_id}/cancel":                              "api",
	"POST /ordermanagement/v1/orders/{order_id}/release-remaining-authorization":     "api",
	"POST /ordermanagement/v1/orders/{order_id}/extend-authorization-time":           "api",
	"POST /ordermanagement/v1/orders/{order_id}/acknowledge":                         "api",
	"POST /ordermanagement/v1/orders/{order_id}/shipping-info":                       "api",
	"PATCH /ordermanagement/v1/orders/{order_id}/merchant-references":                "api",
	"GET /ordermanagement/v1/orders/{order_id}/returns":                              "api",
	"POST /ordermanagement/v1/orders/{order_id}/returns/{return_id}/received":        "api",
	"GET /notifications/v1/deliveries":                                               "api",
	"GET /fraud/v1/stop-requests":                                                    "api",
	"GET /fraud/v1/stop-requests/{stop_request_id}":                                  "api",
	"POST /fraud/v1/stop-requests/{stop_request_id}/answer":                          "api",
	"POST /fraud/v1/stop-requests/{stop_request_id}/confirm-removal":                 "api",
	"GET /disputes/v1/disputes":                                                      "api",
	"GET /disputes/v1/disputes/{dispute_id}":                                         "api",
	"POST /disputes/v1/disputes/{dispute_id}/accept":                                 "api",
	"POST /disputes/v1/disputes/{dispute_id}/contest":                                "api",
	"POST /checkout/v1/sessions/{session_id}/otp":                                    "public",
	"POST /checkout/v1/sessions/{session_id}/authorize":                              "public",
	"POST /cards/v1/authorizations":                                                  "network",
	"GET /healthz":                                                                   "public",
	"GET /readyz":                                                                    "public",
	"GET /metrics":                                                                   "public",
	"GET /openapi.json":                                                              "public",
	"GET /assets/payment-methods/{file}":                                             "public",

	// Support inbox (package support).
	"GET /app/support":                         "consumer",
	"POST /app/support":                        "consumer",
	"GET /app/support/{id}":                    "consumer",
	"POST /app/support/{id}/messages":          "consumer",
	"POST /app/support/{id}/person":            "consumer",
	"GET /staff/support":                       "staff:customer_service",
	"GET /staff/support/{id}":                  "staff:customer_service",
	"POST /staff/support/{id}/reply":           "staff:customer_service",
	"POST /staff/support/{id}/assign":          "staff:customer_service",
	"POST /staff/support/{id}/close":           "staff:customer_service",
	"POST /staff/support/{id}/complaint":       "staff:customer_service",
	"POST /staff/support/{id}/dispute":         "staff:customer_service",
	"POST /staff/support/{id}/privacy-request": "staff:customer_service",
	"GET /support/contact":                     "public",
	"POST /support/contact":                    "public",
	"GET /support/conversations/{id}/{token}":  "public",
	"POST /support/conversations/{id}/{token}": "public",
	"/support/": "public",

	// Help centre (package help).
	"GET /help/{$}":    "public",
	"GET /help/search": "public",
	"GET /help/{slug}": "public",
	"/help/":           "public",
}

// expectation is what a caller should get from one route.
type expectation int

const (
	// allowed: the handler runs (any answer but the gate's).
	allowed expectation = iota
	// toSignIn: the gate sends the caller to sign in (a redirect to a
	// sign-in page, or 401 from an API).
	toSignIn
	// forbidden: the gate answers 403.
	forbidden
	// notFound: the handler runs but the resource is another merchant's
	// or consumer's, so it answers 404.
	notFound
)

func (e expectation) String() string {
	return [...]string{"allowed", "sign in", "403", "404 (not theirs)"}[e]
}

// caller is one of the identities the matrix calls every route as.
type caller struct {
	name string
	// audience, role and merchantRole are who the caller is ("" for
	// nobody); tenant is "a" or "b" for merchants and consumers.
	audience     string
	role         account.Role
	merchantRole account.MerchantRole
	tenant       string
	http         *http.Client
	// basic is the HTTP Basic credential an API caller sends.
	basicUser, basicPass string
	// tokens are the CSRF tokens of each web part, by path prefix.
	tokens map[string]string
}

// expect is what c should get from a route with the matrix entry spec;
// owned is set when the path names a resource of tenant a.
func (c *caller) expect(spec string, owned bool) expectation {
	audience, roles, _ := strings.Cut(spec, ":")
	if audience == "public" {
		return allowed
	}
	if c.audience != audience {
		return toSignIn
	}
	if roles != "" {
		list := strings.Split(roles, ",")
		switch audience {
		case "staff":
			if c.role != account.RoleAdmin && !slices.Contains(list, string(c.role)) {
				return forbidden
			}
		case "merchant":
			if !slices.Contains(list, string(c.merchantRole)) {
				return forbidden
			}
		}
	}
	if owned && c.tenant != "a" {
		return notFound
	}
	return allowed
}

// matrixFixture is the platform and the resources of tenant a the matrix
// fills paths with.
type matrixFixture struct {
	t      *testing.T
	ctx    context.Context
	app    *app.App
	clk    *clock.Manual
	srv    *httptest.Server
	shopA  merchant.Merchant
	shopB  merchant.Merchant
	credsA merchant.Credentials
	credsB merchant.Credentials
	// clientToken is the client token of the checkout session in params.
	clientToken string
	// params are the values of path parameters naming tenant a's
	// resources, by the route prefix and the parameter's name.
	params map[string]string
}

const (
	matrixNetworkUser = "matrix-network"
	matrixNetworkPass = "matrix-network-secret-4419"
	matrixPassword    = "correct horse battery staple 77"
)

// TestRoleMatrix calls every route Tillit serves as every staff role, as
// each merchant user role, with merchant API credentials, as a consumer,
// as the card network and as nobody, and as another merchant or consumer
// than the one whose resources the path names, and checks each answer
// against roleMatrix. It fails when a route in the access table is not in
// the matrix or the other way round.
func TestRoleMatrix(t *testing.T) {
	patterns := access.Patterns()
	var missing, stale []string
	for _, p := range patterns {
		if _, ok := roleMatrix[p]; !ok {
			missing = append(missing, p)
		}
	}
	for p := range roleMatrix {
		if _, ok := access.Lookup(p); !ok {
			stale = append(stale, p)
		}
	}
	sort.Strings(stale)
	if len(missing) > 0 || len(stale) > 0 {
		t.Fatalf("the role matrix and the access table disagree:\nroutes with no matrix entry: %v\nmatrix entries for no route: %v", missing, stale)
	}

	f := newMatrixFixture(t)
	callers := f.callers()
	// Signing out ends the caller's session, so those routes go last.
	sort.SliceStable(patterns, func(i, j int) bool {
		return !strings.Contains(patterns[i], "signout") && strings.Contains(patterns[j], "signout")
	})
	counts := map[expectation]int{}
	for _, pattern := range patterns {
		spec := roleMatrix[pattern]
		method, path, owned, placeholder := f.request(pattern, false)
		_, elsewhere, _, _ := f.request(pattern, true)
		for _, c := range callers {
			want := c.expect(spec, owned)
			counts[want]++
			status, location, body := f.call(c, method, path, matrixBodies[pattern])
			got := classify(path, status, location, body, spec)
			switch {
			case got == want:
			// Another tenant is told 403 or 404, or, where its request is
			// refused before the resource is looked up (a 400 for a form
			// it left empty), just what it is told for an id that names
			// nothing: it learns nothing and changes nothing.
			case want == notFound && got == forbidden:
			case want == notFound && status >= 400 && status < 500 && f.status(c, method, elsewhere, matrixBodies[pattern]) == status:
			// A path with a placeholder id may name nothing, for anyone.
			case want == allowed && got == notFound && placeholder:
			// Signing out sends the member back to sign in: the handler's
			// answer, as long as the session really ended.
			case want == allowed && got == toSignIn && strings.HasSuffix(path, "/signout") && f.signedOut(c, path):
			default:
				t.Errorf("%s %s as %s: %d %s, want %s", method, path, c.name, status, location, want)
			}
		}
	}
	t.Logf("%d routes as %d callers: %d allowed, %d sent to sign in, %d forbidden, %d refused another tenant's resource",
		len(patterns), len(callers), counts[allowed], counts[toSignIn], counts[forbidden], counts[notFound])
}

// classify reads an answer: the gate's (to sign in, or 403), a 404, or
// the handler's. An API's 403 is the gate's only with the FORBIDDEN code;
// others (CANCEL_NOT_ALLOWED, ...) are the handler refusing the change.
func classify(path string, status int, location, body, spec string) expectation {
	public := spec == "public"
	switch {
	case status == http.StatusForbidden && isAPI(path) && !strings.Contains(body, `"error_code":"FORBIDDEN"`):
		return allowed
	case status == http.StatusForbidden:
		return forbidden
	case public:
		return allowed
	case status == http.StatusUnauthorized:
		return toSignIn
	case status == http.StatusSeeOther && strings.Contains(location, "/signin"):
		return toSignIn
	case status == http.StatusNotFound:
		return notFound
	}
	return allowed
}

// request turns a pattern into the request the matrix sends: the method
// (GET for a pattern without one that ends in "/", else OPTIONS, which no
// route names) and a path with tenant a's resources in it where the
// fixture has them (owned) and placeholders elsewhere (placeholder), or
// placeholders everywhere when nowhere is set. A catch-all's answer is
// the not-found page: it counts as a placeholder.
func (f *matrixFixture) request(pattern string, nowhere bool) (method, path string, owned, placeholder bool) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		path, placeholder = pattern, true
		method = http.MethodOptions
		if strings.HasSuffix(path, "/") {
			method, path = http.MethodGet, path+"no-such-page"
		}
	}
	path = strings.TrimSuffix(path, "{$}")
	for _, name := range paramPattern.FindAllStringSubmatch(path, -1) {
		value, isOwned := f.param(path, name[1])
		if nowhere {
			value, isOwned = nobodysID, false
		}
		owned = owned || isOwned
		placeholder = placeholder || !isOwned
		path = strings.Replace(path, name[0], value, 1)
	}
	return method, path, owned, placeholder
}

var paramPattern = regexp.MustCompile(`\{([a-z_]+)\}`)

// param is the value for a path parameter: tenant a's resource where the
// fixture has one for the route, a placeholder id otherwise.
func (f *matrixFixture) param(path, name string) (string, bool) {
	for _, key := range []string{path + " " + name, name} {
		if v, ok := f.params[key]; ok {
			return v, true
		}
	}
	return nobodysID, false
}

// nobodysID is the placeholder id, which names nothing.
const nobodysID = "0190a000-0000-7000-8000-00000000beef"

// matrixBodies are the request bodies of routes whose empty request would
// be refused before the resource is looked up: with them, the request
// reaches the check that the resource is the caller's.
var matrixBodies = map[string]string{
	"POST /ordermanagement/v1/orders/{order_id}/captures": `{"captured_amount":100}`,
	"POST /ordermanagement/v1/orders/{order_id}/refunds":  `{"refunded_amount":100}`,
	"POST /app/complaints/{id}/information":               "information=More+details+from+the+matrix.",
	"POST /app/orders/{order}/pay":                        "what=next",

	"POST /app/support/{id}/messages": "version=1&message=More+from+the+matrix.",
	"POST /app/support/{id}/person":   "version=1",
}

// isAPI reports whether path is served by the JSON APIs rather than a web
// part.
func isAPI(path string) bool {
	for _, web := range []string{"/staff/", "/portal/", "/app/", "/demo/", "/privacy/", "/report-suspicious", "/support/"} {
		if strings.HasPrefix(path, web) {
			return false
		}
	}
	return !strings.HasPrefix(path, "/checkout/") || strings.HasPrefix(path, "/checkout/v1/")
}

// status is the status c gets for a request.
func (f *matrixFixture) status(c *caller, method, path, body string) int {
	status, _, _ := f.call(c, method, path, body)
	return status
}

// signedOut reports whether c's session on the web part of path ended:
// its home page sends it to sign in.
func (f *matrixFixture) signedOut(c *caller, path string) bool {
	home := strings.TrimSuffix(path, "signout")
	status, location, _ := f.call(c, http.MethodGet, home, "")
	return status == http.StatusSeeOther && strings.Contains(location, "/signin")
}

// call sends one request as c, with c's CSRF token or API credential and
// the body given (an empty JSON object or form when none), and returns the
// status, any Location and the start of the body.
func (f *matrixFixture) call(c *caller, method, path, given string) (int, string, string) {
	f.t.Helper()
	var body io.Reader
	api := isAPI(path)
	if method != http.MethodGet && method != http.MethodOptions {
		switch {
		case api && given != "":
			body = strings.NewReader(given)
		case api:
			body = strings.NewReader("{}")
		default:
			form, err := url.ParseQuery(given)
			if err != nil {
				f.t.Fatal(err)
			}
			form.Set(web.CSRFFieldName, c.token(path))
			body = strings.NewReader(form.Encode())
		}
	}
	req, err := http.NewRequest(method, f.srv.URL+path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	switch {
	case body != nil && api:
		req.Header.Set("Content-Type", "application/json")
	case body != nil:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.basicUser != "" {
		req.SetBasicAuth(c.basicUser, c.basicPass)
	}
	res, err := c.http.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	b, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

// token is c's CSRF token for the web part path belongs to.
func (c *caller) token(path string) string {
	for prefix, tok := range c.tokens {
		if strings.HasPrefix(path, prefix) {
			return tok
		}
	}
	return ""
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// fetchTokens loads a page of each web part as c and keeps its CSRF token:
// a signed-in page for c's own part, a public page elsewhere.
func (f *matrixFixture) fetchTokens(c *caller) {
	f.t.Helper()
	pages := map[string]string{
		"/staff/": "/staff/signin", "/portal/": "/portal/signin", "/app/": "/app/signin",
		"/demo/": "/demo/shop", "/report-suspicious": "/report-suspicious",
		"/checkout/": "/checkout/" + f.params["session_id"],
		"/support/":  "/support/contact",
	}
	switch c.audience {
	case "staff":
		pages["/staff/"] = "/staff/my-security"
	case "merchant":
		pages["/portal/"] = "/portal/security"
	case "consumer":
		pages["/app/"] = "/app/security"
	}
	c.tokens = map[string]string{}
	// The hosted checkout lets in a browser that came with the session's
	// client token; it keeps it in a cookie.
	if res, err := c.http.Get(f.srv.URL + pages["/checkout/"] + "?client_token=" + url.QueryEscape(f.clientToken)); err != nil {
		f.t.Fatal(err)
	} else {
		res.Body.Close()
	}
	for prefix, page := range pages {
		res, err := c.http.Get(f.srv.URL + page)
		if err != nil {
			f.t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := csrfField.FindStringSubmatch(string(b))
		if res.StatusCode != http.StatusOK || m == nil {
			f.t.Fatalf("%s: no CSRF token on %s (%d)", c.name, page, res.StatusCode)
		}
		c.tokens[prefix] = html.UnescapeString(m[1])
	}
}

// newMatrixFixture starts Tillit in demo mode (so the demo routes exist)
// with the card network configured, and gives tenant a two captured
// orders, a dispute, a complaint and a card.
func newMatrixFixture(t *testing.T) *matrixFixture {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(storetest.Start)
	a, err := app.New(ctx, app.Config{
		DatabaseURL: storetest.DSN(t), Clock: clk, Logger: logscan.Logger(), Demo: true,
		CardNetworkUsername: matrixNetworkUser, CardNetworkPassword: matrixNetworkPass,
	})
	if err != nil {
		t.Fatal(err)
	}
	logscan.Secret(logscan.Password, matrixNetworkPass)
	logscan.Secret(logscan.Password, matrixPassword)
	f := &matrixFixture{t: t, ctx: ctx, app: a, clk: clk, srv: httptest.NewServer(a.Handler), params: map[string]string{}}
	t.Cleanup(func() {
		f.srv.Close()
		report, err := ledger.Verify(ctx, a.DB)
		if err != nil {
			t.Errorf("ledger verify: %v", err)
		} else if !report.OK() {
			t.Errorf("ledger does not balance: %v", report.Problems)
		}
		a.Close()
	})
	f.shopA, f.credsA = apptest.Merchant(t, a, "Matrix Shop A")
	f.shopB, f.credsB = apptest.Merchant(t, a, "Matrix Shop B")
	disputed := apptest.Order(t, a, f.shopA, "anna.matrix@example.dk")
	other := apptest.Order(t, a, f.shopA, "anna.matrix@example.dk")
	consumerA := apptest.Consumer(t, a, "anna.matrix@example.dk")
	var d dispute.Dispute
	if err := a.DB.Write(ctx, func(tx *store.Tx) (err error) {
		d, err = a.Disputes.Open(tx, consumerA.PersonID, "consumer:"+consumerA.ID, disputed, dispute.NotReceived, "It never came.")
		return err
	}); err != nil {
		t.Fatalf("open dispute: %v", err)
	}
	c, err := a.Complaints.File(ctx, consumerA.PersonID, "consumer:"+consumerA.ID, complaint.Filing{Category: complaint.CategoryOrder, OrderID: other, Text: "The matrix complains."})
	if err != nil {
		t.Fatalf("file complaint: %v", err)
	}
	cd, err := a.Cards.Create(ctx, consumerA.PersonID, card.NewCard{Kind: card.KindVirtual, Amount: 50_000, Currency: "DKK", Locale: "da-DK", PaymentMethod: "pay_later"})
	if err != nil {
		t.Fatalf("create card: %v", err)
	}
	conv, err := a.Support.Open(ctx, consumerA.PersonID, "consumer:"+consumerA.ID, support.Opening{OrderID: other, Message: "Where is my parcel?"})
	if err != nil {
		t.Fatalf("open conversation: %v", err)
	}
	sess, err := a.Checkout.CreateSession(ctx, f.shopA, apptest.OrderData(), "https://tillit.example")
	if err != nil {
		t.Fatal(err)
	}
	f.clientToken = sess.ClientToken
	f.params = map[string]string{
		"order":                                    other,
		"order_id":                                 other,
		"card":                                     cd.ID,
		"session_id":                               sess.SessionID,
		"/portal/orders/{id} id":                   other,
		"/portal/orders/{id}/capture id":           other,
		"/portal/orders/{id}/refund id":            other,
		"/portal/orders/{id}/cancel id":            other,
		"/portal/orders/{id}/release id":           other,
		"/portal/orders/{id}/messages id":          other,
		"/portal/disputes/{id} id":                 d.ID,
		"/portal/disputes/{id}/accept id":          d.ID,
		"/portal/disputes/{id}/contest id":         d.ID,
		"/portal/disputes/{id}/documents/{doc} id": d.ID,
		"/app/disputes/{id} id":                    d.ID,
		"/app/disputes/{id}/information id":        d.ID,
		"/app/complaints/{id} id":                  c.ID,
		"/app/complaints/{id}/information id":      c.ID,
		"/app/complaints/{id}/review id":           c.ID,
		"dispute_id":                               d.ID,

		"/app/support/{id} id":          conv.ID,
		"/app/support/{id}/messages id": conv.ID,
		"/app/support/{id}/person id":   conv.ID,
	}
	return f
}

// browser is an HTTP client that keeps cookies and does not follow
// redirects, with the session cookie set for path.
func (f *matrixFixture) browser(cookie, token, path string) *http.Client {
	f.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		f.t.Fatal(err)
	}
	if cookie != "" {
		u, _ := url.Parse(f.srv.URL + path)
		jar.SetCookies(u, []*http.Cookie{{Name: cookie, Value: token, Path: path}})
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// callers signs in every identity the matrix uses.
func (f *matrixFixture) callers() []*caller {
	f.t.Helper()
	ua, ip := "matrix", "127.0.0.1"
	var out []*caller
	out = append(out, &caller{name: "nobody", http: f.browser("", "", "")})
	for _, role := range account.Roles {
		st, err := f.app.Accounts.CreateStaff(f.ctx, "cli", account.NewStaff{
			Email: "matrix." + string(role) + "@tillit.example", Name: "Matrix " + string(role), Role: role, Password: matrixPassword,
		})
		if err != nil {
			f.t.Fatal(err)
		}
		enrolment, err := f.app.Accounts.StartEnrolment(f.ctx, account.KindStaff, st.ID, "")
		if err != nil {
			f.t.Fatal(err)
		}
		auth := &browsertest.Authenticator{Secret: enrolment.Secret}
		if auth.Recovery, err = f.app.Accounts.ConfirmEnrolment(f.ctx, account.KindStaff, st.ID, auth.Code(f.t, f.clk.Now())); err != nil {
			f.t.Fatal(err)
		}
		begun, err := f.app.Accounts.BeginSignIn(f.ctx, account.KindStaff, st.ID, "", ua, ip)
		if err != nil || begun.Pending == nil {
			f.t.Fatalf("begin sign-in: %+v %v", begun, err)
		}
		done, err := f.app.Accounts.CompleteSignIn(f.ctx, account.KindStaff, begun.Pending.Token, auth.Code(f.t, f.clk.Now()), ua, ip)
		if err != nil || done.Token == "" {
			f.t.Fatalf("complete sign-in: %+v %v", done, err)
		}
		out = append(out, &caller{name: "staff " + string(role), audience: "staff", role: role,
			http: f.browser(backoffice.CookieName, done.Token, backoffice.Prefix)})
	}
	for _, u := range []struct {
		tenant string
		shop   merchant.Merchant
		role   account.MerchantRole
	}{{"a", f.shopA, account.MerchantOwner}, {"a", f.shopA, account.MerchantAdmin}, {"a", f.shopA, account.MerchantViewer}, {"b", f.shopB, account.MerchantOwner}} {
		mu, err := f.app.Accounts.CreateMerchantUser(f.ctx, "cli", account.NewMerchantUser{
			MerchantID: u.shop.ID, Email: fmt.Sprintf("%s.%s@shop.example", u.role, u.tenant), Name: "Matrix " + string(u.role), Role: u.role, Password: matrixPassword,
		})
		if err != nil {
			f.t.Fatal(err)
		}
		token, _, err := f.app.Accounts.StartSession(f.ctx, account.KindMerchant, mu.ID, u.shop.ID, ua, ip)
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, &caller{name: fmt.Sprintf("merchant %s %s", u.tenant, u.role), audience: "merchant", merchantRole: u.role, tenant: u.tenant,
			http: f.browser(portal.SessionCookie, token, portal.Prefix)})
	}
	for _, c := range []struct {
		tenant string
		creds  merchant.Credentials
	}{{"a", f.credsA}, {"b", f.credsB}} {
		out = append(out, &caller{name: "merchant API " + c.tenant, audience: "api", tenant: c.tenant,
			http: f.browser("", "", ""), basicUser: c.creds.Username, basicPass: c.creds.Password})
	}
	for _, c := range []struct{ tenant, email string }{{"a", "anna.matrix@example.dk"}, {"b", "bo.matrix@example.dk"}} {
		consumer := apptest.Consumer(f.t, f.app, c.email)
		token, _, err := f.app.Accounts.StartSession(f.ctx, account.KindConsumer, consumer.ID, "", ua, ip)
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, &caller{name: "consumer " + c.tenant, audience: "consumer", tenant: c.tenant,
			http: f.browser(consumerapp.SessionCookie, token, consumerapp.Prefix)})
	}
	out = append(out, &caller{name: "card network", audience: "network", http: f.browser("", "", ""),
		basicUser: matrixNetworkUser, basicPass: matrixNetworkPass})
	for _, c := range out {
		f.fetchTokens(c)
	}
	return out
}
