// The watch page's video part: WebRTC (WHEP) first, HLS (hls.js, or native on Safari) when
// WebRTC fails, is over the server's cap, or the session has ended (then the recording plays).
// Live HLS plays the ladder (master.m3u8: full, low); "只听声音" plays the audio-only
// rendition; repeated stalls step down by themselves: to the lowest video, then to sound only.
// It follows the broadcast from the page's socket: ``session`` (scheduled → live → ended) and
// ``stream`` (the encoder is live, reconnecting or gone idle) events, and the status in each
// ``join`` ack (after a reconnect) — no polling.
import { loadHls } from "./hls-loader.js";
import { request } from "./api.js";

const RETRY_MS = 3000;
const WHEP_TIMEOUT_MS = 10000;
const STALLS = 3; // this many stalls within STALL_WINDOW_MS step the quality down
const STALL_WINDOW_MS = 30000;

export function init(root, config, socket) {
  const player = root.querySelector('[data-role="player"]');
  if (!player) return;
  const video = player.querySelector("video");
  const stateLine = player.querySelector('[data-role="player-state"]');
  const modeLine = player.querySelector('[data-role="player-mode"]');
  const unmute = player.querySelector('[data-role="unmute"]');
  const audioButton = root.querySelector('[data-testid="audio-only"]');
  let audioOnly = false;
  let stalls = [];
  const msg = (name) => player.dataset["msg" + name[0].toUpperCase() + name.slice(1)] || "";
  const session = config.session;
  let status = config.status;
  let mode = null; // "webrtc" | "hls" | null
  let pc = null;
  let whepLocation = null;
  let hls = null;

  function show(name) {
    stateLine.textContent = name ? msg(name) : "";
    player.dataset.state = name || "playing";
  }
  function setMode(value) {
    mode = value;
    const label = audioOnly && value === "hls" ? "Audio" : value === "hls" ? "Hls" : "Webrtc";
    modeLine.textContent = value ? modeLine.dataset["mode" + label] : "";
    player.dataset.mode = value || "";
    player.dataset.audioOnly = audioOnly ? "true" : "false";
  }

  function setAudioOnly(on) {
    audioOnly = on;
    stalls = [];
    if (audioButton) {
      audioButton.setAttribute("aria-pressed", on ? "true" : "false");
      audioButton.textContent = on ? audioButton.dataset.labelVideo : audioButton.dataset.labelAudio;
    }
  }

  // Weak network: count stalls; step down the ladder (lowest video, then sound only).
  video.addEventListener("waiting", () => {
    if (status !== "live" || mode !== "hls" || audioOnly || video.currentTime < 0.5) return;
    const now = Date.now();
    stalls = stalls.filter((t) => now - t < STALL_WINDOW_MS);
    stalls.push(now);
    if (stalls.length < STALLS) return;
    stalls = [];
    if (hls && hls.levels && hls.levels.length > 1 && hls.currentLevel !== 0 && hls.autoLevelCapping !== 0) {
      hls.autoLevelCapping = 0; // levels are sorted by bandwidth: 0 is the low rendition
      hls.nextLevel = 0;
      player.dataset.stepDown = "low";
    } else {
      player.dataset.stepDown = "audio";
      setAudioOnly(true);
      startHls(false);
    }
  });
  if (audioButton && !config.hlsAudio) audioButton.remove();
  else if (audioButton) {
    audioButton.hidden = status !== "live";
    audioButton.addEventListener("click", () => {
      if (status !== "live") return;
      setAudioOnly(!audioOnly);
      if (audioOnly) {
        stopWebrtc();
        startHls(false);
      } else {
        watchLive();
      }
    });
  }

  unmute.addEventListener("click", () => {
    video.muted = false;
    unmute.hidden = true;
    video.play().catch(() => {});
  });
  video.addEventListener("playing", () => {
    if (player.dataset.state !== "reconnecting") show(null);
    unmute.hidden = !video.muted;
  });

  async function fetchJson(url) {
    const answer = await request("GET", url);
    if (!answer.ok) throw new Error(`${url}: ${answer.status}`);
    return answer.body;
  }

  function stopWebrtc() {
    if (pc) pc.close();
    pc = null;
    if (whepLocation) {
      request("DELETE", whepLocation, { keepalive: true });
      whepLocation = null;
    }
  }

  function waitIce(peer) {
    if (peer.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        if (peer.iceGatheringState === "complete") resolve();
      };
      peer.addEventListener("icegatheringstatechange", done);
      setTimeout(resolve, 2000);
    });
  }

  async function startWebrtc() {
    if (typeof RTCPeerConnection === "undefined") throw new Error("no WebRTC");
    const peer = new RTCPeerConnection();
    pc = peer;
    peer.addTransceiver("video", { direction: "recvonly" });
    peer.addTransceiver("audio", { direction: "recvonly" });
    const stream = new MediaStream();
    peer.addEventListener("track", (event) => {
      stream.addTrack(event.track);
      video.srcObject = stream;
      video.play().catch(() => {});
    });
    await peer.setLocalDescription(await peer.createOffer());
    await waitIce(peer);
    const response = await request("POST", `/api/sessions/${session}/whep`, {
      body: peer.localDescription.sdp,
      type: "application/sdp",
    });
    if (response.status !== 201) {
      peer.close();
      pc = null;
      const error = new Error(`whep ${response.status}`);
      error.status = response.status;
      throw error;
    }
    whepLocation = response.headers.get("Location");
    await peer.setRemoteDescription({ type: "answer", sdp: response.text });
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("WebRTC did not connect")), WHEP_TIMEOUT_MS);
      const check = () => {
        if (peer.connectionState === "connected") {
          clearTimeout(timer);
          resolve();
        } else if (peer.connectionState === "failed") {
          clearTimeout(timer);
          reject(new Error("WebRTC failed"));
        }
      };
      peer.addEventListener("connectionstatechange", check);
      check();
    });
    peer.addEventListener("connectionstatechange", () => {
      if (peer === pc && peer.connectionState === "failed" && status === "live") {
        stopWebrtc();
        startHls(false);
      }
    });
    setMode("webrtc");
  }

  async function startHls(recording) {
    const url = recording ? config.hls : audioOnly ? config.hlsAudio : config.hlsMaster || config.hls;
    if (hls) hls.destroy();
    hls = null;
    video.srcObject = null;
    setMode("hls");
    const native = video.canPlayType("application/vnd.apple.mpegurl");
    const Hls = await loadHls();
    if (Hls && Hls.isSupported()) {
      hls = new Hls({ liveSyncDurationCount: 2, manifestLoadingMaxRetry: 30, levelLoadingMaxRetry: 30 });
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (data.fatal && data.type === Hls.ErrorTypes.NETWORK_ERROR) {
          setTimeout(() => hls && hls.loadSource(url), RETRY_MS);
        } else if (data.fatal) {
          hls.recoverMediaError();
        }
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (native) {
      video.src = url;
    } else {
      show("unsupported");
      return;
    }
    if (recording) {
      video.muted = true;
      show("replay");
    }
    video.play().catch(() => {});
  }

  async function watchLive() {
    show("connecting");
    try {
      await startWebrtc();
    } catch (err) {
      console.warn("falling back to HLS:", err.message);
      stopWebrtc();
      await startHls(false);
    }
  }

  async function showEnded() {
    stopWebrtc();
    if (audioButton) audioButton.hidden = true;
    const detail = await fetchJson(`/api/sessions/${session}`).catch(() => null);
    if (detail && detail.recording) {
      config.hls = detail.recording.hls;
      await startHls(true);
    } else {
      if (hls) hls.destroy();
      hls = null;
      video.srcObject = null;
      video.controls = false; // nothing to play: no 0:00 bar over an empty player
      setMode(null);
      show("noRecording");
    }
  }

  // the session's status changed (pushed, or learnt from a join ack after a reconnect). A status
  // only moves forward: a join ack read before the broadcast started can arrive after the pushed
  // "live", and must not take the page back to "scheduled" (it then ignored the stream's events).
  const STATUS_ORDER = { scheduled: 0, live: 1, ended: 2 };
  async function onStatus(next) {
    if (!next || next === status) return;
    if ((STATUS_ORDER[next] ?? 0) < (STATUS_ORDER[status] ?? 0)) return;
    status = next;
    if (audioButton && audioButton.isConnected) audioButton.hidden = status !== "live";
    video.controls = status !== "scheduled";
    const watching = root.querySelector('[data-role="watching"]');
    if (watching) watching.hidden = status === "scheduled";
    if (status === "live") await watchLive();
    else if (status === "ended") {
      show("ended");
      await showEnded();
    }
  }
  // the encoder's state while live
  function onStream(state) {
    if (status !== "live") return;
    if (state === "reconnecting" || state === "idle") show("reconnecting");
    else if (state === "live" && player.dataset.state === "reconnecting") {
      show(null);
      if (mode === "hls" && hls) hls.startLoad();
    }
  }

  socket.on("session", (payload) => {
    if (payload.id === session) onStatus(payload.status).catch((err) => console.warn(err));
  });
  socket.on("stream", (payload) => { if (payload.session === session) onStream(payload.state); });
  // after a (re)join: the status, and whether the encoder is reconnecting (a ``stream`` event
  // sent while this socket was away is not sent again)
  const askStream = () => fetchJson(`/api/sessions/${session}/health`)
    .then((health) => { if (health.reconnecting || health.state === "idle") onStream("reconnecting"); })
    .catch(() => {});
  root.addEventListener("rt:joined", (event) => {
    const ack = event.detail;
    if (ack && ack.ok) {
      onStatus(ack.status).catch((err) => console.warn(err));
      if (status === "live") askStream();
    }
  });

  window.addEventListener("pagehide", stopWebrtc);
  if (status === "live") {
    watchLive();
    // a page opened while the encoder reconnects: ask once, then follow the pushed events
    askStream();
  } else if (status === "ended") showEnded();
  else show("waiting");
}
