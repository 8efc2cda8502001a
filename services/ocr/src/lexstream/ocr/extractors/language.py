"""Language identification among the seven supported languages, from function-word frequency.

All seven languages share the Latin script, so Tesseract's OSD (which names a script) cannot
tell them apart. A page of text, even OCR'd with the English model, is full of function
words that identify its language reliably; this needs no model download and runs in
microseconds.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from lexstream.ocr.extractors.base import SUPPORTED_LANGUAGES


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
    tokens = [token.lower() for token in _WORD.findall(text)]
    if len(tokens) < 8:
        return None
    counts = Counter(tokens)
    languages = candidates or list(_FUNCTION_WORDS)
    scores = sorted(
        (
            (sum(n for word, n in counts.items() if word in _FUNCTION_WORDS[lang]) / len(tokens))
            for lang in languages
            if lang in _FUNCTION_WORDS
        ),
        reverse=True,
    )
    best = max(
        (lang for lang in languages if lang in _FUNCTION_WORDS),
        key=lambda lang: sum(n for word, n in counts.items() if word in _FUNCTION_WORDS[lang]),
    )
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
