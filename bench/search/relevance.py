"""Relevance of search systems on the sample corpus: nDCG@10 and recall@100 in one run.

    uv run --frozen python bench/search/relevance.py            # needs the local stack
    uv run --frozen python bench/search/relevance.py --keep     # later: --reuse --keep
    uv run --frozen python bench/search/relevance.py --check    # the judgments only, no stack

What it does, on the real Elasticsearch and S3 of the local stack, under its own index
prefix (``lexstream-relbench``, rebuilt at the start of each run unless ``--reuse`` finds
it complete, and deleted at the end unless ``--keep``):

1. reads the queries and their graded judgments (``queries.tsv`` beside this file; see
   README.md) and checks that every judged path is a document of the data root
   (``LEXSTREAM_SAMPLE_DATA``, default ``../shared/data``) and that each query's kind and
   languages are what its judgments say;
2. indexes every document of the data root (the judged ones and all the others, which are
   distractors) the way the service does: its text (bench/eval/legal_texts.document_text)
   as ``<id>/text.json`` in the derived bucket, one page per PDF page or per 3,000
   characters, then the index service's own Indexer (mapping, document builder,
   extraction);
3. runs each registered system on every query and prints nDCG@10 and recall@100 overall,
   for each half (``half_of('query:<id>')``: tune on dev, report test), for each kind, and
   for the cross-lingual pairs (the judgments whose document is in another language than
   the query, scored on those documents only), with each system's ratio to 'old', the
   gateway's current query, measured in the same run.

A system is a callable from a query string to a ranked list of document paths (relative
to the data root), sync or async; SYSTEMS maps a name to a factory that receives the
Bench (Elasticsearch client, alias, the caller that may see everything, the paths of
document ids) and returns the system. Adding one is a factory and a line in SYSTEMS.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import inspect
import math
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from elasticsearch import AsyncElasticsearch, BadRequestError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "eval"))

from legal_texts import document_text
from split import half_of

from lexstream.gateway import hybrid
from lexstream.gateway.access import Access, Principal
from lexstream.gateway.search import (
    HIT_SOURCE,
    MAX_IDENTIFIER_CHARS,
    BadSearch,
    QueryCaps,
    SearchRequest,
    build_query,
    check_query_cost,
    identifier_keys,
)
from lexstream.index.bootstrap import bootstrap_indices
from lexstream.index.extraction import EXTRACTOR_VERSION, warm_up
from lexstream.index.indexer import Indexer
from lexstream.index.settings import IndexSettings
from lexstream.shared import embeddings
from lexstream.shared.artifacts import Page, TextDocument
from lexstream.shared.events import Hints, ObjectRef, TextExtracted
from lexstream.shared.search import documents_alias, make_search_client
from lexstream.shared.storage import ObjectStore, derived_key

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_ROOT = Path(os.environ.get("LEXSTREAM_SAMPLE_DATA") or REPO_ROOT.parent / "shared" / "data")
QUERIES = Path(__file__).with_name("queries.tsv")
PREFIX = "lexstream-relbench"
MATTER = "M-relevance-bench"
TENANT = "default"
PAGE_CHARS = 3_000
INDEX_BATCH = 10
NDCG_K = 10
RECALL_K = 100
# With a corpus of a few hundred documents, 100 hits are half of it; recall@20 says more.
SHORT_RECALL_K = 20
KINDS = ("known-item", "topical", "cross-lingual", "citation", "fielded")
LANGUAGES = ("en", "de", "fr", "nl", "es", "it")
# The collections of the data root and the file that lists each one's documents with
# their language: legal/ has manifest.tsv (local_path), corpus/<name>/ has labels.tsv (path).
COLLECTIONS = (
    ("legal", "manifest.tsv", "local_path"),
    ("corpus/uk-tna", "labels.tsv", "path"),
    ("corpus/eu-cjeu-gdpr", "labels.tsv", "path"),
    ("corpus/de-statutes", "labels.tsv", "path"),
)


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    language: str
    kind: str
    judgments: Mapping[str, int]  # document path -> grade 0..3

    @property
    def half(self) -> str:
        return str(half_of(f"query:{self.id}"))

    def relevant(self) -> set[str]:
        return {path for path, grade in self.judgments.items() if grade > 0}


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def load_queries(path: Path = QUERIES) -> list[Query]:
    """The queries of ``path`` (id, language, kind, query, judgments 'path=grade | ...')."""
    queries: list[Query] = []
    seen: set[str] = set()
    for row in _read_tsv(path):
        qid = row["id"]
        if qid in seen:
            raise ValueError(f"{path.name}: query id {qid} twice")
        seen.add(qid)
        if row["kind"] not in KINDS or row["language"] not in LANGUAGES:
            raise ValueError(f"{path.name}: {qid} has kind {row['kind']!r}/{row['language']!r}")
        judgments: dict[str, int] = {}
        for cell in row["judgments"].split(" | "):
            doc, _, grade = cell.strip().rpartition("=")
            if not doc or grade not in {"0", "1", "2", "3"} or doc in judgments:
                raise ValueError(f"{path.name}: {qid} has a bad judgment {cell!r}")
            judgments[doc] = int(grade)
        if not any(g > 0 for g in judgments.values()):
            raise ValueError(f"{path.name}: {qid} has no relevant document")
        queries.append(Query(qid, row["query"], row["language"], row["kind"], judgments))
    return queries


def corpus_documents(root: Path = DATA_ROOT) -> dict[str, str]:
    """Every document of the data root, path relative to it -> language ('?' unknown)."""
    documents: dict[str, str] = {}
    for folder, listing, column in COLLECTIONS:
        listed = root / folder / listing
        if not listed.is_file():
            continue
        for row in _read_tsv(listed):
            relative = f"{folder}/{row[column]}"
            if (root / relative).is_file():
                documents[relative] = (row.get("language") or "?").strip() or "?"
    return documents


def check_queries(queries: Sequence[Query], documents: Mapping[str, str]) -> list[str]:
    """What is wrong with the judgments against the documents: unknown paths, a
    cross-lingual query with no relevant document in another language, and a topical one
    with none in its own (names, citations and fields need no shared language)."""
    problems: list[str] = []
    for query in queries:
        unknown = [p for p in query.judgments if p not in documents]
        if unknown:
            problems.append(f"{query.id}: not documents of the data root: {unknown}")
            continue
        languages = {documents[p] for p in query.relevant()}
        foreign = languages - {query.language}
        if query.kind == "cross-lingual" and not foreign:
            problems.append(
                f"{query.id}: cross-lingual but every relevant document is in {query.language}"
            )
        if query.kind == "topical" and query.language not in languages:
            problems.append(
                f"{query.id}: no relevant document in the query's language "
                f"{query.language}; its kind should be cross-lingual"
            )
    return problems


def cross_lingual_pairs(query: Query, documents: Mapping[str, str]) -> dict[str, int]:
    """The judgments of ``query`` whose document is in another language than the query."""
    return {
        path: grade
        for path, grade in query.judgments.items()
        if grade > 0 and documents.get(path, "?") not in {"?", query.language}
    }


# --- metrics -------------------------------------------------------------------------------


def ndcg(ranked: Sequence[str], judgments: Mapping[str, int], k: int = NDCG_K) -> float:
    """nDCG@k with exponential gain (2^grade - 1); 0 when nothing is relevant."""
    dcg = sum(
        (2 ** judgments.get(path, 0) - 1) / math.log2(rank + 2)
        for rank, path in enumerate(ranked[:k])
    )
    ideal_grades = sorted((g for g in judgments.values() if g > 0), reverse=True)[:k]
    ideal = sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(ideal_grades))
    return dcg / ideal if ideal else 0.0


def recall(ranked: Sequence[str], judgments: Mapping[str, int], k: int = RECALL_K) -> float:
    """The share of the relevant documents (grade >= 1) among the first k."""
    relevant = {path for path, grade in judgments.items() if grade > 0}
    if not relevant:
        return 0.0
    return len(relevant & set(ranked[:k])) / len(relevant)


# --- systems -------------------------------------------------------------------------------

System = Callable[[str], Sequence[str] | Awaitable[Sequence[str]]]


@dataclass
class Bench:
    """What a system may use: the client, the documents alias of the bench index, a caller
    that may see every document, and the path of each document id."""

    es: AsyncElasticsearch
    alias: str
    access: Access
    paths: Mapping[str, str]  # document_id -> path relative to the data root
    failures: dict[str, int] = field(default_factory=dict)  # system -> queries it refused

    def hits_to_paths(self, result: Mapping[str, Any]) -> list[str]:
        ranked: list[str] = []
        for hit in result["hits"]["hits"]:
            path = self.paths.get(hit.get("_source", {}).get("document_id") or hit["_id"])
            if path is not None and path not in ranked:
                ranked.append(path)
        return ranked


def _old_text_query(q: str, fields: list[str], caps: QueryCaps) -> dict[str, Any]:
    return {
        "simple_query_string": {
            "query": q,
            "fields": fields,
            "default_operator": "and",
            "flags": "ALL",
            "fuzzy_max_expansions": caps.fuzzy_max_expansions,
        }
    }


def old_build_query(
    q: str, access: Access, size: int, caps: QueryCaps | None = None
) -> dict[str, Any]:
    """The gateway's query for ``q`` before ranked lexical search (issue 15), kept as the
    baseline: every term required (``default_operator: and``), the text matched inside one
    nested page, segment, or the title/filename/parties; highlights and facets left out
    (they do not change the hits)."""
    caps = caps or QueryCaps()
    q = q.strip()
    if not q:
        must: dict[str, Any] = {"match_all": {}}
    else:
        check_query_cost(q, caps)
        pages, segments = ["pages.text", "pages.text.*"], ["segments.text", "segments.text.*"]
        keys = identifier_keys(q.strip('"')) if len(q) <= MAX_IDENTIFIER_CHARS else []
        must = {
            "bool": {
                "should": [
                    {
                        "nested": {
                            "path": "pages",
                            "score_mode": "max",
                            "query": _old_text_query(q, pages, caps),
                        }
                    },
                    {
                        "nested": {
                            "path": "segments",
                            "score_mode": "max",
                            "query": _old_text_query(q, segments, caps),
                        }
                    },
                    _old_text_query(q, ["title^2", "filename", "parties"], caps),
                    *([{"terms": {"identifier_keys": keys, "boost": 20.0}}] if keys else []),
                ],
                "minimum_should_match": 1,
            }
        }
    return {
        "query": {"bool": {"must": [must], "filter": [access.es_filter()]}},
        "size": size,
        "sort": ["_score", {"document_id": "asc"}],
        "track_total_hits": True,
        "_source": HIT_SOURCE,
    }


def old_system(bench: Bench) -> System:
    """The gateway's query before ranked lexical search (``old_build_query``), 100 hits."""

    async def run(q: str) -> list[str]:
        body = old_build_query(q, bench.access, RECALL_K)
        result = await bench.es.search(index=bench.alias, body=body)
        return bench.hits_to_paths(result.body)

    return run


def lexical_system(bench: Bench) -> System:
    """Ranked lexical search: the gateway's current ``build_query`` for ``GET
    /v1/search?q=...`` (without the facets), 100 hits."""

    async def run(q: str) -> list[str]:
        body = build_query(SearchRequest(q=q, size=RECALL_K), bench.access)
        body.pop("aggs", None)
        body.pop("suggest", None)
        result = await bench.es.search(index=bench.alias, body=body)
        return bench.hits_to_paths(result.body)

    return run


async def _knn_hits(bench: Bench, q: str) -> list[dict[str, Any]]:
    vector = await asyncio.to_thread(embeddings.encode_query, q)
    body = hybrid.knn_body(vector, bench.access, k=RECALL_K, source=HIT_SOURCE)
    result = await bench.es.search(index=bench.alias, body=body)
    return list(result.body["hits"]["hits"])


def vector_system(bench: Bench) -> System:
    """kNN only: the query's vector against the passage vectors (``chunks.vector``), the
    access filter inside the kNN clause, 100 documents."""

    async def run(q: str) -> list[str]:
        return bench.hits_to_paths({"hits": {"hits": await _knn_hits(bench, q)}})

    return run


_LISTS: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}


async def _both_lists(bench: Bench, q: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ranked lexical and the kNN's 100 hits of ``q``, fetched once per query and shared
    by every fusion (hybrid, rrf and each linear weight)."""
    if q not in _LISTS:
        body = build_query(SearchRequest(q=q, size=RECALL_K), bench.access)
        body.pop("aggs", None)
        body.pop("suggest", None)
        found = await bench.es.search(index=bench.alias, body=body)
        _LISTS[q] = (list(found.body["hits"]["hits"]), await _knn_hits(bench, q))
    return _LISTS[q]


def fused_system(
    method: str | None = None, weight: float | None = None
) -> Callable[[Bench], System]:
    """Ranked lexical and kNN, 100 each, fused by the gateway's ``hybrid.fuse``: with the
    gateway's defaults (``hybrid``: the linear blend at ``hybrid.LEXICAL_WEIGHT``), by
    reciprocal rank (``rrf``, k=60) or at another lexical weight (``linear0.3``), 100 hits."""

    def build(bench: Bench) -> System:
        async def run(q: str) -> list[str]:
            lexical, nearest = await _both_lists(bench, q)
            options: dict[str, Any] = {}
            if method is not None:
                options["method"] = method
            if weight is not None:
                options["weight"] = weight
            fused = hybrid.fuse(lexical, nearest, size=RECALL_K, **options)
            return bench.hits_to_paths({"hits": {"hits": fused}})

        return run

    return build


def page_system(bench: Bench) -> System:
    """Hybrid as the gateway runs it for a first page of 10 (``GET /v1/search?q=``): the
    lexical ranking's 100 and the kNN's ``hybrid.knn_k(10)`` documents, fused; its 10 hits
    (so only nDCG@10 and R@10-bound figures mean anything for it)."""

    async def run(q: str) -> list[str]:
        body = build_query(SearchRequest(q=q, size=hybrid.WINDOW), bench.access)
        body.pop("aggs", None)
        body.pop("suggest", None)
        lexical = (await bench.es.search(index=bench.alias, body=body)).body["hits"]["hits"]
        vector = await asyncio.to_thread(embeddings.encode_query, q)
        knn = hybrid.knn_body(vector, bench.access, k=hybrid.knn_k(10), source=HIT_SOURCE)
        nearest = (await bench.es.search(index=bench.alias, body=knn)).body["hits"]["hits"]
        return bench.hits_to_paths({"hits": {"hits": hybrid.fuse(lexical, nearest, size=10)}})

    return run


#: The weights of the lexical half a linear blend is tried with (tuned on the dev half).
LINEAR_WEIGHTS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


SYSTEMS: dict[str, Callable[[Bench], System]] = {
    "old": old_system,
    "lexical": lexical_system,
    "vector": vector_system,
    "hybrid": fused_system(),
    "rrf": fused_system(method="rrf"),
    "hybrid-page": page_system,
    **{f"linear{w}": fused_system(method="linear", weight=w) for w in LINEAR_WEIGHTS},
}
#: what runs without --systems (the linear blends and the first page with --systems)
DEFAULT_SYSTEMS = ("old", "lexical", "vector", "hybrid", "rrf")
BASELINE = "old"


# --- indexing ------------------------------------------------------------------------------


def document_id_of(path: str) -> str:
    """A fixed id per path, so a complete bench index can be reused (``--reuse``)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"lexstream-relbench:{path}"))


def pages_of(text: str) -> list[str]:
    """Pages as ocr would give them: a PDF's own pages (form feeds), else 3,000 characters."""
    if "\f" in text:
        return [page.strip("\n") for page in text.split("\f")] or [""]
    return [text[i : i + PAGE_CHARS] for i in range(0, len(text), PAGE_CHARS)] or [""]


async def _put_texts(store: ObjectStore, paths: Iterable[str]) -> tuple[list[TextExtracted], int]:
    events: list[TextExtracted] = []
    pages_total = 0
    for path in paths:
        document_id = document_id_of(path)
        pages = pages_of(document_text(DATA_ROOT / path))
        pages_total += len(pages)
        ref = ObjectRef(bucket=store.derived, key=derived_key(document_id, "text.json"))
        text = TextDocument(
            document_id=document_id,
            media_type="text/plain",
            pages=[Page(number=n, text=t, method="plain") for n, t in enumerate(pages, 1)],
            extractor="relevance-bench",
        )
        await store.put_json(ref, text.model_dump(mode="json"))
        events.append(
            TextExtracted(
                document_id=document_id,
                matter_id=MATTER,
                text=ref,
                media_type="text/plain",
                filename=Path(path).name,
                pages=len(pages),
                hints=Hints(),
                extractor="relevance-bench",
                tenant=TENANT,
            )
        )
    return events, pages_total


async def build_index(
    settings: IndexSettings, es: AsyncElasticsearch, paths: Sequence[str], reuse: bool
) -> str:
    """Index every path under the bench prefix; what it did, in words."""
    alias = documents_alias(settings)
    if reuse and await es.indices.exists_alias(name=alias):
        await es.indices.refresh(index=alias)
        count = (await es.count(index=alias))["count"]
        if count == len(paths):
            return f"reused {count} indexed documents"
    existing = await es.indices.get(index=f"{settings.index_prefix}-*", allow_no_indices=True)
    for name in existing:
        await es.indices.delete(index=name)
    await bootstrap_indices(es, settings)
    store = ObjectStore(settings)
    await store.bootstrap()
    started = time.perf_counter()
    events, pages = await _put_texts(store, paths)
    print(f"texts of {len(events)} documents in S3 after {time.perf_counter() - started:.1f} s")
    indexer = Indexer(settings, es, store, refresh=False)
    # Small batches: the service's 100-document bulks of whole codes and judgments (16 MB)
    # time out on a 1 GB development node that other runs share.
    for start in range(0, len(events), INDEX_BATCH):
        chunk = events[start : start + INDEX_BATCH]
        refused = await indexer.write([await indexer.prepare(e) for e in chunk])
        if refused:
            raise SystemExit(f"indexing refused {len(refused)}: {refused}")
        print(f"  {start + len(chunk)} indexed, {time.perf_counter() - started:.1f} s", flush=True)
    await es.indices.refresh(index=alias)
    elapsed = time.perf_counter() - started
    return (
        f"indexed {len(events)} documents ({pages} pages) with extractor {EXTRACTOR_VERSION} "
        f"in {elapsed:.1f} s"
    )


# --- running and reporting -----------------------------------------------------------------


async def run_system(
    name: str, system: System, queries: Sequence[Query], bench: Bench
) -> tuple[dict[str, list[str]], list[float]]:
    rankings: dict[str, list[str]] = {}
    latencies: list[float] = []
    for query in queries:
        started = time.perf_counter()
        try:
            answer = system(query.text)
            ranked = await answer if inspect.isawaitable(answer) else answer
        except (BadSearch, BadRequestError):
            bench.failures[name] = bench.failures.get(name, 0) + 1
            ranked = []
        latencies.append(time.perf_counter() - started)
        rankings[query.id] = list(ranked)
    return rankings, latencies


@dataclass(frozen=True)
class Scores:
    queries: int
    ndcg: float
    recall: float
    short_recall: float


def score(
    queries: Sequence[Query],
    rankings: Mapping[str, Sequence[str]],
    judged: Callable[[Query], Mapping[str, int]],
) -> Scores:
    rows = [(q, judged(q)) for q in queries]
    rows = [(q, j) for q, j in rows if any(g > 0 for g in j.values())]
    if not rows:
        return Scores(0, 0.0, 0.0, 0.0)
    return Scores(
        len(rows),
        statistics.fmean(ndcg(rankings[q.id], j) for q, j in rows),
        statistics.fmean(recall(rankings[q.id], j) for q, j in rows),
        statistics.fmean(recall(rankings[q.id], j, SHORT_RECALL_K) for q, j in rows),
    )


def subsets(
    queries: Sequence[Query], documents: Mapping[str, str]
) -> list[tuple[str, list[Query], Callable[[Query], Mapping[str, int]]]]:
    def all_judgments(q: Query) -> Mapping[str, int]:
        return q.judgments

    def foreign(q: Query) -> Mapping[str, int]:
        return cross_lingual_pairs(q, documents)

    rows: list[tuple[str, list[Query], Callable[[Query], Mapping[str, int]]]] = [
        ("overall", list(queries), all_judgments),
        ("dev half", [q for q in queries if q.half == "dev"], all_judgments),
        ("test half", [q for q in queries if q.half == "test"], all_judgments),
        ("cross-lingual pairs", list(queries), foreign),
        ("cross-lingual pairs, test", [q for q in queries if q.half == "test"], foreign),
    ]
    for kind in KINDS:
        rows.append((f"kind {kind}", [q for q in queries if q.kind == kind], all_judgments))
    return rows


def report(
    queries: Sequence[Query],
    documents: Mapping[str, str],
    results: Mapping[str, tuple[dict[str, list[str]], list[float]]],
) -> None:
    names = list(results)
    header = f"{'subset':28} {'n':>4}  " + "  ".join(
        f"{n + ' nDCG@10':>16} {n + ' R@20':>13} {n + ' R@100':>14}" for n in names
    )
    print(header)
    table: dict[str, dict[str, Scores]] = {}
    for label, subset, judged in subsets(queries, documents):
        scores = {n: score(subset, results[n][0], judged) for n in names}
        table[label] = scores
        count = next(iter(scores.values())).queries
        print(
            f"{label:28} {count:>4}  "
            + "  ".join(
                f"{scores[n].ndcg:>16.3f} {scores[n].short_recall:>13.3f} {scores[n].recall:>14.3f}"
                for n in names
            )
        )
    if BASELINE in results and len(names) > 1:
        print(f"\nratio to '{BASELINE}' (measured in this run)")
        for label in ("overall", "test half", "cross-lingual pairs"):
            base = table[label][BASELINE]
            for n in names:
                if n == BASELINE:
                    continue
                s = table[label][n]
                print(
                    f"  {label:22} {n:>10}: nDCG@10 {_ratio(s.ndcg, base.ndcg)}, "
                    f"R@20 {_ratio(s.short_recall, base.short_recall)}, "
                    f"R@100 {_ratio(s.recall, base.recall)}"
                )
    blends = [n for n in names if n.startswith("linear")]
    if blends:
        best = max(blends, key=lambda n: table["dev half"][n].ndcg)
        dev, test = table["dev half"][best], table["test half"][best]
        print(
            f"\nlinear blend tuned on the dev half (nDCG@10): weight {best[len('linear') :]} "
            f"(dev nDCG@10 {dev.ndcg:.3f}); test half nDCG@10 {test.ndcg:.3f}, "
            f"R@100 {test.recall:.3f}"
        )
    print(
        f"\n(a ranking of random documents has an expected R@{SHORT_RECALL_K} of "
        f"{SHORT_RECALL_K / len(documents):.3f} and R@{RECALL_K} of "
        f"{min(1.0, RECALL_K / len(documents)):.3f} on these {len(documents)} documents)\n"
    )
    for n in names:
        latencies = sorted(results[n][1])
        p50 = latencies[len(latencies) // 2] * 1000
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
        zero = sum(1 for q in queries if not results[n][0][q.id])
        print(f"{n}: p50 {p50:.1f} ms, p99 {p99:.1f} ms per query; {zero} queries with no hit")


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base else "n/a (baseline 0)"


async def run(names: Sequence[str], reuse: bool, keep: bool, prefix: str = PREFIX) -> None:
    queries = load_queries()
    documents = corpus_documents()
    problems = check_queries(queries, documents)
    if problems:
        raise SystemExit("\n".join(problems))
    os.environ["LEXSTREAM_INDEX_PREFIX"] = prefix
    settings = IndexSettings()
    es = make_search_client(settings, request_timeout=300)
    try:
        warm_up()
        paths = sorted(documents)
        print(await build_index(settings, es, paths, reuse))
        bench = Bench(
            es=es,
            alias=documents_alias(settings),
            access=Access(Principal(subject="relevance-bench", tenant=TENANT, is_admin=True)),
            paths={document_id_of(p): p for p in paths},
        )
        results = {}
        for name in names:
            started = time.perf_counter()
            results[name] = await run_system(name, SYSTEMS[name](bench), queries, bench)
            failed = bench.failures.get(name, 0)
            print(
                f"{name}: {len(queries)} queries in {time.perf_counter() - started:.1f} s"
                + (f", {failed} refused (scored as no hits)" if failed else "")
            )
        print(
            f"\n{len(queries)} queries ({sum(q.half == 'dev' for q in queries)} dev, "
            f"{sum(q.half == 'test' for q in queries)} test), "
            f"{sum(len(cross_lingual_pairs(q, documents)) for q in queries)} cross-lingual "
            f"pairs, {len(documents)} documents\n"
        )
        report(queries, documents, results)
    finally:
        if not keep:
            await es.indices.delete(index=f"{prefix}-*", allow_no_indices=True)
            with contextlib.suppress(Exception):
                await es.indices.delete_index_template(name=documents_alias(settings))
        await es.close()


def summary(queries: Sequence[Query], documents: Mapping[str, str]) -> str:
    kinds = {k: sum(q.kind == k for q in queries) for k in KINDS}
    languages = {lang: sum(q.language == lang for q in queries) for lang in LANGUAGES}
    pairs = sum(len(cross_lingual_pairs(q, documents)) for q in queries)
    with_foreign = sum(bool(cross_lingual_pairs(q, documents)) for q in queries)
    judged = {p for q in queries for p in q.relevant()}
    return (
        f"{len(queries)} queries, kinds {kinds}, languages {languages}; "
        f"{with_foreign} queries with {pairs} cross-lingual pairs; "
        f"{len(judged)} of {len(documents)} documents judged relevant to some query"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--systems",
        default=",".join(DEFAULT_SYSTEMS),
        help=f"comma-separated names of {', '.join(SYSTEMS)}; 'linear' runs every weight",
    )
    parser.add_argument("--reuse", action="store_true", help="use a complete kept index")
    parser.add_argument("--keep", action="store_true", help="keep the bench index at the end")
    parser.add_argument("--check", action="store_true", help="check the judgments and stop")
    parser.add_argument("--prefix", default=PREFIX, help="index prefix of the bench index")
    args = parser.parse_args()
    if args.check:
        queries, documents = load_queries(), corpus_documents()
        problems = check_queries(queries, documents)
        print("\n".join(problems) if problems else summary(queries, documents))
        raise SystemExit(1 if problems else 0)
    names = [n.strip() for n in args.systems.split(",") if n.strip()]
    if "linear" in names:
        at = names.index("linear")
        names[at : at + 1] = [f"linear{w}" for w in LINEAR_WEIGHTS]
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        raise SystemExit(f"unknown systems {unknown}; known: {sorted(SYSTEMS)}")
    if BASELINE not in names:
        names.insert(0, BASELINE)
    started = time.perf_counter()
    asyncio.run(run(names, args.reuse, args.keep, args.prefix))
    print(f"\nruntime {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
