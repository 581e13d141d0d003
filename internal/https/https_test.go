package https_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/https"
	"github.com/tillit/tillit/internal/logscan"
)

// now is the time the development certificates are made at.
var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// readCert parses the one certificate of a PEM file.
func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, rest := pem.Decode(raw)
	if block == nil || block.Type != "CERTIFICATE" || len(strings.TrimSpace(string(rest))) != 0 {
		t.Fatalf("%s is not one PEM certificate", path)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestWriteDevCert(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	dc, err := https.WriteDevCert(dir, []string{"Tillit.test", "*.shop.test", "192.0.2.10", "localhost"}, now)
	if err != nil {
		t.Fatal(err)
	}
	ca, leaf := readCert(t, dc.CA), readCert(t, dc.Cert)
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	for _, name := range []string{"localhost", "127.0.0.1", "::1", "tillit.test", "a.shop.test", "192.0.2.10"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: roots, CurrentTime: now}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, name := range []string{"example.com", "shop.test", "10.0.0.1"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: roots, CurrentTime: now}); err == nil {
			t.Errorf("verifies for %s", name)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: roots, CurrentTime: now.Add(https.DevCertValidity + time.Minute)}); err == nil {
		t.Error("verifies after it expired")
	}
	if got := dc.Names; len(got) != 6 || got[0] != "localhost" || got[3] != "tillit.test" {
		t.Errorf("names %v", got)
	}
	if !ca.IsCA || !ca.MaxPathLenZero || !ca.PermittedDNSDomainsCritical || len(ca.PermittedIPRanges) != 3 {
		t.Errorf("CA: IsCA %v, path length 0 %v, constraints %v %v", ca.IsCA, ca.MaxPathLenZero, ca.PermittedDNSDomains, ca.PermittedIPRanges)
	}
	for _, c := range []*x509.Certificate{ca, leaf} {
		pub, ok := c.PublicKey.(*ecdsa.PublicKey)
		if !ok || pub.Curve != elliptic.P256() {
			t.Errorf("%s: key %T, want ECDSA P-256", c.Subject.CommonName, c.PublicKey)
		}
		if c.NotAfter.Sub(now) > 31*24*time.Hour {
			t.Errorf("%s valid until %s", c.Subject.CommonName, c.NotAfter)
		}
	}
	if _, err := tls.LoadX509KeyPair(dc.Cert, dc.Key); err != nil {
		t.Errorf("key does not match the certificate: %v", err)
	}
	for path, mode := range map[string]os.FileMode{dc.Key: 0o600, dc.Cert: 0o644, dc.CA: 0o644, dir: 0o700} {
		if info, err := os.Stat(path); err != nil || info.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v (%v)", path, info.Mode().Perm(), mode, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("%d files written, want ca.pem, cert.pem and key.pem only", len(entries))
	}

	// A second run replaces the files, with a new CA.
	again, err := https.WriteDevCert(dir, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if readCert(t, again.CA).Equal(ca) {
		t.Error("the CA was not replaced")
	}
	for _, bad := range []string{"not a host", "a/b", "-x.test", "x..test", "*"} {
		if _, err := https.WriteDevCert(t.TempDir(), []string{bad}, now); err == nil {
			t.Errorf("host %q accepted", bad)
		}
	}
}

// serve runs https.Serve with h on a loopback port until the test ends and
// returns the listener's address.
func serve(t *testing.T, h http.Handler, opts https.Options) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	opts.Logger = logscan.Logger()
	srv := &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0)}
	go func() { done <- https.Serve(ctx, srv, ln, opts) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve after shutdown: %v", err)
		}
	})
	return ln.Addr().String()
}

func TestCertificateReload(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	if _, err := https.WriteDevCert(first, nil, now); err != nil {
		t.Fatal(err)
	}
	dc, err := https.WriteDevCert(second, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	live := filepath.Join(t.TempDir(), "live")
	if err := os.CopyFS(live, os.DirFS(first)); err != nil {
		t.Fatal(err)
	}
	cert, err := https.LoadCertificate(filepath.Join(live, "cert.pem"), filepath.Join(live, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	addr := serve(t, http.NotFoundHandler(), https.Options{Certificate: cert})
	presented := func() *x509.Certificate {
		t.Helper()
		conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0]
	}
	original := presented()
	if !original.Equal(readCert(t, filepath.Join(first, "cert.pem"))) {
		t.Fatal("not serving the loaded certificate")
	}

	// A key that does not match the new certificate: the old pair stays.
	copyFile(t, dc.Cert, filepath.Join(live, "cert.pem"))
	if err := cert.Reload(); err == nil {
		t.Error("reloaded a certificate with another's key")
	}
	if !presented().Equal(original) {
		t.Error("a failed reload changed the certificate")
	}
	copyFile(t, dc.Key, filepath.Join(live, "key.pem"))
	if err := cert.Reload(); err != nil {
		t.Fatal(err)
	}
	if !presented().Equal(readCert(t, dc.Cert)) {
		t.Error("the renewed certificate is not served after Reload")
	}
	if _, err := https.LoadCertificate(filepath.Join(live, "missing.pem"), dc.Key); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	raw, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRedirect(t *testing.T) {
	for _, tc := range []struct {
		origin, port, target, host string
		want                       string
	}{
		{"", "8443", "/app/orders?page=2&lang=da", "localhost:8080", "https://localhost:8443/app/orders?page=2&lang=da"},
		{"", "443", "/a%2Fb", "pay.example", "https://pay.example/a%2Fb"},
		{"", "443", "/", "[::1]:80", "https://[::1]/"},
		{"", "8443", "/x", "[::1]:80", "https://[::1]:8443/x"},
		{"https://pay.example/", "8443", "//evil.example/x?y", "evil.example", "https://pay.example//evil.example/x?y"},
		{"", "8443", "/x", "", ""},
		{"", "8443", "/x", "a@b", ""},
	} {
		req := httptest.NewRequest(http.MethodPost, "http://placeholder"+tc.target, strings.NewReader("body"))
		req.Host = tc.host
		rec := httptest.NewRecorder()
		https.Redirect(tc.origin, tc.port).ServeHTTP(rec, req)
		wantStatus := http.StatusPermanentRedirect
		if tc.want == "" {
			wantStatus = http.StatusBadRequest
		}
		if rec.Code != wantStatus || rec.Header().Get("Location") != tc.want || rec.Body.Len() != 0 {
			t.Errorf("%s%s: %d to %q with %d bytes, want %d to %q and no body", tc.host, tc.target, rec.Code, rec.Header().Get("Location"), rec.Body.Len(), wantStatus, tc.want)
		}
	}
}

func TestServe(t *testing.T) {
	dir := t.TempDir()
	// The client checks the certificate against the real time.
	dc, err := https.WriteDevCert(dir, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := https.LoadCertificate(dc.Cert, dc.Key)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := https.Serve(context.Background(), &http.Server{}, plain, https.Options{Redirect: plain}); err == nil {
		t.Error("a redirect without a certificate was accepted")
	}
	addr := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	}), https.Options{Certificate: cert, Redirect: plain})
	_, port, _ := net.SplitHostPort(addr)

	pool := x509.NewCertPool()
	pool.AddCert(readCert(t, dc.CA))
	client := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()
	res, err := client.Get("http://" + plain.Addr().String() + "/pay?x=1")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusPermanentRedirect || loc != "https://127.0.0.1:"+port+"/pay?x=1" {
		t.Fatalf("plain HTTP: %d to %q", res.StatusCode, loc)
	}
	res, err = client.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != "HTTP/2.0" {
		t.Errorf("served over %s, want HTTP/2.0", body)
	}
	for _, version := range []uint16{tls.VersionTLS11, tls.VersionTLS10} {
		if _, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, MinVersion: version, MaxVersion: version}); err == nil {
			t.Errorf("%s accepted", tls.VersionName(version))
		}
	}
}
