"""The languages lexstream reads, searches and transcribes, and their names in each tool.

One table: the index detects these languages and has an Elasticsearch analyser for each,
OCR ships a Tesseract model for each, and the gateway filters on their codes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # ISO 639-1, as events, search documents and the API spell it
    name: str
    analyzer: str  # the Elasticsearch language analyser
    tesseract: str  # the Tesseract traineddata name (ISO 639-2/T)


LANGUAGES: tuple[Language, ...] = (
    Language("en", "English", "english", "eng"),
    Language("fr", "French", "french", "fra"),
    Language("de", "German", "german", "deu"),
    Language("es", "Spanish", "spanish", "spa"),
    Language("it", "Italian", "italian", "ita"),
    Language("nl", "Dutch", "dutch", "nld"),
    Language("pt", "Portuguese", "portuguese", "por"),
)

LANGUAGE_CODES: tuple[str, ...] = tuple(lang.code for lang in LANGUAGES)
#: ISO 639-1 code -> Elasticsearch analyser
LANGUAGE_ANALYZERS: dict[str, str] = {lang.code: lang.analyzer for lang in LANGUAGES}
#: ISO 639-1 code -> Tesseract model
TESSERACT_MODELS: dict[str, str] = {lang.code: lang.tesseract for lang in LANGUAGES}


def language_code(value: str | None) -> str | None:
    """The supported ISO 639-1 code of a hint ('en', 'EN', 'en-GB'), or None."""
    if not value:
        return None
    code = value.strip().lower().split("-")[0].split("_")[0]
    return code if code in LANGUAGE_ANALYZERS else None
