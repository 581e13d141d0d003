package ids

import (
	"errors"
	"regexp"
	"testing"
)

// TestReferenceDrawsAgainWhileTaken: a reference has the prefix and six
// characters people cannot confuse, and one in use is never returned.
func TestReferenceDrawsAgainWhileTaken(t *testing.T) {
	shape := regexp.MustCompile(`^C-[2-9A-HJKMNP-Z]{6}$`)
	var seen []string
	ref, err := Reference("C", func(ref string) (bool, error) {
		seen = append(seen, ref)
		return len(seen) < 3, nil
	})
	if err != nil || len(seen) != 3 || ref != seen[2] {
		t.Fatalf("got %q after %v: %v", ref, seen, err)
	}
	for _, r := range seen {
		if !shape.MatchString(r) {
			t.Errorf("reference %q", r)
		}
	}
	boom := errors.New("boom")
	if _, err := Reference("C", func(string) (bool, error) { return false, boom }); !errors.Is(err, boom) {
		t.Errorf("the lookup's error was lost: %v", err)
	}
}
