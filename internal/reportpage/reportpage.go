// Package reportpage serves the public page where anyone reports a
// suspicious e-mail, website, text message or call without signing in
// (requirement T11, package securityreport):
//
//	GET  /report-suspicious   the form, with what to do meanwhile
//	POST /report-suspicious   the report (multipart: kind, text, url,
//	                          email, file); the thanks page names the
//	                          reference
//
// The body is capped before anything reads it (the CSRF check parses the
// form), the form carries the usual CSRF token, and the service
// rate-limits per client network and per address. The form (ReadForm,
// FormError, NewPage and the partial through AddPages) is shared with the
// consumer app's own form.
package reportpage

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/securityreport"
	"github.com/tillit/tillit/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Path is where the page is served.
const Path = "/report-suspicious"

// MaxBody caps a report's request body: the largest file and room for the
// fields and the multipart framing.
const MaxBody = securityreport.MaxFileBytes + 64<<10

// Pages serves the public report page.
type Pages struct {
	svc     *securityreport.Service
	rd      *web.Renderer
	log     *slog.Logger
	handler http.Handler
}

// New returns the page over svc. key signs CSRF tokens: at least
// web.MinKeyLen bytes (the instance's web key).
func New(svc *securityreport.Service, key []byte, secureCookies bool, logger *slog.Logger) (*Pages, error) {
	if svc == nil {
		return nil, errors.New("reportpage: a securityreport.Service is required")
	}
	if logger == nil {
		logger = slog.Default()
	}
	rd, err := web.NewRenderer(web.Options{Key: key, SecureCookies: secureCookies, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("reportpage: %w", err)
	}
	if err := rd.AddPages("reportpage", templates, "templates/*.html"); err != nil {
		return nil, fmt.Errorf("reportpage: %w", err)
	}
	p := &Pages{svc: svc, rd: rd, log: logger}
	mux := access.NewRouter(access.Gate{}) // public pages only
	mux.HandleFunc("GET "+Path, p.form)
	mux.HandleFunc("POST "+Path, p.submit)
	inner := rd.Middleware(mux)
	p.handler = LimitBody(rd, inner)
	return p, nil
}

// Handler serves Path.
func (p *Pages) Handler() http.Handler { return p.handler }

// LimitBody refuses a POST whose body is larger than MaxBody with the 413
// page before next (and its CSRF check) reads it.
func LimitBody(rd *web.Renderer, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if r.ContentLength > MaxBody {
				rd.Error(w, r, http.StatusRequestEntityTooLarge)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
		}
		next.ServeHTTP(w, r)
	})
}

// formFile is the name under which AddPages shows the form partial to the
// pages it parses.
const formFile = "reportpage/_form.html"

// withForm is fsys with the form partial added as formFile.
type withForm struct{ fs.FS }

// Open opens formFile from this package's templates, anything else from
// the wrapped file system.
func (f withForm) Open(name string) (fs.File, error) {
	if name == formFile {
		return templates.Open("templates/_form.html")
	}
	return f.FS.Open(name)
}

// AddPages parses pages into rd as web.Renderer.AddPages does, with the
// "securityreport.form" partial available to them, so another area (the
// consumer app) shows the same form within its own layout.
func AddPages(rd *web.Renderer, namespace string, fsys fs.FS, patterns ...string) error {
	return rd.AddPages(namespace, withForm{fsys}, append(patterns, formFile)...)
}

// Option is a choice of a select.
type Option struct {
	Value, Key string
	Selected   bool
}

// Page is the data of the form page; Thanks is set once a report is in.
type Page struct {
	Form   *web.Form
	Kinds  []Option
	Action string
	// AskEmail shows the optional address field (the public page).
	AskEmail bool
	MaxText  int
	Thanks   *securityreport.Receipt
}

// NewPage returns the form page posting to action, filled from form.
func NewPage(form *web.Form, action string, askEmail bool) Page {
	pg := Page{Form: form, Action: action, AskEmail: askEmail, MaxText: securityreport.MaxText}
	for _, k := range securityreport.Kinds {
		pg.Kinds = append(pg.Kinds, Option{Value: string(k), Key: "securityreport.kind." + string(k), Selected: form.Get("kind") == string(k)})
	}
	return pg
}

// form shows the empty form.
func (p *Pages) form(w http.ResponseWriter, r *http.Request) {
	p.rd.Render(w, r, http.StatusOK, "reportpage/report", NewPage(web.NewForm(nil), Path, true))
}

// submit takes a report from the public page.
func (p *Pages) submit(w http.ResponseWriter, r *http.Request) {
	form, sub, status := ReadForm(r)
	if status != 0 {
		p.rd.Error(w, r, status)
		return
	}
	defer r.MultipartForm.RemoveAll()
	if form.Valid() {
		rc, err := p.svc.SubmitPublic(r.Context(), securityreport.NetworkOf(r.RemoteAddr), sub)
		if err == nil {
			pg := NewPage(web.NewForm(nil), Path, true)
			pg.Thanks = &rc
			p.rd.Render(w, r, http.StatusOK, "reportpage/report", pg)
			return
		}
		if status = FormError(form, err); status == http.StatusInternalServerError {
			p.log.Error("reportpage: submit", "err", err)
			p.rd.Error(w, r, status)
			return
		}
	} else {
		status = http.StatusUnprocessableEntity
	}
	p.rd.Render(w, r, status, "reportpage/report", NewPage(form, Path, true))
}

// ReadForm parses a posted report (multipart, or a plain form without a
// file) into a submission in the reader's language, with an error on the
// form for each field the service would refuse. status is non-zero when
// the request itself is bad: 413 for a body over the cap, 400 otherwise.
// The caller removes r.MultipartForm's files.
func ReadForm(r *http.Request) (*web.Form, securityreport.Submission, int) {
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, securityreport.Submission{}, http.StatusRequestEntityTooLarge
		}
		return nil, securityreport.Submission{}, http.StatusBadRequest
	}
	form := web.NewForm(r.PostForm)
	sub := securityreport.Submission{Kind: securityreport.Kind(form.Get("kind")), Text: form.Values.Get("text"),
		URL: form.Get("url"), Email: form.Get("email"), Lang: web.Lang(r)}
	if !sub.Kind.Valid() {
		form.AddError("kind", "securityreport.error.kind")
	}
	if files := r.MultipartForm.File["file"]; len(files) > 0 && (files[0].Filename != "" || files[0].Size > 0) {
		up, err := readUpload(files[0])
		if err != nil {
			form.AddError("file", "securityreport.error.file", "max", securityreport.MaxFileBytes>>20)
		}
		sub.File = &up
	}
	check := func(err error) {
		if err != nil {
			FormError(form, err)
		}
	}
	_, err := securityreport.CheckURL(sub.URL)
	check(err)
	_, err = securityreport.CheckEmail(sub.Email)
	check(err)
	if strings.TrimSpace(sub.Text) == "" || len([]rune(strings.TrimSpace(sub.Text))) > securityreport.MaxText {
		form.AddError("text", "securityreport.error.text", "max", securityreport.MaxText)
	}
	if sub.File != nil && form.Error("file") == nil {
		_, err = securityreport.CheckFile(*sub.File)
		check(err)
	}
	return form, sub, 0
}

// readUpload reads an uploaded file, at most one byte over the limit.
func readUpload(fh *multipart.FileHeader) (securityreport.Upload, error) {
	f, err := fh.Open()
	if err != nil {
		return securityreport.Upload{}, err
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, securityreport.MaxFileBytes+1))
	return securityreport.Upload{Name: fh.Filename, Content: content}, err
}

// FormError puts a service error on the form in the reader's words and
// returns the page's status: 422 for a field, 429 for a rate limit, 500
// for anything else.
func FormError(form *web.Form, err error) int {
	switch apperr.Code(err) {
	case apperr.TooManyRequests:
		form.AddError("text", "securityreport.error.too_many")
		return http.StatusTooManyRequests
	case apperr.BadValue:
		e, _ := apperr.As(err)
		for _, f := range []string{"kind", "text", "url", "email", "file"} {
			if strings.HasPrefix(e.Message, "Bad value: "+f+" ") {
				form.AddError(f, "securityreport.error."+f, "max", maxOf(f))
				return http.StatusUnprocessableEntity
			}
		}
	}
	return http.StatusInternalServerError
}

// maxOf is the limit an error names for a field.
func maxOf(field string) int {
	switch field {
	case "url":
		return securityreport.MaxURL
	case "file":
		return securityreport.MaxFileBytes >> 20
	}
	return securityreport.MaxText
}
