"""Hybrid search on the real Elasticsearch with the real embedding model.

Search documents are built by code (pages in English, German and French), given their
passage vectors by the index service's own hook (:func:`lexstream.index.vectors.add_vectors`)
and written under an index prefix of this module's own. An English query finds a German and
a French judgment on the same point; a screened caller's kNN results hold nothing of the
screened matter even though its documents are the nearest.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_bulk

from lexstream.gateway import hybrid
from lexstream.gateway.access import Access, Principal
from lexstream.gateway.limits import InFlight
from lexstream.gateway.settings import GatewaySettings
from lexstream.gateway.stores import Role
from lexstream.index.bootstrap import bootstrap_indices
from lexstream.index.vectors import add_vectors
from lexstream.shared import embeddings
from lexstream.shared.search import documents_alias, make_search_client
from lexstream.shared.settings import CommonSettings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

OPEN, WALLED = "HY-OPEN", "HY-WALLED"

# Each topic: (language, text) of a judgment's reasoning. The commuting-accident point is
# the one the English query asks about; the others are off-topic judgments in the same
# languages, so the language alone cannot explain a match.
TOPICS: dict[str, tuple[str, str]] = {
    "de-commute": (
        "de",
        "Der Kläger verunglückte auf dem direkten Weg von seiner Wohnung zur Arbeitsstätte "
        "mit dem Fahrrad. Ein Wegeunfall ist ein Arbeitsunfall im Sinne der gesetzlichen "
        "Unfallversicherung, wenn der Versicherte den unmittelbaren Weg zwischen Wohnung und "
        "Arbeitsort zurücklegt. Die Berufsgenossenschaft hat daher die Kosten der Behandlung "
        "und eine Verletztenrente zu tragen.",
    ),
    "fr-commute": (
        "fr",
        "Le salarié a été victime d'un accident de la circulation sur le trajet entre son "
        "domicile et son lieu de travail. L'accident de trajet survenu pendant le parcours "
        "normal aller et retour est pris en charge au titre de la législation sur les "
        "accidents du travail, et la caisse primaire d'assurance maladie doit indemniser la "
        "victime.",
    ),
    "de-tenancy": (
        "de",
        "Die Vermieterin verlangt die Räumung der Wohnung wegen Zahlungsverzugs. Der Mieter "
        "war mit zwei Monatsmieten im Rückstand; die fristlose Kündigung des Mietvertrags ist "
        "daher wirksam, und die Kaution darf mit den offenen Mieten verrechnet werden.",
    ),
    "fr-trademark": (
        "fr",
        "La société demanderesse soutient que la marque verbale déposée par la défenderesse "
        "crée un risque de confusion avec sa marque antérieure pour des produits "
        "cosmétiques identiques. La cour prononce la nullité de l'enregistrement de la marque.",
    ),
    "en-tax": (
        "en",
        "The appellant company claimed a deduction of value added tax on the purchase of "
        "luxury vehicles. The tribunal held that input tax is not recoverable where the goods "
        "are not used for the purposes of taxable supplies, and dismissed the appeal.",
    ),
    "en-contract": (
        "en",
        "The buyer sought damages for late delivery of machinery under the supply contract. "
        "The limitation clause was held to be reasonable and the claim for lost profits "
        "failed because such loss was excluded by the express terms agreed by the parties.",
    ),
}
QUERY = (
    "Is an employee who is injured in a traffic accident while commuting from home to work "
    "covered by workers' accident insurance?"
)


def _doc(doc_id: str, tenant: str, matter: str, language: str, text: str) -> dict[str, Any]:
    return {
        "document_id": doc_id,
        "tenant": tenant,
        "matter_id": matter,
        "title": doc_id,
        "filename": f"{doc_id}.pdf",
        "kind": "document",
        "content": text,
        "language": language,
        "pages": [{"number": 1, "text": text, "method": "text-layer", "language": language}],
        "page_count": 1,
    }


@pytest.fixture(scope="module")
async def index(settings: CommonSettings) -> AsyncIterator[tuple[AsyncElasticsearch, str, str]]:
    own = settings.model_copy(update={"index_prefix": f"{settings.index_prefix}hy"})
    es = make_search_client(own)
    alias = documents_alias(own)
    docs = [
        _doc(f"open-{name}", own.tenant, OPEN, lang, text) for name, (lang, text) in TOPICS.items()
    ]
    # The walled matter holds passages that say what the query says, in English: the nearest
    # documents of all, which a screened caller must still not see.
    walled = [
        _doc(f"walled-{i}", own.tenant, WALLED, "en", f"{QUERY} {extra}")
        for i, extra in enumerate(
            [
                "The court held that an injury on the direct route to work is covered.",
                "Commuting accidents count as accidents at work under the insurance scheme.",
            ]
        )
    ]
    everything = docs + walled
    try:
        await bootstrap_indices(es, own)
        embedded = add_vectors(everything)
        assert embedded == len(everything)  # one passage per one-page document
        await async_bulk(
            es,
            [{"_index": alias, "_id": d["document_id"], "_source": d} for d in everything],
            refresh="wait_for",
        )
        yield es, alias, own.tenant
    finally:
        await es.indices.delete(index=f"{alias}-*", allow_no_indices=True)
        await es.indices.delete_index_template(name=alias)
        await es.close()


def _access(tenant: str, *, screened: frozenset[str] = frozenset(), admin: bool = False) -> Access:
    roles = {OPEN: Role.VIEWER, WALLED: Role.VIEWER}
    return Access(Principal("u", tenant, is_admin=admin, roles=roles, screened=screened))


async def _knn(es: AsyncElasticsearch, alias: str, access: Access, k: int) -> list[dict[str, Any]]:
    vector = embeddings.encode_query(QUERY)
    result = await es.search(index=alias, body=hybrid.knn_body(vector, access, k=k))
    return list(result["hits"]["hits"])


async def test_english_query_finds_german_and_french_judgments(
    index: tuple[AsyncElasticsearch, str, str],
) -> None:
    es, alias, tenant = index
    access = _access(tenant, screened=frozenset({WALLED}))
    hits = await _knn(es, alias, access, k=len(TOPICS))
    ranked = [h["_id"] for h in hits]
    assert set(ranked[:2]) == {"open-de-commute", "open-fr-commute"}, ranked
    assert hits[0]["_source"]["embedding_model"] == embeddings.EMBEDDING_MODEL
    # the best passage names its page
    assert hits[0]["inner_hits"]["chunks"]["hits"]["hits"], hits[0]
    assert hybrid.fuse([], hits, size=1)[0]["best_chunk"] == {"page": 1}
    # the same through the gateway's hybrid search (lexical and kNN halves, fused)
    gw: Any = SimpleNamespace(
        es=es,
        alias=alias,
        settings=SimpleNamespace(
            search_query_timeout_s=10.0,
            search_fusion=GatewaySettings.model_fields["search_fusion"].default,
            search_lexical_weight=GatewaySettings.model_fields["search_lexical_weight"].default,
        ),
        in_flight=InFlight(bound=1),
    )
    lexical = {
        "query": {
            "bool": {
                # ranked lexical in the spirit of the gateway's: two thirds of the terms
                "must": [{"match": {"content": {"query": QUERY, "minimum_should_match": "66%"}}}],
                "filter": [access.es_filter()],
            }
        },
        "_source": ["document_id", "language"],
    }
    fused = await hybrid.hybrid_search(gw, access, lexical, QUERY, size=3)
    top = [h["_id"] for h in fused["hits"]["hits"]]
    assert {"open-de-commute", "open-fr-commute"} <= set(top), top
    assert not any(t.startswith("walled-") for t in top)


async def test_screened_matter_is_never_in_knn_results(
    index: tuple[AsyncElasticsearch, str, str],
) -> None:
    es, alias, tenant = index
    everyone = len(TOPICS) + 2
    # Unscreened, the walled documents are the nearest of all ...
    unscreened = await _knn(es, alias, _access(tenant), k=everyone)
    assert {h["_id"] for h in unscreened[:2]} == {"walled-0", "walled-1"}
    # ... screened (as a matter member and as an admin), none comes back even with k as large
    # as the whole index, and the visible documents are all there: the wall costs no recall.
    for admin in (False, True):
        access = _access(tenant, screened=frozenset({WALLED}), admin=admin)
        for k in (1, 2, everyone):
            hits = await _knn(es, alias, access, k=k)
            matters = {h["_source"]["matter_id"] for h in hits}
            assert matters == {OPEN}, (admin, k, matters)
            assert len(hits) == min(k, len(TOPICS))
