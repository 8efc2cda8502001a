"""Extraction's work is bounded: eyecite once per document on a bounded prefix, scanning
only near its reporters' strings; language from bounded windows, lingua only when the
function words leave doubt; tables and patterns built once. No timings: counts and spans.
(bench/index/extract_bench.py measures the speed.)"""

from __future__ import annotations

import re
from typing import Any

import eyecite.helpers
import pytest
from eyecite import get_citations
from eyecite.tokenizers import default_tokenizer

from lexstream.index.extraction import extract, language, us_citations
from lexstream.index.extraction.text import LANGUAGE_SAMPLE_CHARS, MAX_EYECITE_CHARS, clean
from lexstream.shared.legal.languages import LANGUAGE_CODES

US_CITATIONS = (
    "See Roe v. Wade, 410 U.S. 113, 120 (1973); Smith v. Jones, 123 S.W.2d 456 (Tex. 1990); "
    "Doe v. Roe, 12 N. Y. S. 2d 34 (N.Y. Sup. Ct. 1939); Cal. Civ. Code § 1714; "
    "42 U.S.C. §§ 1983, 1988(b); Brown v. Board, ___ A.3d ___ (2020); Id. at 5. "
    "Fisher, 570 U.S., at 310; 29 C.F.R. § 1630.2(g); Ala. Code § 13A-5-40.\n"
)
FILLER = "The parties agree that the record shows nothing further on this point. "


def _token_keys(tokens: Any) -> list[tuple[str, int, int, str]]:
    return sorted((type(t).__name__, t.start, t.end, str(t.data)) for t in tokens)


@pytest.mark.parametrize("gap", [0, 3, 40])
def test_windowed_tokenizer_finds_eyecites_tokens(gap: int) -> None:
    """Near each other (windows merge) or far apart (separate windows), the windowed
    tokenizer yields exactly the tokens of eyecite's own, and so the same citations."""
    text = (FILLER * gap).join([US_CITATIONS] * 4)
    ours = us_citations._windowed_tokenizer()
    assert _token_keys(ours.extract_tokens(text)) == _token_keys(
        default_tokenizer.extract_tokens(text)
    )
    found: list[Any] = get_citations(text, tokenizer=ours)
    stock: list[Any] = get_citations(text)
    spans = [(type(c).__name__, c.span()) for c in found]
    assert spans == [(type(c).__name__, c.span()) for c in stock]
    assert len(spans) >= 4 * 8


def _in_text(extractor: Any, text: str) -> bool:
    """Whether one of the extractor's prefilter strings occurs in ``text`` (as eyecite
    compares them: without whitespace, and in lower case for case-blind extractors)."""
    haystack = re.sub(r"\s+", "", text)
    for string in extractor.strings:
        needle = re.sub(r"\s+", "", string)
        if extractor.flags & re.I:
            needle, haystack = needle.lower(), haystack.lower()
        if needle in haystack:
            return True
    return False


def test_extractors_scan_only_near_their_strings() -> None:
    """One citation in 200,000 characters of prose: the reporter's extractors, which
    eyecite runs over the whole text, run over a few hundred characters around it."""
    from eyecite.tokenizers import EXTRACTORS

    text = FILLER * 1_500 + "See 410 U.S. 113 (1973). " + FILLER * 1_500
    windows = us_citations._windowed_tokenizer().windows(text)
    at = text.index("410 U.S.")
    near = {
        index: spans for index, spans in windows.items() if not _in_text(EXTRACTORS[index], FILLER)
    }
    assert near  # 'U.S.' selected its extractors
    for spans in near.values():
        # _WINDOW non-space characters either side: in prose, a little more than that
        assert sum(high - low for low, high in spans) <= 3 * us_citations._WINDOW
        assert all(low <= at + 20 and high >= at for low, high in spans)


def test_prose_selects_only_the_extractors_of_words_it_has() -> None:
    """No reporter in the text, no reporter extractor: only those whose strings are
    ordinary words of the prose ('v', 're', 'see': eyecite's stop words) are selected."""
    from eyecite.tokenizers import EXTRACTORS

    selected = us_citations._windowed_tokenizer().windows(FILLER * 3_000)
    assert all(_in_text(EXTRACTORS[index], FILLER) for index in selected)
    assert len(selected) <= 3


def test_eyecite_runs_once_per_document_on_a_bounded_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[int] = []

    def recording(text: str) -> list[Any]:
        seen.append(len(text))
        return []

    monkeypatch.setattr(us_citations, "_eyecite", lambda: (recording, lambda _found: {}))
    text = (US_CITATIONS + FILLER * 20) * (2 * MAX_EYECITE_CHARS // len(US_CITATIONS + FILLER))
    assert len(text) > MAX_EYECITE_CHARS
    extract(text)
    assert len(seen) == 1
    assert seen[0] <= MAX_EYECITE_CHARS


def test_eyecite_and_its_court_index_are_built_once() -> None:
    assert us_citations._eyecite() is us_citations._eyecite()
    assert us_citations._windowed_tokenizer() is us_citations._windowed_tokenizer()
    assert eyecite.helpers.get_court_by_paren.__module__ == us_citations.__name__


def test_indexed_court_lookup_answers_as_eyecites_own() -> None:
    """courts-db citation strings, their prefixes and variants: the same court id."""
    from courts_db import courts

    us_citations._eyecite()
    original = us_citations._STOCK["get_court_by_paren"]
    indexed = us_citations._indexed_court_by_paren()
    probes = {"", " ", ".", "2d Cir.", "D. Mass.", "Pa. Super.", "SC", "9th Cir. 2019"}
    for court in courts[::40]:  # eyecite's own look-up takes ~2 ms a probe
        string = court["citation_string"]
        probes.update({string, string[:2], string[: len(string) // 2], string + "x"})
    assert all(indexed(probe) == original(probe) for probe in probes)
    assert original is not eyecite.helpers.get_court_by_paren


def test_anchors_cover_eyecites_unfiltered_extractors() -> None:
    """The extractors without prefilter strings get an anchor where they have a known
    shape, built once; the rest (the newline token) still run over the whole text."""
    from eyecite.tokenizers import EXTRACTORS

    unfiltered = [e for e in EXTRACTORS if not e.strings]
    anchored = [e for e in unfiltered if us_citations._anchor(e.regex) is not None]
    assert len(anchored) >= len(unfiltered) - 1
    for extractor in anchored:
        assert us_citations._anchor(extractor.regex) is us_citations._anchor(extractor.regex)
        for match in re.finditer(extractor.regex, US_CITATIONS, extractor.flags):
            anchor = us_citations._anchor(extractor.regex)
            assert anchor is not None
            assert anchor.search(match.group())


class _Recorder:
    def __init__(self) -> None:
        self.lengths: list[int] = []

    def compute_language_confidence_values(self, text: str) -> list[Any]:
        self.lengths.append(len(text))
        return []


def test_language_reads_bounded_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A megabyte of text with no clear majority of function words: lingua is asked about
    at most three windows whose lengths add up to LANGUAGE_SAMPLE_CHARS."""
    recorder = _Recorder()
    monkeypatch.setattr(language, "_detector", lambda: recorder)
    mixed = "Der Vertrag the contract le contrat el contrato het contract il contratto. "
    language.detect_language(mixed * (1_000_000 // len(mixed)))
    assert 1 <= len(recorder.lengths) <= 3
    assert sum(recorder.lengths) <= LANGUAGE_SAMPLE_CHARS


@pytest.mark.parametrize(
    ("code", "sentence"),
    [
        ("de", "Die Klage ist nicht begründet, weil der Beklagte das Recht auf Zahlung hat. "),
        ("en", "The claim is dismissed because the defendant has not shown that it was due. "),
        ("fr", "La demande est rejetée, car cette partie ne fait pas la preuve dans le délai. "),
    ],
)
def test_clear_text_skips_lingua(monkeypatch: pytest.MonkeyPatch, code: str, sentence: str) -> None:
    recorder = _Recorder()
    monkeypatch.setattr(language, "_detector", lambda: recorder)
    assert language.detect_language(sentence * 200) == code
    assert recorder.lengths == []


def test_function_words_belong_to_one_language_each() -> None:
    seen: dict[str, str] = {}
    for code, words in language._FUNCTION_WORDS.items():
        assert code in LANGUAGE_CODES
        for word in words:
            assert word not in seen, (word, seen.get(word), code)
            seen[word] = code


def test_function_words_agree_with_lingua(authored_text: dict[str, str]) -> None:
    """Where the function words decide, lingua alone (the windows as before) says the same."""
    decided = 0
    for text in authored_text.values():
        windows = [w for w in map(clean, language._windows(text)) if w.strip()]
        sure = language._sure_language(windows) if windows else None
        if sure is None:
            continue
        decided += 1
        scores: dict[str, float] = {}
        for window in windows:
            for value in language._detector().compute_language_confidence_values(window):
                name = str(value.language.iso_code_639_1.name.lower())
                scores[name] = scores.get(name, 0.0) + float(value.value)
        assert max(scores, key=lambda name: scores[name]) == sure
    assert decided >= 1


def test_clean_maps_as_the_shared_clean() -> None:
    """extraction's clean() finds the look-alikes with one scan; the characters it gives
    are those of lexstream.shared.legal.text.clean, one for one."""
    from lexstream.shared.legal.text import clean as shared_clean

    every = "".join(chr(code) for code in range(0x3000)) + "\ufeff\ufe63\uff0d\ud800\udfff"
    mixed = "C\u2011131/12\u00a0and\u2013more \u201cquoted\u201d \x00 caf\u00e9 \ud83d" * 50
    for text in (every, mixed, "", "plain ASCII only"):
        assert clean(text) == shared_clean(text)
        assert len(clean(text)) == len(text)
