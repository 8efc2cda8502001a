"""The transcript route on the real stack: format=pageline and format=pdf from transcript.json,
the caption page from the document's metadata and matter; an upload's channel map checked."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pypdfium2
import pytest
from fastapi import FastAPI
from tests.support.gateway import gateway_client, gateway_settings

from lexstream.gateway.app import create_app
from lexstream.index.bootstrap import bootstrap_indices
from lexstream.shared.artifacts import Segment, SpeakerLabel, Transcript, Word
from lexstream.shared.events import ObjectRef
from lexstream.shared.search import documents_alias, status_index
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import derived_key

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture
async def gateway(settings: CommonSettings) -> AsyncIterator[FastAPI]:
    app = create_app(gateway_settings(settings))
    async with app.router.lifespan_context(app):
        yield app


def _transcript(doc_id: str) -> Transcript:
    lines = [
        ("THE COURT", "We are on the record. Counsel, please state your appearances.", 0.5),
        ("MS. HALE", "Margaret Hale for the plaintiff.", 6.0),
        ("THE COURT", "Please state your name for the record.", 9.0),
        ("THE WITNESS", "My name is Sarah Lindqvist.", 12.0),
    ]
    segments = [
        Segment(
            id=i,
            start=start,
            end=start + 0.4 * len(text.split()),
            text=text,
            speaker=speaker,
            words=[
                Word(start=start + 0.4 * n, end=start + 0.4 * n + 0.3, word=f" {w}", probability=1)
                for n, w in enumerate(text.split())
            ],
        )
        for i, (speaker, text, start) in enumerate(lines)
    ]
    return Transcript(
        document_id=doc_id,
        media_type="audio/wav",
        duration=15.0,
        language="en",
        segments=segments,
        model="fake",
        device="cpu",
        compute_type="int8",
        speakers=[
            SpeakerLabel(
                speaker="channel-2",
                label="MS. HALE",
                role="counsel for the plaintiff",
                name="Margaret Hale",
                source="channel map",
            )
        ],
    )


async def _seed(app: FastAPI, matter: str) -> str:
    gw = app.state.gateway
    await bootstrap_indices(gw.es, gw.settings)
    await gw.store.bootstrap()
    doc_id = f"pl{time.time_ns()}"
    base = {"tenant": gw.settings.tenant, "matter_id": matter, "document_id": doc_id}
    await gw.es.index(
        index=status_index(gw.settings),
        id=doc_id,
        document={**base, "status": "indexed", "filename": "h.wav", "media_type": "audio/wav"},
        refresh=True,
    )
    await gw.es.index(
        index=documents_alias(gw.settings),
        id=doc_id,
        document={
            **base,
            "acl": [f"matter:{matter}"],
            "kind": "recording",
            "court": "United States District Court for the Northern District of California",
            "case_numbers": ["3:24-cv-00117"],
        },
        refresh=True,
    )
    ref = ObjectRef(bucket=gw.store.derived, key=derived_key(doc_id, "transcript.json"))
    await gw.store.put_json(ref, _transcript(doc_id).model_dump(mode="json"))
    return doc_id


async def test_pageline_and_pdf_are_laid_out_from_the_transcript(gateway: FastAPI) -> None:
    async with gateway_client(gateway) as admin:
        matter = f"PL-{time.time_ns()}"
        created = await admin.post(
            "/v1/matters",
            json={"matter_id": matter, "name": "Harrington Logistics v. Bellweather Freight"},
        )
        assert created.is_success, created.text
        doc_id = await _seed(gateway, matter)

        text = await admin.get(
            f"/v1/documents/{doc_id}/transcript",
            params={"format": "pageline", "time_marks": "true"},
        )
        pdf = await admin.get(f"/v1/documents/{doc_id}/transcript", params={"format": "pdf"})

    assert text.status_code == 200, text.text
    assert text.headers["content-type"].startswith("text/plain")
    caption, body = text.text.split("\f")[:2]
    assert "HARRINGTON LOGISTICS v. BELLWEATHER FREIGHT" in caption
    assert "NORTHERN DISTRICT OF" in caption
    assert "CASE NO. 3:24-CV-00117" in caption
    assert "For the plaintiff: MS. HALE (Margaret Hale)" in caption
    assert " 1  [00:00:00]           THE COURT:  We are on the record." in body
    assert "MS. HALE:  Margaret Hale for the plaintiff." in body
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    document = pypdfium2.PdfDocument(pdf.content)
    assert len(document) == 2
    assert "THE WITNESS:" in document[1].get_textpage().get_text_range()


async def test_an_upload_with_a_channel_map_that_does_not_parse_is_refused(
    gateway: FastAPI,
) -> None:
    async with gateway_client(gateway) as admin:
        answer = await admin.post(
            "/v1/documents",
            data={"matter_id": "PL-any", "channels": "1:the court,1:the witness"},
            files={"file": ("h.wav", b"RIFF", "audio/wav")},
        )

    assert answer.status_code == 400
    assert "channel 1 is given twice" in answer.json()["detail"]


async def test_a_matters_channel_map_goes_with_uploads_that_name_none(gateway: FastAPI) -> None:
    sent: list[dict[str, str]] = []

    async def ingest(request: httpx.Request) -> httpx.Response:
        await request.aread()
        if request.url.path != "/internal/v1/documents":  # the readiness probe's /health/live
            return httpx.Response(200, json={"status": "live"})
        sent.append(dict(request.url.params))
        return httpx.Response(202, json={"document_id": f"d{len(sent)}", "status": "accepted"})

    gateway.state.gateway.ingest = httpx.AsyncClient(
        transport=httpx.MockTransport(ingest), base_url="http://ingest"
    )
    matter = f"PLC-{time.time_ns()}"
    async with gateway_client(gateway) as admin:
        refused = await admin.post(
            "/v1/matters", json={"matter_id": matter, "name": "m", "channels": "court"}
        )
        created = await admin.post(
            "/v1/matters",
            json={"matter_id": matter, "name": "m", "channels": "1:the court,2:the witness"},
        )
        shown = await admin.get(f"/v1/matters/{matter}")
        for form in ({}, {"channels": "1:Judge Vasquez"}):
            answer = await admin.post(
                "/v1/documents",
                data={"matter_id": matter, **form},
                files={"file": ("h.wav", b"RIFF", "audio/wav")},
            )
            assert answer.status_code == 202, answer.text
        changed = await admin.patch(f"/v1/matters/{matter}", json={"channels": "1:the clerk"})

    assert refused.status_code == 400
    assert created.status_code == 201, created.text
    assert shown.json()["channels"] == "1:the court,2:the witness"
    assert [params.get("channels") for params in sent] == [
        "1:the court,2:the witness",  # the matter's
        "1:Judge Vasquez",  # the upload's own wins
    ]
    assert changed.json()["channels"] == "1:the clerk"
