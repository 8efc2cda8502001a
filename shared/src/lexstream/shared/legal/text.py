"""Offset-preserving text clean-up shared by the index (documents) and the gateway (queries)."""

from __future__ import annotations

import re

_ONE_FOR_ONE = {
    0x00A0: " ",  # no-break space
    0x2007: " ",
    0x2009: " ",
    0x200A: " ",
    0x202F: " ",  # narrow no-break space
    0x2002: " ",
    0x2003: " ",
    0xFEFF: " ",
    0x200B: " ",
    0x0000: " ",
    0x00AD: "-",  # soft hyphen
    0x2010: "-",
    0x2011: "-",  # non-breaking hyphen, used in CJEU case numbers
    0x2012: "-",
    0x2013: "-",  # en dash, common in '11–345' docket numbers
    0x2212: "-",
    0xFE63: "-",
    0xFF0D: "-",
    0x2018: "'",
    0x2019: "'",
    0x201C: '"',
    0x201D: '"',
}
_TRANSLATION: dict[int, str] = dict(_ONE_FOR_ONE)
_TRANSLATION.update(dict.fromkeys(range(55296, 57344), "�"))  # lone surrogates


def clean(text: str) -> str:
    """Map look-alike characters to ASCII one for one, so offsets stay those of the input."""
    return text.translate(_TRANSLATION)


_SPACES = re.compile(r"\s+")


def squash(value: str) -> str:
    """Collapse runs of whitespace to one space and trim."""
    return _SPACES.sub(" ", value).strip()
