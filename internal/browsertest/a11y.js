// audit checks the current page against browsertest's accessibility rules
// and returns one {rule, selector, text, detail} per violation. It is
// Tillit's own check, written for its pages; see a11y.go for the rules.
function audit() {
  const out = [];
  const clip = (s) => {
    s = (s || "").replace(/\s+/g, " ").trim();
    return s.length > 60 ? s.slice(0, 57) + "..." : s;
  };
  const path = (el) => {
    const parts = [];
    for (let n = el; n && n.nodeType === 1 && parts.length < 4; n = n.parentElement) {
      if (n.id) { parts.unshift("#" + CSS.escape(n.id)); break; }
      let part = n.tagName.toLowerCase();
      if (n === document.documentElement || n === document.body) { parts.unshift(part); break; }
      if (n.classList.length) part += "." + CSS.escape(n.classList[0]);
      const same = n.parentElement ? [...n.parentElement.children].filter((c) => c.tagName === n.tagName) : [];
      if (same.length > 1) part += `:nth-of-type(${same.indexOf(n) + 1})`;
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  const report = (rule, el, detail) => {
    const text = el.matches && el.matches("input, select, textarea, img") ? el.outerHTML : el.innerText || el.textContent;
    out.push({ rule, selector: path(el), text: clip(text), detail });
  };
  const rendered = (el) =>
    el.checkVisibility({ visibilityProperty: true, opacityProperty: true }) && el.getClientRects().length > 0;
  const idsText = (ids) =>
    (ids || "").split(/\s+/).filter(Boolean).map((id) => {
      const n = document.getElementById(id);
      return n ? n.textContent : "";
    }).join(" ").trim();
  const ariaName = (el) => idsText(el.getAttribute("aria-labelledby")) || (el.getAttribute("aria-label") || "").trim();

  // The document declares its language.
  if (!(document.documentElement.getAttribute("lang") || "").trim()) {
    report("html-lang", document.documentElement, "the html element has no lang attribute");
  }

  // Every form control has an accessible name.
  for (const el of document.querySelectorAll("input, select, textarea")) {
    const type = (el.getAttribute("type") || "").toLowerCase();
    if (["hidden", "submit", "button", "reset", "image"].includes(type)) continue;
    const labelled = [...(el.labels || [])].some((l) => l.textContent.trim() !== "");
    if (!labelled && !ariaName(el)) {
      report("control-name", el, "form control has no label (label[for], wrapping label, aria-label or aria-labelledby)");
    }
  }

  // Images have alternative text (alt="" marks a decorative one).
  for (const el of document.querySelectorAll("img, input[type=image]")) {
    if (!el.hasAttribute("alt") && !ariaName(el)) report("img-alt", el, "image has no alt attribute");
  }

  // Links and buttons have discernible text.
  for (const el of document.querySelectorAll("a[href], button, [role=button], input[type=submit], input[type=button], input[type=reset], input[type=image]")) {
    if (!rendered(el)) continue;
    let name = ariaName(el);
    if (!name && el.tagName === "INPUT") name = el.type === "image" ? el.alt || "" : el.type === "button" ? el.value : el.value || el.type;
    if (!name) name = (el.innerText || "").trim();
    if (!name) name = [...el.querySelectorAll("img[alt]")].map((i) => i.alt).join(" ").trim();
    if (!name) {
      const tag = el.tagName === "A" ? "link" : "button";
      report(tag + "-name", el, `${tag} has no discernible text`);
    }
  }

  // Exactly one h1, and heading levels that never skip one going down.
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6, [role=heading]")];
  const level = (h) => (h.getAttribute("role") === "heading" ? parseInt(h.getAttribute("aria-level") || "2", 10) : parseInt(h.tagName[1], 10));
  const h1s = headings.filter((h) => level(h) === 1);
  if (h1s.length !== 1) {
    report("one-h1", h1s[1] || document.body, `the page has ${h1s.length} h1 headings, needs exactly 1`);
  }
  let prev = 0;
  for (const h of headings) {
    const l = level(h);
    if (prev > 0 && l > prev + 1) report("heading-order", h, `h${l} follows h${prev}: skips a level`);
    prev = l;
  }

  // Text contrast against the effective background.
  const ctx = document.createElement("canvas").getContext("2d", { willReadFrequently: true });
  const rgba = (css) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = "#000";
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let n = el; n; n = n.parentElement) {
      const s = getComputedStyle(n);
      if (s.backgroundImage !== "none") return null;
      const c = rgba(s.backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let bg = [255, 255, 255, 1];
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const luminance = (c) => {
    const ch = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const hex = (c) => "#" + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
  const checked = new Set();
  const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || checked.has(el) || !node.textContent.trim()) continue;
    checked.add(el);
    if (el.closest("script, style, noscript, template, option, :disabled") || !rendered(el)) continue;
    const s = getComputedStyle(el);
    const bg = background(el);
    if (!bg) continue;
    const fg = over(rgba(s.color), bg);
    const l1 = luminance(fg), l2 = luminance(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(s.fontWeight, 10) >= 700);
    const need = large ? 3 : 4.5;
    if (ratio + 1e-9 < need) {
      report("contrast", el, `contrast ${ratio.toFixed(2)}:1 (${hex(fg)} on ${hex(bg)}) is below ${need}:1`);
    }
  }

  // Nothing wider than the viewport. The layout viewport's width is the
  // root's clientWidth: a phone's window.innerWidth grows to fit content
  // that overflows, which would hide the overflow.
  const vw = Math.min(window.innerWidth, document.documentElement.clientWidth);
  if (document.documentElement.scrollWidth > vw) {
    const wide = [...document.body.querySelectorAll("*")].filter((el) => el.getBoundingClientRect().right > vw + 0.5);
    const leaves = wide.filter((el) => !wide.some((o) => o !== el && el.contains(o)));
    const culprits = leaves.length ? leaves.slice(0, 5) : [document.documentElement];
    for (const el of culprits) {
      report("overflow", el, `page is ${document.documentElement.scrollWidth}px wide in a ${vw}px viewport; this reaches ${Math.round(el.getBoundingClientRect().right)}px`);
    }
  }
  return out;
}
