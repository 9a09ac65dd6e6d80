"""Long recordings decoded and transcribed in pieces cut at silences, so that a worker's memory
stays bounded by the piece length rather than growing with the call.

Whisper's feature extraction holds the spectrum of the whole track it is given, and the decoded
samples of a 4 h stereo call alone are 1.8 GB; a piece of a few minutes costs a few hundred MB
at most. Each piece is cut where every channel is quiet (the quietest stretch near the target
length), so no word is cut in two; its utterances are shifted by the piece's start and merged.
Recordings up to `PieceOptions.over_s` are decoded whole and transcribed as before.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from callqa.qa.audio import AudioInfo, AudioOptions, DecodedAudio, probe_audio, stream_audio
from callqa.qa.transcript import Speaker, Transcript, Utterance
from callqa.qa.transcription import (
    Segment,
    TranscribeOptions,
    Transcriber,
    _shifted,
    call_tracks,
    transcribe_channels,
)

__all__ = ["EdgeAudio", "Piece", "PieceOptions", "cut_pieces", "in_pieces",
           "transcribe_in_pieces"]


@dataclass(frozen=True)
class PieceOptions:
    """Where a long recording is cut.

    `over_s`: recordings declared longer than this go in pieces; shorter ones are decoded
    whole, as they always were.
    `piece_s`: the length a piece aims at; it is cut at the quietest point of the
    `search_s` before that (so a piece is `piece_s - search_s` to `piece_s` long).
    `quiet_s`: the stretch whose loudest channel is the quietest is where the cut goes, at its
    middle; longer than the gaps between words, so a cut lands in a pause, not a word.
    `edge_s`: the audio kept of each track's start and end for the second look (which hears
    openings and closings again, up to its `max_window_s`).
    """

    over_s: float = 30 * 60
    piece_s: float = 10 * 60
    search_s: float = 60.0
    quiet_s: float = 1.0
    edge_s: float = 60.0

    def __post_init__(self) -> None:
        if not 0 < self.quiet_s <= self.search_s < self.piece_s:
            raise ValueError("pieces need 0 < quiet_s <= search_s < piece_s, got "
                             f"{self.quiet_s}, {self.search_s}, {self.piece_s}")
        if self.over_s < 0 or self.edge_s < 0:
            raise ValueError(f"over_s and edge_s cannot be negative: {self.over_s}, "
                             f"{self.edge_s}")


@dataclass(frozen=True, eq=False)
class Piece:
    start: int  # its first sample's index in the recording
    channels: tuple[np.ndarray, ...]  # float32, one per source channel


def in_pieces(info: AudioInfo, pieces: PieceOptions) -> bool:
    return info.duration > pieces.over_s


def cut_pieces(blocks: Iterator[np.ndarray], sample_rate: int, pieces: PieceOptions
               ) -> Iterator[Piece]:
    """The (channels, samples) blocks regrouped into pieces cut at quiet points; at most one
    piece and the search window are held at a time."""
    length = int(pieces.piece_s * sample_rate)
    search = int(pieces.search_s * sample_rate)
    held: list[np.ndarray] = []
    count, start = 0, 0
    for block in blocks:
        held.append(block)
        count += block.shape[1]
        if count < length:
            continue
        samples = np.concatenate(held, axis=1)
        held.clear()
        cut = quietest_cut(samples[:, length - search:length], sample_rate, pieces.quiet_s)
        cut += length - search
        rest = samples[:, cut:].copy()  # the piece's array is freed with the piece
        yield Piece(start, tuple(samples[:, :cut]))
        del samples
        held, count, start = [rest], rest.shape[1], start + cut
    if count:
        samples = np.concatenate(held, axis=1)
        held.clear()
        yield Piece(start, tuple(samples))


_FRAME_S = 0.01


def quietest_cut(samples: np.ndarray, sample_rate: int, quiet_s: float) -> int:
    """The sample index, within (channels, samples), at the middle of the `quiet_s` stretch
    where the loudest channel is quietest; of equally quiet ones (digital silence), the middle
    of the longest run."""
    frame = max(1, int(_FRAME_S * sample_rate))
    frames = samples.shape[1] // frame
    power = np.square(samples[:, :frames * frame], dtype=np.float64)
    loudest = power.reshape(samples.shape[0], frames, frame).mean(axis=2).max(axis=0)
    span = max(1, min(frames, round(quiet_s / _FRAME_S)))
    sums = np.concatenate(([0.0], np.cumsum(loudest)))
    windows = (sums[span:] - sums[:-span]) / span
    quiet = windows <= windows.min() * (1 + 1e-6) + 1e-12
    first, last = _longest_run(quiet)
    middle = (first + last) // 2 + span // 2  # window index to its middle frame
    return middle * frame + frame // 2


def _longest_run(flags: np.ndarray) -> tuple[int, int]:
    """First and last index of the longest run of True (there is at least one)."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], flags.astype(np.int8), [0]))))
    starts, ends = edges[::2], edges[1::2]
    longest = int(np.argmax(ends - starts))
    return int(starts[longest]), int(ends[longest]) - 1


class EdgeAudio:
    """The first and last samples of a track too long to hold whole: what the second look
    slices again. A slice elsewhere is a ValueError."""

    def __init__(self, head: np.ndarray, tail: np.ndarray, length: int) -> None:
        self._head, self._tail, self._length = head, tail, length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, key: slice, /) -> np.ndarray:
        start, stop, _step = key.indices(self._length)
        if stop <= len(self._head):
            return self._head[start:stop]
        tail_start = self._length - len(self._tail)
        if start >= tail_start:
            return self._tail[start - tail_start:stop - tail_start]
        raise ValueError(f"samples {start}-{stop} of a track held only by its first "
                         f"{len(self._head)} and last {len(self._tail)}")


class _Edges:
    """Each track's head and tail, gathered piece by piece."""

    def __init__(self, edge: int) -> None:
        self._edge = edge
        self._heads: list[np.ndarray] = []
        self._tails: list[np.ndarray] = []
        self.length = 0  # samples per track so far

    def add(self, audio: list[np.ndarray]) -> None:
        if not self._heads:
            self._heads = [a[:self._edge].copy() for a in audio]
            self._tails = [np.empty(0, np.float32) for _ in audio]
        self._tails = [np.concatenate((tail, a[-self._edge:]))[-self._edge:]
                       for tail, a in zip(self._tails, audio, strict=True)]
        self.length += len(audio[0])

    def tracks(self, layout: tuple[tuple[Speaker, int], ...]
               ) -> list[tuple[Speaker, int, EdgeAudio]]:
        return [(speaker, channel, EdgeAudio(head, tail, self.length))
                for (speaker, channel), head, tail in zip(layout, self._heads, self._tails,
                                                          strict=True)]


class _Offset:
    """A Transcriber whose segment times are shifted by a piece's start."""

    def __init__(self, transcriber: Transcriber, offset: float) -> None:
        self._transcriber, self._offset = transcriber, offset
        self.info = transcriber.info

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions) -> Iterator[Segment]:
        return (_shifted(segment, self._offset)
                for segment in self._transcriber.transcribe(audio, options))


def transcribe_in_pieces(
    path: str | os.PathLike[str], audio_options: AudioOptions, layout: str,
    transcriber: Transcriber, options: TranscribeOptions, pieces: PieceOptions,
    on_segment: Callable[[Segment], None] | None = None,
) -> tuple[Transcript, list[tuple[Speaker, int, EdgeAudio]]]:
    """The recording's transcript, piece by piece, and its tracks' edges for the second look.
    Raises AudioError as `decode_audio` does (a broken stream when its piece is reached)."""
    rate = audio_options.sample_rate
    utterances: list[Utterance] = []
    edges = _Edges(int((pieces.edge_s + 1) * rate))  # a second more: times round either way
    speakers: tuple[tuple[Speaker, int], ...] = ()
    speakers_known = True
    with stream_audio(path, audio_options) as (info, blocks):
        for piece in cut_pieces(blocks, rate, pieces):
            audio = DecodedAudio(info=info, channels=piece.channels, sample_rate=rate)
            tracks = call_tracks(audio.channels, audio.mixed, layout)
            speakers = tuple((speaker, channel) for speaker, channel, _ in tracks)
            edges.add([track for _, _, track in tracks])
            part = transcribe_channels(tracks, audio.duration,
                                       _Offset(transcriber, piece.start / rate), options,
                                       on_segment)
            utterances.extend(part.utterances)
            speakers_known = part.speakers_known
            del audio, tracks, piece
    utterances.sort(key=lambda u: (u.start, u.end))
    transcript = Transcript(language=options.language, duration=edges.length / rate,
                            utterances=utterances, speakers_known=speakers_known)
    return transcript, edges.tracks(speakers)


def long_recording(path: str | os.PathLike[str], audio_options: AudioOptions,
                   pieces: PieceOptions) -> bool:
    """Whether the recording is to be transcribed in pieces (raises AudioError as probe_audio
    does)."""
    return in_pieces(probe_audio(path, audio_options), pieces)
