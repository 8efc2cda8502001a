"""Text that names someone or something: subjects, and the upload's form fields.

A subject (the person a grant, a screen or a key is for; a bearer token's ``sub``) is compared
byte for byte with the subjects on matters. Two that look the same must be the same: so it is
normalised to NFC, and characters that do not show (zero-width spaces and joiners, bidi
controls, other format and control characters, spaces) are refused, or ``alice\u200b`` would be
granted a role that an ethical wall on ``alice`` does not cover.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

SUBJECT_MAX = 256
#: what the OpenAPI document says of a subject (check_subject is stricter)
SUBJECT_PATTERN = r"^[^\s/]+$"

#: Unicode categories that draw nothing or steer the text: controls (Cc), format characters
#: such as U+200B ZERO WIDTH SPACE and U+202E RIGHT-TO-LEFT OVERRIDE (Cf), surrogates (Cs),
#: private use (Co), unassigned (Cn), and separators (Zs, Zl, Zp)
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})
#: default-ignorable code points of other categories: the combining grapheme joiner, Hangul
#: fillers, Khmer inherent vowels, Mongolian and other variation selectors
INVISIBLE_OTHERS = frozenset(
    {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0}
    | set(range(0x180B, 0x1810))
    | set(range(0xFE00, 0xFE10))
    | set(range(0xE0100, 0xE01F0))
)


def invisible(char: str) -> bool:
    """``"\u200b"``, ``"\u202e"``, ``" "``, ``"\u3164"``: True; ``"é"``, ``"@"``: False."""
    return ord(char) in INVISIBLE_OTHERS or unicodedata.category(char) in INVISIBLE_CATEGORIES


def first_invisible(value: str) -> str | None:
    """The first character of ``value`` that does not show, as ``U+XXXX``, or None."""
    for char in value:
        if invisible(char):
            return f"U+{ord(char):04X}"
    return None


def check_subject(value: str) -> str:
    """The subject in NFC; ValueError for an empty or long one, or one with a character that
    does not show. (Paths and bodies also refuse ``/`` and spaces: SUBJECT_PATTERN.)"""
    value = unicodedata.normalize("NFC", value)
    if not value or len(value) > SUBJECT_MAX:
        raise ValueError(f"a subject has 1 to {SUBJECT_MAX} characters")
    bad = first_invisible(value)
    if bad is not None:
        raise ValueError(f"a subject may not contain invisible or control characters ({bad})")
    return value


def check_text(name: str, value: str, limit: int) -> str:
    """A free-text field (an upload's ``source``, ``external_id``): no controls, bounded."""
    if len(value) > limit:
        raise ValueError(f"{name} is longer than {limit} characters")
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            raise ValueError(f"{name} may not contain control characters (U+{ord(char):04X})")
    return value


#: a subject in a path or a body (``/v1/matters/{id}/members/{subject}``, a new key's subject)
Subject = Annotated[str, AfterValidator(check_subject)]
