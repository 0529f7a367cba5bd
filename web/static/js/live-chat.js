// The watch page's chat part: join the room, show messages as text, send, follow moderation.
import { io } from "/static/vendor/socket.io.esm.min.js";
import { errorText } from "./api.js";
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
  const send = form.querySelector('[data-testid="chat-send"]');
  const placeholder = input.placeholder;
  const nameForm = box.querySelector('[data-role="chat-name"]');
  const endedNote = box.querySelector('[data-role="chat-ended"]');
  const nameInput = nameForm.querySelector("input");
  const viewerCount = root.querySelector('[data-testid="viewer-count"]');
  let name = signedIn ? null : localStorage.getItem(NAME_KEY);
  let joined = false;
  let ended = config.status === "ended";
  let banned = false;
  let mutedEnd = 0; // when this person's mute ends (ms, this browser's clock); 0: not muted
  let mutedTimer = null;
  const heldIds = new Set(); // our messages waiting for a moderator
  const onJoined = [];
  // a message written while the socket (re)joins waits for the join a few seconds, not refused
  const joinedSoon = (ms) => (joined ? Promise.resolve(true) : new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    onJoined.push(() => { clearTimeout(timer); resolve(true); });
  }));

  // kind "ok" is a good outcome (green); anything else reads as a warning (the error colour)
  const say = (text, kind = "error") => {
    note.textContent = text || "";
    note.hidden = !text;
    note.dataset.kind = kind;
  };
  const plural = (n, key) => (n === 1 ? strings[key + "_one"] : strings[key + "_other"]).replace("{n}", String(n));
  const canWrite = (on) => {
    input.disabled = !on;
    send.disabled = !on;
  };
  const muted = () => mutedEnd > Date.now();
  // "You are muted until 20:15 (12 minutes left)", in the reader's language and clock
  const mutedText = () => {
    const time = new Date(mutedEnd).toLocaleTimeString(config.lang || undefined, { hour: "2-digit", minute: "2-digit" });
    const left = Math.max(1, Math.ceil((mutedEnd - Date.now()) / 60000));
    return [strings.muted_until.replace("{time}", time).replace("{left}", plural(left, "minutes")), time];
  };
  const showMuted = (seconds) => {
    mutedEnd = Date.now() + Math.max(1, seconds) * 1000;
    clearTimeout(mutedTimer);
    const tick = () => {
      if (banned || ended) return; // the chat closed meanwhile: nothing to re-enable
      if (!muted()) {
        muteOver();
        return;
      }
      const [text, time] = mutedText();
      canWrite(false);
      input.placeholder = strings.muted_short.replace("{time}", time);
      say(text);
      mutedTimer = setTimeout(tick, Math.min(30000, mutedEnd - Date.now() + 50));
    };
    tick();
  };
  // the mute ran out, or a moderator lifted it while the page was open
  const muteOver = () => {
    mutedEnd = 0;
    clearTimeout(mutedTimer);
    canWrite(true);
    input.placeholder = placeholder;
    say(strings.mute_over, "ok");
  };
  // banned from this community's chat: say so plainly and take the input away
  const showBanned = () => {
    banned = true;
    clearTimeout(mutedTimer);
    canWrite(false);
    input.placeholder = strings.banned_short;
    showNameForm(false, false);
    say(strings.error_banned);
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
    if (!state || banned || muted()) return;
    canWrite(state.open);
    if (!state.open) {
      showNameForm(false, false);
      say(strings.closed);
    } else if (state.slow_mode > 0) say(strings.slow.replace("{s}", state.slow_mode));
    else say("");
  };
  // the broadcast ended while the page was open: the chat closes with it
  const showEnded = () => {
    ended = true;
    clearTimeout(mutedTimer);
    canWrite(false);
    showNameForm(false, false);
    form.hidden = true;
    endedNote.hidden = false;
    say("");
  };
  const showNameForm = (show, focus = show) => {
    nameForm.hidden = !show;
    if (focus) nameInput.focus();
  };

  const socket = io({ transports: ["websocket", "polling"], auth: { name: name || undefined } });
  socket.on("reload", () => location.reload()); // our account changed: pick up the new role

  // Messages and hides that arrive while a join is being answered: the ack's history may be read
  // before them, so they are applied again on top of it instead of being wiped with the old list.
  let during = null;
  socket.on("connect", async () => {
    banner.hidden = true;
    const arrived = { chat: [], hidden: new Set() };
    during = arrived;
    const ack = await socket.emitWithAck("join", { session: config.session });
    if (during === arrived) during = null;
    root.dispatchEvent(new CustomEvent("rt:joined", { detail: ack }));
    if (!ack.ok) {
      if (ack.error === "banned") showBanned();
      else say(errorText(ack, { ...strings, failed: strings.error_other }));
      return;
    }
    joined = true;
    onJoined.splice(0).forEach((wake) => wake());
    list.replaceChildren();
    ack.history.filter((m) => !arrived.hidden.has(String(m.id))).forEach(add);
    arrived.chat.filter((m) => !arrived.hidden.has(String(m.id))).forEach(add);
    scrollDown();
    if (viewerCount) viewerCount.textContent = ack.viewers.current;
    showPin(ack.pinned);
    if (ack.status === "ended") showEnded();
    else showState(ack.chat_state);
    if (ack.muted) showMuted(ack.muted.seconds);
  });
  socket.on("disconnect", (reason) => {
    joined = false;
    if (reason === "io server disconnect") {
      // the server let us go (a ban, most often): connect once more to learn why from the join
      say(strings.kicked);
      canWrite(false);
      if (!banned) setTimeout(() => socket.connect(), 1000);
      return;
    }
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
    for (const message of asList(payload)) {
      if (heldIds.delete(message.id)) say(strings.held_approved, "ok"); // a moderator let it through
    }
    if (during) during.chat.push(...asList(payload));
    asList(payload).forEach(add);
    if (atBottom) scrollDown();
  });
  socket.on("hide", (payload) => {
    for (const item of asList(payload)) {
      if (during) during.hidden.add(String(item.message));
      if (heldIds.delete(String(item.message))) say(strings.held_rejected);
      list.querySelectorAll(`[data-message-id="${CSS.escape(String(item.message))}"]`).forEach((el) => el.remove());
      pinned.querySelectorAll(`[data-message-id="${CSS.escape(String(item.message))}"]`).forEach(() => showPin(null));
    }
  });
  socket.on("muted", (payload) => { if (!banned && !ended) showMuted(payload.seconds); });
  socket.on("unmuted", () => { if (mutedEnd && !banned && !ended) muteOver(); });
  socket.on("pin", (payload) => showPin(payload.message));
  socket.on("chat_state", (state) => { if (!ended) showState(state); });
  socket.on("session", (payload) => { if (payload.id === config.session && payload.status === "ended") showEnded(); });
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
    joined = false;
    socket.disconnect().connect();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (banned) { showBanned(); return; }
    if (muted()) { showMuted((mutedEnd - Date.now()) / 1000); return; }
    if (!text) { say(strings.error_empty); return; }
    if (!signedIn && !name) { say(strings.name_needed); showNameForm(true); return; }
    if (!joined && !(await joinedSoon(5000))) { say(strings.error_not_joined); return; }
    const nonce = Math.random().toString(36).slice(2, 12);
    const ack = await socket.timeout(10000).emitWithAck("chat", { session: config.session, text, nonce }).catch(() => null);
    if (!ack) { say(strings.error_other); return; }
    if (!ack.ok) {
      if (ack.error === "banned") showBanned();
      else if (ack.error === "muted") showMuted(ack.seconds || 60);
      else say(errorText(ack, { ...strings, failed: strings.error_other }));
      return;
    }
    input.value = "";
    if (ack.message.status === "held") { heldIds.add(ack.message.id); say(strings.held, "ok"); }
    else { say(""); add(ack.message); scrollDown(); }
  });

  // shown on load without taking focus: focusing would scroll a phone's page past the video
  if (!signedIn && !name && !ended) showNameForm(true, false);
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
