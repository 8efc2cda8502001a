"""The text-layer soundness check and the language identifier on their own."""

from __future__ import annotations

import pytest

from lexstream.ocr.extractors.quality import judge_text_layer
from lexstream.ocr.languages import detect_language
from lexstream.ocr.tesseract.engine import fit_dpi

SOUND = {
    "en": "The court held that the defendant was liable for breach of the contract and"
    " awarded damages to the plaintiff, with costs of the appeal.",
    "de": "Das Gericht hat entschieden, dass der Vertrag nichtig ist und die Klage"
    " abgewiesen wird; die Kosten trägt der Kläger.",
    "fr": "La cour d'appel a jugé que le contrat était nul et a condamné la société aux"
    " dépens de l'instance.",
    "es": "El tribunal declaró que el contrato era nulo y condenó a la empresa al pago de"
    " las costas del proceso.",
    "it": "Il tribunale ha dichiarato che il contratto è nullo e ha condannato la società"
    " al pagamento delle spese del giudizio.",
    "nl": "De rechtbank heeft geoordeeld dat het contract nietig is en dat de vordering"
    " van de eiser wordt afgewezen.",
    "pt": "O tribunal decidiu que o contrato é nulo e condenou a empresa ao pagamento das"
    " custas do processo pela autora.",
}


@pytest.mark.parametrize("language", sorted(SOUND))
def test_sound_text_in_every_language(language: str) -> None:
    assert judge_text_layer(SOUND[language], 25).sound
    guess = detect_language(SOUND[language])
    assert guess is not None
    assert guess.confident
    assert guess.language == language


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Page 3", "characters"),
        ("\ue000\ue001\ue002\ue003 \ue004\ue005\ue006" * 10, "unmapped"),
        ("\ufffd\ufffd\ufffd \ufffd\ufffd" * 10, "unmapped"),
        ("#$%&'()*+,-./ 0123 :;<=>?@" * 5, "letters"),
        ("Bcd Fgh Jkl Mnp Qrst Vwxz " * 10, "vowel"),
        ("Thecourtheldthatthedefendantwasliableforbreachofcontract" * 4, "spacing"),
    ],
)
def test_unsound_text_layers(text: str, why: str) -> None:
    verdict = judge_text_layer(text, 25)
    assert not verdict.sound
    assert verdict.reason is not None
    assert why in verdict.reason


def test_fit_dpi_scales_down_large_pages() -> None:
    assert fit_dpi(612, 792, 300, 64_000_000) == 300
    assert fit_dpi(4800, 4800, 300, 64_000_000) == 120
