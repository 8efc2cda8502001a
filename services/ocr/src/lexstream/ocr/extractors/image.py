"""Images (TIFF with several pages and CCITT fax, PNG, JPEG, WebP, ...): OCR each frame."""

from __future__ import annotations

import functools
from pathlib import Path

from lexstream.ocr.errors import ExtractionError
from lexstream.ocr.extractors.base import (
    EXTRACTOR_VERSION,
    ExtractionContext,
    ExtractionResult,
    PageOcrResult,
)
from lexstream.ocr.extractors.ocrplan import (
    merge_pdf,
    ocr_page_to_page,
    plan_language,
    run_ocr,
    tessdata_for,
    with_scan_tables,
)
from lexstream.ocr.extractors.raster import load_image_frame, open_image
from lexstream.ocr.languages import document_language
from lexstream.shared.artifacts import TextDocument

#: A multi-page TIFF with more frames than this is refused rather than OCR'd for hours.
MAX_FRAMES = 5000


class ImageExtractor:
    name = "image"
    media_types = frozenset(
        {
            "image/tiff",
            "image/png",
            "image/jpeg",
            "image/jpg",
            "image/pjpeg",
            "image/webp",
            "image/bmp",
            "image/x-ms-bmp",
            "image/gif",
        }
    )

    def matches(self, media_type: str) -> bool:
        return media_type in self.media_types

    def extract(self, path: Path, ctx: ExtractionContext) -> ExtractionResult:
        image = open_image(path, ctx.options.max_page_pixels)
        try:
            frames = int(getattr(image, "n_frames", 1))
        except (OSError, ValueError, EOFError) as exc:
            raise ExtractionError(f"image frames cannot be read: {exc}") from exc
        finally:
            image.close()
        if frames < 1:
            raise ExtractionError("image has no frames")
        if frames > MAX_FRAMES:
            raise ExtractionError(f"image has {frames} frames, more than {MAX_FRAMES}")

        tessdata = tessdata_for(ctx)
        plan = plan_language(ctx, tessdata, "")
        results: dict[int, PageOcrResult] = {}
        ctx.report(0, frames)

        def on_page(result: PageOcrResult) -> None:
            results[result.index] = result
            ctx.report(len(results), frames)

        run_ocr(ctx, "image", path, list(range(frames)), plan, tessdata, on_page)
        pages = [
            with_scan_tables(
                ocr_page_to_page(results[i]),
                results[i],
                functools.partial(load_image_frame, path, i, ctx.options.max_page_pixels),
            )
            for i in range(frames)
        ]
        searchable = None
        if ctx.options.searchable_pdf:
            parts = [(Path(results[i].pdf_path or ""), 0) for i in range(frames)]
            searchable = merge_pdf(parts, ctx.work_dir / "searchable.pdf")
        text = TextDocument(
            document_id=ctx.document_id,
            media_type=ctx.media_type,
            pages=pages,
            language=document_language(pages),
            extractor=f"{EXTRACTOR_VERSION} image",
            warnings=plan.warnings,
        )
        return ExtractionResult(text=text, searchable_pdf=searchable)
