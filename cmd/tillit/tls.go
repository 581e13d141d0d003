package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/https"
)

// tlsOptions are serve's HTTPS flags (docs/tls.md).
type tlsOptions struct {
	cert, key, redirect *string
}

// addTLSFlags declares --tls-cert, --tls-key and --http-redirect on fs.
func addTLSFlags(fs *flag.FlagSet) *tlsOptions {
	return &tlsOptions{
		cert:     fs.String("tls-cert", os.Getenv("TILLIT_TLS_CERT"), "PEM file of the server's certificate chain, leaf first: serve HTTPS (with --tls-key); SIGHUP reloads it"),
		key:      fs.String("tls-key", os.Getenv("TILLIT_TLS_KEY"), "PEM file of the certificate's private key"),
		redirect: fs.String("http-redirect", os.Getenv("TILLIT_HTTP_REDIRECT"), "address of a plain-HTTP listener that only redirects to HTTPS (308); needs --tls-cert"),
	}
}

// enabled reports whether serve serves HTTPS.
func (o *tlsOptions) enabled() bool { return *o.cert != "" }

// check refuses flags that do not go together.
func (o *tlsOptions) check() error {
	if (*o.cert == "") != (*o.key == "") {
		return usageError("serve: --tls-cert and --tls-key go together")
	}
	if *o.redirect != "" && !o.enabled() {
		return usageError("serve: --http-redirect needs --tls-cert and --tls-key")
	}
	return nil
}

// scheme is the URL scheme served: https or http.
func (o *tlsOptions) scheme() string {
	if o.enabled() {
		return "https"
	}
	return "http"
}

// baseURL is the public origin: TILLIT_BASE_URL, or else the scheme served
// and the address served on.
func (o *tlsOptions) baseURL(listen string) string {
	return env("TILLIT_BASE_URL", o.scheme()+"://"+listen)
}

// open loads the certificate and opens the redirect listener, as
// https.Serve takes them; without TLS it returns empty options.
func (o *tlsOptions) open() (https.Options, error) {
	var opts https.Options
	if !o.enabled() {
		return opts, nil
	}
	cert, err := https.LoadCertificate(*o.cert, *o.key)
	if err != nil {
		return opts, err
	}
	opts.Certificate = cert
	if *o.redirect == "" {
		return opts, nil
	}
	// Redirects go to the configured public origin when it is an HTTPS one,
	// else to the host the request named.
	if u, err := url.Parse(os.Getenv("TILLIT_BASE_URL")); err == nil && u.Scheme == "https" && u.Host != "" {
		opts.RedirectOrigin = "https://" + u.Host
	}
	if opts.Redirect, err = net.Listen("tcp", *o.redirect); err != nil {
		return opts, err
	}
	return opts, nil
}

const devCertUsage = `usage: tillit dev-cert --out DIR [--host NAME ...]
  a development CA and a certificate it signs for localhost, 127.0.0.1, ::1
  and each --host (a DNS name, *.name or an IP address), valid 30 days`

// devCertCommand writes a development CA and server certificate into --out
// and prints how to serve with them and how to trust the CA.
func devCertCommand(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("dev-cert", flag.ContinueOnError)
	out := fs.String("out", "", "directory to write ca.pem, cert.pem and key.pem into (required)")
	var hosts []string
	fs.Func("host", "another name the certificate is for (repeatable)", func(h string) error {
		hosts = append(hosts, h)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if *out == "" || fs.NArg() > 0 {
		return usageError(devCertUsage)
	}
	dir, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	dc, err := https.WriteDevCert(dir, hosts, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, `Development certificate for %s, valid until %s:
  %s  the development CA, to trust on this machine only
  %s  the server certificate
  %s  its private key (mode 0600)

Serve HTTPS on 8443, with plain HTTP on 8080 redirected to it:
  tillit serve --listen 127.0.0.1:8443 --tls-cert %s --tls-key %s --http-redirect 127.0.0.1:8080

Trust the CA (its private key was not kept: it can sign nothing more, and only for these names):
  curl                 curl --cacert %s https://localhost:8443/healthz
  Debian, Ubuntu       sudo cp %s /usr/local/share/ca-certificates/tillit-dev.crt && sudo update-ca-certificates
  Chromium on Linux    certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n tillit-dev -i %s
  macOS                sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain %s
  Firefox              Settings, Privacy & Security, Certificates, View Certificates, Authorities, Import
Untrust it when done: delete the copied file and run sudo update-ca-certificates --fresh, or certutil -D -n tillit-dev.
`, strings.Join(dc.Names, ", "), dc.NotAfter.UTC().Format(time.DateOnly), dc.CA, dc.Cert, dc.Key, dc.Cert, dc.Key, dc.CA, dc.CA, dc.CA, dc.CA)
	return nil
}
