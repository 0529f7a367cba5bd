// The watch page's chat part: join the room, show messages as text, send, follow moderation.
import { io } from "/static/vendor/socket.io.esm.min.js";
import { asList, renderMessage } from "./chat-render.js";

export { asList, renderMessage };

const NAME_KEY = "rt_chat_name";

// Opens the page's socket, joins the session's room on every (re)connect and shows the chat;
// returns the socket for the page's other parts. Each join's ack is also announced on ``root``
// as a ``rt:joined`` event (its ``detail`` is the ack), so the other parts learn the session's
// status after a reconnect without asking the server again.
export function init(root, config) {
  const box = root.querySelector('[data-role="chat"]');
  if (!box) return joinOnly(root, config);
  const strings = JSON.parse(box.dataset.strings || "{}");
  const signedIn = box.dataset.signedIn === "yes";
  const list = box.querySelector('[data-testid="chat-list"]');
  const banner = box.querySelector('[data-role="chat-banner"]');
  const pinned = box.querySelector('[data-role="chat-pinned"]');
  const note = box.querySelector('[data-role="chat-note"]');
  const form = box.querySelector('[data-role="chat-form"]');
  const input = form.querySelector('[data-testid="chat-input"]');
  const nameForm = box.querySelector('[data-role="chat-name"]');
  const nameInput = nameForm.querySelector("input");
  const viewerCount = root.querySelector('[data-testid="viewer-count"]');
  let name = signedIn ? null : localStorage.getItem(NAME_KEY);
  let joined = false;

  const say = (text) => {
    note.textContent = text || "";
    note.hidden = !text;
  };
  const scrollDown = () => { list.scrollTop = list.scrollHeight; };
  const add = (message) => {
    if (message.status !== "visible" || list.querySelector(`[data-message-id="${CSS.escape(message.id)}"]`)) return;
    list.append(renderMessage(message, strings));
    while (list.children.length > 200) list.firstElementChild.remove();
  };
  const showPin = (message) => {
    pinned.replaceChildren();
    pinned.hidden = !message;
    if (!message) return;
    const label = document.createElement("strong");
    label.textContent = strings.pinned + " ";
    pinned.append(label, renderMessage(message, strings));
  };
  const showState = (state) => {
    if (!state) return;
    if (!state.open) say(strings.closed);
    else if (state.slow_mode > 0) say(strings.slow.replace("{s}", state.slow_mode));
    else say("");
  };
  const showNameForm = (show, focus = show) => {
    nameForm.hidden = !show;
    if (focus) nameInput.focus();
  };

  const socket = io({ transports: ["websocket", "polling"], auth: { name: name || undefined } });
  socket.on("reload", () => location.reload()); // our account changed: pick up the new role

  socket.on("connect", async () => {
    banner.hidden = true;
    const ack = await socket.emitWithAck("join", { session: config.session });
    root.dispatchEvent(new CustomEvent("rt:joined", { detail: ack }));
    if (!ack.ok) { say(strings["error_" + ack.error] || strings.error_other); return; }
    joined = true;
    list.replaceChildren();
    ack.history.forEach(add);
    scrollDown();
    if (viewerCount) viewerCount.textContent = ack.viewers.current;
    showPin(ack.pinned);
    showState(ack.chat_state);
  });
  socket.on("disconnect", (reason) => {
    joined = false;
    if (reason === "io server disconnect") { say(strings.kicked); form.hidden = true; return; }
    if (reason === "io client disconnect") return; // we reconnect on purpose (a new name): no banner
    banner.hidden = false;
  });
  socket.on("connect_error", (err) => {
    if (err && err.data && err.data.error === "bad_name") {
      localStorage.removeItem(NAME_KEY);
      socket.auth = {};
      say(strings.error_bad_name);
      showNameForm(true);
      setTimeout(() => socket.connect(), 500);
      return;
    }
    banner.hidden = false;
  });
  socket.on("chat", (payload) => {
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    asList(payload).forEach(add);
    if (atBottom) scrollDown();
  });
  socket.on("hide", (payload) => {
    for (const item of asList(payload)) {
      list.querySelectorAll(`[data-message-id="${CSS.escape(String(item.message))}"]`).forEach((el) => el.remove());
      pinned.querySelectorAll(`[data-message-id="${CSS.escape(String(item.message))}"]`).forEach(() => showPin(null));
    }
  });
  socket.on("pin", (payload) => showPin(payload.message));
  socket.on("chat_state", showState);
  socket.on("viewers", (payload) => { if (viewerCount) viewerCount.textContent = payload.current; });

  nameForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = nameInput.value.trim();
    if (!chosen) return;
    name = chosen;
    localStorage.setItem(NAME_KEY, name);
    showNameForm(false);
    say("");
    socket.auth = { name };
    socket.disconnect().connect();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) { say(strings.error_empty); return; }
    if (!signedIn && !name) { say(strings.name_needed); showNameForm(true); return; }
    if (!joined) { say(strings.error_not_joined); return; }
    const nonce = Math.random().toString(36).slice(2, 12);
    const ack = await socket.timeout(10000).emitWithAck("chat", { session: config.session, text, nonce }).catch(() => null);
    if (!ack) { say(strings.error_other); return; }
    if (!ack.ok) { say(strings["error_" + ack.error] || ack.detail || strings.error_other); return; }
    input.value = "";
    if (ack.message.status === "held") say(strings.held);
    else { say(""); add(ack.message); scrollDown(); }
  });

  // shown on load without taking focus: focusing would scroll a phone's page past the video
  if (!signedIn && !name) showNameForm(true, false);
  return socket;
}

// A watch page without a chat box still joins the room, for the video and opinion parts.
function joinOnly(root, config) {
  const socket = io({ transports: ["websocket", "polling"] });
  socket.on("reload", () => location.reload());
  socket.on("connect", async () => {
    const ack = await socket.emitWithAck("join", { session: config.session });
    root.dispatchEvent(new CustomEvent("rt:joined", { detail: ack }));
  });
  return socket;
}
