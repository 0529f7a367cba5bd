// An agenda item's page: recordings that play in place at their moment, and household votes.
import { loadHls } from "./hls-loader.js";
import { errorText } from "./api.js";
import { api } from "./opinions-common.js";

async function hlsInto(video, src, start) {
  if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = `${src}#t=${start}`;
  } else {
    const Hls = await loadHls();
    if (!Hls || !Hls.isSupported()) { video.src = src; video.hidden = false; return; }
    const hls = new Hls({ startPosition: start });
    hls.loadSource(src);
    hls.attachMedia(video);
  }
  video.hidden = false;
  video.play().catch(() => {});
}

document.querySelectorAll(".moment-player").forEach((figure) => {
  const button = figure.querySelector('[data-role="play-moment"]');
  const video = figure.querySelector("video");
  if (!button || !video) return;
  button.addEventListener("click", () => {
    button.hidden = true;
    hlsInto(video, figure.dataset.playlist, Number(figure.dataset.offset)); // the server's address
  });
});

const votes = document.querySelector('[data-role="votes"]');
if (votes) {
  const strings = JSON.parse(votes.dataset.strings);
  votes.querySelectorAll("[data-vote-id]").forEach((card) => {
    const id = card.dataset.voteId;
    const ballot = card.querySelector('[data-role="ballot"]');
    const status = card.querySelector('[data-role="vote-status"]');
    ballot.addEventListener("submit", async (event) => {
      event.preventDefault();
      const chosen = ballot.querySelector("input:checked");
      if (!chosen) return;
      const answer = await api("POST", `/api/votes/${id}/ballot`, { option: chosen.value });
      if (!answer.ok) { status.textContent = errorText(answer.body, strings, answer.status); return; }
      location.reload();
    });
    const paper = card.querySelector('[data-role="paper"]');
    if (paper) paper.addEventListener("submit", async (event) => {
      event.preventDefault();
      const f = new FormData(paper);
      const answer = await api("POST", `/api/votes/${id}/entries`, {
        household: f.get("household"), option: f.get("option"), channel: f.get("channel"),
        voter_name: f.get("voter_name"), consent: f.get("consent") === "on",
      });
      if (!answer.ok) { status.textContent = errorText(answer.body, strings, answer.status); return; }
      location.reload();
    });
    const close = card.querySelector('[data-role="close-vote"]');
    if (close) close.addEventListener("click", async () => {
      const answer = await api("POST", `/api/votes/${id}/close`);
      if (answer.ok) location.reload(); else status.textContent = strings.failed;
    });
  });
  const form = votes.querySelector('[data-role="new-vote"]');
  if (form) form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = new FormData(form);
    const options = String(f.get("options")).split("\n").map((s) => s.trim()).filter(Boolean);
    const answer = await api("POST", `/api/agenda/${votes.dataset.item}/votes`, {
      question: f.get("question"), options, secret: f.get("secret") === "on",
    });
    if (answer.ok) location.reload();
  });
}
