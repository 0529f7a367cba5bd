#!/bin/bash
# Two Roundtable processes (both on core 0) on PostgreSQL + Redis, the clients split between
# them; prints the load generator's result. CLIENTS, RATE, DUR override the defaults.
#   bench/chat/two_processes.sh   (needs createdb/dropdb for the local PostgreSQL, and Redis)
set -e
cd "$(dirname "$0")/../.."
DB=bench_chat_$$
createdb -h 127.0.0.1 -U postgres $DB
D=$(mktemp -d /tmp/rt2-XXXX)
export LIVE_DATA_DIR=$D DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/$DB REDIS_URL=redis://127.0.0.1:6379/0 LIVE_REDIS_PREFIX=bench$$ LIVE_SECRET=benchsecret$$
.venv/bin/python -m live db upgrade >/dev/null
.venv/bin/python -m live communities add prof --name 压测 >/dev/null
echo -n "bench-password-123" | .venv/bin/python -m live users add profhost --role host --community prof --password-stdin >/dev/null
taskset -c 0 .venv/bin/python -m live serve --host 127.0.0.1 --port 18601 > $D/a.log 2>&1 & A=$!
taskset -c 0 .venv/bin/python -m live serve --host 127.0.0.1 --port 18602 > $D/b.log 2>&1 & B=$!
trap 'kill $A $B 2>/dev/null; wait $A $B 2>/dev/null; dropdb -h 127.0.0.1 -U postgres $DB' EXIT
for p in 18601 18602; do for i in $(seq 60); do curl -sf http://127.0.0.1:$p/healthz >/dev/null && break; sleep 0.3; done; done
SID=$(.venv/bin/python - <<PY
import json, urllib.request, http.cookiejar
op=urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
def call(p,b,c=None):
    r=urllib.request.Request("http://127.0.0.1:18601"+p,data=json.dumps(b or {}).encode(),method="POST",headers={"Content-Type":"application/json"})
    if c: r.add_header("X-CSRF-Token",c)
    return json.loads(op.open(r).read() or b"null")
c=call("/api/auth/login",{"username":"profhost","password":"bench-password-123"})["csrf"]
s=call("/api/sessions",{"community":"prof","title":"t"},c)
call(f"/api/sessions/{s['id']}/start",None,c)
print(s["id"])
PY
)
(cd bench/chat && taskset -c 1 node loadgen.mjs --url http://127.0.0.1:18601,http://127.0.0.1:18602 --session $SID --clients ${CLIENTS:-1000} --rate ${RATE:-20} --duration ${DUR:-8}) | tail -1
