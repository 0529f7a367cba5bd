// Live updates for a page that follows one agenda item (``vote`` events) or one meeting
// (``meeting`` events): its own socket, which asks to watch again after every reconnect and then
// calls ``resync`` (what changed while it was away is read afresh).
import { io } from "/static/vendor/socket.io.esm.min.js";

export function watch(what, handlers, resync = null) {
  const socket = io({ transports: ["websocket", "polling"] });
  let connected = false;
  socket.on("connect", () => {
    socket.emit("watch", what);
    if (connected && resync) resync();
    connected = true;
  });
  for (const [event, handler] of Object.entries(handlers)) socket.on(event, handler);
  return socket;
}

// ``fn`` at most once per ``ms`` however often it is asked for (a burst of check-ins at the door).
export function coalesce(fn, ms = 500) {
  let timer = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => { timer = null; fn(); }, ms);
  };
}
