// Keyboard-first labeling: number keys choose, Enter submits, S skips.
// Talks to the same /api/v1 endpoints as any client, with the session cookie and CSRF header.

const root = document.getElementById("labeler");
const projectId = root.dataset.project;
const csrf = root.dataset.csrf;
const schema = JSON.parse(root.dataset.schema);
const taskBox = document.getElementById("task");
const form = document.getElementById("answer-form");
const choicesBox = document.getElementById("choices");
const textWrap = document.getElementById("text-area-wrap");
const textAnswer = document.getElementById("text-answer");
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

function api(path, options = {}) {
  const headers = { "X-CSRF-Token": csrf, ...(options.headers || {}) };
  return fetch(`/api/v1${path}`, { credentials: "same-origin", ...options, headers });
}

function say(text, kind = "ok") {
  message.textContent = text;
  message.className = `flash ${kind === "error" ? "error" : ""}`;
  message.hidden = !text;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
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
    taskBox.append(el("div", { class: "field" }, el("div", { class: "key" }, "Prompt"),
      el("div", { class: "value" }, data.prompt)));
    const pair = el("div", { class: "pair" });
    for (const side of ["a", "b"]) {
      const box = el("div", { class: "response", id: `response-${side}`, "data-value": side },
        el("h3", {}, `Response ${side.toUpperCase()} `, el("kbd", {}, side === "a" ? "1" : "2")),
        data[`response_${side}`]);
      box.addEventListener("click", () => choose(side));
      pair.append(box);
    }
    taskBox.append(pair);
    return;
  }
  for (const [key, value] of Object.entries(data)) {
    const field = el("div", { class: "field" }, el("div", { class: "key" }, key));
    const isImage = key === "image" && typeof value === "string" && /^https?:\/\//.test(value);
    field.append(isImage ? el("img", { src: value, alt: "task image" })
      : el("div", { class: "value" }, typeof value === "string" ? value : JSON.stringify(value)));
    taskBox.append(field);
  }
}

function renderAnswerControls() {
  choicesBox.replaceChildren();
  selected = new Set();
  textWrap.hidden = schema.type !== "free_text";
  rationaleWrap.hidden = schema.type !== "pairwise";
  textAnswer.value = "";
  rationale.value = "";
  if (schema.type === "pairwise") { choicesBox.hidden = true; return; }
  choicesBox.hidden = false;
  options().forEach((value, index) => {
    const key = index < 9 ? String(index + 1) : "";
    const button = el("button", { type: "button", class: "choice", "aria-pressed": "false", "data-value": String(value) },
      key ? el("kbd", {}, key) : "", ` ${value}`);
    button.addEventListener("click", () => choose(value));
    choicesBox.append(button);
  });
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
    else node.setAttribute("aria-pressed", String(on));
  }
}

function answer() {
  switch (schema.type) {
    case "single_choice": case "rating": return selected.size ? [...selected][0] : undefined;
    case "multi_choice": return [...selected];
    case "free_text": return textAnswer.value.trim() || undefined;
    case "pairwise": {
      if (!selected.size) return undefined;
      const result = { choice: [...selected][0] };
      if (rationale.value.trim()) result.rationale = rationale.value.trim();
      return result;
    }
  }
  return undefined;
}

function showLeaseTimer() {
  clearInterval(timer);
  const tick = () => {
    if (!lease) { leaseLeft.textContent = ""; return; }
    const seconds = Math.max(0, Math.round((new Date(lease.lease_expires_at) - Date.now()) / 1000));
    leaseLeft.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")} left`;
  };
  tick();
  timer = setInterval(tick, 1000);
}

async function loadNext() {
  busy = true;
  lease = null;
  form.hidden = true;
  const response = await api(`/projects/${projectId}/next`);
  busy = false;
  if (response.status === 204) {
    taskBox.replaceChildren(el("p", {}, "Nothing is left for you in this project. Thank you!"),
      el("p", {}, el("a", { href: "/worker" }, "Back to open projects")));
    showLeaseTimer();
    return;
  }
  const body = await response.json();
  if (!response.ok) {
    // A project waiting for funds is no error of the worker's: say so plainly.
    const kind = body.error === "escrow_exhausted" ? "flash" : "flash error";
    taskBox.replaceChildren(el("p", { class: kind, role: "status" },
      body.message || "Could not load a task."));
    return;
  }
  lease = body;
  idempotencyKey = crypto.randomUUID();
  renderData(body.task.data);
  if (body.qualification) {
    taskBox.prepend(el("p", { class: "banner", id: "qualification-banner" },
      "Qualification test: answer these items to unlock the project's work. They are paid like any task."));
  }
  renderAnswerControls();
  form.hidden = false;
  root.dataset.assignment = String(body.assignment_id);
  showLeaseTimer();
  if (schema.type === "free_text") textAnswer.focus();
}

async function submit() {
  if (!lease || busy) return;
  const value = answer();
  if (value === undefined || (Array.isArray(value) && schema.type !== "multi_choice")) {
    say("Choose an answer first.", "error");
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
    say(body.message || "The answer was not accepted.", "error");
    if (response.status === 409) await loadNext();
    return;
  }
  doneCount.textContent = String(Number(doneCount.textContent) + (body.replayed ? 0 : 1));
  say("Saved.");
  await loadNext();
}

async function skip() {
  if (!lease || busy) return;
  busy = true;
  await api(`/assignments/${lease.assignment_id}/release`, { method: "POST" });
  busy = false;
  say("Skipped.");
  await loadNext();
}

form.addEventListener("submit", (event) => { event.preventDefault(); submit(); });
document.getElementById("skip-btn").addEventListener("click", skip);

document.addEventListener("keydown", (event) => {
  const typing = event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLInputElement;
  if (event.key === "Enter" && (!typing || event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    submit();
    return;
  }
  if (typing) {
    if (event.key === "Escape") event.target.blur();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key.toLowerCase();
  if (key === "s") { event.preventDefault(); skip(); return; }
  if (schema.type === "pairwise") {
    if (key === "1" || key === "a") choose("a");
    else if (key === "2" || key === "b") choose("b");
    else if (key === "r") { event.preventDefault(); rationale.focus(); }
    return;
  }
  if (/^[1-9]$/.test(key)) {
    const value = options()[Number(key) - 1];
    if (value !== undefined) choose(value);
  }
});

loadNext();
