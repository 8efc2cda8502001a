"""Near-duplicate signatures: normalised words, word shingles, MinHash and LSH band keys.

Pure functions (no Elasticsearch): :func:`signature_fields` gives a search document its
``near_dup`` fields, :func:`lexstream.index.neardup_groups` finds and groups the candidates.

- **Normalisation** removes what differs between copies of one text without being its words:
  page furniture (``Page 3 of 12``, lone page numbers, form feeds), hyphenation at line ends,
  white space, case, accents and the characters OCR confuses (``0``/``o``, ``1``/``l``/``i``,
  ``rn``/``m`` ...); one-character tokens (mostly OCR debris and list markers) are dropped.
- **Shingles** are ``shingle_words`` consecutive normalised words.
- **MinHash** is datasketch's (``MinHash``, scheme ``affine32``: 32-bit values, fixed seed, so
  the same text gives the same signature in every process and version of the scheme), over
  CRC-32 of each shingle (datasketch mixes the input hash, so CRC-32 is enough and is ~5x
  faster than its default SHA-1).
- **LSH**: the signature is cut into ``bands`` bands of ``rows`` values; two documents that
  agree on all values of any band are candidates. ``bands``/``rows`` are datasketch's own
  choice for the threshold (``MinHashLSH``'s optimum of false positive and negative
  probabilities). The band keys carry the scheme, so a change of parameters never matches
  keys of another (documents signed before it are re-signed by ``rerun``).

The estimated Jaccard similarity of two signatures (share of equal values) must then reach
the threshold: the bands only find candidates, the estimate decides.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from datasketch import MinHash, MinHashLSH

from lexstream.shared.neardup import FIELD, encode_signature

#: Bump when normalisation or shingling changes: old band keys then never match new ones.
NORMALISER_VERSION = 1

_PAGE_FURNITURE = re.compile(
    r"^[ \t]*(?:-\s*)?(?:(?:page|seite|pagina|página|blz\.?|p\.)\s*)?\d{1,4}"
    r"(?:\s*(?:of|von|sur|de|van|/)\s*\d{1,4})?(?:\s*-)?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_HYPHENATED = re.compile(r"(\w)[-\u00ad]\s*\n\s*(\w)")
_WORD = re.compile(r"\w+")
# Characters and pairs that OCR takes for one another, folded to one form on both sides.
_OCR_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_OCR_CHARS = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "5": "s", "_": ""})
#: Shingles hashed and min-reduced at a time (bounds the memory of a very long text).
_BATCH = 8_192


@dataclass(frozen=True)
class Scheme:
    """The parameters of a signature; ``threshold`` is the estimated Jaccard similarity at or
    above which two documents are near-duplicates."""

    threshold: float = 0.5
    min_words: int = 50
    shingle_words: int = 3
    num_perm: int = 128
    seed: int = 1

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise ValueError("the near-duplicate threshold must be between 0 and 1")
        if self.shingle_words < 1 or self.num_perm < 16 or self.min_words < 1:
            raise ValueError("shingle_words >= 1, num_perm >= 16 and min_words >= 1 are needed")

    @property
    def bands_rows(self) -> tuple[int, int]:
        return _bands_rows(self.threshold, self.num_perm)

    @property
    def name(self) -> str:
        bands, rows = self.bands_rows
        return (
            f"n{NORMALISER_VERSION}-w{self.shingle_words}-p{self.num_perm}"
            f"-s{self.seed}-b{bands}r{rows}"
        )


@cache
def _bands_rows(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's choice of (bands, rows) for the threshold (computed once: it integrates)."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return int(lsh.b), int(lsh.r)


def _fold(token: str) -> str:
    """One word's comparison form: no accents, OCR's confusions folded."""
    if not token.isascii():
        token = "".join(
            c for c in unicodedata.normalize("NFKD", token) if not unicodedata.combining(c)
        )
    for pair, single in _OCR_PAIRS:
        token = token.replace(pair, single)
    return token.translate(_OCR_CHARS)


def normalised_words(text: str) -> list[str]:
    """The words a signature is made of (see the module's description)."""
    text = text.replace("\f", "\n")
    text = _PAGE_FURNITURE.sub(" ", text)
    text = _HYPHENATED.sub(r"\1\2", text)
    folded: dict[str, str] = {}  # a text has far fewer distinct words than words
    words = []
    for word in _WORD.findall(text.casefold()):
        form = folded.get(word)
        if form is None:
            form = folded[word] = _fold(word)
        if len(form) > 1:
            words.append(form)
    return words


def shingles(words: list[str], size: int) -> Iterator[bytes]:
    """Each run of ``size`` consecutive words (one shingle for a shorter text)."""
    if len(words) <= size:
        yield " ".join(words).encode("utf-8")
        return
    for start in range(len(words) - size + 1):
        yield " ".join(words[start : start + size]).encode("utf-8")


@dataclass(frozen=True)
class Signature:
    values: list[int]
    words: int

    def bands(self, scheme: Scheme) -> list[str]:
        """The LSH band keys: scheme, band number and a 64-bit digest of the band's values."""
        bands, rows = scheme.bands_rows
        keys = []
        for band in range(bands):
            part = self.values[band * rows : (band + 1) * rows]
            digest = hashlib.blake2b(
                b"".join(v.to_bytes(4, "little") for v in part), digest_size=8
            ).hexdigest()
            keys.append(f"{scheme.name}:{band}:{digest}")
        return keys


def signature(text: str, scheme: Scheme) -> Signature | None:
    """The text's MinHash signature, or None when it has fewer than ``min_words`` words."""
    words = normalised_words(text)
    if len(words) < scheme.min_words:
        return None
    minhash = MinHash(num_perm=scheme.num_perm, seed=scheme.seed, hashfunc=zlib.crc32)
    batch: list[bytes] = []
    for shingle in shingles(words, scheme.shingle_words):
        batch.append(shingle)
        if len(batch) >= _BATCH:
            minhash.update_batch(batch)
            batch = []
    if batch:
        minhash.update_batch(batch)
    return Signature([int(v) for v in minhash.hashvalues], len(words))


def signature_fields(document_id: str, text: str, scheme: Scheme) -> dict[str, Any]:
    """The ``near_dup`` fields of a search document as first written: its group is its own id
    until :mod:`~lexstream.index.neardup_groups` finds its near-duplicates."""
    sig = signature(text, scheme)
    if sig is None:
        return {FIELD: {"group": document_id, "scheme": scheme.name}}
    return {
        FIELD: {
            "group": document_id,
            "scheme": scheme.name,
            "words": sig.words,
            "bands": sig.bands(scheme),
            "signature": encode_signature(sig.values),
        }
    }
