// The watch page's video part: WebRTC (WHEP) first, HLS (hls.js, or native on Safari) when
// WebRTC fails, is over the server's cap, or the session has ended (then the recording plays).
const POLL_MS = 3000;
const WHEP_TIMEOUT_MS = 10000;

export function init(root, config) {
  const player = root.querySelector('[data-role="player"]');
  if (!player) return;
  const video = player.querySelector("video");
  const stateLine = player.querySelector('[data-role="player-state"]');
  const modeLine = player.querySelector('[data-role="player-mode"]');
  const unmute = player.querySelector('[data-role="unmute"]');
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
    modeLine.textContent = value ? modeLine.dataset["mode" + (value === "hls" ? "Hls" : "Webrtc")] : "";
    player.dataset.mode = value || "";
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
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.json();
  }

  function stopWebrtc() {
    if (pc) pc.close();
    pc = null;
    if (whepLocation) {
      fetch(whepLocation, { method: "DELETE", keepalive: true }).catch(() => {});
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
    const response = await fetch(`/api/sessions/${session}/whep`, {
      method: "POST",
      headers: { "Content-Type": "application/sdp" },
      body: peer.localDescription.sdp,
    });
    if (response.status !== 201) {
      peer.close();
      pc = null;
      const error = new Error(`whep ${response.status}`);
      error.status = response.status;
      throw error;
    }
    whepLocation = response.headers.get("Location");
    await peer.setRemoteDescription({ type: "answer", sdp: await response.text() });
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
    const url = config.hls;
    if (hls) hls.destroy();
    hls = null;
    video.srcObject = null;
    setMode("hls");
    const native = video.canPlayType("application/vnd.apple.mpegurl");
    let Hls = null;
    try {
      Hls = (await import("/static/vendor/hls.mjs")).default;
    } catch (err) {
      console.warn("hls.js unavailable", err);
    }
    if (Hls && Hls.isSupported()) {
      hls = new Hls({ liveSyncDurationCount: 2, manifestLoadingMaxRetry: 30, levelLoadingMaxRetry: 30 });
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (data.fatal && data.type === Hls.ErrorTypes.NETWORK_ERROR) {
          setTimeout(() => hls && hls.loadSource(url), POLL_MS);
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
    const detail = await fetchJson(`/api/sessions/${session}`).catch(() => null);
    if (detail && detail.recording) {
      config.hls = detail.recording.hls;
      await startHls(true);
    } else {
      if (hls) hls.destroy();
      hls = null;
      video.srcObject = null;
      setMode(null);
      show("noRecording");
    }
  }

  async function poll() {
    try {
      if (status === "scheduled") {
        const detail = await fetchJson(`/api/sessions/${session}`);
        if (detail.status !== "scheduled") {
          status = detail.status;
          if (status === "live") await watchLive();
          else await showEnded();
        }
      } else if (status === "live") {
        const health = await fetchJson(`/api/sessions/${session}/health`);
        if (health.status === "ended") {
          status = "ended";
          show("ended");
          await showEnded();
        } else if (health.reconnecting || health.state === "idle") {
          show("reconnecting");
        } else if (player.dataset.state === "reconnecting") {
          show(null);
          if (mode === "hls" && hls) hls.startLoad();
        }
      }
    } catch (err) {
      console.warn(err);
    }
    if (status !== "ended") setTimeout(poll, POLL_MS);
  }

  window.addEventListener("pagehide", stopWebrtc);
  if (status === "live") watchLive();
  else if (status === "ended") showEnded();
  else show("waiting");
  setTimeout(poll, POLL_MS);
}
