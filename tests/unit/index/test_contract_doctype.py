"""Contracts are classified as contracts in every language the fixtures are written in, by
their title and parties; a judgment or statute that names a contract is not one."""

from __future__ import annotations

from pathlib import Path

import pytest

from lexstream.index.extraction.doctype import classify, looks_like_contract

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "contracts"


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.name)
def test_every_fixture_contract_is_a_contract(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert classify(text, filename=path.name, media_type="text/plain", jurisdiction=None) == (
        "contract"
    )


@pytest.mark.parametrize(
    "text",
    [
        # a judgment about a contract between the parties
        "Approved Judgment\n\n[1] This appeal concerns a contract between the parties.",
        # a treaty's title, with no parties named as a contract names them
        "Vertrag über die Arbeitsweise der Europäischen Union\n\nSEINE MAJESTÄT DER KÖNIG",
        # an agreement named in a statute's body, not its title
        "Loi n° 2016-1321\n\nL'accord conclu entre les parties est nul.",
        # parties without a title
        "Between:\n\nHARRINGTON LOGISTICS LIMITED\nAppellant\n\n- and -\n\nBELLWEATHER",
    ],
)
def test_what_names_a_contract_is_not_one(text: str) -> None:
    assert not looks_like_contract(text)
