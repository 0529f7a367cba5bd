// The admin page: every form with data-api sends its fields as JSON to that endpoint
// (with the CSRF token) and reloads the page when the server accepted it.
// Field rules: checkboxes send true/false, number inputs numbers (empty: null), inputs marked data-list send a list of words,
// a place's parent ("grid:5") is sent as its id only when it fits the kind of place.
import { errorText, request } from "./api.js";

const messages = document.getElementById("admin-messages");

function message(key) {
  const node = messages && messages.content.querySelector(`[data-key="${key}"]`);
  return node ? node.textContent : key;
}

const PARENT_OF = { compound: "grid", building: "compound", unit: "building" };

function fieldsOf(form) {
  const body = {};
  for (const element of form.elements) {
    if (!element.name || element.disabled) continue;
    if (element.type === "checkbox") body[element.name] = element.checked;
    else if (element.type === "number") body[element.name] = element.value === "" ? null : Number(element.value);
    else if (element.hasAttribute("data-list")) {
      body[element.name] = element.value.split(/[\s,，、]+/).filter(Boolean);
    } else body[element.name] = element.value;
  }
  if (form.classList.contains("place-form")) {
    const [kind, id] = (body.parent || "").split(":");
    body.parent = kind && kind === PARENT_OF[body.kind] ? id : null;
  }
  if (form.classList.contains("user-row") && body.community === "") body.community = null;
  return body;
}

// The "inside" menu of a place form lists only the places that can hold the chosen kind.
function fitParents(form) {
  const kind = form.elements.kind.value;
  const parent = form.elements.parent;
  for (const group of parent.querySelectorAll("optgroup")) {
    const fits = group.dataset.kind === PARENT_OF[kind];
    group.hidden = !fits;
    group.disabled = !fits;
  }
  const chosen = parent.selectedOptions[0];
  if (chosen && chosen.parentElement.tagName === "OPTGROUP" && chosen.parentElement.disabled) parent.value = "";
}

for (const form of document.querySelectorAll("form.place-form")) {
  form.elements.kind.addEventListener("change", () => fitParents(form));
  fitParents(form);
}

async function submit(form) {
  const error = form.querySelector(".form-error");
  const button = form.querySelector("button[type=submit]");
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
  error.hidden = true;
  button.disabled = true;
  try {
    const method = form.dataset.method || "POST";
    const answer = await request(method, form.dataset.api, method === "GET" ? {} : { json: fieldsOf(form) });
    if (answer.ok) {
      button.textContent = message("saved");
      window.location.reload();
      return;
    }
    if (answer.status === 0) throw new Error("network");
    error.textContent = errorText(answer.body, { failed: message("failed") }, answer.status);
    error.hidden = false;
  } catch (_) {
    error.textContent = message("failed");
    error.hidden = false;
  }
  button.disabled = false;
}

document.querySelectorAll("form[data-api]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form);
  });
});
