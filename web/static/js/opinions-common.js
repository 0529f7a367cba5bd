// Small helpers shared by the opinion parts (watch page, triage, agenda pages).
import { api } from "./api.js";

export { api, csrfToken } from "./api.js";

export function pageLang() {
  const meta = document.querySelector('meta[name="lang"]');
  return meta ? meta.content : "zh-CN";
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-") || key.startsWith("aria-") || key === "type" || key === "href" || key === "value") node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

// Category key -> name in the page's language, from /api/categories.
export async function loadCategories() {
  const answer = await api("GET", "/api/categories");
  const english = pageLang() === "en";
  const names = new Map();
  for (const c of answer.ok ? answer.body : []) names.set(c.key, english ? c.name_en : c.name_zh);
  return names;
}

export function fillSelect(select, names, keepFirst = true) {
  if (!select) return;
  const first = keepFirst ? select.querySelector("option") : null;
  select.replaceChildren(...(first ? [first] : []));
  for (const [key, name] of names) select.append(el("option", { value: key, text: name }));
}

export async function fillPlaces(datalist, community) {
  if (!datalist || !community) return;
  const answer = await api("GET", "/api/places?community=" + encodeURIComponent(community));
  if (!answer.ok) return;
  datalist.replaceChildren(...answer.body.map((label) => el("option", { value: label })));
}
