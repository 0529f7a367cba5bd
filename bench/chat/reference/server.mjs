// Reference chat server: Node.js + socket.io 4.8, the same events as Roundtable (CONTRACT.md §4),
// kept in memory (no persistence). Used side by side with our server by bench/chat/run.py.
//
//   node reference/server.mjs --port 8091
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[process.argv.indexOf('--port') + 1] || 8091);
const http = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
    return;
  }
  res.writeHead(404);
  res.end();
});
const io = new Server(http, { transports: ['websocket', 'polling'], cors: { origin: true } });

const sessions = new Map(); // id -> {history, viewers:Set, unique:Set, peak, started}
let nextMessageId = 1;
let nextGuestId = 1;

function session(id) {
  let s = sessions.get(id);
  if (!s) {
    s = { history: [], viewers: new Set(), unique: new Set(), peak: 0, started: Date.now() };
    sessions.set(id, s);
  }
  return s;
}

const fail = (ack, error, detail) => typeof ack === 'function' && ack({ ok: false, error, detail });

io.on('connection', (socket) => {
  const name = String((socket.handshake.auth && socket.handshake.auth.name) || '').slice(0, 24) || 'guest';
  const you = { id: `g${nextGuestId++}`, name, role: 'guest' };
  let joined = null;

  socket.on('join', (payload, ack) => {
    const id = payload && String(payload.session);
    if (!id) return fail(ack, 'bad_request', 'session required');
    const s = session(id);
    joined = id;
    socket.join(`session:${id}`);
    s.viewers.add(you.id);
    s.unique.add(you.id);
    s.peak = Math.max(s.peak, s.viewers.size);
    ack({
      ok: true,
      history: s.history.slice(-50),
      viewers: { current: s.viewers.size, peak: s.peak, unique: s.unique.size },
      you,
    });
  });

  socket.on('chat', (payload, ack) => {
    if (typeof ack !== 'function') return;
    const id = payload && String(payload.session);
    if (!joined || joined !== id) return fail(ack, 'not_joined', 'join first');
    const text = typeof payload.text === 'string' ? payload.text.trim() : '';
    if (!text) return fail(ack, 'empty', 'empty message');
    if ([...text].length > 500) return fail(ack, 'too_long', 'over 500 characters');
    const s = session(id);
    const ts = Date.now();
    const message = {
      id: String(nextMessageId++),
      session: id,
      author: you,
      text,
      nonce: typeof payload.nonce === 'string' ? payload.nonce : null,
      ts,
      offset_ms: ts - s.started,
      status: 'visible',
    };
    s.history.push(message);
    if (s.history.length > 1000) s.history.splice(0, s.history.length - 50);
    ack({ ok: true, message });
    io.to(`session:${id}`).emit('chat', message);
  });

  socket.on('disconnect', () => {
    if (joined) session(joined).viewers.delete(you.id);
  });
});

http.listen(port, '127.0.0.1', () => {
  process.stdout.write(`reference listening on ${port}\n`);
});
