// A meeting's page: register (or join the waiting list), your registrations with their code and
// QR, cancel; the registered / waiting / came counts.
import { api, el } from "./opinions-common.js";
import { coalesce, newest, watch } from "./watch.js";

const part = document.querySelector('[data-role="registration"]');
if (part) {
  const strings = JSON.parse(part.dataset.strings);
  const base = `/api/meetings/${encodeURIComponent(part.dataset.meeting)}`;
  const mine = part.querySelector('[data-testid="my-registrations"]');
  const count = (id, value) => { part.querySelector(`[data-testid="${id}"]`).textContent = String(value); };

  const refresh = newest(() => Promise.all([api("GET", base), api("GET", `${base}/registrations`)]), ([meeting, regs]) => {
    if (meeting.ok) {
      count("meeting-registered", meeting.body.registered);
      count("meeting-waitlisted", meeting.body.waitlisted);
      count("meeting-attended", meeting.body.attended);
    }
    if (!regs.ok) return;
    mine.replaceChildren(...regs.body.filter((r) => r.status !== "cancelled" && r.code).map((r) => {
      const cancel = el("button", { type: "button", "data-testid": "register-cancel", text: strings.cancel });
      cancel.addEventListener("click", async () => {
        const answer = await api("DELETE", `${base}/registrations/${r.id}`);
        if (answer.ok) refresh();
      });
      const qr = el("img", { class: "registration-qr", alt: r.code, width: 180, height: 180 });
      qr.src = r.qr;
      return el(
        "li", { "data-registration-id": r.id, "data-status": r.status },
        el("p", { text: `${r.name} · ${r.checked_in_at ? strings.checked_in : strings[r.status] || r.status}` }),
        el("p", { class: "registration-code", "data-testid": "registration-code", text: r.code }),
        qr,
        r.checked_in_at ? null : cancel,
      );
    }));
  });

  part.querySelector('[data-testid="register-form"]').addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = part.querySelector('[data-testid="register-name"]').value.trim();
    const answer = await api("POST", `${base}/registrations`, name ? { name } : {});
    if (answer.ok) refresh();
  });
  refresh();
  // live: the counts as they change, and my registrations when one of mine may have moved up
  const again = coalesce(refresh);
  watch({ meeting: part.dataset.meeting }, {
    meeting: (m) => {
      if (m.id !== part.dataset.meeting) return;
      count("meeting-registered", m.registered);
      count("meeting-waitlisted", m.waitlisted);
      count("meeting-attended", m.attended);
      if (mine.querySelector('[data-status="waitlisted"], [data-status="registered"]')) again();
    },
  }, refresh);
}
