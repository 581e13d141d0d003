package https

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DevCertValidity is how long a development CA and certificate are valid:
// short, so a forgotten one expires soon.
const DevCertValidity = 30 * 24 * time.Hour

// DevCert names what WriteDevCert wrote.
type DevCert struct {
	// CA is the PEM file of the development CA's certificate, to trust.
	CA string
	// Cert and Key are the PEM files of the server certificate and its
	// private key, for tillit serve --tls-cert and --tls-key.
	Cert, Key string
	// Names are the certificate's host names and IP addresses.
	Names []string
	// NotAfter is when both certificates expire.
	NotAfter time.Time
}

// devNames are the names every development certificate covers.
var devNames = []string{"localhost", "127.0.0.1", "::1"}

// WriteDevCert makes a development CA and a server certificate it signs,
// for localhost, 127.0.0.1, ::1 and the extra hosts (DNS names, "*.name"
// wildcards or IP addresses), valid from an hour before now for
// DevCertValidity, and writes ca.pem, cert.pem and key.pem into dir (made
// 0700 if missing; the key 0600, replacing files of the same names). Keys
// are ECDSA P-256. The CA may only sign for those names (name constraints)
// and its private key is never written, so trusting ca.pem trusts nothing
// else.
func WriteDevCert(dir string, hosts []string, now time.Time) (DevCert, error) {
	var dnsNames, names []string
	var ips []net.IP
	seen := map[string]bool{}
	for _, h := range append(append([]string{}, devNames...), hosts...) {
		h = strings.ToLower(strings.TrimSpace(h))
		if seen[h] {
			continue
		}
		seen[h] = true
		if ip := net.ParseIP(h); ip != nil {
			ips = append(ips, ip)
		} else if validDevHost(h) {
			dnsNames = append(dnsNames, h)
		} else {
			return DevCert{}, fmt.Errorf("https: %q is neither a host name nor an IP address", h)
		}
		names = append(names, h)
	}
	notBefore, notAfter := now.Add(-time.Hour), now.Add(DevCertValidity)

	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return DevCert{}, err
	}
	caSerial, err := serialNumber()
	if err != nil {
		return DevCert{}, err
	}
	caID := caSerial.Text(16)
	if len(caID) > 8 {
		caID = caID[:8]
	}
	ca := &x509.Certificate{
		SerialNumber:          caSerial,
		Subject:               pkix.Name{Organization: []string{"Tillit development"}, CommonName: "Tillit development CA " + caID},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		// The CA may vouch for these names only.
		PermittedDNSDomainsCritical: true,
		PermittedDNSDomains:         constraintDomains(dnsNames),
		PermittedIPRanges:           constraintRanges(ips),
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return DevCert{}, err
	}
	if ca, err = x509.ParseCertificate(caDER); err != nil {
		return DevCert{}, err
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return DevCert{}, err
	}
	serial, err := serialNumber()
	if err != nil {
		return DevCert{}, err
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{Organization: []string{"Tillit development"}, CommonName: names[0]},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     dnsNames,
		IPAddresses:  ips,
	}, ca, &key.PublicKey, caKey)
	if err != nil {
		return DevCert{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return DevCert{}, err
	}

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return DevCert{}, err
	}
	out := DevCert{CA: filepath.Join(dir, "ca.pem"), Cert: filepath.Join(dir, "cert.pem"), Key: filepath.Join(dir, "key.pem"), Names: names, NotAfter: notAfter}
	for _, f := range []struct {
		path, block string
		der         []byte
		mode        os.FileMode
	}{
		{out.Key, "PRIVATE KEY", keyDER, 0o600},
		{out.Cert, "CERTIFICATE", leafDER, 0o644},
		{out.CA, "CERTIFICATE", caDER, 0o644},
	} {
		if err := writePEM(f.path, f.block, f.der, f.mode); err != nil {
			return DevCert{}, err
		}
	}
	return out, nil
}

// validDevHost reports whether h is a DNS name a certificate may carry:
// letters, digits, hyphens and dots, optionally behind one leading "*.".
func validDevHost(h string) bool {
	h = strings.TrimPrefix(h, "*.")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, c := range label {
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return true
}

// constraintDomains are the CA's permitted DNS domains: each name, a
// wildcard as its parent domain.
func constraintDomains(dnsNames []string) []string {
	out := make([]string, 0, len(dnsNames))
	for _, n := range dnsNames {
		out = append(out, strings.TrimPrefix(n, "*."))
	}
	return out
}

// constraintRanges are the CA's permitted IP ranges: each address alone.
func constraintRanges(ips []net.IP) []*net.IPNet {
	out := make([]*net.IPNet, 0, len(ips))
	for _, ip := range ips {
		bits := 128
		if v4 := ip.To4(); v4 != nil {
			ip, bits = v4, 32
		}
		out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
	}
	return out
}

// serialNumber is a random 128-bit certificate serial number.
func serialNumber() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
}

// writePEM replaces path with one PEM block, with the given permissions
// from the start (a temporary file renamed over it).
func writePEM(path, blockType string, der []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".devcert-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := pem.Encode(tmp, &pem.Block{Type: blockType, Bytes: der}); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
