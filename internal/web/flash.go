package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/tillit/tillit/internal/i18n"
)

// FlashKind is the kind of a notice, which sets its colour and role.
type FlashKind string

// The kinds of notice.
const (
	FlashInfo    FlashKind = "info"
	FlashSuccess FlashKind = "success"
	FlashWarning FlashKind = "warning"
	FlashError   FlashKind = "error"
)

// Notice is a flash message translated for the page it is shown on.
type Notice struct {
	Kind  FlashKind
	Label string // the kind in words ("Warning"), for screen readers
	Text  string
}

// Role returns the ARIA role that announces the notice: alert for errors and
// warnings, status otherwise.
func (n Notice) Role() string {
	if n.Kind == FlashError || n.Kind == FlashWarning {
		return "alert"
	}
	return "status"
}

// flashCookie carries pending notices between a POST and the page after it.
const flashCookie = "tillit_flash"

// flash is a notice as stored in the cookie: a key and arguments, so it is
// translated when shown.
type flash struct {
	Kind FlashKind `json:"k"`
	Key  string    `json:"m"`
	Args []string  `json:"a,omitempty"`
}

// flashState is one request's notices: those its cookie brought and those
// added while handling it.
type flashState struct {
	key      []byte
	pending  []flash
	inCookie bool
}

type flashKey struct{}

// Flash adds a one-shot notice, a catalog key with its placeholder arguments
// (name/value pairs), shown on the next page rendered for this browser:
// usually the one a Redirect after a POST leads to. It panics outside
// Renderer.Middleware.
func Flash(w http.ResponseWriter, r *http.Request, kind FlashKind, key string, args ...any) {
	st, ok := r.Context().Value(flashKey{}).(*flashState)
	if !ok {
		panic("web: Flash called outside Renderer.Middleware")
	}
	f := flash{Kind: kind, Key: key}
	for _, a := range args {
		f.Args = append(f.Args, fmt.Sprint(a))
	}
	st.pending = append(st.pending, f)
	SetCookie(w, r, flashCookie, st.encode(), 0)
}

// Redirect sends the browser to url with 303 See Other, so that after a POST
// it loads the next page with GET.
func Redirect(w http.ResponseWriter, r *http.Request, url string) {
	http.Redirect(w, r, url, http.StatusSeeOther)
}

func (st *flashState) mac(payload string) []byte {
	m := hmac.New(sha256.New, st.key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

func (st *flashState) encode() string {
	b, err := json.Marshal(st.pending)
	if err != nil {
		panic(err)
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + base64.RawURLEncoding.EncodeToString(st.mac(payload))
}

// decode returns the notices of a cookie value, or nil when its signature
// does not verify.
func (st *flashState) decode(v string) []flash {
	payload, sig, ok := strings.Cut(v, ".")
	if !ok {
		return nil
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, st.mac(payload)) {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil
	}
	var fs []flash
	if json.Unmarshal(b, &fs) != nil {
		return nil
	}
	return fs
}

// withFlashes reads the request's flash cookie into its context.
func (rd *Renderer) withFlashes(r *http.Request) *http.Request {
	st := &flashState{key: rd.flashKey}
	if c, err := r.Cookie(flashCookie); err == nil {
		st.inCookie = true
		st.pending = st.decode(c.Value)
	}
	return r.WithContext(context.WithValue(r.Context(), flashKey{}, st))
}

// peekFlashes returns the pending notices translated into lang, without
// consuming them.
func peekFlashes(r *http.Request, lang i18n.Lang) []Notice {
	st, ok := r.Context().Value(flashKey{}).(*flashState)
	if !ok || len(st.pending) == 0 {
		return nil
	}
	out := make([]Notice, 0, len(st.pending))
	for _, f := range st.pending {
		args := make([]any, len(f.Args))
		for i, a := range f.Args {
			args[i] = a
		}
		out = append(out, Notice{Kind: f.Kind, Label: i18n.T(lang, "notice."+string(f.Kind)), Text: i18n.T(lang, f.Key, args...)})
	}
	return out
}

// clearFlashes consumes the pending notices once a page has shown them, and
// drops a flash cookie that did not verify.
func clearFlashes(w http.ResponseWriter, r *http.Request) {
	st, ok := r.Context().Value(flashKey{}).(*flashState)
	if !ok || (!st.inCookie && len(st.pending) == 0) {
		return
	}
	st.inCookie = false
	st.pending = nil
	SetCookie(w, r, flashCookie, "", -1)
}
