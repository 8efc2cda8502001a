"""The Elasticsearch mappings of the indices the index service owns.

Search documents live in ``<prefix>-documents-NNNNNN`` indices made from one index
template (:func:`documents_settings`, :func:`documents_mappings`), behind the write alias
``<prefix>-documents``; status records live in ``<prefix>-status`` (:func:`status_mappings`).
Only the index service writes them (:mod:`lexstream.index.bootstrap` creates them); the
gateway reads them by name (:func:`lexstream.shared.search.documents_alias`,
:func:`lexstream.shared.search.status_index`).

A change here reaches existing documents through ``python -m lexstream.index reindex``.
"""

from __future__ import annotations

from typing import Any

from lexstream.shared.embeddings import DIMS
from lexstream.shared.legal.languages import LANGUAGE_ANALYZERS

#: The sub-field that holds the parts of compound tokens: the standard tokenizer keeps a
#: domain, a dotted name or an e-mail's local part as one token ('examplecorp.com',
#: 'john.doe'), so 'examplecorp' alone would find nothing. The built-in ``simple`` analyzer
#: splits at every non-letter ('.', '@', '-', digits, apostrophes) whatever the language,
#: and the whole token stays in the main and language fields. Searches over ``<field>.*``
#: (the gateway's) use it as they are; no custom filter is needed (the local Elasticsearch
#: build has no analysis-common module: no word_delimiter_graph or pattern_capture).
PARTS_FIELD = "parts"


def _multilingual_text() -> dict[str, Any]:
    return {
        "type": "text",
        "analyzer": "standard",
        "fields": {
            **{
                lang: {"type": "text", "analyzer": analyzer}
                for lang, analyzer in LANGUAGE_ANALYZERS.items()
            },
            PARTS_FIELD: {"type": "text", "analyzer": "simple"},
        },
    }


def _people(bounded: dict[str, Any]) -> dict[str, Any]:
    """Parties or counsel with the role the document gives them (extraction.Person)."""
    return {
        "type": "object",
        "properties": {
            "name": {"type": "text", "fields": {"raw": bounded}},
            "role": {"type": "keyword"},
            "role_text": bounded,
        },
    }


def documents_mappings() -> dict[str, Any]:
    keyword = {"type": "keyword"}
    # Free-form values read from documents: an over-long one is kept in _source but not
    # indexed, instead of failing the whole document (Lucene refuses terms over 32 KB).
    bounded = {"type": "keyword", "ignore_above": 1024}
    return {
        "dynamic": "strict",
        # Passage vectors are indexed (HNSW, int8) but not kept in _source: as JSON floats
        # they would more than double the index, and every hit's fetch would parse them.
        # Hence a copy from _source (reindex) re-embeds, see reindex.re_embed.
        "_source": {"excludes": ["chunks.vector"]},
        "properties": {
            "document_id": keyword,
            "tenant": keyword,
            "matter_id": keyword,
            "acl": keyword,
            "parent_document_id": keyword,
            "title": {"type": "text", "fields": {"raw": {"type": "keyword", "ignore_above": 512}}},
            "filename": {
                "type": "text",
                "fields": {"raw": {"type": "keyword", "ignore_above": 512}},
            },
            "media_type": keyword,
            "kind": keyword,
            "sha256": keyword,
            "size": {"type": "long"},
            "content": _multilingual_text(),
            "content_truncated": {"type": "boolean"},
            "language": keyword,
            "jurisdiction": {
                "type": "text",
                "analyzer": "jurisdiction_path",
                "search_analyzer": "keyword",
                "fielddata": False,
                "fields": {"raw": keyword},
            },
            "court": {**bounded, "fields": {"text": {"type": "text"}}},
            "court_id": keyword,
            "doc_type": keyword,
            "decision_date": {"type": "date"},
            "case_numbers": bounded,
            # The document's own identifiers (ECLI, neutral citation, CELEX, ELI, docket, OJ,
            # abbreviation) and, flat, their case-folded keys for 'identifier=' searches.
            "identifiers": {
                "type": "object",
                "properties": {"kind": keyword, "value": bounded},
            },
            "identifier_keys": bounded,
            "parties": {"type": "text", "fields": {"raw": bounded}},
            "party_roles": _people(bounded),
            "counsel": _people(bounded),
            "judges": {"type": "text", "fields": {"raw": bounded}},
            "citations": {
                "type": "object",
                "properties": {
                    "raw": bounded,
                    "normalized": bounded,
                    "kind": keyword,
                    "instrument": bounded,
                    "pinpoint": bounded,
                    "authority_id": bounded,
                    # shown treatment signals with their sentence (extraction.treatment)
                    "treatments": {
                        "type": "object",
                        "properties": {
                            "signal": keyword,
                            "sentence": {"type": "text", "index": False},
                            "start": {"type": "integer", "index": False},
                        },
                    },
                    # where it is cited (lexstream.index.authority_links): shown, not searched
                    "count": {"type": "integer"},
                    "start": {"type": "integer", "index": False},
                    "page": {"type": "integer", "index": False},
                    "second": {"type": "float", "index": False},
                    "context": {"type": "text", "index": False},
                },
            },
            # Canonical ids of the cited authorities, each level (shared.legal.authorities).
            "authorities": bounded,
            # The authorities the document itself is (its own identifiers resolved alike).
            "own_authorities": bounded,
            # A statute's provisions or a judgment's paragraphs (lexstream.index.structures):
            # the JSON form without text, bounded, stored only; every id, for look-ups.
            "structure": {"type": "object", "enabled": False},
            "provision_ids": {"type": "keyword", "ignore_above": 256},
            # A contract's structure (lexstream.index.contract_fields): what is filtered and
            # counted on, indexed; its clauses and defined terms, stored only.
            "contract": {
                "properties": {
                    "governing_law": bounded,
                    "forum_kind": bounded,
                    "forum_place": bounded,
                    "forum_exclusive": {"type": "boolean"},
                    "agreement_date": {"type": "date"},
                    "effective_date": {"type": "date"},
                    "term_months": {"type": "integer"},
                    "renews": {"type": "boolean"},
                    "indefinite": {"type": "boolean"},
                    "parties": bounded,
                    "party_roles": bounded,
                    "clause_categories": bounded,
                    "defined_terms": bounded,
                }
            },
            "contract_structure": {"type": "object", "enabled": False},
            # Normalised citations (lexstream.shared.legal.normalize_citation) for 'cites' queries.
            "cites": bounded,
            "page_count": {"type": "integer"},
            "tables": {"type": "integer"},
            "duration": {"type": "float"},
            "pages": {
                "type": "nested",
                "properties": {
                    "number": {"type": "integer"},
                    "text": _multilingual_text(),
                    "method": keyword,
                    "confidence": {"type": "float"},
                    "language": keyword,
                    "tables": {"type": "integer"},
                },
            },
            "segments": {
                "type": "nested",
                "properties": {
                    "start": {"type": "float"},
                    "end": {"type": "float"},
                    "speaker": keyword,
                    "language": keyword,
                    "text": _multilingual_text(),
                    "cite": {"type": "keyword", "index": False},
                    # the other language of an interpreted turn (documents.paired_texts)
                    "paired_text": _multilingual_text(),
                },
            },
            # Passage vectors for the gateway's kNN (lexstream.index.vectors): the passage's
            # page or first second; int8-quantised HNSW, a quarter of float32's memory.
            "chunks": {
                "type": "nested",
                "properties": {
                    "text": {"type": "text", "index": False},
                    "page": {"type": "integer"},
                    "start": {"type": "float"},
                    "vector": {
                        "type": "dense_vector",
                        "dims": DIMS,
                        "index": True,
                        "similarity": "cosine",
                        "index_options": {"type": "int8_hnsw"},
                    },
                },
            },
            "embedding_model": keyword,
            # Near-duplicate groups (lexstream.shared.neardup): the group key (the principal's
            # id) collapses a group into one hit; the LSH band keys find candidates; the
            # MinHash signature is kept to verify them, not indexed.
            "near_dup": {
                "type": "object",
                "properties": {
                    "group": keyword,
                    "bands": keyword,
                    "signature": {"type": "binary"},
                    "scheme": keyword,
                    "words": {"type": "integer"},
                },
            },
            # E-mail headers (EML, MSG, mailbox messages) and the message's thread
            # (lexstream.shared.threads): thread_id from the headers at index time, then
            # thread_id and inclusive re-evaluated over the thread (index.mailthreads).
            "email": {
                "type": "object",
                "properties": {
                    "from": {**bounded, "fields": {"text": {"type": "text"}}},
                    "to": {**bounded, "fields": {"text": {"type": "text"}}},
                    "cc": {**bounded, "fields": {"text": {"type": "text"}}},
                    "date": {"type": "date"},
                    "subject": {
                        "type": "text",
                        "fields": {"raw": {"type": "keyword", "ignore_above": 1024}},
                    },
                    "normalized_subject": bounded,
                    "message_id": bounded,
                    "in_reply_to": bounded,
                    "references": bounded,
                    "attachments": bounded,
                },
            },
            "thread_id": keyword,
            "inclusive": {"type": "boolean"},
            "duplicate_of": keyword,
            "extractor_version": keyword,
            "provenance": {"type": "object", "enabled": False},
            "received_at": {"type": "date"},
            "indexed_at": {"type": "date"},
        },
    }


def documents_settings() -> dict[str, Any]:
    return {
        "number_of_shards": 1,
        "number_of_replicas": 0,
        "analysis": {
            "analyzer": {"jurisdiction_path": {"type": "custom", "tokenizer": "jurisdiction_path"}},
            "tokenizer": {"jurisdiction_path": {"type": "path_hierarchy", "delimiter": "/"}},
        },
    }


def status_mappings() -> dict[str, Any]:
    keyword = {"type": "keyword"}
    return {
        "dynamic": False,
        "properties": {
            "document_id": keyword,
            "tenant": keyword,
            "matter_id": keyword,
            "parent_document_id": keyword,
            "status": keyword,
            "rank": {"type": "integer"},
            "stage": keyword,
            "failure_reason": {"type": "text"},
            "failure_stage": keyword,
            "filename": {"type": "text", "fields": {"raw": keyword}},
            "media_type": keyword,
            # the original's bytes: deletion keeps an original another document still uses
            "sha256": keyword,
            "progress": {"type": "float"},
            "updated_at": {"type": "date"},
            "stages": {"type": "object", "enabled": False},
            "provenance": {"type": "object", "enabled": False},
        },
    }
