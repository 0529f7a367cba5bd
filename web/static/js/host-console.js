// The host console: camera/microphone choice, screen sharing, preview, go live over WHIP,
// end, stream health; the chat and opinion parts of the watch page run beside the video.
import { request } from "./api.js";
import { init as initChat } from "./live-chat.js";
import { init as initOpinions } from "./live-opinions.js";
import { init as initInteract } from "./live-interact.js";

const HEALTH_MS = 2000;
const root = document.getElementById("console");
const config = JSON.parse(root.dataset.config);
config.csrf = document.querySelector('meta[name="csrf-token"]').content;
config.lang = document.querySelector('meta[name="lang"]').content;

const $ = (role) => root.querySelector(`[data-role="${role}"]`);
const preview = $("preview");
const cameraSelect = $("camera");
const micSelect = $("microphone");
const screenButton = $("screen");
const statusLabel = $("console-status");
const message = $("console-message");
const goLive = root.querySelector('[data-testid="go-live"]');
const endLive = root.querySelector('[data-testid="end-live"]');

let camera = null; // MediaStream from the camera and microphone
let screen = null; // MediaStream from getDisplayMedia, while sharing
let pc = null;
let whipLocation = null;
let status = config.status;

function say(name) {
  message.textContent = name ? message.dataset["msg" + name.replace(/(^|-)(\w)/g, (_m, _d, c) => c.toUpperCase())] || "" : "";
}
function setStatus(value) {
  status = value;
  statusLabel.textContent = statusLabel.dataset["label" + value[0].toUpperCase() + value.slice(1)];
  statusLabel.className = `status status-${value}`;
  goLive.disabled = value === "ended" || pc !== null;
  endLive.disabled = value !== "live";
}

async function api(path, method = "POST") {
  const answer = await request(method, path);
  if (!answer.ok) throw new Error(`${path}: ${answer.status}`);
  return answer.body;
}

async function fillDevices() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  for (const [select, kind] of [[cameraSelect, "videoinput"], [micSelect, "audioinput"]]) {
    const current = select.value;
    select.replaceChildren();
    devices
      .filter((d) => d.kind === kind)
      .forEach((d, i) => {
        const option = new Option(d.label || `${kind} ${i + 1}`, d.deviceId);
        select.append(option);
      });
    if (current) select.value = current;
  }
}

async function openCamera() {
  const constraints = {
    video: {
      deviceId: cameraSelect.value ? { exact: cameraSelect.value } : undefined,
      width: { ideal: 1280 },
      height: { ideal: 720 },
      frameRate: { ideal: 30 },
    },
    audio: micSelect.value ? { deviceId: { exact: micSelect.value } } : true,
  };
  const stream = await navigator.mediaDevices.getUserMedia(constraints);
  if (camera) camera.getTracks().forEach((t) => t.stop());
  camera = stream;
  await replaceTracks();
  return stream;
}

function currentVideoTrack() {
  if (screen) return screen.getVideoTracks()[0];
  return camera ? camera.getVideoTracks()[0] : null;
}

async function replaceTracks() {
  const video = currentVideoTrack();
  const audio = camera ? camera.getAudioTracks()[0] : null;
  preview.srcObject = new MediaStream([video].filter(Boolean));
  preview.play().catch(() => {});
  if (!pc) return;
  for (const sender of pc.getSenders()) {
    const kind = sender.track ? sender.track.kind : null;
    const transceiver = pc.getTransceivers().find((t) => t.sender === sender);
    const want = (kind || transceiver.receiver.track.kind) === "video" ? video : audio;
    if (want && sender.track !== want) await sender.replaceTrack(want);
  }
}

async function toggleScreen() {
  if (screen) {
    screen.getTracks().forEach((t) => t.stop());
    screen = null;
  } else {
    try {
      screen = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 15 }, audio: false });
      screen.getVideoTracks()[0].addEventListener("ended", () => {
        screen = null;
        replaceTracks();
        screenButton.textContent = screenButton.dataset.labelShare;
      });
    } catch (err) {
      console.warn("screen sharing refused", err);
      screen = null;
    }
  }
  screenButton.textContent = screen ? screenButton.dataset.labelCamera : screenButton.dataset.labelShare;
  await replaceTracks();
}

function waitIce(peer) {
  if (peer.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    peer.addEventListener("icegatheringstatechange", () => {
      if (peer.iceGatheringState === "complete") resolve();
    });
    setTimeout(resolve, 2000);
  });
}

async function publish() {
  const peer = new RTCPeerConnection();
  pc = peer;
  const video = currentVideoTrack();
  const audio = camera.getAudioTracks()[0];
  if (video) peer.addTransceiver(video, { direction: "sendonly" });
  if (audio) peer.addTransceiver(audio, { direction: "sendonly" });
  await peer.setLocalDescription(await peer.createOffer());
  await waitIce(peer);
  const response = await request("POST", `/api/sessions/${config.session}/whip`, {
    body: peer.localDescription.sdp,
    type: "application/sdp",
    headers: { Authorization: `Bearer ${config.streamKey}` },
  });
  if (response.status !== 201) throw new Error(`whip ${response.status}`);
  whipLocation = response.headers.get("Location");
  await peer.setRemoteDescription({ type: "answer", sdp: response.text });
  peer.addEventListener("connectionstatechange", () => {
    if (peer !== pc) return;
    if (peer.connectionState === "connected") say("publishing");
    if (peer.connectionState === "failed" && status === "live") {
      say("reconnecting");
      stopPublishing();
      setTimeout(() => status === "live" && publish().catch(() => say("failed")), 2000);
    }
  });
}

function stopPublishing() {
  if (pc) pc.close();
  pc = null;
  if (whipLocation) {
    request("DELETE", whipLocation, { headers: { Authorization: `Bearer ${config.streamKey}` }, keepalive: true });
    whipLocation = null;
  }
}

goLive.addEventListener("click", async () => {
  goLive.disabled = true;
  say("connecting");
  try {
    if (!camera) await openCamera();
    if (status === "scheduled") await api(`/api/sessions/${config.session}/start`);
    setStatus("live");
    await publish();
    setStatus("live");
  } catch (err) {
    console.error(err);
    stopPublishing();
    say("failed");
    setStatus(status);
  }
});

function afterEnd() {
  // The broadcast is over: let go of the camera and microphone, close the chat box, offer the replay.
  for (const stream of [camera, screen]) if (stream) stream.getTracks().forEach((t) => t.stop());
  camera = null;
  screen = null;
  preview.srcObject = null;
  const chatForm = root.querySelector('[data-role="chat-form"]');
  if (chatForm) chatForm.hidden = true;
  const replay = root.querySelector('[data-role="replay-link"]');
  if (replay) replay.hidden = false;
}

endLive.addEventListener("click", async () => {
  if (!window.confirm(message.dataset.msgConfirmEnd)) return;
  endLive.disabled = true;
  try {
    await api(`/api/sessions/${config.session}/end`);
    stopPublishing();
    setStatus("ended");
    say("ended");
    afterEnd();
  } catch (err) {
    console.error(err);
    endLive.disabled = false;
  }
});

cameraSelect.addEventListener("change", () => openCamera().catch(() => say("no-camera")));
micSelect.addEventListener("change", () => openCamera().catch(() => say("no-camera")));
screenButton.addEventListener("click", toggleScreen);
if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) screenButton.hidden = true;

// Two figures, measured alike (kilobits per second over the last 3 seconds) but of two streams:
// what this browser uploads (its video and sound, as WebRTC sends them), and what the server sends
// on to viewers (its own H.264 and Opus encoding: the ``bitrate_kbps`` of the health check).
// They differ by design: the server re-encodes at its own target bitrate.
const WINDOW_MS = 3000;
let sent = []; // [{t, bytes}] of the outbound RTP streams, newest last

function uploadKbps(stats) {
  let bytes = 0;
  let t = null;
  stats.forEach((report) => {
    if (report.type !== "outbound-rtp") return;
    bytes += report.bytesSent || 0;
    t = report.timestamp;
    if (report.kind === "video" && report.framesPerSecond !== undefined) $("fps").textContent = `${Math.round(report.framesPerSecond)} fps`;
  });
  if (t === null) return null;
  sent.push({ t, bytes });
  while (sent.length > 1 && t - sent[0].t > WINDOW_MS + 500) sent.shift();
  const first = sent[0];
  if (t - first.t < 500) return null;
  return ((bytes - first.bytes) * 8) / (t - first.t); // bits per millisecond = kbit/s
}

async function health() {
  try {
    if (pc) {
      const kbps = uploadKbps(await pc.getStats());
      if (kbps !== null) $("bitrate").textContent = `${Math.round(kbps)} kbps`;
    } else {
      sent = [];
      $("bitrate").textContent = "–";
    }
    const response = await request("GET", `/api/sessions/${config.session}/health`);
    if (response.ok && response.body) {
      const server = response.body;
      $("viewers").textContent = String(server.viewers);
      $("server-bitrate").textContent = server.bitrate_kbps ? `${Math.round(server.bitrate_kbps)} kbps` : "–";
      if (!pc) $("fps").textContent = server.fps ? `${Math.round(server.fps)} fps` : "–";
      if (server.status !== status && server.status) setStatus(server.status);
    }
  } catch (err) {
    console.warn(err);
  }
  setTimeout(health, HEALTH_MS);
}

async function start() {
  setStatus(status);
  if (navigator.mediaDevices && status !== "ended") {
    try {
      await openCamera();
      await fillDevices();
    } catch (err) {
      console.warn(err);
      say("no-camera");
    }
  }
  health();
}

// The host's own room tools, on the console itself: pin a chat message, show a resolved item's
// outcome to everyone watching ("you said, we did"). Both answer on the page.
const tools = $("host-showcase");
const toolStatus = $("host-status");
const pinBox = $("host-pin");
const tell = (name) => { toolStatus.textContent = tools.dataset["msg" + name[0].toUpperCase() + name.slice(1)] || ""; };

async function moderate(socket, action, data = {}) {
  const ack = await socket.timeout(10000).emitWithAck("moderate", { session: config.session, action, ...data }).catch(() => null);
  return Boolean(ack && ack.ok);
}

function showPinned(message) {
  pinBox.hidden = !message;
  $("host-pinned-text").textContent = message ? `${message.author.name}: ${message.text}` : "";
}

function addPinButtons(socket) {
  const list = root.querySelector('[data-role="chat"] [data-testid="chat-list"]');
  if (!list) return;
  const decorate = (li) => {
    if (!li.dataset || !li.dataset.messageId || li.querySelector('[data-role="pin"]')) return;
    const pin = document.createElement("button");
    pin.type = "button";
    pin.className = "chat-pin";
    pin.dataset.role = "pin";
    pin.setAttribute("data-testid", "chat-pin");
    pin.textContent = tools.dataset.msgPin;
    pin.addEventListener("click", async () => {
      pin.disabled = true;
      tell((await moderate(socket, "pin", { message: li.dataset.messageId })) ? "pinned" : "failed");
      pin.disabled = false;
    });
    li.append(pin);
  };
  list.querySelectorAll("li").forEach(decorate);
  new MutationObserver((changes) => {
    for (const change of changes) change.addedNodes.forEach((node) => { if (node.nodeType === 1) decorate(node); });
  }).observe(list, { childList: true });
}

async function startShowcase(socket) {
  const form = $("host-showcase-form");
  const items = $("host-showcase-item");
  // Only resolved items have an outcome to show.
  const answer = await request("GET", `/api/agenda?community=${encodeURIComponent(config.community)}&status=resolved&limit=200`);
  if (answer.ok && answer.body) {
    items.replaceChildren(...answer.body.map((i) => new Option(i.title, i.id)));
    if (!answer.body.length) tell("none");
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!items.value) { tell("none"); return; }
    const ack = await socket.timeout(10000).emitWithAck("showcase", { session: config.session, item: items.value }).catch(() => null);
    tell(ack && ack.ok ? "shown" : "failed");
  });
}

// the page's one socket: opened (and joined) by the chat part, handed to the other parts
try {
  const socket = initChat(root, config);
  initOpinions(root, config, socket);
  initInteract(root, config, socket);
  addPinButtons(socket);
  startShowcase(socket).catch((err) => console.error(err));
  root.addEventListener("rt:joined", (event) => { if (event.detail && event.detail.ok) showPinned(event.detail.pinned); });
  socket.on("pin", (payload) => showPinned(payload.message));
  $("unpin").addEventListener("click", async () => { tell((await moderate(socket, "unpin")) ? "unpinned" : "failed"); });
} catch (err) {
  console.error(err);
}
start();
window.addEventListener("pagehide", stopPublishing);
