"""The matter's vocabulary: ranking and bounding of its terms, reading them from a search
answer, the per-matter cache, going on without it when Elasticsearch fails, and the stage
that adds it to the upload's vocabulary (``lexstream.transcribe.vocabulary``)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from faststream.kafka import TestKafkaBroker
from pydantic import ValidationError
from tests.support.factories import hearing_transcript
from tests.support.inmemory import Published, StageHarness, wire
from tokenizers import Tokenizer

from lexstream.shared.artifacts import Transcript
from lexstream.shared.events import Hints, Stage, TranscribeRequested
from lexstream.transcribe.handlers import build_router
from lexstream.transcribe.model import ensure_offline_base_model
from lexstream.transcribe.settings import TranscribeSettings
from lexstream.transcribe.stage import TranscribeStage
from lexstream.transcribe.vocabulary import (
    EMPTY,
    MatterVocabularies,
    Term,
    Vocabulary,
    build_vocabulary,
    case_names,
    combine,
    estimate_tokens,
    matter_query,
    person_name,
    rank_terms,
    spoken_form,
    terms_from_response,
)


@pytest.fixture(scope="module")
def whisper_tokens() -> Any:
    """Whisper's own token count (the offline base model's tokenizer)."""
    tokenizer = Tokenizer.from_file(str(ensure_offline_base_model() / "tokenizer.json"))
    return lambda text: len(tokenizer.encode(" " + text).ids)


def test_terms_are_ranked_by_the_documents_that_name_them_then_by_kind() -> None:
    ranked = rank_terms(
        [
            Term("[2008] UKHL 48", "citation", 4),
            Term("Hadley v Baxendale", "case", 2),
            Term("Daniel Okafor", "counsel", 2),
            Term("Pemberton", "judge", 1),
            Term("DANIEL OKAFOR", "party", 1),  # the same name, fewer documents: folded
            Term("Bellweather Freight PLC", "party", 2),
        ],
        max_terms=10,
    )
    assert [(t.text, t.documents) for t in ranked] == [
        ("[2008] UKHL 48", 4),
        ("Bellweather Freight PLC", 2),
        ("Daniel Okafor", 2),
        ("Hadley v Baxendale", 2),
        ("Pemberton", 1),
    ]
    assert [t.kind for t in ranked][:3] == ["citation", "party", "counsel"]


def test_the_number_of_terms_is_bounded() -> None:
    counted = [Term(f"Party Number{i}", "party", i) for i in range(200)]
    ranked = rank_terms(counted, max_terms=50)
    assert len(ranked) == 50
    assert ranked[0].documents == 199
    assert ranked[-1].documents == 150


def test_prompt_and_hotwords_stay_within_whisper_token_budgets(whisper_tokens: Any) -> None:
    surnames = ["Okafor", "Lindqvist", "Wednesbury", "Baxendale", "Nwachukwu", "Szymanski"]
    terms = rank_terms(
        [
            Term(f"{given} {surname}{i}", "counsel", 100 - i)
            for i, (given, surname) in enumerate(
                (g, s) for g in ("Daniel", "Margaret", "Ngozi") for s in surnames * 20
            )
        ]
        + [Term(f"Case{i} v Other{i}", "case", 50) for i in range(100)],
        max_terms=400,
    )
    for count in (whisper_tokens, estimate_tokens):
        vocabulary = build_vocabulary(
            terms, prompt_tokens=150, hotword_tokens=50, count_tokens=count
        )
        assert vocabulary.prompt
        assert vocabulary.hotwords
        assert whisper_tokens(vocabulary.prompt) <= 151  # the closing full stop
        assert whisper_tokens(vocabulary.hotwords) <= 50
        assert whisper_tokens(vocabulary.prompt) >= 100  # the budget is used, not wasted
        # best first: the first terms are in, the last are not
        assert terms[0].text in vocabulary.prompt
        assert terms[-1].text not in vocabulary.prompt
    # names only in the hotwords; cases in the prompt
    vocabulary = build_vocabulary(terms, prompt_tokens=1000, hotword_tokens=1000)
    assert "Case0 v Other0" in (vocabulary.prompt or "")
    assert "Case0" not in (vocabulary.hotwords or "")


def test_a_term_the_terms_before_it_already_say_is_left_out() -> None:
    terms = [
        Term("Harrington Logistics Limited", "party", 3),
        Term("Bellweather Freight PLC", "party", 3),
        Term("Harrington Logistics Limited v Bellweather Freight PLC", "case", 3),
        Term("Hadley v Baxendale", "case", 2),
    ]
    vocabulary = build_vocabulary(terms, prompt_tokens=100, hotword_tokens=100)
    assert vocabulary.prompt == (
        "Harrington Logistics Limited, Bellweather Freight PLC, Hadley v Baxendale."
    )
    assert vocabulary.hotwords == "Harrington Logistics Limited Bellweather Freight PLC"


def test_no_terms_no_vocabulary() -> None:
    vocabulary = build_vocabulary([], prompt_tokens=150, hotword_tokens=50)
    assert vocabulary.empty
    assert (vocabulary.prompt, vocabulary.hotwords) == (None, None)


@pytest.mark.parametrize(
    ("printed", "spoken"),
    [
        ("HARRINGTON LOGISTICS LIMITED", "Harrington Logistics Limited"),
        ("BELLWEATHER FREIGHT PLC", "Bellweather Freight PLC"),
        (
            "HARRINGTON LOGISTICS LIMITED v. BELLWEATHER FREIGHT PLC",
            "Harrington Logistics Limited v Bellweather Freight PLC",
        ),
        ("  Daniel   Okafor, ", "Daniel Okafor"),
        ("THE QUEEN", "The Queen"),
    ],
)
def test_names_printed_in_capitals_are_spoken_in_title_case(printed: str, spoken: str) -> None:
    assert spoken_form(printed) == spoken


def test_citations_keep_their_capitals() -> None:
    assert spoken_form("[2008] UKHL 48", name=False) == "[2008] UKHL 48"


def test_case_names_in_the_words_around_a_citation() -> None:
    context = (
        "… too remote: Hadley v Baxendale and Transfield Shipping Inc v Mercator Shipping Inc "
        "(The Achilleas) [2008] UKHL 48. 3. No duty of care arises: Caparo Industries plc v "
        "Dickman [1990] UKHL 2. See Associated Provincial Picture Houses Ltd v. Wednesbury "
        "Corporation."
    )
    assert case_names(context) == [
        "Hadley v Baxendale",
        "Transfield Shipping Inc v Mercator Shipping Inc (The Achilleas)",
        "Caparo Industries plc v Dickman",
        "Associated Provincial Picture Houses Ltd v Wednesbury Corporation",
    ]
    assert case_names("Witness statement of Sarah Lindqvist") == []


@pytest.mark.parametrize(
    ("extracted", "name"),
    [
        ("UPON hearing Margaret Hale for the Claimant", "Margaret Hale"),
        ("Daniel Okafor", "Daniel Okafor"),
        ("Ursula von der Leyen", "Ursula von der Leyen"),
    ],
)
def test_people_lose_the_words_the_extractor_kept_around_them(extracted: str, name: str) -> None:
    assert person_name(extracted) == name


def _response() -> dict[str, Any]:
    """A search answer as Elasticsearch gives it for :func:`matter_query`."""
    buckets = {
        "parties.raw": [("HARRINGTON LOGISTICS LIMITED", 3), ("BELLWEATHER FREIGHT PLC", 3)],
        "party_roles.name.raw": [("HARRINGTON LOGISTICS LIMITED", 3)],
        "counsel.name.raw": [
            ("Daniel Okafor", 2),
            ("UPON hearing Margaret Hale for the Claimant", 1),
        ],
        "judges.raw": [("Pemberton", 1)],
        "title.raw": [
            ("HARRINGTON LOGISTICS LIMITED v. BELLWEATHER FREIGHT PLC", 3),
            ("Order of 3 March", 1),
        ],
        "citations.raw": [("[2008] UKHL 48", 2)],
        "case_numbers": [("CL-2025-000417", 3)],
    }
    context = "… relies on Hadley v Baxendale and on Transfield v Mercator [2008] UKHL 48."
    return {
        "aggregations": {
            name: {"buckets": [{"key": key, "doc_count": count} for key, count in pairs]}
            for name, pairs in buckets.items()
        },
        "hits": {
            "hits": [
                # the same case twice in one document counts once
                {"_source": {"citations": [{"context": context}, {"context": context}]}},
                {
                    "_source": {
                        "citations": [
                            {"context": "Hadley v Baxendale [1854] EWHC J70"},
                            {"context": "Transfield v Mercator (The Achilleas) [2008] UKHL 48"},
                        ]
                    }
                },
                {"_source": {}},
            ]
        },
    }


def test_terms_are_read_from_the_aggregations_and_the_citations_context() -> None:
    terms = rank_terms(terms_from_response(_response()), max_terms=50)
    by_text = {term.text: (term.kind, term.documents) for term in terms}
    assert by_text["Harrington Logistics Limited"] == ("party", 3)
    assert by_text["Margaret Hale"] == ("counsel", 1)
    assert by_text["Hadley v Baxendale"] == ("case", 2)
    # one case, said with and without the ship's name: its fullest form, both documents
    assert by_text["Transfield v Mercator (The Achilleas)"] == ("case", 2)
    assert "Transfield v Mercator" not in by_text
    assert by_text["Harrington Logistics Limited v Bellweather Freight PLC"] == ("case", 3)
    assert by_text["[2008] UKHL 48"] == ("citation", 2)
    assert "Order of 3 March" not in by_text  # a title that names no case


def test_the_search_is_of_the_matter_alone_without_its_recordings() -> None:
    body = matter_query("acme", "M-7", max_terms=50, sample=20)
    assert body["query"]["bool"]["filter"] == [
        {"term": {"tenant": "acme"}},
        {"term": {"matter_id": "M-7"}},
    ]
    assert body["query"]["bool"]["must_not"] == [{"term": {"kind": "recording"}}]
    assert body["size"] == 20
    assert {agg["terms"]["size"] for agg in body["aggs"].values()} == {50}


@dataclass
class FakeSearch:
    """Answers with :func:`_response` (or raises ``error``); keeps what it was asked."""

    error: Exception | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)

    async def search(self, *, index: str, body: dict[str, Any]) -> Any:
        self.calls.append({"index": index, **body})
        if self.error is not None:
            raise self.error
        return _response()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_matters_vocabulary_is_kept_for_a_while_then_read_again() -> None:
    search, clock = FakeSearch(), Clock()
    vocabularies = MatterVocabularies(
        search, "lx-documents", hotword_tokens=50, ttl_s=300, clock=clock
    )
    first = await vocabularies.for_matter("acme", "M-7")
    assert first.prompt
    assert "Hadley v Baxendale" in first.prompt
    assert first.hotwords
    assert "Daniel Okafor" in first.hotwords
    assert await vocabularies.for_matter("acme", "M-7") is first
    assert len(search.calls) == 1
    await vocabularies.for_matter("other-tenant", "M-7")  # another tenant's matter
    assert len(search.calls) == 2
    clock.now += 301
    await vocabularies.for_matter("acme", "M-7")
    assert len(search.calls) == 3
    assert search.calls[0]["index"] == "lx-documents"


async def test_a_recording_of_no_matter_asks_nothing() -> None:
    search = FakeSearch()
    assert await MatterVocabularies(search, "x").for_matter("acme", None) is EMPTY
    assert not search.calls


async def test_a_search_that_fails_gives_no_vocabulary_and_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    search = FakeSearch(error=ConnectionError("refused"))
    vocabularies = MatterVocabularies(search, "x")
    with caplog.at_level(logging.WARNING, logger="lexstream.transcribe.vocabulary"):
        assert await vocabularies.for_matter("acme", "M-7") is EMPTY
    assert "matter vocabulary unavailable" in caplog.text
    search.error = None  # a failure is not cached: the next recording asks again
    assert not (await vocabularies.for_matter("acme", "M-7")).empty
    assert len(search.calls) == 2


def test_the_uploads_vocabulary_comes_first() -> None:
    assert combine("Smith v. Jones", "Hadley v Baxendale.") == "Smith v. Jones Hadley v Baxendale."
    assert combine(None, "Okafor") == "Okafor"
    assert combine(" ", None) is None


PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "s3_secret_key": "an-s3-secret-from-the-vault",
    "s3_secure": True,
    "kafka_security_protocol": "SASL_SSL",
    "kafka_sasl_username": "lexstream-transcribe",
    "kafka_sasl_password": "a-sasl-password-from-the-vault",
}


def test_in_production_the_vocabulary_needs_a_secured_search() -> None:
    assert not TranscribeSettings().reads_matter_vocabulary  # off unless asked for
    assert TranscribeSettings(matter_vocabulary="auto").reads_matter_vocabulary  # development
    assert not TranscribeSettings(matter_vocabulary="off").reads_matter_vocabulary
    # auto stands down in production without a secured search
    assert not TranscribeSettings(**PRODUCTION, matter_vocabulary="auto").reads_matter_vocabulary
    with pytest.raises(ValidationError, match="LEXSTREAM_ELASTICSEARCH_URL must be https"):
        TranscribeSettings(**PRODUCTION, matter_vocabulary="on")
    secured = TranscribeSettings(
        **PRODUCTION,
        elasticsearch_url="https://search.internal:9200",
        elasticsearch_api_key="an-api-key-from-the-vault",
        matter_vocabulary="auto",
    )
    assert secured.reads_matter_vocabulary


# The stage: the matter's vocabulary after the upload's, and none where the search fails.


@dataclass
class RecordingTranscriber:
    calls: list[dict[str, Any]] = field(default_factory=list)

    def transcribe(self, path: Path, **kwargs: Any) -> Transcript:
        self.calls.append({"path": path, **kwargs})
        return hearing_transcript(kwargs["document_id"], media_type=kwargs["media_type"])


@dataclass
class Transcribe(StageHarness[TranscribeSettings]):
    consumes = "transcribe_requested"
    transcriber: RecordingTranscriber
    ready: list[Published] = field(init=False, metadata={"collects": "transcript_ready"})

    async def request(self, **fields: Any) -> TranscribeRequested:
        original = self.store.put_original(f"sha256/ab/{secrets.token_hex(32)}", b"RIFF")
        request = TranscribeRequested(
            document_id=f"doc-{secrets.token_hex(4)}",
            original=original,
            media_type="audio/wav",
            filename="hearing.wav",
            **fields,
        )
        await self.broker.publish(
            request.model_dump_event(),
            self.topics.transcribe_requested,
            key=request.document_id.encode(),
        )
        return request


@pytest.fixture
def search() -> FakeSearch:
    return FakeSearch()


@pytest.fixture
async def asr(search: FakeSearch) -> AsyncIterator[Transcribe]:
    transcriber = RecordingTranscriber()
    harness = wire(Transcribe, TranscribeSettings, Stage.TRANSCRIBE, transcriber=transcriber)
    stage = TranscribeStage(
        harness.settings,
        harness.broker,
        harness.store,
        harness.topics,
        transcriber,
        MatterVocabularies(search, "lx-documents", hotword_tokens=50),
    )
    harness.broker.include_router(
        build_router(harness.settings, harness.topics, harness.runner, stage)
    )
    async with TestKafkaBroker(harness.broker):
        yield harness


async def test_the_stage_adds_the_matters_vocabulary_to_the_uploads(asr: Transcribe) -> None:
    hints = Hints(initial_prompt="Smith v. Jones.", hotwords="Smith Jones")
    await asr.request(hints=hints, matter_id="M-7", tenant="acme")
    [call] = asr.transcriber.calls
    assert call["initial_prompt"].startswith("Smith v. Jones. Bellweather Freight PLC, Harrington")
    assert "Hadley v Baxendale" in call["initial_prompt"]
    assert call["hotwords"].startswith("Smith Jones Bellweather Freight PLC Harrington")
    assert len(asr.ready) == 1


async def test_the_stage_without_a_matter_passes_the_uploads_vocabulary(asr: Transcribe) -> None:
    await asr.request(hints=Hints(initial_prompt="Smith v. Jones."))
    [call] = asr.transcriber.calls
    assert (call["initial_prompt"], call["hotwords"]) == ("Smith v. Jones.", None)


@pytest.mark.parametrize("search", [FakeSearch(error=TimeoutError())])
async def test_the_stage_transcribes_when_the_search_fails(asr: Transcribe) -> None:
    await asr.request(hints=Hints(hotwords="Smith"), matter_id="M-7")
    [call] = asr.transcriber.calls
    assert (call["initial_prompt"], call["hotwords"]) == (None, "Smith")
    assert len(asr.ready) == 1
    assert not asr.failed


def test_an_empty_vocabulary_is_empty() -> None:
    assert EMPTY.empty
    assert not Vocabulary(prompt="Okafor.").empty


async def test_an_answer_it_cannot_read_gives_no_vocabulary() -> None:
    class Odd:
        async def search(self, **request: Any) -> Any:
            return {"aggregations": {"parties.raw": {"buckets": [{"key": "X"}]}}}  # no count

    assert await MatterVocabularies(Odd(), "x").for_matter("acme", "M-7") is EMPTY
