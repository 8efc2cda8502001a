"""Tables kept as data in lexstream.index.data, loaded once on first use."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


def _load(name: str) -> dict[str, Any]:
    data = resources.files("lexstream.index.data").joinpath(name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(data)
    return loaded


@dataclass(frozen=True)
class CourtEntry:
    id: str
    name: str
    jurisdiction: str
    is_court: bool
    name_from_match: bool
    patterns: tuple[re.Pattern[str], ...]
    ecli_prefixes: tuple[str, ...]
    neutral_codes: tuple[str, ...]


@cache
def court_entries() -> tuple[CourtEntry, ...]:
    entries = []
    for raw in _load("courts.json")["courts"]:
        entries.append(
            CourtEntry(
                id=raw["id"],
                name=raw["name"],
                jurisdiction=raw["jurisdiction"],
                is_court=raw.get("court", True),
                name_from_match=raw.get("name_from_match", False),
                patterns=tuple(re.compile(p, re.IGNORECASE) for p in raw.get("patterns", [])),
                ecli_prefixes=tuple(p.upper() for p in raw.get("ecli", [])),
                neutral_codes=tuple(raw.get("neutral", [])),
            )
        )
    return tuple(entries)


@cache
def us_state_codes() -> dict[str, str]:
    states: dict[str, str] = _load("us_states.json")["states"]
    return states


@cache
def _statutes() -> dict[str, Any]:
    return _load("statutes.json")


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
