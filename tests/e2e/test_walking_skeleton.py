"""One document of each kind, from upload through every service to a search hit."""

from __future__ import annotations

import random

import pytest

from tests.e2e.conftest import RunningSystem
from tests.samples import FEDERAL_CIRCUIT_PDF, JFK_FLAC, sample

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

PDF = FEDERAL_CIRCUIT_PDF
AUDIO = JFK_FLAC


def test_pdf_and_audio_are_searchable_and_bad_input_fails(running_system: RunningSystem) -> None:
    with running_system.client() as client:
        uploads = {
            "pdf": ("nelson-v-k2.pdf", sample(PDF).read_bytes(), "application/pdf"),
            "audio": ("jfk.flac", sample(AUDIO).read_bytes(), "audio/flac"),
            "empty": ("empty.pdf", b"", "application/pdf"),
            "random": ("random.pdf", random.Random(42).randbytes(64 * 1024), "application/pdf"),
        }
        ids: dict[str, str] = {}
        for label, (name, data, media_type) in uploads.items():
            response = client.post("/v1/documents", files={"file": (name, data, media_type)})
            assert response.status_code == 202, response.text
            body = response.json()
            assert body["status_url"] == f"/v1/documents/{body['document_id']}"
            ids[label] = body["document_id"]
        # the next good document after the bad ones
        text = b"Statement of claim: the Respondent breached clause 14 of the charterparty."
        response = client.post("/v1/documents", files={"file": ("claim.txt", text, "text/plain")})
        assert response.status_code == 202
        ids["after-bad"] = response.json()["document_id"]

        final = {
            label: running_system.wait_terminal(client, doc_id) for label, doc_id in ids.items()
        }

        assert final["pdf"]["status"] == "indexed", final["pdf"]
        assert final["pdf"]["pages"] == 2
        assert final["audio"]["status"] == "indexed", final["audio"]
        assert final["after-bad"]["status"] == "indexed", final["after-bad"]
        assert final["empty"]["status"] == "failed"
        assert "empty" in final["empty"]["failure_reason"]
        assert final["random"]["status"] == "failed"
        assert "unsupported media type" in final["random"]["failure_reason"]

        # the PDF: a word that only appears on page 2
        hits = client.get("/v1/search", params={"q": "ADJUDGED"}).json()["hits"]
        pdf_hit = next(h for h in hits if h["document_id"] == ids["pdf"])
        assert any(h.get("page") == 2 and "ADJUDGED" in h["text"] for h in pdf_hit["highlights"])

        # the recording: a spoken phrase, with the segment's start time
        hits = client.get("/v1/search", params={"q": '"ask not what your country"'}).json()["hits"]
        audio_hit = next(h for h in hits if h["document_id"] == ids["audio"])
        starts = [h["start"] for h in audio_hit["highlights"] if "start" in h]
        assert starts
        assert 0.0 <= starts[0] < 11.0

        transcript = client.get(f"/v1/documents/{ids['audio']}/transcript").json()
        assert "ask not" in " ".join(s["text"] for s in transcript["segments"]).lower()
        vtt = client.get(f"/v1/documents/{ids['audio']}/transcript", params={"format": "vtt"})
        assert vtt.text.startswith("WEBVTT")

        text_pages = client.get(f"/v1/documents/{ids['pdf']}/text").json()["pages"]
        assert [p["number"] for p in text_pages] == [1, 2]
        assert text_pages[0]["method"] == "text-layer"

        # the same bytes again are the same document
        again = client.post(
            "/v1/documents",
            files={"file": ("again.pdf", sample(PDF).read_bytes(), "application/pdf")},
        )
        assert again.json()["document_id"] == ids["pdf"]

        original = client.get(f"/v1/documents/{ids['pdf']}/original", follow_redirects=False)
        assert original.status_code == 307
        import httpx

        downloaded = httpx.get(original.headers["location"], timeout=30)
        assert downloaded.status_code == 200
        assert downloaded.content == sample(PDF).read_bytes()


def test_routes_refuse_callers_without_credentials(running_system: RunningSystem) -> None:
    import httpx

    with httpx.Client(base_url=running_system.gateway_url) as anonymous:
        assert anonymous.get("/v1/search", params={"q": "x"}).status_code == 401
        assert anonymous.get("/v1/documents/some-id").status_code == 401
        assert anonymous.get("/health/live").status_code == 200
        wrong = anonymous.get("/v1/search", headers={"X-API-Key": "not-the-key"})
        assert wrong.status_code == 401
