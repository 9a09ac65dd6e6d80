"""Both parties' speech decoded together: faster-whisper on batches of speech chunks.

The voice detector (the same gate the one-track path uses) cuts each track into speech
stretches, and consecutive stretches of a track are joined into chunks of at most 30 s of
speech, each padded to one 30 s window. Chunks from every track of a call go through the
encoder and the decoder together, up to `batch_size` windows at a time, each keeping its
track and the track time of every stretch it holds, so the words come back on their own
speaker's timeline. Per window as on the one-track path: the agent's hot words, Whisper's
timestamps and word times, the loop retry (the window decoded again with no run of tokens
repeated), and Whisper's own seek: a window it did not decode to the end goes on from
where it stopped, joined to the track's next chunk when that is still waiting and fits.

CTranslate2 decodes a batch with one prompt length (the start-of-transcript token at one
place), so windows with different prompts (the agent's hot words, the first window's
initial prompt, another language) share the encoder pass and are decoded in one generate
call per prompt.
"""
from __future__ import annotations

import inspect
import os
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from callqa.qa.transcript import Word
from callqa.qa.transcription import (
    AUTO_LANGUAGE,
    SAMPLE_RATE,
    EngineInfo,
    Segment,
    TranscribeOptions,
)

MAX_CHUNK_S = 29.0  # speech per window, under Whisper's 30 s with the detector's padding
MAX_INITIAL_TIMESTAMP_INDEX = 50  # the first timestamp within 1 s, as on the one-track path
FRAMES_PER_SECOND = SAMPLE_RATE // 160  # Whisper's mel frames (10 ms hop)


@dataclass(frozen=True)
class Piece:
    """A stretch of one track inside a chunk, in samples: chunk sample `at` is track sample
    `start`, up to track sample `end`."""

    at: int
    start: int
    end: int


@dataclass(frozen=True)
class Chunk:
    """At most 30 s of one track's speech, its stretches joined."""

    track: int
    audio: np.ndarray
    pieces: tuple[Piece, ...]
    first: bool  # the track's first window: the initial prompt, if any, primes it

    @property
    def duration(self) -> float:
        return len(self.audio) / SAMPLE_RATE

    def track_time(self, seconds: float, is_end: bool = False) -> float:
        """Chunk time to track time; an end on a join belongs to the stretch before it."""
        sample = float(seconds) * SAMPLE_RATE
        return _on_piece(self._piece_at(sample, is_end), sample)

    def word_times(self, start: float, end: float) -> tuple[float, float]:
        """A word's chunk times to track times, both on the stretch that holds its middle:
        a word Whisper timed across a join stays within one stretch."""
        piece = self._piece_at((float(start) + float(end)) / 2 * SAMPLE_RATE, False)
        return (_on_piece(piece, float(start) * SAMPLE_RATE),
                _on_piece(piece, float(end) * SAMPLE_RATE))

    def _piece_at(self, sample: float, is_end: bool) -> Piece:
        piece = self.pieces[0]
        for candidate in self.pieces[1:]:
            if candidate.at < sample or (not is_end and candidate.at == sample):
                piece = candidate
        return piece

    def after(self, seconds: float) -> Chunk | None:
        """The rest of the chunk from `seconds` on, or None when nothing is left."""
        cut = int(round(seconds * SAMPLE_RATE))
        pieces = []
        for piece in self.pieces:
            length = piece.end - piece.start
            if piece.at + length <= cut:
                continue
            skipped = max(0, cut - piece.at)
            pieces.append(Piece(piece.at + skipped - cut, piece.start + skipped, piece.end))
        if not pieces or cut >= len(self.audio):
            return None
        return Chunk(self.track, self.audio[cut:], tuple(pieces), first=False)

    def joined(self, later: Chunk) -> Chunk:
        shift = len(self.audio)
        pieces = self.pieces + tuple(Piece(p.at + shift, p.start, p.end) for p in later.pieces)
        return Chunk(self.track, np.concatenate((self.audio, later.audio)), pieces, self.first)


def _on_piece(piece: Piece, sample: float) -> float:
    """Chunk sample to track seconds along `piece`, kept within its stretch."""
    length = piece.end - piece.start
    return round((piece.start + min(max(0.0, sample - piece.at), length)) / SAMPLE_RATE, 3)


def speech_chunks(track: int, audio: np.ndarray, vad_filter: bool = True) -> list[Chunk]:
    """The track's speech as chunks, in time order; none for silence or noise the voice
    detector does not take for speech. Without the filter: the whole track in 30 s cuts."""
    limit = int(MAX_CHUNK_S * SAMPLE_RATE)
    if vad_filter:
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        spans = [(s["start"], s["end"]) for s in get_speech_timestamps(
            audio, VadOptions(max_speech_duration_s=MAX_CHUNK_S))]
    else:
        spans = [(start, min(start + limit, len(audio))) for start in range(0, len(audio), limit)]
    chunks: list[Chunk] = []
    pieces: list[Piece] = []
    length = 0
    for start, end in spans:
        if pieces and length + end - start > limit:
            chunks.append(_chunk(track, audio, pieces, first=not chunks))
            pieces, length = [], 0
        pieces.append(Piece(length, start, end))
        length += end - start
    if pieces:
        chunks.append(_chunk(track, audio, pieces, first=not chunks))
    return chunks


def _chunk(track: int, audio: np.ndarray, pieces: list[Piece], first: bool) -> Chunk:
    joined = np.concatenate([audio[p.start:p.end] for p in pieces]).astype(np.float32)
    return Chunk(track, joined, tuple(pieces), first)


@dataclass
class Decoded:
    """One window's decoding, in chunk time."""

    chunk: Chunk
    segments: list[dict[str, Any]]  # faster-whisper's: start, end, tokens, words
    text: str
    avg_logprob: float
    no_speech_prob: float
    stopped_at: int | None  # the frame Whisper stopped at short of the chunk's end; None: all

    @property
    def decoded_to(self) -> float | None:
        """Where to go on from, in chunk seconds; None when the window was decoded whole."""
        return None if self.stopped_at is None else self.stopped_at / FRAMES_PER_SECOND

    @property
    def compression_ratio(self) -> float:
        data = self.text.encode("utf-8")
        return len(data) / len(zlib.compress(data)) if data else 0.0


class BatchedTranscriber:
    """faster-whisper decoding every track of a call in shared batches of windows."""

    def __init__(self, model_path: str, compute_type: str = "int8", cpu_threads: int = 0,
                 batch_size: int = 8):
        from faster_whisper import WhisperModel

        if batch_size < 1:
            raise ValueError(f"batch size must be at least 1, not {batch_size}")
        threads = cpu_threads or os.cpu_count() or 1
        self._model = WhisperModel(
            model_path, device="cpu", compute_type=compute_type, cpu_threads=threads,
            local_files_only=True,
        )
        self.batch_size = batch_size
        self.windows = 0  # windows encoded so far, for benchmarks
        self.info = EngineInfo(engine="faster-whisper", model=model_path)

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions) -> Iterator[Segment]:
        """One track alone (the second look's stretches, a mono call)."""
        [segments] = self.transcribe_tracks([(audio, options)])
        return iter(segments)

    def transcribe_tracks(
        self, tracks: Sequence[tuple[np.ndarray, TranscribeOptions]]
    ) -> list[list[Segment]]:
        """Each track's segments in time order; the tracks' windows decoded together."""
        waiting = [chunk for index, (audio, options) in enumerate(tracks)
                   for chunk in speech_chunks(index, audio, options.vad_filter)]
        found: list[list[Segment]] = [[] for _ in tracks]
        while waiting:
            batch, waiting = waiting[:self.batch_size], waiting[self.batch_size:]
            for decoded in self._decode_with_retry(batch, tracks):
                options = tracks[decoded.chunk.track][1]
                if not _no_speech(decoded, options):
                    found[decoded.chunk.track].extend(_segments(decoded))
                if decoded.decoded_to is not None:
                    rest = decoded.chunk.after(decoded.decoded_to)
                    if rest is not None:
                        waiting = _go_on(rest, waiting)
        for segments in found:
            segments.sort(key=lambda s: (s.start, s.end))
        return found

    def _decode_with_retry(self, batch: list[Chunk],
                           tracks: Sequence[tuple[np.ndarray, TranscribeOptions]]
                           ) -> list[Decoded]:
        """The batch decoded; a window that loops decoded again with no token run repeated,
        the retry kept unless it loops too or hears nothing."""
        decoded = self._decode(batch, tracks, no_repeat_ngram_size=0)
        looping = [i for i, d in enumerate(decoded) if _is_loop(d, tracks[d.chunk.track][1])]
        if not looping:
            return decoded
        size = tracks[batch[looping[0]].track][1].loop_no_repeat_ngram_size
        again = self._decode([batch[i] for i in looping], tracks, no_repeat_ngram_size=size)
        for index, retry in zip(looping, again, strict=True):
            if retry.text.strip() and not _is_loop(retry, tracks[retry.chunk.track][1]):
                decoded[index] = retry
        return decoded

    def _decode(self, batch: list[Chunk], tracks: Sequence[tuple[np.ndarray, TranscribeOptions]],
                no_repeat_ngram_size: int) -> list[Decoded]:
        from faster_whisper.audio import pad_or_trim

        model = self._model
        features = [model.feature_extractor(chunk.audio)[..., :-1] for chunk in batch]
        frames = [min(f.shape[-1], model.feature_extractor.nb_max_frames) for f in features]
        encoder_output = model.encode(np.stack([pad_or_trim(f) for f in features]))
        self.windows += len(batch)
        languages = self._languages(batch, tracks, encoder_output)
        groups: dict[tuple, list[int]] = {}
        for index, chunk in enumerate(batch):
            options = tracks[chunk.track][1]
            prompt = self._prompt(languages[index], options, chunk.first)
            key = (languages[index], tuple(prompt), options.beam_size, options.temperatures[0],
                   options.word_timestamps)
            groups.setdefault(key, []).append(index)
        decoded: list[Decoded | None] = [None] * len(batch)
        for (language, prompt, beam_size, temperature, word_times), indices in groups.items():
            rows = _rows(encoder_output, indices, len(batch))
            for index, result in zip(indices, self._generate(
                    rows.view, [batch[i] for i in indices], [frames[i] for i in indices], language,
                    list(prompt), beam_size, temperature, word_times, no_repeat_ngram_size),
                    strict=True):
                decoded[index] = result
        return [d for d in decoded if d is not None]

    def _languages(self, batch: list[Chunk], tracks: Sequence[tuple[np.ndarray, TranscribeOptions]],
                   encoder_output: Any) -> list[str]:
        """Each window's language: the options', or detected on the window for "auto"."""
        model = self._model
        wanted = [tracks[chunk.track][1].language for chunk in batch]
        if not model.model.is_multilingual:
            return ["en"] * len(batch)
        if AUTO_LANGUAGE not in wanted:
            return wanted
        detected = [found[0][0][2:-2] for found in model.model.detect_language(encoder_output)]
        return [d if w == AUTO_LANGUAGE else w for w, d in zip(wanted, detected, strict=True)]

    def _prompt(self, language: str, options: TranscribeOptions, first: bool) -> list[int]:
        tokenizer = self._tokenizer(language)
        previous = (tokenizer.encode(" " + options.initial_prompt.strip())
                    if first and options.initial_prompt else [])
        return self._model.get_prompt(tokenizer, previous, without_timestamps=False,
                                      hotwords=options.hotwords)

    @lru_cache(maxsize=8)  # noqa: B019 (one transcriber per process and configuration)
    def _tokenizer(self, language: str) -> Any:
        from faster_whisper.tokenizer import Tokenizer

        return Tokenizer(self._model.hf_tokenizer, self._model.model.is_multilingual,
                         task="transcribe", language=language)

    def _generate(self, encoder_output: Any, chunks: list[Chunk], frames: list[int],
                  language: str, prompt: list[int], beam_size: int, temperature: float,
                  word_times: bool, no_repeat_ngram_size: int) -> list[Decoded]:
        from faster_whisper.transcribe import get_suppressed_tokens

        model = self._model
        tokenizer = self._tokenizer(language)
        sampling = ({"beam_size": beam_size, "patience": 1.0} if temperature == 0 else
                    {"beam_size": 1, "num_hypotheses": 5, "sampling_topk": 0,
                     "sampling_temperature": temperature})
        results = model.model.generate(
            encoder_output, [prompt] * len(chunks), length_penalty=1.0, repetition_penalty=1.0,
            no_repeat_ngram_size=no_repeat_ngram_size, max_length=model.max_length,
            return_scores=True, return_no_speech_prob=True, suppress_blank=True,
            suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
            max_initial_timestamp_index=MAX_INITIAL_TIMESTAMP_INDEX, **sampling,
        )
        decoded = []
        for chunk, size, result in zip(chunks, frames, results, strict=True):
            tokens = result.sequences_ids[0]
            segments, seek, whole = model._split_segments_by_timestamps(
                tokenizer=tokenizer, tokens=tokens, time_offset=0.0, segment_size=size,
                segment_duration=size / FRAMES_PER_SECOND, seek=0)
            for segment in segments:
                segment["text"] = tokenizer.decode(segment["tokens"])
            decoded.append(Decoded(
                chunk=chunk, segments=segments, text=tokenizer.decode(tokens),
                avg_logprob=result.scores[0] * len(tokens) / (len(tokens) + 1),
                no_speech_prob=result.no_speech_prob,
                stopped_at=None if whole or not 0 < seek < size else seek,
            ))
        if word_times:
            self._add_word_times(decoded, encoder_output, frames, tokenizer)
        for item, size in zip(decoded, frames, strict=True):
            if item.stopped_at is not None:
                seek = _seek_after_words(item)
                item.stopped_at = seek if 0 < seek < size else None
        return decoded

    def _add_word_times(self, decoded: list[Decoded], encoder_output: Any, frames: list[int],
                        tokenizer: Any) -> None:
        """Word times for the windows that hold words, on their rows of the encoder output."""
        from faster_whisper import WhisperModel

        speaking = [i for i, d in enumerate(decoded)
                    if any(t < tokenizer.eot for s in d.segments for t in s["tokens"])]
        for item in decoded:
            for segment in item.segments:
                segment.setdefault("words", [])
        if not speaking:
            return
        defaults = inspect.signature(WhisperModel.transcribe).parameters  # the one-track path's
        rows = _rows(encoder_output, speaking, len(decoded))
        self._model.add_word_timestamps(
            [decoded[i].segments for i in speaking], tokenizer,
            rows.view, [frames[i] for i in speaking],
            defaults["prepend_punctuations"].default, defaults["append_punctuations"].default,
            0.0,
        )


def _seek_after_words(item: Decoded) -> int:
    """Where Whisper's one-track loop goes on after a window it stopped short of the end: the
    last word's end when there are words, else its last timestamp (in frames)."""
    ends = [w["end"] for s in item.segments for w in s.get("words") or ()]
    if ends and ends[-1] > 0:
        return int(round(ends[-1] * FRAMES_PER_SECOND))
    return item.stopped_at or 0


@dataclass(frozen=True)
class _Rows:
    """Some windows' encoder output; the view borrows `array`'s memory, kept here."""

    view: Any
    array: np.ndarray | None = None


def _rows(encoder_output: Any, indices: list[int], batch: int) -> _Rows:
    """The encoder output of these windows (all of it when that is every window)."""
    if len(indices) == batch:
        return _Rows(encoder_output)
    from faster_whisper.transcribe import get_ctranslate2_storage

    rows = np.ascontiguousarray(np.asarray(encoder_output)[indices])
    return _Rows(get_ctranslate2_storage(rows), rows)


def _go_on(rest: Chunk, waiting: list[Chunk]) -> list[Chunk]:
    """The rest of a window queued: joined to the track's next waiting chunk when both fit
    in one window, else on its own before the others."""
    for index, chunk in enumerate(waiting):
        if chunk.track == rest.track:
            if len(rest.audio) + len(chunk.audio) <= MAX_CHUNK_S * SAMPLE_RATE:
                return [*waiting[:index], rest.joined(chunk), *waiting[index + 1:]]
            break
    return [rest, *waiting]


def _is_loop(decoded: Decoded, options: TranscribeOptions) -> bool:
    limit = options.loop_compression_ratio
    return limit is not None and decoded.compression_ratio > limit


def _no_speech(decoded: Decoded, options: TranscribeOptions) -> bool:
    """Whisper's own no-speech gate, when the options turn it on."""
    threshold = options.no_speech_threshold
    return (threshold is not None and decoded.no_speech_prob > threshold
            and decoded.avg_logprob <= -1.0)


def _segments(decoded: Decoded) -> Iterator[Segment]:
    chunk = decoded.chunk
    for seg in decoded.segments:
        text = seg["text"].strip()
        if seg["start"] == seg["end"] or not text:
            continue
        words = tuple(
            Word(w["word"].strip(), *chunk.word_times(w["start"], w["end"]),
                 round(float(w["probability"]), 4))
            for w in seg.get("words") or ())
        yield Segment(chunk.track_time(seg["start"]), chunk.track_time(seg["end"], is_end=True),
                      text, words, decoded.avg_logprob, decoded.no_speech_prob)


@lru_cache(maxsize=4)
def load_batched(model_path: str, compute_type: str, cpu_threads: int, batch_size: int
                 ) -> BatchedTranscriber:
    """One model per process and configuration."""
    return BatchedTranscriber(model_path, compute_type, cpu_threads, batch_size)
