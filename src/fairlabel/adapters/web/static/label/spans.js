// Text spans (names, places…): select text with the mouse, a finger or the keyboard (a caret
// moved with the arrows, Shift+arrows to extend), then press a label's number. Offsets are
// Unicode code points of the text, as the server counts them; JavaScript strings count UTF-16
// units, so the text is held as an array of code points and every offset goes through it.

import { t } from "../i18n.js";
import { el, labelKey, labelPalette, markPalette } from "./dom.js";

const SPACE = /^\s$/u;
const WORD = /^[\p{L}\p{N}\p{M}_'’-]$/u;

export function spansEditor(host, data, schema, ctx) {
  const labels = schema.labels;
  const points = Array.from(data.text);  // one string per code point
  const n = points.length;
  const spans = [];                      // {start, end, label, labelIndex}, by start
  let anchor = 0, caret = 0;             // the selection, in code points
  let drawn = false;                     // the page draws the selection (keyboard), not the browser

  const live = el("p", { class: "visually-hidden", "aria-live": "polite" });
  const note = (text) => { live.textContent = text; };
  const palette = labelPalette(labels, (index) => mark(index), t("Label for the selected text"));
  const box = el("div", { class: "span-text", tabindex: "0", role: "textbox",
    "aria-readonly": "true", "aria-multiline": "true", "aria-label": t("Text to mark"),
    "aria-describedby": "span-keys-hint" });
  const list = el("ul", { class: "span-list", id: "span-list" });
  const empty = el("p", { class: "muted small" }, t("No span marked yet."));
  host.append(el("div", { class: "spans-editor" }, palette, box,
    el("p", { class: "muted small", id: "span-keys-hint" },
      t("Select text with the mouse or with Shift+arrows (Ctrl: by word), then press a label's "
      + "number. Delete removes the span at the caret.")),
    el("h2", { class: "small-heading" }, t("Spans")), list, empty, live));

  const text = (a, b) => points.slice(a, b).join("");
  const quote = (a, b) => (b - a > 40 ? `“${text(a, a + 37)}…”` : `“${text(a, b)}”`);
  const spanAt = (at) => spans.find((s) => s.start <= at && at < s.end);

  function render() {
    const [lo, hi] = [Math.min(anchor, caret), Math.max(anchor, caret)];
    const cuts = new Set([0, n, caret, lo, hi]);
    for (const s of spans) { cuts.add(s.start); cuts.add(s.end); }
    const sorted = [...cuts].sort((a, b) => a - b);
    const nodes = [];
    let group = null;
    for (let i = 0; i + 1 < sorted.length; i++) {
      const a = sorted[i], b = sorted[i + 1];
      const owner = spans.find((s) => s.start <= a && b <= s.end);
      if (!owner) group = null;
      else if (!group || group.span !== owner) {
        group = { span: owner, node: el("mark", { class: `span tint-${owner.labelIndex % 9}`,
          "data-label": owner.label }) };
        nodes.push(group.node);
      }
      const add = (node) => (group ? group.node.append(node) : nodes.push(node));
      if (a === caret) add(caretMark());
      add(el("span", drawn && lo <= a && b <= hi && lo < hi ? { class: "sel" } : {}, text(a, b)));
    }
    if (caret === n) nodes.push(caretMark());
    box.replaceChildren(...nodes);
    box.classList.toggle("keyboard", drawn);
    renderList();
  }

  function caretMark() { return el("span", { class: "caret", "aria-hidden": "true" }); }

  function renderList() {
    empty.hidden = spans.length > 0;
    list.replaceChildren(...spans.map((s) => {
      const remove = el("button", { type: "button", class: "small-button",
        "aria-label": t("Remove {label} span “{text}”", { label: s.label, text: text(s.start, s.end) }) },
      t("Remove"));
      remove.addEventListener("click", () => { unmark(s); (list.querySelector("button") || box).focus(); });
      return el("li", {}, el("mark", { class: `tint-${s.labelIndex % 9}` }, text(s.start, s.end)),
        " ", el("strong", {}, s.label), el("span", { class: "muted small" }, ` ${s.start}–${s.end} `),
        remove);
    }));
  }

  // ---- selection from the browser (mouse, finger) -------------------------------------------
  function offsetAt(node, offset) {
    const all = document.createRange();
    all.selectNodeContents(box);
    const where = all.comparePoint(node, offset);
    if (where < 0) return 0;
    if (where > 0) return n;
    const before = document.createRange();
    before.setStart(box, 0);
    before.setEnd(node, offset);
    return Array.from(before.toString()).length;
  }

  function fromBrowser() {
    const selection = document.getSelection();
    if (!selection || !selection.rangeCount) return;
    if (!box.contains(selection.anchorNode) && !box.contains(selection.focusNode)) return;
    anchor = offsetAt(selection.anchorNode, selection.anchorOffset);
    caret = offsetAt(selection.focusNode, selection.focusOffset);
    if (drawn) {  // the browser draws this selection: drop the page's own, keep the nodes
      drawn = false;
      box.classList.remove("keyboard");
      for (const piece of box.querySelectorAll(".sel")) piece.removeAttribute("class");
    }
  }
  document.addEventListener("selectionchange", fromBrowser);

  // ---- the keyboard's caret ------------------------------------------------------------------
  function moveTo(to, extend) {
    const browser = document.getSelection();
    if (browser) browser.removeAllRanges();
    caret = Math.max(0, Math.min(n, to));
    if (!extend) anchor = caret;
    drawn = true;
    render();
    if (anchor !== caret) {
      const [lo, hi] = [Math.min(anchor, caret), Math.max(anchor, caret)];
      note(t("Selected {text}.", { text: quote(lo, hi) }));
    } else {
      const inside = spanAt(caret);
      note(inside ? t("In {label} “{text}”.", { label: inside.label, text: text(inside.start, inside.end) }) : "");
    }
  }

  function wordStep(from, direction) {
    let at = from;
    if (direction < 0) {
      while (at > 0 && !WORD.test(points[at - 1])) at--;
      while (at > 0 && WORD.test(points[at - 1])) at--;
    } else {
      while (at < n && !WORD.test(points[at])) at++;
      while (at < n && WORD.test(points[at])) at++;
    }
    return at;
  }

  // Up and Down: the offset under the point a line above or below the caret.
  function lineStep(direction) {
    if (!drawn) { drawn = true; render(); }  // the caret is drawn only for the keyboard
    const mark = box.querySelector(".caret");
    if (!mark) return caret;
    const r = mark.getBoundingClientRect();
    const line = parseFloat(getComputedStyle(box).lineHeight) || r.height || 20;
    const y = direction < 0 ? r.top - line / 2 : r.bottom + line / 2;
    const hit = pointAt(r.left, y);
    if (!hit || !box.contains(hit.node)) return direction < 0 ? 0 : n;
    return offsetAt(hit.node, hit.offset);
  }

  function caretKey(event) {
    const extend = event.shiftKey;
    const byWord = event.ctrlKey || event.altKey;
    switch (event.key) {
      case "ArrowLeft": moveTo(byWord ? wordStep(caret, -1) : caret - 1, extend); return true;
      case "ArrowRight": moveTo(byWord ? wordStep(caret, 1) : caret + 1, extend); return true;
      case "ArrowUp": moveTo(lineStep(-1), extend); return true;
      case "ArrowDown": moveTo(lineStep(1), extend); return true;
      case "Home": moveTo(0, extend); return true;
      case "End": moveTo(n, extend); return true;
      default: return false;
    }
  }

  // ---- spans ---------------------------------------------------------------------------------
  function mark(index) {
    if (index >= labels.length) return;
    let [lo, hi] = [Math.min(anchor, caret), Math.max(anchor, caret)];
    while (lo < hi && SPACE.test(points[lo])) lo++;
    while (hi > lo && SPACE.test(points[hi - 1])) hi--;
    markPalette(palette, index);
    if (lo === hi) {
      const inside = spanAt(caret);
      if (inside) { relabel(inside, index); return; }
      ctx.say(t("Select some text first (the mouse, or Shift+arrows), then press a label's number."), "error");
      return;
    }
    const clash = spans.find((s) => s.start < hi && lo < s.end);
    if (clash) {
      ctx.say(t("{text} overlaps the {label} span {other}: spans may not overlap. Remove that one "
        + "first, or select other text.", { text: quote(lo, hi), label: clash.label,
        other: quote(clash.start, clash.end) }), "error");
      return;
    }
    spans.push({ start: lo, end: hi, label: labels[index], labelIndex: index });
    spans.sort((a, b) => a.start - b.start);
    ctx.say("");
    note(t("Marked “{text}” as {label}.", { text: text(lo, hi), label: labels[index] }));
    const browser = document.getSelection();
    if (browser) browser.removeAllRanges();
    anchor = caret = hi;
    drawn = true;
    render();
    if (!box.contains(document.activeElement)) box.focus({ preventScroll: true });
  }

  function relabel(span, index) {
    span.label = labels[index];
    span.labelIndex = index;
    note(t("“{text}” is now {label}.", { text: text(span.start, span.end), label: span.label }));
    render();
  }

  function unmark(span) {
    spans.splice(spans.indexOf(span), 1);
    note(t("Removed {label} “{text}”.", { label: span.label, text: text(span.start, span.end) }));
    render();
  }

  function onKey(event) {
    const index = labelKey(event);
    if (index >= 0) { mark(index); return true; }
    if (event.target === box && caretKey(event)) return true;
    if (event.ctrlKey || event.metaKey || event.altKey) return false;
    if (event.target === box && (event.key === "Delete" || event.key === "Backspace")) {
      const inside = spanAt(caret) || (caret > 0 && event.key === "Backspace" && spanAt(caret - 1));
      if (inside) unmark(inside);
      return true;
    }
    return false;
  }

  function answer() {
    return { value: spans.map((s) => ({ start: s.start, end: s.end, label: s.label })) };
  }

  render();
  return { answer, onKey, focus: () => box.focus({ preventScroll: true }),
           destroy: () => document.removeEventListener("selectionchange", fromBrowser) };
}

function pointAt(x, y) {
  if (document.caretPositionFromPoint) {
    const p = document.caretPositionFromPoint(x, y);
    return p && { node: p.offsetNode, offset: p.offset };
  }
  const r = document.caretRangeFromPoint ? document.caretRangeFromPoint(x, y) : null;
  return r && { node: r.startContainer, offset: r.startOffset };
}
