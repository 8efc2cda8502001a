"""Batch search without a stack: reading lists of queries, the body of one query, the shape
of its hits, the export's cells and a job's view (lexstream.gateway.batch, batch_jobs)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lexstream.gateway.access import Access, Principal
from lexstream.gateway.batch import (
    BATCH_SOURCE,
    EXPORT_COLUMNS,
    BadBatch,
    BatchQuery,
    batch_body,
    check_queries,
    csv_lines,
    export_record,
    parse_csv,
    parse_rows,
    shape_hits,
    visible_hits,
)
from lexstream.gateway.batch_jobs import (
    DONE,
    FAILED,
    INTERRUPTED,
    QUEUED,
    effective,
    is_stale,
    job_view,
    new_record,
)
from lexstream.gateway.search import QueryCaps
from lexstream.gateway.stores import Role

VIEWER = Access(Principal(subject="v", tenant="acme", roles={"M-1": Role.VIEWER}))
CAPS = QueryCaps()


def _csv(text: str, max_queries: int = 1000) -> list[BatchQuery]:
    return parse_csv(text.encode(), max_queries)


# --- reading a CSV list ----------------------------------------------------------------------


def test_a_csv_list_reads_its_queries_and_filters() -> None:
    queries = _csv(
        "id,query,jurisdiction,court,type,language,matter_id,date_from,date_to,cites\r\n"
        'q1,"due process",US,scotus,opinion,en,M-1,1970-01-01,1980-12-31,410 U.S. 113\r\n'
        "q2,negligence,,,,,,,,\r\n"
    )
    assert [q.id for q in queries] == ["q1", "q2"]
    first = queries[0]
    assert first.query == "due process"
    assert first.error is None
    assert first.filters == {
        "jurisdiction": "US",
        "court": "scotus",
        "type": "opinion",
        "language": "en",
        "matter_id": "M-1",
        "date_from": "1970-01-01",
        "date_to": "1980-12-31",
        "cites": "410 U.S. 113",
    }
    assert queries[1].filters == {}  # empty cells are no filter
    request = first.search_request(size=7)
    assert (request.doc_type, request.size, request.date_to) == (
        "opinion",
        7,
        datetime(1980, 12, 31).date(),
    )


def test_ids_default_to_the_row_number_and_spreadsheet_csvs_are_read() -> None:
    # Excel writes a byte-order mark, and semicolons where the decimal mark is a comma
    data = "\ufeffQuery;Doc_Type\nbreach;contract\n\n;\nwarranty;\n".encode()
    queries = parse_csv(data, 10)
    assert [(q.id, q.query, q.filters) for q in queries] == [
        ("1", "breach", {"type": "contract"}),
        ("2", "warranty", {}),
    ]
    tabbed = _csv("query\tcourt\nfoo\tuksc\n")
    assert tabbed[0].filters == {"court": "uksc"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("query,colour\nfoo,red\n", "unknown column 'colour'"),
        ("query,court,court\nfoo,a,b\n", "'court' appears more than once"),
        ("court,language\nuksc,en\n", "the column 'query' is missing"),
        ("", "the CSV is empty"),
        ("\r\n\r\n", "the CSV is empty"),
        ("query\n", "the list has no queries"),
        ('query\n"open quote\n', "cannot be read"),
        ('query,court\n"a"b,c\n', "cannot be read at line 2"),
    ],
)
def test_a_list_the_gateway_cannot_read_is_refused_whole(text: str, message: str) -> None:
    with pytest.raises(BadBatch, match=message):
        _csv(text)


def test_the_columns_it_can_read_are_named_in_the_refusal() -> None:
    with pytest.raises(BadBatch) as refused:
        _csv("query,jurisdicton\nfoo,US\n")
    assert "'jurisdicton'" in str(refused.value)
    assert "jurisdiction" in str(refused.value).split("the columns are")[1]


def test_a_csv_that_is_not_text_is_refused() -> None:
    with pytest.raises(BadBatch, match="not UTF-8"):
        parse_csv("query\nK\xf6ln\n".encode("latin-1"), 10)
    with pytest.raises(BadBatch, match="NUL"):
        parse_csv(b"query\nfoo\x00\n", 10)


def test_the_number_of_rows_is_bounded() -> None:
    rows = "query\n" + "".join(f"term{i}\n" for i in range(5))
    assert len(_csv(rows, max_queries=5)) == 5
    with pytest.raises(BadBatch, match="more than 4 queries"):
        _csv(rows, max_queries=4)


def test_a_bad_row_is_kept_with_its_error_and_the_others_are_not_affected() -> None:
    queries = _csv(
        "id,query,date_from\n"
        "a,contract,2020-01-01\n"
        "b,,\n"
        "c,tort,2020-13-01\n"
        "a,again,\n"
        f"e,{'x' * 2001},\n"
        "f,fine,,extra\n"
        "g,last,\n"
    )
    assert [q.error for q in queries] == [
        None,
        "query is empty",
        "date_from: '2020-13-01' is not a date (YYYY-MM-DD)",
        "id 'a' is the id of row 1 too",
        "query is longer than 2000 characters",
        "the row has 4 cells, the header 3",
        None,
    ]
    assert [q.index for q in queries] == list(range(7))


def test_a_json_list_reads_as_the_csv_does() -> None:
    queries = parse_rows(
        [
            {"query": "breach", "court": "uksc", "id": 7},
            {"q": "tort", "doc_type": "judgment", "language": None},
        ],
        10,
    )
    assert [(q.id, q.query, q.filters) for q in queries] == [
        ("7", "breach", {"court": "uksc"}),
        ("2", "tort", {"type": "judgment"}),
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"query": "x"}, "a list of objects"),
        (["x"], r"queries\[0\]: an object"),
        ([{"query": "x"}, {"query": "y", "colour": "red"}], r"queries\[1\]: unknown column"),
        ([{"query": ["x"]}], r"queries\[0\].query: a string"),
        ([{"query": True}], r"queries\[0\].query: a string"),
        ([{"court": "uksc"}], "'query' is missing"),
        ([], "no queries"),
        ([{"query": "x"}] * 3, "more than 2 queries"),
    ],
)
def test_a_json_list_the_gateway_cannot_read_is_refused(rows: Any, message: str) -> None:
    with pytest.raises(BadBatch, match=message):
        parse_rows(rows, 2)


def test_query_syntax_is_checked_per_row_as_search_checks_it() -> None:
    queries = check_queries(
        _csv(
            "query,date_from,date_to\n"
            "contract,,\n"
            'unbalanced "quote,,\n'
            "colour:red tort,,\n"
            "a~1 b~1 c~1 d~1,,\n"
            "fine,2021-01-01,2020-01-01\n"
        ),
        VIEWER,
        CAPS,
        size=10,
    )
    errors = [q.error for q in queries]
    assert errors[0] is None
    assert "quote" in str(errors[1])
    assert "colour" in str(errors[2])
    assert "fuzzy" in str(errors[3])
    assert errors[4] == "date_from is after date_to"


# --- the body of one query and its hits ------------------------------------------------------


def test_each_query_carries_the_callers_visibility_and_its_filters() -> None:
    query = _csv("query,court,type\ncontract damages,uksc,judgment\n")[0]
    body = batch_body(query, VIEWER, CAPS, size=25)
    filters = body["query"]["bool"]["filter"]
    assert VIEWER.es_filter() in filters
    assert {"terms": {"matter_id": ["M-1"]}} in VIEWER.es_filter()["bool"]["filter"]
    assert {"term": {"court": "uksc"}} in filters
    assert {"term": {"doc_type": "judgment"}} in filters
    assert body["size"] == 25
    assert body["track_total_hits"] is True
    assert "aggs" not in body
    assert body["_source"] == BATCH_SOURCE
    text = repr(body["query"])
    assert "inner_hits" in text  # the best page is still asked for
    assert "highlight" not in text  # but no snippets


def _hit(doc: str, score: float, page: int | None = None, start: float | None = None) -> Any:
    inner: dict[str, Any] = {
        "pages": {"hits": {"hits": [{"_source": {"number": page}}] if page else []}},
        "segments": {"hits": {"hits": [{"_source": {"start": start}}] if start else []}},
    }
    source = {"document_id": doc, "title": f"T {doc}", "tenant": "acme", "matter_id": "M-1"}
    return {"_id": doc, "_score": score, "_source": source, "inner_hits": inner}


def test_hits_are_ranked_with_their_best_page_or_second() -> None:
    result = {
        "hits": {
            "total": {"value": 42},
            "hits": [_hit("d1", 3.0, page=14), _hit("d2", 2.0, start=61.5), _hit("d3", 1.0)],
        }
    }
    total, hits = shape_hits(result)
    assert total == 42
    assert [(h["rank"], h["document_id"], h["best_page"], h["best_start"]) for h in hits] == [
        (1, "d1", 14, None),
        (2, "d2", None, 61.5),
        (3, "d3", None, None),
    ]
    assert hits[0]["title"] == "T d1"


def test_stored_hits_are_shown_only_where_the_reader_may_see_them_now() -> None:
    hits = [
        {"document_id": "a", "tenant": "acme", "matter_id": "M-1"},
        {"document_id": "b", "tenant": "acme", "matter_id": "M-2"},
        {"document_id": "c", "tenant": "other", "matter_id": "M-1"},
    ]
    assert [h["document_id"] for h in visible_hits(hits, VIEWER)] == ["a"]
    walled = Access(
        Principal(
            subject="v", tenant="acme", roles={"M-1": Role.VIEWER}, screened=frozenset({"M-1"})
        )
    )
    assert list(visible_hits(hits, walled)) == []
    assert "tenant" not in next(visible_hits(hits, VIEWER))


def test_the_export_is_csv_a_spreadsheet_cannot_run() -> None:
    query = BatchQuery(index=0, id="q,1", query='"due process"')
    hit = {
        "rank": 1,
        "document_id": "d1",
        "title": '=HYPERLINK("http://evil")',
        "score": 1.5,
        "best_page": 3,
        "best_start": None,
        "court": "Court, of Appeal\nCivil",
        "decision_date": "2020-01-02",
        "matter_id": "M-1",
    }
    text = csv_lines([EXPORT_COLUMNS, export_record(query, hit).values()])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(EXPORT_COLUMNS)
    assert dict(zip(rows[0], rows[1], strict=True)) == {
        "query_id": "q,1",
        "query": '"due process"',
        "rank": "1",
        "document_id": "d1",
        "title": '\'=HYPERLINK("http://evil")',
        "score": "1.5",
        "best_page": "3",
        "best_start": "",
        "court": "Court, of Appeal\nCivil",
        "decision_date": "2020-01-02",
        "matter_id": "M-1",
    }
    assert text.endswith("\r\n")


# --- a job's record and view -----------------------------------------------------------------


def _record(**fields: Any) -> dict[str, Any]:
    queries = _csv("query,date_from\ncontract,\nbad,2020-99-01\ntort,\n")
    record = new_record(batch_id="b" * 32, access=VIEWER, name="n", queries=queries, max_hits=10)
    return {**record, **fields}


def test_a_new_job_counts_its_bad_rows_as_done_with_an_error() -> None:
    record = _record()
    assert (record["status"], record["total"], record["done"], record["errors"]) == (
        QUEUED,
        3,
        1,
        1,
    )
    assert (record["tenant"], record["subject"]) == ("acme", "v")


def test_the_view_gives_each_query_its_count_error_or_wait() -> None:
    results = [
        {"query_index": 0, "total": 5, "timed_out": True, "error": None},
    ]
    view = job_view(_record(status="running", done=2), results)
    assert view["progress"] == {"done": 2, "total": 3}
    assert [(q["status"], q["total"], q["timed_out"]) for q in view["queries"]] == [
        ("done", 5, True),
        ("error", None, False),
        ("queued", None, False),
    ]
    assert view["queries"][1]["error"].startswith("date_from")
    refused = job_view(_record(), [{"query_index": 2, "total": 0, "error": "refused"}])
    assert refused["queries"][2]["status"] == "error"


def test_a_job_whose_gateway_stopped_writing_is_reported_failed() -> None:
    now = datetime.now(UTC)
    fresh = _record(status="running", updated_at=(now - timedelta(seconds=5)).isoformat())
    old = _record(status="running", updated_at=(now - timedelta(seconds=120)).isoformat())
    finished = _record(status=DONE, updated_at=(now - timedelta(days=3)).isoformat())
    assert not is_stale(fresh, now, 60)
    assert is_stale(old, now, 60)
    assert not is_stale(finished, now, 60)
    assert effective(old, now, 60)["status"] == FAILED
    assert effective(old, now, 60)["failure"] == INTERRUPTED
    assert effective(fresh, now, 60) is fresh


def test_the_views_are_the_documented_answers() -> None:
    from lexstream.gateway.routes_batch import BatchJob, BatchSummary

    record = _record(status="running", done=2)
    job = BatchJob.model_validate(job_view(record, [{"query_index": 0, "total": 5}]))
    assert [q.status for q in job.queries] == ["done", "error", "queued"]
    assert BatchSummary.model_validate(job_view(record, [])).progress.total == 3
