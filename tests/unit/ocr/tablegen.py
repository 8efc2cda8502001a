"""PDFs with tables and two-column pages built by code, with the truth they were built from.

Tables of varied shapes (ruled and unruled, a merged group header, numbers, multi-line
cells) between paragraphs of prose; two-column pages drawn line by line across both
columns (the order that needs fixing). ``scan_of`` renders a PDF to a noisy grey image PDF
for the OCR path. Used by ``tests/unit/ocr/test_tables*.py`` and ``bench/structure/tables.py``.
"""

from __future__ import annotations

import random
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageFilter

_WORD_LINES = (
    "court claim party notice order appeal term fee filing motion brief record exhibit",
    "hearing damages estate trust lease tenant lender borrower counsel witness",
)
_WORDS = " ".join(_WORD_LINES).split()
_PROSE = (
    "The parties agree that the schedule below sets out the amounts due under the"
    " agreement and that each amount is payable within thirty days of the invoice date."
    " Nothing in this schedule varies the terms of the principal agreement."
)


@dataclass(frozen=True)
class TableSpec:
    """One generated table: its grid of texts (a merged cell's text in its first position,
    empty strings where it spans), whether it is ruled, whether row 0 is a merged header."""

    name: str
    grid: list[list[str]]
    ruled: bool
    merged_header: bool
    multiline: bool
    padding: float = 4.0
    numbers_right: bool = False
    font_size: int = 11

    @property
    def columns(self) -> int:
        return len(self.grid[0])


def random_spec(seed: int) -> TableSpec:
    """A table of 2-5 columns, 3-8 rows: labels, amounts, dates; some ruled, some with a
    merged header over the numeric columns, some with multi-line cells."""
    rng = random.Random(seed)
    columns = rng.randint(2, 5)
    rows = rng.randint(3, 8)
    ruled = rng.random() < 0.6
    merged = ruled and columns >= 3 and rng.random() < 0.4
    multiline = rng.random() < 0.35
    header = [
        "Item",
        *(
            rng.choice(("Amount", "Paid", "Due", "Filed", "Ref")) + f" {c}"
            for c in range(1, columns)
        ),
    ]
    grid: list[list[str]] = []
    if merged:
        grid.append(["Schedule", f"Totals {seed}", *[""] * (columns - 2)])
    grid.append(header)
    for r in range(rows):
        label_words = rng.randint(4, 7) if multiline and r % 2 == 0 else rng.randint(1, 2)
        label = " ".join(rng.choice(_WORDS) for _ in range(label_words)).capitalize()
        row = [label]
        for _ in range(1, columns):
            kind = rng.random()
            if kind < 0.5:
                row.append(f"{rng.randint(1, 99_999):,}.{rng.randint(0, 99):02d}")
            elif kind < 0.75:
                row.append(
                    f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(10, 26)}"
                )
            else:
                row.append(rng.choice(_WORDS))
        grid.append(row)
    name = f"table-{seed:04d}.pdf"
    padding = rng.choice((1.0, 2.0, 4.0))
    return TableSpec(
        name, grid, ruled, merged, multiline, padding, rng.random() < 0.5, rng.choice((9, 10, 11))
    )


def table_pdf(spec: TableSpec, path: Path) -> Path:
    """A letter page: a paragraph, the table, another paragraph."""
    pdf = FPDF(unit="pt", format="letter")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("helvetica", size=spec.font_size)
    pdf.set_xy(72, 72)
    pdf.multi_cell(468, 14, _PROSE)
    pdf.ln(18)
    first_col = 150.0 if spec.multiline else 110.0
    other = (468 - first_col) / (spec.columns - 1)
    widths = (first_col, *([other] * (spec.columns - 1)))
    with pdf.table(
        col_widths=widths,
        width=468,
        borders_layout="ALL" if spec.ruled else "NONE",
        first_row_as_headings=True,
        line_height=spec.font_size + 3,
        text_align="LEFT",
        padding=spec.padding,
    ) as table:
        for grid_row in spec.grid:
            row = table.row()
            c = 0
            while c < len(grid_row):
                span = 1
                while (
                    c + span < len(grid_row)
                    and grid_row[c + span] == ""
                    and grid_row is spec.grid[0]
                    and spec.merged_header
                ):
                    span += 1
                text = grid_row[c]
                number = text[:1].isdigit() and c > 0
                align = "RIGHT" if number and spec.numbers_right else "LEFT"
                row.cell(text, colspan=span, align=align)
                c += span
    pdf.ln(18)
    pdf.set_x(72)
    pdf.multi_cell(468, 14, _PROSE)
    pdf.output(str(path))
    return path


def two_column_pdf(seed: int, path: Path) -> list[str]:
    """A page with a full-width title and two columns of prose, drawn line by line across
    both columns; returns the words in reading order (title, left column, right column)."""
    rng = random.Random(seed)
    pdf = FPDF(unit="pt", format="letter")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("helvetica", style="B", size=14)
    title = f"Judgment of the court in case {seed} on the appeal of the tenant"
    pdf.text(72, 72, title)
    pdf.set_font("helvetica", size=10)
    lines = rng.randint(20, 40)

    def column_line() -> str:
        words = [rng.choice(_WORDS) for _ in range(rng.randint(4, 7))]
        while len(words) > 2 and pdf.get_string_width(" ".join(words)) > 225:
            words.pop()  # a column is 248 pt wide: a line never runs into the next column
        return " ".join(words)

    left = [column_line() for _ in range(lines)]
    right = [column_line() for _ in range(lines - rng.randint(0, 4))]
    for i in range(lines):
        y = 110 + i * 13
        pdf.text(72, y, left[i])
        if i < len(right):
            pdf.text(320, y, right[i])
    pdf.output(str(path))
    return " ".join([title, *left, *right]).split()


def scan_of(
    pdf_path: Path, out: Path, *, dpi: int = 200, noise: float = 12.0, seed: int = 0
) -> Path:
    """``pdf_path`` rendered by pdftoppm in grey, blurred a little and speckled with noise,
    saved as an image-only PDF (what a scanner gives)."""
    with tempfile.TemporaryDirectory() as folder:
        stem = Path(folder) / "page"
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", str(pdf_path), str(stem)],
            check=True,
            capture_output=True,
        )
        image = Image.open(f"{stem}.png").convert("L")
        image.load()
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    rng = random.Random(seed)
    pixels = image.load()
    assert pixels is not None
    width, height = image.size
    for _ in range(int(width * height * noise / 10_000)):
        x, y = rng.randrange(width), rng.randrange(height)
        pixels[x, y] = rng.choice((0, 255))
    image.save(out, format="PDF", resolution=float(dpi))
    return out
