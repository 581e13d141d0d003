// Package i18n holds Tillit's user-facing text and the locale rules for
// showing amounts and dates: one message catalog per language (English,
// Danish, Dutch and Swedish), language negotiation for HTTP requests, and
// money and date formatting.
//
// # Catalogs
//
// The catalogs are the embedded files locales/<lang>.json (messages shared by
// every page) and locales/<area>/<lang>.json (the messages of one set of
// pages: checkout, consumer, merchant, staff; a key lives in exactly one
// file, and every area has a file per language). Each is one flat
// JSON object from a key to a message. Keys are dotted and lower-case, grouped
// by the page or feature that owns them ("auth.sign_in", "form.required",
// "checkout.pay_in_3.terms"). A message may name placeholders in braces,
// {amount} or {email}, filled by name:
//
//	i18n.T(lang, "auth.signed_in_as", "email", "anna@example.dk")
//
// or in a template (see package web):
//
//	{{t "auth.signed_in_as" "email" .Email}}
//
// # Adding a key
//
//  1. Add the key and its English message to locales/en.json, or to the
//     area's locales/<area>/en.json.
//  2. Add the same key to the da.json, nl.json and sv.json beside it, written in that
//     language, with exactly the same set of placeholders.
//  3. Use it from a template with t, or from Go with T or a Printer.
//  4. Run go test ./internal/i18n/... ./internal/web/...: the tests fail when a
//     language misses a key or has one English lacks, when the placeholders
//     differ, when a message is empty, and when a template uses a key that no
//     catalog has.
//
// Keep each file sorted by key so a key is easy to find and diffs stay small.
package i18n
