"""A video recording made by code: espeak-ng speech under a picture, as WebM (VP8 and Opus,
which every browser plays), written with PyAV (the transcribe service's own decoder)."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

FPS = 10
WIDTH, HEIGHT = 320, 180


def speech_video(
    text: str, path: Path, *, voice: str = "en-us", words_per_minute: int = 150
) -> Path:
    """``text`` read by espeak-ng's ``voice`` as the sound of a WebM video at ``path``: a
    grey picture with a bar that moves, so every frame differs, for as long as the speech."""
    wav = path.with_suffix(".wav")
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-w", str(wav), text], check=True
    )
    with av.open(str(wav)) as source:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
        frames = [out for frame in source.decode(audio=0) for out in resampler.resample(frame)]
        frames += resampler.resample(None)
    samples = sum(f.samples for f in frames)
    seconds = samples / 48000
    with av.open(str(path), "w", format="webm") as out:
        picture = out.add_stream("libvpx", rate=FPS)
        picture.width, picture.height, picture.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        sound = out.add_stream("libopus", rate=48000)
        sound.layout = "mono"
        for number in range(int(seconds * FPS) + 1):
            image = np.full((HEIGHT, WIDTH, 3), 96, dtype=np.uint8)
            x = (number * 8) % WIDTH
            image[:, x : x + 8] = (200, 170, 60)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
            frame.pts, frame.time_base = number, Fraction(1, FPS)
            out.mux(picture.encode(frame))
        pts = 0
        for frame in frames:
            frame.pts, frame.time_base = pts, Fraction(1, 48000)
            pts += frame.samples
            out.mux(sound.encode(frame))
        out.mux(picture.encode(None))
        out.mux(sound.encode(None))
    wav.unlink()
    return path
