"""Near-duplicate signatures, band keys and the group rule (lexstream.index.neardup*)."""

from __future__ import annotations

import random

import pytest

from lexstream.index.neardup import (
    Scheme,
    Signature,
    normalised_words,
    shingles,
    signature,
    signature_fields,
)
from lexstream.index.neardup_groups import (
    GroupKeys,
    Match,
    _batch_candidates,
    near_duplicate_matches,
)
from lexstream.shared.neardup import (
    FIELD,
    decode_signature,
    encode_signature,
    estimated_similarity,
)

SCHEME = Scheme()
_VOCABULARY = [
    f"{a}{b}"
    for a in ("claim", "court", "appeal", "party", "order", "judge", "lease", "deed", "fee")
    for b in ("ant", "ed", "ing", "s", "er", "ment", "al", "ive", "ous", "ory", "ist")
]


def text(seed: int, words: int = 400) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(_VOCABULARY) for _ in range(words))


def exact_jaccard(a: str, b: str, size: int = 3) -> float:
    sa = set(shingles(normalised_words(a), size))
    sb = set(shingles(normalised_words(b), size))
    return len(sa & sb) / len(sa | sb)


def test_normalisation_removes_layout_case_accents_and_ocr_confusions() -> None:
    laid_out = "Page 3 of 12\nThe JUDG-\nMENT  of the\tCourt of Appeal in Münster.\f\n 4 \n"
    scanned = "The judgment 0f the C0urt of Appea1 in Munster."
    assert normalised_words(laid_out) == normalised_words(scanned)
    assert normalised_words(laid_out) == [
        "the",
        "judgment",
        "of",
        "the",
        "court",
        "of",
        "appeal",
        "ln",
        "munster",
    ]
    # 'rn' read for 'm' and one-character debris
    assert normalised_words("the rnatter , ; a b c") == normalised_words("the matter")


def test_signature_is_deterministic_and_estimates_jaccard() -> None:
    base = text(1)
    words = base.split()
    edited = " ".join([*words[:200], "inserted", "words", "here", *words[205:]])
    a, b = signature(base, SCHEME), signature(edited, SCHEME)
    assert a is not None
    assert b is not None
    assert a == signature(base, SCHEME)  # same text, same values (fixed seed, CRC-32)
    estimate = estimated_similarity(a.values, b.values)
    assert abs(estimate - exact_jaccard(base, edited)) < 0.12
    assert estimate >= SCHEME.threshold
    other = signature(text(2), SCHEME)
    assert other is not None
    assert estimated_similarity(a.values, other.values) < 0.1


def test_a_short_text_has_no_signature_but_a_group() -> None:
    assert signature("too short to sign", SCHEME) is None
    fields = signature_fields("doc-1", "too short to sign", SCHEME)
    assert fields == {FIELD: {"group": "doc-1", "scheme": SCHEME.name}}
    signed = signature_fields("doc-2", text(3), SCHEME)[FIELD]
    assert signed["group"] == "doc-2"
    assert len(signed["bands"]) == SCHEME.bands_rows[0]
    assert decode_signature(signed["signature"]) == tuple(signature(text(3), SCHEME).values)  # type: ignore[union-attr]


def test_band_keys_carry_the_scheme_and_match_only_on_equal_bands() -> None:
    a = signature(text(4), SCHEME)
    assert a is not None
    bands, rows = SCHEME.bands_rows
    assert bands * rows <= SCHEME.num_perm
    keys = a.bands(SCHEME)
    assert all(k.startswith(SCHEME.name + ":") for k in keys)
    changed = list(a.values)
    changed[0] += 1  # only the first band differs
    other = Signature(changed, a.words).bands(SCHEME)
    assert other[0] != keys[0]
    assert other[1:] == keys[1:]
    # another threshold is another scheme: no key in common
    assert not set(keys) & set(a.bands(Scheme(threshold=0.7)))


@pytest.mark.parametrize("bad", [0.0, 1.0, 1.5])
def test_a_threshold_outside_0_1_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="threshold"):
        Scheme(threshold=bad)


def test_signature_encoding_round_trips_and_lengths_must_agree() -> None:
    values = [0, 1, 2**32 - 1, 123456]
    assert decode_signature(encode_signature(values)) == tuple(values)
    with pytest.raises(ValueError, match="different lengths"):
        estimated_similarity((1, 2), (1, 2, 3))
    assert estimated_similarity((1, 2, 3, 4), (1, 2, 0, 0)) == 0.5


def _hit(doc_id: str, group: str, source_text: str, scheme: Scheme = SCHEME) -> dict[str, object]:
    return {"_id": doc_id, "_source": signature_fields(group, source_text, scheme)}


def test_matches_keep_the_same_scheme_above_the_threshold() -> None:
    base = text(5)
    words = base.split()
    near = " ".join(words[:300] + words[310:])
    mine = signature_fields("d9", base, SCHEME)[FIELD]["signature"]
    hits = [
        _hit("d1", "d1", near),
        _hit("d2", "d2", text(6)),
        _hit("d3", "d3", near, Scheme(shingle_words=4)),  # another scheme: never compared
    ]
    matches = near_duplicate_matches(mine, SCHEME, hits)
    assert [m.document_id for m in matches] == ["d1"]
    assert matches[0].group == "d1"
    assert matches[0].similarity >= SCHEME.threshold


def test_the_group_is_the_smallest_key_and_larger_groups_merge_into_it() -> None:
    keys = GroupKeys()
    # 'c' finds 'b' (group 'b'): it joins b
    assert keys.join("c", "c", [Match("b", "b", 0.9)]) == "b"
    # 'a' is older than everything it matches: its own key, and group b merges into it
    assert keys.join("a", "a", [Match("c", "b", 0.8)]) == "a"
    assert keys.resolve("b") == "a"
    assert keys.resolve("c") == "a"
    # a document with no match keeps its own id
    assert keys.join("z", "z", []) == "z"
    assert keys.resolve("z") == "z"


def test_documents_of_one_batch_are_candidates_of_each_other() -> None:
    base = text(7)
    docs = [
        {"document_id": "x1", **signature_fields("x1", base, SCHEME)},
        {"document_id": "x2", **signature_fields("x2", base + " appended words", SCHEME)},
        {"document_id": "x3", **signature_fields("x3", text(8), SCHEME)},
    ]
    found = _batch_candidates(docs)
    assert [h["_id"] for h in found["x1"]] == ["x2"]
    assert [h["_id"] for h in found["x2"]] == ["x1"]
    assert found["x3"] == []
