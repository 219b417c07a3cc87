// The image with its SVG overlay of boxes: zoom, and drawing, moving and resizing boxes with
// Pointer Events (mouse, pen or finger). Boxes are kept in the image's natural pixels; the
// overlay's viewBox is the natural size, so the zoom never changes a stored coordinate.

import { t } from "../i18n.js";
import { el, svg } from "./dom.js";

const CORNERS = ["nw", "ne", "sw", "se"];
const MIN_DRAG_PX = 4;     // a shorter drag is a click, not a box
const ZOOM_STEP = 1.25;
const MAX_ZOOM = 8;

export class BoxCanvas {
  constructor(src, { onChange, onSelect, newLabel, onLoad, onError }) {
    this.boxes = [];       // {label, x, y, w, h, node} in natural pixels
    this.selected = -1;
    this.scale = 1;
    this.fitting = true;
    this.drag = null;
    this.fingers = new Map();  // touch pointers down: id → {x, y}
    this.pan = null;           // two fingers down: their last middle point
    this.handlers = { onChange, onSelect, newLabel };
    this.viewport = el("div", { class: "box-viewport" });
    this.stage = el("div", { class: "box-stage" });
    this.image = el("img", { alt: t("The image to mark"), draggable: "false" });
    this.overlay = svg("svg", { class: "box-canvas", role: "group", tabindex: "-1",
      "aria-label": t("Boxes on the image: drag on the image to draw one"),
      preserveAspectRatio: "none" });
    // The boxes' tags: above every box, outside the boxes' nodes (a box's accessible name
    // says what its tag shows).
    this.tags = svg("g", { class: "box-tags", "aria-hidden": "true" });
    this.overlay.append(this.tags);
    this.stage.append(this.image, this.overlay);
    this.viewport.append(this.stage);
    this.image.addEventListener("load", () => {
      this.width = this.image.naturalWidth;
      this.height = this.image.naturalHeight;
      this.overlay.setAttribute("viewBox", `0 0 ${this.width} ${this.height}`);
      this.fit();
      onLoad();
    });
    this.image.addEventListener("error", onError);
    this.overlay.addEventListener("pointerdown", (e) => this.pointerDown(e));
    this.overlay.addEventListener("pointermove", (e) => this.pointerMove(e));
    this.overlay.addEventListener("pointerup", (e) => this.pointerUp(e, false));
    this.overlay.addEventListener("pointercancel", (e) => this.pointerUp(e, true));
    this.onResize = () => { if (this.fitting) this.fit(); };
    window.addEventListener("resize", this.onResize);
    this.image.src = src;
  }

  get loaded() { return Boolean(this.width); }

  destroy() { window.removeEventListener("resize", this.onResize); }

  // ---- zoom -------------------------------------------------------------------------------
  fitScale() {
    const room = Math.max(160, this.viewport.clientWidth);
    const tall = Math.max(240, window.innerHeight * 0.7 - 4);  // the frame: 70vh, borders in
    return Math.min(room / this.width, tall / this.height);
  }

  fit() {
    if (!this.loaded) return;
    this.fitting = true;
    this.setScale(this.fitScale());
  }

  zoom(factor) {
    if (!this.loaded) return;
    const fit = this.fitScale();
    const [low, high] = [Math.min(fit, 1), Math.max(MAX_ZOOM, fit * 2)];
    const next = Math.min(high, Math.max(low, this.scale * factor));
    const v = this.viewport;
    const cx = (v.scrollLeft + v.clientWidth / 2) / this.scale;
    const cy = (v.scrollTop + v.clientHeight / 2) / this.scale;
    this.fitting = false;
    this.setScale(next);
    v.scrollLeft = cx * next - v.clientWidth / 2;
    v.scrollTop = cy * next - v.clientHeight / 2;
  }

  zoomIn() { this.zoom(ZOOM_STEP); }

  zoomOut() { this.zoom(1 / ZOOM_STEP); }

  setScale(scale) {
    this.scale = scale;
    this.stage.style.width = `${this.width * scale}px`;
    this.stage.style.height = `${this.height * scale}px`;
    this.boxes.forEach((box, i) => this.paint(box, i));
    this.handlers.onChange("zoom");
  }

  // ---- boxes ------------------------------------------------------------------------------
  add(box) {
    box.node = svg("g", { class: "box", tabindex: "0", role: "button",
      "aria-describedby": "box-keys-hint" });
    box.node.append(svg("rect", { class: "box-rect" }));
    box.tag = svg("text", { class: "box-tag" });
    this.tags.append(box.tag);
    for (const corner of CORNERS) {
      box.node.append(svg("circle", { class: "box-grip", "data-corner": corner }),
        svg("rect", { class: "box-handle", "data-corner": corner }));
    }
    box.node.addEventListener("focus", () => this.select(this.boxes.indexOf(box)));
    this.overlay.insertBefore(box.node, this.tags);
    this.boxes.push(box);
    this.repaint();
    return this.boxes.length - 1;
  }

  remove(index) {
    const [box] = this.boxes.splice(index, 1);
    box.node.remove();
    box.tag.remove();
    if (this.selected === index) this.selected = -1;
    else if (this.selected > index) this.selected -= 1;
    this.repaint();
  }

  select(index) {
    if (index === this.selected) return;
    this.selected = index;
    this.repaint();
    this.handlers.onSelect(index);
  }

  focusBox(index) {
    const box = this.boxes[index];
    if (!box) { this.overlay.focus({ preventScroll: true }); return; }
    box.node.focus({ preventScroll: true });
    this.select(index);
    this.reveal(box);
  }

  // Scroll the viewport so that a box is in sight (when zoomed in).
  reveal(box) {
    const v = this.viewport;
    const left = box.x * this.scale, top = box.y * this.scale;
    const right = (box.x + box.w) * this.scale, bottom = (box.y + box.h) * this.scale;
    if (left < v.scrollLeft || right > v.scrollLeft + v.clientWidth) v.scrollLeft = left - 16;
    if (top < v.scrollTop || bottom > v.scrollTop + v.clientHeight) v.scrollTop = top - 16;
  }

  repaint() {
    this.boxes.forEach((box, i) => this.paint(box, i));
    this.handlers.onChange("boxes");
  }

  paint(box, index) {
    const s = this.scale;
    const node = box.node;
    const tint = box.labelIndex % 9;
    node.setAttribute("class", `box tint-${tint}${index === this.selected ? " selected" : ""}`);
    node.setAttribute("aria-label", t("{label} box {number} of {count}",
      { label: box.label, number: index + 1, count: this.boxes.length }));
    node.setAttribute("aria-pressed", String(index === this.selected));
    const rect = node.querySelector(".box-rect");
    setAll(rect, { x: box.x, y: box.y, width: box.w, height: box.h });
    const tag = box.tag;
    tag.setAttribute("class", `box-tag tint-${tint}`);
    tag.textContent = `${index + 1} ${box.label}`;
    setAll(tag, { x: box.x + 3 / s, y: box.y + 14 / s, "font-size": 13 / s, "stroke-width": 3 / s });
    const handle = 10 / s, grip = 14 / s;
    for (const corner of CORNERS) {
      const [cx, cy] = cornerPoint(box, corner);
      setAll(node.querySelector(`circle[data-corner=${corner}]`), { cx, cy, r: grip });
      setAll(node.querySelector(`rect[data-corner=${corner}]`),
        { x: cx - handle / 2, y: cy - handle / 2, width: handle, height: handle });
    }
  }

  // ---- pointer ----------------------------------------------------------------------------
  point(event) {
    const r = this.stage.getBoundingClientRect();
    return { x: clamp((event.clientX - r.left) * this.width / r.width, 0, this.width),
             y: clamp((event.clientY - r.top) * this.height / r.height, 0, this.height) };
  }

  pointerDown(event) {
    if (event.pointerType === "touch" && this.secondFinger(event)) return;
    if (!this.loaded || this.drag || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    const start = this.point(event);
    const node = event.target.closest("g.box");
    const index = node ? this.boxes.findIndex((b) => b.node === node) : -1;
    const corner = event.target.dataset ? event.target.dataset.corner : undefined;
    // The selected box moves, or resizes by a corner; anywhere else (another box included,
    // so that boxes can nest) a drag draws, and a click selects the box under it.
    if (index >= 0 && index === this.selected && corner) {
      const box = this.boxes[index];
      const [ax, ay] = cornerPoint(box, opposite(corner));
      this.drag = { kind: "resize", index, anchor: { x: ax, y: ay }, before: copy(box) };
    } else if (index >= 0 && index === this.selected) {
      this.drag = { kind: "move", index, start, before: copy(this.boxes[index]) };
    } else {
      this.drag = { kind: "draw", index: -1, start, pressed: index };
    }
    this.drag.pointer = event.pointerId;
    this.overlay.setPointerCapture(event.pointerId);
  }

  pointerMove(event) {
    if (this.pan && this.fingers.has(event.pointerId)) { this.panWith(event); return; }
    const drag = this.drag;
    if (!drag || event.pointerId !== drag.pointer) return;
    const p = this.point(event);
    if (drag.kind === "draw") {
      const far = Math.abs(p.x - drag.start.x) * this.scale >= MIN_DRAG_PX
        || Math.abs(p.y - drag.start.y) * this.scale >= MIN_DRAG_PX;
      if (drag.index < 0 && !far) return;
      if (drag.index < 0) {
        drag.index = this.add({ ...this.handlers.newLabel(), x: 0, y: 0, w: 0, h: 0 });
      }
      Object.assign(this.boxes[drag.index], span(drag.start, p));
    } else if (drag.kind === "resize") {
      Object.assign(this.boxes[drag.index], span(drag.anchor, p));
    } else {
      const box = this.boxes[drag.index];
      box.x = clamp(drag.before.x + p.x - drag.start.x, 0, this.width - box.w);
      box.y = clamp(drag.before.y + p.y - drag.start.y, 0, this.height - box.h);
    }
    this.paint(this.boxes[drag.index], drag.index);
  }

  pointerUp(event, cancelled) {
    if (this.fingers.delete(event.pointerId) && this.fingers.size < 2) this.pan = null;
    const drag = this.drag;
    if (!drag || event.pointerId !== drag.pointer) return;
    this.drag = null;
    if (drag.kind === "draw" && drag.index < 0) {  // a click: on a box selects it, else none
      if (cancelled) return;
      if (drag.pressed >= 0) this.focusBox(drag.pressed);
      else this.select(-1);
      return;
    }
    const box = this.boxes[drag.index];
    if (cancelled && drag.before) Object.assign(box, drag.before);
    if (drag.kind === "draw" && (cancelled || box.w * this.scale < 1 || box.h * this.scale < 1)) {
      this.remove(drag.index);
      return;
    }
    box.w = Math.max(box.w, 1);  // at least one image pixel, inside the image
    box.h = Math.max(box.h, 1);
    box.x = clamp(box.x, 0, this.width - box.w);
    box.y = clamp(box.y, 0, this.height - box.h);
    this.repaint();
    this.focusBox(drag.index);
    this.handlers.onChange(drag.kind === "draw" ? "drawn" : "edited");
  }

  // ---- two fingers pan the zoomed image (one finger draws) ---------------------------------
  secondFinger(event) {
    if (event.isPrimary) { this.fingers.clear(); this.pan = null; }  // a new touch: none left over
    this.fingers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (this.fingers.size !== 2) return this.fingers.size > 2;
    const drag = this.drag;  // the first finger's drawing was the start of a pan: undo it
    if (drag) {
      this.drag = null;
      if (drag.kind === "draw" && drag.index >= 0) this.remove(drag.index);
      else if (drag.before) { Object.assign(this.boxes[drag.index], drag.before); this.repaint(); }
    }
    this.overlay.setPointerCapture(event.pointerId);
    this.pan = middle(this.fingers);
    event.preventDefault();
    return true;
  }

  panWith(event) {
    this.fingers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    const now = middle(this.fingers);
    this.viewport.scrollLeft -= now.x - this.pan.x;
    this.viewport.scrollTop -= now.y - this.pan.y;
    this.pan = now;
  }

  // ---- keyboard nudges ----------------------------------------------------------------------
  // One step is a screen pixel (at least one image pixel) whatever the zoom.
  nudge(dx, dy, resize) {
    const box = this.boxes[this.selected];
    if (!box) return false;
    const step = Math.max(1, 1 / this.scale);
    if (resize) {
      box.w = clamp(box.w + dx * step, step, this.width - box.x);
      box.h = clamp(box.h + dy * step, step, this.height - box.y);
    } else {
      box.x = clamp(box.x + dx * step, 0, this.width - box.w);
      box.y = clamp(box.y + dy * step, 0, this.height - box.h);
    }
    this.repaint();
    this.reveal(box);
    return true;
  }

  // A new box in the middle of what the viewport shows, a quarter of its size.
  centredBox() {
    const v = this.viewport;
    const seenW = Math.min(this.width, v.clientWidth / this.scale);
    const seenH = Math.min(this.height, v.clientHeight / this.scale || this.height);
    const x = Math.min(this.width, v.scrollLeft / this.scale);
    const y = Math.min(this.height, v.scrollTop / this.scale);
    return { x: x + seenW * 3 / 8, y: y + seenH * 3 / 8, w: seenW / 4, h: seenH / 4 };
  }
}

function middle(fingers) {
  const points = [...fingers.values()];
  return { x: (points[0].x + points[1].x) / 2, y: (points[0].y + points[1].y) / 2 };
}

function setAll(node, attrs) {
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
}

function clamp(value, low, high) { return Math.min(high, Math.max(low, value)); }

function copy(box) { return { x: box.x, y: box.y, w: box.w, h: box.h }; }

function span(a, b) {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y),
           w: Math.abs(b.x - a.x), h: Math.abs(b.y - a.y) };
}

function cornerPoint(box, corner) {
  return [corner.endsWith("w") ? box.x : box.x + box.w,
          corner.startsWith("n") ? box.y : box.y + box.h];
}

function opposite(corner) {
  return (corner[0] === "n" ? "s" : "n") + (corner[1] === "w" ? "e" : "w");
}
