package consumerapp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// dataPath shows everything Tillit holds about the signed-in consumer (D2),
// by data category; dataJSONPath hands the same over as a JSON file.
const (
	dataPath     = privacyPath + "/data"
	dataJSONPath = dataPath + ".json"
)

// dataPage is the data of the page.
type dataPage struct {
	shell
	GeneratedAt time.Time
	Categories  []dataCategory
}

// dataCategory is one category as the page shows it.
type dataCategory struct {
	rights.CategoryExtract
	Lines []dataLine
}

// dataLine is one stored value, flattened: a JSON document gives a line per
// field.
type dataLine struct {
	Record, Field, Value string
	// At is set when the value is a time.
	At         *time.Time
	Unreadable bool
}

// extract builds the signed-in consumer's access extract.
func (p *Pages) extract(r *http.Request, cv consumerView) (rights.Extract, error) {
	var x rights.Extract
	err := p.cfg.Rights.DB.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		x, err = p.cfg.Rights.Access(tx, cv.Consumer.PersonID, web.Lang(r))
		return err
	})
	return x, err
}

// data shows the consumer's access extract as a page.
func (p *Pages) data(w http.ResponseWriter, r *http.Request, cv consumerView) {
	x, err := p.extract(r, cv)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	page := dataPage{shell: shell{Email: cv.Consumer.Email, Nav: "privacy"}, GeneratedAt: x.GeneratedAt}
	for _, c := range x.Categories {
		dc := dataCategory{CategoryExtract: c}
		for _, it := range c.Items {
			dc.Lines = append(dc.Lines, flatten(it)...)
		}
		page.Categories = append(page.Categories, dc)
	}
	p.rd.Render(w, r, http.StatusOK, "consumer/data", page)
}

// dataJSON hands the consumer's access extract over as a JSON file.
func (p *Pages) dataJSON(w http.ResponseWriter, r *http.Request, cv consumerView) {
	x, err := p.extract(r, cv)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	body, err := x.JSON()
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="tillit-my-data.json"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

// flatten turns an item into lines: one per field of a JSON document.
func flatten(it rights.Item) []dataLine {
	line := dataLine{Record: it.Record, Field: it.Field, Unreadable: it.Unreadable}
	switch v := it.Value.(type) {
	case json.RawMessage:
		var doc any
		if json.Unmarshal(v, &doc) == nil {
			var out []dataLine
			walk(it.Field, doc, func(field, value string) {
				out = append(out, dataLine{Record: it.Record, Field: field, Value: value})
			})
			return out
		}
		line.Value = string(v)
	case time.Time:
		line.At = &v
	case nil:
	default:
		line.Value = fmt.Sprint(v)
	}
	return []dataLine{line}
}

// walk calls fn with every leaf of a decoded JSON document, named by its
// path.
func walk(path string, v any, fn func(field, value string)) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			walk(path+"."+k, x[k], fn)
		}
	case []any:
		for i, e := range x {
			walk(fmt.Sprintf("%s[%d]", path, i), e, fn)
		}
	case nil:
	case string:
		if strings.TrimSpace(x) != "" {
			fn(path, x)
		}
	default:
		fn(path, fmt.Sprint(x))
	}
}
