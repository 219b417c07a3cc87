// The requester's image upload: drop files on the area or choose them; the upload's progress
// is shown as it is sent, then the images the server kept are added to the list.
// Sends multipart/form-data to the API with the session cookie and the CSRF header.
import { lang, t } from "./i18n.js";

const zone = document.getElementById("media-drop");
const input = document.getElementById("media-files");
const bar = document.getElementById("media-progress");
const status = document.getElementById("media-status");
const table = document.getElementById("media-list");
const total = document.getElementById("media-total");
const numbers = new Intl.NumberFormat(lang);
const decimal = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
let count = Number(total.dataset.count || 0);

function say(text, kind = "") {
  status.textContent = text;
  status.className = `small ${kind}`;
}

function size(bytes) {
  if (bytes < 1024 * 1024) return t("{size} KiB", { size: decimal.format(bytes / 1024) });
  return t("{size} MiB", { size: decimal.format(bytes / (1024 * 1024)) });
}

function cell(label, ...children) {
  const td = document.createElement("td");
  td.dataset.label = label;
  td.append(...children);
  return td;
}

function row(item) {
  const code = document.createElement("code");
  code.textContent = item.ref;
  const link = document.createElement("a");
  link.href = `/api/v1/media/${item.id}`;
  link.target = "_blank";
  link.rel = "noopener";
  link.textContent = item.name;
  const tr = document.createElement("tr");
  tr.append(cell(t("Reference"), code), cell(t("Name"), link), cell(t("Size"), size(item.bytes)),
    cell(t("Pixels"), `${item.width} × ${item.height}`));
  return tr;
}

function show(items) {
  const body = table.tBodies[0];
  const known = new Set([...body.querySelectorAll("code")].map((c) => c.textContent));
  const added = items.filter((item) => !known.has(item.ref));
  for (const item of added) body.prepend(row(item));  // the latest first, as listed
  table.hidden = body.rows.length === 0;
  count += added.length;
  total.dataset.count = String(count);
  total.textContent = numbers.format(count);
  return added.length;
}

function finished(request, sent) {
  bar.hidden = true;
  let body = null;
  try { body = JSON.parse(request.responseText); } catch { body = null; }
  if (request.status === 201 && body) {
    const added = show(body.media);
    say(t("Kept {kept} of {sent} files ({added} new): {refs}.", {
      kept: body.media.length, sent, added, refs: body.media.map((m) => m.ref).join(", "),
    }), "ok");
  } else {
    say(body && body.message ? body.message : t("The upload failed ({status}).",
      { status: request.status }), "error");
  }
  zone.removeAttribute("aria-busy");
  input.value = "";
}

function upload(files) {
  if (!files.length || zone.getAttribute("aria-busy") === "true") return;
  const form = new FormData();
  for (const file of files) form.append("file", file, file.name);
  const request = new XMLHttpRequest();
  request.open("POST", zone.dataset.url);
  request.setRequestHeader("X-CSRF-Token", zone.dataset.csrf);
  request.setRequestHeader("Accept", "application/json");
  request.upload.addEventListener("progress", (event) => {
    if (!event.lengthComputable) return;
    const percent = Math.round((100 * event.loaded) / event.total);
    bar.value = percent;
    bar.textContent = `${percent}%`;
    say(percent < 100 ? t("Sending… {percent}%", { percent }) : t("Checking the images…"));
  });
  request.addEventListener("load", () => finished(request, files.length));
  request.addEventListener("error", () => {
    bar.hidden = true;
    zone.removeAttribute("aria-busy");
    say(t("The upload was cut off: check the connection and try again."), "error");
  });
  zone.setAttribute("aria-busy", "true");
  bar.hidden = false;
  bar.value = 0;
  say(t("Sending {count} files…", { count: files.length }));
  request.send(form);
}

input.addEventListener("change", () => upload([...input.files]));
for (const name of ["dragenter", "dragover"]) {
  zone.addEventListener(name, (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
}
zone.addEventListener("dragleave", () => zone.classList.remove("over"));
zone.addEventListener("drop", (event) => {
  event.preventDefault();
  zone.classList.remove("over");
  upload([...event.dataTransfer.files]);
});
