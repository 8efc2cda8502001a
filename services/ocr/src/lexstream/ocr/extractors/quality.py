"""Is a PDF page's text layer worth keeping, or should the page be OCR'd?

Dictionary-free: a text layer from a font without a Unicode map comes out as control
characters, private-use code points, U+FFFD, or letters that do not look like any Latin
language (no vowels, one endless word). Each test is cheap and works for all supported
languages.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass

_VOWELS = frozenset("aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿœ")
_BAD_CATEGORIES = frozenset({"Co", "Cn", "Cs", "Cc"})
_ALLOWED_CONTROLS = frozenset("\n\r\t\f")


@dataclass(frozen=True)
class TextLayerVerdict:
    sound: bool
    reason: str | None = None

    @classmethod
    def ok(cls) -> TextLayerVerdict:
        return cls(True)


def judge_text_layer(text: str, min_chars: int) -> TextLayerVerdict:
    """Return whether ``text`` (one page's text layer) is usable as it is."""
    # Every test counts characters by kind, so each distinct character is classified once
    # (a page holds thousands of characters but rarely more than a hundred distinct ones).
    counts = Counter(text)
    visible_n = bad = letters_n = latin_n = vowels = 0
    for ch, n in counts.items():
        if ch.isspace():
            continue
        visible_n += n
        if ch == "\ufffd" or (
            unicodedata.category(ch) in _BAD_CATEGORIES and ch not in _ALLOWED_CONTROLS
        ):
            bad += n
        if ch.isalpha():
            letters_n += n
            if ch.isascii() or "LATIN" in unicodedata.name(ch, ""):
                latin_n += n
                if ch.lower() in _VOWELS:
                    vowels += n
    if visible_n < max(min_chars, 1):
        return TextLayerVerdict(False, f"text layer has {visible_n} characters")

    if bad / visible_n > 0.05:
        return TextLayerVerdict(
            False, f"text layer is {bad / visible_n:.0%} unmapped or control characters"
        )

    if letters_n / visible_n < 0.45:
        return TextLayerVerdict(False, f"text layer is only {letters_n / visible_n:.0%} letters")

    if latin_n >= 40:
        vowel_share = vowels / latin_n
        if not 0.2 <= vowel_share <= 0.65:
            return TextLayerVerdict(
                False, f"text layer has an implausible vowel share ({vowel_share:.0%})"
            )

    if visible_n >= 100:
        mean_word = visible_n / max(len(text.split()), 1)
        if mean_word > 25:
            return TextLayerVerdict(
                False, f"text layer has no word spacing (mean word of {mean_word:.0f} characters)"
            )
    return TextLayerVerdict.ok()
