"""Names of codes and acts (civil-law codes, EU acts cited by name), kept as data in
``lexstream.shared.legal.data/statutes.json`` and loaded once on first use."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def _statutes() -> dict[str, Any]:
    data = resources.files("lexstream.shared.legal.data").joinpath("statutes.json")
    loaded: dict[str, Any] = json.loads(data.read_text(encoding="utf-8"))
    return loaded


@cache
def _lookup(system: str) -> dict[str, str]:
    table = _statutes()[system]
    if isinstance(table, list):
        return {name.lower(): name for name in table}
    return {str(key).lower(): str(value) for key, value in table.items()}


def statute_code(system: str, name: str) -> str | None:
    """Canonical name of a code or act of a civil-law system ('de', 'fr', 'nl'), or None."""
    return _lookup(system).get(" ".join(name.split()).lower())


def named_act(name: str) -> str | None:
    """Canonical short name of an EU act cited by name ('GDPR', 'TFEU', 'Charter'...)."""
    return _lookup("eu_named_acts").get(" ".join(name.split()).lower())


@cache
def french_code_names() -> tuple[str, ...]:
    """French code names, longest first, for building the article pattern."""
    return tuple(sorted(_lookup("fr").values(), key=len, reverse=True))


@cache
def _instruments() -> dict[str, Any]:
    data = resources.files("lexstream.shared.legal.data").joinpath("instruments.json")
    loaded: dict[str, Any] = json.loads(data.read_text(encoding="utf-8"))
    return loaded


def cets_instrument(number: int) -> str:
    """The canonical name of Council of Europe treaty ETS/CETS ``number`` ('CETS No. 225');
    the European Convention on Human Rights (ETS No. 5) is 'ECHR'."""
    names = _instruments()["cets"].get(str(number), [])
    return "ECHR" if names == ["ECHR"] else f"CETS No. {number}"


@cache
def named_instruments() -> dict[str, dict[str, tuple[str, str]]]:
    """Treaties and acts cited by name, as (instrument, kind), in four tables: 'acronyms' and
    'quiet' (case-sensitive keys; quiet ones only next to an article or alone in a query),
    'names' (lower-case keys) and 'context' ('the Convention': only after an article)."""
    tables: dict[str, dict[str, tuple[str, str]]] = {
        "acronyms": {},
        "quiet": {},
        "names": {},
        "context": {},
    }
    for entry in _instruments()["named"]:
        value = (str(entry["instrument"]), str(entry["kind"]))
        tables["acronyms"].update(dict.fromkeys(entry["acronyms"], value))
        tables["quiet"].update(dict.fromkeys(entry["quiet_acronyms"], value))
        tables["names"].update({" ".join(n.lower().split()): value for n in entry["names"]})
        tables["context"].update({" ".join(n.lower().split()): value for n in entry["context"]})
    for number, names in _instruments()["cets"].items():
        value = (cets_instrument(int(number)), "int_coe")
        if names != ["ECHR"]:
            tables["names"].update({" ".join(n.lower().split()): value for n in names})
    return tables
