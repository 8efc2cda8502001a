"""The search body of ``collapse=near_duplicates``: Elasticsearch field collapsing."""

from __future__ import annotations

import pytest
from tests.unit.gateway.searching import search_body

from lexstream.gateway.search import BadSearch, encode_cursor
from lexstream.shared.neardup import GROUP_FIELD


def test_search_collapses_on_the_group_key_and_has_no_next_page() -> None:
    body = search_body(q="lease", collapse=True)
    assert body["collapse"] == {"field": GROUP_FIELD}
    # the visibility filter is still there: collapsing happens among what the caller sees
    assert (
        body["query"]["bool"]["filter"][0] == search_body(q="lease")["query"]["bool"]["filter"][0]
    )
    assert "collapse" not in search_body(q="lease")
    with pytest.raises(BadSearch, match="collapse"):
        search_body(q="lease", collapse=True, search_after=encode_cursor([1.0, "d1"]))
