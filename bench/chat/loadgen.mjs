// Chat load generator: raw Engine.IO v4 / Socket.IO v5 over `ws` (no socket.io client library).
//
// N clients connect with auth {name}, `join` a session, `senders` of them emit `chat` at a total
// rate R for D seconds; every client records when each message arrives (the send time travels in
// the nonce). Prints one JSON line with delivered messages/s, loss, duplicates, order errors,
// p50/p99 latency and the generator's own CPU use. Accepts single-message and list payloads.
//
//   node loadgen.mjs --url http://127.0.0.1:8080 --session 1 --clients 2000 --rate 20 --duration 12
import { WebSocket } from 'ws';
import { performance } from 'node:perf_hooks';

function parseArgs(argv) {
  const opts = {
    url: 'http://127.0.0.1:8080', session: '1', clients: 100, rate: 10, duration: 10,
    senders: 0, drain: 3, connectConcurrency: 100, verify: 10, name: 'bench', cookie: '',
  };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in opts)) throw new Error(`unknown option ${argv[i]}`);
    opts[key] = typeof opts[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  // Spread the rate over enough people that no one hits the per-person rate limit (~0.5 msg/s each).
  if (!opts.senders) opts.senders = Math.min(opts.clients, Math.max(1, Math.ceil(opts.rate * 2)));
  return opts;
}

const opts = parseArgs(process.argv);
const t0 = performance.now();
const now = () => performance.now() - t0;

// Latency histogram: 0.1 ms buckets up to 30 s, then one overflow bucket.
const BUCKETS = 300000;
const hist = new Uint32Array(BUCKETS + 1);
const ackHist = new Uint32Array(BUCKETS + 1);
function record(h, ms) {
  const b = Math.floor(ms * 10);
  h[b < 0 ? 0 : b > BUCKETS ? BUCKETS : b]++;
}
function percentile(h, p) {
  let total = 0;
  for (let i = 0; i <= BUCKETS; i++) total += h[i];
  if (!total) return null;
  const want = Math.ceil(total * p);
  let seen = 0;
  for (let i = 0; i <= BUCKETS; i++) {
    seen += h[i];
    if (seen >= want) return i / 10;
  }
  return BUCKETS / 10;
}

const stats = {
  connected: 0, joined: 0, connectErrors: 0, joinErrors: 0, disconnects: 0,
  sent: 0, acked: 0, ackErrors: {}, received: 0, duplicates: 0, outOfOrder: 0,
  frames: 0, listFrames: 0, shapeErrors: 0, firstShapeError: null,
  receivedInWindow: 0, measuring: false,
};

// --url may list several servers (comma-separated): client i connects to url[i % n].
const wsUrls = opts.url.split(',').map((u) => u.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket');
const NONCE = '"nonce":"b.';

class Client {
  constructor(index) {
    this.index = index;
    this.name = `${opts.name}${index}`;
    this.ackId = 0;
    this.acks = new Map();
    this.lastSeq = new Int32Array(Math.min(opts.clients, opts.senders * 2)).fill(-1);
    this.received = 0;
    this.seq = 0;
    this.verify = index < opts.verify;
    this.open = false;
  }

  connect() {
    return new Promise((resolve, reject) => {
      const headers = opts.cookie ? { Cookie: opts.cookie } : {};
      const ws = new WebSocket(wsUrls[this.index % wsUrls.length], { perMessageDeflate: false, skipUTF8Validation: true, headers });
      this.ws = ws;
      const timer = setTimeout(() => reject(new Error('connect timeout')), 30000);
      ws.on('message', (data, isBinary) => {
        const text = isBinary ? '' : data.toString();
        if (!this.open) {
          if (text[0] === '0') {
            ws.send('40' + JSON.stringify({ name: this.name }));
          } else if (text.startsWith('40')) {
            this.open = true;
            clearTimeout(timer);
            resolve();
          } else if (text.startsWith('44')) {
            clearTimeout(timer);
            reject(new Error('connect refused: ' + text.slice(2, 200)));
          }
          return;
        }
        this.onPacket(text);
      });
      ws.on('error', (err) => { clearTimeout(timer); reject(err); });
      ws.on('close', () => { if (this.open) stats.disconnects++; this.open = false; });
    });
  }

  emit(event, payload) {
    const id = this.ackId++;
    return new Promise((resolve) => {
      this.acks.set(id, { resolve, at: now() });
      this.ws.send(`42${id}${JSON.stringify([event, payload])}`);
    });
  }

  onPacket(text) {
    const type = text[0];
    if (type === '2') { this.ws.send('3'); return; }
    if (type !== '4') return;
    const sio = text[1];
    if (sio === '3') {
      const bracket = text.indexOf('[');
      const id = Number(text.slice(2, bracket));
      const pending = this.acks.get(id);
      if (!pending) return;
      this.acks.delete(id);
      pending.resolve({ body: JSON.parse(text.slice(bracket))[0], sentAt: pending.at });
    } else if (sio === '2') {
      if (!text.startsWith('42["chat",')) return;
      this.onChat(text);
    } else if (sio === '1') {
      stats.disconnects++;
    }
  }

  onChat(text) {
    const at = now();
    stats.frames++;
    if (text.charCodeAt(10) === 91 /* [ */) stats.listFrames++;
    if (this.verify) this.checkShape(text);
    // Fast scan: every message carries `"nonce":"b.<sender>.<seq>.<sentAtMs>"`.
    let pos = text.indexOf(NONCE);
    while (pos !== -1) {
      const start = pos + NONCE.length;
      const end = text.indexOf('"', start);
      const parts = text.slice(start, end).split('.');
      const sender = Number(parts[0]);
      const seq = Number(parts[1]);
      const sentAt = Number(parts[2] + '.' + parts[3]);
      const last = sender < this.lastSeq.length ? this.lastSeq[sender] : -2;
      if (seq === last) {
        stats.duplicates++;
      } else {
        if (seq < last) stats.outOfOrder++;
        else if (last !== -2) this.lastSeq[sender] = seq;
        this.received++;
        stats.received++;
        if (stats.measuring) stats.receivedInWindow++;
        record(hist, at - sentAt);
      }
      pos = text.indexOf(NONCE, end);
    }
  }

  checkShape(text) {
    let payload;
    try {
      payload = JSON.parse(text.slice(2))[1];
    } catch (err) {
      payload = undefined;
    }
    const messages = Array.isArray(payload) ? payload : [payload];
    for (const m of messages) {
      const ok = m && typeof m === 'object' && typeof m.id === 'string' && typeof m.text === 'string'
        && typeof m.ts === 'number' && m.author && typeof m.author.name === 'string'
        && typeof m.nonce === 'string' && String(m.session) === String(opts.session);
      if (!ok) {
        stats.shapeErrors++;
        if (!stats.firstShapeError) stats.firstShapeError = text.slice(0, 300);
      }
    }
  }

  async sendChat() {
    const seq = this.seq++;
    const sentAt = now();
    // ms with two decimals, written as "<int>.<frac>" so the nonce splits on dots.
    const stamp = sentAt.toFixed(2);
    const nonce = `b.${this.index}.${seq}.${stamp}`;
    const text = `压测消息 ${this.index}-${seq} 大家好，今天讨论小区停车问题`;
    stats.sent++;
    const { body } = await this.emit('chat', { session: opts.session, text, nonce });
    record(ackHist, now() - sentAt);
    if (body && body.ok) stats.acked++;
    else {
      const code = (body && body.error) || 'no_body';
      stats.ackErrors[code] = (stats.ackErrors[code] || 0) + 1;
    }
  }
}

async function pool(items, concurrency, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  });
  await Promise.all(workers);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const clients = Array.from({ length: opts.clients }, (_, i) => new Client(i));
  const connectStart = now();
  await pool(clients, opts.connectConcurrency, async (c) => {
    try {
      await c.connect();
      stats.connected++;
    } catch (err) {
      stats.connectErrors++;
      if (!stats.firstConnectError) stats.firstConnectError = String(err.message || err);
    }
  });
  await pool(clients.filter((c) => c.open), opts.connectConcurrency, async (c) => {
    const { body } = await c.emit('join', { session: opts.session });
    if (body && body.ok) stats.joined++;
    else {
      stats.joinErrors++;
      if (!stats.firstJoinError) stats.firstJoinError = JSON.stringify(body).slice(0, 200);
    }
  });
  const setupSeconds = (now() - connectStart) / 1000;
  await sleep(1000); // let join-time broadcasts (viewer counts) settle

  const senders = clients.filter((c) => c.open).slice(0, opts.senders);
  process.stdout.write(JSON.stringify({ phase: 'send_start' }) + '\n');
  const cpuBefore = process.cpuUsage();
  const sendStart = now();
  stats.measuring = true;
  let due = 0;
  let turn = 0;
  const inflight = [];
  await new Promise((resolve) => {
    const tick = setInterval(() => {
      const elapsed = (now() - sendStart) / 1000;
      if (elapsed >= opts.duration) { clearInterval(tick); resolve(); return; }
      const target = Math.floor(elapsed * opts.rate);
      while (due < target && senders.length) {
        const c = senders[turn++ % senders.length];
        if (c.open) inflight.push(c.sendChat());
        due++;
      }
    }, 5);
  });
  const sendSeconds = (now() - sendStart) / 1000;
  const ackWait = Promise.all(inflight);
  await Promise.race([ackWait, sleep(opts.drain * 1000 + 10000)]);
  // Wait for deliveries to drain: stop once nothing arrived for 1 s, or after `drain` s.
  const drainStart = now();
  let last = -1;
  while (now() - drainStart < opts.drain * 1000) {
    await sleep(250);
    if (stats.received === last && now() - drainStart > 1000) break;
    last = stats.received;
  }
  stats.measuring = false;
  process.stdout.write(JSON.stringify({ phase: 'send_end' }) + '\n');
  const cpu = process.cpuUsage(cpuBefore);
  const wall = (now() - sendStart) / 1000;

  const members = stats.joined;
  const expected = stats.acked * members;
  const result = {
    clients: opts.clients,
    rate: opts.rate,
    senders: senders.length,
    duration_s: Number(sendSeconds.toFixed(2)),
    setup_s: Number(setupSeconds.toFixed(2)),
    connected: stats.connected,
    joined: stats.joined,
    connect_errors: stats.connectErrors,
    first_connect_error: stats.firstConnectError || null,
    join_errors: stats.joinErrors,
    first_join_error: stats.firstJoinError || null,
    disconnects: stats.disconnects,
    sent: stats.sent,
    acked: stats.acked,
    ack_errors: stats.ackErrors,
    unacked: stats.sent - stats.acked - Object.values(stats.ackErrors).reduce((a, b) => a + b, 0),
    expected_deliveries: expected,
    delivered: stats.received,
    lost: Math.max(0, expected - stats.received),
    loss_ratio: expected ? Math.max(0, expected - stats.received) / expected : 0,
    duplicates: stats.duplicates,
    out_of_order: stats.outOfOrder,
    frames: stats.frames,
    list_frames: stats.listFrames,
    shape_errors: stats.shapeErrors,
    first_shape_error: stats.firstShapeError,
    messages_per_s: Number((stats.acked / sendSeconds).toFixed(2)),
    deliveries_per_s: Math.round(stats.received / sendSeconds),
    latency_ms: { p50: percentile(hist, 0.5), p99: percentile(hist, 0.99), max: percentile(hist, 1) },
    ack_latency_ms: { p50: percentile(ackHist, 0.5), p99: percentile(ackHist, 0.99) },
    loadgen_cpu_pct: Number((((cpu.user + cpu.system) / 1e6 / wall) * 100).toFixed(1)),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
  for (const c of clients) if (c.ws) c.ws.terminate();
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + '\n');
  process.exit(1);
});
