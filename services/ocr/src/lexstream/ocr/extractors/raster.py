"""Raster images opened safely: decompression-bomb and pixel limits, one frame at a time."""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image

from lexstream.ocr.errors import ExtractionError


def open_image(path: Path, max_page_pixels: int) -> Image.Image:
    """Open (header only) with the decompression-bomb check; raise ExtractionError if bad."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise ExtractionError(f"image is a decompression bomb: {exc}") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ExtractionError(f"image cannot be decoded: {exc}") from exc
    check_pixels(image, max_page_pixels, "image")
    return image


def check_pixels(image: Image.Image, max_page_pixels: int, what: str) -> None:
    width, height = image.size
    if width * height > max_page_pixels:
        raise ExtractionError(
            f"{what} is {width} x {height} pixels ({width * height / 1e6:.0f} megapixels),"
            f" above the limit of {max_page_pixels / 1e6:.0f} megapixels per page"
        )
    if width == 0 or height == 0:
        raise ExtractionError(f"{what} has no pixels")


def load_image_frame(path: Path, frame: int, max_page_pixels: int) -> Image.Image:
    image = open_image(path, max_page_pixels)
    try:
        if frame:
            image.seek(frame)
            check_pixels(image, max_page_pixels, f"frame {frame + 1}")
        info = dict(image.info)
        image.load()
        if image.mode not in ("1", "L", "RGB"):
            image = (
                image.convert("RGBA").convert("RGB") if "A" in image.mode else image.convert("L")
            )
        loaded = image.copy()
        loaded.info.update(info)
    except ExtractionError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ExtractionError(f"image frame {frame + 1} cannot be decoded: {exc}") from exc
    finally:
        image.close()
    return loaded
