package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/tillit/tillit/internal/i18n"
)

//go:embed templates/*.html
var baseTemplates embed.FS

// MinKeyLen is the shortest Options.Key accepted, in bytes.
const MinKeyLen = 32

// Options configures a Renderer.
type Options struct {
	// Key signs CSRF tokens and flash cookies; at least MinKeyLen bytes of
	// secret, the same in every process serving the pages (use the instance
	// secret).
	Key []byte
	// Home is where the product name in the header links to; "/" when empty.
	Home string
	// NoHomeLink shows the product name without a link, for pages a
	// visitor should finish rather than leave, such as the checkout.
	NoHomeLink bool
	// SecureCookies marks every cookie Secure even on plain-HTTP requests,
	// for deployments where a proxy terminates TLS. Cookies on HTTPS
	// requests are always Secure.
	SecureCookies bool
	// SessionID, when set, returns the caller's session identifier for a
	// request ("" when signed out). CSRF tokens are then bound to it, so a
	// token issued before signing in is refused after.
	SessionID func(*http.Request) string
	// Logger receives template and panic errors; slog.Default() when nil.
	Logger *slog.Logger
}

// Renderer renders pages through the shared layout in the reader's language,
// and provides the middleware those pages are served behind. Add every page
// with AddPages before serving; after that it is safe for concurrent use.
type Renderer struct {
	opts     Options
	csrfKey  []byte
	flashKey []byte
	base     map[i18n.Lang]*template.Template

	mu    sync.RWMutex
	pages map[string]map[i18n.Lang]*template.Template
}

// NewRenderer returns a Renderer with the layout, the shared partials and
// the error page ("web/error").
func NewRenderer(opts Options) (*Renderer, error) {
	if len(opts.Key) < MinKeyLen {
		return nil, fmt.Errorf("web: Options.Key must be at least %d bytes", MinKeyLen)
	}
	switch {
	case opts.NoHomeLink:
		opts.Home = ""
	case opts.Home == "":
		opts.Home = "/"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	rd := &Renderer{
		opts:     opts,
		csrfKey:  deriveKey(opts.Key, "csrf"),
		flashKey: deriveKey(opts.Key, "flash"),
		base:     map[i18n.Lang]*template.Template{},
		pages:    map[string]map[i18n.Lang]*template.Template{},
	}
	for _, l := range i18n.Supported {
		t, err := template.New("").Funcs(funcs(l)).ParseFS(baseTemplates, "templates/layout.html", "templates/partials.html")
		if err != nil {
			return nil, fmt.Errorf("web: layout: %w", err)
		}
		rd.base[l] = t
	}
	if err := lint(rd.base[i18n.Default]); err != nil {
		return nil, err
	}
	if err := rd.AddPages("web", baseTemplates, "templates/error.html"); err != nil {
		return nil, err
	}
	return rd, nil
}

// AddPages parses the templates in fsys that match patterns (fs.Glob
// patterns) as pages named namespace + "/" + the file's name without ".html".
// Files whose name starts with "_" are partials: parsed into every page of
// this call, never pages themselves. Each page must define "title" and
// "content". AddPages fails on a parse error, a page name already taken, a
// message key no catalog has, or text written into a template instead of
// taken from the catalog.
func (rd *Renderer) AddPages(namespace string, fsys fs.FS, patterns ...string) error {
	var files, partials []string
	for _, p := range patterns {
		matches, err := fs.Glob(fsys, p)
		if err != nil {
			return fmt.Errorf("web: pattern %q: %w", p, err)
		}
		if len(matches) == 0 {
			return fmt.Errorf("web: pattern %q matches no file", p)
		}
		for _, m := range matches {
			if strings.HasPrefix(path.Base(m), "_") {
				partials = append(partials, m)
			} else {
				files = append(files, m)
			}
		}
	}
	sort.Strings(files)
	parsed := map[string]map[i18n.Lang]*template.Template{}
	for _, file := range files {
		name := namespace + "/" + strings.TrimSuffix(path.Base(file), ".html")
		set := map[i18n.Lang]*template.Template{}
		for _, l := range i18n.Supported {
			t, err := rd.base[l].Clone()
			if err != nil {
				return fmt.Errorf("web: %s: %w", name, err)
			}
			if t, err = t.ParseFS(fsys, append(append([]string{}, partials...), file)...); err != nil {
				return fmt.Errorf("web: %s: %w", name, err)
			}
			set[l] = t
		}
		t := set[i18n.Default]
		for _, required := range []string{"title", "content"} {
			if t.Lookup(required) == nil {
				return fmt.Errorf("web: %s: %s does not define %q", name, file, required)
			}
		}
		if err := lint(t); err != nil {
			return fmt.Errorf("web: %s: %w", name, err)
		}
		parsed[name] = set
	}
	rd.mu.Lock()
	defer rd.mu.Unlock()
	for name := range parsed {
		if _, ok := rd.pages[name]; ok {
			return fmt.Errorf("web: page %q is already defined", name)
		}
	}
	for name, set := range parsed {
		rd.pages[name] = set
	}
	return nil
}

// View is the root of every page's template data ($ in a template).
type View struct {
	// Lang is the language the page is written in.
	Lang i18n.Lang
	// Data is what the handler passed to Render.
	Data any
	// Notices are the flash notices to show once, translated.
	Notices []Notice
	// Langs is the language switch: one link per language.
	Langs []LangOption
	// Home is where the product name links to; empty for no link.
	Home string

	csrfToken string
}

// CSRFToken returns the request's CSRF token, for a form built by hand or a
// request header (CSRFHeader).
func (v View) CSRFToken() string { return v.csrfToken }

// CSRFField returns the hidden input that carries the CSRF token: put
// {{$.CSRFField}} inside every form that posts.
func (v View) CSRFField() template.HTML {
	return template.HTML(`<input type="hidden" name="` + CSRFFieldName + `" value="` +
		template.HTMLEscapeString(v.csrfToken) + `">`)
}

// LangOption is one entry of the language switch.
type LangOption struct {
	Lang    i18n.Lang
	Name    string // the language's own name for itself
	URL     string // the current page with ?lang= set
	Current bool
}

// Render writes page with the given status, in the request's language. The
// page is rendered in full before anything is written, so a template error
// becomes a 500 page rather than half a page.
func (rd *Renderer) Render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	if err := rd.render(w, r, status, page, data); err != nil {
		rd.opts.Logger.Error("web: render", "page", page, "err", err)
		rd.Error(w, r, http.StatusInternalServerError)
	}
}

func (rd *Renderer) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) error {
	lang := Lang(r)
	rd.mu.RLock()
	set, ok := rd.pages[page]
	rd.mu.RUnlock()
	if !ok {
		return fmt.Errorf("no page %q", page)
	}
	t := set[lang]
	if t == nil {
		t = set[i18n.Default]
	}
	view := View{
		Lang:      lang,
		Data:      data,
		Langs:     langOptions(r, lang),
		Home:      rd.opts.Home,
		csrfToken: CSRFToken(r),
	}
	view.Notices = peekFlashes(r, lang)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", view); err != nil {
		return err
	}
	clearFlashes(w, r)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", string(lang))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	if err != nil {
		rd.opts.Logger.Debug("web: write", "page", page, "err", err)
	}
	return nil
}

// errorPage is the data of the "web/error" page.
type errorPage struct {
	Status   int
	TitleKey string
	BodyKey  string
}

// Error renders the error page for status (404, 403, 500 or another) in the
// reader's language.
func (rd *Renderer) Error(w http.ResponseWriter, r *http.Request, status int) {
	kind := "bad_request"
	switch {
	case status == http.StatusNotFound:
		kind = "not_found"
	case status == http.StatusForbidden:
		kind = "forbidden"
	case status >= 500:
		kind = "internal"
	}
	data := errorPage{Status: status, TitleKey: "error." + kind + ".title", BodyKey: "error." + kind + ".body"}
	if err := rd.render(w, r, status, "web/error", data); err != nil {
		rd.opts.Logger.Error("web: render error page", "status", status, "err", err)
		http.Error(w, http.StatusText(status), status)
	}
}

// langOptions builds the language switch for the current URL.
func langOptions(r *http.Request, current i18n.Lang) []LangOption {
	opts := make([]LangOption, 0, len(i18n.Supported))
	for _, l := range i18n.Supported {
		q := r.URL.Query()
		q.Set(i18n.Param, string(l))
		opts = append(opts, LangOption{
			Lang:    l,
			Name:    l.Name(),
			URL:     r.URL.Path + "?" + q.Encode(),
			Current: l == current,
		})
	}
	return opts
}
