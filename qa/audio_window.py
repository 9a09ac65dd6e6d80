"""A stretch of one channel of a decoded recording, as a WAV file a browser can play."""
from __future__ import annotations

import io
import wave

import numpy as np

from callqa.qa.audio import DecodedAudio


def channel_window(audio: DecodedAudio, start: float, end: float,
                   channel: int | None) -> np.ndarray:
    """Seconds `start` to `end` of one channel (None: the mix of all), clipped to the
    recording."""
    samples = audio.mixed() if channel is None else audio.channels[channel]
    first = max(0, int(round(start * audio.sample_rate)))
    last = min(len(samples), max(first, int(round(end * audio.sample_rate))))
    return samples[first:last]


def wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """Mono 16-bit PCM WAV of float samples in [-1, 1]."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()
