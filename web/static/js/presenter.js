// The presenter view: the question being answered and the newest poll's results, in very large type.
import { io } from "/static/vendor/socket.io.esm.min.js";
import { api, el } from "./opinions-common.js";

const root = document.getElementById("presenter");
const config = JSON.parse(root.dataset.config);
const question = root.querySelector('[data-testid="presenter-question"]');
const empty = root.querySelector('[data-testid="presenter-empty"]');
const pollBox = root.querySelector('[data-testid="presenter-poll"]');
let shownId = config.answering || null;
let pollId = null;

function showQuestion(q) {
  if (q.status === "answering" && q.text) {
    shownId = q.id;
    question.textContent = q.text;
    empty.hidden = true;
  } else if (q.id === shownId) {
    shownId = null;
    question.textContent = "";
    empty.hidden = false;
  }
}
function showPoll(p) {
  if (pollId && Number(p.id) < Number(pollId)) return;
  pollId = p.id;
  const total = p.options.reduce((n, o) => n + o.votes, 0) || 1;
  pollBox.replaceChildren(
    el("h2", { text: p.question }),
    el("ul", {}, ...p.options.map((o) => {
      const meter = el("meter", {});
      meter.min = 0; meter.max = total; meter.value = o.votes;
      return el("li", {}, el("span", { text: o.text }), meter, el("strong", { text: String(o.votes) }));
    })),
  );
  pollBox.hidden = false;
}

// What is being answered now, asked once the room is joined: a change made while the page was
// loading or reconnecting (before the socket was in the room) would otherwise never reach it.
let pushed = 0; // question events seen; a reply older than one of them is stale
async function refresh() {
  const before = pushed;
  const a = await api("GET", `/api/sessions/${encodeURIComponent(config.session)}/questions?limit=200`);
  if (!a.ok || pushed !== before) return;
  const now = a.body.find((q) => q.status === "answering");
  if (now) showQuestion(now);
  else if (shownId) showQuestion({ id: shownId, status: "answered" });
}

const socket = io({ transports: ["websocket", "polling"] });
socket.on("connect", async () => {
  await socket.emitWithAck("join", { session: config.session });
  refresh().catch((err) => console.warn(err));
});
socket.on("question", (q) => {
  if (q.session !== config.session) return;
  pushed += 1;
  showQuestion(q);
});
socket.on("poll", (p) => { if (p.session === config.session) showPoll(p); });
api("GET", `/api/sessions/${encodeURIComponent(config.session)}/polls`).then((a) => {
  if (a.ok && a.body.length) showPoll(a.body[a.body.length - 1]);
});
