package privacy

import (
	"encoding/json"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/i18n"
)

// update rewrites docs/record-of-processing.md instead of comparing it.
var update = flag.Bool("update", false, "rewrite docs/record-of-processing.md from the registry")

// recordDoc is the committed English record, relative to this package.
const recordDoc = "../../docs/record-of-processing.md"

// TestRecordOfProcessingDocIsCurrent fails when the committed record differs
// from what the registry generates.
func TestRecordOfProcessingDocIsCurrent(t *testing.T) {
	want := BuildRecord(i18n.English).Markdown()
	if *update {
		if err := os.WriteFile(recordDoc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(recordDoc)
	if err != nil {
		t.Fatalf("read the committed record: %v\nGenerate it with: go generate ./internal/privacy/", err)
	}
	if string(got) != want {
		t.Errorf("docs/record-of-processing.md is not what the registry generates (first difference at line %d).\n"+
			"Refresh it with: go generate ./internal/privacy/\n"+
			"(which runs: go test ./internal/privacy/ -run TestRecordOfProcessingDocIsCurrent -update)",
			firstDifferentLine(string(got), want))
	}
}

// firstDifferentLine returns the 1-based number of the first line where a
// and b differ.
func firstDifferentLine(a, b string) int {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

func TestRecordMatchesRegistry(t *testing.T) {
	for _, lang := range i18n.Supported {
		r := BuildRecord(lang)
		if len(r.Activities) != len(purposes) || len(r.Categories) != len(categories) {
			t.Fatalf("%s: %d activities and %d categories, want %d and %d", lang, len(r.Activities), len(r.Categories), len(purposes), len(categories))
		}
		for i, a := range r.Activities {
			p := purposes[i]
			if a.ID != p.ID || len(a.Categories) != len(p.Categories) || len(a.Subjects) != len(p.Subjects) ||
				len(a.Sources) != len(p.Sources) || len(a.Recipients) != len(p.Recipients) || a.Basis.ID != string(p.Basis) ||
				a.MayObject != p.MayObject || a.Automated != p.Automated || len(a.Retention) != 1+len(p.CategoryRetention) {
				t.Errorf("%s: activity %s does not match its purpose: %+v", lang, p.ID, a)
			}
			if (a.Special != nil) != (p.Special != NoSpecialCondition) {
				t.Errorf("%s: activity %s special condition %v, purpose has %q", lang, p.ID, a.Special, p.Special)
			}
			for _, text := range append([]string{a.Name, a.Description, a.Basis.Name, a.Erasure.Name}, a.Retention[0].Text) {
				if strings.HasPrefix(text, "privacy.") || strings.Contains(text, "{") {
					t.Errorf("%s: activity %s shows an untranslated or unfilled text %q", lang, p.ID, text)
				}
			}
		}
		// Every category the schema holds is listed with its columns.
		stored := map[CategoryID][]string{}
		for _, c := range r.Categories {
			stored[c.ID] = c.Columns
		}
		for _, name := range ColumnNames() {
			col, _ := LookupColumn(name)
			for _, c := range col.Categories {
				if !slices.Contains(stored[c], name) {
					t.Errorf("%s: the record does not list %s under %s", lang, name, c)
				}
			}
		}
	}
}

// jsonActivity is the part of an activity TestRecordJSON reads back.
type jsonActivity struct {
	ID        string `json:"id"`
	Retention []struct {
		Category string `json:"category"`
		Rule     struct {
			Period string `json:"period"`
			From   string `json:"from"`
			Then   string `json:"then"`
		} `json:"rule"`
		Text string `json:"text"`
	} `json:"retention"`
}

func TestRecordJSON(t *testing.T) {
	b, err := BuildRecord(i18n.English).JSON()
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Activities []jsonActivity `json:"activities"`
		Categories []struct {
			ID      string   `json:"id"`
			Columns []string `json:"columns"`
		} `json:"categories"`
		Security []string `json:"security_measures"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(got.Activities, func(a jsonActivity) bool { return a.ID == "call_recording" })
	if i < 0 {
		t.Fatal("no call_recording activity in the JSON")
	}
	rec := got.Activities[i].Retention
	if len(rec) != 2 || rec[0].Rule.Period != "90 days" || rec[0].Rule.From != "collected" || rec[0].Rule.Then != "delete" ||
		rec[1].Category != "screen_shares" || rec[1].Rule.Period != "30 days" || rec[1].Text != "Screen shares: 30 days after collection, then deleted" {
		t.Errorf("call_recording retention in JSON: %+v", rec)
	}
	if len(got.Security) != len(securityMeasures) || len(got.Categories) != len(categories) {
		t.Errorf("JSON has %d security measures and %d categories", len(got.Security), len(got.Categories))
	}
}

func TestRecordMarkdown(t *testing.T) {
	md := BuildRecord(i18n.English).Markdown()
	for _, want := range []string{
		"# Record of processing activities\n",
		"\n### Anti-money-laundering and sanctions (`aml_screening`)\n",
		"| Legal basis | Legal obligation (GDPR Art. 6(1)(c)); Substantial public interest, for special categories (GDPR Art. 9(2)(g)) |\n",
		"| How long | 7 years after the end of the financial year in which they were recorded, then anonymised |\n",
		"| How long | 90 days after collection, then deleted<br>Screen shares: 30 days after collection, then deleted |\n",
		"| Recipients | Nobody outside Tillit |\n",
		"| National identity number (`national_id`) |",
		"`authorizations.consumer`, `orders.consumer`, `orders.personal`, `payment_sessions.personal` |\n",
		"| Call recordings (`call_recordings`) | Recordings of phone calls with customer service. | No | Not stored yet |\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown record lacks %q", want)
		}
	}
	if cell("a|b") != `a\|b` {
		t.Error("cell does not escape |")
	}
}
