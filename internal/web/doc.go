// Package web is the shared foundation of Tillit's server-rendered HTML pages
// (hosted checkout, consumer app, merchant portal, staff back office): one
// layout, template functions bound to the reader's language, embedded static
// assets, and the protections every page needs (CSRF tokens, security
// headers, safe cookies), with flash notices, a form-error model and error
// pages. Pages work without JavaScript.
//
// # Building a set of pages
//
// A package keeps its templates next to its code and adds them to its own
// Renderer under a namespace:
//
//	//go:embed templates
//	var templates embed.FS
//
//	rd, err := web.NewRenderer(web.Options{Key: instanceSecret, Home: "/merchant/"})
//	err = rd.AddPages("merchant", templates, "templates/*.html")
//
// Each page file defines "title" and "content", and may define "nav" (shown
// in the header) and "banner" (shown above the notices on every page, such
// as the merchant portal's waiting stop requests); files whose name starts with "_" are partials shared by the
// other pages of the same call. Page "templates/orders.html" is then rendered
// as "merchant/orders":
//
//	rd.Render(w, r, http.StatusOK, "merchant/orders", data)
//
// A page's data is .Data in the template; the root (also $) is a View with the
// language, notices and CSRF field. Every visible string comes from the
// catalog through t (see package i18n for adding keys); AddPages refuses a
// template that uses an unknown key or holds hard-coded text. The functions
// available in templates are:
//
//	t "key" "name" value ...     the message for key with placeholders filled
//	msg .Message                 a Message (a form error) as text
//	money .Amount .Currency      an amount of minor units, as the reader writes it
//	date .Time                   a date, as the reader writes it
//	asset "tillit.css"           the cache-busting URL of a static file
//	field .Form "name" (t "label.key") ["type" "email" "hint" (t "…") …]
//	                             a form field for {{template "web.field" …}}
//
// and the shared partials are "web.field" (label, hint, error and input),
// "web.form_errors" (the error summary of a *Form) and "web.notices".
//
// # Serving
//
// Wrap the page handlers (not the JSON APIs) in Renderer.Middleware, which
// recovers panics into a 500 page, sets the security headers, negotiates the
// language (a ?lang= link from the language switch also sets the lang
// cookie), carries flash notices, and checks the CSRF token of every POST,
// PUT, PATCH and DELETE. Mount the static files and a not-found page:
//
//	mux.Handle("GET /static/", web.Static())
//	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { rd.Error(w, r, http.StatusNotFound) })
//	handler := rd.Middleware(mux)
//
// Every form that posts carries the token with {{$.CSRFField}}. After a
// successful POST, call Flash and Redirect (303); the next rendered page
// shows the notice once.
package web
