"""Every format family through the running system, and bad input that must fail cleanly.

Good files end `indexed` with their text searchable; each bad file ends `failed` with a
reason a person can read; a good file submitted after them is still indexed.
"""

from __future__ import annotations

import io
import math
import random
import struct
from email.message import EmailMessage

import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.e2e.conftest import RunningSystem
from tests.samples import LEGAL_DOCUMENTS, MULTILINGUAL_MP3, sample
from tests.support.factories import mono_wav
from tests.support.wait import eventually
from tests.unit.ocr.ocr_docgen import wordperfect_51

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

DOCS = LEGAL_DOCUMENTS


def scanned_png(text: str) -> bytes:
    image = Image.new("L", (2480, 900), 255)
    draw = ImageDraw.Draw(image)
    try:
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont = ImageFont.truetype(
            "DejaVuSans.ttf", 64
        )
    except OSError:
        font = ImageFont.load_default(size=64)
    draw.text((150, 300), text, fill=0, font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(300, 300))
    return buffer.getvalue()


def fax_tiff(*pages: str) -> bytes:
    """A multi-page bilevel TIFF with CCITT Group 4 compression, as a fax server writes."""
    images = [Image.open(io.BytesIO(scanned_png(text))).convert("1") for text in pages]
    buffer = io.BytesIO()
    images[0].save(
        buffer,
        format="TIFF",
        compression="group4",
        dpi=(300, 300),
        save_all=True,
        append_images=images[1:],
    )
    return buffer.getvalue()


def blank_scan_pdf() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (2550, 3300), 255).save(buffer, format="PDF", resolution=300)
    return buffer.getvalue()


def wav(seconds: float, *, tone: bool) -> bytes:
    rate = 16000
    frames = bytearray()
    for i in range(int(seconds * rate)):
        sample = int(8000 * math.sin(2 * math.pi * 440 * i / rate)) if tone else 0
        frames += struct.pack("<h", sample)
    return mono_wav(bytes(frames), rate=rate)


def video_without_audio() -> bytes:
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for _ in range(10):
            frame = av.VideoFrame.from_image(Image.new("RGB", (64, 64), (200, 10, 10)))
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def email_with_attachment() -> bytes:
    message = EmailMessage()
    message["From"] = "clerk@court.example"
    message["To"] = "counsel@firm.example"
    message["Subject"] = "Notice of hearing in Quillfeather v Brandmoor"
    message["Date"] = "Mon, 02 Mar 2026 09:00:00 +0000"
    message.set_content("The hearing in Quillfeather v Brandmoor is listed for 14 April 2026.")
    message.add_attachment(
        b"Skeleton argument of the claimant Quillfeather.",
        maintype="text",
        subtype="plain",
        filename="skeleton.txt",
    )
    return bytes(message)


def upload(client: object, name: str, data: bytes) -> str:
    response = client.post("/v1/documents", files={"file": (name, data)})  # type: ignore[attr-defined]
    assert response.status_code == 202, response.text
    document_id: str = response.json()["document_id"]
    return document_id


def test_each_format_family_is_indexed_and_searchable(running_system: RunningSystem) -> None:
    cases = {
        # name: (bytes, a word that must be found in the document's text)
        "order.docx": ((DOCS / "uksc_2023_50_press-summary.docx").read_bytes(), "Zubaydah"),
        "opinion.html": ((DOCS / "txctapp3_case_03-23-00068-CR.html").read_bytes(), "appellant"),
        "statute.txt": ((DOCS / "nc_statute_163-230.2.txt").read_bytes(), "ballot"),
        "notice.eml": ((DOCS / "pacer_nef_cand_1.eml").read_bytes(), "electronic"),
        "scan.pdf": ((DOCS / "fisc_image_based_snippet.pdf").read_bytes(), "Foreign Intelligence"),
        "exhibit.png": (scanned_png("Exhibit Zanzibarian affidavit"), "Zanzibarian"),
        "fax.tiff": (fax_tiff("Facsimile Quodlibet order", "Second page Marchpane"), "Marchpane"),
        "order.rtf": (
            rb"{\rtf1\ansi\deff0{\fonttbl{\f0 Times New Roman;}}\f0\fs24"
            rb" ORDER granting the Ossuary motion.\par}",
            "Ossuary",
        ),
        "motion.wpd": (
            wordperfect_51(["IN THE SUPERIOR COURT", "Motion of the Wolfsbane defendants."]),
            "Wolfsbane",
        ),
    }
    with running_system.client() as client:
        ids = {name: upload(client, name, data) for name, (data, _) in cases.items()}
        for name, document_id in ids.items():
            final = running_system.wait_terminal(client, document_id)
            assert final["status"] == "indexed", (name, final)
            pages = client.get(f"/v1/documents/{document_id}/text").json()["pages"]
            text = " ".join(p["text"] for p in pages).lower()
            assert cases[name][1].lower() in text, (name, text[:300])
        scan_pages = client.get(f"/v1/documents/{ids['exhibit.png']}/text").json()["pages"]
        assert scan_pages[0]["method"] == "ocr"
        assert scan_pages[0]["confidence"] is not None
        hits = client.get("/v1/search", params={"q": "Zanzibarian"}).json()["hits"]
        assert ids["exhibit.png"] in [h["document_id"] for h in hits]
        fax_pages = client.get(
            f"/v1/documents/{ids['fax.tiff']}/text", params={"words": "true"}
        ).json()["pages"]
        assert [p["number"] for p in fax_pages] == [1, 2]
        assert "Marchpane" in {w["text"] for w in fax_pages[1]["words"]}
        scan_words = client.get(
            f"/v1/documents/{ids['scan.pdf']}/text", params={"words": "true"}
        ).json()["pages"]
        assert all(w["width"] > 0 for w in scan_words[0]["words"])
        assert scan_words[0]["words"]
        assert scan_words[0]["width"] > 0


def test_a_blank_scan_is_indexed_with_the_reason_it_has_no_text(
    running_system: RunningSystem,
) -> None:
    with running_system.client() as client:
        document_id = upload(client, "blank-scan.pdf", blank_scan_pdf())
        final = running_system.wait_terminal(client, document_id)
        assert final["status"] == "indexed", final
        assert final["warnings"][0] == "no text could be recovered from any page"
        assert any("recognised no text" in w for w in final["warnings"])


def test_email_attachment_becomes_a_child_document(running_system: RunningSystem) -> None:
    with running_system.client() as client:
        parent = upload(client, "notice.eml", email_with_attachment())
        assert running_system.wait_terminal(client, parent)["status"] == "indexed"

        def child_hits() -> list[dict[str, object]]:
            # The phrase, quoted: an unquoted query ranks every document with either word.
            params = {"q": '"skeleton argument"'}
            hits = client.get("/v1/search", params=params).json()["hits"]
            return [h for h in hits if h["document_id"] != parent]

        found = eventually(
            child_hits, what="the attachment indexed as its own document", timeout_s=120
        )
        child = client.get(f"/v1/documents/{found[0]['document_id']}").json()
        assert child["parent_document_id"] == parent


def test_bad_input_fails_with_a_reason_and_the_next_document_is_indexed(
    running_system: RunningSystem,
) -> None:
    pdf = (DOCS / "FederalCircuit-09-1361.pdf").read_bytes()
    mp3 = sample(MULTILINGUAL_MP3).read_bytes()
    rng = random.Random(3)
    bad = {
        "truncated.pdf": (pdf[: len(pdf) // 3], None),
        "header-only.pdf": (b"%PDF-1.7\n", None),
        "corrupted.mp3": (mp3[:400] + rng.randbytes(60_000), None),
        "no-audio.mp4": (video_without_audio(), None),
        "too-long.wav": (wav(150, tone=True), "longer than"),
    }
    with running_system.client() as client:
        ids = {name: upload(client, name, data) for name, (data, _) in bad.items()}
        silence = upload(client, "silence.wav", wav(5, tone=False))
        good = upload(
            client,
            "after.txt",
            b"Witness statement of Ms Ortolan concerning the Brightwater lease.",
        )
        for name, document_id in ids.items():
            final = running_system.wait_terminal(client, document_id)
            assert final["status"] == "failed", (name, final)
            reason = final["failure_reason"]
            assert reason, (name, final)
            assert len(reason) > 10, (name, final)
            expected = bad[name][1]
            if expected:
                assert expected in reason, (name, reason)
        quiet = running_system.wait_terminal(client, silence)
        assert quiet["status"] == "indexed", quiet
        transcript = client.get(f"/v1/documents/{silence}/transcript").json()
        assert transcript["segments"] == []
        assert running_system.wait_terminal(client, good)["status"] == "indexed"
