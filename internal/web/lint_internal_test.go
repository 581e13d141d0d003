package web

import (
	"os"
	"testing"
	"text/template/parse"
)

func TestScanText(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"<p>" + action + "</p>", nil},
		{"<p>Hello " + action + "</p>", []string{"Hello …"}},
		{`<a href="/x" title="Go">` + action + `</a>`, []string{"Go"}},
		{`<td data-label='Amount'>` + action + `</td>`, []string{"Amount"}},
		{`<input value="Go" class="big" aria-label="` + action + `">`, nil},
		{"<!-- Some note -->&nbsp;&middot;" + action + " – 42", nil},
		{"<script>var a = 1;</script><style>p { color: red }</style>", nil},
		{"a < b", []string{"a < b"}},
	}
	for _, tt := range tests {
		got := scanText(tt.src)
		if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
			t.Errorf("scanText(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestTemplateKeys(t *testing.T) {
	trees, err := parse.Parse("x", `{{t "a"}}{{if .X}}{{field .F "n" (t "b" "k" 1)}}{{else}}{{t "c" | printf "%s"}}{{end}}{{range .Y}}{{t .Key}}{{end}}{{template "z" (t "d")}}`,
		"{{", "}}", map[string]any{"t": true, "field": true, "printf": true})
	if err != nil {
		t.Fatal(err)
	}
	got := templateKeys(trees["x"].Root)
	if want := []string{"a", "b", "c", "d"}; len(got) != len(want) || got[0] != "a" || got[1] != "b" || got[2] != "c" || got[3] != "d" {
		t.Errorf("templateKeys = %q, want %q", got, want)
	}
}

// builtins names text/template's predefined functions for the parser.
var builtins = map[string]any{"and": true, "or": true, "not": true, "eq": true, "ne": true, "lt": true, "le": true,
	"gt": true, "ge": true, "len": true, "index": true, "slice": true, "print": true, "printf": true, "println": true,
	"html": true, "js": true, "urlquery": true, "call": true}

// keysIn parses one template file and returns its literal keys; the external
// tests reach it through export_test.go.
func keysIn(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fns := map[string]any{}
	for name := range funcs("en") {
		fns[name] = true
	}
	trees, err := parse.Parse(path, string(b), "{{", "}}", fns, builtins)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, tr := range trees {
		keys = append(keys, templateKeys(tr.Root)...)
	}
	return keys, nil
}
