package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

//go:embed locales
var localeFiles embed.FS

// catalogFiles returns the catalog files of lang: locales/<lang>.json (the
// shared messages) and locales/<area>/<lang>.json for each area (the pages of
// one package: checkout, consumer, merchant, staff, ...).
func catalogFiles(lang Lang) []string {
	files := []string{"locales/" + string(lang) + ".json"}
	areas, err := localeFiles.ReadDir("locales")
	if err != nil {
		panic(fmt.Sprintf("i18n: %v", err))
	}
	for _, a := range areas {
		if a.IsDir() {
			files = append(files, "locales/"+a.Name()+"/"+string(lang)+".json")
		}
	}
	return files
}

// catalogs maps each language to its messages, loaded once from the embedded
// files. A malformed file stops the program at start-up (and every test).
var catalogs = mustLoad()

func mustLoad() map[Lang]map[string]string {
	out := make(map[Lang]map[string]string, len(Supported))
	for _, l := range Supported {
		m := map[string]string{}
		for _, name := range catalogFiles(l) {
			b, err := localeFiles.ReadFile(name)
			if err != nil {
				panic(fmt.Sprintf("i18n: catalog for %s: %v", l, err))
			}
			part := map[string]string{}
			if err := json.Unmarshal(b, &part); err != nil {
				panic(fmt.Sprintf("i18n: %s: %v", name, err))
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					panic(fmt.Sprintf("i18n: %s: key %q is defined in another file too", name, k))
				}
				m[k] = v
			}
		}
		out[l] = m
	}
	return out
}

// T returns the message for key in lang with its placeholders filled from
// args, which alternate a placeholder's name and its value:
//
//	T(Danish, "form.too_long", "max", 40) // "Brug højst 40 tegn."
//
// Values are formatted with fmt.Sprint. A key missing from lang falls back to
// English, and a key missing from English is returned as it is, so a mistake
// shows on the page instead of an empty string (the tests catch both). A
// placeholder without a value is left as written.
func T(lang Lang, key string, args ...any) string {
	msg, ok := catalogs[lang][key]
	if !ok {
		if msg, ok = catalogs[Default][key]; !ok {
			return key
		}
	}
	if !strings.Contains(msg, "{") {
		return msg
	}
	return fill(msg, args)
}

// fill replaces each {name} in msg with the value paired with name in args.
func fill(msg string, args []any) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(msg, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(msg[open:], '}')
		if end < 0 {
			break
		}
		name := msg[open+1 : open+end]
		b.WriteString(msg[:open])
		if v, ok := lookup(args, name); ok {
			b.WriteString(v)
		} else {
			b.WriteString(msg[open : open+end+1])
		}
		msg = msg[open+end+1:]
	}
	b.WriteString(msg)
	return b.String()
}

func lookup(args []any, name string) (string, bool) {
	for i := 0; i+1 < len(args); i += 2 {
		if n, ok := args[i].(string); ok && n == name {
			return fmt.Sprint(args[i+1]), true
		}
	}
	return "", false
}

// Has reports whether the English catalog, the reference every other
// language must match, has key.
func Has(key string) bool {
	_, ok := catalogs[Default][key]
	return ok
}

// Keys returns the keys of lang's catalog, sorted.
func Keys(lang Lang) []string {
	keys := make([]string, 0, len(catalogs[lang]))
	for k := range catalogs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Message returns lang's message for key as written in the catalog, with its
// placeholders unfilled, and whether lang has the key.
func Message(lang Lang, key string) (string, bool) {
	m, ok := catalogs[lang][key]
	return m, ok
}

// Placeholders returns the names of the placeholders in msg, sorted and
// without repeats.
func Placeholders(msg string) []string {
	seen := map[string]bool{}
	var names []string
	for {
		open := strings.IndexByte(msg, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(msg[open:], '}')
		if end < 0 {
			break
		}
		name := msg[open+1 : open+end]
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
		msg = msg[open+end+1:]
	}
	sort.Strings(names)
	return names
}

// Printer formats text, amounts and dates in one language: hand one to code
// that writes for a single reader, such as an e-mail.
type Printer struct {
	Lang Lang
}

// T returns the message for key; see the package function T.
func (p Printer) T(key string, args ...any) string { return T(p.Lang, key, args...) }
