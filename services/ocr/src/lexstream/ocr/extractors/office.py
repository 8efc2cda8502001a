"""Word-processor formats (DOCX, DOC, RTF, ODT, WordPerfect) through LibreOffice to PDF.

Converting to PDF keeps the pagination a lawyer sees when printing, so a hit can say
"page 14"; the PDF's text layer is then read like any other PDF. Zip containers are
checked first (zip bombs, XML entity declarations), since OOXML and ODF never need a DTD.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import zipfile
from pathlib import Path

from lexstream.ocr.errors import ExtractionError, ExtractorUnavailableError
from lexstream.ocr.extractors.base import ExtractionContext, ExtractionResult
from lexstream.ocr.extractors.pdf import extract_pdf

logger = logging.getLogger(__name__)

_SUFFIXES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-word.document.macroenabled.12": ".docm",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template": ".dotx",
    "application/msword": ".doc",
    "application/rtf": ".rtf",
    "text/rtf": ".rtf",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.wordperfect": ".wpd",
    "application/wordperfect": ".wpd",
    "application/wordperfect5.1": ".wpd",
    "application/x-wordperfect": ".wpd",
}
_ZIPPED = frozenset({".docx", ".docm", ".dotx", ".odt"})
_KIND = {".docx": "DOCX", ".docm": "DOCX", ".dotx": "DOCX", ".odt": "ODT"}
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_CHUNK = 1 << 20


def find_soffice() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ExtractorUnavailableError(
        "LibreOffice is not installed (apt-get install libreoffice-writer-nogui)"
    )


def check_zip_container(path: Path, kind: str, max_bytes: int) -> None:
    """Refuse corrupt zips, zip bombs and XML with DTDs (entity-expansion bombs, XXE)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExtractionError(
            f"{kind} is not a valid zip container (corrupt or truncated)"
        ) from exc
    with archive:
        members = archive.infolist()
        if kind == "DOCX" and "[Content_Types].xml" not in archive.namelist():
            raise ExtractionError("DOCX has no [Content_Types].xml: not a Word document")
        declared = sum(member.file_size for member in members)
        if declared > max_bytes:
            raise ExtractionError(
                f"{kind} expands to {declared:,} bytes, above the limit of {max_bytes:,}"
                " (zip bomb?)"
            )
        seen = 0
        for member in members:
            if not member.filename.lower().endswith((".xml", ".rels")):
                continue
            try:
                with archive.open(member) as stream:
                    tail = b""
                    while chunk := stream.read(_CHUNK):
                        seen += len(chunk)
                        if seen > max_bytes:
                            raise ExtractionError(f"{kind} expands beyond {max_bytes:,} bytes")
                        window = tail + chunk
                        if any(marker in window for marker in _DTD_MARKERS):
                            raise ExtractionError(
                                f"{kind} part {member.filename} declares a DTD or XML entities"
                                " (possible entity-expansion bomb); refused"
                            )
                        tail = chunk[-16:]
            except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as exc:
                raise ExtractionError(
                    f"{kind} part {member.filename} cannot be decompressed: {exc}"
                ) from exc


def convert_to_pdf(source: Path, work_dir: Path, timeout_s: float) -> Path:
    """LibreOffice headless conversion in a private profile; killed after ``timeout_s``."""
    soffice = find_soffice()
    profile = work_dir / "lo-profile"
    out_dir = work_dir / "lo-out"
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [
        soffice,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--invisible",
        "--nologo",
        "--nodefault",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out_dir),
        str(source),
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # own process group, so a timeout kills all of it
        env={**os.environ, "HOME": str(work_dir), "SAL_USE_VCLPLUGIN": "svp"},
    )
    try:
        output, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ExtractionError(
            f"LibreOffice did not finish converting the document within {timeout_s:.0f} s"
        ) from exc
    pdf = out_dir / (source.stem + ".pdf")
    if process.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        detail = output.decode("utf-8", "replace").strip().splitlines()[-1:] if output else []
        raise ExtractionError(
            "LibreOffice could not convert the document (corrupt or unsupported)"
            + (f": {detail[0]}" if detail else "")
        )
    return pdf


class OfficeExtractor:
    name = "office"

    def matches(self, media_type: str) -> bool:
        return media_type in _SUFFIXES

    def extract(self, path: Path, ctx: ExtractionContext) -> ExtractionResult:
        suffix = _SUFFIXES[ctx.media_type]
        if suffix in _ZIPPED:
            check_zip_container(path, _KIND[suffix], ctx.options.max_archive_bytes)
        # LibreOffice picks its import filter partly by extension: give it the right one.
        source = ctx.work_dir / f"document{suffix}"
        shutil.copyfile(path, source)
        pdf = convert_to_pdf(source, ctx.work_dir, ctx.options.office_timeout_s)
        result = extract_pdf(pdf, ctx, text_layer_method="converted")
        if result.searchable_pdf is None and ctx.options.searchable_pdf:
            # The converted PDF is itself searchable: hand it back.
            result.searchable_pdf = pdf.rename(ctx.work_dir / "searchable.pdf")
        return result
