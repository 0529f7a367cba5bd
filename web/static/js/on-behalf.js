// The grid worker's desk (网格员代录): an opinion, a support, a rating or a household vote entered
// for a named resident of a household picked by building, unit and room, with their consent.
import { api, errorText } from "./api.js";
import { enhancePickers, roomsChanged } from "./household-picker.js";

const root = document.getElementById("on-behalf");
const form = root && root.querySelector('[data-role="entry"]');
if (form) {
  const strings = JSON.parse(root.dataset.strings);
  const config = JSON.parse(root.dataset.config);
  const status = form.querySelector('[data-testid="ob-status"]');
  const entries = root.querySelector('[data-testid="ob-entries"]');
  const fill = (text, values) => Object.entries(values).reduce((s, [k, v]) => s.replaceAll(`{${k}}`, v), text);

  const kind = () => form.querySelector('input[name="kind"]:checked').value;
  const showKind = () => {
    form.querySelectorAll("[data-kind]").forEach((part) => { part.hidden = part.dataset.kind !== kind(); });
  };
  form.querySelectorAll('input[name="kind"]').forEach((radio) => radio.addEventListener("change", showKind));
  showKind();
  enhancePickers(form);

  const household = () => {
    const unit = form.elements.unit;
    return `${unit.options[unit.selectedIndex].text} ${form.elements.room.value.trim()}`;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = new FormData(form);
    const who = {
      unit: f.get("unit"), room: String(f.get("room") || "").trim(), resident: String(f.get("resident") || "").trim(),
      consent: f.get("consent") === "on", channel: f.get("channel"),
    };
    if (!who.room) { status.textContent = strings.error_household_required; return; }
    let path; let body;
    switch (kind()) {
      case "opinion": path = "/api/on-behalf/opinions"; body = { ...who, text: f.get("text") }; break;
      case "support": path = "/api/on-behalf/supports"; body = { ...who, opinion: f.get("opinion") }; break;
      case "rating": path = "/api/on-behalf/ratings"; body = { ...who, item: f.get("item"), rating: f.get("rating") }; break;
      default: {
        const [vote, option] = String(f.get("choice") || ":").split(":");
        path = "/api/on-behalf/votes"; body = { ...who, vote, option };
      }
    }
    const button = form.querySelector('[type="submit"]');
    button.disabled = true;
    status.textContent = "";
    const answer = await api("POST", path, body);
    button.disabled = false;
    if (!answer.ok) { status.textContent = errorText(answer.body, strings, answer.status); status.dataset.state = "error"; return; }
    const where = household();
    if (kind() === "vote") {
      status.textContent = fill(answer.body.replaced ? strings.vote_changed : strings.vote_counted, { household: where });
    } else {
      status.textContent = fill(strings.entered, { name: who.resident, household: where });
    }
    status.dataset.state = "ok";
    roomsChanged(form);
    if (kind() === "opinion") form.elements.text.value = "";
    const none = entries.querySelector('[data-role="none"]');
    if (none) none.remove();
    const line = document.createElement("li");
    line.textContent = [
      new Date().toLocaleTimeString(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit" }),
      strings["kind_" + kind()], who.resident, strings["channel_" + who.channel], fill(strings.by, { name: config.me }),
    ].filter(Boolean).join(" · ");
    entries.prepend(line);
  });
}
