"""Images: PNG, JPEG, WebP, multi-page CCITT fax TIFF; bombs and oversized pages refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from ocr_docgen import png_bomb, render_page
from tests.unit.ocr.ocr_extract import extract

from lexstream.ocr.extract import ExtractionError, OcrOptions, OcrPool
from lexstream.ocr.languages import find_tessdata

LINES = ["NOTICE OF HEARING", "The hearing is set for March 3, 2025 at 9:00 a.m."]


@pytest.mark.parametrize(
    ("suffix", "media_type", "params"),
    [
        (".png", "image/png", {"dpi": (300, 300)}),
        (".jpg", "image/jpeg", {"quality": 60, "dpi": (300, 300)}),
        (".webp", "image/webp", {"quality": 70}),
    ],
)
def test_single_images(
    tmp_path: Path, options: OcrOptions, suffix: str, media_type: str, params: dict[str, object]
) -> None:
    path = tmp_path / f"notice{suffix}"
    render_page(LINES, size=(1700, 500)).save(path, **params)
    (page,) = extract(path, media_type, options).text.pages
    assert page.method == "ocr"
    assert "NOTICE OF HEARING" in page.text
    assert "hearing is set for March 3, 2025" in page.text
    assert (page.width, page.height) == (1700, 500)


def test_multipage_fax_tiff_in_a_shared_pool(tmp_path: Path, options: OcrOptions) -> None:
    frames = [
        render_page([f"Fax page {n} of 3", "Transmitted to the clerk of court."], size=(1700, 400))
        .point(lambda v: 255 if v > 128 else 0)
        .convert("1")
        for n in (1, 2, 3)
    ]
    path = tmp_path / "fax.tif"
    frames[0].save(
        path, compression="group4", save_all=True, append_images=frames[1:], dpi=(300, 300)
    )
    hinted = options.model_copy(update={"language_hint": "en"})
    seen: list[tuple[int, int]] = []
    with OcrPool(2, str(find_tessdata())) as pool:
        result = extract(
            path, "image/tiff", hinted, pool=pool, progress=lambda d, t: seen.append((d, t))
        )
        again = extract(path, "image/tiff", hinted, pool=pool)
    assert [p.number for p in result.text.pages] == [1, 2, 3]
    for n, page in enumerate(result.text.pages, start=1):
        assert f"Fax page {n} of 3" in page.text
        assert page.language == "en"
    assert seen[-1] == (3, 3)
    assert again.text.pages == result.text.pages


def test_image_decompression_bomb_is_refused(tmp_path: Path, options: OcrOptions) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_bomb(40_000, 40_000))
    assert path.stat().st_size < 1_000_000
    with pytest.raises(ExtractionError, match="decompression bomb"):
        extract(path, "image/png", options)


def test_page_of_20000_by_20000_pixels_is_refused(tmp_path: Path, options: OcrOptions) -> None:
    # 400 megapixels: beyond Pillow's own bomb limit as well as ours.
    path = tmp_path / "huge.png"
    path.write_bytes(png_bomb(20_000, 20_000))
    with pytest.raises(ExtractionError, match=r"400000000 pixels.*exceeds limit"):
        extract(path, "image/png", options)


def test_page_above_the_page_pixel_limit_is_refused(tmp_path: Path, options: OcrOptions) -> None:
    path = tmp_path / "poster.png"
    path.write_bytes(png_bomb(9_000, 9_000))
    with pytest.raises(ExtractionError, match=r"9000 x 9000 pixels .* above the limit of 64"):
        extract(path, "image/png", options)


def test_corrupt_image(tmp_path: Path, options: OcrOptions) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    with pytest.raises(ExtractionError, match="cannot be decoded"):
        extract(path, "image/jpeg", options)
