// Package notice serves the privacy notice's purpose tables, generated from
// the purpose registry (package privacy), to anyone without signing in:
//
//	GET /privacy/              the notice as a page, in the reader's language
//	GET /privacy/notice.json   the same as JSON; ?lang=da|en|nl|sv picks the
//	                           language, the browser's otherwise
//
// Nothing here is written by hand: what the notice says about each purpose
// (the data, sources, lawful basis, retention, recipients and the person's
// rights) is what the registry declares, so it cannot drift from the code.
package notice

import (
	"embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Paths of the notice.
const (
	// Prefix is where Handler is mounted.
	Prefix = "/privacy/"
	// JSONPath is the notice as JSON.
	JSONPath = Prefix + "notice.json"
)

// Pages serves the privacy notice.
type Pages struct {
	rd      *web.Renderer
	handler http.Handler
}

// New returns the notice's pages. key signs the shared layout's CSRF tokens
// and notices: at least web.MinKeyLen bytes (the instance's web key).
func New(key []byte, secureCookies bool, logger *slog.Logger) (*Pages, error) {
	rd, err := web.NewRenderer(web.Options{Key: key, SecureCookies: secureCookies, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("notice: %w", err)
	}
	if err := rd.AddPages("notice", templates, "templates/*.html"); err != nil {
		return nil, fmt.Errorf("notice: %w", err)
	}
	p := &Pages{rd: rd}
	mux := access.NewRouter(access.Gate{}) // public pages only
	mux.HandleFunc("GET "+Prefix+"{$}", p.page)
	mux.HandleFunc("GET "+JSONPath, p.json)
	mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) { rd.Error(w, r, http.StatusNotFound) })
	p.handler = rd.Middleware(mux)
	return p, nil
}

// Handler serves every path under Prefix.
func (p *Pages) Handler() http.Handler { return p.handler }

// page renders the notice in the reader's language.
func (p *Pages) page(w http.ResponseWriter, r *http.Request) {
	p.rd.Render(w, r, http.StatusOK, "notice/notice", privacy.BuildNotice(web.Lang(r)))
}

// json answers with the notice as JSON in the language asked for.
func (p *Pages) json(w http.ResponseWriter, r *http.Request) {
	lang := web.Lang(r)
	if q := r.URL.Query().Get("lang"); q != "" {
		l, ok := i18n.Parse(q)
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]any{
				"error_code": "BAD_VALUE", "error_messages": []string{"Bad value: lang must be one of da, en, nl, sv"},
			})
			return
		}
		lang = l
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Language", string(lang))
	_ = json.NewEncoder(w).Encode(privacy.BuildNotice(lang))
}
