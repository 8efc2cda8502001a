"""What both sides know of near-duplicate groups: field names and the stored signature.

The index service computes each document's MinHash signature and its LSH band keys
(``lexstream.index.neardup``) and assigns its group (``lexstream.index.neardup_groups``);
the gateway reads them to list a document's near-duplicates and to collapse a group into
one search hit. Pure Python, no numpy: the gateway does not depend on it.

Fields of a search document (all under ``near_dup``):

- ``group``: the group key, the ``document_id`` of the group's principal (the earliest
  document of the group by ``document_id``, i.e. the first ingested: ids are UUIDv7). Every
  document written since near-duplicates exist has one (its own id when it has no
  near-duplicate, or is too short to have a signature), so field collapsing never lumps
  documents without a value together;
- ``signature``: the MinHash values, little-endian uint32, base64 (stored, not indexed);
- ``bands``: the LSH band keys (indexed keywords; a ``terms`` query on them finds candidates);
- ``scheme``: the normalisation, shingling and LSH parameters the signature was made with
  (signatures of different schemes are never compared);
- ``words``: the normalised words the signature was computed from.
"""

from __future__ import annotations

import base64
import struct

FIELD = "near_dup"
GROUP_FIELD = f"{FIELD}.group"
BANDS_FIELD = f"{FIELD}.bands"
SIGNATURE_FIELD = f"{FIELD}.signature"
SCHEME_FIELD = f"{FIELD}.scheme"
WORDS_FIELD = f"{FIELD}.words"

#: The value of the gateway's ``collapse`` parameter that collapses each group into one hit.
COLLAPSE_NEAR_DUPLICATES = "near_duplicates"


def encode_signature(values: list[int]) -> str:
    """Base64 of the values as little-endian uint32."""
    return base64.b64encode(struct.pack(f"<{len(values)}I", *values)).decode("ascii")


def decode_signature(encoded: str) -> tuple[int, ...]:
    raw = base64.b64decode(encoded)
    if len(raw) % 4:
        raise ValueError("a signature is a whole number of uint32 values")
    return struct.unpack(f"<{len(raw) // 4}I", raw)


def estimated_similarity(a: tuple[int, ...] | list[int], b: tuple[int, ...] | list[int]) -> float:
    """MinHash's estimate of the Jaccard similarity of the two shingle sets: the share of
    positions where the signatures agree."""
    if len(a) != len(b) or not a:
        raise ValueError("signatures of different lengths cannot be compared")
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
