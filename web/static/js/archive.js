// The replay page: plays the recording (hls.js, or natively on Safari) and keeps the chat
// replay, the viewer-chart cursor and the scrubber at the same moment of the broadcast.
// Without JavaScript the page still shows its stretch of the chat (with links to the earlier and
// later ones), every opinion and the chart.
import { request } from "./api.js";
import { loadHls } from "./hls-loader.js";

const root = document.getElementById("replay");

function clockLabel(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

// The page carries one stretch of the chat (data-from-ms up to data-until-ms, empty: to the
// end); the rest is read by stretches of the broadcast as the replay moves, never all at once.
const STRETCH = 300; // messages per read, as the server's first stretch
const AHEAD_MS = 60_000; // read the next stretch this long before the replay reaches it
const KEEP = 1000; // messages kept in the page; the oldest go first

function chatStretches(page, list) {
  const session = page.dataset.session;
  let from = Number(list.dataset.fromMs) || 0;
  let until = list.dataset.untilMs === "" ? Infinity : Number(list.dataset.untilMs);
  let reading = null;

  function item(m) {
    const li = document.createElement("li");
    li.dataset.messageId = m.id;
    li.dataset.offsetMs = String(m.offset_ms);
    const at = document.createElement("a");
    at.className = "at";
    at.href = `?t=${Math.floor(m.offset_ms / 1000)}#player`;
    at.textContent = clockLabel(m.offset_ms / 1000);
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = m.author.name;
    const what = document.createElement("span");
    what.className = "what";
    what.textContent = m.text;
    li.append(at, " ", who, " ", what);
    li.hidden = true;
    return li;
  }
  async function read(fromMs) {
    const url = `/api/sessions/${encodeURIComponent(session)}/messages?from_ms=${fromMs}&limit=${STRETCH}`;
    const answer = await request("GET", url);
    if (!answer.ok || !Array.isArray(answer.body)) throw new Error(`chat replay: ${answer.status}`);
    const messages = answer.body.filter((m) => m.status === "visible");
    messages.sort((a, b) => a.offset_ms - b.offset_ms || Number(a.id) - Number(b.id));
    return messages;
  }
  function reachedEnd(messages, fromMs) {
    return messages.length < STRETCH ? Infinity : Math.max(fromMs, messages[messages.length - 1].offset_ms);
  }
  // make sure the messages up to ``ms`` (and a minute beyond) are in the page; true if it changed
  return async function ensure(ms) {
    if (reading) return false;
    const behind = ms < from;
    const far = until !== Infinity && ms > until + AHEAD_MS;
    const near = until !== Infinity && ms + AHEAD_MS >= until;
    if (!behind && !far && !near) return false;
    const start = behind || far ? Math.max(0, ms - AHEAD_MS) : until;
    reading = read(start);
    try {
      const messages = await reading;
      if (behind || far) {
        list.replaceChildren();
        from = start;
      }
      const have = new Set([...list.children].map((li) => li.dataset.messageId));
      messages.filter((m) => !have.has(m.id)).forEach((m) => list.append(item(m)));
      const next = reachedEnd(messages, start);
      // (a stretch of messages all at one moment: step past it rather than read it again)
      until = next === until ? until + 1 : next;
      while (list.children.length > KEEP) {
        list.firstElementChild.remove();
        from = Number(list.firstElementChild.dataset.offsetMs);
      }
      return true;
    } finally {
      reading = null;
    }
  };
}

function replayAt(page) {
  const list = page.querySelector(".chat-replay");
  const waiting = page.querySelector("[data-testid=chat-waiting]");
  const later = page.querySelector("[data-role=chat-later]");
  const scrubber = page.querySelector("[data-testid=replay-scrubber]");
  const clock = page.querySelector("[data-testid=replay-clock]");
  const chart = page.querySelector("[data-testid=viewer-chart]");
  const cursor = page.querySelector("[data-testid=chart-cursor]");
  const ensure = list ? chatStretches(page, list) : null;
  if (later) later.hidden = true; // the page reads later messages itself
  let shown = null;
  let at = 0;

  function reveal() {
    if (!list) return;
    const ms = at * 1000;
    let count = 0;
    const items = [...list.children];
    items.forEach((li) => {
      const visible = Number(li.dataset.offsetMs) <= ms;
      li.hidden = !visible;
      if (visible) count += 1;
    });
    const key = `${count}/${items.length}`;
    if (key !== shown) {
      shown = key;
      if (waiting) waiting.hidden = count > 0;
      list.scrollTop = list.scrollHeight;
    }
  }

  return function show(seconds) {
    at = seconds;
    reveal();
    if (ensure) {
      ensure(seconds * 1000)
        .then((changed) => { if (changed) { shown = null; show(at); } }) // the replay may have moved on
        .catch((err) => console.warn(err));
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
