"""Silence stretches of a recording on one channel, in the recording's own format.

The redacted copy is written next to the recording, decoded again and checked (same channels,
rate and length; silence where asked), and only then put in the recording's place: the
unredacted audio is gone once, and only once, its redacted copy is known good.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.audio.frame import AudioFrame
from av.audio.stream import AudioStream

from callqa.qa.messages import N_, MessageError

__all__ = ["AudioSpan", "RedactionAudioError", "silence_recording", "span_energy"]

MARGIN_S = 0.15  # around each span: word times are a recognizer's estimate
OPUS_MIN_BIT_RATE = 64_000
SILENT_RMS = 1e-3  # of full scale: what a lossy codec may leave of digital silence


# Decoders whose encoder has another name.
_ENCODERS = {"mp3float": "libmp3lame", "mp3": "libmp3lame", "opus": "libopus",
             "vorbis": "libvorbis"}


class RedactionAudioError(MessageError):
    """A recording whose redacted copy could not be written or did not check out."""


@dataclass(frozen=True)
class AudioSpan:
    channel: int | None  # None: every channel (a mono call, where the parties are mixed)
    start: float
    end: float


def silence_recording(path: Path, spans: Iterable[AudioSpan], margin_s: float = MARGIN_S) -> None:
    """Replace `path` by a copy silent in `spans` (widened by `margin_s`) on their channels."""
    wanted = [AudioSpan(s.channel, max(0.0, s.start - margin_s), s.end + margin_s)
              for s in spans]
    if not wanted:
        return
    copy = path.with_name(f".{path.stem}.redacting{path.suffix}")
    try:
        _write_silenced(path, copy, wanted)
        _verify(path, copy, wanted)
        with open(copy, "rb") as written:
            os.fsync(written.fileno())
        os.replace(copy, path)
    except (av.error.FFmpegError, ValueError) as error:
        raise RedactionAudioError(N_("could not redact the recording: %(error)s"),
                                  error=str(error)) from error
    finally:
        copy.unlink(missing_ok=True)


def _write_silenced(source: Path, target: Path, spans: list[AudioSpan]) -> None:
    with av.open(str(source)) as inp:
        stream = inp.streams.audio[0]
        context = stream.codec_context
        rate, layout = context.sample_rate, context.layout.name
        with av.open(str(target), "w") as out:
            encoder = out.add_stream(_ENCODERS.get(context.name, context.name), rate=rate,
                                     layout=layout)
            assert isinstance(encoder, AudioStream)  # an audio codec was asked for
            bit_rate = context.bit_rate or _bit_rate(source, inp)
            if bit_rate and context.name == "opus":
                # Below this, Opus codes stereo jointly and the other party leaks into the
                # silenced channel.
                bit_rate = max(bit_rate, OPUS_MIN_BIT_RATE)
            if bit_rate:
                encoder.bit_rate = bit_rate
            formats = {f.name for f in encoder.codec_context.codec.audio_formats or ()}
            resampler = None
            offset = 0
            for frame in inp.decode(stream):
                silenced = _silenced(frame, offset, rate, spans)
                offset += frame.samples
                if formats and silenced.format.name not in formats:
                    resampler = resampler or av.AudioResampler(
                        format=sorted(formats)[0], layout=layout, rate=rate)
                    frames = resampler.resample(silenced)
                else:
                    frames = [silenced]
                for ready in frames:
                    out.mux(encoder.encode(ready))
            if resampler is not None:
                for ready in resampler.resample(None):
                    out.mux(encoder.encode(ready))
            out.mux(encoder.encode(None))


def _bit_rate(path: Path, container: av.container.InputContainer) -> int | None:
    """The file's average bit rate, for a codec that does not say its own (Opus)."""
    if not container.duration:
        return None
    return int(path.stat().st_size * 8 / (container.duration / av.time_base))


def _silenced(frame: AudioFrame, offset: int, rate: int, spans: list[AudioSpan]) -> AudioFrame:
    samples = frame.to_ndarray()
    channels = len(frame.layout.channels)
    planar = frame.format.is_planar
    view = samples if planar else samples.reshape(-1, channels).T  # (channels, samples)
    for span in spans:
        first = max(int(span.start * rate) - offset, 0)
        last = min(int(np.ceil(span.end * rate)) - offset, frame.samples)
        if first >= last:
            continue
        rows = range(channels) if span.channel is None else [min(span.channel, channels - 1)]
        for row in rows:
            view[row, first:last] = 0
    out = AudioFrame.from_ndarray(samples, format=frame.format.name, layout=frame.layout.name)
    out.sample_rate = rate
    out.pts = offset
    out.time_base = Fraction(1, rate)
    return out


def _decoded(path: Path) -> tuple[np.ndarray, int]:
    """(channels, samples) as float in [-1, 1], and the sample rate."""
    with av.open(str(path)) as inp:
        stream = inp.streams.audio[0]
        rate = stream.codec_context.sample_rate
        channels = len(stream.codec_context.layout.channels)
        resampler = av.AudioResampler(format="fltp", layout=stream.codec_context.layout.name,
                                      rate=rate)
        blocks = [out.to_ndarray() for frame in inp.decode(stream)
                  for out in resampler.resample(frame)]
        blocks += [out.to_ndarray() for out in resampler.resample(None)]
    if not blocks:
        return np.zeros((channels, 0), dtype=np.float32), rate
    return np.concatenate(blocks, axis=1), rate


def span_energy(samples: np.ndarray, rate: int, span: AudioSpan) -> float:
    """The RMS of `span` on its channel (every channel for None)."""
    rows = samples if span.channel is None else samples[[min(span.channel, len(samples) - 1)]]
    part = rows[:, int(span.start * rate):int(np.ceil(span.end * rate))]
    return float(np.sqrt(np.mean(np.square(part)))) if part.size else 0.0


def _verify(original: Path, copy: Path, spans: list[AudioSpan]) -> None:
    before, rate = _decoded(original)
    after, after_rate = _decoded(copy)
    if after_rate != rate or after.shape[0] != before.shape[0]:
        raise RedactionAudioError(N_("the redacted recording has another format than the "
                                     "original"))
    if abs(after.shape[1] - before.shape[1]) > 0.1 * rate:
        raise RedactionAudioError(N_("the redacted recording is %(after).1f s long, the "
                                     "original %(before).1f s"),
                                  after=after.shape[1] / rate, before=before.shape[1] / rate)
    for span in _inner(spans, rate):
        if span_energy(after, rate, span) > SILENT_RMS:
            raise RedactionAudioError(N_("the redacted recording is not silent at "
                                         "%(start).1f-%(end).1f s"),
                                      start=span.start, end=span.end)


def _inner(spans: list[AudioSpan], rate: int) -> Iterator[AudioSpan]:
    """The spans less a codec frame at each end, where a lossy codec smears the edges."""
    edge = 0.03
    for span in spans:
        if span.end - span.start > 2 * edge:
            yield AudioSpan(span.channel, span.start + edge, span.end - edge)
