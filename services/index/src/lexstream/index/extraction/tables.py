"""Court and state tables kept as data in lexstream.index.data, loaded once on first use.

(The statute tables the citation patterns read live with them in lexstream.shared.legal.)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@cache
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
    name_en: str = ""
    language: str | None = None
    level: str | None = None


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
                name_en=raw.get("name_en", raw["name"]),
                language=raw.get("lang"),
                level=raw.get("level"),
            )
        )
    return tuple(entries)


@cache
def ecli_countries() -> dict[str, str]:
    """ECLI country code -> jurisdiction path: 'NL' -> 'EU/NL', 'EL' -> 'EU/GR' (ECLI writes
    Greece as EL), 'EU' -> 'EU', 'CE' (Council of Europe) -> 'INT/COE'."""
    countries: dict[str, str] = _load("courts.json")["ecli_countries"]
    return countries


@cache
def us_state_codes() -> dict[str, str]:
    states: dict[str, str] = _load("us_states.json")["states"]
    return states
