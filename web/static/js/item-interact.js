// An agenda item's page: recordings that play in place at their moment, and household votes.
import { loadHls } from "./hls-loader.js";
import { errorText } from "./api.js";
import { api } from "./opinions-common.js";
import { watch } from "./watch.js";
import { enhancePickers } from "./household-picker.js";

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
// A vote's card shows the turnout and (unless a secret ballot is still open) the counts of ``view``
// (the API's and the ``vote`` socket event's payload).
function showCounts(card, view, strings) {
  const turnout = card.querySelector('[data-role="turnout"]');
  if (turnout) {
    turnout.textContent = `${strings.turnout.replace("{turnout}", view.turnout).replace("{eligible}", view.eligible)} · ${view.open ? strings.open : strings.closed}`;
  }
  const top = Math.max(view.turnout, 1);
  for (const option of view.options) {
    const row = card.querySelector(`[data-option-id="${option.id}"]`);
    if (!row || option.votes === undefined) continue;
    let meter = row.querySelector("meter");
    let count = row.querySelector('[data-testid="vote-count"]');
    if (!meter) { meter = document.createElement("meter"); meter.min = 0; row.append(meter); }
    if (!count) { count = document.createElement("strong"); count.dataset.testid = "vote-count"; row.append(count); }
    meter.max = top;
    meter.value = option.votes;
    count.textContent = String(option.votes);
  }
  if (!view.open) {
    card.querySelectorAll('[data-role="paper"], [data-role="close-vote"], [data-testid="vote-submit"], [data-testid="vote-option"]').forEach((el) => { el.hidden = true; el.disabled = true; });
  }
}

if (votes) {
  const strings = JSON.parse(votes.dataset.strings);
  enhancePickers(votes);
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
      status.textContent = strings.counted;
      showCounts(card, answer.body, strings);
    });
    const paper = card.querySelector('[data-role="paper"]');
    if (paper) paper.addEventListener("submit", async (event) => {
      event.preventDefault();
      const f = new FormData(paper);
      const room = String(f.get("room") || "").trim();
      if (!room) { status.textContent = strings.error_household_required; return; }
      // the household picked by unit and room (found, or made when new), like the grid worker's desk
      const answer = await api("POST", "/api/on-behalf/votes", {
        unit: f.get("unit"), room, vote: id, option: f.get("option"), channel: f.get("channel"),
        resident: f.get("voter_name"), consent: f.get("consent") === "on",
      });
      if (!answer.ok) { status.textContent = errorText(answer.body, strings, answer.status); return; }
      const unit = paper.elements.unit;
      const where = `${unit.options[unit.selectedIndex].text} ${room}`;
      status.textContent = (answer.body.replaced ? strings.changed : strings.entered).replaceAll("{household}", where);
      paper.reset();
      showCounts(card, answer.body, strings);
    });
    const close = card.querySelector('[data-role="close-vote"]');
    if (close) close.addEventListener("click", async () => {
      const answer = await api("POST", `/api/votes/${id}/close`);
      if (answer.ok) location.reload(); else status.textContent = strings.failed;
    });
  });
  // live: turnout and counts (and the close) as ballots come in, from any page or process; a vote
  // opened meanwhile is announced with a link to see it
  if (votes.querySelector('[data-open="true"]') || votes.querySelector('[data-role="new-vote"]')) {
    const news = votes.querySelector('[data-role="votes-news"]');
    watch({ item: votes.dataset.item }, {
      vote: (v) => {
        if (v.item !== votes.dataset.item) return;
        const card = votes.querySelector(`[data-vote-id="${v.id}"]`);
        if (card) showCounts(card, v, strings);
        else if (news) news.hidden = false;
      },
    });
  }
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
