package backoffice_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/browsertest"
)

// TestRetentionPageInBrowser: a member of the data protection team opens
// the retention page from the navigation and starts a run, at desktop and
// phone widths; the page passes the accessibility check (with
// TILLIT_SCREENSHOT_DIR set it is saved as staff-retention-<width>.png).
func TestRetentionPageInBrowser(t *testing.T) {
	shots := os.Getenv("TILLIT_SCREENSHOT_DIR")
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			e := newRetentionEnv(t)
			dpo := e.staff(account.RoleDataProtection, "Dana Protection")
			b.SignInStaff(e.srv.URL, dpo.Email, staffPassword, e.auth[dpo.ID], e.clk.Now)
			b.Click("Retention")
			b.WaitVisible("#retention-plan")
			if got := b.Text("h1"); got != "Retention" {
				t.Fatalf("h1 %q", got)
			}
			if n := b.Count("#retention-plan tbody tr"); n < 12 {
				t.Errorf("the dry run lists %d rules", n)
			}
			b.CheckAccessibility(t)
			if shots != "" {
				b.Screenshot(filepath.Join(shots, "staff-retention-"+vp.name+".png"))
			}
			if status := b.Submit("Run now"); status != http.StatusOK {
				t.Fatalf("run now: %d", status)
			}
			if got := b.Text("main"); !strings.Contains(got, "The run has been started.") {
				t.Errorf("after run now: %q", got)
			}
			b.CheckAccessibility(t)
		})
	}
}
