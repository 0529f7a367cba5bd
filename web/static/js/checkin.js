// Check-in at the door: BarcodeDetector on the phone camera where the browser has it, the typed
// code everywhere, or a name from the list.
import { api, el } from "./opinions-common.js";

const root = document.getElementById("checkin");
const config = JSON.parse(root.dataset.config);
const strings = JSON.parse(root.dataset.strings);
const base = `/api/meetings/${encodeURIComponent(config.meeting)}`;
const result = root.querySelector('[data-testid="checkin-result"]');
const list = root.querySelector('[data-testid="checkin-list"]');
const filter = root.querySelector('[data-testid="checkin-filter"]');
const counts = root.querySelector('[data-testid="checkin-counts"]');
const video = root.querySelector('[data-testid="checkin-video"]');
const note = root.querySelector('[data-role="scan-note"]');
let people = [];

function say(answer) {
  if (answer.ok) {
    result.textContent = strings.ok.replace("%(name)s", answer.body.registration.name);
    result.dataset.state = "ok";
  } else {
    const code = answer.body && answer.body.error;
    result.textContent = code === "already_checked_in" ? strings.again : code === "unknown_code" ? strings.unknown : strings.failed;
    result.dataset.state = code || "failed";
  }
}

async function checkIn(body) {
  const answer = await api("POST", `${base}/checkin`, body);
  say(answer);
  refresh();
  return answer;
}

function render() {
  const wanted = filter.value.trim();
  list.replaceChildren(...people.filter((r) => r.status !== "cancelled" && (!wanted || r.name.includes(wanted))).map((r) => {
    const button = el("button", { type: "button", "data-testid": "checkin-name", text: r.checked_in_at ? strings.here : strings.check_in });
    button.disabled = Boolean(r.checked_in_at);
    button.addEventListener("click", () => checkIn({ registration: r.id }));
    return el("li", { "data-registration-id": r.id }, el("span", { text: r.name + (r.status === "waitlisted" ? ` (${strings.waitlisted})` : "") }), button);
  }));
}

async function refresh() {
  const [regs, meeting] = await Promise.all([api("GET", `${base}/registrations`), api("GET", base)]);
  if (regs.ok) { people = regs.body; render(); }
  if (meeting.ok) counts.textContent = `${meeting.body.attended} / ${meeting.body.registered}`;
}

root.querySelector('[data-testid="checkin-form"]').addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = root.querySelector('[data-testid="checkin-code"]');
  const code = input.value.trim();
  if (!code) return;
  const answer = await checkIn({ code });
  if (answer.ok) input.value = "";
  input.focus();
});
filter.addEventListener("input", render);

root.querySelector('[data-testid="checkin-scan"]').addEventListener("click", async () => {
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) { note.textContent = strings.no_camera; return; }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  } catch { note.textContent = strings.no_camera; return; }
  const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  let last = "";
  let lastAt = 0;
  const tick = async () => {
    try {
      const found = await detector.detect(video);
      const value = found.length ? found[0].rawValue.trim() : "";
      const now = Date.now();
      if (value && (value !== last || now - lastAt > 5000)) {
        last = value; lastAt = now;
        await checkIn({ code: value });
      }
    } catch { /* a frame that could not be read */ }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});

refresh();
