"""Is a PDF page's text layer worth keeping, or should the page be OCR'd?

Dictionary-free: a text layer from a font without a Unicode map comes out as control
characters, private-use code points, U+FFFD, or letters that do not look like any Latin
language (no vowels, one endless word). Each test is cheap and works for all supported
languages.
"""

from __future__ import annotations

import unicodedata
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
    visible = [ch for ch in text if not ch.isspace()]
    if len(visible) < max(min_chars, 1):
        return TextLayerVerdict(False, f"text layer has {len(visible)} characters")

    bad = sum(
        1
        for ch in visible
        if ch == "\ufffd"
        or (unicodedata.category(ch) in _BAD_CATEGORIES and ch not in _ALLOWED_CONTROLS)
    )
    if bad / len(visible) > 0.05:
        return TextLayerVerdict(
            False, f"text layer is {bad / len(visible):.0%} unmapped or control characters"
        )

    letters = [ch for ch in visible if ch.isalpha()]
    if len(letters) / len(visible) < 0.45:
        return TextLayerVerdict(
            False, f"text layer is only {len(letters) / len(visible):.0%} letters"
        )

    latin = [ch.lower() for ch in letters if ch.isascii() or "LATIN" in unicodedata.name(ch, "")]
    if len(latin) >= 40:
        vowel_share = sum(1 for ch in latin if ch in _VOWELS) / len(latin)
        if not 0.2 <= vowel_share <= 0.65:
            return TextLayerVerdict(
                False, f"text layer has an implausible vowel share ({vowel_share:.0%})"
            )

    words = text.split()
    mean_word = len(visible) / max(len(words), 1)
    if len(visible) >= 100 and mean_word > 25:
        return TextLayerVerdict(
            False, f"text layer has no word spacing (mean word of {mean_word:.0f} characters)"
        )
    return TextLayerVerdict.ok()
