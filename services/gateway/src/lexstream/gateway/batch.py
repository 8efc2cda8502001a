"""Batch search: a list of queries, each with optional filters, run as one job.

As ICIJ Datashare's batch search does it: the caller sends a CSV (or JSON) list of queries,
each one a row with the ``/v1/search`` filters as columns; the job runs every query under the
caller's visibility filter and keeps, per query, its hit count and its best hits, which can be
exported as CSV. This module is the job's domain: reading the list (a list the gateway cannot
read is refused whole, with a 400 saying why; a row whose query is wrong is kept and reported
on its own, and the other rows run), the Elasticsearch body of one query and the shaping of
its hits and of the export. It knows no HTTP and no client (``batch_jobs.py`` stores and runs
jobs, ``routes_batch.py`` serves them).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from lexstream.gateway.access import Access
from lexstream.gateway.query_syntax import operator_words
from lexstream.gateway.search import BadSearch, QueryCaps, SearchRequest, build_query

#: the filters a row may carry: the parameters of ``GET /v1/search`` (``type`` is its
#: ``doc_type``, named as ``q``'s ``type:`` field is; ``doc_type`` is read as the same column)
FILTER_COLUMNS = (
    "jurisdiction",
    "court",
    "type",
    "language",
    "matter_id",
    "date_from",
    "date_to",
    "cites",
)
#: every column a list may have: ``query`` (required), ``id`` (the caller's name for the
#: query, echoed in the export; the row number when absent) and the filters
COLUMNS = ("id", "query", *FILTER_COLUMNS)
ALIASES = {"doc_type": "type", "q": "query"}
#: the longest value of a column, as ``/v1/search`` bounds its parameters
MAX_CHARS = {"query": 2000, "id": 100, "court": 300, "cites": 300, "jurisdiction": 100}
DEFAULT_MAX_CHARS = 100
DATE_COLUMNS = ("date_from", "date_to")
#: cells a spreadsheet would run as a formula when the export is opened (CSV injection):
#: such a cell is written with a leading apostrophe, which spreadsheets show as text
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

EXPORT_COLUMNS = (
    "query_id",
    "query",
    "rank",
    "document_id",
    "title",
    "score",
    "best_page",
    "best_start",
    "court",
    "decision_date",
    "matter_id",
)


class BadBatch(ValueError):
    """A list of queries the gateway cannot read at all (400); the job is not created."""


@dataclass(frozen=True)
class BatchQuery:
    """One row of a list: its position, the caller's id for it, the query and its filters.

    ``error`` says why the row cannot run (a bad query, a bad date, a value too long); such a
    row is part of the job, reported with its error, and never searched.
    """

    index: int
    id: str
    query: str
    filters: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    def search_request(self, size: int) -> SearchRequest:
        """The ``/v1/search`` request this row stands for."""
        f = self.filters
        return SearchRequest(
            q=operator_words(self.query),
            jurisdiction=f.get("jurisdiction"),
            court=f.get("court"),
            doc_type=f.get("type"),
            language=f.get("language"),
            matter_id=f.get("matter_id"),
            date_from=date.fromisoformat(f["date_from"]) if f.get("date_from") else None,
            date_to=date.fromisoformat(f["date_to"]) if f.get("date_to") else None,
            cites=f.get("cites"),
            size=size,
        )

    def stored(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "id": self.id,
            "query": self.query,
            "filters": self.filters,
            "error": self.error,
        }

    @classmethod
    def from_stored(cls, record: Mapping[str, Any]) -> BatchQuery:
        return cls(
            index=int(record["index"]),
            id=str(record["id"]),
            query=str(record["query"]),
            filters=dict(record.get("filters") or {}),
            error=record.get("error"),
        )


def _column(name: str) -> str:
    key = name.strip().casefold()
    return ALIASES.get(key, key)


def _check_columns(names: Iterable[str], where: str) -> list[str]:
    """The list's column names, normalised; BadBatch for an unknown, repeated or missing one."""
    columns = [_column(name) for name in names]
    unknown = sorted({c for c in columns if c not in COLUMNS})
    if unknown:
        raise BadBatch(
            f"{where}: unknown column{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(c) for c in unknown)}; the columns are {', '.join(COLUMNS)}"
        )
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise BadBatch(f"{where}: column {repeated[0]!r} appears more than once")
    if "query" not in columns:
        raise BadBatch(f"{where}: the column 'query' is missing")
    return columns


def _row(index: int, values: Mapping[str, str], seen: dict[str, int]) -> BatchQuery:
    """One row as a query: its own errors (the first one found) are kept on it."""
    query = values.get("query", "").strip()
    query_id = values.get("id", "").strip() or str(index + 1)
    filters = {k: v.strip() for k, v in values.items() if k in FILTER_COLUMNS and v.strip()}
    row = BatchQuery(index=index, id=query_id[: MAX_CHARS["id"]], query=query, filters=filters)
    error = None
    for name, value in (("id", query_id), ("query", query), *filters.items()):
        limit = MAX_CHARS.get(name, DEFAULT_MAX_CHARS)
        if len(value) > limit:
            error = f"{name} is longer than {limit} characters"
            break
    if error is None and not query:
        error = "query is empty"
    if error is None:
        for name in DATE_COLUMNS:
            if name in filters:
                try:
                    date.fromisoformat(filters[name])
                except ValueError:
                    error = f"{name}: {filters[name]!r} is not a date (YYYY-MM-DD)"
                    break
    if error is None and query_id in seen:
        error = f"id {query_id!r} is the id of row {seen[query_id] + 1} too"
    seen.setdefault(query_id, index)
    return replace(row, error=error) if error else row


def _bounded(count: int, max_queries: int) -> None:
    if count > max_queries:
        raise BadBatch(f"the list has more than {max_queries} queries; split it")
    if count == 0:
        raise BadBatch("the list has no queries")


def _delimiter(header: str) -> str:
    """Comma, or the semicolon or tab a spreadsheet wrote where the header has no comma."""
    if "," in header:
        return ","
    for candidate in (";", "\t"):
        if candidate in header:
            return candidate
    return ","


def parse_csv(data: bytes, max_queries: int) -> list[BatchQuery]:
    """The queries of a CSV list: a header row naming the columns, then one query a row.

    UTF-8 (a byte-order mark, as spreadsheets write it, is fine); comma-separated, or
    semicolon- or tab-separated where the header has no comma. Blank lines are skipped.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadBatch(f"the CSV is not UTF-8 (byte {exc.start})") from exc
    if "\x00" in text:
        raise BadBatch("the CSV contains a NUL character; is it a spreadsheet, not a CSV?")
    header = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(header), strict=True)
    queries: list[BatchQuery] = []
    seen: dict[str, int] = {}
    columns: list[str] | None = None
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns = _check_columns(cells, "the CSV header")
                continue
            if len(queries) == max_queries:
                _bounded(max_queries + 1, max_queries)
            row = _row(len(queries), dict(zip(columns, cells, strict=False)), seen)
            if len(cells) > len(columns) and row.error is None:
                extra = f"the row has {len(cells)} cells, the header {len(columns)}"
                row = replace(row, error=extra)
            queries.append(row)
    except csv.Error as exc:
        raise BadBatch(f"the CSV cannot be read at line {reader.line_num}: {exc}") from exc
    if columns is None:
        raise BadBatch("the CSV is empty; its first row names the columns (query, ...)")
    _bounded(len(queries), max_queries)
    return queries


def parse_rows(rows: Any, max_queries: int) -> list[BatchQuery]:
    """The queries of a JSON list: objects with the CSV's columns as keys, strings as values."""
    if not isinstance(rows, list):
        raise BadBatch("queries: a list of objects, each with a 'query'")
    _bounded(len(rows), max_queries)
    queries: list[BatchQuery] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        where = f"queries[{index}]"
        if not isinstance(row, dict):
            raise BadBatch(f"{where}: an object with a 'query'")
        columns = _check_columns(row, where)
        values: dict[str, str] = {}
        for column, value in zip(columns, row.values(), strict=True):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise BadBatch(f"{where}.{column}: a string")
            values[column] = str(value)
        queries.append(_row(index, values, seen))
    return queries


def check_queries(
    queries: list[BatchQuery], access: Access, caps: QueryCaps, size: int
) -> list[BatchQuery]:
    """Each query with its syntax checked as ``/v1/search`` checks it: a query search would
    answer with a 400 (an unknown field, an unbalanced quote, too many fuzzy terms, a date
    range backwards) carries that message as its error."""
    checked = []
    for query in queries:
        if query.error is None:
            try:
                batch_body(query, access, caps, size)
            except BadSearch as exc:
                query = replace(query, error=str(exc))
        checked.append(query)
    return checked


#: what a batch hit needs of a document: the export's columns, and tenant and matter, checked
#: against the caller's access again when the hits are read (a wall raised after the job ran
#: hides what it found behind the wall)
BATCH_SOURCE = ["document_id", "title", "filename", "court", "decision_date", "matter_id", "tenant"]


def _slim_inner_hits(node: Any) -> None:
    """The best page (or second) of each hit without its highlights: the batch exports where
    a hit is, not a snippet, and highlighting 100 hits per query is most of a query's cost."""
    if isinstance(node, dict):
        inner = node.get("inner_hits")
        if isinstance(inner, dict):
            inner.pop("highlight", None)
            inner["size"] = 1
        for value in node.values():
            _slim_inner_hits(value)
    elif isinstance(node, list):
        for value in node:
            _slim_inner_hits(value)


def batch_body(query: BatchQuery, access: Access, caps: QueryCaps, size: int) -> dict[str, Any]:
    """The Elasticsearch body of one query of a job: the body ``/v1/search`` builds for the
    same request (with the caller's visibility filter, as every body built there has), without
    facets and highlights."""
    body = build_query(query.search_request(size), access, caps)
    body.pop("aggs", None)
    body["_source"] = BATCH_SOURCE
    _slim_inner_hits(body["query"])
    return body


def _best_place(hit: Mapping[str, Any]) -> tuple[int | None, float | None]:
    inner = hit.get("inner_hits") or {}
    pages = (inner.get("pages") or {}).get("hits", {}).get("hits") or []
    segments = (inner.get("segments") or {}).get("hits", {}).get("hits") or []
    page = pages[0].get("_source", {}).get("number") if pages else None
    start = segments[0].get("_source", {}).get("start") if segments else None
    return page, start


def shape_hits(result: Mapping[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    """The total and the hits of one query's answer, ranked from 1."""
    hits = []
    for rank, hit in enumerate(result["hits"]["hits"], start=1):
        source = hit.get("_source", {})
        page, start = _best_place(hit)
        hits.append(
            {
                "rank": rank,
                "document_id": source.get("document_id", hit.get("_id")),
                "title": source.get("title") or source.get("filename"),
                "score": hit.get("_score"),
                "best_page": page,
                "best_start": start,
                "court": source.get("court"),
                "decision_date": source.get("decision_date"),
                "matter_id": source.get("matter_id"),
                "tenant": source.get("tenant"),
            }
        )
    return int(result["hits"]["total"]["value"]), hits


def visible_hits(hits: Iterable[Mapping[str, Any]], access: Access) -> Iterator[dict[str, Any]]:
    """The stored hits the caller may see now, without the tenant they were checked by."""
    for hit in hits:
        if access.allows(hit.get("tenant"), hit.get("matter_id")):
            yield {k: v for k, v in hit.items() if k != "tenant"}


def csv_cell(value: Any) -> str:
    """A value as an export cell: empty for none, text that cannot run as a formula."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(rows: Iterable[Iterable[Any]]) -> str:
    """Rows as CSV text (RFC 4180: comma, double quotes, CRLF)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


def export_record(query: BatchQuery, hit: Mapping[str, Any]) -> dict[str, Any]:
    """One hit of one query, with the export's columns (values as found, not as cells)."""
    return {
        "query_id": query.id,
        "query": query.query,
        **{name: hit.get(name) for name in EXPORT_COLUMNS[2:]},
    }
