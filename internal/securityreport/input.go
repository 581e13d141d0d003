package securityreport

import (
	"bytes"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/apperr"
)

// checkText trims s and checks it is text of at most max characters;
// required refuses an empty one. Errors: BAD_VALUE naming field.
func checkText(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case required && s == "":
		return "", apperr.BadField(field, "is required")
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return "", apperr.BadField(field, "must be text")
	case utf8.RuneCountInString(s) > max:
		return "", apperr.BadField(field, "must be at most %d characters", max)
	}
	return s, nil
}

// CheckURL trims an address as reported and checks it is a web address:
// http or https (a missing scheme is taken as http), with a host, at most
// MaxURL bytes, without spaces or control characters. "" stays "". It is
// only parsed, never fetched. Errors: BAD_VALUE (url).
func CheckURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	bad := apperr.BadField("url", "must be a web address (http or https) of at most %d characters", MaxURL)
	if len(s) > MaxURL || !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "", bad
	}
	withScheme := s
	if !strings.Contains(s, "://") {
		withScheme = "http://" + s
	}
	u, err := url.Parse(withScheme)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || strings.HasPrefix(u.Hostname(), ".") {
		return "", bad
	}
	return s, nil
}

// Defang rewrites an address so that neither a browser nor a mail client
// makes a link of it: the scheme's "t" becomes "x" (hxxps://) and every
// dot of the host is bracketed (example[.]com). The path stays as it was.
func Defang(s string) string {
	if s == "" {
		return ""
	}
	scheme, rest, found := strings.Cut(s, "://")
	if !found {
		scheme, rest = "", s
	}
	host, tail := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host, tail = rest[:i], rest[i:]
	}
	host = strings.ReplaceAll(host, ".", "[.]")
	switch strings.ToLower(scheme) {
	case "":
		return host + tail
	case "http":
		scheme = "hxxp"
	case "https":
		scheme = "hxxps"
	}
	return scheme + "://" + host + tail
}

// CheckEmail trims and lower-cases an optional reporter address and checks
// it. "" stays "". Errors: BAD_VALUE (email).
func CheckEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > MaxEmail || a.Name != "" {
		return "", apperr.BadField("email", "must be an e-mail address")
	}
	return s, nil
}

// Upload is an uploaded file as received.
type Upload struct {
	Name    string
	Content []byte
}

// oleMagic starts an Outlook .msg file (an OLE compound file).
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// CheckFile checks an uploaded e-mail and returns its name and the content
// type read from its bytes, never from the name: an .eml file must be
// text (message/rfc822), a .txt file text (text/plain), an .msg file an
// Outlook message (application/vnd.ms-outlook). Anything a browser would
// take for HTML is refused. Errors: BAD_VALUE (file).
func CheckFile(u Upload) (FileInfo, error) {
	name := strings.TrimSpace(u.Name)
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxFileName ||
		strings.IndexFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == '/' || r == '\\' }) >= 0 {
		return FileInfo{}, apperr.BadField("file", "must have a name of at most %d characters", MaxFileName)
	}
	if len(u.Content) == 0 || len(u.Content) > MaxFileBytes {
		return FileInfo{}, apperr.BadField("file", "must hold 1 byte to %d MB", MaxFileBytes>>20)
	}
	sniffed, _, _ := strings.Cut(http.DetectContentType(u.Content), ";")
	wrong := apperr.BadField("file", "must be an e-mail saved as .eml, .msg or .txt")
	var ct string
	switch strings.ToLower(path.Ext(name)) {
	case ".eml":
		ct = "message/rfc822"
	case ".txt":
		ct = "text/plain"
	case ".msg":
		if !bytes.HasPrefix(u.Content, oleMagic) {
			return FileInfo{}, wrong
		}
		return FileInfo{Name: name, Type: "application/vnd.ms-outlook", Size: int64(len(u.Content))}, nil
	default:
		return FileInfo{}, wrong
	}
	if sniffed != "text/plain" || !utf8.Valid(u.Content) {
		return FileInfo{}, wrong
	}
	return FileInfo{Name: name, Type: ct, Size: int64(len(u.Content))}, nil
}

// NetworkOf returns the network a client address belongs to for the public
// page's rate limit: the /24 of an IPv4 address, the /48 of an IPv6 one,
// and the address itself when it does not parse. remoteAddr is
// http.Request.RemoteAddr ("host:port" or a bare host).
func NetworkOf(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	switch {
	case ip == nil:
		return host
	case ip.To4() != nil:
		return ip.Mask(net.CIDRMask(24, 32)).String() + "/24"
	}
	return ip.Mask(net.CIDRMask(48, 128)).String() + "/48"
}
