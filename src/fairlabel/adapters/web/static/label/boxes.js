// Bounding boxes: draw on the image by dragging, move and resize, label with 1–9, Tab through
// the boxes, Delete removes one, arrows nudge (Shift: resize), + / − / 0 zoom. The answer is a
// list of {label, x, y, width, height} in fractions of the image's natural width and height.

import { t } from "../i18n.js";
import { BoxCanvas } from "./box_canvas.js";
import { el, labelKey, labelPalette, markPalette, mediaSrc } from "./dom.js";

const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

export function boxesEditor(host, data, schema, ctx) {
  const labels = schema.labels;
  let active = 0;  // the label a new box gets: the last one chosen
  const src = mediaSrc(data.image, ctx.imageHosts);
  const live = el("p", { class: "visually-hidden", "aria-live": "polite" });
  const note = (text) => { live.textContent = text; };
  if (!src) {
    host.append(el("p", { class: "flash error" },
      t("This task's image cannot be shown here. Skip it with S.")));
    return { answer: () => ({ error: t("This task has no image to mark: skip it with S.") }),
             onKey: () => false, destroy() {} };
  }

  const palette = labelPalette(labels, (index) => setLabel(index), t("Label of the selected box"));
  const zoomText = el("output", { class: "zoom-level", "aria-live": "off" }, "100%");
  const zoomOut = el("button", { type: "button", "aria-label": t("Zoom out") }, "−");
  const zoomIn = el("button", { type: "button", "aria-label": t("Zoom in") }, "+");
  const fit = el("button", { type: "button" }, t("Fit"), " ", el("kbd", {}, "0"));
  const add = el("button", { type: "button" }, t("New box"), " ", el("kbd", {}, "B"));
  const nothing = el("button", { type: "button", id: "nothing-btn" },
    t("Nothing to mark"), " ", el("kbd", {}, "N"));
  const list = el("ol", { class: "box-list", id: "box-list" });
  const empty = el("p", { class: "muted small" }, t("No box yet: drag on the image to draw one."));
  const status = el("p", { class: "muted small", id: "image-status" }, t("Loading the image…"));

  const canvas = new BoxCanvas(src, {
    onChange: (kind) => changed(kind),
    onSelect: (index) => selected(index),
    newLabel: () => ({ label: labels[active], labelIndex: active }),
    onLoad: () => { status.hidden = true; },
    onError: () => {
      status.textContent = t("The image could not be loaded. Skip this task with S.");
      status.className = "flash error";
    },
  });
  zoomOut.addEventListener("click", () => canvas.zoomOut());
  zoomIn.addEventListener("click", () => canvas.zoomIn());
  fit.addEventListener("click", () => canvas.fit());
  add.addEventListener("click", () => addCentred());
  nothing.addEventListener("click", () => nothingToMark());

  host.append(el("div", { class: "boxes-editor" },
    el("div", { class: "box-toolbar" }, palette,
      el("div", { class: "zoom", role: "group", "aria-label": t("Zoom") },
        zoomOut, zoomText, zoomIn, fit)),
    status, canvas.viewport,
    el("div", { class: "box-side" },
      el("h2", { class: "small-heading" }, t("Boxes")), list, empty,
      el("div", { class: "actions" }, add, nothing),
      el("p", { class: "muted small", id: "box-keys-hint" },
        t("Drag on the image to draw a box; click a box to select it, then drag it or its "
        + "corners. Tab to a box: 1–9 set its label, arrows move it, Shift+arrows resize it, "
        + "Delete removes it.")),
      live)));
  markPalette(palette, active);

  function changed(kind) {
    zoomText.textContent = `${Math.round(canvas.scale * 100)}%`;
    if (kind === "zoom") return;
    renderList();
    nothing.disabled = canvas.boxes.length > 0;
    if (kind === "drawn") note(t("{box} drawn.", { box: describe(canvas.selected) }));
  }

  function selected(index) {
    const box = canvas.boxes[index];
    if (box) { active = box.labelIndex; markPalette(palette, active); }
    for (const item of list.children) {
      item.classList.toggle("selected", Number(item.dataset.index) === index);
    }
  }

  function describe(index) {
    const box = canvas.boxes[index];
    return t("{label} box {number} of {count}",
      { label: box.label, number: index + 1, count: canvas.boxes.length });
  }

  function renderList() {
    empty.hidden = canvas.boxes.length > 0;
    list.replaceChildren(...canvas.boxes.map((box, i) => {
      const name = el("button", { type: "button", class: "link" }, `${i + 1}. ${box.label}`);
      name.addEventListener("click", () => canvas.focusBox(i));
      const remove = el("button", { type: "button", class: "small-button remove-box",
        "aria-label": t("Remove {box}", { box: describe(i) }) }, t("Remove"));
      remove.addEventListener("click", () => { removeBox(i); focusAfterListRemoval(i); });
      const [x, y, w, h] = [box.x, box.y, box.w, box.h].map(Math.round);
      const size = t("{w} × {h} px at {x}, {y}", { w, h, x, y });
      const tint = `tint-${box.labelIndex % 9}${i === canvas.selected ? " selected" : ""}`;
      return el("li", { "data-index": String(i), class: tint },
        name, el("span", { class: "muted small" }, ` ${size} `), remove);
    }));
  }

  function focusAfterListRemoval(i) {
    const buttons = list.querySelectorAll("button.remove-box");
    (buttons[Math.min(i, buttons.length - 1)] || add).focus();
  }

  function setLabel(index) {
    if (index >= labels.length) return;
    active = index;
    markPalette(palette, active);
    const box = canvas.boxes[canvas.selected];
    if (!box) { note(t("New boxes: {label}.", { label: labels[index] })); return; }
    box.label = labels[index];
    box.labelIndex = index;
    canvas.repaint();
    note(t("Now {box}.", { box: describe(canvas.selected) }));
  }

  function removeBox(index) {
    const name = describe(index);
    canvas.remove(index);
    note(t("{box} removed.", { box: name }));
  }

  function addCentred() {
    if (!canvas.loaded) return;
    const index = canvas.add({ label: labels[active], labelIndex: active, ...canvas.centredBox() });
    canvas.focusBox(index);
    note(t("{box} added in the middle: arrows move it, Shift+arrows resize it.",
      { box: describe(index) }));
  }

  function nothingToMark() {
    if (canvas.boxes.length) {
      ctx.say(t("Remove the boxes first (Delete), or submit them with Enter."), "error");
      return;
    }
    ctx.submit([]);
  }

  function onKey(event) {
    const inCanvas = event.target instanceof Element && event.target.closest(".box-canvas");
    const index = labelKey(event);
    if (index >= 0) { setLabel(index); return true; }
    if (event.ctrlKey || event.metaKey || event.altKey) return false;
    if ((event.key === "Delete" || event.key === "Backspace") && canvas.selected >= 0) {
      const at = canvas.selected;
      removeBox(at);
      canvas.focusBox(Math.min(at, canvas.boxes.length - 1));
      return true;
    }
    if (ARROWS[event.key] && inCanvas && canvas.selected >= 0) {
      const [dx, dy] = ARROWS[event.key];
      return canvas.nudge(dx, dy, event.shiftKey);
    }
    const key = event.key.toLowerCase();
    if (key === "+" || key === "=") canvas.zoomIn();
    else if (key === "-" || key === "_") canvas.zoomOut();
    else if (key === "0") canvas.fit();
    else if (key === "b") addCentred();
    else if (key === "n") nothingToMark();
    else if (key === "escape" && canvas.selected >= 0) { canvas.select(-1); canvas.overlay.focus(); }
    else return false;
    return true;
  }

  function answer() {
    if (!canvas.loaded) return { error: t("The image is not loaded yet.") };
    if (!canvas.boxes.length) {
      return { error: t("No box drawn. If there is nothing to mark, press N (Nothing to mark).") };
    }
    return { value: canvas.boxes.map((box) => fractions(box, canvas.width, canvas.height)) };
  }

  return { answer, onKey, focus: () => canvas.overlay.focus({ preventScroll: true }),
           destroy: () => canvas.destroy() };
}

// A box in fractions of the image, six decimals, never past the image's edges.
export function fractions(box, width, height) {
  const round = (v) => Math.round(v * 1e6) / 1e6;
  const x0 = round(Math.max(0, box.x / width)), y0 = round(Math.max(0, box.y / height));
  const x1 = round(Math.min(1, (box.x + box.w) / width));
  const y1 = round(Math.min(1, (box.y + box.h) / height));
  return { label: box.label, x: x0, y: y0,
           width: Math.max(1e-6, round(x1 - x0)), height: Math.max(1e-6, round(y1 - y0)) };
}
