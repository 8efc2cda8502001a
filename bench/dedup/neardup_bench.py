"""Near-duplicate precision/recall on the labelled set, and the cost per document.

    uv run --frozen python bench/dedup/neardup_bench.py [--half test|dev] [--threshold 0.5]
        [--shingle-words 3] [--num-perm 128] [--tune] [--baseline-queries 40]

The labelled set is built by bench/dedup/labelled.py (sources from ../shared/data, variants
made by code; truth: same source). Every document of the half is signed (the service's own
``lexstream.index.neardup.signature``) and then looked up and added, in id order, to an
in-memory band table that answers as the index's ``terms`` query on ``near_dup.bands``
does; a candidate whose estimated Jaccard reaches the threshold is a near-duplicate, and
groups are the connected documents (``lexstream.index.neardup_groups`` does the same with
Elasticsearch, the principal being the smallest id).

Scores, over all pairs of documents of the half:

- group: P/R of "in the same group" against "from the same source" (what a user sees);
- pair: P/R of the direct decision (candidate and estimate >= threshold).

Cost per document (ms, this process, one core): signature, and band look-up + verification,
against two baselines measured in the same run: exact Jaccard of plain word-shingle sets
against every other document of the half (``--baseline-queries`` documents timed), and a
hash of the whitespace-squashed text (exact duplicates only; its P/R printed too).

``--tune`` scores a grid of thresholds and shingle sizes on the development half.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from collections import Counter, defaultdict
from math import comb
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from labelled import LabelledDoc, build, exact_key

from lexstream.index.neardup import (
    Scheme,
    Signature,
    normalised_words,
    shingles,
    signature,
)
from lexstream.shared.neardup import estimated_similarity


class Groups:
    """Union-find with the smallest id as each group's principal."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo


def pr(pred_groups: dict[str, str], docs: list[LabelledDoc]) -> tuple[float, float, int]:
    source = {d.doc_id: d.source for d in docs}
    both = Counter((pred_groups[d.doc_id], source[d.doc_id]) for d in docs)
    tp = sum(comb(n, 2) for n in both.values())
    predicted = sum(comb(n, 2) for n in Counter(pred_groups.values()).values())
    true = sum(comb(n, 2) for n in Counter(source.values()).values())
    return (tp / predicted if predicted else 1.0), (tp / true if true else 1.0), true


_SIGNED: dict[tuple[str, int, int], Signature | None] = {}
#: of the last run: variant -> share of its documents in their source's group
by_variant: dict[str, float] = {}


def run(docs: list[LabelledDoc], scheme: Scheme, *, memo: bool = False) -> dict[str, float]:
    sign_ms: list[float] = []
    lookup_ms: list[float] = []
    table: dict[str, list[str]] = defaultdict(list)
    sigs: dict[str, list[int]] = {}
    groups = Groups()
    pair_tp = pair_fp = 0
    for doc in sorted(docs, key=lambda d: d.doc_id):
        t0 = time.perf_counter()
        key = (doc.doc_id, scheme.shingle_words, scheme.num_perm)
        sig = _SIGNED[key] if memo and key in _SIGNED else signature(doc.text, scheme)
        _SIGNED[key] = sig
        t1 = time.perf_counter()
        sign_ms.append((t1 - t0) * 1000)
        groups.find(doc.doc_id)
        if sig is None:
            continue
        bands = sig.bands(scheme)
        candidates = {other for band in bands for other in table[band]}
        for other in candidates:
            if estimated_similarity(sig.values, sigs[other]) >= scheme.threshold:
                groups.union(doc.doc_id, other)
                if other[:4] == doc.doc_id[:4]:
                    pair_tp += 1
                else:
                    pair_fp += 1
        for band in bands:
            table[band].append(doc.doc_id)
        sigs[doc.doc_id] = sig.values
        lookup_ms.append((time.perf_counter() - t1) * 1000)
    found = {d.doc_id: groups.find(d.doc_id) for d in docs}
    p, r, true = pr(found, docs)
    # per variant: the share of those in their source's group
    joined: dict[str, list[bool]] = defaultdict(list)
    for d in docs:
        joined[d.variant].append(found[d.doc_id] == found[d.doc_id[:4] + "-00"])
    by_variant.clear()
    by_variant.update({v: sum(ok) / len(ok) for v, ok in joined.items()})
    return {
        "group_p": p,
        "group_r": r,
        "pair_p": pair_tp / (pair_tp + pair_fp) if pair_tp + pair_fp else 1.0,
        "pair_r": pair_tp / true if true else 1.0,
        "true_pairs": true,
        "sign_ms": statistics.mean(sign_ms),
        "lookup_ms": statistics.mean(lookup_ms) if lookup_ms else 0.0,
    }


def exact_jaccard_baseline(
    docs: list[LabelledDoc], scheme: Scheme, queries: int
) -> tuple[float, float, float]:
    """ms per document for plain shingle sets + exact Jaccard against every other document,
    and that method's pair P/R over the timed documents."""
    sets = {
        d.doc_id: {hash(s) for s in shingles(normalised_words(d.text), scheme.shingle_words)}
        for d in docs
    }
    timed = sorted(docs, key=lambda d: hashlib.sha256(d.doc_id.encode()).digest())[:queries]
    tp = fp = fn = 0
    t0 = time.perf_counter()
    for doc in timed:
        mine = {hash(s) for s in shingles(normalised_words(doc.text), scheme.shingle_words)}
        for other in docs:
            if other.doc_id == doc.doc_id:
                continue
            theirs = sets[other.doc_id]
            j = len(mine & theirs) / len(mine | theirs)
            same = other.source == doc.source
            if j >= scheme.threshold:
                tp, fp = tp + same, fp + (not same)
            elif same:
                fn += 1
    ms = (time.perf_counter() - t0) * 1000 / max(1, len(timed))
    return ms, (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def hash_baseline(docs: list[LabelledDoc]) -> tuple[float, float, float]:
    t0 = time.perf_counter()
    keys = {d.doc_id: hashlib.sha256(exact_key(d.text).encode()).hexdigest() for d in docs}
    ms = (time.perf_counter() - t0) * 1000 / len(docs)
    p, r, _ = pr(keys, docs)
    return ms, p, r


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=("dev", "test"), default="test")
    parser.add_argument("--threshold", type=float, default=Scheme.threshold)
    parser.add_argument("--shingle-words", type=int, default=Scheme.shingle_words)
    parser.add_argument("--num-perm", type=int, default=Scheme.num_perm)
    parser.add_argument("--min-words", type=int, default=Scheme.min_words)
    parser.add_argument("--tune", action="store_true", help="a grid on the dev half")
    parser.add_argument("--baseline-queries", type=int, default=40)
    args = parser.parse_args()
    every, repeats = build()
    half = "dev" if args.tune else args.half
    docs = [d for d in every if d.half == half]
    sources = len({d.source for d in docs})
    print(
        f"labelled set: {len(every)} documents from {len({d.source for d in every})} sources "
        f"({repeats} sources dropped as repeats of another); half {half}: {len(docs)} "
        f"documents, {sources} sources"
    )
    if args.tune:
        for words in (2, 3, 4, 5):
            for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
                s = Scheme(threshold=threshold, shingle_words=words, num_perm=args.num_perm)
                m = run(docs, s, memo=True)
                print(
                    f"w={words} t={threshold} bands/rows={s.bands_rows}: group P {m['group_p']:.3f}"
                    f" R {m['group_r']:.3f}; pair P {m['pair_p']:.3f} R {m['pair_r']:.3f}"
                )
        return
    scheme = Scheme(
        threshold=args.threshold,
        shingle_words=args.shingle_words,
        num_perm=args.num_perm,
        min_words=args.min_words,
    )
    m = run(docs, scheme)
    print(f"scheme {scheme.name}, threshold {scheme.threshold}, {m['true_pairs']} true pairs")
    print(f"groups: precision {m['group_p']:.3f} recall {m['group_r']:.3f}")
    print(f"pairs:  precision {m['pair_p']:.3f} recall {m['pair_r']:.3f}")
    print(
        "in their source's group, by variant: "
        + ", ".join(f"{v} {share:.3f}" for v, share in sorted(by_variant.items()))
    )
    words = statistics.mean(len(normalised_words(d.text)) for d in docs)
    print(f"documents: {words:.0f} normalised words on average")
    per_doc = m["sign_ms"] + m["lookup_ms"]
    print(
        f"cost per document: signature {m['sign_ms']:.2f} ms + LSH look-up and verification "
        f"{m['lookup_ms']:.3f} ms = {per_doc:.2f} ms"
    )
    ms, p, r = exact_jaccard_baseline(docs, scheme, args.baseline_queries)
    print(
        f"baseline exact Jaccard against all {len(docs)} documents: {ms:.1f} ms per document "
        f"({ms / per_doc:.1f}x MinHash+LSH; grows with the collection), pair P {p:.3f} R {r:.3f}"
    )
    ms, p, r = hash_baseline(docs)
    print(
        f"baseline hash of the text: {ms:.2f} ms per document, group P {p:.3f} R {r:.3f} "
        "(exact duplicates only)"
    )


if __name__ == "__main__":
    main()
