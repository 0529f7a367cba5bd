// The moderation console: held messages first, one-click actions on messages, people and the room.
import { io } from "/static/vendor/socket.io.esm.min.js";
import { errorText, request } from "./api.js";
import { asList, renderMessage } from "./chat-render.js";
import { init as initInteract } from "./live-interact.js";
import { start as startTriage } from "./moderate-opinions.js";

const root = document.getElementById("moderate");
const config = JSON.parse(root.dataset.config);
const strings = JSON.parse(root.dataset.strings);
const held = root.querySelector('[data-testid="held-list"]');
const chat = root.querySelector('[data-testid="chat-list"]');
const audit = root.querySelector('[data-testid="audit-log"]');
const status = root.querySelector('[data-role="status"]');
const banner = root.querySelector('[data-role="banner"]');
const pinned = root.querySelector('[data-role="pinned"]');
const viewerCount = root.querySelector('[data-testid="viewer-count"]');
const chatState = root.querySelector('[data-role="chat-state"]');
const nothingHeld = root.querySelector('[data-role="nothing-held"]');
const lang = document.documentElement.lang;
const showNothingHeld = () => { nothingHeld.hidden = held.children.length > 0; };
const session = config.session;
const socket = io({ transports: ["websocket", "polling"] });
socket.on("reload", () => location.reload()); // our account changed: pick up the new role
// the console's opinion triage shares this socket (one per page)
const triage = root.querySelector('[data-role="triage"]');
if (triage) startTriage(triage, socket);

const find = (id) => root.querySelectorAll(`.mod-item[data-message-id="${CSS.escape(String(id))}"]`);

function button(label, action, extra = {}, danger = false) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.dataset.action = action;
  if (danger) b.className = "danger";
  Object.entries(extra).forEach(([k, v]) => { b.dataset[k] = v; });
  return b;
}

const CONSOLE = { item: "mod-item", author: "who", text: "text", badge: false };

function item(message) {
  const li = renderMessage(message, strings, CONSOLE);
  li.classList.add(`status-${message.status}`);
  const tag = document.createElement("span");
  tag.className = "tag";
  tag.textContent = strings[message.status] || "";
  tag.hidden = message.status === "visible";
  const actions = document.createElement("div");
  actions.className = "mod-actions";
  const ids = { message: message.id, user: message.author.id };
  if (message.status === "held") {
    actions.append(button(strings.approve, "approve", ids), button(strings.delete, "delete", ids, true));
  } else if (message.status === "hidden") {
    actions.append(button(strings.unhide, "unhide", ids));
  } else {
    actions.append(button(strings.hide, "hide", ids), button(strings.pin, "pin", ids), button(strings.to_opinion, "to_opinion", ids));
  }
  if (!["moderator", "host", "admin"].includes(message.author.role)) {
    const person = { ...ids, name: message.author.name };
    actions.append(button(strings.mute, "mute", { ...person, seconds: "600" }), button(strings.ban, "ban", person, true));
  }
  li.prepend(tag);
  li.append(actions);
  return li;
}

function place(message) {
  find(message.id).forEach((el) => el.remove());
  showNothingHeld();
  if (message.status === "deleted") return;
  const list = message.status === "held" ? held : chat;
  list.append(item(message));
  list.scrollTop = list.scrollHeight;
  showNothingHeld();
}

function showPin(message) {
  pinned.hidden = !message;
  pinned.querySelector('[data-role="pinned-text"]').textContent = message ? `${message.author.name}: ${message.text}` : "";
}

function showState(state) {
  chatState.textContent = `${state.open ? "" : strings.closed || ""} ${state.slow_mode ? state.slow_mode + " s" : ""}`;
  root.querySelector('[data-testid="mod-slow-mode"]').value = String(state.slow_mode);
}

async function getJSON(url) {
  const answer = await request("GET", url);
  return answer.ok && answer.body ? answer.body : [];
}

// Live changes that arrive while the message list is being fetched: the answer may have been read
// before them, so they are applied again on top of it (a held message is never wiped by a reload).
const recorders = new Set();
const live = (apply) => (payload) => {
  recorders.forEach((changes) => changes.push(() => apply(payload)));
  apply(payload);
};

async function loadMessages() {
  const changes = [];
  recorders.add(changes);
  let messages;
  try {
    messages = await getJSON(`/api/sessions/${session}/messages?limit=1000`);
  } finally {
    recorders.delete(changes);
  }
  held.replaceChildren();
  chat.replaceChildren();
  messages.forEach(place);
  changes.forEach((apply) => apply());
  showNothingHeld();
}

async function loadAudit() {
  const entries = await getJSON(`/api/sessions/${session}/audit?limit=1000`);
  audit.replaceChildren(
    ...entries.reverse().map((e) => {
      const tr = document.createElement("tr");
      const action = strings.actions[e.action] || e.action;
      const target = e.target_label || (e.action === "slow_mode" || e.action.endsWith("_chat") ? "" : strings.gone);
      for (const value of [new Date(e.at).toLocaleTimeString(lang), e.actor.name, action, target, e.reason || ""]) {
        const td = document.createElement("td");
        td.textContent = value;
        tr.append(td);
      }
      return tr;
    }),
  );
}

async function act(action, data) {
  const ack = await socket.timeout(10000).emitWithAck("moderate", { session, action, ...data }).catch(() => null);
  status.textContent = ack && ack.ok ? strings.done : errorText(ack);
  if (ack && ack.ok && ["ban", "unban", "unhide", "approve"].includes(action)) await loadMessages();
  await loadAudit();
}

root.addEventListener("click", (event) => {
  const b = event.target.closest("button[data-action]");
  if (!b) return;
  const data = {};
  if (b.dataset.message) data.message = b.dataset.message;
  if (["mute", "ban", "unban"].includes(b.dataset.action)) data.user = b.dataset.user;
  if (b.dataset.seconds) data.seconds = Number(b.dataset.seconds);
  if (["mute", "ban"].includes(b.dataset.action)) {
    // Sanctions are asked for first, with a reason that goes into the audit log.
    const question = strings["confirm_" + b.dataset.action].replace("{name}", b.dataset.name || "");
    const reason = window.prompt(question, "");
    if (reason === null) return;
    data.reason = reason.trim();
  }
  act(b.dataset.action, data);
});
root.querySelector('[data-role="slow-form"]').addEventListener("submit", (event) => {
  event.preventDefault();
  act("slow_mode", { seconds: Number(root.querySelector('[data-testid="mod-slow-mode"]').value) });
});

socket.on("connect", async () => {
  banner.hidden = true;
  const ack = await socket.emitWithAck("join", { session });
  if (!ack.ok) { status.textContent = errorText(ack); return; }
  viewerCount.textContent = ack.viewers.current;
  showPin(ack.pinned);
  showState(ack.chat_state);
  await loadMessages();
  await loadAudit();
});
socket.on("disconnect", () => { banner.hidden = false; });
socket.on("connect_error", () => { banner.hidden = false; });
socket.on("chat", live((payload) => asList(payload).forEach(place)));
socket.on("held", live((payload) => asList(payload).forEach(place)));
socket.on("hide", live((payload) => asList(payload).forEach((h) => {
  find(h.message).forEach((el) => {
    if (held.contains(el)) { el.remove(); showNothingHeld(); return; }
    el.classList.remove("status-visible");
    el.classList.add("status-hidden");
    const tag = el.querySelector(".tag");
    tag.textContent = strings.hidden;
    tag.hidden = false;
    el.querySelector(".mod-actions").replaceChildren(button(strings.unhide, "unhide", { message: h.message }));
  });
})));
socket.on("pin", (payload) => showPin(payload.message));
socket.on("chat_state", showState);
socket.on("viewers", (payload) => { viewerCount.textContent = payload.current; });

try { initInteract(root, config, socket); } catch (err) { console.error(err); }
