// Voice and photo opinions: hold to record (MediaRecorder: Opus/WebM in Chromium and Android,
// AAC/MP4 in iOS Safari), at most 60 s; up to three photos from the camera or the album; and
// the voice player and photo thumbnails shown with an opinion.
import { el } from "./opinions-common.js";

export const MAX_SECONDS = 60;
export const MAX_PHOTOS = 3;

function recorderType() {
  if (typeof MediaRecorder === "undefined") return null;
  for (const type of ["audio/webm;codecs=opus", "audio/mp4", "audio/ogg;codecs=opus", "audio/webm"]) {
    if (MediaRecorder.isTypeSupported(type)) return type;
  }
  return "";
}

// The voice part of a form: a hold-to-record button, a preview, a "record again" button.
// ``get()`` answers the recorded Blob (or null); ``reset()`` forgets it.
export function voiceRecorder(root, strings) {
  const button = root.querySelector('[data-testid="voice-record"]');
  const preview = root.querySelector('[data-role="voice-preview"]');
  const clear = root.querySelector('[data-role="voice-clear"]');
  const line = root.querySelector('[data-role="voice-status"]');
  const type = recorderType();
  let blob = null;
  let recorder = null;
  let stream = null;
  let started = 0;
  let ticker = null;
  let limit = null;
  if (!button) return { get: () => null, reset() {} };
  if (type === null || !navigator.mediaDevices) {
    button.disabled = true;
    line.textContent = strings.voice_unsupported || "";
    return { get: () => null, reset() {} };
  }
  const seconds = () => Math.min(MAX_SECONDS, Math.round((Date.now() - started) / 100) / 10);
  const show = () => {
    button.dataset.seconds = String(seconds());
    line.textContent = (strings.voice_recording || "").replace("{s}", String(Math.floor(seconds())));
  };

  async function start() {
    if (recorder) return;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      line.textContent = strings.voice_denied || "";
      return;
    }
    const chunks = [];
    recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
    recorder.addEventListener("dataavailable", (e) => { if (e.data && e.data.size) chunks.push(e.data); });
    recorder.addEventListener("stop", () => {
      for (const track of stream.getTracks()) track.stop();
      const length = seconds();
      recorder = null;
      clearInterval(ticker);
      clearTimeout(limit);
      button.dataset.state = "idle";
      button.setAttribute("aria-pressed", "false");
      if (length < 0.5 || !chunks.length) { line.textContent = strings.voice_short || ""; return; }
      blob = new Blob(chunks, { type: chunks[0].type || type || "audio/webm" });
      preview.src = URL.createObjectURL(blob);
      preview.hidden = false;
      clear.hidden = false;
      root.dataset.voice = "recorded";
      line.textContent = (strings.voice_done || "").replace("{s}", String(Math.round(length)));
    });
    started = Date.now();
    recorder.start(250);
    button.dataset.state = "recording";
    button.setAttribute("aria-pressed", "true");
    ticker = setInterval(show, 200);
    limit = setTimeout(stop, MAX_SECONDS * 1000);
    show();
  }
  function stop() {
    if (recorder && recorder.state !== "inactive") recorder.stop();
  }
  button.addEventListener("pointerdown", (e) => { e.preventDefault(); start(); });
  for (const name of ["pointerup", "pointercancel", "pointerleave"]) button.addEventListener(name, stop);
  button.addEventListener("contextmenu", (e) => e.preventDefault());
  button.addEventListener("keydown", (e) => {
    if ((e.key === " " || e.key === "Enter") && !e.repeat) { e.preventDefault(); start(); }
  });
  button.addEventListener("keyup", (e) => { if (e.key === " " || e.key === "Enter") stop(); });
  const reset = () => {
    blob = null;
    preview.removeAttribute("src");
    preview.hidden = true;
    clear.hidden = true;
    delete root.dataset.voice;
    line.textContent = "";
  };
  clear.addEventListener("click", reset);
  return { get: () => blob, reset };
}

// A voice player and photo thumbnails for an opinion (none when it has neither).
export function mediaNodes(o, strings = {}) {
  const nodes = [];
  if (o.voice) {
    const audio = el("audio", { controls: true, preload: "none", "data-testid": "opinion-voice" });
    audio.src = o.voice.url;
    audio.setAttribute("aria-label", (strings.voice_label || "").replace("{s}", String(Math.round(o.voice.duration_s))));
    nodes.push(audio);
  }
  if (o.photos && o.photos.length) {
    const list = el("p", { class: "opinion-photos" });
    o.photos.forEach((p, i) => {
      const img = el("img", { src: p.thumb, alt: (strings.photo_label || "").replace("{n}", String(i + 1)), loading: "lazy" });
      img.width = 96;
      img.height = 96;
      img.dataset.testid = "opinion-photo";
      list.append(el("a", { href: p.url, target: "_blank", rel: "noopener" }, img));
    });
    nodes.push(list);
  }
  return nodes;
}
