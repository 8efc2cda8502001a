"""An interpreted hearing is found in either language, at both seconds (issue 17, item 5),
on the real Elasticsearch.

A transcript with a Spanish question, its English interpretation, and an unpaired English
turn is made into its search document by the index service's own builder and indexed under
a prefix of this module's own with the project's mappings; the gateway's own query for an
English phrase then names the Spanish turn's second as well as the interpretation's (the
pair's other language is indexed beside each of its segments), and a Spanish query names the
English interpretation's; the unpaired turn is found in its own language only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from tests.support.gateway import own_indices

from lexstream.gateway.access import Access, Principal
from lexstream.gateway.search import SearchRequest, build_query
from lexstream.index.bootstrap import bootstrap_indices
from lexstream.index.documents import transcript_search_document
from lexstream.shared.artifacts import InterpretedPair, Segment, Transcript
from lexstream.shared.events import ObjectRef, TranscriptReady
from lexstream.shared.search import documents_alias, make_search_client
from lexstream.shared.settings import CommonSettings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

TRANSCRIPT = Transcript(
    document_id="interpreted-1",
    media_type="audio/wav",
    duration=40.0,
    language="es",
    segments=[
        Segment(
            id=0,
            start=2.0,
            end=6.0,
            text="¿Dónde estaba usted la noche del incendio?",
            speaker="MR. OKAFOR",
            language="es",
        ),
        Segment(
            id=1,
            start=7.0,
            end=11.0,
            text="Where were you on the night of the fire?",
            speaker="THE INTERPRETER",
            language="en",
        ),
        Segment(
            id=2,
            start=20.0,
            end=26.0,
            text="The warehouse ledger was never produced.",
            speaker="THE COURT",
            language="en",
        ),
    ],
    pairs=[
        InterpretedPair(
            original=[0],
            interpretation=[1],
            original_language="es",
            interpretation_language="en",
            interpreter="THE INTERPRETER",
        )
    ],
    model="fake",
    device="cpu",
    compute_type="int8",
)
ADMIN = Access(Principal(subject="admin", tenant="default", is_admin=True))


@pytest.fixture(scope="module")
async def indexed(settings: CommonSettings) -> AsyncIterator[tuple[Any, str]]:
    async with own_indices(settings, "interp") as own:
        es = make_search_client(own)
        try:
            await bootstrap_indices(es, own)
            event = TranscriptReady(
                document_id="interpreted-1",
                matter_id="M-INTERP",
                transcript=ObjectRef(bucket="b", key="interpreted-1/transcript.json"),
                vtt=ObjectRef(bucket="b", key="interpreted-1/transcript.vtt"),
                srt=ObjectRef(bucket="b", key="interpreted-1/transcript.srt"),
                media_type="audio/wav",
                filename="hearing.wav",
                duration=40.0,
                language="es",
                model="fake",
                device="cpu",
            )
            doc = transcript_search_document(
                event,
                TRANSCRIPT,
                filename="hearing.wav",
                jurisdiction_hint=None,
                max_chars=100_000,
                extractor_version="test",
            )
            alias = documents_alias(own)
            await es.index(index=alias, id="interpreted-1", document=doc, refresh=True)
            yield es, alias
        finally:
            await es.close()


async def _seconds(es: Any, alias: str, q: str) -> list[float]:
    body = build_query(SearchRequest(q=q, size=5), ADMIN)
    found = await es.search(index=alias, body=body)
    [hit] = found["hits"]["hits"]
    inner = hit["inner_hits"]["segments"]["hits"]["hits"]
    return sorted(h["_source"]["start"] for h in inner if h["_score"] and h["_score"] > 0)


async def test_either_language_finds_both_sides_of_the_pair(indexed: tuple[Any, str]) -> None:
    es, alias = indexed
    assert await _seconds(es, alias, '"night of the fire"') == [2.0, 7.0]
    assert await _seconds(es, alias, '"noche del incendio"') == [2.0, 7.0]


async def test_an_unpaired_turn_is_found_in_its_own_language_only(
    indexed: tuple[Any, str],
) -> None:
    es, alias = indexed
    assert await _seconds(es, alias, '"warehouse ledger"') == [20.0]
