"""The bounds on how much text each step reads, and the clean-up it reads it with."""

from __future__ import annotations

from lexstream.shared.legal.text import clean, squash

# Bounds: every expensive step reads a prefix of the text, so 50 MB of text costs no more
# than these prefixes do. Citations are searched in the first MAX_CITATION_CHARS characters
# by the regular-expression families and in the first MAX_EYECITE_CHARS by eyecite.
MAX_CITATION_CHARS = 1_000_000
MAX_EYECITE_CHARS = 250_000
HEADER_CHARS = 6_000
LANGUAGE_SAMPLE_CHARS = 4_000
MAX_CITATIONS = 5_000

__all__ = [
    "HEADER_CHARS",
    "LANGUAGE_SAMPLE_CHARS",
    "MAX_CITATIONS",
    "MAX_CITATION_CHARS",
    "MAX_EYECITE_CHARS",
    "clean",
    "squash",
]
