package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/store/storetest"
)

// freeAddr returns a loopback address with a port nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// devCert runs tillit dev-cert into a temporary directory and returns the
// directory and a pool trusting its CA.
func devCert(t *testing.T, hosts ...string) (string, *x509.CertPool) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "certs")
	args := []string{"dev-cert", "--out", dir}
	for _, h := range hosts {
		args = append(args, "--host", h)
	}
	out, err := capture(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{filepath.Join(dir, "ca.pem"), "--tls-cert " + filepath.Join(dir, "cert.pem"), "--tls-key " + filepath.Join(dir, "key.pem"), "update-ca-certificates", "curl --cacert"} {
		if !strings.Contains(out, want) {
			t.Errorf("dev-cert output lacks %q:\n%s", want, out)
		}
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("ca.pem holds no certificate")
	}
	return dir, pool
}

func TestDevCertCommand(t *testing.T) {
	dir, pool := devCert(t, "tillit.test")
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"localhost", "127.0.0.1", "::1", "tillit.test"} {
		if _, err := pair.Leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: pool}); err != nil {
			t.Errorf("certificate for %s: %v", name, err)
		}
	}
	if _, err := pair.Leaf.Verify(x509.VerifyOptions{DNSName: "example.com", Roots: pool}); err == nil {
		t.Error("certificate verifies for a name it was not made for")
	}
	if info, err := os.Stat(filepath.Join(dir, "key.pem")); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key.pem: %v %v", info.Mode(), err)
	}
	for _, args := range [][]string{{"dev-cert"}, {"dev-cert", "--out"}, {"dev-cert", "--out", dir, "extra"}} {
		if _, err := capture(t, args...); exitCode(err) != 2 {
			t.Errorf("tillit %v: %v", args, err)
		}
	}
	if _, err := capture(t, "dev-cert", "--out", dir, "--host", "not a host"); err == nil || exitCode(err) != 1 {
		t.Errorf("a bad host name: %v", err)
	}
}

func TestServeTLSFlagsGoTogether(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--tls-cert", "cert.pem"},
		{"serve", "--tls-key", "key.pem"},
		{"serve", "--http-redirect", "127.0.0.1:0"},
	} {
		if _, err := capture(t, args...); exitCode(err) != 2 {
			t.Errorf("tillit %v: %v", args, err)
		}
	}
	if _, err := capture(t, "serve", "--tls-cert", "missing.pem", "--tls-key", "missing.pem"); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing certificate: %v", err)
	}
}

// TestServeHTTPS runs tillit serve with a dev-cert certificate and a
// redirect listener, as an operator would, and checks what a client sees:
// the TLS versions and cipher suites accepted, HTTP/2, the security headers
// with HSTS, Secure cookies, and the redirect from plain HTTP.
func TestServeHTTPS(t *testing.T) {
	t.Setenv("TILLIT_DATABASE_URL", storetest.DSN(t))
	key := make([]byte, 32)
	rand.Read(key)
	t.Setenv("TILLIT_MASTER_KEY", base64.StdEncoding.EncodeToString(key))
	t.Setenv("TILLIT_LOG_LEVEL", "error")
	dir, pool := devCert(t)
	addr, plain := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--listen", addr, "--tls-cert", filepath.Join(dir, "cert.pem"), "--tls-key", filepath.Join(dir, "key.pem"), "--http-redirect", plain})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve after shutdown: %v", err)
		}
	}()
	waitForTLS(t, addr, pool, done)

	handshake := func(cfg *tls.Config) (tls.ConnectionState, error) {
		cfg.RootCAs, cfg.ServerName = pool, "localhost"
		conn, err := tls.Dial("tcp", addr, cfg)
		if err != nil {
			return tls.ConnectionState{}, err
		}
		defer conn.Close()
		return conn.ConnectionState(), nil
	}
	if st, err := handshake(&tls.Config{MinVersion: tls.VersionTLS13}); err != nil || st.Version != tls.VersionTLS13 {
		t.Errorf("TLS 1.3: %v (version %x)", err, st.Version)
	}
	aead := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}
	st, err := handshake(&tls.Config{MaxVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}})
	if err != nil || st.Version != tls.VersionTLS12 || !slices.Contains(aead, st.CipherSuite) {
		t.Errorf("TLS 1.2: %v (version %x, suite %s)", err, st.Version, tls.CipherSuiteName(st.CipherSuite))
	}
	if st.NegotiatedProtocol != "h2" {
		t.Errorf("ALPN chose %q, want h2", st.NegotiatedProtocol)
	}
	for _, version := range []uint16{tls.VersionTLS11, tls.VersionTLS10} {
		if _, err := handshake(&tls.Config{MinVersion: version, MaxVersion: version}); err == nil || !strings.Contains(err.Error(), "protocol version") {
			t.Errorf("%s: %v, want refused for its protocol version", tls.VersionName(version), err)
		}
	}
	for _, suite := range []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256} {
		if _, err := handshake(&tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite}}); err == nil {
			t.Errorf("TLS 1.2 with %s accepted", tls.CipherSuiteName(suite))
		}
	}

	client := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()
	origin := "https://" + addr
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/app/signin", http.StatusOK},
		{"/staff/signin", http.StatusOK},
		{"/payments/v1/sessions/no-such-session", http.StatusUnauthorized},
		{"/healthz", http.StatusOK},
		{"/static/tillit.css", http.StatusOK},
	} {
		res, err := client.Get(origin + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.status || res.ProtoMajor != 2 {
			t.Errorf("%s: %d over %s, want %d over HTTP/2", tc.path, res.StatusCode, res.Proto, tc.status)
		}
		checkSecurityHeaders(t, tc.path, res.Header)
		for _, c := range res.Cookies() {
			if !c.Secure {
				t.Errorf("%s: cookie %s is not Secure", tc.path, c.Name)
			}
		}
	}

	for _, method := range []string{http.MethodGet, http.MethodPost} {
		req, err := http.NewRequest(method, "http://"+plain+"/app/signin?lang=da&next=%2Fapp%2F", strings.NewReader("a=b"))
		if err != nil {
			t.Fatal(err)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if want := origin + "/app/signin?lang=da&next=%2Fapp%2F"; res.StatusCode != http.StatusPermanentRedirect || res.Header.Get("Location") != want {
			t.Errorf("plain %s: %d to %q, want 308 to %q", method, res.StatusCode, res.Header.Get("Location"), want)
		}
		if len(body) != 0 {
			t.Errorf("plain %s: redirect has a body: %q", method, body)
		}
	}
}

// checkSecurityHeaders asserts the headers every HTTPS response carries.
func checkSecurityHeaders(t *testing.T, path string, h http.Header) {
	t.Helper()
	hsts := h.Get("Strict-Transport-Security")
	maxAge, _ := strconv.Atoi(strings.TrimPrefix(strings.Split(hsts, ";")[0], "max-age="))
	if maxAge < 365*24*3600 || !strings.Contains(hsts, "includeSubDomains") {
		t.Errorf("%s: Strict-Transport-Security %q", path, hsts)
	}
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self';") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe") {
		t.Errorf("%s: Content-Security-Policy %q", path, csp)
	}
	for name, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %s = %q, want %q", path, name, got, want)
		}
	}
	if pp := h.Get("Permissions-Policy"); !strings.Contains(pp, "camera=()") {
		t.Errorf("%s: Permissions-Policy %q", path, pp)
	}
}

// waitForTLS polls addr until a TLS handshake succeeds, failing the test if
// serve ends first or it is not up within two minutes (migrations run first).
func waitForTLS(t *testing.T, addr string, pool *x509.CertPool, done chan error) {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(2 * time.Minute)
	for {
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "localhost"})
		if err == nil {
			conn.Close()
			return
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("serve ended before listening: %v", err)
		case <-deadline:
			t.Fatalf("serve not listening on %s: %v", addr, err)
		case <-tick.C:
		}
	}
}
