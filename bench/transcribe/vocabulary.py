"""The matter's vocabulary: word error rate with and without it, on synthesised hearings
whose scripts use the names and authorities of the matter's documents.

A matter of three documents (both sides' skeleton arguments and an order) is made into
search documents by the index service's own code (``text_search_document``); the
vocabulary the transcribe service would build from them (``lexstream.transcribe.
vocabulary``) primes the transcription of two hearings rendered with espeak-ng (a
three-channel hearing on remoteness and a one-channel case-management hearing). The search
is answered here by :func:`answer_search`, which aggregates as Elasticsearch's terms
aggregations do; ``tests/integration/transcribe/test_matter_vocabulary.py`` checks that the
local stack's Elasticsearch gives the same vocabulary.

Word error rate under the project's normaliser (``wer_text.normalise``: case, punctuation,
numbers), overall and on the names and legal terms of the matter (a reference word of
:data:`NAMES` counts as an error when the alignment substitutes or drops it).

    uv run --frozen python -m bench.transcribe.vocabulary
"""

from __future__ import annotations

import argparse
import functools
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.transcribe.hearing import Hearing, Speaker, Turn, render
from bench.transcribe.wer_text import normalise

from lexstream.index.documents import text_search_document
from lexstream.shared.artifacts import Page, TextDocument
from lexstream.shared.events import ObjectRef, TextExtracted
from lexstream.transcribe.settings import TranscribeSettings
from lexstream.transcribe.vocabulary import (
    Vocabulary,
    build_vocabulary,
    matter_query,
    rank_terms,
    terms_from_response,
)

MATTER_ID = "M-harrington"
TENANT = "default"

_HEADER = """IN THE HIGH COURT OF JUSTICE
BUSINESS AND PROPERTY COURTS OF ENGLAND AND WALES
COMMERCIAL COURT (KBD)
Claim No. CL-2025-000417
BETWEEN:
HARRINGTON LOGISTICS LIMITED
Claimant
- and -
BELLWEATHER FREIGHT PLC
Defendant
"""

#: The matter's documents (file name, text).
MATTER_DOCUMENTS: dict[str, str] = {
    "skeleton-claimant.txt": _HEADER
    + """
SKELETON ARGUMENT ON BEHALF OF THE CLAIMANT
Margaret Hale for the Claimant

1. The loss of the Lindqvist contracts was within the first limb of Hadley v Baxendale
(1854) 9 Exch 341.
2. The Defendant relies on Transfield Shipping Inc v Mercator Shipping Inc (The Achilleas)
[2008] UKHL 48; it does not assist it.
3. The decision to suspend deliveries was not one that no reasonable carrier could have
made: Associated Provincial Picture Houses Ltd v Wednesbury Corporation [1948] 1 KB 223.
""",
    "skeleton-defendant.txt": _HEADER
    + """
SKELETON ARGUMENT ON BEHALF OF THE DEFENDANT
Daniel Okafor for the Defendant

1. The port strike was a force majeure event under clause 11.
2. Loss of the Lindqvist contracts is too remote: Hadley v Baxendale and Transfield
Shipping Inc v Mercator Shipping Inc [2008] UKHL 48.
3. No duty of care arises in tort: Caparo Industries plc v Dickman [1990] UKHL 2.
""",
    "order.txt": _HEADER
    + """
ORDER
Before: Mrs Justice Pemberton
UPON hearing Margaret Hale for the Claimant and Daniel Okafor for the Defendant
IT IS ORDERED THAT the preliminary issue of remoteness be tried on 3 March 2026.
""",
}

#: The names and legal terms scored on their own (normalised words).
NAMES = frozenset(
    (
        *("harrington", "bellweather", "okafor", "hale", "lindqvist", "pemberton"),
        *("hadley", "baxendale", "transfield", "mercator", "achilleas", "wednesbury"),
        *("caparo", "dickman", "majeure"),
    )
)

_REMOTENESS_SPEAKERS: dict[str, Speaker] = {
    "court": Speaker("THE COURT", "en-gb", 140, 0),
    "okafor": Speaker("MR. OKAFOR", "en-us+m3", 140, 1),
    "hale": Speaker("MS. HALE", "en-gb-x-rp", 145, 2),
}
# "v" is said "versus" (espeak-ng would say "vee"); the scorer reads Whisper's "v" so too.
_REMOTENESS: tuple[Turn, ...] = (
    Turn(
        "court",
        "This is the preliminary issue in Harrington Logistics against Bellweather Freight. "
        "Mr. Okafor, you may begin.",
        0.5,
    ),
    Turn(
        "okafor",
        "Thank you, my Lady. The loss of the Lindqvist contracts is too remote under the "
        "first limb of Hadley versus Baxendale.",
    ),
    Turn(
        "okafor",
        "The House of Lords in Transfield Shipping versus Mercator Shipping, The Achilleas, "
        "confirmed that approach.",
    ),
    Turn("court", "And the Wednesbury point, Mr. Okafor?"),
    Turn("okafor", "Wednesbury unreasonableness has no place in a commercial contract."),
    Turn("court", "Ms. Hale, do you rely on Caparo versus Dickman?"),
    Turn(
        "hale",
        "No, my Lady. Caparo concerns a duty of care in tort. Our claim against Bellweather "
        "is in contract.",
    ),
    Turn("court", "Thank you, Ms. Hale. Judgment on Hadley versus Baxendale will follow."),
)

_DIRECTIONS_SPEAKERS: dict[str, Speaker] = {
    "court": Speaker("THE COURT", "en-us", 140, 0),
    "hale": Speaker("MS. HALE", "en-gb", 145, 0),
    "okafor": Speaker("MR. OKAFOR", "en-us+m3", 140, 0),
}
_DIRECTIONS: tuple[Turn, ...] = (
    Turn(
        "court",
        "Harrington Logistics Limited against Bellweather Freight, before Mrs Justice Pemberton.",
        0.5,
    ),
    Turn(
        "hale",
        "My Lady, Margaret Hale for the claimant. Mr. Okafor appears for the defendant.",
    ),
    Turn("hale", "Sarah Lindqvist will give evidence about the force majeure notice."),
    Turn(
        "okafor",
        "Daniel Okafor for Bellweather. We say the force majeure clause was triggered by "
        "the strike.",
    ),
    Turn(
        "court",
        "The remoteness argument turns on Hadley versus Baxendale and The Achilleas.",
    ),
    Turn("hale", "Yes, my Lady, and Wednesbury is not engaged."),
)


def hearings() -> list[Hearing]:
    """The two hearings (rendered once into the bench cache)."""
    return [
        render("remoteness", script=_REMOTENESS, speakers=_REMOTENESS_SPEAKERS),
        render("directions", mono=True, script=_DIRECTIONS, speakers=_DIRECTIONS_SPEAKERS),
    ]


def search_documents(
    matter_id: str = MATTER_ID, tenant: str = TENANT, documents: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The matter's documents as the index service writes them into the documents alias."""
    docs = []
    for number, (filename, text) in enumerate((documents or MATTER_DOCUMENTS).items(), 1):
        document_id = f"{tenant}-{matter_id.lower()}-{number:03d}"
        event = TextExtracted(
            document_id=document_id,
            tenant=tenant,
            matter_id=matter_id,
            text=ObjectRef(bucket="derived", key=f"{document_id}/text.json"),
            media_type="text/plain",
            filename=filename,
            pages=1,
            extractor="bench",
        )
        text_json = TextDocument(
            document_id=document_id,
            media_type="text/plain",
            pages=[Page(number=1, text=text, method="plain")],
            extractor="bench",
        )
        docs.append(
            text_search_document(
                event,
                text_json,
                filename=filename,
                language_hint="en",
                jurisdiction_hint=None,
                max_chars=1_000_000,
                extractor_version="bench",
            )
        )
    return docs


# The keyword sub-fields (``<field>.raw``) of text fields, read from the field's source.
_SOURCE_PATHS = {
    "parties.raw": "parties",
    "party_roles.name.raw": "party_roles.name",
    "counsel.name.raw": "counsel.name",
    "judges.raw": "judges",
    "title.raw": "title",
}


def _values(doc: Mapping[str, Any], path: str) -> set[str]:
    """The keyword values of ``path`` (``counsel.name.raw``) in a search document."""
    values: list[Any] = [doc]
    for part in _SOURCE_PATHS.get(path, path).split("."):
        found: list[Any] = []
        for value in values:
            inner = value.get(part) if isinstance(value, Mapping) else None
            found.extend(inner if isinstance(inner, list) else [inner])
        values = found
    return {str(value) for value in values if value is not None and len(str(value)) <= 512}


def answer_search(docs: Iterable[Mapping[str, Any]], body: Mapping[str, Any]) -> dict[str, Any]:
    """``body`` (a :func:`matter_query`) answered over ``docs`` as Elasticsearch would: terms
    buckets by document count (ties by key), the first ``size`` hits' citations."""
    filters = {
        next(iter(clause["term"])): next(iter(clause["term"].values()))
        for clause in body["query"]["bool"]["filter"]
    }
    matching = [
        doc
        for doc in docs
        if all(doc.get(field) == value for field, value in filters.items())
        and doc.get("kind") != "recording"
    ]
    aggregations = {}
    for name, aggregation in body["aggs"].items():
        counted: Counter[str] = Counter()
        for doc in matching:
            counted.update(_values(doc, aggregation["terms"]["field"]))
        ranked = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
        aggregations[name] = {
            "buckets": [
                {"key": key, "doc_count": count}
                for key, count in ranked[: aggregation["terms"]["size"]]
            ]
        }
    hits = [
        {"_source": {"citations": [{"context": c.get("context")} for c in doc["citations"]]}}
        for doc in matching[: body["size"]]
    ]
    return {"aggregations": aggregations, "hits": {"hits": hits}}


def matter_vocabulary(
    docs: Sequence[Mapping[str, Any]], *, settings: TranscribeSettings | None = None
) -> Vocabulary:
    """The vocabulary the service builds with ``settings`` (its defaults unless given)."""
    settings = settings or TranscribeSettings()
    max_terms = settings.matter_vocabulary_terms
    body = matter_query(TENANT, MATTER_ID, max_terms=max_terms, sample=50)
    terms = rank_terms(terms_from_response(answer_search(docs, body)), max_terms=max_terms)
    return build_vocabulary(
        terms,
        prompt_tokens=settings.matter_vocabulary_prompt_tokens,
        hotword_tokens=settings.matter_vocabulary_hotword_tokens,
    )


@dataclass
class Errors:
    words: int = 0
    errors: int = 0
    name_words: int = 0
    name_errors: int = 0
    #: how a text becomes the words scored: the project's normaliser, or Whisper's
    words_of: Callable[[str], list[str]] = field(default_factory=lambda: _words)

    def add(self, reference: str, hypothesis: str) -> None:
        ref, hyp = self.words_of(reference), self.words_of(hypothesis)
        self.words += len(ref)
        self.name_words += sum(word in NAMES for word in ref)
        for kind, ref_word in _alignment(ref, hyp):
            self.errors += kind != "="
            self.name_errors += kind in ("S", "D") and ref_word in NAMES

    @property
    def wer(self) -> float:
        return self.errors / self.words if self.words else 0.0

    @property
    def name_wer(self) -> float:
        return self.name_errors / self.name_words if self.name_words else 0.0


def _words(text: str) -> list[str]:
    return ["versus" if word in ("v", "vs") else word for word in normalise(text)]


@functools.cache
def _whisper_normaliser() -> Callable[[str], str]:
    # OpenAI Whisper's EnglishTextNormalizer, as the PyPI package whisper-normalizer ports it
    # (MIT; openai-whisper itself needs torch): spellings, numbers, bracketed text dropped
    from whisper_normalizer.english import EnglishTextNormalizer

    normaliser: Callable[[str], str] = EnglishTextNormalizer()
    return normaliser


def whisper_words(text: str) -> list[str]:
    """The words of ``text`` under Whisper's English normaliser ("v" and "vs" as "versus",
    as the project's normaliser reads them)."""
    return [
        "versus" if word in ("v", "vs") else word for word in _whisper_normaliser()(text).split()
    ]


def _alignment(ref: list[str], hyp: list[str]) -> list[tuple[str, str | None]]:
    """Levenshtein alignment: ("=", word), ("S", word), ("D", word), ("I", None)."""
    rows, cols = len(ref) + 1, len(hyp) + 1
    cost = [[0] * cols for _ in range(rows)]
    for i in range(rows):
        cost[i][0] = i
    for j in range(cols):
        cost[0][j] = j
    for i in range(1, rows):
        for j in range(1, cols):
            cost[i][j] = min(
                cost[i - 1][j] + 1,
                cost[i][j - 1] + 1,
                cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]),
            )
    steps: list[tuple[str, str | None]] = []
    i, j = len(ref), len(hyp)
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            steps.append(("=" if ref[i - 1] == hyp[j - 1] else "S", ref[i - 1]))
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            steps.append(("D", ref[i - 1]))
            i -= 1
        else:
            steps.append(("I", None))
            j -= 1
    return steps[::-1]


def main() -> None:
    from lexstream.transcribe.engine import Transcriber

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="base-offline")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--show", action="store_true", help="print each transcript")
    parser.add_argument(
        "--hotword-tokens", type=int, default=None, help="the matter's names as hotwords too"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    settings = TranscribeSettings()
    if args.hotword_tokens is not None:
        settings = settings.model_copy(
            update={"matter_vocabulary_hotword_tokens": args.hotword_tokens}
        )
    vocabulary = matter_vocabulary(search_documents(), settings=settings)
    transcriber = Transcriber(args.model, device="cpu", cpu_threads=args.threads)
    tokenizer = transcriber.whisper_model.hf_tokenizer
    print(f"model {args.model} on {transcriber.device}/{transcriber.compute_type}")
    for name, text in (("prompt", vocabulary.prompt), ("hotwords", vocabulary.hotwords)):
        tokens = len(tokenizer.encode(" " + (text or "")).ids)
        print(f"{name} ({tokens} tokens): {text or '(none)'}")
    heard: list[tuple[str, str, dict[bool, str]]] = []
    for hearing in hearings():
        reference = " ".join(turn.text for turn in hearing.turns)
        texts = {}
        for primed in (False, True):
            transcript = transcriber.transcribe(
                hearing.path,
                document_id=hearing.name,
                media_type="audio/wav",
                language="en",
                initial_prompt=vocabulary.prompt if primed else None,
                hotwords=vocabulary.hotwords if primed else None,
            )
            if args.show:
                print(f"  [{'on' if primed else 'off'}] {transcript.text}")
            texts[primed] = transcript.text
        heard.append((f"{hearing.name} ({hearing.channels} ch)", reference, texts))
    normalisers: tuple[tuple[str, Callable[[str], list[str]]], ...] = (
        ("Whisper's English normaliser (whisper-normalizer)", whisper_words),
        ("the project's normaliser (wer_text.py)", _words),
    )
    for title, words_of in normalisers:
        print(title)
        print(
            f"{'hearing':<22}{'words':>6}{'names':>6}{'WER off':>9}{'WER on':>8}"
            f"{'names off':>11}{'names on':>10}"
        )
        totals = {primed: Errors(words_of=words_of) for primed in (False, True)}
        for label, reference, texts in heard:
            row = {primed: Errors(words_of=words_of) for primed in (False, True)}
            for primed in (False, True):
                row[primed].add(reference, texts[primed])
                totals[primed].add(reference, texts[primed])
            _print_row(label, row[False], row[True])
        _print_row("all", totals[False], totals[True])


def _print_row(label: str, off: Errors, on: Errors) -> None:
    print(
        f"{label:<22}{off.words:>6}{off.name_words:>6}{off.wer:>9.1%}{on.wer:>8.1%}"
        f"{off.name_wer:>11.1%}{on.name_wer:>10.1%}"
    )


if __name__ == "__main__":
    main()
