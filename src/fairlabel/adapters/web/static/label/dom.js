// Small DOM helpers shared by the labeling page's modules.

const SVG = "http://www.w3.org/2000/svg";

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
}

export function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

// The address of a task's image, by the rule of the pages' `media_src` filter: "media:12" is
// the platform's media item 12; an https address stays when its host is one the operator
// allows (FAIRLABEL_IMAGE_HOSTS, given by the page); anything else shows nothing (null).
export function mediaSrc(ref, allowedHosts) {
  if (typeof ref !== "string") return null;
  const media = /^media:([1-9][0-9]{0,17})$/.exec(ref);
  if (media) return `/api/v1/media/${media[1]}`;
  let url;
  try { url = new URL(ref); } catch { return null; }
  if (url.protocol !== "https:" || url.username || url.password) return null;
  return allowedHosts.includes(url.hostname.toLowerCase()) ? url.href : null;
}

// The label keys 1–9 beside each label, as buttons; `onPick(index)` on a click.
export function labelPalette(labels, onPick, caption) {
  const group = el("div", { class: "label-palette", role: "group", "aria-label": caption });
  labels.forEach((label, index) => {
    const button = el("button", { type: "button", class: `choice tint-${index % 9}`,
      "aria-pressed": "false", "data-label-index": String(index) },
    index < 9 ? el("kbd", {}, String(index + 1)) : "", ` ${label}`);
    button.addEventListener("click", () => onPick(index));
    group.append(button);
  });
  return group;
}

export function markPalette(group, index) {
  for (const button of group.querySelectorAll("[data-label-index]")) {
    button.setAttribute("aria-pressed", String(Number(button.dataset.labelIndex) === index));
  }
}

// The index (0–8) of a label key, or -1: the digits 1–9 on the main row or the keypad.
export function labelKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return -1;
  return /^[1-9]$/.test(event.key) ? Number(event.key) - 1 : -1;
}
