package privacy

import (
	"slices"
	"strings"
	"testing"
)

// TestEveryPersonalTableLinked checks that every table with a personal
// column says how its rows about a person are found (or why it holds
// nothing about consumers), and that every link names real columns of
// linked tables without a cycle.
func TestEveryPersonalTableLinked(t *testing.T) {
	personalTables := map[string]bool{}
	tableColumns := map[string]map[string]bool{}
	for _, name := range ColumnNames() {
		table, column, _ := strings.Cut(name, ".")
		if tableColumns[table] == nil {
			tableColumns[table] = map[string]bool{}
		}
		tableColumns[table][column] = true
		if c, _ := LookupColumn(name); c.Personal() {
			personalTables[table] = true
		}
	}
	for table := range personalTables {
		_, linked := tableLinks[table]
		_, excluded := notAboutConsumers[table]
		if linked == excluded {
			t.Errorf("table %s: linked %v, excluded %v; exactly one must hold (internal/privacy/links.go)", table, linked, excluded)
		}
	}
	for table := range tablePurposes {
		if _, ok := tableLinks[table]; !ok {
			t.Errorf("tablePurposes names %s, which is not linked", table)
		}
	}
	for table := range notAboutConsumers {
		if !personalTables[table] {
			t.Errorf("notAboutConsumers names %s, which has no personal column", table)
		}
	}
	for table, links := range tableLinks {
		if tableColumns[table] == nil {
			t.Errorf("tableLinks names unknown table %s", table)
			continue
		}
		if len(links) == 0 {
			t.Errorf("table %s has no link", table)
		}
		for _, l := range links {
			if !tableColumns[table][l.Column] {
				t.Errorf("%s: link column %s is not a column of the table", table, l.Column)
			}
			if l.Parent == "" {
				continue
			}
			if _, ok := tableLinks[l.Parent]; !ok {
				t.Errorf("%s: parent %s is not a linked table", table, l.Parent)
			}
			if !tableColumns[l.Parent][l.ParentKey] {
				t.Errorf("%s: parent key %s.%s does not exist", table, l.Parent, l.ParentKey)
			}
		}
		purposes := TablePurposes(table)
		if len(purposes) == 0 {
			t.Errorf("table %s has no purposes in tablePurposes", table)
		}
		for _, id := range purposes {
			if p, ok := LookupPurpose(id); !ok || !slices.Contains(p.Subjects, SubjectConsumer) {
				t.Errorf("table %s: purpose %s is not a purpose about consumers", table, id)
			}
		}
		if depth := linkDepth(table, map[string]bool{}); depth < 0 {
			t.Errorf("%s: its links form a cycle", table)
		}
	}
}

// linkDepth is the length of the longest parent chain from table, or -1 on a
// cycle.
func linkDepth(table string, seen map[string]bool) int {
	if seen[table] {
		return -1
	}
	seen[table] = true
	defer delete(seen, table)
	longest := 0
	for _, l := range tableLinks[table] {
		if l.Parent == "" {
			continue
		}
		d := linkDepth(l.Parent, seen)
		if d < 0 {
			return -1
		}
		longest = max(longest, d+1)
	}
	return longest
}

func TestPersonLinks(t *testing.T) {
	links, ok := PersonLinks("captures")
	if !ok || len(links) != 1 || links[0].Parent != "orders" || links[0].Column != "order_id" {
		t.Errorf("captures: %+v %v", links, ok)
	}
	links[0].Column = "changed"
	if again, _ := PersonLinks("captures"); again[0].Column != "order_id" {
		t.Error("PersonLinks shares the registry's slice")
	}
	if _, ok := PersonLinks("staff_users"); ok {
		t.Error("staff_users is linked to consumers")
	}
	if tables := LinkedTables(); len(tables) != len(tableLinks) || !slices.IsSorted(tables) {
		t.Errorf("LinkedTables = %v", tables)
	}
}
