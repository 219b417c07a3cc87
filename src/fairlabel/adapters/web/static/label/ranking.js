// Ranking model responses, best first: press a response's number to put it next in the order
// (Backspace undoes), move the focused one with Alt+Up/Down, or drag with a mouse, pen or
// finger. The answer is {"order": [indices, best first]}; the page adds the rationale.

import { t } from "../i18n.js";
import { el } from "./dom.js";

export function rankingEditor(host, data, schema, ctx) {
  const responses = data.responses;
  const n = responses.length;
  let order = responses.map((_, i) => i);
  let placed = 0;      // the first `placed` of `order` are ranked; the rest wait
  const history = [];  // earlier {order, placed}, for Backspace
  let drag = null;
  let dragged = false;  // a drag just ended: the click that follows it is no click

  const live = el("p", { class: "visually-hidden", "aria-live": "polite" });
  const note = (text) => { live.textContent = text; };
  const list = el("ol", { class: "ranking", id: "ranking", "aria-label": t("Responses, best first") });
  host.append(el("div", { class: "ranking-editor" },
    el("p", { class: "muted small", id: "ranking-hint" },
      t("Press the responses' numbers (or click them) from best to worst; Backspace undoes. "
      + "Or drag them into order, or move the focused one with Alt+↑/↓.")), list, live));

  function render() {
    const focused = document.activeElement && list.contains(document.activeElement)
      ? Number(document.activeElement.dataset.index) : -1;
    list.replaceChildren(...order.map((index, position) => {
      const ranked = position < placed;
      const grip = el("span", { class: "grip", "aria-hidden": "true", title: t("Drag to move") }, "⠿");
      const item = el("li", { class: `rank-item${ranked ? " placed" : ""}`, tabindex: "0",
        "data-index": String(index), "aria-describedby": "ranking-hint" },
      grip,
      el("span", { class: "rank" }, ranked ? `#${position + 1}` : "–"),
      el("div", { class: "rank-body" },
        el("h2", { class: "rank-title" }, t("Response"), " ", el("kbd", {}, String(index + 1)),
          el("span", { class: "visually-hidden" }, ranked
            ? t(", ranked {position} of {count}", { position: position + 1, count: n })
            : t(", not ranked yet"))),
        el("div", { class: "rank-text" }, responses[index])));
      item.addEventListener("pointerdown", (event) => startDrag(event, index));
      item.addEventListener("click", () => click(index));
      return item;
    }));
    if (focused >= 0) list.querySelector(`[data-index="${focused}"]`).focus({ preventScroll: true });
  }

  function change(next, nextPlaced, message) {
    history.push({ order, placed });
    order = next;
    placed = nextPlaced >= n - 1 ? n : nextPlaced;  // the last one left is placed with it
    render();
    note(message);
  }

  function put(index) {
    if (index >= n) return;
    const at = order.indexOf(index);
    if (at < placed) {
      ctx.say(t("Response {number} is already ranked #{position}: Backspace undoes the last step.",
        { number: index + 1, position: at + 1 }), "error");
      return;
    }
    const next = order.filter((i) => i !== index);
    next.splice(placed, 0, index);
    ctx.say("");
    change(next, placed + 1, t("Response {number} ranked #{position}.",
      { number: index + 1, position: placed + 1 }));
  }

  function move(index, to) {
    const from = order.indexOf(index);
    if (to < 0 || to >= n || to === from) return;
    const next = order.filter((i) => i !== index);
    next.splice(to, 0, index);
    change(next, n, t("Response {number} moved to #{position}.", { number: index + 1, position: to + 1 }));
  }

  function undo() {
    const last = history.pop();
    if (!last) return;
    ({ order, placed } = last);
    render();
    note(t("Undone."));
  }

  // ---- the pointer: a click or tap puts a response next; dragging moves it (the whole item
  // with a mouse or pen, its grip with a finger, so that a finger elsewhere still scrolls) -------
  function click(index) {
    if (dragged) { dragged = false; return; }
    if (order.indexOf(index) >= placed) put(index);
  }

  function startDrag(event, index) {
    if (drag || (event.pointerType === "mouse" && event.button !== 0)) return;
    if (event.pointerType === "touch" && !event.target.closest(".grip")) return;
    event.preventDefault();
    drag = { index, pointer: event.pointerId, y: event.clientY, moved: false,
             before: { order, placed } };
    list.setPointerCapture(event.pointerId);
    list.querySelector(`[data-index="${index}"]`).focus({ preventScroll: true });
  }

  function markDragged() {
    list.classList.toggle("dragging", drag !== null);
    for (const item of list.children) {
      item.classList.toggle("lifted", drag !== null && Number(item.dataset.index) === drag.index);
    }
  }

  list.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointer) return;
    if (!drag.moved && Math.abs(event.clientY - drag.y) < 6) return;
    drag.moved = true;
    const others = [...list.children].filter((item) => Number(item.dataset.index) !== drag.index);
    let to = others.length;
    others.some((item, i) => {
      const r = item.getBoundingClientRect();
      if (event.clientY < r.top + r.height / 2) { to = i; return true; }
      return false;
    });
    if (order.indexOf(drag.index) !== to) {
      order = order.filter((i) => i !== drag.index);
      order.splice(to, 0, drag.index);
      render();
    }
    markDragged();
  });

  const endDrag = (event) => {
    if (!drag || event.pointerId !== drag.pointer) return;
    const { index, before, moved } = drag;
    drag = null;
    markDragged();
    if (!moved) return;
    dragged = true;
    setTimeout(() => { dragged = false; }, 0);
    history.push(before);
    placed = n;
    render();
    note(t("Response {number} is #{position}.", { number: index + 1, position: order.indexOf(index) + 1 }));
  };
  list.addEventListener("pointerup", endDrag);
  list.addEventListener("pointercancel", endDrag);

  function onKey(event) {
    const item = event.target instanceof Element ? event.target.closest(".rank-item") : null;
    if (event.altKey && item && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      const index = Number(item.dataset.index);
      move(index, order.indexOf(index) + (event.key === "ArrowUp" ? -1 : 1));
      return true;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return false;
    if (/^[1-9]$/.test(event.key)) { put(Number(event.key) - 1); return true; }
    if (event.key === "Backspace") { undo(); return true; }
    if (item && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      const sibling = event.key === "ArrowUp" ? item.previousElementSibling : item.nextElementSibling;
      if (sibling) sibling.focus();
      return true;
    }
    return false;
  }

  function answer() {
    if (placed < n) {
      return { error: t("Rank every response first: press their numbers from best to worst "
        + "({count} left), or drag them into order.", { count: n - placed }) };
    }
    return { value: { order: [...order] } };
  }

  render();
  return { answer, onKey, destroy() {} };
}
