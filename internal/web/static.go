package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var staticFiles embed.FS

// StaticPrefix is the URL path the static files are served under.
const StaticPrefix = "/static/"

// asset is one embedded static file.
type asset struct {
	name   string // "tillit.css"
	hashed string // "tillit.3f2a1c9e0b.css"
	etag   string
	body   []byte
}

// assets holds the static files by plain and by hashed name.
var assets = loadAssets()

func loadAssets() map[string]*asset {
	out := map[string]*asset{}
	entries, err := fs.ReadDir(staticFiles, "static")
	if err != nil {
		panic("web: static files: " + err.Error())
	}
	for _, e := range entries {
		body, err := staticFiles.ReadFile("static/" + e.Name())
		if err != nil {
			panic("web: static files: " + err.Error())
		}
		sum := sha256.Sum256(body)
		h := hex.EncodeToString(sum[:5])
		ext := path.Ext(e.Name())
		a := &asset{
			name:   e.Name(),
			hashed: strings.TrimSuffix(e.Name(), ext) + "." + h + ext,
			etag:   `"` + h + `"`,
			body:   body,
		}
		out[a.name] = a
		out[a.hashed] = a
	}
	return out
}

// AssetURL returns the URL of a static file with its content hash in the
// name ("/static/tillit.3f2a1c9e0b.css"), which may be cached for ever. It
// panics on a name that is not embedded, which the template tests catch.
func AssetURL(name string) string {
	a, ok := assets[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return StaticPrefix + a.hashed
}

// Static serves the embedded static files under StaticPrefix: by hashed name
// with a year-long immutable cache, and by plain name with an ETag that must
// be revalidated.
func Static() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, StaticPrefix)
		a, ok := assets[name]
		if !ok || name == "" {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", a.etag)
		if name == a.hashed {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(a.body))
	})
}
