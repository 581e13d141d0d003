package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/store/storetest"
)

const cliPassword = "violet staple harbour"

// decode parses a command's JSON output.
func decodeOutput(t *testing.T, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
}

func TestStaffCommands(t *testing.T) {
	ctx := context.Background()
	t.Setenv("TILLIT_DATABASE_URL", storetest.DSN(t))
	// The password from the environment.
	logscan.Secret(logscan.Password, cliPassword)
	t.Setenv(staffPasswordEnv, cliPassword)
	var out bytes.Buffer
	if err := staffCommand(ctx, []string{"create", "--email", "Ana@Tillit.Example", "--name", "Ana Berg", "--role", "admin", "--actor", "ops"}, strings.NewReader(""), &out); err != nil {
		t.Fatal(err)
	}
	var created map[string]string
	decodeOutput(t, out.String(), &created)
	if created["id"] == "" || created["email"] != "ana@tillit.example" || created["role"] != "admin" || len(created) != 3 {
		t.Fatalf("created %v", created)
	}
	if strings.Contains(out.String(), cliPassword) {
		t.Fatal("password printed")
	}

	// The password from stdin when the environment has none.
	t.Setenv(staffPasswordEnv, "")
	out.Reset()
	if err := staffCommand(ctx, []string{"create", "--email", "bo@tillit.example", "--name", "Bo", "--role", "RISK_ANALYST"}, strings.NewReader(cliPassword+"\r\nignored\n"), &out); err != nil {
		t.Fatal(err)
	}
	var bo map[string]string
	decodeOutput(t, out.String(), &bo)

	// Mistakes: a weak password or a taken address fail (1); missing flags,
	// missing passwords and terminals on stdin are usage errors (2).
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	for _, c := range []struct {
		args  []string
		stdin string
		code  int
	}{
		{[]string{"create", "--email", "c@tillit.example", "--name", "C", "--role", "admin"}, "password123\n", 1},
		{[]string{"create", "--email", "ana@tillit.example", "--name", "C", "--role", "admin"}, cliPassword, 1},
		{[]string{"create", "--email", "c@tillit.example", "--name", "C", "--role", "root"}, cliPassword, 1},
		{[]string{"create", "--email", "c@tillit.example", "--name", "C"}, cliPassword, 2},
		{[]string{"create", "--email", "c@tillit.example", "--name", "C", "--role", "admin", "--password", "x"}, cliPassword, 2},
		{[]string{"create", "--email", "c@tillit.example", "--name", "C", "--role", "admin"}, "", 2},
		{[]string{"create", "--email", "c@tillit.example", "--name", "C", "--role", "admin"}, "\n", 2},
		{[]string{"list", "extra"}, "", 2},
		{[]string{"disable"}, "", 2},
		{[]string{"disable", "--id", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"}, "", 1},
		{[]string{}, "", 2},
		{[]string{"delete"}, "", 2},
	} {
		err := staffCommand(ctx, c.args, strings.NewReader(c.stdin), &bytes.Buffer{})
		if err == nil || exitCode(err) != c.code {
			t.Errorf("staff %v: err=%v, want exit %d", c.args, err, c.code)
		}
	}
	err = staffCommand(ctx, []string{"create", "--email", "c@tillit.example", "--name", "C", "--role", "admin"}, devNull, &bytes.Buffer{})
	if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), staffPasswordEnv) {
		t.Errorf("character device on stdin: %v", err)
	}

	out.Reset()
	if err := staffCommand(ctx, []string{"disable", "--id", bo["id"]}, nil, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := staffCommand(ctx, []string{"list"}, nil, &out); err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	decodeOutput(t, out.String(), &list)
	if len(list) != 2 || list[0]["email"] != "ana@tillit.example" || list[1]["role"] != "risk_analyst" || list[1]["disabled_at"] == nil || list[0]["disabled_at"] != nil {
		t.Fatalf("list %s", out.String())
	}

	// Creation and disabling are audited.
	auditOut, err := capture(t, "audit", "verify")
	if err != nil || !strings.Contains(auditOut, `"entries": 3`) {
		t.Fatalf("audit verify: %v %s", err, auditOut)
	}
}

func TestMerchantAddUser(t *testing.T) {
	ctx := context.Background()
	t.Setenv("TILLIT_DATABASE_URL", storetest.DSN(t))
	t.Setenv(merchantUserPasswordEnv, "")
	out, err := capture(t, "merchant", "create", "--name", "User Shop")
	if err != nil {
		t.Fatal(err)
	}
	var creds map[string]any
	decodeOutput(t, out, &creds)
	merchantID := creds["merchant_id"].(string)

	var buf bytes.Buffer
	if err := merchantUserCommand(ctx, []string{"--merchant", merchantID, "--email", "Owner@Shop.Example", "--name", "Olga", "--role", "owner"}, strings.NewReader(cliPassword+"\n"), &buf); err != nil {
		t.Fatal(err)
	}
	var user map[string]string
	decodeOutput(t, buf.String(), &user)
	if user["id"] == "" || user["merchant_id"] != merchantID || user["email"] != "owner@shop.example" || user["role"] != "owner" {
		t.Fatalf("user %v", user)
	}

	t.Setenv(merchantUserPasswordEnv, cliPassword)
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"--merchant", merchantID, "--email", "owner@shop.example", "--name", "Olga", "--role", "admin"}, 1},
		{[]string{"--merchant", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "--email", "x@shop.example", "--name", "X", "--role", "admin"}, 1},
		{[]string{"--merchant", merchantID, "--email", "x@shop.example", "--name", "X", "--role", "cashier"}, 1},
		{[]string{"--merchant", merchantID, "--email", "x@shop.example", "--name", "X"}, 2},
		{[]string{"--email", "x@shop.example", "--name", "X", "--role", "admin"}, 2},
		{[]string{"--nonsense"}, 2},
	} {
		err := merchantUserCommand(ctx, c.args, strings.NewReader(""), &bytes.Buffer{})
		if err == nil || exitCode(err) != c.code {
			t.Errorf("merchant add-user %v: err=%v, want exit %d", c.args, err, c.code)
		}
	}
	if out, err := capture(t, "audit", "verify"); err != nil || !strings.Contains(out, `"entries": 1`) {
		t.Fatalf("audit verify: %v %s", err, out)
	}
}
