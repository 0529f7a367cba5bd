// Latency probe page: plays the stream (?mode=webrtc over WHEP, ?mode=hls with hls.js configured
// like the watch page) and reads the frame counter stamped into each displayed frame.
const video = document.getElementById("v");
const canvas = document.getElementById("c");
const ctx = canvas.getContext("2d", { willReadFrequently: true });
window.samples = [];

function readStamp() {
  ctx.drawImage(video, 0, 0, 640, 360, 0, 0, 640, 360);
  const row = ctx.getImageData(0, 20, 640, 1).data;
  let value = 0;
  for (let bit = 0; bit < 16; bit++) {
    const x = bit * 40 + 20;
    value = (value << 1) | (row[x * 4] > 128 ? 1 : 0);
  }
  return value;
}

function onFrame() {
  window.samples.push([Date.now(), readStamp()]);
  video.requestVideoFrameCallback(onFrame);
}

async function webrtc() {
  const pc = new RTCPeerConnection();
  pc.addTransceiver("video", { direction: "recvonly" });
  pc.ontrack = (e) => { video.srcObject = new MediaStream([e.track]); };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => {
    if (pc.iceGatheringState === "complete") r();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && r();
  });
  const res = await fetch("/whep", { method: "POST", headers: { "Content-Type": "application/sdp" }, body: pc.localDescription.sdp });
  await pc.setRemoteDescription({ type: "answer", sdp: await res.text() });
}

async function hls() {
  const Hls = (await import("/hls.mjs")).default;
  const player = new Hls({ liveSyncDurationCount: 2 });
  player.loadSource("/hls/index.m3u8");
  player.attachMedia(video);
}

const mode = new URLSearchParams(location.search).get("mode");
video.requestVideoFrameCallback(onFrame);
(mode === "hls" ? hls() : webrtc()).then(() => video.play());
