package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/tillit/tillit/internal/api"
	"github.com/tillit/tillit/internal/dispute"
)

// loadOpenAPI loads and validates the document the server embeds and serves.
func loadOpenAPI(t testing.TB) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPIDocument)
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	return doc
}

// operations lists the document's operations as "METHOD /path".
func operations(doc *openapi3.T) map[string]*openapi3.Operation {
	out := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			out[strings.ToUpper(method)+" "+path] = op
		}
	}
	return out
}

// omMutation reports whether an operation is an order-management change or
// an answer to a dispute, which take idempotency keys.
func omMutation(route string) bool {
	method, path, _ := strings.Cut(route, " ")
	return (strings.HasPrefix(path, "/ordermanagement/") || strings.HasPrefix(path, "/disputes/")) && (method == http.MethodPost || method == http.MethodPatch)
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := loadOpenAPI(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		t.Errorf("openapi = %q, want 3.0.x", doc.OpenAPI)
	}
	ids := map[string]string{}
	for route, op := range operations(doc) {
		if op.OperationID == "" || op.Summary == "" {
			t.Errorf("%s: operationId and summary are required", route)
		}
		if other, dup := ids[op.OperationID]; dup {
			t.Errorf("%s: operationId %q also used by %s", route, op.OperationID, other)
		}
		ids[op.OperationID] = route
		if op.Security == nil {
			t.Errorf("%s: security must be stated explicitly", route)
		}
		secured := op.Security != nil && len(*op.Security) > 0
		for _, status := range []string{"405", "500"} {
			if op.Responses.Value(status) == nil {
				t.Errorf("%s: response %s is not documented", route, status)
			}
		}
		if got := op.Responses.Value("401") != nil; got != secured {
			t.Errorf("%s: documents 401 = %v, but secured = %v", route, got, secured)
		}
		if op.RequestBody != nil {
			for _, status := range []string{"413", "415"} {
				if op.Responses.Value(status) == nil {
					t.Errorf("%s: reads a body but does not document %s", route, status)
				}
			}
		}
		for status, r := range op.Responses.Map() {
			for _, h := range []string{"Correlation-Id", "Klarna-Correlation-Id"} {
				if hr := r.Value.Headers[h]; hr == nil || !hr.Value.Required {
					t.Errorf("%s %s: required header %s is not documented", route, status, h)
				}
			}
			if code, _ := strconv.Atoi(status); code >= 400 {
				mt := r.Value.Content.Get("application/json")
				if mt == nil || mt.Schema == nil || mt.Schema.Ref != "#/components/schemas/ErrorBody" {
					t.Errorf("%s %s: an error response must be an ErrorBody", route, status)
				}
			}
		}
		if omMutation(route) {
			for _, h := range []string{"Klarna-Idempotency-Key", "Idempotency-Key"} {
				if op.Parameters.GetByInAndName(openapi3.ParameterInHeader, h) == nil {
					t.Errorf("%s: header parameter %s is not documented", route, h)
				}
			}
		}
	}
	// additionalProperties: false would break clients when fields are added.
	seen := map[*openapi3.Schema]bool{}
	var walk func(where string, s *openapi3.SchemaRef)
	walk = func(where string, s *openapi3.SchemaRef) {
		if s == nil || s.Value == nil || seen[s.Value] {
			return
		}
		v := s.Value
		seen[v] = true
		if v.AdditionalProperties.Has != nil && !*v.AdditionalProperties.Has {
			t.Errorf("%s: additionalProperties: false", where)
		}
		for name, p := range v.Properties {
			walk(where+"."+name, p)
		}
		walk(where+"[]", v.Items)
		walk(where+"{}", v.AdditionalProperties.Schema)
		for _, list := range []openapi3.SchemaRefs{v.AllOf, v.AnyOf, v.OneOf} {
			for _, sub := range list {
				walk(where, sub)
			}
		}
	}
	for name, s := range doc.Components.Schemas {
		walk(name, s)
	}
}

// serverRoutes parses server.go and returns the patterns its routes method
// registers, as "METHOD /path".
func serverRoutes(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "server.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	var eval func(e ast.Expr) (string, bool)
	eval = func(e ast.Expr) (string, bool) {
		switch e := e.(type) {
		case *ast.BasicLit:
			if e.Kind != token.STRING {
				return "", false
			}
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		case *ast.Ident:
			s, ok := consts[e.Name]
			return s, ok
		case *ast.ParenExpr:
			return eval(e.X)
		case *ast.BinaryExpr:
			if e.Op != token.ADD {
				return "", false
			}
			l, ok1 := eval(e.X)
			r, ok2 := eval(e.Y)
			return l + r, ok1 && ok2
		}
		return "", false
	}
	var routes []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GenDecl:
			if n.Tok == token.CONST {
				for _, spec := range n.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, name := range vs.Names {
						if i < len(vs.Values) {
							if s, ok := eval(vs.Values[i]); ok {
								consts[name.Name] = s
							}
						}
					}
				}
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "HandleFunc" && sel.Sel.Name != "Handle") || len(n.Args) == 0 {
				return true
			}
			pattern, ok := eval(n.Args[0])
			if !ok {
				t.Errorf("%s: cannot evaluate the route pattern", fset.Position(n.Pos()))
				return true
			}
			method, path, found := strings.Cut(pattern, " ")
			if !found {
				t.Errorf("%s: route %q has no method", fset.Position(n.Pos()), pattern)
				return true
			}
			routes = append(routes, method+" "+path)
		}
		return true
	})
	return routes
}

func TestOpenAPIRoutesMatchServer(t *testing.T) {
	doc := loadOpenAPI(t)
	routes := serverRoutes(t)
	if len(routes) < 20 {
		t.Fatalf("parsed only %d routes from server.go: %v", len(routes), routes)
	}
	documented := operations(doc)
	registered := map[string]bool{}
	for _, r := range routes {
		registered[r] = true
		if documented[r] == nil {
			t.Errorf("route %s is registered in server.go but not documented in openapi.json", r)
		}
	}
	for r := range documented {
		if !registered[r] {
			t.Errorf("operation %s is documented in openapi.json but not registered in server.go", r)
		}
	}
}

// contract checks real requests and responses against the document.
type contract struct {
	t      *testing.T
	doc    *openapi3.T
	router routers.Router
	// hits records, per operationId, the statuses seen.
	hits map[string]map[int]bool
}

func newContract(t *testing.T) *contract {
	t.Helper()
	doc := loadOpenAPI(t)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &contract{t: t, doc: doc, router: router, hits: map[string]map[int]bool{}}
}

// uuidFormat checks format: uuid (the ids are UUIDv7, so RFC 9562).
var uuidFormat = openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562))

// authenticate checks that a request carries the credential kind the
// operation's security scheme documents.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	switch in.SecurityScheme.Scheme {
	case "basic":
		if !strings.HasPrefix(h, "Basic ") {
			return errors.New("no Basic credentials")
		}
	case "bearer":
		if !strings.HasPrefix(h, "Bearer ") {
			return errors.New("no Bearer token")
		}
	default:
		return fmt.Errorf("unexpected scheme %q", in.SecurityScheme.Scheme)
	}
	return nil
}

// do sends a well-formed request and checks both it and its response against
// the document.
func (c *contract) do(e *env, req request) resp {
	c.t.Helper()
	r := e.do(req)
	c.check(req, r, true)
	return r
}

// doBad sends a request meant to fail and checks only its response (the
// request itself may break the document on purpose).
func (c *contract) doBad(e *env, req request) resp {
	c.t.Helper()
	r := e.do(req)
	c.check(req, r, false)
	return r
}

// requestBody encodes a request's body the way env.do does.
func requestBody(t testing.TB, body any) []byte {
	switch b := body.(type) {
	case nil:
		return nil
	case []byte:
		return b
	case string:
		return []byte(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
}

func (c *contract) check(req request, r resp, validateRequest bool) {
	c.t.Helper()
	ctx := context.Background()
	body := requestBody(c.t, req.body)
	newReq := func(method string) *http.Request {
		hr := r.Request.Clone(ctx)
		hr.Method = method
		hr.Body = io.NopCloser(bytes.NewReader(body))
		hr.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		hr.ContentLength = int64(len(body))
		return hr
	}
	name := fmt.Sprintf("%s %s -> %d", req.method, req.path, r.StatusCode)
	httpReq := newReq(req.method)
	route, params, err := c.router.FindRoute(httpReq)
	if errors.Is(err, routers.ErrMethodNotAllowed) && r.StatusCode == http.StatusMethodNotAllowed {
		// The operation does not exist for this method; the 405 is
		// documented on the path's operations, each of which Allow names.
		allow := strings.Split(r.Header.Get("Allow"), ", ")
		for _, m := range allow {
			if m == http.MethodHead {
				continue // HEAD is GET without a body, as the document's description says
			}
			if _, _, err := c.router.FindRoute(newReq(m)); err != nil {
				c.t.Errorf("%s: Allow names %s, which the document does not have for this path: %v", name, m, err)
			}
		}
		validateRequest = false
		httpReq = newReq(allow[0])
		route, params, err = c.router.FindRoute(httpReq)
	}
	if err != nil {
		c.t.Errorf("%s: no documented operation: %v", name, err)
		return
	}
	if c.hits[route.Operation.OperationID] == nil {
		c.hits[route.Operation.OperationID] = map[int]bool{}
	}
	c.hits[route.Operation.OperationID][r.StatusCode] = true

	opts := &openapi3filter.Options{
		AuthenticationFunc:      authenticate,
		IncludeResponseStatus:   true,
		MultiError:              true,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{uuidFormat},
	}
	in := &openapi3filter.RequestValidationInput{Request: httpReq, PathParams: params, Route: route, Options: opts}
	if validateRequest {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			c.t.Errorf("%s: request does not match the document: %v", name, err)
		}
		httpReq.Body = io.NopCloser(bytes.NewReader(body))
	}

	ropts := *opts
	ct := r.Header.Get("Content-Type")
	if media, _, _ := mime.ParseMediaType(ct); ct != "" && media != "application/json" {
		// Only JSON bodies are checked against schemas; others must
		// have a documented media type.
		ropts.ExcludeResponseBody = true
		if doc := route.Operation.Responses.Status(r.StatusCode); doc != nil && doc.Value.Content.Get(media) == nil {
			c.t.Errorf("%s: content type %q is not documented", name, ct)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.StatusCode, Header: r.Header, Options: &ropts}
	out.SetBodyBytes(r.Body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		c.t.Errorf("%s: response does not match the document: %v\nbody: %.2000s", name, err, r.Body)
	}
}

// om is the path of an order's sub-resource.
func om(orderID, rest string) string { return "/ordermanagement/v1/orders/" + orderID + rest }

func TestOpenAPIDescribesSuccessfulFlow(t *testing.T) {
	c := newContract(t)
	rec := newReceiver(t)
	e := newEnv(t)
	e.merchant = e.newMerchant(merchantWithURL(rec.url()))

	// Payments and the consumer side.
	var created struct {
		SessionID   string `json:"session_id"`
		ClientToken string `json:"client_token"`
	}
	c.do(e, request{method: "POST", path: "/payments/v1/sessions", body: sampleOrder()}).expect(t, 200).json(t, &created)
	sid, ct := created.SessionID, created.ClientToken
	c.do(e, request{method: "GET", path: "/payments/v1/sessions/" + sid}).expect(t, 200)
	c.do(e, request{method: "POST", path: "/payments/v1/sessions/" + sid, body: map[string]any{"merchant_reference2": "cart-7"}}).expect(t, 204)
	c.do(e, request{method: "POST", path: "/checkout/v1/sessions/" + sid + "/otp", bearer: ct, body: map[string]any{"email": "anna@example.dk"}}).expect(t, 204)
	var auth struct {
		AuthorizationToken string `json:"authorization_token"`
	}
	c.do(e, request{method: "POST", path: "/checkout/v1/sessions/" + sid + "/authorize", bearer: ct, body: consumer("anna@example.dk")}).expect(t, 200).json(t, &auth)
	c.do(e, request{method: "GET", path: "/payments/v1/sessions/" + sid}).expect(t, 200)
	var placed struct {
		OrderID string `json:"order_id"`
	}
	c.do(e, request{method: "POST", path: "/payments/v1/authorizations/" + auth.AuthorizationToken + "/order", body: sampleOrder()}).expect(t, 200).json(t, &placed)
	orderID := placed.OrderID
	c.do(e, request{method: "GET", path: om(orderID, "")}).expect(t, 200)

	// Captures, with an idempotent replay.
	key := map[string]string{"Klarna-Idempotency-Key": "5f0d6a8e-2b1c-4c7e-9f3a-1d2e3f4a5b6c"}
	capture := map[string]any{"captured_amount": 100000, "description": "First parcel", "reference": "CAP-1",
		"order_lines":   sampleOrder()["order_lines"].([]map[string]any)[:1],
		"shipping_info": []map[string]any{{"shipping_company": "PostNord", "tracking_number": "00370712345678901234", "tracking_uri": "https://track.example/1"}}}
	first := c.do(e, request{method: "POST", path: om(orderID, "/captures"), body: capture, headers: key}).expect(t, 201)
	replay := c.do(e, request{method: "POST", path: om(orderID, "/captures"), body: capture, headers: key}).expect(t, 201)
	if replay.Header.Get("Idempotent-Replayed") != "true" || replay.Header.Get("Capture-Id") != first.Header.Get("Capture-Id") {
		t.Fatalf("replay headers %v", replay.Header)
	}
	captureID := first.Header.Get("Capture-Id")
	c.do(e, request{method: "GET", path: om(orderID, "/captures")}).expect(t, 200)
	c.do(e, request{method: "GET", path: om(orderID, "/captures/"+captureID)}).expect(t, 200)
	c.do(e, request{method: "POST", path: om(orderID, "/captures/"+captureID+"/shipping-info"), headers: map[string]string{"Idempotency-Key": "ship-1"},
		body: map[string]any{"shipping_info": []map[string]any{{"shipping_company": "GLS", "tracking_number": "123"}}}}).expect(t, 204)

	// Refunds.
	refund := map[string]any{"refunded_amount": 30000, "description": "Returned boots", "reference": "RET-1",
		"order_lines": []map[string]any{{"type": "physical", "name": "Boots", "quantity": 1, "unit_price": 30000, "tax_rate": 2500,
			"total_amount": 30000, "total_discount_amount": 0, "total_tax_amount": 6000}}}
	ref := c.do(e, request{method: "POST", path: om(orderID, "/refunds"), body: refund}).expect(t, 201)
	c.do(e, request{method: "GET", path: om(orderID, "/refunds/"+ref.Header.Get("Refund-Id"))}).expect(t, 200)

	// The other order-management changes.
	c.do(e, request{method: "POST", path: om(orderID, "/acknowledge")}).expect(t, 204)
	c.do(e, request{method: "POST", path: om(orderID, "/extend-authorization-time"), body: map[string]any{}}).expect(t, 204)
	c.do(e, request{method: "POST", path: om(orderID, "/shipping-info"),
		body: map[string]any{"shipping_info": []map[string]any{{"shipping_company": "DHL", "shipping_method": "Home", "tracking_number": "JD0001"}}}}).expect(t, 204)
	c.do(e, request{method: "PATCH", path: om(orderID, "/merchant-references"), body: map[string]any{"merchant_reference1": "ORDER-1001-B", "merchant_reference2": ""}}).expect(t, 204)
	c.do(e, request{method: "POST", path: om(orderID, "/release-remaining-authorization")}).expect(t, 204)
	var o map[string]any
	c.do(e, request{method: "GET", path: om(orderID, "")}).expect(t, 200).json(t, &o)
	if o["status"] != "CAPTURED" || len(o["captures"].([]any)) != 1 || len(o["refunds"].([]any)) != 1 {
		t.Fatalf("final order = %v", o)
	}

	// Cancel another order, and an unused authorization.
	c.do(e, request{method: "POST", path: om(e.placeOrder("anna@example.dk"), "/cancel")}).expect(t, 204)
	sid2, ct2 := e.session(sampleOrder())
	token2 := e.authorize(sid2, ct2, consumer("anna@example.dk"))["authorization_token"].(string)
	c.do(e, request{method: "DELETE", path: "/payments/v1/authorizations/" + token2}).expect(t, 204)

	// A rejected authorization answers 200 without a token.
	sid3, ct3 := e.session(sampleOrder())
	c.do(e, request{method: "POST", path: "/checkout/v1/sessions/" + sid3 + "/authorize", bearer: ct3, body: consumer("anna+denied@example.dk")}).expect(t, 200)

	// A pending order is accepted after review, which is notified.
	pending := e.placeOrder("anna+pending-accepted@example.dk")
	e.clk.Advance(5 * time.Minute)
	e.runJobs()
	e.runJobs()
	var log struct {
		Deliveries []map[string]any `json:"deliveries"`
	}
	c.do(e, request{method: "GET", path: "/notifications/v1/deliveries?order_id=" + pending + "&limit=10"}).expect(t, 200).json(t, &log)
	if len(log.Deliveries) != 1 || log.Deliveries[0]["status"] != "delivered" || len(log.Deliveries[0]["attempts"].([]any)) != 1 {
		t.Fatalf("delivery log = %v", log)
	}
	c.do(e, request{method: "GET", path: "/notifications/v1/deliveries"}).expect(t, 200)

	// Stop requests: one answered shipped, one stopped in time whose
	// invoice the shop's own system removes and then confirms.
	shipped, removed := e.placeOrder("anna@example.dk"), e.placeOrder("anna@example.dk")
	for _, id := range []string{shipped, removed} {
		if err := e.app.Checkout.DecideFraudStatus(context.Background(), "operator:ana", id, "STOPPED", "linked to confirmed fraud"); err != nil {
			t.Fatal(err)
		}
	}
	var stops struct {
		StopRequests []struct {
			ID      string `json:"stop_request_id"`
			OrderID string `json:"order_id"`
		} `json:"stop_requests"`
	}
	c.do(e, request{method: "GET", path: "/fraud/v1/stop-requests"}).expect(t, 200).json(t, &stops)
	stopOf := map[string]string{}
	for _, s := range stops.StopRequests {
		stopOf[s.OrderID] = s.ID
	}
	c.do(e, request{method: "GET", path: "/fraud/v1/stop-requests/" + stopOf[shipped]}).expect(t, 200)
	c.do(e, request{method: "POST", path: "/fraud/v1/stop-requests/" + stopOf[shipped] + "/answer",
		body: map[string]any{"answer": "shipped", "carrier": "PostNord", "tracking_number": "RR123456785DK", "picked_up": "no"}}).expect(t, 200)
	c.do(e, request{method: "POST", path: "/fraud/v1/stop-requests/" + stopOf[removed] + "/answer",
		body: map[string]any{"answer": "not_shipped", "invoice_removal": "merchant"}}).expect(t, 200)
	c.do(e, request{method: "POST", path: om(removed, "/cancel")}).expect(t, 204)
	c.do(e, request{method: "POST", path: "/fraud/v1/stop-requests/" + stopOf[removed] + "/confirm-removal"}).expect(t, 200)

	// Disputes: one contested with a document, one accepted.
	contested := e.openDispute(e.capturedOrder(), dispute.NotReceived)
	accepted := e.openDispute(e.capturedOrder(), dispute.NotAsDescribed)
	c.do(e, request{method: "GET", path: "/disputes/v1/disputes?status=awaiting_merchant&size=1"}).expect(t, 200)
	c.do(e, request{method: "GET", path: dp(contested.ID, "")}).expect(t, 200)
	c.do(e, request{method: "POST", path: dp(contested.ID, "/contest"), headers: map[string]string{"Klarna-Idempotency-Key": "contest-1"},
		body: map[string]any{"version": contested.Version, "description": "Delivered to the parcel shop", "carrier": "GLS", "tracking_number": "GLS-1234",
			"documents": documents(map[string][]byte{"receipt.pdf": disputePDF})}}).expect(t, 200)
	c.do(e, request{method: "GET", path: dp(contested.ID, "")}).expect(t, 200)
	c.do(e, request{method: "POST", path: dp(accepted.ID, "/accept"), body: map[string]any{"version": accepted.Version, "resolution": "refund", "amount": 1000}}).expect(t, 200)
	c.do(e, request{method: "GET", path: "/disputes/v1/disputes?offset=1&size=1"}).expect(t, 200)

	// Returns: a consumer's return, listed and marked received.
	returned, rt := e.returnedOrder()
	c.do(e, request{method: "GET", path: om(returned, "/returns")}).expect(t, 200)
	c.do(e, request{method: "POST", path: om(returned, "/returns/"+rt.ID+"/received"), body: map[string]any{"version": rt.Version}}).expect(t, 200)

	// Cards: the network's authorization of a card Tillit did not issue
	// answers 200, declined.
	c.do(e, request{method: "POST", path: "/cards/v1/authorizations", user: cardNetworkUser, pass: cardNetworkPass,
		body: map[string]any{"amount": 1000, "currency": "DKK", "merchant_name": "Boots & Co", "merchant_category_code": "5661",
			"card_number": "9990000000000009", "expiry_month": 12, "expiry_year": 2030, "cvv": "123", "network_reference": "net-1"}}).expect(t, 200)

	// Operations.
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/openapi.json", "/assets/payment-methods/pay_later.svg"} {
		c.do(e, request{method: "GET", path: path, noAuth: true}).expect(t, 200)
	}

	// Every documented operation answered successfully at least once.
	for route, op := range operations(c.doc) {
		ok := false
		for status := range c.hits[op.OperationID] {
			ok = ok || status < 300
		}
		if !ok {
			t.Errorf("%s (%s) was not exercised successfully", route, op.OperationID)
		}
	}
}

func TestOpenAPIDescribesErrors(t *testing.T) {
	c := newContract(t)
	e := newEnv(t)
	orderID := e.placeOrder("anna@example.dk")
	unknown := "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	wantCode := func(r resp, status int, code string) {
		t.Helper()
		r.expect(t, status)
		if got := r.errorCode(t); got != code {
			t.Errorf("%s %s: error_code %s, want %s", r.Request.Method, r.Request.URL.Path, got, code)
		}
	}

	// 401: merchant and consumer credentials.
	wantCode(c.doBad(e, request{method: "GET", path: om(orderID, ""), noAuth: true}), 401, "UNAUTHORIZED")
	wantCode(c.doBad(e, request{method: "POST", path: "/payments/v1/sessions", body: sampleOrder(), user: "nobody", pass: "x"}), 401, "UNAUTHORIZED")
	sid, ct := e.session(sampleOrder())
	wantCode(c.doBad(e, request{method: "POST", path: "/checkout/v1/sessions/" + sid + "/authorize", bearer: "ct1.wrong", body: consumer("anna@example.dk")}), 401, "UNAUTHORIZED")
	wantCode(c.doBad(e, request{method: "POST", path: "/checkout/v1/sessions/" + sid + "/otp", noAuth: true, body: map[string]any{"email": "anna@example.dk"}}), 401, "UNAUTHORIZED")

	// 404s.
	wantCode(c.doBad(e, request{method: "GET", path: om(unknown, "")}), 404, "NO_SUCH_ORDER")
	wantCode(c.doBad(e, request{method: "GET", path: om("not-an-id", "")}), 404, "NO_SUCH_ORDER")
	wantCode(c.doBad(e, request{method: "POST", path: om(unknown, "/captures"), body: map[string]any{"captured_amount": 1}}), 404, "NO_SUCH_ORDER")
	wantCode(c.doBad(e, request{method: "GET", path: om(orderID, "/captures/"+unknown)}), 404, "NO_SUCH_CAPTURE")
	wantCode(c.doBad(e, request{method: "GET", path: om(orderID, "/refunds/"+unknown)}), 404, "NO_SUCH_REFUND")
	wantCode(c.doBad(e, request{method: "GET", path: "/payments/v1/sessions/" + unknown}), 404, "NO_SUCH_SESSION")
	wantCode(c.doBad(e, request{method: "POST", path: "/payments/v1/authorizations/" + unknown + "/order", body: sampleOrder()}), 404, "NO_SUCH_AUTHORIZATION")
	wantCode(c.doBad(e, request{method: "DELETE", path: "/payments/v1/authorizations/" + unknown}), 404, "NO_SUCH_AUTHORIZATION")
	wantCode(c.doBad(e, request{method: "GET", path: "/assets/payment-methods/nope.svg", noAuth: true}), 404, "NOT_FOUND")

	// 400 BAD_VALUE.
	bad := sampleOrder()
	bad["order_amount"] = 125001
	wantCode(c.doBad(e, request{method: "POST", path: "/payments/v1/sessions", body: bad}), 400, "BAD_VALUE")
	wantCode(c.doBad(e, request{method: "POST", path: "/payments/v1/sessions", body: `{"order_amount": "12"}`}), 400, "BAD_VALUE")
	wantCode(c.doBad(e, request{method: "POST", path: om(orderID, "/captures"), body: map[string]any{"captured_amount": 0}}), 400, "BAD_VALUE")
	wantCode(c.doBad(e, request{method: "POST", path: om(orderID, "/cancel"), body: "[]"}), 400, "BAD_VALUE")
	wantCode(c.doBad(e, request{method: "POST", path: om(orderID, "/acknowledge"), headers: map[string]string{"Klarna-Idempotency-Key": strings.Repeat("k", 256)}}), 400, "BAD_VALUE")
	wantCode(c.doBad(e, request{method: "GET", path: "/notifications/v1/deliveries?limit=0"}), 400, "BAD_VALUE")
	wantCode(c.doBad(e, request{method: "POST", path: "/checkout/v1/sessions/" + sid + "/otp", bearer: ct, body: map[string]any{"email": "not an address"}}), 400, "BAD_VALUE")

	// 403s.
	wantCode(c.doBad(e, request{method: "POST", path: om(orderID, "/captures"), body: map[string]any{"captured_amount": 125001}}), 403, "CAPTURE_NOT_ALLOWED")
	wantCode(c.doBad(e, request{method: "POST", path: om(orderID, "/refunds"), body: map[string]any{"refunded_amount": 1}}), 403, "REFUND_NOT_ALLOWED")
	wantCode(c.doBad(e, request{method: "POST", path: om(orderID, "/release-remaining-authorization")}), 403, "NOT_ALLOWED")
	wrongOTP := consumer("anna@example.dk")
	wrongOTP["otp"] = "000000"
	wantCode(c.doBad(e, request{method: "POST", path: "/checkout/v1/sessions/" + sid + "/authorize", bearer: ct, body: wrongOTP}), 403, "INVALID_OTP")
	token := e.authorize(sid, ct, consumer("anna@example.dk"))["authorization_token"].(string)
	wantCode(c.doBad(e, request{method: "POST", path: "/payments/v1/sessions/" + sid, body: map[string]any{"merchant_reference2": "late"}}), 403, "NOT_ALLOWED")
	wantCode(c.doBad(e, request{method: "POST", path: "/checkout/v1/sessions/" + sid + "/authorize", bearer: ct, body: consumer("anna@example.dk")}), 403, "NOT_ALLOWED")
	more := sampleOrder() // twice the authorized amount
	lines := sampleOrder()["order_lines"].([]map[string]any)
	more["order_lines"], more["order_amount"], more["order_tax_amount"] = append(lines, lines...), 250000, 50000
	wantCode(c.doBad(e, request{method: "POST", path: "/payments/v1/authorizations/" + token + "/order", body: more}), 403, "NOT_ALLOWED")
	e.do(request{method: "POST", path: om(orderID, "/captures"), body: map[string]any{"captured_amount": 1000}}).expect(t, 201)
	wantCode(c.doBad(e, request{method: "POST", path: om(orderID, "/cancel")}), 403, "CANCEL_NOT_ALLOWED")

	// 409s.
	e.do(request{method: "POST", path: "/payments/v1/authorizations/" + token + "/order", body: sampleOrder()}).expect(t, 200)
	wantCode(c.doBad(e, request{method: "POST", path: "/payments/v1/authorizations/" + token + "/order", body: sampleOrder()}), 409, "AUTHORIZATION_ALREADY_USED")
	wantCode(c.doBad(e, request{method: "DELETE", path: "/payments/v1/authorizations/" + token}), 409, "AUTHORIZATION_ALREADY_USED")
	key := map[string]string{"Klarna-Idempotency-Key": "reused-key"}
	e.do(request{method: "POST", path: om(orderID, "/captures"), body: map[string]any{"captured_amount": 100}, headers: key}).expect(t, 201)
	wantCode(c.doBad(e, request{method: "POST", path: om(orderID, "/captures"), body: map[string]any{"captured_amount": 200}, headers: key}), 409, "IDEMPOTENCY_KEY_REUSED")

	// 405s.
	for _, req := range []request{
		{method: "PUT", path: om(orderID, "")},
		{method: "DELETE", path: "/payments/v1/sessions"},
		{method: "GET", path: "/payments/v1/authorizations/" + token},
		{method: "POST", path: "/healthz", noAuth: true},
	} {
		r := c.doBad(e, req)
		wantCode(r, 405, "METHOD_NOT_ALLOWED")
		if r.Header.Get("Allow") == "" {
			t.Errorf("%s %s: 405 without Allow", req.method, req.path)
		}
	}

	// 413 and 415.
	huge := `{"merchant_data":"` + strings.Repeat("x", api.MaxBodyBytes) + `"}`
	wantCode(c.doBad(e, request{method: "POST", path: "/payments/v1/sessions", body: huge}), 413, "REQUEST_TOO_LARGE")
	wantCode(c.doBad(e, request{method: "POST", path: om(orderID, "/captures"), body: `{"captured_amount": 1}`, headers: map[string]string{"Content-Type": "text/plain"}}), 415, "UNSUPPORTED_MEDIA_TYPE")

	// Disputes: unknown, stale, malformed, too large.
	disputed := e.openDispute(e.capturedOrder(), dispute.NotReceived)
	wantCode(c.doBad(e, request{method: "GET", path: dp(unknown, "")}), 404, "NOT_FOUND")
	wantCode(c.doBad(e, request{method: "POST", path: dp(unknown, "/accept"), body: map[string]any{"version": 1, "resolution": "refund"}}), 404, "NOT_FOUND")
	wantCode(c.doBad(e, request{method: "GET", path: "/disputes/v1/disputes?size=0"}), 400, "BAD_VALUE")
	wantCode(c.doBad(e, request{method: "POST", path: dp(disputed.ID, "/accept"), body: map[string]any{"version": disputed.Version + 1, "resolution": "refund"}}), 409, dispute.CodeChanged)
	wantCode(c.doBad(e, request{method: "POST", path: dp(disputed.ID, "/accept"), body: map[string]any{"version": disputed.Version, "resolution": "cancel"}}), 403, "CANCEL_NOT_ALLOWED")
	wantCode(c.doBad(e, request{method: "POST", path: dp(disputed.ID, "/contest"), body: map[string]any{"version": disputed.Version}}), 400, "BAD_VALUE")
	wantCode(c.doBad(e, request{method: "POST", path: dp(disputed.ID, "/accept"), body: huge}), 413, "REQUEST_TOO_LARGE")
	wantCode(c.doBad(e, request{method: "POST", path: dp(disputed.ID, "/contest"), body: `{}`, headers: map[string]string{"Content-Type": "text/plain"}}), 415, "UNSUPPORTED_MEDIA_TYPE")

	// 410: sessions expire after 48 hours.
	sid2, ct2 := e.session(sampleOrder())
	e.clk.Advance(49 * time.Hour)
	wantCode(c.doBad(e, request{method: "POST", path: "/payments/v1/sessions/" + sid2, body: map[string]any{"merchant_reference2": "x"}}), 410, "SESSION_EXPIRED")
	wantCode(c.doBad(e, request{method: "POST", path: "/checkout/v1/sessions/" + sid2 + "/authorize", bearer: ct2, body: consumer("anna@example.dk")}), 410, "SESSION_EXPIRED")

	var statuses []string
	for id, seen := range c.hits {
		for s := range seen {
			statuses = append(statuses, fmt.Sprintf("%s:%d", id, s))
		}
	}
	sort.Strings(statuses)
	for _, want := range []int{400, 401, 403, 404, 405, 409, 410, 413, 415} {
		if !slices.ContainsFunc(statuses, func(s string) bool { return strings.HasSuffix(s, ":"+strconv.Itoa(want)) }) {
			t.Errorf("no %d response was checked; checked %v", want, statuses)
		}
	}
}
