"""Write ``docs/transcript-pageline.md``: the page:line transcript of the synthesised hearing.

The four-channel hearing of :mod:`bench.transcribe.hearing` (espeak-ng voices, one
microphone per role) is transcribed with the offline base model on CPU, labelled by its
channel map, and laid out as the gateway's ``format=pageline`` answer lays it out; the page
also records the segment start errors and the speaker attribution of that run.

    uv run --frozen python -m bench.transcribe.pageline_sample [--out docs/transcript-pageline.md]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from bench.transcribe.hearing import CHANNEL_MAP, attribution, render, start_errors

from lexstream.shared.pageline import Caption, cite, layout, segment_citations, to_text
from lexstream.shared.speakers import parse_channel_map
from lexstream.transcribe.engine import Transcriber
from lexstream.transcribe.labels import label_speakers

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "docs" / "transcript-pageline.md"
# What the document's metadata would say (the gateway reads it from the search document and
# the matter); invented for the synthesised hearing.
CAPTION = Caption(
    case="Harrington Logistics v. Bellweather Freight",
    case_numbers=("3:24-cv-00117",),
    court="United States District Court for the Northern District of California",
    date="Hearing of the 14th of March 2026",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    out = parser.parse_args().out

    hearing = render()
    transcriber = Transcriber(device="cpu", cpu_threads=2)
    transcript = transcriber.transcribe(hearing.path, document_id="hearing", media_type="audio/wav")
    labelled = label_speakers(transcript, parse_channel_map(CHANNEL_MAP))
    pages = layout(labelled, CAPTION)
    errors = [abs(error) for error in start_errors(hearing, labelled)]
    right, total = attribution(hearing, labelled)
    citations = segment_citations(pages)
    sworn = next(s for s in labelled.segments if "name is" in s.text.lower())

    out.write_text(
        "\n".join(
            [
                "# A page:line transcript",
                "",
                "`GET /v1/documents/{id}/transcript?format=pageline&time_marks=true` "
                "(and `format=pdf`) for the synthesised four-channel hearing of "
                "`bench/transcribe/hearing.py`: espeak-ng voices, one microphone per role, "
                f"uploaded with `channels={CHANNEL_MAP}`. Whisper base (offline build), CPU "
                "int8; the words are what that model heard, errors included.",
                "",
                f"- {len(hearing.turns)} turns, {hearing.duration:.0f} s; segment start error "
                f"against the script: median {statistics.median(errors):.3f} s, "
                f"max {max(errors):.3f} s",
                f"- speaker attribution with the channel map: {right}/{total} segments",
                f'- cite by page and line: "{sworn.text}" is Tr. {citations[sworn.id]} '
                f"(`cite(pages, {sworn.start:.2f})` = {cite(pages, sworn.start)})",
                "",
                "Regenerate: `uv run --frozen python -m bench.transcribe.pageline_sample`.",
                "",
                "```text",
                to_text(pages, time_marks=True).replace("\f", "").rstrip(),
                "```",
                "",
            ]
        )
    )
    sys.stdout.write(f"wrote {out}\n")


if __name__ == "__main__":
    main()
