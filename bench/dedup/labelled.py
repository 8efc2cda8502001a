"""The near-duplicate labelled set, built by code from the public samples.

Sources: every text of ``<LEXSTREAM_SAMPLE_DATA>/legal`` (the labelled legal set,
bench/eval/legal_texts.py) and of ``<LEXSTREAM_SAMPLE_DATA>/corpus`` (uk-tna judgments,
CJEU GDPR judgments, German statutes), read with bench/eval's simple extractors. A source
with fewer than ``MIN_SOURCE_WORDS`` words is left out, and so is one whose text another
kept source already nearly is (the same judgment as .docx and .xml): the truth below
assumes sources are distinct.

From each source, deterministic variants (seeded by the source's name):

- word edits (swaps, insertions, deletions) at 1, 3, 5 and 8 % of words;
- OCR noise: character substitutions OCR makes (confusable pairs, 80 %) and random ones
  (20 %) at 1 and 2 % of characters;
- the same words laid out again: other line widths, page breaks with running headers
  (``Page n of m``), hyphenation at line ends, doubled spaces;
- truncations to 90 % and 75 % of the words;
- a combination (layout + OCR noise 1 % + edits 2 %);
- a copy under another source's header: the first 120 words of a different source of the
  same collection (same court's headers, same statute's preamble) put before it.

Truth: two documents are near-duplicates exactly when they come from the same source. So
distinct judgments of one court, distinct statutes with one preamble and the copies
that share another source's header are the negatives that share boilerplate.

The split is bench/eval/split.py on the source's name: a source and all its variants are
in one half.
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "eval"))

from corpus import corpus_documents, existing_documents
from legal_texts import document_text
from split import half_of

MIN_SOURCE_WORDS = 200
#: Sources whose estimated similarity with a kept source reaches this are the same text.
SAME_SOURCE_SIMILARITY = 0.3

_OCR_CONFUSIONS = {
    "o": "0",
    "0": "o",
    "l": "1",
    "1": "l",
    "i": "l",
    "e": "c",
    "c": "e",
    "s": "5",
    "m": "rn",
    "w": "vv",
    "d": "cl",
    "h": "b",
    "b": "h",
    "n": "ri",
    "u": "ii",
    "a": "o",
}


@dataclass(frozen=True)
class LabelledDoc:
    doc_id: str  # sortable: the source's index, then the variant
    source: str  # the source's name (split and truth)
    variant: str
    text: str

    @property
    def half(self) -> str:
        return str(half_of(self.source))


def _edit_words(words: list[str], rate: float, rng: random.Random) -> list[str]:
    out = list(words)
    edits = max(1, round(len(words) * rate))
    vocabulary = words[: min(len(words), 2000)]
    for _ in range(edits):
        if len(out) < 3:
            break
        kind = rng.random()
        at = rng.randrange(len(out) - 1)
        if kind < 1 / 3:
            out[at], out[at + 1] = out[at + 1], out[at]
        elif kind < 2 / 3:
            out.insert(at, rng.choice(vocabulary))
        else:
            del out[at]
    return out


def _ocr_noise(text: str, rate: float, rng: random.Random) -> str:
    chars = list(text)
    letters = [i for i, c in enumerate(chars) if c.isalnum()]
    for i in rng.sample(letters, min(len(letters), round(len(letters) * rate))):
        c = chars[i].lower()
        if rng.random() < 0.8 and c in _OCR_CONFUSIONS:
            chars[i] = _OCR_CONFUSIONS[c]
        else:
            chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
    return "".join(chars)


def _relayout(words: list[str], rng: random.Random) -> str:
    width = rng.choice((45, 60, 72, 90))
    per_page = rng.choice((35, 45, 55))
    lines: list[str] = []
    line = ""
    for word in words:
        if len(line) + len(word) + 1 > width:
            if rng.random() < 0.15 and len(word) > 6:  # hyphenate the next word
                cut = len(word) // 2
                lines.append(f"{line} {word[:cut]}-".strip())
                line = word[cut:]
                continue
            lines.append(line)
            line = word
        else:
            line = f"{line}{'  ' if rng.random() < 0.05 else ' '}{word}" if line else word
    lines.append(line)
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]
    total = len(pages)
    return "\f".join(
        f"Page {n} of {total}\n\n" + "\n".join(page) + f"\n\n{n}\n"
        for n, page in enumerate(pages, 1)
    )


def variants(text: str, header: str | None, rng: random.Random) -> Iterator[tuple[str, str]]:
    words = text.split()
    for rate in (0.01, 0.03, 0.05, 0.08):
        yield f"edit{round(rate * 100)}", " ".join(_edit_words(words, rate, rng))
    for rate in (0.01, 0.02):
        yield f"ocr{round(rate * 100)}", _ocr_noise(text, rate, rng)
    yield "layout", _relayout(words, rng)
    for keep in (0.9, 0.75):
        yield f"trunc{round(keep * 100)}", " ".join(words[: round(len(words) * keep)])
    mixed = _relayout(_edit_words(words, 0.02, rng), rng)
    yield "mixed", _ocr_noise(mixed, 0.01, rng)
    if header:
        yield "other-header", header + "\n\n" + text


def source_texts() -> list[tuple[str, str, str]]:
    """``(name, collection, text)`` of every readable source, in a fixed order."""
    sources = []
    for doc in existing_documents() + corpus_documents():
        try:
            text = document_text(doc.path)
        except Exception as exc:  # a sample the simple extractors cannot read is skipped
            print(f"skipped {doc.name}: {exc}", file=sys.stderr)
            continue
        if len(text.split()) >= MIN_SOURCE_WORDS:
            sources.append((doc.name, doc.collection, text))
    return sources


def build(distinct: bool = True) -> tuple[list[LabelledDoc], int]:
    """The labelled documents, and how many sources were dropped as repeats of another."""
    from lexstream.index.neardup import Scheme, signature
    from lexstream.shared.neardup import estimated_similarity

    scheme = Scheme()
    kept: list[tuple[str, str, str]] = []
    signatures: list[list[int]] = []
    repeats = 0
    for name, collection, text in source_texts():
        sig = signature(text, scheme)
        if sig is None:
            continue
        if distinct and any(
            estimated_similarity(sig.values, other) >= SAME_SOURCE_SIMILARITY
            for other in signatures
        ):
            repeats += 1
            continue
        kept.append((name, collection, text))
        signatures.append(sig.values)
    docs: list[LabelledDoc] = []
    for index, (name, collection, text) in enumerate(kept):
        rng = random.Random(name)
        same_collection = [t for n, c, t in kept if c == collection and n != name]
        header = " ".join(rng.choice(same_collection).split()[:120]) if same_collection else None
        docs.append(LabelledDoc(f"{index:04d}-00", name, "source", text))
        for number, (variant, variant_text) in enumerate(variants(text, header, rng), 1):
            docs.append(LabelledDoc(f"{index:04d}-{number:02d}", name, variant, variant_text))
    return docs, repeats


_SPACE = re.compile(r"\s+")


def exact_key(text: str) -> str:
    """The baseline's key: the text with white space squashed and case folded."""
    return _SPACE.sub(" ", text).strip().casefold()
