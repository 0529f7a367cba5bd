// Polls and the question queue on the watch page, the host console and the moderation console:
// the newest poll with live results, the question box with "same question", and for staff the
// poll form and the buttons that move questions on.
import { io } from "/static/vendor/socket.io.esm.min.js";
import { errorText } from "./api.js";
import { api, el } from "./opinions-common.js";

// ``socket``: the page's socket (joined by its chat part); a page without one opens its own.
export function init(root, config, pageSocket = null) {
  const part = root.querySelector('[data-role="interact"]');
  if (!part) return;
  const strings = JSON.parse(part.dataset.strings || "{}");
  const staff = part.dataset.staff === "true";
  const card = part.querySelector('[data-role="poll"]');
  const list = part.querySelector('[data-role="question-list"]');
  const qForm = part.querySelector('[data-role="question-form"]');
  const qInput = part.querySelector('[data-testid="question-input"]');
  const qStatus = part.querySelector('[data-role="question-status"]');
  const upvoted = new Set();
  let current = null; // the poll shown
  let mine = new Set();

  function showPoll(poll) {
    if (current && poll.id !== current.id && Number(poll.id) < Number(current.id)) return;
    if (!current || current.id !== poll.id) mine = new Set(poll.mine || []);
    else if (poll.mine) mine = new Set(poll.mine);
    current = poll;
    const total = poll.options.reduce((n, o) => n + o.votes, 0);
    const items = poll.options.map((o) => {
      const chosen = mine.has(o.id);
      const input = el("input", { type: poll.multiple ? "checkbox" : "radio", name: `poll-${poll.id}`, value: o.id, "data-testid": "poll-option" });
      input.checked = chosen;
      input.disabled = !poll.open;
      const meter = el("meter", { min: 0, max: Math.max(total, 1), value: o.votes });
      meter.min = 0; meter.max = Math.max(total, 1); meter.value = o.votes;
      return el(
        "li", { class: "poll-option", "data-option-id": o.id },
        el("label", {}, input, " ", o.text),
        meter,
        el("span", { class: "poll-votes", "data-testid": "poll-votes", text: String(o.votes) }),
      );
    });
    const form = el("form", { class: "stack" }, el("ul", { class: "poll-options" }, ...items));
    if (poll.open) form.append(el("button", { type: "submit", class: "primary", "data-testid": "poll-vote", text: strings.vote }));
    const note = el("p", { class: "status-line", role: "status", "data-role": "poll-status" });
    note.textContent = poll.open ? (mine.size ? strings.voted : "") : strings.closed;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const options = [...form.querySelectorAll("input:checked")].map((i) => i.value);
      if (!options.length) return;
      const answer = await api("POST", `/api/polls/${poll.id}/vote`, { options });
      if (!answer.ok) { note.textContent = errorText(answer.body, strings, answer.status); return; }
      mine = new Set(answer.body.mine || options);
      showPoll(answer.body);
    });
    const parts = [el("h2", { text: poll.question }), form, el("p", { class: "meta" }, el("strong", { "data-testid": "poll-voters", text: String(poll.voters) }), " " + strings.voters), note];
    if (staff && poll.open) {
      const close = el("button", { type: "button", "data-testid": "poll-close", text: strings.close });
      close.addEventListener("click", async () => {
        const answer = await api("POST", `/api/polls/${poll.id}/close`);
        if (answer.ok) showPoll(answer.body);
      });
      parts.push(close);
    }
    card.replaceChildren(...parts);
    card.dataset.pollId = poll.id;
    card.dataset.open = poll.open ? "true" : "false";
    card.hidden = false;
  }

  const findQuestion = (id) => list.querySelector(`[data-question-id="${CSS.escape(String(id))}"]`);
  function renderQuestion(q) {
    const done = upvoted.has(q.id);
    const up = el("button", { type: "button", class: "me-too", "data-testid": "question-upvote", "aria-pressed": done ? "true" : "false", text: done ? strings.upvoted : strings.upvote });
    up.disabled = done || q.status === "answered";
    up.addEventListener("click", async () => {
      up.disabled = true;
      const answer = await api("POST", `/api/questions/${q.id}/upvote`);
      if (!answer.ok) { up.disabled = false; return; }
      upvoted.add(q.id);
      upsertQuestion({ ...q, votes: answer.body.votes });
    });
    const node = el(
      "li", { class: `question question-${q.status}`, "data-question-id": q.id, "data-status": q.status, "data-votes": String(q.votes) },
      el("p", { class: "question-text", text: q.text }),
      el("span", { class: "meta" }, el("strong", { "data-role": "votes", text: String(q.votes) }), ` ${strings.votes} · ${strings["status_" + q.status] || q.status}`),
      up,
    );
    if (staff) {
      for (const status of ["approved", "answering", "answered", "rejected"]) {
        if (status === q.status) continue;
        if (status === "approved" && q.status !== "pending") continue;
        const b = el("button", { type: "button", "data-testid": `question-${status}`, text: strings[{ approved: "approve", answering: "answering", answered: "answered", rejected: "reject" }[status]] });
        b.addEventListener("click", async () => {
          const answer = await api("PATCH", `/api/questions/${q.id}`, { status });
          if (answer.ok) upsertQuestion(answer.body);
        });
        node.append(b);
      }
    }
    return node;
  }
  function sortQuestions() {
    const nodes = [...list.children].filter((n) => n.dataset.questionId);
    nodes.sort((a, b) => Number(b.dataset.votes) - Number(a.dataset.votes) || Number(a.dataset.questionId) - Number(b.dataset.questionId));
    list.replaceChildren(...nodes);
  }
  function upsertQuestion(q) {
    const existing = findQuestion(q.id);
    if (!q.text) { // left the public queue
      if (existing && !staff) existing.remove();
      if (existing && staff) { existing.dataset.status = q.status; }
      return;
    }
    if (!staff && !["approved", "answering", "answered"].includes(q.status)) { if (existing) existing.remove(); return; }
    const node = renderQuestion(q);
    if (existing) existing.replaceWith(node); else list.append(node);
    sortQuestions();
  }

  async function load() {
    const polls = await api("GET", `/api/sessions/${encodeURIComponent(config.session)}/polls`);
    if (polls.ok && polls.body.length) showPoll(polls.body[polls.body.length - 1]);
    const questions = await api("GET", `/api/sessions/${encodeURIComponent(config.session)}/questions?limit=200`);
    if (questions.ok) for (const q of questions.body) upsertQuestion(q);
  }

  qForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = qInput.value.trim();
    if (!text) { qStatus.textContent = strings.empty; return; }
    const answer = await api("POST", `/api/sessions/${encodeURIComponent(config.session)}/questions`, { text });
    if (!answer.ok) { qStatus.textContent = errorText(answer.body, strings, answer.status); return; }
    qInput.value = "";
    qStatus.textContent = strings.asked;
    if (staff) upsertQuestion(answer.body);
  });

  const pollForm = part.querySelector('[data-role="poll-form"]');
  if (pollForm) {
    const say = (t) => { part.querySelector('[data-role="poll-form-status"]').textContent = t; };
    pollForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const question = pollForm.querySelector('[data-testid="poll-question"]').value.trim();
      const options = pollForm.querySelector('[data-testid="poll-options"]').value.split("\n").map((s) => s.trim()).filter(Boolean);
      if (options.length < 2 || options.length > 8) { say(strings.need_options); return; }
      const body = { question, options, multiple: pollForm.querySelector('[data-testid="poll-multiple"]').checked };
      const minutes = Number(pollForm.querySelector('[data-testid="poll-minutes"]').value);
      if (minutes > 0) body.closes_at = new Date(Date.now() + minutes * 60000).toISOString();
      const answer = await api("POST", `/api/sessions/${encodeURIComponent(config.session)}/polls`, body);
      if (!answer.ok) { say(errorText(answer.body, strings, answer.status)); return; }
      say("");
      pollForm.reset();
      showPoll(answer.body);
    });
  }

  const socket = pageSocket || io({ transports: ["websocket", "polling"] });
  if (!pageSocket) {
    socket.on("connect", () => socket.emit("join", { session: config.session }));
  }
  socket.on("poll", (p) => { if (p.session === config.session) showPoll(p); });
  socket.on("question", (q) => { if (q.session === config.session) upsertQuestion(q); });
  // no new questions once the broadcast has ended (the replay keeps the answered ones)
  socket.on("session", (p) => { if (p.id === config.session && p.status === "ended" && qForm) qForm.hidden = true; });
  load();
}
