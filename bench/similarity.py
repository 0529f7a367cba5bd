"""How long "similar opinions" takes for one opinion against a community's pool.

Run: .venv/bin/python -m bench.similarity"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from live.services.similarity import features, rank_similar

DATA = Path(__file__).resolve().parents[1] / "tests" / "opinions" / "data" / "similar_opinions.json"


def pool(size: int, rng: random.Random) -> list[str]:
    texts = [o["text"] for o in json.loads(DATA.read_text("utf-8"))["opinions"]]
    places = ["幸福里", "梧桐苑", "春晖园", "锦江花园", "东湖小区"]
    return [f"{rng.choice(places)}{rng.randint(1, 30)}栋：{rng.choice(texts)}" for _ in range(size)]


def main() -> None:
    rng = random.Random(5)
    for size in (200, 1000, 2000):
        texts = pool(size, rng)
        features.cache_clear()
        start = time.perf_counter()
        rank_similar(texts[0], texts[1:])
        cold = time.perf_counter() - start
        start = time.perf_counter()
        for query in texts[1:11]:
            rank_similar(query, texts)
        warm = (time.perf_counter() - start) / 10
        first, each = cold * 1000, warm * 1000
        print(f"pool {size:5d}: first call {first:7.1f} ms (segmenting), then {each:7.1f} ms per query")


if __name__ == "__main__":
    main()
