"""Helpers shared by the OCR benchmarks (document makers live with the unit tests)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Generated pages and PDFs (outside the work tree; reused between runs).
CACHE = Path(
    os.environ.get("LEXSTREAM_BENCH_CACHE", Path(tempfile.gettempdir()) / "lexstream-bench-ocr")
)
# The page and PDF makers are the ones the unit tests use.
sys.path.insert(0, str(ROOT / "tests" / "unit" / "ocr"))

SENTENCES: dict[str, list[str]] = {
    "en": [
        "The court of appeals affirmed the judgment of the district court.",
        "The defendant moved to dismiss the complaint for lack of jurisdiction.",
        "Counsel for the plaintiff shall file a reply brief within fourteen days.",
        "The contract was void because the parties never agreed on the price.",
        "Costs of the appeal are taxed against the appellant, the city of Boston.",
        "The witness testified that she signed the lease on 4 March 2019.",
        "Summary judgment is appropriate where no genuine dispute of fact exists.",
        "The motion for a preliminary injunction is denied without prejudice.",
    ],
    "fr": [
        "La cour d'appel a confirmé le jugement rendu par le tribunal de commerce.",
        "Le défendeur soulève l'incompétence de la juridiction saisie en première instance.",
        "Les dépens de l'instance sont mis à la charge de la société requérante.",
        "Le contrat est nul faute d'accord des parties sur le prix de la cession.",
        "Le témoin a déclaré avoir signé le bail le 4 mars 2019 à Lyon.",
        "Il n'y a pas lieu de statuer sur la demande de dommages et intérêts.",
        "La Cour de cassation casse et annule l'arrêt en toutes ses dispositions.",
        "Les pièces versées aux débats établissent la faute de l'employeur.",
    ],
    "de": [
        "Das Oberlandesgericht hat das Urteil des Landgerichts bestätigt.",
        "Der Beklagte rügt die fehlende Zuständigkeit des angerufenen Gerichts.",
        "Die Kosten des Rechtsstreits trägt die Klägerin zu zwei Dritteln.",
        "Der Vertrag ist nichtig, weil sich die Parteien über den Preis nicht einigten.",
        "Die Zeugin hat ausgesagt, sie habe den Mietvertrag am 4. März 2019 unterschrieben.",
        "Die Berufung wird als unzulässig verworfen; die Revision wird nicht zugelassen.",
        "Gemäß § 823 Abs. 1 BGB ist der Schädiger zum Ersatz verpflichtet.",
        "Der Antrag auf Erlass einer einstweiligen Verfügung wird zurückgewiesen.",
    ],
    "es": [
        "La audiencia provincial confirmó la sentencia dictada por el juzgado.",
        "El demandado alegó la falta de jurisdicción del tribunal de primera instancia.",
        "Las costas del procedimiento se imponen a la parte recurrente.",
        "El contrato es nulo porque las partes nunca acordaron el precio de la venta.",
        "La testigo declaró que firmó el arrendamiento el 4 de marzo de 2019.",
        "No ha lugar a la indemnización por daños y perjuicios solicitada.",
        "El Tribunal Supremo estima el recurso de casación interpuesto por la señora.",
        "Los documentos aportados acreditan la negligencia del empleador.",
    ],
    "it": [
        "La corte d'appello ha confermato la sentenza del tribunale di Milano.",
        "Il convenuto ha eccepito il difetto di giurisdizione del giudice adito.",
        "Le spese del giudizio sono poste a carico della società ricorrente.",
        "Il contratto è nullo perché le parti non si sono accordate sul prezzo.",
        "La testimone ha dichiarato di aver firmato la locazione il 4 marzo 2019.",
        "Non vi è luogo a provvedere sulla domanda di risarcimento dei danni.",
        "La Corte di cassazione accoglie il ricorso e cassa la sentenza impugnata.",
        "I documenti prodotti dimostrano la responsabilità del datore di lavoro.",
    ],
}


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def normalise(text: str) -> str:
    return " ".join(text.split())
