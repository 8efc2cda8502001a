"""Page images (gateway/pages.py): width snapping, rendering with pdftoppm, the cache key."""

from __future__ import annotations

import asyncio
import shutil
import struct
from pathlib import Path

import pytest
from tests.reliability.corpus import text_pdf

from lexstream.gateway.pages import (
    WIDTHS,
    RenderFailed,
    page_cache_key,
    render_page,
    snapped_width,
)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize(
    ("asked", "served"), [(1, 160), (160, 160), (161, 320), (1000, 1280), (4000, 2000)]
)
def test_a_width_snaps_up_to_a_rendering_size(asked: int, served: int) -> None:
    assert snapped_width(asked) == served
    assert served in WIDTHS


def test_each_width_of_each_page_has_its_own_cache_key() -> None:
    keys = {page_cache_key("doc1", n, w) for n in (1, 2) for w in (160, 1280)}
    assert len(keys) == 4
    assert page_cache_key("doc1", 2, 640).startswith("doc1/")


needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="needs pdftoppm (apt-get install poppler-utils)"
)


@needs_poppler
def test_a_page_renders_at_the_width_with_the_page_aspect(tmp_path: Path) -> None:
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(text_pdf(["The court finds for the plaintiff."]))
    png = asyncio.run(render_page(pdf, 1, 640, timeout_s=30))
    width, height = _png_size(png)
    assert width == 640
    # US Letter, 612 x 792 points: the image keeps the page's proportions
    assert abs(height - round(640 * 792 / 612)) <= 1


@needs_poppler
def test_a_page_past_the_end_or_a_broken_pdf_is_refused(tmp_path: Path) -> None:
    pdf = tmp_path / "one-page.pdf"
    pdf.write_bytes(text_pdf(["one page"]))
    with pytest.raises(RenderFailed):
        asyncio.run(render_page(pdf, 2, 320, timeout_s=30))
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot really a pdf")
    with pytest.raises(RenderFailed):
        asyncio.run(render_page(broken, 1, 320, timeout_s=30))
