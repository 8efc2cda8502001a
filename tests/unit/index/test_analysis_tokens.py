"""Every analysed text field has a sub-field that splits compound tokens into their parts."""

from __future__ import annotations

from lexstream.index.mappings import PARTS_FIELD, documents_mappings
from lexstream.shared.legal.languages import LANGUAGE_ANALYZERS


def test_every_text_field_has_the_parts_sub_field_next_to_its_languages() -> None:
    properties = documents_mappings()["properties"]
    fields = {
        "content": properties["content"],
        "pages.text": properties["pages"]["properties"]["text"],
        "segments.text": properties["segments"]["properties"]["text"],
    }
    for name, field in fields.items():
        assert field["analyzer"] == "standard", name
        assert field["fields"][PARTS_FIELD] == {"type": "text", "analyzer": "simple"}, name
        assert set(field["fields"]) == {*LANGUAGE_ANALYZERS, PARTS_FIELD}, name
        # the parts field's name is no language code, so no language search picks it by name
        assert PARTS_FIELD not in LANGUAGE_ANALYZERS
