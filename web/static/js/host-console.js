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
let lastBytes = null;
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

async function health() {
  try {
    if (pc) {
      const stats = await pc.getStats();
      stats.forEach((report) => {
        if (report.type === "outbound-rtp" && report.kind === "video") {
          if (lastBytes) {
            const kbps = ((report.bytesSent - lastBytes.bytes) * 8) / (report.timestamp - lastBytes.t);
            $("bitrate").textContent = `${Math.round(kbps)} kbps`;
          }
          lastBytes = { bytes: report.bytesSent, t: report.timestamp };
          if (report.framesPerSecond !== undefined) $("fps").textContent = `${Math.round(report.framesPerSecond)} fps`;
        }
      });
    }
    const response = await request("GET", `/api/sessions/${config.session}/health`);
    if (response.ok && response.body) {
      const server = response.body;
      $("viewers").textContent = String(server.viewers);
      if (!pc) {
        $("bitrate").textContent = server.bitrate_kbps ? `${Math.round(server.bitrate_kbps)} kbps` : "–";
        $("fps").textContent = server.fps ? `${Math.round(server.fps)} fps` : "–";
      }
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

// the page's one socket: opened (and joined) by the chat part, handed to the other parts
try {
  const socket = initChat(root, config);
  initOpinions(root, config, socket);
  initInteract(root, config, socket);
} catch (err) {
  console.error(err);
}
start();
window.addEventListener("pagehide", stopPublishing);
