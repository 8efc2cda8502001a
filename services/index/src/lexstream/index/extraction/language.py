"""Language by lingua, restricted to the languages the index has analysers for."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from lexstream.index.extraction.text import LANGUAGE_SAMPLE_CHARS, clean
from lexstream.shared.legal.languages import LANGUAGE_CODES as SUPPORTED_LANGUAGES

_MIN_LETTERS = 20

# A cheap first opinion: words that are frequent in running text of one supported language
# and are not words of another (so not 'in', 'en', 'die', 'il', 'la', 'que', 'del', 'des',
# 'dos', nor Latin 'et', which English judgments use). Where one language has _SURE_WORDS
# of them in the windows and every other language together has at most a _SURE_SHARE of
# that, the answer is that language and lingua is not asked; mixed or short text still goes
# to lingua.
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "the",
            "and",
            "of",
            "to",
            "that",
            "which",
            "with",
            "were",
            "this",
            "by",
            "from",
            "have",
            "has",
            "been",
            "not",
            "are",
            "for",
            "shall",
            "would",
            "should",
            "there",
            "their",
            "its",
            "upon",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "das",
            "und",
            "nicht",
            "mit",
            "von",
            "dem",
            "ist",
            "auf",
            "für",
            "eine",
            "einer",
            "eines",
            "sich",
            "auch",
            "wird",
            "werden",
            "nach",
            "oder",
            "bei",
            "sind",
            "zu",
            "im",
            "vom",
            "zur",
            "zum",
            "durch",
            "über",
            "gegen",
        ]
    ),
    "fr": frozenset(
        [
            "une",
            "est",
            "dans",
            "pour",
            "par",
            "sur",
            "pas",
            "aux",
            "cette",
            "sont",
            "été",
            "ont",
            "avec",
            "au",
            "ces",
            "leur",
            "être",
            "fait",
            "selon",
        ]
    ),
    "es": frozenset(
        ["el", "los", "las", "y", "fue", "han", "sus", "según", "también", "dicho", "dicha"]
    ),
    "it": frozenset(
        [
            "della",
            "delle",
            "dei",
            "degli",
            "nella",
            "nel",
            "alla",
            "sono",
            "è",
            "che",
            "gli",
            "ai",
            "questo",
            "questa",
        ]
    ),
    "nl": frozenset(
        [
            "het",
            "een",
            "van",
            "niet",
            "met",
            "zijn",
            "wordt",
            "worden",
            "voor",
            "aan",
            "bij",
            "ook",
            "dat",
            "naar",
            "deze",
            "door",
            "heeft",
        ]
    ),
    "pt": frozenset(["os", "não", "uma", "pelo", "pela", "são", "foi", "nas", "ao", "seu", "sua"]),
}
_SURE_WORDS = 40
_SURE_SHARE = 0.05
_WORD = re.compile(r"[^\W\d_]+")


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


def _sure_language(windows: list[str]) -> str | None:
    """The language whose function words fill the windows, where that is beyond doubt."""
    counts = dict.fromkeys(_FUNCTION_WORDS, 0)
    for window in windows:
        for word in _WORD.findall(window.lower()):
            for code, words in _FUNCTION_WORDS.items():
                if word in words:
                    counts[code] += 1
    best = max(counts, key=lambda code: counts[code])
    others = sum(counts.values()) - counts[best]
    if counts[best] >= _SURE_WORDS and others <= _SURE_SHARE * counts[best]:
        return best
    return None


def detect_language(text: str, hint: str | None = None) -> str | None:
    hint_code = hint.lower()[:2] if hint else None
    fallback = hint_code if hint_code in SUPPORTED_LANGUAGES else None
    windows = [
        window
        for window in map(clean, _windows(text))
        if sum(ch.isalpha() for ch in window) >= _MIN_LETTERS
    ]
    sure = _sure_language(windows) if windows else None
    if sure in SUPPORTED_LANGUAGES:
        return sure
    scores: dict[str, float] = {}
    for window in windows:
        for value in _detector().compute_language_confidence_values(window):
            code = str(value.language.iso_code_639_1.name.lower())
            scores[code] = scores.get(code, 0.0) + float(value.value)
    if not scores:
        return fallback
    return max(scores, key=lambda code: scores[code])
