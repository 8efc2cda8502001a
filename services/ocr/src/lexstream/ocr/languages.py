"""The languages this service reads, and how to tell them apart.

A leaf module (it knows no extractor and no OCR engine). Language identification among the
seven supported languages is done from function-word frequency.

All seven languages share the Latin script, so Tesseract's OSD (which names a script) cannot
tell them apart. A page of text, even OCR'd with the English model, is full of function
words that identify its language reliably; this needs no model download and runs in
microseconds.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lexstream.ocr.errors import ExtractorUnavailableError
from lexstream.shared.artifacts import Page
from lexstream.shared.legal.languages import TESSERACT_MODELS

#: The languages this service ships Tesseract models for (ISO 639-1 -> Tesseract code).
SUPPORTED_LANGUAGES: dict[str, str] = TESSERACT_MODELS


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the of and to in that is was for on with as by be this which it are from or at"
        " not have has an were been shall court would any such"
    ),
    "fr": _words(
        "le la les des du et est une que qui dans pour sur par au aux ne pas sont il elle"
        " ce cette été ses son être avec tribunal cour"
    ),
    "de": _words(
        "der die das und ist nicht den dem des ein eine zu mit von sich auf für im auch"
        " wird werden nach bei oder durch gericht"
    ),
    "es": _words(
        "el la los las del y que en por con para una es se al lo su como más sus fue ha"
        " este esta tribunal sobre"
    ),
    "it": _words(
        "il la di che e del della dei delle è per con non una sono gli nel alla le si al"
        " questo anche tribunale"
    ),
    "nl": _words(
        "de het een en van is dat op te zijn voor met niet aan bij ook naar wordt door"
        " deze om hij heeft rechtbank"
    ),
    "pt": _words(
        "o a os as do da dos das e que em no na não para com uma um por se ao foi é"
        " pelo pela tribunal"
    ),
}

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class LanguageGuess:
    language: str  # ISO 639-1
    score: float  # share of tokens that are function words of this language
    runner_up_score: float

    @property
    def confident(self) -> bool:
        return self.score >= 0.06 and self.score >= 1.4 * self.runner_up_score


def detect_language(text: str, candidates: list[str] | None = None) -> LanguageGuess | None:
    """Best guess among ``candidates`` (ISO 639-1; all supported when None), or None."""
    # Lower-cased in one pass (joined by spaces, which no lower-casing produces or moves).
    tokens = " ".join(_WORD.findall(text)).lower().split()
    if len(tokens) < 8:
        return None
    counts = Counter(tokens)
    get = counts.get
    hits = [
        (lang, sum(get(word, 0) for word in _FUNCTION_WORDS[lang]))
        for lang in candidates or list(_FUNCTION_WORDS)
        if lang in _FUNCTION_WORDS
    ]
    scores = sorted((n / len(tokens) for _, n in hits), reverse=True)
    best = max(hits, key=lambda hit: hit[1])[0] if hits else ""
    if not scores or scores[0] == 0:
        return None
    return LanguageGuess(best, scores[0], scores[1] if len(scores) > 1 else 0.0)


def to_tesseract(iso: str) -> str | None:
    return SUPPORTED_LANGUAGES.get(iso.lower().split("-")[0])


def to_iso(tesseract_code: str) -> str | None:
    for iso, code in SUPPORTED_LANGUAGES.items():
        if code == tesseract_code:
            return iso
    return None


def page_language(text: str) -> str | None:
    """The ISO 639-1 language of one page's text, where it is clear; None otherwise."""
    guess = detect_language(text)
    return guess.language if guess is not None and guess.confident else None


def document_language(pages: list[Page]) -> str | None:
    """The language most of the document's text is in (pages weighted by their length)."""
    weights: Counter[str] = Counter()
    for page in pages:
        if page.language:
            weights[page.language] += len(page.text)
    return weights.most_common(1)[0][0] if weights else None


_TESSDATA_CANDIDATES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)


def find_tessdata(configured: Path | None = None) -> Path:
    """The folder holding the installed language models, ``*.traineddata`` (needs at least
    ``osd`` and ``eng``)."""
    candidates = [str(configured)] if configured else []
    if os.environ.get("TESSDATA_PREFIX"):
        candidates.append(os.environ["TESSDATA_PREFIX"])
    candidates.extend(_TESSDATA_CANDIDATES)
    for candidate in candidates:
        if (Path(candidate) / "eng.traineddata").is_file():
            return Path(candidate)
    raise ExtractorUnavailableError(
        "no Tesseract language data found (install tesseract-ocr-eng and friends, "
        "or set tessdata_dir / TESSDATA_PREFIX)"
    )
