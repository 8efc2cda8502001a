"""The matter's vocabulary: names and terms from its documents, as hotwords and a prompt.

When a recording belongs to a matter, the parties, counsel, judges, case names, citations
and case numbers the index service already extracted from the matter's documents prime
the transcription of the recording (Whisper spells "Okafor" and "Wednesbury" as the
documents do instead of as the words they sound like). They are read, read-only, from the
documents alias with one search: terms aggregations over the matter's documents (how many
documents name each), plus the citations of a bounded sample of them, whose context gives
the case name printed before a citation. Terms are ranked by the number of documents that
name them and bounded in number and in Whisper tokens, then added after whatever
vocabulary the upload gave.

The transcribe service never calls the gateway; a failure to reach Elasticsearch leaves
the recording with the upload's vocabulary only (a warning, not a failed transcription).
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

log = logging.getLogger(__name__)

TermKind = Literal["party", "counsel", "judge", "case", "citation", "case number"]

#: When as many documents name two terms, the kind that matters more to a hearing first:
#: names are what Whisper misspells; citations and case numbers are said less often.
KIND_ORDER: tuple[TermKind, ...] = ("party", "counsel", "judge", "case", "citation", "case number")

#: Kinds whose words are names of people or parties: they also become hotwords.
NAME_KINDS = frozenset(("party", "counsel", "judge"))

#: The aggregations of the search (field -> kind). Object fields, not nested: a plain
#: terms aggregation counts documents.
AGGREGATED_FIELDS: Mapping[str, TermKind] = {
    "parties.raw": "party",
    "party_roles.name.raw": "party",
    "counsel.name.raw": "counsel",
    "judges.raw": "judge",
    "title.raw": "case",
    "citations.raw": "citation",
    "case_numbers": "case number",
}

# A case name: capitalised words (with the small words of company names), "v" or "v.",
# capitalised words again, and a ship's name in brackets. Example: "Associated Provincial
# Picture Houses Ltd v Wednesbury Corporation", "HARRINGTON LOGISTICS LIMITED v. BELLWEATHER
# FREIGHT PLC", "Transfield Shipping Inc v Mercator Shipping Inc (The Achilleas)".
_SIDE = r"[A-Z][\w&'.-]*(?:\s+(?:[A-Z][\w&'.-]*|of|the|for|de|plc|ltd|llp|inc|&))*"
CASE_NAME = re.compile(
    rf"(?P<name>{_SIDE}\s+v\.?\s+{_SIDE}(?:\s+\((?:The\s+)?[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?\))?)"
)
# Capitalised words that start a sentence, not a party's name ("See", "In", "The").
_LEADING_WORDS = re.compile(r"^(?:(?:See|In|The|As|Cf|And|Also|Per|Following|Applying)\s+)+")
# An all-capitals word kept as it is when title-casing. Example: "PLC", "LLP", "UK".
_ACRONYM = re.compile(r"^(?!THE$|AND$|FOR$)[A-Z]{2,3}$")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w{2,}")
_BRACKETED = re.compile(r"\s*\([^)]*\)")
# The role words after a name. Example: "Margaret Hale for the Claimant".
_ROLE_AFTER = re.compile(r"\s+(?:for|on\s+behalf\s+of|appearing\s+for)\s+the\s+", re.I)
# Lower-case words inside names. Example: "Ursula von der Leyen", "Bellweather Freight plc".
_NAME_PARTICLES = frozenset(("de", "van", "von", "der", "den", "da", "di", "du", "le", "la", "plc"))


@dataclass(frozen=True)
class Term:
    """One name or term of the matter, and how many of its documents give it."""

    text: str
    kind: TermKind
    documents: int


@dataclass(frozen=True)
class Vocabulary:
    """What primes one recording: Whisper's initial prompt and its hotwords."""

    prompt: str | None = None
    hotwords: str | None = None
    terms: tuple[Term, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.prompt and not self.hotwords


EMPTY = Vocabulary()


def estimate_tokens(text: str) -> int:
    """Whisper tokens in ``text``, over-estimated: names, numbers and citations run at
    2.6 to 4 characters a token in its byte-pair vocabulary (the service counts them with
    the model's own tokenizer)."""
    return math.ceil(len(text) / 2.5)


def spoken_form(text: str, *, name: bool = True) -> str:
    """A term as it should read in a transcript: squashed space, "v." as "v", and (in a
    ``name``) the words the document prints in capitals in title case, short ones such as
    "PLC" kept (Whisper primed with capitals writes capitals)."""
    text = _SPACE.sub(" ", text).strip().strip(",;:").removesuffix(".")
    text = re.sub(r"\s+v\.\s+", " v ", text)
    if name:
        text = " ".join(
            word.title() if word.isupper() and not _ACRONYM.match(word) else word
            for word in text.split(" ")
        )
    return text


def case_names(text: str) -> list[str]:
    """The case names in a title or in the words around a citation (which name the case
    cited, and often the cases cited beside it, whose own citation may be one the
    extractor does not read, such as "Hadley v Baxendale (1854) 9 Exch 341")."""
    names = [_LEADING_WORDS.sub("", spoken_form(m["name"])) for m in CASE_NAME.finditer(text)]
    return [name for name in names if CASE_NAME.fullmatch(name)]


def person_name(text: str) -> str:
    """A party's, counsel's or judge's name without the words the extractor kept around it.
    Example: "UPON hearing Margaret Hale for the Claimant" -> "Margaret Hale"."""
    text = _ROLE_AFTER.split(text, maxsplit=1)[0]
    words = text.split()
    run: list[str] = []
    for word in reversed(words):  # the capitalised words that end it
        if not (word[:1].isupper() or word.lower() in _NAME_PARTICLES):
            break
        run.insert(0, word)
    return " ".join(run) if run else text


def rank_terms(counted: Iterable[Term], *, max_terms: int) -> list[Term]:
    """The ``max_terms`` terms most documents name, each once (case and spacing ignored;
    a term seen under two kinds keeps the higher count and the earlier kind)."""
    best: dict[str, Term] = {}
    for term in counted:
        text = spoken_form(term.text, name=term.kind in NAME_KINDS or term.kind == "case")
        if len(text) < 2:
            continue
        key = text.casefold()
        term = Term(text, term.kind, term.documents)
        held = best.get(key)
        if held is None or _order(term) < _order(held):
            best[key] = term
    return sorted(best.values(), key=_order)[:max_terms]


def _order(term: Term) -> tuple[int, int, str]:
    return (-term.documents, KIND_ORDER.index(term.kind), term.text.casefold())


def build_vocabulary(
    terms: list[Term],
    *,
    prompt_tokens: int,
    hotword_tokens: int,
    count_tokens: Callable[[str], int] = estimate_tokens,
) -> Vocabulary:
    """The ranked terms as a prompt (all kinds, best first) and hotwords (the names), each
    cut at the last term that fits its token budget. A term whose words the terms taken
    before it all say already is left out."""
    prompt = _fit([term.text for term in terms], prompt_tokens, count_tokens, ", ")
    names = _fit([t.text for t in terms if t.kind in NAME_KINDS], hotword_tokens, count_tokens)
    return Vocabulary(
        prompt=prompt + "." if prompt else None, hotwords=names or None, terms=tuple(terms)
    )


def _fit(
    texts: list[str], budget: int, count_tokens: Callable[[str], int], separator: str = " "
) -> str:
    taken: list[str] = []
    said: set[str] = set()
    for text in texts:
        words = set(_WORD.findall(text.casefold()))
        if words <= said:  # nothing the terms taken do not say already
            continue
        candidate = separator.join([*taken, text])
        if count_tokens(candidate) > budget:
            continue  # a shorter term further down may still fit
        taken.append(text)
        said |= words
    return separator.join(taken)


def combine(upload: str | None, matter: str | None) -> str | None:
    """The upload's vocabulary first (someone chose it), then the matter's."""
    parts = [part.strip() for part in (upload, matter) if part and part.strip()]
    return " ".join(parts) or None


def matter_query(tenant: str, matter_id: str, *, max_terms: int, sample: int) -> dict[str, Any]:
    """The one search: the matter's documents (recordings left out: their names are what
    is being corrected), a terms aggregation per field, citations of ``sample`` of them."""
    return {
        "size": sample,
        "track_total_hits": False,
        "query": {
            "bool": {
                "filter": [{"term": {"tenant": tenant}}, {"term": {"matter_id": matter_id}}],
                "must_not": [{"term": {"kind": "recording"}}],
            }
        },
        "_source": ["citations.context"],
        "aggs": {name: {"terms": {"field": name, "size": max_terms}} for name in AGGREGATED_FIELDS},
    }


def terms_from_response(response: Mapping[str, Any]) -> list[Term]:
    """Terms with their document counts from the search's aggregations and hits."""
    terms: list[Term] = []
    aggregations = response.get("aggregations") or {}
    for name, kind in AGGREGATED_FIELDS.items():
        for bucket in (aggregations.get(name) or {}).get("buckets", []):
            value, documents = str(bucket["key"]), int(bucket["doc_count"])
            if kind == "case":  # titles: only the case names in them
                terms += [Term(case, "case", documents) for case in case_names(value)]
            elif kind in NAME_KINDS:
                terms.append(Term(person_name(value), kind, documents))
            else:
                terms.append(Term(value, kind, documents))
    cases: Counter[str] = Counter()
    longest: dict[str, str] = {}  # a case's fullest form: with the ship's name, if any
    for hit in (response.get("hits") or {}).get("hits", []):
        citations = (hit.get("_source") or {}).get("citations") or []
        named = {
            case
            for citation in citations
            if citation.get("context")
            for case in case_names(citation["context"])
        }
        keys = {_case_key(case) for case in named}
        cases.update(keys)  # once per document
        for case in named:
            if len(case) > len(longest.get(_case_key(case), "")):
                longest[_case_key(case)] = case
    terms += [Term(longest[key], "case", documents) for key, documents in cases.items()]
    return terms


def _case_key(case: str) -> str:
    """One key for a case with or without the ship's name in brackets.
    Example: "Transfield v Mercator (The Achilleas)" and "Transfield v Mercator"."""
    return _BRACKETED.sub("", case).casefold().strip()


class SearchClient(Protocol):
    """What this needs of ``AsyncElasticsearch``."""

    async def search(self, *, index: str, body: dict[str, Any]) -> Any: ...


class MatterVocabularies:
    """The vocabulary of each matter, read from the documents alias and kept ``ttl_s``.

    One instance per process; ``for_matter`` never raises for Elasticsearch's faults.
    """

    def __init__(
        self,
        client: SearchClient,
        index: str,
        *,
        max_terms: int = 50,
        prompt_tokens: int = 150,
        hotword_tokens: int = 0,
        sample_documents: int = 50,
        ttl_s: float = 300.0,
        max_matters: int = 256,
        count_tokens: Callable[[str], int] = estimate_tokens,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._index = index
        self._max_terms = max_terms
        self._prompt_tokens = prompt_tokens
        self._hotword_tokens = hotword_tokens
        self._sample = sample_documents
        self._ttl_s = ttl_s
        self._max_matters = max_matters
        self._count_tokens = count_tokens
        self._clock = clock
        self._cache: dict[tuple[str, str], tuple[float, Vocabulary]] = {}

    async def for_matter(self, tenant: str, matter_id: str | None) -> Vocabulary:
        if not matter_id:
            return EMPTY
        key = (tenant, matter_id)
        now = self._clock()
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        body = matter_query(tenant, matter_id, max_terms=self._max_terms, sample=self._sample)
        try:
            response = await self._client.search(index=self._index, body=body)
            vocabulary = build_vocabulary(
                rank_terms(terms_from_response(_body(response)), max_terms=self._max_terms),
                prompt_tokens=self._prompt_tokens,
                hotword_tokens=self._hotword_tokens,
                count_tokens=self._count_tokens,
            )
        except Exception as exc:  # any fault of the search or its answer: go on without it
            log.warning(
                "matter vocabulary unavailable, transcribing without it: %s",
                type(exc).__name__,
                extra={"matter_id": matter_id},
            )
            return EMPTY
        self._cache.pop(key, None)
        while len(self._cache) >= self._max_matters:
            self._cache.pop(next(iter(self._cache)))  # the oldest entry
        self._cache[key] = (now + self._ttl_s, vocabulary)
        return vocabulary


def _body(response: Any) -> Mapping[str, Any]:
    """The client's ``ObjectApiResponse`` or a plain dict."""
    body = getattr(response, "body", response)
    return body if isinstance(body, Mapping) else {}
