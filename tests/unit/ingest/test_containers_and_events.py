"""ZIP limits and S3 event parsing (no stack needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.unit.ingest.zipgen import ENCRYPTED_ZIP, make_zip, nested_zip, truncated, zip_bomb

from lexstream.ingest.containers import ContainerError, ZipLimits, extract_members, inspect_zip
from lexstream.ingest.intake import parse_s3_event, submission_from_s3
from lexstream.ingest.sniff import route_for, sniff_media_type
from lexstream.shared.errors import PermanentError


def write(tmp_path: Path, data: bytes, name: str = "archive.zip") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_zip_is_routed_as_container_and_expands(tmp_path: Path) -> None:
    path = write(tmp_path, make_zip({"a.txt": b"alpha\n", "dir/b.txt": b"beta\n"}))
    assert route_for(sniff_media_type(path)) == "container"
    members = list(extract_members(path, ZipLimits(), tmp_path))
    try:
        assert [(m.info.name, m.size) for m in members] == [("a.txt", 6), ("dir/b.txt", 5)]
        assert members[0].path.read_bytes() == b"alpha\n"
    finally:
        for member in members:
            member.path.unlink()


def test_docx_is_not_a_container(tmp_path: Path) -> None:
    docx = make_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert route_for(sniff_media_type(write(tmp_path, docx, "x.docx"))) == "ocr"


@pytest.mark.parametrize(
    ("data", "error_type", "words"),
    [
        (truncated(make_zip({"a.txt": b"x" * 5000})), "DamagedArchive", "damaged or truncated"),
        (ENCRYPTED_ZIP, "EncryptedArchive", "password-protected"),
        (zip_bomb(), "ZipBomb", "ZIP bomb"),
    ],
    ids=["truncated", "encrypted", "bomb"],
)
def test_hostile_zips_are_refused(tmp_path: Path, data: bytes, error_type: str, words: str) -> None:
    with pytest.raises(ContainerError) as caught:
        inspect_zip(write(tmp_path, data), ZipLimits())
    assert caught.value.error_type == error_type
    assert words in caught.value.reason


def test_member_count_and_total_size_limits(tmp_path: Path) -> None:
    many = write(tmp_path, make_zip({f"{i}.txt": b"x" for i in range(11)}))
    with pytest.raises(ContainerError, match="11 files, more than the limit of 10"):
        inspect_zip(many, ZipLimits(max_members=10))
    big = write(tmp_path, make_zip({"a.bin": bytes(range(256)) * 100}), "big.zip")
    with pytest.raises(ContainerError, match="more than the limit of 1000 bytes"):
        inspect_zip(big, ZipLimits(max_total_bytes=1000))


def test_depth_limit(tmp_path: Path) -> None:
    path = write(tmp_path, nested_zip(2))
    assert len(inspect_zip(path, ZipLimits(max_depth=3), depth=2)) == 1
    with pytest.raises(ContainerError, match="nested more than 3 levels"):
        inspect_zip(path, ZipLimits(max_depth=3), depth=3)


def minio_event(bucket: str, key: str, **meta: str) -> dict[str, object]:
    """The shape MinIO publishes to its Kafka notification target."""
    return {
        "EventName": "s3:ObjectCreated:Put",
        "Key": f"{bucket}/{key}",
        "Records": [
            {
                "eventVersion": "2.0",
                "eventSource": "minio:s3",
                "eventName": "s3:ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": bucket},
                    "object": {
                        "key": key,
                        "size": 12,
                        "eTag": "0123abcd",
                        "userMetadata": {f"X-Amz-Meta-{k}": v for k, v in meta.items()},
                    },
                },
            }
        ],
    }


def test_s3_event_becomes_a_submission() -> None:
    event = minio_event("inbox", "M-7/Brief+of+Appellant%C3%A9.pdf", Language="en")
    (record,) = parse_s3_event(json.loads(json.dumps(event)))
    assert record.key == "M-7/Brief of Appellanté.pdf"
    sub = submission_from_s3(record)
    assert sub.object_uri == "s3://inbox/M-7/Brief of Appellanté.pdf"
    assert sub.matter_id == "M-7"
    assert sub.filename == "Brief of Appellanté.pdf"
    assert sub.language == "en"
    assert sub.source == "s3:inbox"
    assert sub.external_id == "M-7/Brief of Appellanté.pdf@0123abcd"


def test_s3_removal_is_no_document_and_junk_is_refused() -> None:
    event = minio_event("inbox", "a.pdf")
    event["Records"][0]["eventName"] = "s3:ObjectRemoved:Delete"  # type: ignore[index]
    assert parse_s3_event(event) == []
    with pytest.raises(PermanentError, match="not an S3 event"):
        parse_s3_event({"hello": 1})
