"""Similar opinions: TF-IDF cosine over jieba words and character bigrams (Chinese), words
(English), blended with a rapidfuzz character score. Pure functions, no database."""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import pairwise

from rapidfuzz import fuzz


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
LATIN = re.compile(r"[a-z0-9]+")
ZH_STOP = _words(
    "的 了 是 我 我们 你 你们 他 他们 她 它 在 有 和 与 就 都 也 还 又 很 太 啊 吧 呢 吗 呀 哦 嘛 "
    "这 那 这个 那个 这些 那些 一个 一下 一些 什么 怎么 能 能不能 可以 希望 请 请问 建议 "
    "要 会 把 被 让 给 对 从 到 上 下 里 个 没 没有 不 就是 还是 已经 总是 老是 每天 现在 "
    "觉得 感觉 问题 情况 社区 小区 大家 一直 经常 好 多 问问 能否 麻烦 谢谢 反映 "
    # connectives and adverbs: shared, they made unrelated complaints look alike among 50,000
    # ("物业费涨了…反而少了" took a parking complaint's "车反而停不下" for its duplicate)
    "反而 但是 可是 却 因为 所以 而且 并且 然后 或者 如果 虽然 比较 非常 特别 真的 实在 根本 "
    "其实 只是 随便 越来越"
)
EN_STOP = _words(
    "a an the is are was were be been to of in on at for and or but it its this that these those "
    "i we you they he she my our your their me us them can could would should please there here "
    "with by from as not no do does did have has had so very too again still also just all any "
    "about into out up down when what which who how why"
)
WORD_WEIGHT = 1.0
BIGRAM_WEIGHT = 1.0
FUZZ_WEIGHT = 0.1
#: A term no other opinion has can never match; at full weight it only dilutes the vector (and
#: so penalises wordy opinions — with 3,000 others around, precision@1 fell from 0.97 to 0.81).
HAPAX_WEIGHT = 0.3


@lru_cache(maxsize=1)
def _jieba() -> object:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


#: Everyday variants residents use for the same thing, folded to one word before comparing.
SYNONYMS = {
    "电瓶车": "电动车",
    "电单车": "电动车",
    "狗屎": "狗粪",
    "狗便": "狗粪",
    "拴绳": "牵绳",
    "栓绳": "牵绳",
    "声控灯": "楼道灯",
    "感应灯": "楼道灯",
    "楼梯灯": "楼道灯",
    "湿垃圾": "厨余垃圾",
    "干垃圾": "其他垃圾",
    "外墙皮": "外墙",
    "下水道": "下水管",
    "反水": "堵塞",
    "物管": "物业",
    "业委会": "业主委员会",
    "直梯": "电梯",
    "飞线": "拉电线",
    "路灯不亮": "路灯坏了",
    "不亮": "坏了",
    "嗓音": "噪音",
}
SYNONYM_PATTERN = re.compile("|".join(sorted(map(re.escape, SYNONYMS), key=len, reverse=True)))


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return SYNONYM_PATTERN.sub(lambda m: SYNONYMS[m.group(0)], folded)


def _stem(word: str) -> str:
    for suffix in ("ing", "ies", "es", "ed", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


@lru_cache(maxsize=4096)
def features(text: str) -> tuple[tuple[str, float], ...]:
    """Weighted terms of a text: jieba words, character bigrams of Han runs, English stems."""
    jieba = _jieba()
    clean = normalise(text)
    bag: Counter[str] = Counter()
    weights: dict[str, float] = {}
    for run in HAN.findall(clean):
        for word in jieba.cut(run):  # type: ignore[attr-defined]
            if word not in ZH_STOP:
                bag["w:" + word] += 1
                weights["w:" + word] = WORD_WEIGHT
        chars = [c for c in run if c not in ZH_STOP]
        for a, b in pairwise(chars):
            if a + b in ZH_STOP:  # a stop word of two characters is no more telling as a bigram
                continue
            bag["b:" + a + b] += 1
            weights["b:" + a + b] = BIGRAM_WEIGHT
    for word in LATIN.findall(clean):
        if word not in EN_STOP and len(word) > 1:
            term = "e:" + _stem(word)
            bag[term] += 1
            weights[term] = WORD_WEIGHT
    return tuple((term, weights[term] * (1 + math.log(n))) for term, n in bag.items())


def idf(df: int, total: int) -> float:
    return math.log((1 + total) / (1 + df)) + 1


def _vector(doc: dict[str, float], df: Mapping[str, int], total: int) -> dict[str, float]:
    vec = {
        t: w * idf(n, total) * (HAPAX_WEIGHT if n < 2 else 1.0)
        for t, w in doc.items()
        for n in [df.get(t, 1)]
    }
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: v / norm for t, v in vec.items()}


def _vectors(texts: Sequence[str]) -> list[dict[str, float]]:
    docs = [dict(features(t)) for t in texts]
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(doc.keys())
    return [_vector(doc, df, len(docs)) for doc in docs]


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def rank_similar(query: str, pool: Sequence[str], threshold: float = 0.05) -> list[tuple[int, float]]:
    """Indexes of ``pool`` with their score against ``query`` (0–1), most similar first
    (document frequencies counted over the query and the pool: a full scan)."""
    if not pool:
        return []
    vectors = _vectors([query, *pool])
    return _score(query, vectors[0], pool, vectors[1:], threshold)


def rank_candidates(
    query: str, pool: Sequence[str], df: Mapping[str, int], total: int, threshold: float = 0.05
) -> list[tuple[int, float]]:
    """:func:`rank_similar` over candidates only, with the document frequencies ``df`` of the
    whole collection of ``total`` documents (the query included), so that every candidate
    scores exactly as it would in a full scan of that collection."""
    if not pool:
        return []
    head = _vector(dict(features(query)), df, total)
    return _score(query, head, pool, [_vector(dict(features(t)), df, total) for t in pool], threshold)


def _score(
    query: str,
    head: dict[str, float],
    pool: Sequence[str],
    rest: Sequence[dict[str, float]],
    threshold: float,
) -> list[tuple[int, float]]:
    q = normalise(query)
    scored = []
    for index, vec in enumerate(rest):
        cosine = _cosine(head, vec)
        fuzzy = fuzz.token_set_ratio(q, normalise(pool[index])) / 100 if cosine > 0 else 0.0
        score = (1 - FUZZ_WEIGHT) * cosine + FUZZ_WEIGHT * fuzzy
        if score >= threshold:
            scored.append((index, round(score, 4)))
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored


def _global(n: int, total: int) -> float:
    """A term's collection weight in :func:`_vector` (IDF, damped for a term only one has)."""
    return idf(n, total) * (HAPAX_WEIGHT if n < 2 else 1.0)


def posting_weights(doc: Mapping[str, float], df: Mapping[str, int], total: int) -> dict[str, float]:
    """What the index stores with each term of a document (``doc``: its :func:`features`): its
    term weight divided by the length of the document's TF-IDF vector (with the document
    frequencies ``df`` of the time it is indexed). A document's vector component is then
    ``posting weight × collection weight``, so the index can sum true cosines rather than
    counts of shared terms."""
    norm = math.sqrt(sum((w * _global(df.get(t, 1), total)) ** 2 for t, w in doc.items())) or 1.0
    return {t: w / norm for t, w in doc.items()}


def retrieval_weights(text: str, df: Mapping[str, int], total: int) -> dict[str, float]:
    """The query side of the indexed cosine: ``Σ retrieval weight × posting weight`` over the
    shared terms is the cosine of :func:`rank_similar` times a constant (the query's length),
    up to the drift of document frequencies since each posting was written."""
    return {t: w * _global(df.get(t, 1), total) ** 2 for t, w in features(text)}


def pick_terms(weights: Mapping[str, float], df: Mapping[str, int], budget: int, least: int = 3) -> list[str]:
    """The query terms to look up: the most telling (highest weight, i.e. rarest) first, until
    their postings would exceed ``budget`` rows (but at least ``least`` terms)."""
    chosen: list[str] = []
    rows = 0
    for term in sorted(weights, key=lambda t: (-weights[t], t)):
        n = df.get(term, 0)
        if n <= 0:
            continue
        if len(chosen) >= least and rows + n > budget:
            continue
        chosen.append(term)
        rows += n
    return chosen
