// Live updates for a page that follows one agenda item (``vote`` events) or one meeting
// (``meeting`` events): its own socket, which asks to watch at every (re)connect and, once the
// server says it is watching, calls ``resync``: what changed before (the page was read over HTTP
// while the socket was still connecting, or the socket was away) is read afresh.
import { io } from "/static/vendor/socket.io.esm.min.js";

export function watch(what, handlers, resync = null) {
  const socket = io({ transports: ["websocket", "polling"] });
  socket.on("connect", () => {
    socket.emit("watch", what, (answer) => {
      if (answer && answer.ok && resync) resync();
    });
  });
  for (const [event, handler] of Object.entries(handlers)) socket.on(event, handler);
  return socket;
}

// A refresh that reads with ``load`` each time it is called and hands the answer to ``apply``
// only if no later call started meanwhile: an older answer arriving late must not undo a newer.
export function newest(load, apply) {
  let turn = 0;
  return async () => {
    const mine = ++turn;
    const answer = await load();
    if (mine === turn) apply(answer);
  };
}

// ``fn`` at most once per ``ms`` however often it is asked for (a burst of check-ins at the door).
export function coalesce(fn, ms = 500) {
  let timer = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => { timer = null; fn(); }, ms);
  };
}
