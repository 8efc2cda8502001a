"""The legal vocabulary the services share, in pure Python (no eyecite, courts-db, lingua).

- :mod:`~lexstream.shared.legal.citations`: the normal form of a citation, which the index
  stores and a ``cites`` search asks for;
- :mod:`~lexstream.shared.legal.languages`: the supported languages and their analysers;
- :mod:`~lexstream.shared.legal.acl`: the ``matter:<id>`` / ``tenant:<t>`` access entries.
"""

from lexstream.shared.legal.acl import document_acl, matter_acl, tenant_acl
from lexstream.shared.legal.citations import normalize_citation
from lexstream.shared.legal.languages import (
    LANGUAGE_ANALYZERS,
    LANGUAGE_CODES,
    LANGUAGES,
    TESSERACT_MODELS,
    Language,
    language_code,
)

__all__ = [
    "LANGUAGES",
    "LANGUAGE_ANALYZERS",
    "LANGUAGE_CODES",
    "TESSERACT_MODELS",
    "Language",
    "document_acl",
    "language_code",
    "matter_acl",
    "normalize_citation",
    "tenant_acl",
]
