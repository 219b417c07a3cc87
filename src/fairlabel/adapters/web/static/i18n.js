// The page's language for scripts: t("English text", {field: value}) gives the text in the
// reader's language (the catalog the page carries in #fl-i18n), with {field}s filled in.
// Also tells the server the browser's time zone (the "tz" cookie) for accounts that chose none.

const element = document.getElementById("fl-i18n");
const catalog = element ? JSON.parse(element.textContent || "{}") : {};

export function t(message, fields = {}) {
  const text = catalog[message] || message;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in fields ? String(fields[name]) : whole));
}

export const lang = document.documentElement.lang || "en";

try {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && !document.cookie.split("; ").includes(`tz=${encodeURIComponent(zone)}`)) {
    document.cookie = `tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; SameSite=Lax`;
  }
} catch (_error) {
  // No Intl time zone: the server shows UTC.
}
