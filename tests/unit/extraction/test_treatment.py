"""Treatment signals of citing sentences: the cue lexicon's own examples, sentence splitting,
which case a cue treats (and which it does not), the labelled sample's integrity and, where
the samples are present (LEXSTREAM_SAMPLE_DATA), the shown signals' measured precision."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from tests.samples import sample_root

from lexstream.index.extraction.citations import find_citations
from lexstream.index.extraction.models import Treatment
from lexstream.index.extraction.treatment import (
    SHOWN_SIGNALS,
    SIGNALS,
    citation_mentions,
    cues,
    find_treatments,
    split_sentences,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
LABELS = REPO_ROOT / "bench" / "research" / "treatment_labels.tsv"


def treat(text: str, *, us: bool = False) -> list[Treatment]:
    return find_treatments(text, find_citations(text, us=us))


def signals(text: str, *, us: bool = False) -> dict[str, set[str]]:
    """The signals of each treated mention, by the mention as printed."""
    found: dict[str, set[str]] = {}
    for treatment in treat(text, us=us):
        found.setdefault(treatment.raw, set()).add(treatment.signal)
    return found


# --- the lexicon ------------------------------------------------------------------------------


def test_every_cue_matches_its_own_example() -> None:
    for cue in cues():
        assert cue.pattern.search(cue.example), (cue.signal, cue.language, cue.example)


def test_the_lexicon_covers_every_signal_in_english_and_each_language_has_cues() -> None:
    english = {cue.signal for cue in cues() if cue.language == "en"}
    assert english == set(SIGNALS)
    languages = {cue.language for cue in cues()}
    assert {"en", "de", "fr", "es", "nl"} <= languages


# --- sentences --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Smith v. Jones, 410 U.S. 113 (1973), was applied. The appeal fails.", 2),
        ("See Art. 6 Abs. 1 GG and No. 44/2001. It follows.", 2),
        ("They are no longer at risk upon return to the DRC. The guidance is withdrawn.", 2),
        ("In Re. B [2022] 3 WLR 1315 the court said so.", 1),
        ("A heading\nThe first sentence of the paragraph.", 2),
        ("a line wrapped by the PDF text layer in the middle of a sentence that runs\non.", 1),
    ],
)
def test_sentence_boundaries(text: str, count: int) -> None:
    sentences = split_sentences(text)
    spans = {sentences.around(i, i + 1) for i, char in enumerate(text) if not char.isspace()}
    assert len(spans) == count, spans


def test_a_long_sentence_is_cut_to_a_window_around_the_citation() -> None:
    text = "word " * 400 + "applying Smith v Jones [2001] UKHL 12 " + "word " * 400 + "."
    (treatment,) = treat(text)
    assert len(treatment.sentence) < 1000
    assert "[2001] UKHL 12" in treatment.sentence


# --- which case a cue treats ------------------------------------------------------------------


def test_before_cues_treat_the_case_after_them() -> None:
    text = (
        "Accordingly, applying the principles set out in R v Okedare [2014] 1 WLR 4071, we "
        "will proceed. The court applied the decision in Waugh v British Railways Board "
        "[1980] AC 521. I must follow the guidance given by the Court of Appeal in Natwest "
        "Markets Plc v Bilta [2021] EWCA Civ 680. The tribunal considered itself bound by "
        "the decision in Marshall v Hamblin [1994] ICR 962. We decline to follow Brown v "
        "Green [1999] 1 WLR 100. The House of Lords overruled White v Black [1950] AC 10."
    )
    assert signals(text) == {
        "[2014] 1 WLR 4071": {"applied"},
        "[1980] AC 521": {"applied"},
        "[2021] EWCA Civ 680": {"followed"},
        "[1994] ICR 962": {"followed"},
        "[1999] 1 WLR 100": {"not_followed"},
        "[1950] AC 10": {"overruled"},
    }


def test_after_cues_treat_the_case_before_them() -> None:
    text = (
        "The Massalia [1961] 2 QB 278, which was overruled in The Eugenia, was cited. "
        "The Starsin [2004] 1 AC 715, is clearly distinguishable. "
        "Re Fireproof Doors Ltd [1916] 2 Ch 142, at pp.150-151, per Astbury J (followed in "
        "Rushingdale Ltd SA v Byblos Bank SAL (1986) 2 BCC 99509) is in point. "
        "Smith v Jones [2001] UKHL 12 has been doubted. "
        "He was referred to Caine v Advertiser [2019] EWHC 39 (QB), but distinguished it."
    )
    assert signals(text) == {
        "[1961] 2 QB 278": {"overruled"},
        "[2004] 1 AC 715": {"distinguished"},
        "[1916] 2 Ch 142": {"followed"},
        "[2001] UKHL 12": {"doubted"},
        "[2019] EWHC 39 (QB)": {"distinguished"},
    }


@pytest.mark.parametrize(
    "text",
    [
        # the case cited is where something was applied or followed, not what was
        "The test applied in Porter v Magill [2001] UKHL 67 is well known.",
        "Donaldson J's decision was followed by Bingham J in Swiss Bank v Brink's-Mat "
        "[1986] 2 Lloyd's Rep 79.",
        "Bryan J adopted and applied that approach in LIA v JP Morgan [2019] EWHC 1452 (Comm).",
        "Porter & Co has since been followed in Hawksmoor v HMRC [2022] UKFTT 209 (TC).",
        # a party's submission, a question, a hypothesis, a negation
        "Counsel submitted that Smith v Jones [2001] UKHL 12 should be distinguished.",
        "Mr Venables argued that I should not follow Tooth v HMRC [2019] EWCA Civ 826.",
        "Is there any reason to depart from MB (Ethiopia) CG [2007] UKAIT 00030?",
        "I would overrule Grutter v Bollinger [2003] UKHL 99.",
        "The judge failed to apply Technograph v Mills [1972] RPC 346 at 362.",
        # the idioms of 'follow' that are not treatment
        "It follows from Re Shoe Lace Ltd [1993] BCC 609 that the charge is invalid.",
        "Costs follow the event: Kea Investments v Watson [2022] 4 WLR 14.",
        # a clause break between the cue and the case
        "We applied the statute; the earlier case, Brown v Green [1999] 1 WLR 100, is old.",
    ],
)
def test_no_signal(text: str) -> None:
    assert treat(text) == []


def test_statutes_are_given_no_signal() -> None:
    assert treat("The court applied section 3 of the Human Rights Act 1998.") == []


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        (
            "Im Anschluss an BGH, Urteil vom 17. Dezember 2013 - VI ZR 211/12, hat der Senat "
            "entschieden.",
            "followed",
        ),
        ("Abgrenzung zu BGH, Urteil vom 17. Dezember 2013 - VI ZR 211/12.", "distinguished"),
        (
            "Unter Aufgabe von BGH, Urteil vom 17. Dezember 2013 - VI ZR 211/12, gilt nun "
            "Folgendes.",
            "overruled",
        ),
        (
            "Faisant application de Cass. civ. 1re, 12 mai 2016, n° 14-10.842, la cour a jugé.",
            "applied",
        ),
        (
            "Revenant sur Cass. civ. 1re, 12 mai 2016, n° 14-10.842, la Cour juge désormais.",
            "overruled",
        ),
        ("Siguiendo la doctrina de la STS 1234/2019, la Sala estima el recurso.", "followed"),
        ("Apartándose de la STS 1234/2019, la Sala desestima el recurso.", "not_followed"),
        ("In navolging van HR 12 juli 2019, ECLI:NL:HR:2019:1234, oordeelt het hof.", "followed"),
        ("De Hoge Raad komt terug van HR 12 juli 2019, ECLI:NL:HR:2019:1234.", "overruled"),
    ],
)
def test_other_languages(text: str, signal: str) -> None:
    found = treat(text)
    assert {t.signal for t in found} == {signal}


def test_a_treatment_carries_its_evidence() -> None:
    text = "Intro. Accordingly, applying Smith v Jones [2001] UKHL 12, we dismiss the appeal."
    citations = find_citations(text, us=False)
    (treatment,) = find_treatments(text, citations)
    assert treatment.sentence == text[7:]
    assert text[treatment.sentence_start : treatment.sentence_end] == treatment.sentence
    assert text[treatment.start : treatment.end] == "[2001] UKHL 12"
    assert text[treatment.cue_start : treatment.cue_end] == "applying"
    assert treatment.normalized == citations[0].normalized
    assert treatment.authority_id == citations[0].authority_id
    assert treatment.shown is ("applied" in SHOWN_SIGNALS)
    assert treatment.language == "en"


def test_every_mention_is_read_not_only_the_first() -> None:
    text = (
        "Smith v Jones [2001] UKHL 12 was cited. Later, applying Smith v Jones [2001] UKHL 12, "
        "the court dismissed the claim."
    )
    citations = find_citations(text, us=False)
    assert len(citation_mentions(text, citations)) == 2
    (treatment,) = find_treatments(text, citations)
    assert treatment.start == text.rindex("[2001] UKHL 12")


# --- the labelled sample ----------------------------------------------------------------------


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def evaluation() -> ModuleType:
    sys.path.insert(0, str(REPO_ROOT / "bench" / "eval"))
    return _load("treatment_eval", REPO_ROOT / "bench" / "research" / "treatment_eval.py")


def test_the_labelled_sample_is_large_enough_and_split(evaluation: ModuleType) -> None:
    labels = evaluation.read_labels(LABELS)  # raises on a wrong half or an unknown label
    sentences = {(label.path, label.sentence) for label in labels}
    assert len(sentences) >= 100
    assert {label.half for label in labels} == {"dev", "test"}
    with LABELS.open(encoding="utf-8") as handle:
        rows = [line for line in handle if not line.startswith("#")]
    assert len(list(csv.reader(rows, delimiter="\t"))) == len(labels) + 1


def test_shown_signals_are_those_measured_precise_on_the_test_half(
    evaluation: ModuleType,
) -> None:
    if not (sample_root() / "corpus").is_dir():
        pytest.skip("the corpus samples are absent (set LEXSTREAM_SAMPLE_DATA)")
    labels = [label for label in evaluation.read_labels(LABELS) if label.half == "test"]
    treatments = evaluation.document_treatments({label.path for label in labels})
    scores, _, unlabelled = evaluation.score(labels, treatments, "test")
    assert set(evaluation.shown(scores)) == set(SHOWN_SIGNALS)
    assert unlabelled == [], "label the new predictions in treatment_labels.tsv"
