"""Tables on a page: rows of cells with their text, for text PDFs and for scans.

Text PDFs are read with pdfplumber: a page with ruling lines by its lines (``lines``
strategy: drawn cell borders), and a block of lines whose words stand in aligned columns
by the words' positions (``text`` strategy, on that block only). Scans go through img2table:
it finds the table regions and cells in the page image (ruled and borderless), and their
text comes from the words Tesseract already read on the page (no second OCR).

Cost is bounded by a gate: a page is looked at only when it draws ruling lines or has a
block of aligned columns (:func:`aligned_blocks`, on the word boxes already in hand).
"""

from __future__ import annotations

import itertools
import logging
import re
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lexstream.ocr.columns import find_gutter, lines_of
from lexstream.shared.artifacts import Table, TableCell, TableSource, WordBox

logger = logging.getLogger(__name__)

#: A gap between two words wider than this many word heights separates two columns.
_COLUMN_GAP = 1.5
#: A block of aligned columns: this many consecutive lines of at least two columns each...
_MIN_BLOCK_LINES = 3
#: ...with short segments (a column of prose beside another is two-column text, not a table).
_MAX_SEGMENT_WORDS = 6
#: Lines of a block are no further apart than this many line heights.
_MAX_LINE_GAP = 2.5
#: A page with at least this many drawn lines or rectangles may hold a ruled table.
_MIN_RULINGS = 4
#: A table has at least two rows and two columns, and most cells are not empty.
_MIN_FILLED = 0.5


def normalise(text: str | None) -> str:
    return " ".join((text or "").split())


def segments(line: Sequence[WordBox]) -> list[list[WordBox]]:
    """A line's words split where the gap between two words is wider than a column gap."""
    if not line:
        return []
    height = statistics.median(w.height for w in line)
    parts: list[list[WordBox]] = [[line[0]]]
    for previous, word in itertools.pairwise(line):
        if word.left - (previous.left + previous.width) > _COLUMN_GAP * height:
            parts.append([word])
        else:
            parts[-1].append(word)
    return parts


def aligned_blocks(words: Sequence[WordBox]) -> list[tuple[float, float, float, float]]:
    """Boxes (left, top, right, bottom) of blocks of lines whose words stand in aligned
    columns: the gate for unruled tables, in the words' units."""
    blocks: list[tuple[float, float, float, float]] = []
    run: list[list[WordBox]] = []

    def close() -> None:
        if len(run) >= _MIN_BLOCK_LINES:
            flat = [w for line in run for w in line]
            blocks.append(
                (
                    min(w.left for w in flat),
                    min(w.top for w in flat),
                    max(w.left + w.width for w in flat),
                    max(w.top + w.height for w in flat),
                )
            )
        run.clear()

    last_bottom: float | None = None
    for line in lines_of(words):
        parts = segments(line)
        tabular = len(parts) >= 2 and all(len(p) <= _MAX_SEGMENT_WORDS for p in parts)
        top = min(w.top for w in line)
        height = statistics.median(w.height for w in line)
        near = last_bottom is None or top - last_bottom <= _MAX_LINE_GAP * height
        if tabular and (near or not run):
            run.append(line)
        elif tabular:
            close()
            run.append(line)
        else:
            # a wrapped cell line (one short segment) close under a block is part of it
            if run and near and len(parts) == 1 and len(line) <= _MAX_SEGMENT_WORDS:
                run.append(line)
            else:
                close()
        last_bottom = max(w.top + w.height for w in line)
    close()
    return blocks


def cells_from_grid(grid: Sequence[Sequence[str | None]]) -> list[list[TableCell]]:
    """Rows of cells from a grid where ``None`` marks a position a merged cell covers: the
    cell to its left when there is one in the row, else the cell above."""
    rows: list[list[TableCell]] = []
    owners: list[list[tuple[int, int] | None]] = []  # grid position -> (row, index in row)
    for r, grid_row in enumerate(grid):
        row: list[TableCell] = []
        owner_row: list[tuple[int, int] | None] = []
        for c, value in enumerate(grid_row):
            if value is not None:
                row.append(TableCell(text=normalise(value)))
                owner_row.append((r, len(row) - 1))
            elif row:
                row[-1] = row[-1].model_copy(update={"col_span": row[-1].col_span + 1})
                owner_row.append((r, len(row) - 1))
            elif r and c < len(owners[r - 1]) and (above := owners[r - 1][c]) is not None:
                ar, ai = above
                if owner_row[-1:] != [above]:  # once a row, however many columns it covers
                    target = rows[ar][ai]
                    rows[ar][ai] = target.model_copy(update={"row_span": target.row_span + 1})
                owner_row.append(above)
            else:
                row.append(TableCell(text=""))
                owner_row.append((r, len(row) - 1))
        rows.append(row)
        owners.append(owner_row)
    return [row for row in rows if row]


def grid_texts(table: Table) -> list[list[str]]:
    """The table as a full grid of texts: a merged cell's text in its first position and
    empty strings in the others it covers (what accuracy is measured on)."""
    width = table.columns
    grid: list[list[str | None]] = [[None] * width for _ in table.rows]
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while c < width and grid[r][c] is not None:
                c += 1
            for dr in range(cell.row_span):
                for dc in range(cell.col_span):
                    if r + dr < len(grid) and c + dc < width:
                        grid[r + dr][c + dc] = "" if dr or dc else cell.text
            c += cell.col_span
    return [[value or "" for value in row] for row in grid]


def _usable(grid: Sequence[Sequence[str | None]]) -> bool:
    if len(grid) < 2 or max((len(row) for row in grid), default=0) < 2:
        return False
    values = [v for row in grid for v in row if v is not None]
    return bool(values) and sum(bool(normalise(v)) for v in values) >= _MIN_FILLED * len(values)


# --- text PDFs ---------------------------------------------------------------------------

_LINES = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_TEXT = {
    "vertical_strategy": "text",
    "horizontal_strategy": "text",
    "min_words_vertical": 2,
    "min_words_horizontal": 1,
    "text_x_tolerance": 2,
    "snap_tolerance": 3,
}
_BOLD = re.compile(r"bold|black|heavy", re.IGNORECASE)


def pdf_page_tables(
    plumber_page: Any, words: Sequence[WordBox], scale: float, *, strategy: str = "auto"
) -> list[Table]:
    """The tables of one pdfplumber page; ``words`` are the page's word boxes in pixels
    (``scale`` pixels a point). ``strategy``: ``auto`` (lines where the page draws them,
    text on aligned blocks outside them), ``lines`` or ``text`` (the cross-check)."""
    tables: list[Table] = []
    taken: list[tuple[float, float, float, float]] = []
    rulings = len(plumber_page.lines) + len(plumber_page.rects)
    if strategy in ("auto", "lines") and rulings >= _MIN_RULINGS:
        for found in plumber_page.find_tables(table_settings=_LINES):
            table = _from_plumber(plumber_page, found, scale, "ruled")
            if table is not None:
                tables.append(table)
                taken.append(found.bbox)
    if strategy == "lines" or find_gutter(words, float(plumber_page.width) * scale):
        return tables  # two columns of prose side by side are not a table
    for block in aligned_blocks(words):
        box = tuple(v / scale for v in block)
        if any(_inside(box, other) for other in taken):
            continue
        if strategy == "text":
            tables += _plumber_text_tables(plumber_page, box, scale)
            continue
        inside = [w for w in words if _inside(_box_of(w), block)]
        table = aligned_table(inside)
        if table is not None:
            table = table.model_copy(
                update={"header_rows": _bold_first_row(plumber_page, table, scale)}
            )
            tables.append(table)
    return sorted(tables, key=lambda t: (t.bbox[1], t.bbox[0]))


def _plumber_text_tables(plumber_page: Any, box: tuple[float, ...], scale: float) -> list[Table]:
    """pdfplumber's ``text`` strategy on one block (the cross-check for unruled tables)."""
    pad = 2.0
    crop_box = (
        max(0.0, box[0] - pad),
        max(0.0, box[1] - pad),
        min(float(plumber_page.width), box[2] + pad),
        min(float(plumber_page.height), box[3] + pad),
    )
    region = plumber_page.crop(crop_box)
    found = (_from_plumber(region, t, scale, "aligned") for t in region.find_tables(_TEXT))
    return [table for table in found if table is not None]


def _box_of(word: WordBox) -> tuple[float, float, float, float]:
    return (word.left, word.top, word.left + word.width, word.top + word.height)


#: Lines of one row of an unruled table are closer than this many line heights; rows are
#: told apart by wider gaps where the block has two kinds of gap (padded rows).
_ROW_GAP_RATIO = 1.6


def aligned_table(words: Sequence[WordBox]) -> Table | None:
    """An unruled table from the words of a block of aligned columns: columns where the
    x-extents of the lines' segments overlap, rows from the lines (lines closer together
    than the block's row gaps, and a lone wrapped line under a fuller one, join a row)."""
    lines = lines_of(words)
    if len(lines) < 2:
        return None
    line_segments = [segments(line) for line in lines]
    # the columns are where the fullest lines' segments stand; a segment of another line
    # that reaches over two of them (cells set close together) is split word by word
    fullest = max(len(segs) for segs in line_segments)
    columns = _column_intervals(
        [seg for segs in line_segments if len(segs) == fullest for seg in segs]
    )
    if len(columns) < 2:
        return None
    grid: list[list[str | None]] = []
    for group in _row_groups(lines):
        texts: list[list[str]] = [[] for _ in columns]
        for index in group:
            for seg in line_segments[index]:
                left, right = seg[0].left, seg[-1].left + seg[-1].width
                spanned = [c for c, (a, b) in enumerate(columns) if a < right and left < b]
                if len(spanned) <= 1:
                    texts[spanned[0] if spanned else _nearest(columns, left, right)] += [
                        w.text for w in seg
                    ]
                    continue
                for word in seg:
                    texts[_nearest(columns, word.left, word.left + word.width)].append(word.text)
        grid.append([" ".join(t) for t in texts])
    grid = _join_wrapped_rows(_merge_exclusive_columns(grid))
    if not _usable(grid):
        return None
    return Table(
        bbox=(
            float(min(w.left for w in words)),
            float(min(w.top for w in words)),
            float(max(w.left + w.width for w in words)),
            float(max(w.top + w.height for w in words)),
        ),
        rows=cells_from_grid(grid),
        source="aligned",
    )


def _merge_exclusive_columns(grid: list[list[str | None]]) -> list[list[str | None]]:
    """Neighbouring columns that no row fills both of are one column whose texts are
    aligned differently (a left-aligned heading over right-aligned amounts)."""
    column = 0
    while grid and column < len(grid[0]) - 1:
        both = any(row[column] and row[column + 1] for row in grid)
        if both or not any(row[column] for row in grid) or not any(row[column + 1] for row in grid):
            column += 1
            continue
        for row in grid:
            row[column] = row[column] or row[column + 1]
            del row[column + 1]
    return grid


def _nearest(columns: Sequence[tuple[float, float]], left: float, right: float) -> int:
    """The column that overlaps [left, right] most, or the closest one."""

    def score(column: int) -> tuple[float, float]:
        a, b = columns[column]
        overlap = min(b, right) - max(a, left)
        return (overlap, -min(abs(a - left), abs(b - right)))

    return max(range(len(columns)), key=score)


def _column_intervals(parts: Sequence[Sequence[WordBox]]) -> list[tuple[float, float]]:
    spans = sorted((seg[0].left, seg[-1].left + seg[-1].width) for seg in parts if seg)
    merged: list[list[float]] = []
    for left, right in spans:
        if merged and left <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], right)
        else:
            merged.append([left, right])
    return [(a, b) for a, b in merged]


def _row_groups(lines: Sequence[Sequence[WordBox]]) -> list[list[int]]:
    """Indexes of lines, grouped into rows: where the gaps between lines are of two kinds
    (rows padded apart, lines of a cell close), a gap narrower than the threshold between
    the two kinds keeps a line in the row above; lines that overlap in height always do."""
    tops = [min(w.top for w in line) for line in lines]
    bottoms = [max(w.top + w.height for w in line) for line in lines]
    gaps = [tops[i + 1] - bottoms[i] for i in range(len(lines) - 1)]
    positive = [g for g in gaps if g > 0]
    threshold = 0.0
    if positive and max(positive) > _ROW_GAP_RATIO * min(positive):
        threshold = (max(positive) * min(positive)) ** 0.5
    groups: list[list[int]] = [[0]]
    for i, gap in enumerate(gaps, start=1):
        if gap <= 0 or gap < threshold:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _bold_first_row(plumber_page: Any, table: Table, scale: float) -> int:
    """1 where the first row of ``table`` (pixels) is set in bold and the rest is not."""
    left, top, right, bottom = (v / scale for v in table.bbox)
    chars = [
        c
        for c in plumber_page.chars
        if left - 1 <= c["x0"]
        and c["x1"] <= right + 1
        and top - 1 <= c["top"]
        and c["bottom"] <= bottom + 1
    ]
    if not chars:
        return 0
    first_top = min(c["top"] for c in chars)
    head = [c for c in chars if c["top"] - first_top < 2]
    body = [c for c in chars if c["top"] - first_top >= 2]
    return _bold_split(head, body)


def _bold_split(head: Sequence[dict[str, Any]], body: Sequence[dict[str, Any]]) -> int:
    if not head or not body:
        return 0
    bold_head = sum(bool(_BOLD.search(c.get("fontname", ""))) for c in head) / len(head)
    bold_body = sum(bool(_BOLD.search(c.get("fontname", ""))) for c in body) / len(body)
    return 1 if bold_head >= 0.8 and bold_body <= 0.2 else 0


def _inside(box: tuple[float, ...], other: tuple[float, ...]) -> bool:
    middle_x, middle_y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return other[0] <= middle_x <= other[2] and other[1] <= middle_y <= other[3]


def _from_plumber(page: Any, found: Any, scale: float, source: TableSource) -> Table | None:
    grid = found.extract()
    if source == "aligned":
        grid = _join_wrapped_rows(grid)
    if not _usable(grid):
        return None
    rows = cells_from_grid(grid)
    left, top, right, bottom = found.bbox
    return Table(
        bbox=(
            round(left * scale, 1),
            round(top * scale, 1),
            round(right * scale, 1),
            round(bottom * scale, 1),
        ),
        rows=rows,
        header_rows=_header_rows(page, found, rows),
        source=source,
    )


def _join_wrapped_rows(grid: Sequence[Sequence[str | None]]) -> list[list[str | None]]:
    """An unruled table read by its words' positions: rows that are only the gaps between
    lines left out, and a row with a single filled cell under a fuller row taken as that
    cell's wrapped line (a multi-line cell without borders reads as several rows)."""
    rows: list[list[str | None]] = []
    for grid_row in grid:
        filled = [c for c, v in enumerate(grid_row) if normalise(v)]
        if not filled:
            continue
        if rows and len(filled) == 1 and len(grid_row) > 2:
            above = rows[-1]
            column = filled[0]
            if sum(bool(normalise(v)) for v in above) >= 2 and column < len(above):
                above[column] = f"{above[column] or ''} {grid_row[column]}"
                continue
        rows.append(list(grid_row))
    return rows


def _header_rows(page: Any, found: Any, rows: list[list[TableCell]]) -> int:
    """1 where the first row is set in bold and the rest is not, or holds a merged cell
    over columns (a group heading); else 0."""
    if len(rows) < 2:
        return 0
    if any(cell.col_span > 1 for cell in rows[0]):
        return 1
    first = found.rows[0].bbox
    chars = page.within_bbox(found.bbox).chars
    head = [c for c in chars if first[1] <= (c["top"] + c["bottom"]) / 2 <= first[3]]
    body = [c for c in chars if (c["top"] + c["bottom"]) / 2 > first[3]]
    return _bold_split(head, body)


def page_may_hold_table(rulings: int, words: Sequence[WordBox], page_width: float) -> bool:
    """The gate: drawn lines enough for a grid, or a block of aligned columns on a page
    that is not two columns of prose."""
    if rulings >= _MIN_RULINGS:
        return True
    return bool(aligned_blocks(words)) and find_gutter(words, page_width) is None


def pdf_tables(
    path: Path, pages: Mapping[int, Sequence[WordBox]], dpi: int, *, strategy: str = "auto"
) -> dict[int, list[Table]]:
    """Tables of the given pages (0-based index -> the page's word boxes in pixels at
    ``dpi``) of the PDF at ``path``; pages without any are left out. A page pdfplumber
    cannot read is skipped with a log line: tables are an addition to the text, never a
    reason for a document to fail."""
    if not pages:
        return {}
    import pdfplumber  # a few hundred milliseconds of imports, paid only when needed

    scale = dpi / 72
    found: dict[int, list[Table]] = {}
    with pdfplumber.open(path) as pdf:
        for index, words in sorted(pages.items()):
            try:
                page = pdf.pages[index]
                tables = pdf_page_tables(page, words, scale, strategy=strategy)
                page.close()
            except Exception:  # pdfminer raises anything on a damaged page
                logger.warning("tables of page %d could not be read", index + 1, exc_info=True)
                continue
            if tables:
                found[index] = tables
    return found


# --- scans -------------------------------------------------------------------------------


#: img2table works on the page image at most this wide (its cost grows with the pixels; a
#: letter page at 300 DPI takes seconds; at this width it finds the same cells in half the time).
_SCAN_WIDTH = 960
#: What OCR makes of a ruling line beside a word: trimmed from a cell's text.
_RULING_MARKS = re.compile(r"^[|\[\]{}!_~:;.,'\"“”‘’—–-]+|[|\[\]{}!_~:;'\"“”‘’—–-]+$")


def scan_tables(image: Any, words: Sequence[WordBox]) -> list[Table]:
    """Tables of a page image (a PIL image) whose words (in the image's pixels) Tesseract
    has read: img2table finds the ruled tables' regions and cells in the image
    scaled down, and each cell takes the words whose middle lies in it; unruled ones are
    read from the words' aligned columns."""
    if not words:
        return []
    import io

    from img2table.document import Image as TableImage
    from img2table.ocr._types import OCRData, OCRInstance

    factor = min(1.0, _SCAN_WIDTH / image.width)
    small = image.convert("L")
    if factor < 1.0:
        small = small.resize((round(image.width * factor), round(image.height * factor)))
    records: list[dict[str, Any]] = []
    for number, line in enumerate(lines_of(words)):
        for word in line:
            records.append(
                {
                    "id": f"word_{len(records)}",
                    "parent": f"line_{number}",
                    "value": word.text,
                    "confidence": 99,
                    "x1": round(word.left * factor),
                    "y1": round(word.top * factor),
                    "x2": round((word.left + word.width) * factor),
                    "y2": round((word.top + word.height) * factor),
                }
            )

    class _KnownWords(OCRInstance):  # type: ignore[misc]  # img2table ships no types
        def of(self, document: Any) -> OCRData | None:  # noqa: ARG002 (the words are known)
            return OCRData(records={0: records})

    buffer = io.BytesIO()
    small.save(buffer, format="PNG")
    document = TableImage(src=buffer.getvalue(), detect_rotation=False)
    extracted = document.extract_tables(
        ocr=_KnownWords(), implicit_rows=False, borderless_tables=False, min_confidence=1
    )
    tables: list[Table] = []
    taken: list[tuple[float, ...]] = []
    for table in extracted:
        grid = _scan_grid(table.content, words, factor)
        if not _usable(grid):
            continue
        rows = cells_from_grid(grid)
        box = table.bbox
        tables.append(
            Table(
                bbox=tuple(round(v / factor, 1) for v in (box.x1, box.y1, box.x2, box.y2)),
                rows=rows,
                header_rows=1 if any(c.col_span > 1 for c in rows[0]) else 0,
                source="scan",
            )
        )
        taken.append(tables[-1].bbox)
    # unruled tables: the words' aligned columns, as on a text layer (img2table's own
    # borderless detection split columns at wide word gaps, and cost seconds a page); specks
    # OCR read as marks would make columns and rows of their own, so only words count
    clean = [w for w in words if _is_word(w)]
    if find_gutter(clean, float(image.width)) is None:
        for block in aligned_blocks(clean):
            if any(_inside(block, other) for other in taken):
                continue
            inside = [w for w in clean if _inside(_box_of(w), block)]
            aligned = aligned_table(inside)
            if aligned is not None:
                tables.append(aligned.model_copy(update={"source": "scan"}))
    return sorted(tables, key=lambda t: (t.bbox[1], t.bbox[0]))


#: OCR words below this confidence are mostly specks and ruling lines read as marks.
_MIN_WORD_CONFIDENCE = 15.0


def _is_word(word: WordBox) -> bool:
    """A recognised word, not a speck: a letter or digit in it, and read with confidence."""
    confident = word.confidence is None or word.confidence >= _MIN_WORD_CONFIDENCE
    return confident and any(ch.isalnum() for ch in word.text)


def _scan_grid(content: Any, words: Sequence[WordBox], factor: float) -> list[list[str | None]]:
    """img2table's rows (a merged cell repeated in every position it covers) as a grid
    with ``None`` where a merged cell is repeated, each cell's text the words whose middle
    lies in it, in reading order."""
    grid: list[list[str | None]] = []
    seen: set[tuple[int, int, int, int]] = set()
    for row in content.values():
        out: list[str | None] = []
        for cell in row:
            key = (cell.bbox.x1, cell.bbox.y1, cell.bbox.x2, cell.bbox.y2)
            if key in seen:
                out.append(None)
                continue
            seen.add(key)
            x1, y1, x2, y2 = (v / factor for v in key)
            inside = [
                w
                for w in words
                if x1 <= w.left + w.width / 2 <= x2 and y1 <= w.top + w.height / 2 <= y2
            ]
            text = " ".join(w.text for line in lines_of(inside) for w in line)
            out.append(" ".join(_RULING_MARKS.sub("", t) for t in text.split()).strip())
        grid.append(out)
    return grid
