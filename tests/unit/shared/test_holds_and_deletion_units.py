"""The pure parts of legal holds and deletion (issue 19, items 5 and 6): what a hold needs
for each scope, who a document's custodians are, and that deletion finds exactly the
idempotence records ingest writes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pydantic import ValidationError

from lexstream.gateway.routes_holds import HoldCreate
from lexstream.ingest.pipeline import IngestPipeline, Submission
from lexstream.shared.deletion import Deleter
from lexstream.shared.events import Provenance
from lexstream.shared.holds import DocumentHeld, HoldGuard, custodians_of, hold_query


@pytest.mark.parametrize(
    ("body", "ok"),
    [
        ({"scope": "matter"}, True),
        ({"scope": "custodian", "custodian": "j.doe"}, True),
        ({"scope": "query", "query": "privileged"}, True),
        ({"scope": "custodian"}, False),
        ({"scope": "query"}, False),
        ({"scope": "matter", "query": "x"}, False),
        ({"scope": "matter", "custodian": "j.doe"}, False),
        ({"scope": "everything"}, False),
    ],
)
def test_a_hold_names_what_its_scope_needs_and_nothing_else(body: dict[str, str], ok: bool) -> None:
    full = {"name": "Acme litigation", "reason": "anticipated litigation", **body}
    if ok:
        assert HoldCreate.model_validate(full).scope == body["scope"]
    else:
        with pytest.raises(ValidationError):
            HoldCreate.model_validate(full)


def test_custodians_are_the_set_custodian_and_the_uploader() -> None:
    record = {"custodian": "mailbox:k.lay", "provenance": {"uploader": "paralegal-1"}}
    assert custodians_of(record) == {"mailbox:k.lay", "paralegal-1"}
    assert custodians_of({}) == set()
    assert custodians_of({"provenance": {"uploader": None}}) == set()


def test_a_hold_query_requires_every_term() -> None:
    clause = hold_query("privileged advice")["simple_query_string"]
    assert clause["default_operator"] == "and"
    assert clause["lenient"] is True


def test_a_hold_by_matter_or_custodian_covers_by_its_scope() -> None:
    matter = {"scope": "matter", "hold_id": "H-1"}
    custodian = {"scope": "custodian", "custodian": "k.lay", "hold_id": "H-2"}
    assert HoldGuard._covers(matter, set())
    assert HoldGuard._covers(custodian, {"k.lay", "x"})
    assert not HoldGuard._covers(custodian, {"someone-else"})
    assert not HoldGuard._covers({"scope": "query", "query": "x"}, {"k.lay"})


def test_document_held_is_a_permanent_error_naming_its_holds() -> None:
    exc = DocumentHeld("doc-1", ["H-b", "H-a"])
    assert exc.hold_ids == ["H-a", "H-b"]
    assert exc.error_type == "DocumentHeld"
    assert "H-a, H-b" in exc.reason


@pytest.mark.parametrize("external_id", [None, "dms-42"])
@pytest.mark.parametrize("parent", [None, "parent-1"])
def test_deletion_finds_the_idempotence_records_ingest_writes(
    external_id: str | None, parent: str | None
) -> None:
    sha = hashlib.sha256(b"x").hexdigest()
    provenance = Provenance(intake="http", source="dms", external_id=external_id, uploader="u")
    sub = Submission(
        path=Path("/dev/null"),
        sha256=sha,
        size=1,
        filename="a.txt",
        provenance=provenance,
        tenant="firm",
        matter_id="M-1",
        parent_document_id=parent,
        member="m/a.txt" if parent else None,
    )
    pipeline = IngestPipeline.__new__(IngestPipeline)
    pipeline.store = type("S", (), {"derived": "derived"})()  # type: ignore[assignment]
    ingest_keys = sorted(ref.key for ref in pipeline._record_refs(sub))
    # document.json as ingest writes it
    record = {
        "tenant": "firm",
        "matter_id": "M-1",
        "parent_document_id": parent,
        "member": sub.member,
        "sha256": sha,
        "provenance": provenance.model_dump(mode="json"),
    }
    assert sorted(Deleter._idempotence_keys(record)) == ingest_keys
    assert len(ingest_keys) == (2 if external_id else 1)
