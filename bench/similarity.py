"""How long "similar opinions" takes for one opinion in a community of N opinions, through the
real service and its term index, and whether the labelled duplicates still come first.

For each size: a fresh database (SQLite file, or ``--database-url`` for PostgreSQL) with one
community holding N generated opinions (live/seed/corpus.py: 40 topics, a fifth rewordings)
plus the labelled set of tests/opinions/data/similar_opinions.json hidden among them; then
``Opinions.similar`` for each labelled opinion with a pair, timed (warm: after one untimed
round), and precision@1 counted. Besides wall time (which on a shared machine is mostly waiting
for a core), the CPU time of this process per query: with SQLite that is the whole work, the
database included; with PostgreSQL the server's own CPU is not in it. ``--full-scan`` also
times the old way (score every opinion) once, and computes every labelled query's full-scan top
suggestion exactly (cosines over all N opinions, the fuzzy part for those that can still win),
to count how often the index's top suggestion is the full scan's and the full scan's own
precision@1.

Run: .venv/bin/python -m bench.similarity [--sizes 1000,10000,50000] [--database-url URL] [--full-scan]"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from live.clock import SystemClock
from live.events import EventBus
from live.seed.corpus import opinions as generated
from live.services.actors import Actor
from live.services.categories import Categories
from live.services.opinions import Opinions
from live.services.similarity import _vectors, normalise, rank_similar
from live.storage.db import Database
from live.storage.migrate import upgrade
from live.storage.opinions import Opinion
from live.storage.places import Community
from live.storage.similar_index import index_many

DATA = Path(__file__).resolve().parents[1] / "tests" / "opinions" / "data" / "similar_opinions.json"
ADMIN = Actor(key="u:1", name="admin", role="admin", user_id=1)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def fill(db: Database, size: int, labelled: list[dict[str, str]]) -> tuple[int, list[int]]:
    clock = SystemClock()
    texts = [g.text for g in generated(size, random.Random(size))]
    async with db.transaction() as s:
        community = Community(slug=f"bench{size}", name="压测社区")
        s.add(community)
        await s.flush()
        rows = [
            {
                "community_id": community.id,
                "text": t,
                "author_key": f"g:{i}",
                "status": "new",
                "created_at": clock.now(),
                "category": "other",
                "source": "web",
                "supporters": 1,
                "public": True,
                "author_name": "",
            }
            for i, t in enumerate(texts + [o["text"] for o in labelled])
        ]
        ids: list[int] = []
        for start in range(0, len(rows), 5000):
            result = await s.execute(insert(Opinion).returning(Opinion.id), rows[start : start + 5000])
            ids.extend(result.scalars())
        pairs = list(zip(ids, [r["text"] for r in rows], strict=True))
        cid = community.id

        def index(sync: Session) -> None:
            index_many(sync.connection(), [(i, cid, t) for i, t in pairs])

        await s.run_sync(index)
    return community.id, ids[size:]


async def measure(url: str, size: int, full_scan: bool) -> dict[str, object]:
    labelled = json.loads(DATA.read_text("utf-8"))["opinions"]
    db = Database.from_url(url)
    try:
        await upgrade(db)
        started = time.perf_counter()
        _, ids = await fill(db, size, labelled)
        fill_s = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":  # as autovacuum would, soon after a bulk load
            async with db.engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("VACUUM ANALYZE"))
        opinions = Opinions(db, SystemClock(), EventBus(), Categories(db))
        queries = [(ids[i], o) for i, o in enumerate(labelled) if "pair" in o]
        pair_of = {ids[i]: o.get("pair") for i, o in enumerate(labelled)}
        for opinion_id, _ in queries:  # warm: jieba loaded, features cached as in a running server
            await opinions.similar(ADMIN, opinion_id)
        times, cpu, hits, tops = [], [], 0, {}
        for opinion_id, opinion in queries:
            t0, c0 = time.perf_counter(), time.process_time()
            top = await opinions.similar(ADMIN, opinion_id)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            hits += bool(top) and pair_of.get(top[0].opinion.id) == opinion["pair"]
            tops[opinion_id] = (top[0].opinion.text, top[0].score) if top else None
        result: dict[str, object] = {
            "size": size + len(labelled),
            "queries": len(queries),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "max_ms": round(max(times), 1),
            "cpu_p50_ms": round(statistics.median(cpu), 1),
            "cpu_p95_ms": round(percentile(cpu, 0.95), 1),
            "precision_at_1": round(hits / len(queries), 3),
            "fill_s": round(fill_s, 1),
        }
        if full_scan:
            pool = [g.text for g in generated(size, random.Random(size))] + [o["text"] for o in labelled]
            t0 = time.perf_counter()
            rank_similar(queries[0][1]["text"], pool)
            result["full_scan_ms"] = round((time.perf_counter() - t0) * 1000, 1)
            same, full_hits = 0, 0
            for index, top_text, top_score in full_scan_tops(pool, size, labelled):
                opinion_id = ids[index]
                same += tops[opinion_id] == (top_text, top_score)
                pair = labelled[index]["pair"]
                full_hits += any(o.get("pair") == pair and o["text"] == top_text for o in labelled)
            result["index_top_is_full_scan_top"] = f"{same}/{len(queries)}"
            result["full_scan_precision_at_1"] = round(full_hits / len(queries), 3)
        return result

    finally:
        await db.close()


def full_scan_tops(
    pool: list[str], size: int, labelled: list[dict[str, str]]
) -> list[tuple[int, str, float]]:
    """For each labelled query with a pair: (its index in ``labelled``, the text and score of
    the top suggestion of a full scan of ``pool``), exactly as :func:`rank_similar` ranks it
    (TF-IDF vectors once; the fuzzy part, worth at most FUZZ_WEIGHT, only where it can win)."""
    from rapidfuzz import fuzz

    from live.services.similarity import FUZZ_WEIGHT

    vectors = _vectors(pool)
    postings: dict[str, list[int]] = {}
    for j, vec in enumerate(vectors):
        for term in vec:
            postings.setdefault(term, []).append(j)
    out = []
    for index, opinion in enumerate(labelled):
        if "pair" not in opinion:
            continue
        q = size + index
        cosine: dict[int, float] = {}
        for term, v in vectors[q].items():
            for j in postings[term]:
                if j != q:
                    cosine[j] = cosine.get(j, 0.0) + v * vectors[j][term]
        best: tuple[float, str] = (-1.0, "")
        text_q = normalise(pool[q])
        for j in sorted(cosine, key=lambda j: -cosine[j]):
            if (1 - FUZZ_WEIGHT) * cosine[j] + FUZZ_WEIGHT < best[0]:
                break
            fuzzy = fuzz.token_set_ratio(text_q, normalise(pool[j])) / 100
            score = round((1 - FUZZ_WEIGHT) * cosine[j] + FUZZ_WEIGHT * fuzzy, 4)
            if score > best[0]:
                best = (score, pool[j])
        out.append((index, best[1], best[0]))
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument(
        "--database-url", default=None, help="an EMPTY database (default: fresh SQLite files)"
    )
    parser.add_argument("--full-scan", action="store_true", help="also time one full scan per size")
    args = parser.parse_args()
    for size in [int(x) for x in args.sizes.split(",")]:
        url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='rt-sim-')}/live.db"
        print(json.dumps(await measure(url, size, args.full_scan)), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
