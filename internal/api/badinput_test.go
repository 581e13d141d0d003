package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/api"
	"github.com/tillit/tillit/internal/money"
	"github.com/tillit/tillit/internal/store"
)

// This file sends every endpoint bad input and checks that each request is
// refused with a 4xx in the public error shape, with the right error_code,
// naming the offending field, and that nothing at all was written.

// biTables are the tables the no-write check must at least cover; the
// snapshot reads every table the database has.
var biTables = []string{
	"payment_sessions", "authorizations", "orders", "captures", "refunds", "idempotency_keys",
	"ledger_journals", "ledger_entries", "jobs", "webhook_events", "webhook_attempts",
	"outbox_messages", "otp_challenges", "merchants", "merchant_credentials",
}

// biSnapshot is the full content of every table, rows rendered and sorted.
type biSnapshot map[string][]string

func biSnap(t testing.TB, db *store.DB) biSnapshot {
	t.Helper()
	snap := biSnapshot{}
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
		if tx.Dialect == store.Postgres {
			q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
		}
		rows, err := tx.Query(q)
		if err != nil {
			return err
		}
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			names = append(names, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, name := range names {
			if err := biDumpTable(tx, name, snap); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	for _, name := range biTables {
		if _, ok := snap[name]; !ok {
			t.Fatalf("snapshot lacks table %s (has %d tables)", name, len(snap))
		}
	}
	return snap
}

func biDumpTable(tx *store.Tx, name string, snap biSnapshot) error {
	rows, err := tx.Query(`SELECT * FROM "` + name + `"`)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	out := []string{}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		var b strings.Builder
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
				fmt.Fprintf(&b, "%s=NULL;", cols[i])
			case []byte:
				fmt.Fprintf(&b, "%s=%q;", cols[i], v)
			default:
				fmt.Fprintf(&b, "%s=%v;", cols[i], v)
			}
		}
		out = append(out, b.String())
	}
	sort.Strings(out)
	snap[name] = out
	return rows.Err()
}

// diff describes what changed between two snapshots, or "".
func (s biSnapshot) diff(after biSnapshot) string {
	var b strings.Builder
	names := map[string]bool{}
	for n := range s {
		names[n] = true
	}
	for n := range after {
		names[n] = true
	}
	for n := range names {
		x, y := s[n], after[n]
		if strings.Join(x, "\n") == strings.Join(y, "\n") {
			continue
		}
		fmt.Fprintf(&b, "\n  %s: %d rows before, %d after", n, len(x), len(y))
		for i := 0; i < max(len(x), len(y)); i++ {
			var xi, yi string
			if i < len(x) {
				xi = x[i]
			}
			if i < len(y) {
				yi = y[i]
			}
			if xi != yi {
				fmt.Fprintf(&b, "\n    before: %.300s\n    after:  %.300s", xi, yi)
				break
			}
		}
	}
	return b.String()
}

// biCase is one bad request and how it must be refused.
type biCase struct {
	name   string
	req    request
	status int
	code   string
	field  string // BAD_VALUE: the message must be "Bad value: <field> ..."
	msg    string // otherwise: a part of the message, when set
	allow  string // 405: the Allow header
}

// biRun sends every case as a subtest and checks its refusal, that no table
// changed, and that the watched orders read the same before and after.
func (e *env) biRun(t *testing.T, cases []biCase, watch ...string) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("duplicate case name %q", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			se := *e
			se.t = t
			before := biSnap(t, e.app.DB)
			orders := se.biOrders(watch)
			r := se.do(c.req)
			if r.StatusCode != c.status {
				t.Fatalf("%s %s: status %d, want %d; body %.500s", c.req.method, c.req.path, r.StatusCode, c.status, r.Body)
			}
			if r.StatusCode < 400 || r.StatusCode > 499 {
				t.Fatalf("case must expect a 4xx, not %d", r.StatusCode)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type %q", ct)
			}
			code := r.errorCode(t)
			var body api.ErrorBody
			r.json(t, &body)
			if code != c.code || len(body.ErrorMessages) != 1 {
				t.Fatalf("error %s %q, want %s", code, body.ErrorMessages, c.code)
			}
			msg := body.ErrorMessages[0]
			if c.field != "" && !strings.HasPrefix(msg, "Bad value: "+c.field+" ") {
				t.Fatalf("message %q does not name %s", msg, c.field)
			}
			if c.code == "BAD_VALUE" && c.field == "" && c.msg == "" {
				t.Fatal("a BAD_VALUE case must say which field or message it expects")
			}
			if c.msg != "" && !strings.Contains(msg, c.msg) {
				t.Fatalf("message %q lacks %q", msg, c.msg)
			}
			if len(msg) > 300 {
				t.Fatalf("message of %d bytes echoes too much: %.100s...", len(msg), msg)
			}
			if c.status == http.StatusMethodNotAllowed && r.Header.Get("Allow") != c.allow {
				t.Fatalf("Allow %q, want %q", r.Header.Get("Allow"), c.allow)
			}
			if c.status == http.StatusUnauthorized && r.Header.Get("WWW-Authenticate") == "" {
				t.Fatal("401 without WWW-Authenticate")
			}
			if d := before.diff(biSnap(t, e.app.DB)); d != "" {
				t.Fatalf("a refused request changed the database:%s", d)
			}
			if after := se.biOrders(watch); !biEqual(orders, after) {
				t.Fatalf("a refused request changed an order:\n%v\n%v", orders, after)
			}
		})
	}
}

func biEqual(a, b []string) bool {
	return strings.Join(a, "\x00") == strings.Join(b, "\x00")
}

// biOrders reads the given orders as the merchant sees them.
func (e *env) biOrders(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(e.do(request{method: "GET", path: "/ordermanagement/v1/orders/" + id}).expect(e.t, 200).Body)
	}
	return out
}

// biLine returns line i of an order made by sampleOrder.
func biLine(o map[string]any, i int) map[string]any { return o["order_lines"].([]map[string]any)[i] }

// biLines returns n one-unit lines of 1.00 without tax, and their total.
func biLines(n int) ([]map[string]any, int) {
	lines := make([]map[string]any, n)
	for i := range lines {
		lines[i] = map[string]any{"type": "physical", "name": fmt.Sprintf("Item %d", i), "quantity": 1, "unit_price": 100,
			"tax_rate": 0, "total_amount": 100, "total_discount_amount": 0, "total_tax_amount": 0}
	}
	return lines, 100 * n
}

// biOrderMutation is a way to spoil a purchase, and the field it spoils.
type biOrderMutation struct {
	name, field string
	mutate      func(o map[string]any)
}

func biSet(key string, v any) func(map[string]any) { return func(o map[string]any) { o[key] = v } }

func biSetLine(i int, key string, v any) func(map[string]any) {
	return func(o map[string]any) { biLine(o, i)[key] = v }
}

// biOrderMutations spoil sampleOrder in every way Validate and the decoder
// must refuse.
func biOrderMutations() []biOrderMutation {
	huge := json.Number("9223372036854775808")
	return []biOrderMutation{
		// Codes.
		{"country three letters", "purchase_country", biSet("purchase_country", "DNK")},
		{"country unknown", "purchase_country", biSet("purchase_country", "ZZ")},
		{"country empty", "purchase_country", biSet("purchase_country", "")},
		{"country number", "purchase_country", biSet("purchase_country", 45)},
		{"currency XXX", "purchase_currency", biSet("purchase_currency", "XXX")},
		{"currency not used in country", "purchase_currency", biSet("purchase_currency", "EUR")},
		{"currency object", "purchase_currency", biSet("purchase_currency", map[string]any{"code": "DKK"})},
		{"locale word", "locale", biSet("locale", "english")},
		{"locale underscore", "locale", biSet("locale", "da_DK")},
		{"locale long region", "locale", biSet("locale", "da-DKK")},
		{"locale language only", "locale", biSet("locale", "da")},
		{"locale empty", "locale", biSet("locale", "")},
		{"locale array", "locale", biSet("locale", []string{"da-DK"})},
		// Order amounts.
		{"order_amount string", "order_amount", biSet("order_amount", "125000")},
		{"order_amount float", "order_amount", biSet("order_amount", 1250.5)},
		{"order_amount beyond int64", "order_amount", biSet("order_amount", huge)},
		{"order_amount below int64", "order_amount", biSet("order_amount", json.Number("-9223372036854775809"))},
		{"order_amount 1e30", "order_amount", biSet("order_amount", json.Number("1e30"))},
		{"order_amount bool", "order_amount", biSet("order_amount", true)},
		{"order_amount negative", "order_amount", biSet("order_amount", -125000)},
		{"order_amount zero", "order_amount", biSet("order_amount", 0)},
		{"order_amount above MaxAmount", "order_amount", biSet("order_amount", money.MaxAmount+1)},
		{"order_amount not the sum", "order_amount", biSet("order_amount", 125001)},
		{"order_tax_amount negative", "order_tax_amount", biSet("order_tax_amount", -1)},
		{"order_tax_amount above order_amount", "order_tax_amount", biSet("order_tax_amount", 125001)},
		{"order_tax_amount not the sum", "order_tax_amount", biSet("order_tax_amount", 24999)},
		{"order_tax_amount float", "order_tax_amount", biSet("order_tax_amount", 250.25)},
		// The lines as a whole.
		{"order_lines object", "order_lines", biSet("order_lines", map[string]any{"0": biLine(sampleOrder(), 0)})},
		{"order_lines string", "order_lines", biSet("order_lines", "lines")},
		{"order_lines of numbers", "order_lines", biSet("order_lines", []int{1, 2})},
		{"order_lines null", "order_lines", biSet("order_lines", nil)},
		{"order_lines empty", "order_lines", biSet("order_lines", []any{})},
		{"order_lines 1001", "order_lines", func(o map[string]any) {
			lines, total := biLines(1001)
			o["order_lines"], o["order_amount"], o["order_tax_amount"] = lines, total, 0
		}},
		// Each line rule.
		{"line total wrong", "order_lines[0].total_amount", func(o map[string]any) {
			biLine(o, 0)["total_amount"] = 100001
			o["order_amount"] = 125001
		}},
		{"line tax off by 2", "order_lines[0].total_tax_amount", func(o map[string]any) {
			biLine(o, 0)["total_tax_amount"] = 20002
			o["order_tax_amount"] = 25002
		}},
		{"line discount ignored", "order_lines[1].total_amount", biSetLine(1, "total_discount_amount", 0)},
		{"line quantity negative", "order_lines[0].quantity", biSetLine(0, "quantity", -2)},
		{"line quantity above max", "order_lines[0].quantity", biSetLine(0, "quantity", 1_000_001)},
		{"line quantity float", "order_lines.quantity", biSetLine(0, "quantity", 1.5)},
		{"line quantity beyond int64", "order_lines.quantity", biSetLine(0, "quantity", huge)},
		{"line unit_price string", "order_lines.unit_price", biSetLine(0, "unit_price", "50000")},
		{"line unit_price negative on physical", "order_lines[0].unit_price", biSetLine(0, "unit_price", -50000)},
		{"line unit_price above MaxAmount", "order_lines[0].unit_price", biSetLine(0, "unit_price", money.MaxAmount+1)},
		{"line quantity * unit_price overflows", "order_lines[0].total_amount", func(o map[string]any) {
			biLine(o, 0)["quantity"], biLine(o, 0)["unit_price"] = 1_000_000, money.MaxAmount
		}},
		{"line quantity * unit_price above MaxAmount", "order_lines[0].total_amount", func(o map[string]any) {
			biLine(o, 0)["quantity"], biLine(o, 0)["unit_price"] = 2, money.MaxAmount/2+1
		}},
		{"line tax_rate above 100%", "order_lines[0].tax_rate", biSetLine(0, "tax_rate", 10001)},
		{"line tax_rate negative", "order_lines[0].tax_rate", biSetLine(0, "tax_rate", -2500)},
		{"line tax_rate 1e30", "order_lines.tax_rate", biSetLine(0, "tax_rate", json.Number("1e30"))},
		{"line discount negative", "order_lines[1].total_discount_amount", biSetLine(1, "total_discount_amount", -5000)},
		{"line discount above gross on physical", "order_lines[1].total_discount_amount", func(o map[string]any) {
			l := biLine(o, 1)
			l["total_discount_amount"], l["total_amount"], l["total_tax_amount"] = 30001, -1, 0
			o["order_amount"], o["order_tax_amount"] = 99999, 20000
		}},
		{"line total 1e30", "order_lines.total_amount", biSetLine(0, "total_amount", json.Number("1e30"))},
		{"line type unknown", "order_lines[0].type", biSetLine(0, "type", "service")},
		{"line name empty", "order_lines[0].name", biSetLine(0, "name", "")},
		{"line name too long", "order_lines[1].name", biSetLine(1, "name", strings.Repeat("n", 256))},
		{"line as string", "order_lines", func(o map[string]any) { o["order_lines"] = []any{"SKU-1"} }},
		// Other fields.
		{"merchant_urls not a URL", "merchant_urls.confirmation", biSet("merchant_urls", map[string]any{"confirmation": "javascript:alert(1)"})},
		{"merchant_urls array", "merchant_urls", biSet("merchant_urls", []string{"https://shop.example/"})},
		{"merchant_reference1 too long", "merchant_reference1", biSet("merchant_reference1", strings.Repeat("r", 256))},
		{"intent unknown", "intent", biSet("intent", "sell")},
		{"billing email", "billing_address.email", biSet("billing_address", map[string]any{"email": "anna at example"})},
		{"customer date of birth", "customer.date_of_birth", biSet("customer", map[string]any{"date_of_birth": "17-05-1990"})},
	}
}

// biOrderCases applies every mutation to a request made by mk.
func biOrderCases(prefix string, mk func(body map[string]any) request) []biCase {
	var out []biCase
	for _, m := range biOrderMutations() {
		o := sampleOrder()
		m.mutate(o)
		out = append(out, biCase{name: prefix + "/" + m.name, req: mk(o), status: 400, code: "BAD_VALUE", field: m.field})
	}
	return out
}

// biSetup has what the bad requests aim at.
type biSetup struct {
	sid, ct        string // an incomplete session and its client token
	sid2, ct2      string // another incomplete session
	doneSID        string // an authorized session
	doneCT         string
	activeToken    string // an authorization token not yet used
	usedToken      string // an authorization token that placed order
	cancelledToken string
	order          string // part captured (50000 of 125000) and part refunded (10000)
	capture        string
	refund         string
	idemKey        string // the idempotency key the capture was made with
	authorized     string // an order without captures
	cancelled      string // a cancelled order
	other          request
}

func (e *env) biSetup(full bool) biSetup {
	e.t.Helper()
	var s biSetup
	s.sid, s.ct = e.session(sampleOrder())
	s.sid2, s.ct2 = e.session(sampleOrder())
	s.doneSID, s.doneCT = e.session(sampleOrder())
	s.activeToken = e.authorize(s.doneSID, s.doneCT, consumer("anna@example.dk"))["authorization_token"].(string)

	sid, ct := e.session(sampleOrder())
	s.usedToken = e.authorize(sid, ct, consumer("anna@example.dk"))["authorization_token"].(string)
	var placed struct {
		OrderID string `json:"order_id"`
	}
	e.do(request{method: "POST", path: "/payments/v1/authorizations/" + s.usedToken + "/order", body: sampleOrder()}).expect(e.t, 200).json(e.t, &placed)
	s.order = placed.OrderID

	sid, ct = e.session(sampleOrder())
	s.cancelledToken = e.authorize(sid, ct, consumer("anna@example.dk"))["authorization_token"].(string)
	e.do(request{method: "DELETE", path: "/payments/v1/authorizations/" + s.cancelledToken}).expect(e.t, 204)

	om := "/ordermanagement/v1/orders/" + s.order
	s.idemKey = "bi-capture-1"
	s.capture = e.do(request{method: "POST", path: om + "/captures", body: map[string]any{"captured_amount": 50000},
		headers: map[string]string{"Klarna-Idempotency-Key": s.idemKey}}).expect(e.t, 201).Header.Get("Capture-Id")
	s.refund = e.do(request{method: "POST", path: om + "/refunds", body: map[string]any{"refunded_amount": 10000}}).expect(e.t, 201).Header.Get("Refund-Id")
	if full {
		s.authorized = e.placeOrder("anna@example.dk")
		s.cancelled = e.placeOrder("anna@example.dk")
		e.do(request{method: "POST", path: "/ordermanagement/v1/orders/" + s.cancelled + "/cancel"}).expect(e.t, 204)
	}
	creds := e.newMerchant(merchantNamed("Other Shop"))
	s.other = request{user: creds.Username, pass: creds.Password}
	return s
}

// as returns req sent with the other merchant's credentials.
func (s biSetup) as(req request) request {
	req.user, req.pass = s.other.user, s.other.pass
	return req
}

const biUnknownID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"

func TestBadInputPaymentsAPI(t *testing.T) {
	e := newEnv(t)
	s := e.biSetup(false)
	sessions := "/payments/v1/sessions/"
	order := func(token string) string { return "/payments/v1/authorizations/" + token + "/order" }

	var cases []biCase
	cases = append(cases, biOrderCases("create session", func(b map[string]any) request {
		return request{method: "POST", path: "/payments/v1/sessions", body: b}
	})...)
	cases = append(cases, biOrderCases("update session", func(b map[string]any) request {
		return request{method: "POST", path: sessions + s.sid, body: b}
	})...)
	cases = append(cases, biOrderCases("place order", func(b map[string]any) request {
		return request{method: "POST", path: order(s.activeToken), body: b}
	})...)

	se := sampleOrder()
	se["purchase_country"], se["purchase_currency"], se["locale"] = "SE", "SEK", "sv-SE"
	bigger := sampleOrder()
	lines, total := biLines(1)
	bigger["order_lines"] = append(bigger["order_lines"].([]map[string]any), lines...)
	bigger["order_amount"] = 125000 + total
	cases = append(cases, []biCase{
		// Sessions.
		{name: "get unknown session", req: request{method: "GET", path: sessions + biUnknownID}, status: 404, code: "NO_SUCH_SESSION"},
		{name: "get non-UUID session", req: request{method: "GET", path: sessions + "not-a-session"}, status: 404, code: "NO_SUCH_SESSION"},
		{name: "get upper-case session id", req: request{method: "GET", path: sessions + strings.ToUpper(s.sid)}, status: 404, code: "NO_SUCH_SESSION"},
		{name: "get another merchant's session", req: s.as(request{method: "GET", path: sessions + s.sid}), status: 404, code: "NO_SUCH_SESSION"},
		{name: "update unknown session", req: request{method: "POST", path: sessions + biUnknownID, body: map[string]any{"merchant_reference2": "x"}}, status: 404, code: "NO_SUCH_SESSION"},
		{name: "update non-UUID session", req: request{method: "POST", path: sessions + url.PathEscape("' OR '1'='1"), body: map[string]any{"merchant_reference2": "x"}}, status: 404, code: "NO_SUCH_SESSION"},
		{name: "update another merchant's session", req: s.as(request{method: "POST", path: sessions + s.sid, body: map[string]any{"merchant_reference2": "x"}}), status: 404, code: "NO_SUCH_SESSION"},
		{name: "update authorized session", req: request{method: "POST", path: sessions + s.doneSID, body: map[string]any{"merchant_reference2": "x"}}, status: 403, code: "NOT_ALLOWED"},
		{name: "update with empty object patch of a bad type", req: request{method: "POST", path: sessions + s.sid, body: `{"order_lines":[{"quantity":"1"}]}`}, status: 400, code: "BAD_VALUE", field: "order_lines.quantity"},
		// Placing the order.
		{name: "place order with used token", req: request{method: "POST", path: order(s.usedToken), body: sampleOrder()}, status: 409, code: "AUTHORIZATION_ALREADY_USED"},
		{name: "place order with cancelled token", req: request{method: "POST", path: order(s.cancelledToken), body: sampleOrder()}, status: 404, code: "NO_SUCH_AUTHORIZATION"},
		{name: "place order with unknown token", req: request{method: "POST", path: order(biUnknownID), body: sampleOrder()}, status: 404, code: "NO_SUCH_AUTHORIZATION"},
		{name: "place order with non-UUID token", req: request{method: "POST", path: order("tok_123"), body: sampleOrder()}, status: 404, code: "NO_SUCH_AUTHORIZATION"},
		{name: "place order with client token", req: request{method: "POST", path: order(s.doneCT), body: sampleOrder()}, status: 404, code: "NO_SUCH_AUTHORIZATION"},
		{name: "place order with session id", req: request{method: "POST", path: order(s.doneSID), body: sampleOrder()}, status: 404, code: "NO_SUCH_AUTHORIZATION"},
		{name: "place order with another merchant's token", req: s.as(request{method: "POST", path: order(s.activeToken), body: sampleOrder()}), status: 404, code: "NO_SUCH_AUTHORIZATION"},
		{name: "place order in another country", req: request{method: "POST", path: order(s.activeToken), body: se}, status: 403, code: "NOT_ALLOWED"},
		{name: "place order above the authorized amount", req: request{method: "POST", path: order(s.activeToken), body: bigger}, status: 403, code: "NOT_ALLOWED"},
		// Cancelling the authorization.
		{name: "cancel used authorization", req: request{method: "DELETE", path: "/payments/v1/authorizations/" + s.usedToken}, status: 409, code: "AUTHORIZATION_ALREADY_USED"},
		{name: "cancel unknown authorization", req: request{method: "DELETE", path: "/payments/v1/authorizations/" + biUnknownID}, status: 404, code: "NO_SUCH_AUTHORIZATION"},
		{name: "cancel non-UUID authorization", req: request{method: "DELETE", path: "/payments/v1/authorizations/x"}, status: 404, code: "NO_SUCH_AUTHORIZATION"},
		{name: "cancel another merchant's authorization", req: s.as(request{method: "DELETE", path: "/payments/v1/authorizations/" + s.activeToken}), status: 404, code: "NO_SUCH_AUTHORIZATION"},
	}...)
	e.biRun(t, cases, s.order)

	// The token survived every refused attempt and still places the order
	// once, then never again.
	e.do(request{method: "POST", path: order(s.activeToken), body: sampleOrder()}).expect(t, 200)
	e.biRun(t, []biCase{{name: "place order twice", req: request{method: "POST", path: order(s.activeToken), body: sampleOrder()}, status: 409, code: "AUTHORIZATION_ALREADY_USED"}})
}

func TestBadInputConsumerAPI(t *testing.T) {
	e := newEnv(t)
	s := e.biSetup(false)
	otp := func(sid string) string { return "/checkout/v1/sessions/" + sid + "/otp" }
	auth := func(sid string) string { return "/checkout/v1/sessions/" + sid + "/authorize" }
	email := map[string]any{"email": "anna@example.dk"}
	with := func(key string, v any) map[string]any {
		c := consumer("anna@example.dk")
		c[key] = v
		return c
	}
	billing := func(key string, v any) map[string]any {
		c := consumer("anna@example.dk")
		c["billing_address"].(map[string]any)[key] = v
		return c
	}
	cases := []biCase{
		// One-time codes.
		{name: "otp without bearer", req: request{method: "POST", path: otp(s.sid), body: email, noAuth: true}, status: 401, code: "UNAUTHORIZED"},
		{name: "otp with merchant credentials", req: request{method: "POST", path: otp(s.sid), body: email}, status: 401, code: "UNAUTHORIZED"},
		{name: "otp with another session's token", req: request{method: "POST", path: otp(s.sid), body: email, bearer: s.ct2}, status: 401, code: "UNAUTHORIZED"},
		{name: "otp with forged token", req: request{method: "POST", path: otp(s.sid), body: email, bearer: "ct1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, status: 401, code: "UNAUTHORIZED"},
		{name: "otp with oversized token", req: request{method: "POST", path: otp(s.sid), body: email, bearer: strings.Repeat("t", 600)}, status: 401, code: "UNAUTHORIZED"},
		{name: "otp for unknown session", req: request{method: "POST", path: otp(biUnknownID), body: email, bearer: s.ct}, status: 401, code: "UNAUTHORIZED"},
		{name: "otp for non-UUID session", req: request{method: "POST", path: otp("nope"), body: email, bearer: s.ct}, status: 401, code: "UNAUTHORIZED"},
		{name: "otp without email", req: request{method: "POST", path: otp(s.sid), body: map[string]any{}, bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "email"},
		{name: "otp bad email", req: request{method: "POST", path: otp(s.sid), body: map[string]any{"email": "anna"}, bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "email"},
		{name: "otp email with display name", req: request{method: "POST", path: otp(s.sid), body: map[string]any{"email": "Anna <anna@example.dk>"}, bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "email"},
		{name: "otp email too long", req: request{method: "POST", path: otp(s.sid), body: map[string]any{"email": strings.Repeat("a", 250) + "@example.dk"}, bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "email"},
		{name: "otp on authorized session", req: request{method: "POST", path: otp(s.doneSID), body: email, bearer: s.doneCT}, status: 403, code: "NOT_ALLOWED"},
		{name: "otp email number", req: request{method: "POST", path: otp(s.sid), body: map[string]any{"email": 5}, bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "email"},
		// Authorization.
		{name: "authorize without bearer", req: request{method: "POST", path: auth(s.sid), body: consumer("anna@example.dk"), noAuth: true}, status: 401, code: "UNAUTHORIZED"},
		{name: "authorize with merchant credentials", req: request{method: "POST", path: auth(s.sid), body: consumer("anna@example.dk")}, status: 401, code: "UNAUTHORIZED"},
		{name: "authorize with another session's token", req: request{method: "POST", path: auth(s.sid), body: consumer("anna@example.dk"), bearer: s.ct2}, status: 401, code: "UNAUTHORIZED"},
		{name: "authorize with forged token", req: request{method: "POST", path: auth(s.sid), body: consumer("anna@example.dk"), bearer: s.ct + "x"}, status: 401, code: "UNAUTHORIZED"},
		{name: "authorize lower-case bearer scheme", req: request{method: "POST", path: auth(s.sid), body: consumer("anna@example.dk"), noAuth: true,
			headers: map[string]string{"Authorization": "bearer"}}, status: 401, code: "UNAUTHORIZED"},
		{name: "authorize unknown session", req: request{method: "POST", path: auth(biUnknownID), body: consumer("anna@example.dk"), bearer: s.ct}, status: 401, code: "UNAUTHORIZED"},
		{name: "authorize authorized session", req: request{method: "POST", path: auth(s.doneSID), body: consumer("anna@example.dk"), bearer: s.doneCT}, status: 403, code: "NOT_ALLOWED"},
		{name: "authorize wrong otp", req: request{method: "POST", path: auth(s.sid), body: with("otp", "000000"), bearer: s.ct}, status: 403, code: "INVALID_OTP"},
		{name: "authorize missing otp", req: request{method: "POST", path: auth(s.sid), body: with("otp", ""), bearer: s.ct}, status: 403, code: "INVALID_OTP"},
		{name: "authorize otp number", req: request{method: "POST", path: auth(s.sid), body: with("otp", 123456), bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "otp"},
		{name: "authorize unknown method", req: request{method: "POST", path: auth(s.sid), body: with("payment_method_category", "cash"), bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "payment_method_category"},
		{name: "authorize without billing address", req: request{method: "POST", path: auth(s.sid), body: with("billing_address", nil), bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "billing_address"},
		{name: "authorize billing address array", req: request{method: "POST", path: auth(s.sid), body: with("billing_address", []any{}), bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "billing_address"},
		{name: "authorize billing without given name", req: request{method: "POST", path: auth(s.sid), body: billing("given_name", " "), bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "billing_address.given_name"},
		{name: "authorize billing country three letters", req: request{method: "POST", path: auth(s.sid), body: billing("country", "DNK"), bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "billing_address.country"},
		{name: "authorize billing bad email", req: request{method: "POST", path: auth(s.sid), body: billing("email", "anna@"), bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "billing_address.email"},
		{name: "authorize billing city too long", req: request{method: "POST", path: auth(s.sid), body: billing("city", strings.Repeat("c", 256)), bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "billing_address.city"},
		{name: "authorize billing postal code number", req: request{method: "POST", path: auth(s.sid), body: billing("postal_code", 9270), bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "billing_address.postal_code"},
		{name: "authorize shipping country", req: request{method: "POST", path: auth(s.sid), body: with("shipping_address", map[string]any{"country": "Denmark"}), bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "shipping_address.country"},
		{name: "authorize without date of birth", req: request{method: "POST", path: auth(s.sid), body: with("customer", map[string]any{}), bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "customer.date_of_birth"},
		{name: "authorize impossible date of birth", req: request{method: "POST", path: auth(s.sid), body: with("customer", map[string]any{"date_of_birth": "1990-02-30"}), bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "customer.date_of_birth"},
		{name: "authorize national id", req: request{method: "POST", path: auth(s.sid), body: with("customer", map[string]any{"date_of_birth": "1990-05-17", "national_identification_number": "12"}), bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "customer.national_identification_number"},
		{name: "authorize customer string", req: request{method: "POST", path: auth(s.sid), body: with("customer", "Anna"), bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "customer"},
		{name: "authorize device too long", req: request{method: "POST", path: auth(s.sid), body: with("device", map[string]any{"ip": strings.Repeat("1", 65)}), bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "device"},
		{name: "authorize device ip number", req: request{method: "POST", path: auth(s.sid), body: with("device", map[string]any{"ip": 19216801}), bearer: s.ct}, status: 400, code: "BAD_VALUE", field: "device.ip"},
	}
	e.biRun(t, cases)

	// Once the session has expired, everything about it is refused.
	e.clk.Advance(48*time.Hour + time.Second)
	e.biRun(t, []biCase{
		{name: "otp on expired session", req: request{method: "POST", path: otp(s.sid), body: email, bearer: s.ct}, status: 410, code: "SESSION_EXPIRED"},
		{name: "authorize expired session", req: request{method: "POST", path: auth(s.sid), body: consumer("anna@example.dk"), bearer: s.ct}, status: 410, code: "SESSION_EXPIRED"},
		{name: "update expired session", req: request{method: "POST", path: "/payments/v1/sessions/" + s.sid, body: map[string]any{"merchant_reference2": "late"}}, status: 410, code: "SESSION_EXPIRED"},
	})
}

func TestBadInputOrderManagement(t *testing.T) {
	e := newEnv(t)
	s := e.biSetup(true)
	om := func(id string, rest ...string) string {
		return "/ordermanagement/v1/orders/" + id + strings.Join(rest, "")
	}
	huge := json.Number("9223372036854775808")
	badLine := func() []map[string]any {
		l := biLine(sampleOrder(), 0)
		l["total_amount"] = 99999
		return []map[string]any{l}
	}
	taxLine := func() []map[string]any {
		l := biLine(sampleOrder(), 0)
		l["total_tax_amount"] = 10
		return []map[string]any{l}
	}
	overflowLine := []map[string]any{{"name": "x", "quantity": 1_000_000, "unit_price": money.MaxAmount, "total_amount": 0}}
	negativeLine := []map[string]any{{"name": "x", "quantity": 1, "unit_price": -100, "total_amount": -100}}
	lines1001, total1001 := biLines(1001)
	shipments := func(n int) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"shipping_company": "GLS", "tracking_number": fmt.Sprint(i)}
		}
		return out
	}
	capture := func(body any) request { return request{method: "POST", path: om(s.order, "/captures"), body: body} }
	refund := func(body any) request { return request{method: "POST", path: om(s.order, "/refunds"), body: body} }
	capShip := func(body any) request {
		return request{method: "POST", path: om(s.order, "/captures/", s.capture, "/shipping-info"), body: body}
	}
	ship := func(body any) request {
		return request{method: "POST", path: om(s.order, "/shipping-info"), body: body}
	}
	refs := func(body any) request {
		return request{method: "PATCH", path: om(s.order, "/merchant-references"), body: body}
	}
	one := map[string]any{"shipping_info": shipments(1)}
	bad := func(name string, req request, field string) biCase {
		return biCase{name: name, req: req, status: 400, code: "BAD_VALUE", field: field}
	}
	noOrder := func(name string, req request) biCase {
		return biCase{name: name, req: req, status: 404, code: "NO_SUCH_ORDER"}
	}
	cases := []biCase{
		// Reading.
		noOrder("get unknown order", request{method: "GET", path: om(biUnknownID)}),
		noOrder("get non-UUID order", request{method: "GET", path: om("not-an-order")}),
		noOrder("get braced UUID order", request{method: "GET", path: om("{" + s.order + "}")}),
		noOrder("get upper-case order id", request{method: "GET", path: om(strings.ToUpper(s.order))}),
		noOrder("get injected order id", request{method: "GET", path: om(url.PathEscape("x' OR '1'='1"))}),
		noOrder("get another merchant's order", s.as(request{method: "GET", path: om(s.order)})),
		noOrder("list captures of unknown order", request{method: "GET", path: om(biUnknownID, "/captures")}),
		noOrder("list captures of another merchant's order", s.as(request{method: "GET", path: om(s.order, "/captures")})),
		noOrder("get capture of unknown order", request{method: "GET", path: om(biUnknownID, "/captures/", s.capture)}),
		{name: "get unknown capture", req: request{method: "GET", path: om(s.order, "/captures/", biUnknownID)}, status: 404, code: "NO_SUCH_CAPTURE"},
		{name: "get non-UUID capture", req: request{method: "GET", path: om(s.order, "/captures/latest")}, status: 404, code: "NO_SUCH_CAPTURE"},
		{name: "get capture through another order", req: request{method: "GET", path: om(s.authorized, "/captures/", s.capture)}, status: 404, code: "NO_SUCH_CAPTURE"},
		noOrder("get refund of unknown order", request{method: "GET", path: om(biUnknownID, "/refunds/", s.refund)}),
		{name: "get unknown refund", req: request{method: "GET", path: om(s.order, "/refunds/", biUnknownID)}, status: 404, code: "NO_SUCH_REFUND"},
		{name: "get non-UUID refund", req: request{method: "GET", path: om(s.order, "/refunds/1")}, status: 404, code: "NO_SUCH_REFUND"},
		{name: "get refund through another order", req: request{method: "GET", path: om(s.authorized, "/refunds/", s.refund)}, status: 404, code: "NO_SUCH_REFUND"},

		// Captures: 75000 remain to capture on the order.
		bad("capture amount string", capture(map[string]any{"captured_amount": "100"}), "captured_amount"),
		bad("capture amount float", capture(map[string]any{"captured_amount": 1.5}), "captured_amount"),
		bad("capture amount beyond int64", capture(map[string]any{"captured_amount": huge}), "captured_amount"),
		bad("capture amount 1e30", capture(map[string]any{"captured_amount": json.Number("1e30")}), "captured_amount"),
		bad("capture amount negative", capture(map[string]any{"captured_amount": -100}), "captured_amount"),
		bad("capture amount zero", capture(map[string]any{"captured_amount": 0}), "captured_amount"),
		bad("capture amount missing", capture(map[string]any{"description": "x"}), "captured_amount"),
		bad("capture amount null", capture(map[string]any{"captured_amount": nil}), "captured_amount"),
		{name: "capture above remaining", req: capture(map[string]any{"captured_amount": 75001}), status: 403, code: "CAPTURE_NOT_ALLOWED"},
		{name: "capture MaxAmount+1", req: capture(map[string]any{"captured_amount": money.MaxAmount + 1}), status: 403, code: "CAPTURE_NOT_ALLOWED"},
		{name: "capture max int64", req: capture(map[string]any{"captured_amount": int64(1<<63 - 1)}), status: 403, code: "CAPTURE_NOT_ALLOWED"},
		{name: "capture cancelled order", req: request{method: "POST", path: om(s.cancelled, "/captures"), body: map[string]any{"captured_amount": 100}}, status: 403, code: "CAPTURE_NOT_ALLOWED"},
		bad("capture description too long", capture(map[string]any{"captured_amount": 100, "description": strings.Repeat("d", 256)}), "description"),
		bad("capture shipping delay", capture(map[string]any{"captured_amount": 100, "shipping_delay": 181}), "shipping_delay"),
		bad("capture negative shipping delay", capture(map[string]any{"captured_amount": 100, "shipping_delay": -1}), "shipping_delay"),
		bad("capture lines object", capture(map[string]any{"captured_amount": 100, "order_lines": map[string]any{}}), "order_lines"),
		bad("capture line arithmetic", capture(map[string]any{"captured_amount": 99999, "order_lines": badLine()}), "order_lines[0].total_amount"),
		bad("capture line tax", capture(map[string]any{"captured_amount": 100000, "order_lines": taxLine()}), "order_lines[0].total_tax_amount"),
		bad("capture lines not the amount", capture(map[string]any{"captured_amount": 100, "order_lines": []map[string]any{biLine(sampleOrder(), 1)}}), "captured_amount"),
		bad("capture lines overflow", capture(map[string]any{"captured_amount": 100, "order_lines": overflowLine}), "order_lines[0].total_amount"),
		bad("capture negative physical line", capture(map[string]any{"captured_amount": 100, "order_lines": negativeLine}), "order_lines[0].unit_price"),
		bad("capture 1001 lines", capture(map[string]any{"captured_amount": total1001, "order_lines": lines1001}), "order_lines"),
		bad("capture line quantity string", capture(map[string]any{"captured_amount": 100, "order_lines": []map[string]any{{"quantity": "1"}}}), "order_lines.quantity"),
		bad("capture shipping info object", capture(map[string]any{"captured_amount": 100, "shipping_info": map[string]any{}}), "shipping_info"),
		bad("capture 101 shipments", capture(map[string]any{"captured_amount": 100, "shipping_info": shipments(101)}), "shipping_info"),
		bad("capture tracking uri", capture(map[string]any{"captured_amount": 100, "shipping_info": []map[string]any{{"tracking_uri": "ftp://track.example/1"}}}), "shipping_info[0].tracking_uri"),
		bad("capture tracking number too long", capture(map[string]any{"captured_amount": 100, "shipping_info": []map[string]any{{"tracking_number": strings.Repeat("9", 101)}}}), "shipping_info[0].tracking_number"),
		noOrder("capture unknown order", request{method: "POST", path: om(biUnknownID, "/captures"), body: map[string]any{"captured_amount": 100}}),
		noOrder("capture non-UUID order", request{method: "POST", path: om("1", "/captures"), body: map[string]any{"captured_amount": 100}}),
		noOrder("capture another merchant's order", s.as(capture(map[string]any{"captured_amount": 100}))),
		bad("capture idempotency key too long", request{method: "POST", path: om(s.order, "/captures"), body: map[string]any{"captured_amount": 100},
			headers: map[string]string{"Klarna-Idempotency-Key": strings.Repeat("k", 256)}}, "Klarna-Idempotency-Key"),
		bad("capture plain idempotency key too long", request{method: "POST", path: om(s.order, "/captures"), body: map[string]any{"captured_amount": 100},
			headers: map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}}, "Idempotency-Key"),
		{name: "capture idempotency key reused", req: request{method: "POST", path: om(s.order, "/captures"), body: map[string]any{"captured_amount": 100},
			headers: map[string]string{"Klarna-Idempotency-Key": s.idemKey}}, status: 409, code: "IDEMPOTENCY_KEY_REUSED"},
		{name: "capture idempotency key reused on another path", req: request{method: "POST", path: om(s.authorized, "/captures"), body: map[string]any{"captured_amount": 50000},
			headers: map[string]string{"Idempotency-Key": s.idemKey}}, status: 409, code: "IDEMPOTENCY_KEY_REUSED"},

		// Shipping info of a capture.
		bad("capture shipping-info empty list", capShip(map[string]any{"shipping_info": []any{}}), "shipping_info"),
		bad("capture shipping-info missing", capShip(map[string]any{}), "shipping_info"),
		bad("capture shipping-info object", capShip(map[string]any{"shipping_info": map[string]any{"shipping_company": "GLS"}}), "shipping_info"),
		bad("capture shipping-info 101", capShip(map[string]any{"shipping_info": shipments(101)}), "shipping_info"),
		bad("capture shipping-info return uri", capShip(map[string]any{"shipping_info": []map[string]any{{"return_tracking_uri": "/relative"}}}), "shipping_info[0].return_tracking_uri"),
		{name: "capture shipping-info unknown capture", req: request{method: "POST", path: om(s.order, "/captures/", biUnknownID, "/shipping-info"), body: one}, status: 404, code: "NO_SUCH_CAPTURE"},
		{name: "capture shipping-info through another order", req: request{method: "POST", path: om(s.authorized, "/captures/", s.capture, "/shipping-info"), body: one}, status: 404, code: "NO_SUCH_CAPTURE"},
		noOrder("capture shipping-info unknown order", request{method: "POST", path: om(biUnknownID, "/captures/", s.capture, "/shipping-info"), body: one}),

		// Refunds: 40000 captured and not refunded.
		bad("refund amount string", refund(map[string]any{"refunded_amount": "1"}), "refunded_amount"),
		bad("refund amount float", refund(map[string]any{"refunded_amount": 0.5}), "refunded_amount"),
		bad("refund amount beyond int64", refund(map[string]any{"refunded_amount": huge}), "refunded_amount"),
		bad("refund amount below int64", refund(map[string]any{"refunded_amount": json.Number("-9223372036854775809")}), "refunded_amount"),
		bad("refund amount negative", refund(map[string]any{"refunded_amount": -10000}), "refunded_amount"),
		bad("refund amount zero", refund(map[string]any{"refunded_amount": 0}), "refunded_amount"),
		{name: "refund above captured", req: refund(map[string]any{"refunded_amount": 40001}), status: 403, code: "REFUND_NOT_ALLOWED"},
		{name: "refund max int64", req: refund(map[string]any{"refunded_amount": int64(1<<63 - 1)}), status: 403, code: "REFUND_NOT_ALLOWED"},
		{name: "refund uncaptured order", req: request{method: "POST", path: om(s.authorized, "/refunds"), body: map[string]any{"refunded_amount": 1}}, status: 403, code: "REFUND_NOT_ALLOWED"},
		bad("refund lines not the amount", refund(map[string]any{"refunded_amount": 100, "order_lines": []map[string]any{biLine(sampleOrder(), 1)}}), "refunded_amount"),
		bad("refund line tax", refund(map[string]any{"refunded_amount": 100000, "order_lines": taxLine()}), "order_lines[0].total_tax_amount"),
		bad("refund lines array of strings", refund(map[string]any{"refunded_amount": 100, "order_lines": []string{"x"}}), "order_lines"),
		bad("refund description too long", refund(map[string]any{"refunded_amount": 100, "description": strings.Repeat("d", 256)}), "description"),
		noOrder("refund unknown order", request{method: "POST", path: om(biUnknownID, "/refunds"), body: map[string]any{"refunded_amount": 1}}),
		noOrder("refund another merchant's order", s.as(refund(map[string]any{"refunded_amount": 1}))),

		// Bodiless operations.
		{name: "cancel captured order", req: request{method: "POST", path: om(s.order, "/cancel")}, status: 403, code: "CANCEL_NOT_ALLOWED"},
		noOrder("cancel unknown order", request{method: "POST", path: om(biUnknownID, "/cancel")}),
		noOrder("cancel non-UUID order", request{method: "POST", path: om("1", "/cancel")}),
		noOrder("cancel another merchant's order", s.as(request{method: "POST", path: om(s.authorized, "/cancel")})),
		{name: "release on uncaptured order", req: request{method: "POST", path: om(s.authorized, "/release-remaining-authorization")}, status: 403, code: "NOT_ALLOWED"},
		{name: "release on cancelled order", req: request{method: "POST", path: om(s.cancelled, "/release-remaining-authorization"), body: "{}"}, status: 403, code: "NOT_ALLOWED"},
		noOrder("release unknown order", request{method: "POST", path: om(biUnknownID, "/release-remaining-authorization")}),
		{name: "extend cancelled order", req: request{method: "POST", path: om(s.cancelled, "/extend-authorization-time")}, status: 403, code: "NOT_ALLOWED"},
		noOrder("extend unknown order", request{method: "POST", path: om(biUnknownID, "/extend-authorization-time")}),
		noOrder("acknowledge unknown order", request{method: "POST", path: om(biUnknownID, "/acknowledge")}),
		noOrder("acknowledge another merchant's order", s.as(request{method: "POST", path: om(s.order, "/acknowledge")})),

		// Shipping info of the order.
		bad("shipping-info empty", ship(map[string]any{"shipping_info": []any{}}), "shipping_info"),
		bad("shipping-info missing", ship(map[string]any{}), "shipping_info"),
		bad("shipping-info string", ship(map[string]any{"shipping_info": "GLS"}), "shipping_info"),
		bad("shipping-info company too long", ship(map[string]any{"shipping_info": []map[string]any{{"shipping_company": strings.Repeat("c", 101)}}}), "shipping_info[0].shipping_company"),
		bad("shipping-info 101", ship(map[string]any{"shipping_info": shipments(101)}), "shipping_info"),
		bad("shipping-info second entry uri", ship(map[string]any{"shipping_info": []map[string]any{{}, {"tracking_uri": "mailto:x@example.dk"}}}), "shipping_info[1].tracking_uri"),
		noOrder("shipping-info unknown order", request{method: "POST", path: om(biUnknownID, "/shipping-info"), body: one}),

		// Merchant references.
		bad("references 1 too long", refs(map[string]any{"merchant_reference1": strings.Repeat("r", 256)}), "merchant_reference1"),
		bad("references 2 too long", refs(map[string]any{"merchant_reference2": strings.Repeat("r", 256)}), "merchant_reference2"),
		bad("references number", refs(map[string]any{"merchant_reference1": 1001}), "merchant_reference1"),
		bad("references object", refs(map[string]any{"merchant_reference2": map[string]any{}}), "merchant_reference2"),
		noOrder("references unknown order", request{method: "PATCH", path: om(biUnknownID, "/merchant-references"), body: map[string]any{"merchant_reference1": "x"}}),
		noOrder("references another merchant's order", s.as(refs(map[string]any{"merchant_reference1": "x"}))),

		// The delivery log.
		bad("deliveries order id", request{method: "GET", path: "/notifications/v1/deliveries?order_id=nope"}, "order_id"),
		bad("deliveries limit zero", request{method: "GET", path: "/notifications/v1/deliveries?limit=0"}, "limit"),
		bad("deliveries limit too high", request{method: "GET", path: "/notifications/v1/deliveries?limit=501"}, "limit"),
		bad("deliveries limit word", request{method: "GET", path: "/notifications/v1/deliveries?limit=all"}, "limit"),
		bad("deliveries limit exponent", request{method: "GET", path: "/notifications/v1/deliveries?limit=1e2"}, "limit"),
		bad("deliveries limit overflow", request{method: "GET", path: "/notifications/v1/deliveries?limit=99999999999999999999"}, "limit"),
	}
	e.biRun(t, cases, s.order, s.authorized, s.cancelled)
}

// biEndpoint is one route of server.go with concrete ids.
type biEndpoint struct {
	method, path string
	consumer     bool   // authenticated by the session's client token
	body         any    // a valid body, nil when the route takes none
	bodiless     bool   // an order-management operation that takes an empty body
	wrong, allow string // a method the path does not serve, and the Allow header then
}

func TestBadInputEveryEndpoint(t *testing.T) {
	e := newEnv(t)
	s := e.biSetup(false)
	om := "/ordermanagement/v1/orders/" + s.order
	endpoints := []biEndpoint{
		{method: "POST", path: "/payments/v1/sessions", body: sampleOrder(), wrong: "PUT", allow: "POST"},
		{method: "GET", path: "/payments/v1/sessions/" + s.sid, wrong: "DELETE", allow: "GET, HEAD, POST"},
		{method: "POST", path: "/payments/v1/sessions/" + s.sid, body: map[string]any{"merchant_reference2": "x"}, wrong: "PATCH", allow: "GET, HEAD, POST"},
		{method: "POST", path: "/payments/v1/authorizations/" + s.activeToken + "/order", body: sampleOrder(), wrong: "GET", allow: "POST"},
		{method: "DELETE", path: "/payments/v1/authorizations/" + s.activeToken, wrong: "GET", allow: "DELETE"},
		{method: "GET", path: om, wrong: "DELETE", allow: "GET, HEAD"},
		{method: "POST", path: om + "/captures", body: map[string]any{"captured_amount": 100}, wrong: "PUT", allow: "GET, HEAD, POST"},
		{method: "GET", path: om + "/captures", wrong: "DELETE", allow: "GET, HEAD, POST"},
		{method: "GET", path: om + "/captures/" + s.capture, wrong: "PATCH", allow: "GET, HEAD"},
		{method: "POST", path: om + "/captures/" + s.capture + "/shipping-info", body: map[string]any{"shipping_info": []map[string]any{{"shipping_company": "GLS"}}}, wrong: "GET", allow: "POST"},
		{method: "POST", path: om + "/refunds", body: map[string]any{"refunded_amount": 100}, wrong: "GET", allow: "POST"},
		{method: "GET", path: om + "/refunds/" + s.refund, wrong: "DELETE", allow: "GET, HEAD"},
		{method: "POST", path: om + "/cancel", bodiless: true, wrong: "DELETE", allow: "POST"},
		{method: "POST", path: om + "/release-remaining-authorization", bodiless: true, wrong: "GET", allow: "POST"},
		{method: "POST", path: om + "/extend-authorization-time", bodiless: true, wrong: "PATCH", allow: "POST"},
		{method: "POST", path: om + "/acknowledge", bodiless: true, wrong: "PUT", allow: "POST"},
		{method: "POST", path: om + "/shipping-info", body: map[string]any{"shipping_info": []map[string]any{{"shipping_company": "GLS"}}}, wrong: "GET", allow: "POST"},
		{method: "PATCH", path: om + "/merchant-references", body: map[string]any{"merchant_reference1": "x"}, wrong: "POST", allow: "PATCH"},
		{method: "GET", path: "/notifications/v1/deliveries", wrong: "POST", allow: "GET, HEAD"},
		{method: "POST", path: "/checkout/v1/sessions/" + s.sid + "/otp", consumer: true, body: map[string]any{"email": "anna@example.dk"}, wrong: "GET", allow: "POST"},
		{method: "POST", path: "/checkout/v1/sessions/" + s.sid + "/authorize", consumer: true, body: consumer("anna@example.dk"), wrong: "OPTIONS", allow: "POST"},
	}
	tooBig := `{"merchant_data":"` + strings.Repeat("x", api.MaxBodyBytes) + `"}`
	malformed := map[string]string{
		"open brace":        "{",
		"array":             "[]",
		"null":              "null",
		"string":            `"order"`,
		"number":            "42",
		"truncated":         `{"a":`,
		"trailing garbage":  `{"a":1} x`,
		"trailing brace":    `{}}`,
		"trailing bracket":  `{"a":[1]}]`,
		"two objects":       `{}{}`,
		"invalid UTF-8":     "\xff\xfe{}",
		"byte order mark":   "\ufeff{}",
		"single quotes":     `{'a':1}`,
		"comment":           `{/* c */}`,
		"nested too deeply": `{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
	}
	var cases []biCase
	for _, ep := range endpoints {
		name := ep.method + " " + strings.NewReplacer(s.sid, "{session}", s.activeToken, "{token}", s.order, "{order}", s.capture, "{capture}", s.refund, "{refund}").Replace(ep.path)
		req := func(r request) request {
			r.method, r.path = ep.method, ep.path
			if ep.consumer && r.bearer == "" && !r.noAuth && r.user == "" {
				r.bearer = s.ct
			}
			return r
		}
		unauthorized := func(why string, r request) {
			if r.body == nil {
				r.body = ep.body
			}
			cases = append(cases, biCase{name: name + "/" + why, req: req(r), status: 401, code: "UNAUTHORIZED"})
		}
		unauthorized("no credentials", request{noAuth: true})
		if ep.consumer {
			unauthorized("merchant credentials", request{user: e.merchant.Username, pass: e.merchant.Password})
			unauthorized("another session's client token", request{bearer: s.ct2})
			unauthorized("forged client token", request{bearer: "ct1.forged"})
			unauthorized("basic scheme with the client token", request{noAuth: true, headers: map[string]string{"Authorization": "Basic " + s.ct}})
		} else {
			unauthorized("wrong password", request{user: e.merchant.Username, pass: e.merchant.Password + "x"})
			unauthorized("unknown user", request{user: "nobody", pass: e.merchant.Password})
			unauthorized("empty user", request{noAuth: true, headers: map[string]string{"Authorization": "Basic OnNlY3JldA=="}})
			unauthorized("oversized user", request{user: strings.Repeat("u", 129), pass: "x"})
			unauthorized("bearer instead of basic", request{bearer: s.ct})
			unauthorized("garbled basic", request{noAuth: true, headers: map[string]string{"Authorization": "Basic !!!"}})
			unauthorized("another merchant's password", request{user: e.merchant.Username, pass: s.other.pass})
		}
		cases = append(cases, biCase{name: name + "/wrong method " + ep.wrong, req: request{method: ep.wrong, path: ep.path},
			status: 405, code: "METHOD_NOT_ALLOWED", allow: ep.allow})
		if ep.body == nil && !ep.bodiless {
			continue
		}
		for what, body := range malformed {
			cases = append(cases, biCase{name: name + "/" + what, req: req(request{body: body}), status: 400, code: "BAD_VALUE", msg: "JSON"})
		}
		if !ep.bodiless {
			cases = append(cases, biCase{name: name + "/empty body", req: req(request{body: ""}), status: 400, code: "BAD_VALUE", msg: "JSON object"})
		}
		valid := ep.body
		if valid == nil {
			valid = map[string]any{}
		}
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/jsonx"} {
			cases = append(cases, biCase{name: name + "/content type " + ct, req: req(request{body: valid, headers: map[string]string{"Content-Type": ct}}),
				status: 415, code: "UNSUPPORTED_MEDIA_TYPE"})
		}
		cases = append(cases, biCase{name: name + "/body over 1 MB", req: req(request{body: tooBig}), status: 413, code: "REQUEST_TOO_LARGE"})
	}
	for _, path := range []string{
		"/", "/payments", "/payments/v1/sessions/" + s.sid + "/extra", "/payments/v2/sessions", "/payments/v1/authorizations/" + s.activeToken + "/orders",
		"/ordermanagement/v1/orders", om + "/nope", om + "/captures/" + s.capture + "/refunds", om + "/refunds/" + s.refund + "/lines", "/checkout/v1/sessions/" + s.sid,
		"/notifications/v1", "/PAYMENTS/v1/sessions", "/payments/v1/sessions/" + s.sid + "/",
	} {
		cases = append(cases, biCase{name: "unknown path " + path, req: request{method: "GET", path: path}, status: 404, code: "NOT_FOUND"})
	}
	e.biRun(t, cases, s.order)
}
