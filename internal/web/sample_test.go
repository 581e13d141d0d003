package web_test

import (
	"crypto/rand"
	"embed"
	"net/http"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/web"
)

//go:embed testdata/sample/*.html
var sampleTemplates embed.FS

// payment is a row of the sample account page.
type payment struct {
	Due       time.Time
	Amount    int64
	Currency  string
	StatusKey string
	Badge     string
}

// sampleUserCookie stands in for a real session in the sample app.
const sampleUserCookie = "sample_user"

// newSample returns a small app built the way Tillit's page packages are: a
// sign-in form that posts with CSRF, re-renders with errors, and on success
// flashes a notice and redirects to an account page.
func newSample(t testing.TB, opts web.Options) http.Handler {
	t.Helper()
	if opts.Key == nil {
		opts.Key = make([]byte, web.MinKeyLen)
		if _, err := rand.Read(opts.Key); err != nil {
			t.Fatal(err)
		}
	}
	if opts.Logger == nil {
		opts.Logger = logscan.Logger()
	}
	rd, err := web.NewRenderer(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := rd.AddPages("sample", sampleTemplates, "testdata/sample/*.html"); err != nil {
		t.Fatal(err)
	}
	type signinPage struct{ Form *web.Form }
	mux := http.NewServeMux()
	mux.Handle("GET /static/", web.Static())
	mux.HandleFunc("GET /signin", func(w http.ResponseWriter, r *http.Request) {
		rd.Render(w, r, http.StatusOK, "sample/signin", signinPage{web.NewForm(nil)})
	})
	mux.HandleFunc("POST /signin", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			rd.Error(w, r, http.StatusBadRequest)
			return
		}
		form := web.NewForm(r.PostForm)
		form.Required("email")
		form.Email("email")
		form.MaxLength("email", 254)
		form.Required("code")
		if c := form.Get("code"); c != "" && c != "123456" {
			form.AddError("code", "form.invalid_code")
		}
		if !form.Valid() {
			rd.Render(w, r, http.StatusUnprocessableEntity, "sample/signin", signinPage{form})
			return
		}
		web.SetCookie(w, r, sampleUserCookie, form.Get("email"), 0)
		web.Flash(w, r, web.FlashSuccess, "auth.signed_in_as", "email", form.Get("email"))
		web.Redirect(w, r, "/account")
	})
	mux.HandleFunc("GET /account", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sampleUserCookie)
		if err != nil {
			web.Redirect(w, r, "/signin")
			return
		}
		rd.Render(w, r, http.StatusOK, "sample/account", struct {
			Email    string
			Payments []payment
		}{c.Value, []payment{
			{time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), 41667, "DKK", "status.paid", "success"},
			{time.Date(2026, 12, 22, 0, 0, 0, 0, time.UTC), 41667, "DKK", "status.due", "info"},
			{time.Date(2027, 1, 22, 0, 0, 0, 0, time.UTC), 123456789, "DKK", "status.overdue", "error"},
		}})
	})
	mux.HandleFunc("POST /signout", func(w http.ResponseWriter, r *http.Request) {
		web.SetCookie(w, r, sampleUserCookie, "", -1)
		web.Flash(w, r, web.FlashInfo, "auth.signed_out")
		web.Redirect(w, r, "/signin")
	})
	mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			web.Redirect(w, r, "/signin")
			return
		}
		rd.Error(w, r, http.StatusNotFound)
	})
	return rd.Middleware(mux)
}
