"""Legal-structure extraction: pure functions over a document's text (no I/O).

Jurisdictions are paths: ``US``, ``US/FED``, ``US/STATE/<USPS code>``, ``EU`` for the
Union's own courts and acts, ``EU/<ISO 3166 code>`` for member states (``EU/DE``,
``EU/FR``, ``EU/NL``), ``UK`` for UK-wide courts (UKSC, UKPC, Upper Tribunal) and
``UK/EW``, ``UK/SC``, ``UK/NI`` for the courts of England and Wales, Scotland and
Northern Ireland; ``INT/COE`` for the European Court of Human Rights, ``INT/EPO`` for the
EPO boards of appeal and ``INT`` for international instruments. Greece is ``EU/GR`` (ISO),
although its ECLIs say ``EL``.
"""

from lexstream.index.extraction.extract import extract
from lexstream.index.extraction.models import DOC_TYPES, Citation, Identifier, LegalMetadata, Person

# Bump when a change to the rules or tables changes what extract() returns, so that the
# index can tell which documents were extracted by an older version and re-extract them.
EXTRACTOR_VERSION = "2.2.0"


def warm_up() -> None:
    """Load eyecite, courts-db and lingua ahead of the first document (several seconds:
    courts-db compiles ~8,400 patterns); call it once at service start."""
    from lexstream.index.extraction import courts

    courts.warm_up()
    extract("Before: SMITH, Circuit Judge. United States Court of Appeals. See 410 U.S. 113.")


__all__ = [
    "DOC_TYPES",
    "EXTRACTOR_VERSION",
    "Citation",
    "Identifier",
    "LegalMetadata",
    "Person",
    "extract",
    "warm_up",
]
