// Keyboard-first labeling: number keys choose, Enter submits, S skips; every answer is also a
// button to tap (a phone) or to reach with Tab, and Enter on a focused link or button does what
// it says there. Talks to the same /api/v1 endpoints as any client, with the session cookie and
// CSRF header. Boxes, spans and rankings have an editor each (static/label/), which draws its
// answer controls, takes the keys it knows first, and gives the answer.

import { t } from "./i18n.js";
import { boxesEditor } from "./label/boxes.js";
import { el, mediaSrc } from "./label/dom.js";
import { rankingEditor } from "./label/ranking.js";
import { spansEditor } from "./label/spans.js";

// Per task type: the editor, and the task data fields it shows itself.
const EDITORS = {
  bounding_boxes: { make: boxesEditor, shows: ["image"] },
  spans: { make: spansEditor, shows: ["text"] },
  ranking: { make: rankingEditor, shows: ["responses"] },
};

const root = document.getElementById("labeler");
const projectId = root.dataset.project;
const csrf = root.dataset.csrf;
const schema = JSON.parse(root.dataset.schema);
const imageHosts = JSON.parse(root.dataset.imageHosts || "[]");
const kind = EDITORS[schema.type];
const editorBox = document.getElementById("editor");
const taskBox = document.getElementById("task");
const form = document.getElementById("answer-form");
const choicesBox = document.getElementById("choices");
const textWrap = document.getElementById("text-area-wrap");
const textAnswer = document.getElementById("text-answer");
const textCount = document.getElementById("text-count");
const rationaleWrap = document.getElementById("rationale-wrap");
const rationale = document.getElementById("rationale");
const message = document.getElementById("message");
const doneCount = document.getElementById("done-count");
const leaseLeft = document.getElementById("lease-left");

let lease = null;          // the current assignment
let selected = new Set();  // chosen values
let busy = false;
let idempotencyKey = null;
let timer = null;
let editor = null;         // the editor of the current task (boxes, spans, ranking)

function api(path, options = {}) {
  const headers = { "X-CSRF-Token": csrf, ...(options.headers || {}) };
  return fetch(`/api/v1${path}`, { credentials: "same-origin", ...options, headers });
}

// What the server refused, in the reader's language where the page knows the case (the API
// speaks English: its message is the fallback).
function refusal(body, fallback = t("Could not load a task.")) {
  const known = {
    escrow_exhausted: t("This project is waiting for its requester to add funds. Everything you have done on it is paid."),
    project_not_open: t("This project serves no work right now."),
    lease_expired: t("The time to answer this task ran out."),
    already_submitted: t("This answer was already sent."),
    released: t("This task was skipped; it can no longer be answered."),
  };
  return known[body.error] || body.message || fallback;
}

function say(text, kind = "ok") {
  message.textContent = text;
  message.className = `flash ${kind === "error" ? "error" : ""}`;
  message.hidden = !text;
}

function options() {
  if (schema.type === "single_choice" || schema.type === "multi_choice") return schema.choices;
  if (schema.type === "rating") {
    const values = [];
    for (let v = schema.min; v <= schema.max; v++) values.push(v);
    return values;
  }
  if (schema.type === "pairwise") return ["a", "b"];
  return [];
}

function renderData(data) {
  taskBox.replaceChildren();
  if (schema.type === "pairwise") {
    taskBox.append(el("div", { class: "field" }, el("div", { class: "key" }, t("Prompt")),
      el("div", { class: "value" }, data.prompt)));
    // Each response is a button: a tap, a click, Space or Enter on it chooses it.
    const pair = el("div", { class: "pair", role: "group", "aria-label": t("Which response is better?") });
    for (const side of ["a", "b"]) {
      const box = el("button", { type: "button", class: "response", id: `response-${side}`,
        "data-value": side, "aria-pressed": "false" },
      el("span", { class: "response-title" }, t("Response {side}", { side: side.toUpperCase() }), " ",
        el("kbd", {}, side === "a" ? "1" : "2")),
      el("span", { class: "response-text" }, data[`response_${side}`]));
      box.addEventListener("click", () => choose(side));
      pair.append(box);
    }
    taskBox.append(pair);
    return;
  }
  for (const [key, value] of Object.entries(data)) {
    if (kind && kind.shows.includes(key)) continue;
    const field = el("div", { class: "field" }, el("div", { class: "key" }, key));
    if (key === "image") {
      const src = mediaSrc(value, imageHosts);
      if (!src) continue;  // not an image this platform shows: nothing, as the pages do
      field.append(el("img", { class: "task-image", src, alt: t("The image to label") }));
    } else {
      field.append(el("div", { class: "value" },
        typeof value === "string" ? value : JSON.stringify(value)));
    }
    taskBox.append(field);
  }
}

function renderEditor(data) {
  if (editor) editor.destroy();
  editor = null;
  editorBox.replaceChildren();
  editorBox.hidden = !kind;
  if (kind) editor = kind.make(editorBox, data, schema, { say, submit, imageHosts });
}

function renderAnswerControls() {
  choicesBox.replaceChildren();
  selected = new Set();
  textWrap.hidden = schema.type !== "free_text";
  rationaleWrap.hidden = schema.type !== "pairwise" && schema.type !== "ranking";
  textAnswer.value = "";
  countText();
  rationale.value = "";
  if (schema.type === "pairwise" || kind) { choicesBox.hidden = true; return; }
  choicesBox.hidden = false;
  options().forEach((value, index) => {
    const key = index < 9 ? String(index + 1) : "";
    const button = el("button", { type: "button", class: "choice", "aria-pressed": "false", "data-value": String(value) },
      key ? el("kbd", {}, key) : "", ` ${value}`);
    button.addEventListener("click", () => choose(value));
    choicesBox.append(button);
  });
}

// The free-text answer's length beside its limit, in characters (code points, as the server counts).
function countText() {
  if (textCount) textCount.textContent = `${[...textAnswer.value].length} / ${schema.max_length}`;
}

function choose(value) {
  if (schema.type === "multi_choice") {
    if (selected.has(value)) selected.delete(value); else selected.add(value);
  } else {
    selected = new Set([value]);
  }
  for (const node of document.querySelectorAll("[data-value]")) {
    const on = selected.has(schema.type === "rating" ? Number(node.dataset.value) : node.dataset.value);
    if (node.classList.contains("response")) node.classList.toggle("selected", on);
    node.setAttribute("aria-pressed", String(on));
  }
}

function withRationale(value) {
  const why = rationale.value.trim();
  return why ? { ...value, rationale: why } : value;
}

// {value} to send, or {error} to show.
function answer() {
  if (editor) {
    const result = editor.answer();
    return schema.type === "ranking" && result.value ? { value: withRationale(result.value) } : result;
  }
  const value = choiceAnswer();
  if (value === undefined && schema.type === "multi_choice") {
    return { error: t("Tick at least one answer, or skip the task.") };
  }
  if (value === undefined && schema.type === "free_text") {
    return { error: t("Write an answer first, or skip the task.") };
  }
  if (value === undefined) return { error: t("Choose an answer first.") };
  return { value };
}

function choiceAnswer() {
  switch (schema.type) {
    case "single_choice": case "rating": return selected.size ? [...selected][0] : undefined;
    // The schema has no lower bound, but nothing ticked is almost always a slip of Enter.
    case "multi_choice": return selected.size ? [...selected] : undefined;
    case "free_text": return textAnswer.value.trim() || undefined;
    case "pairwise": return selected.size ? withRationale({ choice: [...selected][0] }) : undefined;
  }
  return undefined;
}

function showLeaseTimer() {
  clearInterval(timer);
  const tick = () => {
    if (!lease) { leaseLeft.textContent = ""; return; }
    const seconds = Math.max(0, Math.round((new Date(lease.lease_expires_at) - Date.now()) / 1000));
    const time = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
    leaseLeft.textContent = t("{time} left to answer", { time });
  };
  tick();
  timer = setInterval(tick, 1000);
}

async function loadNext() {
  busy = true;
  lease = null;
  form.hidden = true;
  if (editor) editor.destroy();
  editor = null;
  const response = await api(`/projects/${projectId}/next`);
  busy = false;
  if (response.status === 204) {
    taskBox.replaceChildren(el("p", {}, t("Nothing is left for you in this project. Thank you!")),
      el("p", {}, el("a", { href: "/worker" }, t("Back to your projects"))));
    showLeaseTimer();
    return;
  }
  const body = await response.json();
  if (!response.ok) {
    // A project waiting for funds is no error of the worker's: say so plainly.
    const kind = body.error === "escrow_exhausted" ? "flash" : "flash error";
    const said = el("p", { class: kind, role: "status" }, refusal(body));
    taskBox.replaceChildren(said);
    if (body.error === "project_not_open") {  // paused or ended meanwhile: its page says why
      said.append(" ", el("a", { href: window.location.pathname }, t("See where it stands")));
    }
    return;
  }
  lease = body;
  idempotencyKey = crypto.randomUUID();
  renderData(body.task.data);
  renderEditor(body.task.data);
  if (body.qualification) {
    taskBox.prepend(el("p", { class: "banner", id: "qualification-banner" },
      t("Qualification test: answer these items to unlock the project's work. They are paid like any task.")));
  }
  renderAnswerControls();
  form.hidden = false;
  if (editor && editor.focus) editor.focus();
  root.dataset.assignment = String(body.assignment_id);
  showLeaseTimer();
  if (schema.type === "free_text") textAnswer.focus();
}

// Sends the answer on the page, or `given` (the boxes' "nothing to mark" sends []).
async function submit(given) {
  if (!lease || busy) return;
  const { value, error } = given === undefined ? answer() : { value: given };
  if (error) {
    say(error, "error");
    return;
  }
  busy = true;
  const response = await api(`/assignments/${lease.assignment_id}/submit`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Idempotency-Key": idempotencyKey },
    body: JSON.stringify({ answer: value }),
  });
  busy = false;
  const body = await response.json();
  if (!response.ok) {
    say(refusal(body, t("The answer was not accepted.")), "error");
    if (response.status === 409) await loadNext();
    return;
  }
  doneCount.textContent = String(Number(doneCount.textContent) + (body.replayed ? 0 : 1));
  say(t("Saved."));
  await loadNext();
}

async function skip() {
  if (!lease || busy) return;
  busy = true;
  await api(`/assignments/${lease.assignment_id}/release`, { method: "POST" });
  busy = false;
  say(t("Skipped."));
  await loadNext();
}

form.addEventListener("submit", (event) => { event.preventDefault(); submit(); });
document.getElementById("skip-btn").addEventListener("click", skip);
textAnswer.addEventListener("input", countText);

// The answer button that has the focus (a choice, a rating, a pairwise response), if any.
function focusedAnswer(target) {
  return target instanceof Element ? target.closest("#choices .choice, .pair .response") : null;
}

function valueOf(button) {
  return schema.type === "rating" ? Number(button.dataset.value) : button.dataset.value;
}

// Choose by a key, and move the focus to that answer: Enter then sends what has the focus.
function chooseByKey(value) {
  choose(value);
  const button = [...document.querySelectorAll("#choices .choice, .pair .response")]
    .find((node) => valueOf(node) === value);
  if (button) button.focus({ preventScroll: true });
}

// Enter on a link or a button (other than an answer) does what it does there, not submit.
// (A drawn box is no such button: Enter on it sends the boxes.)
function ownEnter(target) {
  return target instanceof Element && Boolean(target.closest("a[href], button, summary, select"));
}

document.addEventListener("keydown", (event) => {
  const typing = event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLInputElement;
  const answerButton = typing ? null : focusedAnswer(event.target);
  if (event.key === "Enter" && answerButton && lease) {
    // Enter on an answer answers with it (multiple choice: sends what is ticked; Space ticks).
    event.preventDefault();
    if (schema.type !== "multi_choice") choose(valueOf(answerButton));
    submit();
    return;
  }
  if (event.key === "Enter" && (typing ? event.ctrlKey || event.metaKey : !ownEnter(event.target))) {
    event.preventDefault();
    submit();
    return;
  }
  if (typing) {
    if (event.key === "Escape") event.target.blur();
    return;
  }
  if (event.key === "Enter" || event.defaultPrevented || !lease) return;
  if (editor && editor.onKey(event)) { event.preventDefault(); return; }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key.toLowerCase();
  if (key === "s") { event.preventDefault(); skip(); return; }
  if (key === "r" && !rationaleWrap.hidden) { event.preventDefault(); rationale.focus(); return; }
  if (schema.type === "pairwise") {
    if (key === "1" || key === "a") chooseByKey("a");
    else if (key === "2" || key === "b") chooseByKey("b");
    return;
  }
  if (/^[1-9]$/.test(key)) {
    const value = options()[Number(key) - 1];
    if (value !== undefined) chooseByKey(value);
  }
});

loadNext();
