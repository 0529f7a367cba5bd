// The replay page: plays the recording (hls.js, or natively on Safari) and keeps the chat
// replay, the viewer-chart cursor and the scrubber at the same moment of the broadcast.
// Without JavaScript the page still shows the whole chat, every opinion and the chart.
import { loadHls } from "./hls-loader.js";

const root = document.getElementById("replay");

function clockLabel(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

function replayAt(page) {
  const items = [...page.querySelectorAll(".chat-replay [data-offset-ms]")];
  const offsets = items.map((li) => Number(li.dataset.offsetMs));
  const list = page.querySelector(".chat-replay");
  const waiting = page.querySelector("[data-testid=chat-waiting]");
  const scrubber = page.querySelector("[data-testid=replay-scrubber]");
  const clock = page.querySelector("[data-testid=replay-clock]");
  const chart = page.querySelector("[data-testid=viewer-chart]");
  const cursor = page.querySelector("[data-testid=chart-cursor]");
  let shown = -1;

  return function show(seconds) {
    const ms = seconds * 1000;
    let count = 0;
    while (count < offsets.length && offsets[count] <= ms) count += 1;
    if (count !== shown) {
      items.forEach((li, i) => { li.hidden = i >= count; });
      shown = count;
      if (waiting) waiting.hidden = count > 0;
      if (list) list.scrollTop = list.scrollHeight;
    }
    if (scrubber && document.activeElement !== scrubber) scrubber.value = String(Math.round(seconds));
    if (clock) clock.textContent = clockLabel(seconds);
    if (chart && cursor) {
      const span = Number(chart.dataset.span) || 1;
      const x = Math.min(1, seconds / span) * Number(chart.dataset.width);
      cursor.setAttribute("x1", x.toFixed(1));
      cursor.setAttribute("x2", x.toFixed(1));
      cursor.setAttribute("visibility", "visible");
    }
  };
}

async function attachRecording(video, url, start) {
  if (video.canPlayType("application/vnd.apple.mpegurl")) return; // Safari: native HLS
  const Hls = await loadHls();
  if (!Hls || !Hls.isSupported()) return;
  video.removeAttribute("src");
  // hls.js picks its own start position when the manifest loads: tell it ours (?t=).
  const hls = new Hls({ maxBufferLength: 20, startPosition: start ?? -1 });
  hls.loadSource(url);
  hls.attachMedia(video);
}

function init(page) {
  const duration = Number(page.dataset.duration) || 0;
  const start = page.dataset.start === "" ? null : Number(page.dataset.start);
  const video = page.querySelector("video[data-testid=video]");
  const scrubber = page.querySelector("[data-testid=replay-scrubber]");
  const row = page.querySelector("[data-testid=replay-scrubber-row]");
  const show = replayAt(page);
  if (row) row.hidden = false;

  let seek;
  if (video) {
    seek = (t) => { video.currentTime = t; show(t); };
    video.addEventListener("timeupdate", () => show(video.currentTime));
    video.addEventListener("seeked", () => show(video.currentTime));
    if (start !== null) {
      video.addEventListener("loadedmetadata", () => { video.currentTime = start; }, { once: true });
    }
    attachRecording(video, page.dataset.hls, start).catch(() => {});
    show(start ?? 0);
  } else {
    // Nothing to play: the scrubber walks through the chat; start at ?t= or show it all.
    seek = (t) => show(t);
    show(start ?? duration);
  }

  if (scrubber) scrubber.addEventListener("input", () => seek(Number(scrubber.value)));
  page.querySelectorAll("a[data-seek]").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const t = Number(link.dataset.seek);
      seek(t);
      const url = new URL(window.location.href);
      url.searchParams.set("t", String(t));
      url.hash = "player";
      window.history.replaceState(null, "", url);
      page.querySelector("#player").scrollIntoView({ behavior: "smooth", block: "start" });
    });
  });
}

if (root) init(root);
