// Package https serves Tillit over TLS: the TLS configuration every HTTPS
// listener uses (TLS 1.2 and 1.3 only, AEAD cipher suites with forward
// secrecy, HTTP/2), a certificate that reloads from its files without a
// restart, the plain-HTTP listener that only redirects to HTTPS, and
// self-signed development certificates. The security headers themselves,
// HSTS included, are package web's (web.SecurityHeaders). docs/tls.md
// describes the whole.
package https

import (
	"crypto/tls"
	"fmt"
	"sync"
)

// cipherSuites are the TLS 1.2 suites offered: ECDHE key exchange (forward
// secrecy) with AES-GCM or ChaCha20-Poly1305 (authenticated encryption),
// strongest first. TLS 1.3 has only such suites and ignores this list. An
// ECDHE suite with AES-128-GCM must be present for HTTP/2 (RFC 7540, 9.2.2).
var cipherSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
}

// Config returns the TLS configuration of an HTTPS listener serving cert:
// TLS 1.2 at least, the AEAD suites above for TLS 1.2, Go's default key
// exchanges (hybrid post-quantum X25519MLKEM768, X25519, NIST curves). The
// HTTP/2 and HTTP/1.1 ALPN names are added by http.Server.ServeTLS.
func Config(cert *Certificate) *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		CipherSuites:   cipherSuites,
		GetCertificate: cert.GetCertificate,
	}
}

// Certificate is the server's certificate and key, loaded from two PEM
// files and reloadable while serving: handshakes after a successful Reload
// present the new certificate, and a failed Reload keeps the old one.
type Certificate struct {
	certFile, keyFile string

	mu   sync.RWMutex
	pair *tls.Certificate
}

// LoadCertificate reads the certificate chain (leaf first) and its private
// key from PEM files. It fails when either file is unreadable or the key
// does not belong to the certificate.
func LoadCertificate(certFile, keyFile string) (*Certificate, error) {
	c := &Certificate{certFile: certFile, keyFile: keyFile}
	if err := c.Reload(); err != nil {
		return nil, err
	}
	return c, nil
}

// Reload reads the files again (an operator renewed the certificate) and
// uses them from the next handshake on. On error the certificate in use
// stays.
func (c *Certificate) Reload() error {
	pair, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("https: certificate %s with key %s: %w", c.certFile, c.keyFile, err)
	}
	c.mu.Lock()
	c.pair = &pair
	c.mu.Unlock()
	return nil
}

// GetCertificate is tls.Config.GetCertificate: the certificate in use.
func (c *Certificate) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.pair, nil
}
