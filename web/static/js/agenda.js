// An agenda item's page: follow / stop following; staff move it along and record progress.
import { errorText } from "./api.js";
import { api } from "./opinions-common.js";

const root = document.getElementById("agenda-item");
if (root) {
  const config = JSON.parse(root.dataset.config);
  const strings = JSON.parse(root.dataset.strings);
  const follow = root.querySelector('[data-role="follow"]');
  follow.addEventListener("click", async () => {
    const following = follow.dataset.following === "true";
    follow.disabled = true;
    const answer = await api(following ? "DELETE" : "POST", `/api/agenda/${config.item}/follow`);
    follow.disabled = false;
    if (!answer.ok) return;
    follow.dataset.following = String(answer.body.following);
    follow.textContent = answer.body.following ? strings.following : strings.follow;
  });
  const form = root.querySelector('[data-role="staff-form"]');
  if (form) {
    const status = form.querySelector('[data-role="status"]');
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = Object.fromEntries(new FormData(form));
      const body = {};
      if (data.status) body.status = data.status;
      if (data.note.trim()) body.note = data.note.trim();
      for (const name of ["responsible", "outcome"]) {
        const field = form.elements[name];
        if (field.value !== field.defaultValue) body[name] = field.value;
      }
      const answer = await api("PATCH", `/api/agenda/${config.item}`, body);
      if (!answer.ok) {
        const code = answer.body && answer.body.error;
        status.textContent = strings[code] || errorText(answer.body, { failed: strings.failed }, answer.status);
        return;
      }
      status.textContent = strings.saved;
      const url = new URL(window.location.href);
      url.searchParams.set("saved", "1");
      window.location.replace(url.toString());
    });
  }
}
