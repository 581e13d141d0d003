// find locates one element for browsertest: kind "field" is a form control
// by its label, kind "button" a button or link by its text. It marks the
// element with a data attribute and returns a selector for it, or an error
// and the names it saw.
function find(kind, text) {
  const norm = (s) => (s || "").replace(/\s+/g, " ").trim().toLowerCase();
  const want = norm(text);
  const textOf = (ids) =>
    ids.split(/\s+/).map((id) => {
      const n = document.getElementById(id);
      return n ? n.textContent : "";
    }).join(" ");
  // A label's own text, without the text of a control it wraps.
  const labelText = (label) => {
    const c = label.cloneNode(true);
    c.querySelectorAll("input, select, textarea, button").forEach((n) => n.remove());
    return c.textContent;
  };
  const names = (el) => {
    const out = [];
    if (el.getAttribute("aria-labelledby")) out.push(textOf(el.getAttribute("aria-labelledby")));
    if (el.getAttribute("aria-label")) out.push(el.getAttribute("aria-label"));
    if (kind === "field") {
      for (const l of el.labels || []) out.push(labelText(l));
    } else if (el.tagName === "INPUT") {
      out.push(el.value);
    } else {
      out.push(el.innerText);
      out.push([...el.querySelectorAll("img[alt]")].map((i) => i.alt).join(" "));
    }
    return out.map(norm).filter((s) => s !== "");
  };
  const selector = kind === "field"
    ? "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), select, textarea"
    : "button, a[href], [role=button], input[type=submit], input[type=button], input[type=reset]";
  const seen = [];
  const matches = [];
  for (const el of document.querySelectorAll(selector)) {
    const ns = names(el);
    seen.push(...ns);
    if (ns.includes(want)) matches.push(el);
  }
  const what = kind === "field" ? "form control labelled" : "button or link reading";
  if (matches.length === 0) return { error: `no ${what} "${text}"`, seen };
  if (matches.length > 1) return { error: `${matches.length} elements match: ${what} "${text}"`, seen };
  window.__browsertestMark = (window.__browsertestMark || 0) + 1;
  const mark = String(window.__browsertestMark);
  matches[0].setAttribute("data-browsertest", mark);
  return { selector: `[data-browsertest="${mark}"]` };
}
