"""Speech windows: times in a window's joined audio mapped back to the recording."""

from __future__ import annotations

import pytest

from lexstream.transcribe.audio import SAMPLE_RATE
from lexstream.transcribe.windows import SpeechChunk, SpeechWindow

S = SAMPLE_RATE


def test_a_word_is_timed_in_the_chunk_that_holds_its_middle() -> None:
    # chunks at 0-2 s and 10-12 s of the recording are 0-2 s and 2-4 s of the window
    window = SpeechWindow((SpeechChunk(0, 2 * S), SpeechChunk(10 * S, 12 * S)))

    assert window.clock().locate(0.5, 1.0) == (0, 0.5, 1.0)
    assert window.clock().locate(2.5, 3.0) == (1, 10.5, 11.0)


def test_a_word_stamped_before_its_chunk_starts_where_the_chunk_does() -> None:
    # Whisper stamped the second chunk's first word from 1.6 s of the window, in the chunk
    # before it: mapped with the second chunk's offset that is 9.6 s, 0.4 s before anyone
    # spoke on this track there
    window = SpeechWindow((SpeechChunk(0, 2 * S), SpeechChunk(10 * S, 12 * S)))

    chunk, start, end = window.clock().locate(1.6, 2.8)

    assert chunk == 1
    assert start == 10.0
    assert end == pytest.approx(10.8)


def test_a_word_stamped_past_its_chunk_ends_where_the_chunk_does() -> None:
    window = SpeechWindow((SpeechChunk(0, 2 * S), SpeechChunk(10 * S, 12 * S)))

    chunk, start, end = window.clock().locate(1.5, 2.3)  # middle 1.9 s: the first chunk

    assert chunk == 0
    assert (start, end) == (1.5, 2.0)  # not 2.3: the window's 2-2.3 s is the next chunk
