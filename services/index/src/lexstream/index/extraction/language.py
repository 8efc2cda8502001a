"""Language by lingua, restricted to the languages the index has analysers for."""

from __future__ import annotations

from functools import cache
from typing import Any

from lexstream.index.extraction.text import LANGUAGE_SAMPLE_CHARS, clean
from lexstream.shared.legal.languages import LANGUAGE_CODES as SUPPORTED_LANGUAGES

_MIN_LETTERS = 20


@cache
def _detector() -> Any:
    """Built once, on first use: lingua's models take a moment and some memory to load."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in SUPPORTED_LANGUAGES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def warm_up() -> None:
    _detector()


def _windows(text: str) -> list[str]:
    """Three windows, at a fifth, half and four fifths of the text: its head is captions,
    and long lists of (pseudonymised) names can fill any single window."""
    size = LANGUAGE_SAMPLE_CHARS // 3
    if len(text) <= LANGUAGE_SAMPLE_CHARS:
        return [text]
    return [text[int(len(text) * at) : int(len(text) * at) + size] for at in (0.2, 0.5, 0.8)]


def detect_language(text: str, hint: str | None = None) -> str | None:
    hint_code = hint.lower()[:2] if hint else None
    fallback = hint_code if hint_code in SUPPORTED_LANGUAGES else None
    scores: dict[str, float] = {}
    for window in map(clean, _windows(text)):
        if sum(ch.isalpha() for ch in window) < _MIN_LETTERS:
            continue
        for value in _detector().compute_language_confidence_values(window):
            code = str(value.language.iso_code_639_1.name.lower())
            scores[code] = scores.get(code, 0.0) + float(value.value)
    if not scores:
        return fallback
    return max(scores, key=lambda code: scores[code])
