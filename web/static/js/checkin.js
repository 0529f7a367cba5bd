// Check-in at the door: the phone camera reads the registration's QR code (BarcodeDetector where
// the browser has it, jsQR over video frames elsewhere), the typed code everywhere, or a name
// from the list.
import { api, el } from "./opinions-common.js";
import { coalesce, newest, watch } from "./watch.js";

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

const refresh = newest(
  () => Promise.all([api("GET", `${base}/registrations`), api("GET", base)]),
  ([regs, meeting]) => {
    if (regs.ok) { people = regs.body; render(); }
    if (meeting.ok) counts.textContent = `${meeting.body.attended} / ${meeting.body.registered}`;
  },
);

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

// jsQR (from the npm package, vendored by make), fetched only where BarcodeDetector is missing.
let loadingJsQR = null;
function loadJsQR() {
  if (window.jsQR) return Promise.resolve(window.jsQR);
  if (!loadingJsQR) {
    loadingJsQR = new Promise((resolve) => {
      const script = document.createElement("script");
      script.src = "/static/vendor/jsQR.js";
      script.async = true;
      script.addEventListener("load", () => resolve(window.jsQR || null));
      script.addEventListener("error", () => { loadingJsQR = null; resolve(null); });
      document.head.append(script);
    });
  }
  return loadingJsQR;
}

// A reader of QR codes in video frames: the browser's BarcodeDetector when it reads QR codes,
// else jsQR over the frame drawn to a small canvas. Resolves to { name, read(video) -> text }.
async function qrReader() {
  if ("BarcodeDetector" in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) {
        const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return {
          name: "barcode-detector",
          read: async (source) => {
            const found = await detector.detect(source);
            return found.length ? found[0].rawValue : "";
          },
        };
      }
    } catch { /* fall back to jsQR */ }
  }
  const jsQR = await loadJsQR();
  if (!jsQR) return null;
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return {
    name: "jsqr",
    read: async (source) => {
      const width = source.videoWidth;
      const height = source.videoHeight;
      if (!width || !height) return "";
      const scale = Math.min(1, 640 / Math.max(width, height));  // weak phones: at most 640 px
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(source, 0, 0, canvas.width, canvas.height);
      const frame = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" });
      return found ? found.data : "";
    },
  };
}

const SCAN_EVERY_MS = 200;
let scanning = false;

root.querySelector('[data-testid="checkin-scan"]').addEventListener("click", async () => {
  if (scanning) return;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { note.textContent = strings.no_camera; return; }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  } catch { note.textContent = strings.no_camera; return; }
  const reader = await qrReader();
  if (!reader) {
    stream.getTracks().forEach((track) => track.stop());
    note.textContent = strings.no_camera;
    return;
  }
  scanning = true;
  video.dataset.decoder = reader.name;
  video.srcObject = stream;
  video.hidden = false;
  note.textContent = strings.scanning;
  try { await video.play(); } catch { /* muted inline video plays; a refusal leaves frames to read */ }
  let last = "";
  let lastAt = 0;
  const tick = async () => {
    try {
      const value = (await reader.read(video)).trim();
      const now = Date.now();
      if (value && (value !== last || now - lastAt > 5000)) {
        last = value; lastAt = now;
        await checkIn({ code: value });
      }
    } catch { /* a frame that could not be read */ }
    setTimeout(tick, SCAN_EVERY_MS);
  };
  setTimeout(tick, 0);
});

refresh();
// live: registrations and check-ins made elsewhere (another door, the meeting page) show here
const again = coalesce(refresh);
watch({ meeting: config.meeting }, {
  meeting: (m) => {
    if (m.id !== config.meeting) return;
    counts.textContent = `${m.attended} / ${m.registered}`;
    again();
  },
}, refresh);
