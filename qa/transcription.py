"""Speech to a speaker-labelled timeline: one Whisper pass per channel, merged by time."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from callqa.qa.transcript import Speaker, Transcript, Utterance, Word
from callqa.qa.whisper_model import resolve_model

AUTO_LANGUAGE = "auto"
DEFAULT_COMPUTE_TYPE = "default"  # each engine's own: int8 for faster-whisper, float32 else
SAMPLE_RATE = 16000  # what every track handed to a Transcriber is sampled at
LAYOUTS = ("agent-left", "agent-right", "mono")
# How calls open, per language: primes Whisper's vocabulary for the first 30 s of each channel
# (with condition_on_previous_text off, the prompt is dropped after the first window).
OPENING_PROMPTS = {
    "pl": "Dzień dobry, dobry wieczór, dziękuję za telefon, w czym mogę pomóc?",
    "en": "Good morning, good afternoon, good evening, thank you for calling, how can I help you?",
}


@dataclass(frozen=True)
class TranscribeOptions:
    language: str  # ISO 639-1 code, or "auto" to let Whisper detect it
    beam_size: int = 5
    vad_filter: bool = True
    word_timestamps: bool = True
    condition_on_previous_text: bool = False
    # Whisper drops a 30 s window whose no-speech probability is above this while its log
    # probability is low. On telephone audio that discarded whole customer turns the VAD had
    # accepted, so by default the VAD alone decides what is speech (silence and noise still
    # give no text) and each utterance keeps its no_speech_prob for reviewers.
    no_speech_threshold: float | None = None
    temperatures: tuple[float, ...] = (0.0,)  # add higher ones to re-decode poor windows
    initial_prompt: str | None = None  # text that primes Whisper's vocabulary for each window
    # Names the agent says (the company, their own): hot words for every window of the
    # agent's track. Other tracks go without: there Whisper wrote the names into speech
    # that did not hold them, or dropped the turns that did.
    hotwords: str | None = None
    split_pause_s: float = 1.0  # a pause this long between words starts a new utterance
    # A 30 s window whose text compresses (gzip) more than this is a repetition loop ("Wąję po
    # domnie" forty times on an 8 kHz customer channel); Whisper's own test, with its own
    # threshold. Such a window alone is decoded again, forbidding any run of this many tokens
    # to repeat. None: keep loops as decoded.
    loop_compression_ratio: float | None = 2.4
    loop_no_repeat_ngram_size: int = 3


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...]
    avg_logprob: float
    no_speech_prob: float


class Engine(StrEnum):
    """The speech engines callqa runs; both take TranscribeOptions and give Segments."""

    FASTER_WHISPER = "faster-whisper"  # CTranslate2: the default, the fast one
    OPENAI_WHISPER = "openai-whisper"  # PyTorch: the reference, an extra to install


class EngineMissing(RuntimeError):
    """The configured engine's packages are not installed; the message says what to install."""


@dataclass(frozen=True)
class EngineInfo:
    engine: str
    model: str

    @property
    def label(self) -> str:
        """The engine and its model in a line: "faster-whisper bundled:base"."""
        return f"{self.engine} {self.model}"


class Transcriber(Protocol):
    """A speech recognition engine; implementations load their model once."""

    info: EngineInfo

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions) -> Iterator[Segment]:
        """Segments of 16 kHz mono float32 `audio`, lazily, in time order."""
        ...


@runtime_checkable
class TrackBatcher(Protocol):
    """An engine that decodes every track of a call together (qa.batched)."""

    def transcribe_tracks(
        self, tracks: Sequence[tuple[np.ndarray, TranscribeOptions]]
    ) -> list[list[Segment]]:
        """Each (audio, options) track's segments, in time order."""
        ...


class FasterWhisperTranscriber:
    def __init__(self, model_path: str, compute_type: str = "int8", cpu_threads: int = 0):
        from faster_whisper import WhisperModel

        threads = cpu_threads or os.cpu_count() or 1
        self._model = WhisperModel(
            model_path, device="cpu", compute_type=compute_type, cpu_threads=threads,
            local_files_only=True,
        )
        self.info = EngineInfo(engine="faster-whisper", model=model_path)

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions) -> Iterator[Segment]:
        for window in _windows(self._decode(audio, options)):
            if _is_loop(window, options.loop_compression_ratio):
                yield from self._decode_loop_again(audio, window, options)
            else:
                yield from (_segment(seg) for seg in window)

    def _decode(self, audio: np.ndarray, options: TranscribeOptions, no_repeat_ngram_size: int = 0):
        segments, _ = self._model.transcribe(
            audio,
            language=None if options.language == AUTO_LANGUAGE else options.language,
            beam_size=options.beam_size,
            vad_filter=options.vad_filter,
            word_timestamps=options.word_timestamps,
            condition_on_previous_text=options.condition_on_previous_text,
            no_speech_threshold=options.no_speech_threshold,
            temperature=list(options.temperatures),
            initial_prompt=options.initial_prompt,
            hotwords=options.hotwords,
            no_repeat_ngram_size=no_repeat_ngram_size,
        )
        return segments

    def _decode_loop_again(self, audio: np.ndarray, window: list, options: TranscribeOptions
                           ) -> Iterator[Segment]:
        """The looping window's stretch of audio decoded again, no token run repeated; the
        window as it was if that loops too or finds no words (nothing heard is lost)."""
        start, end = window[0].start, window[-1].end
        clip = audio[int(start * SAMPLE_RATE):int(np.ceil(end * SAMPLE_RATE))]
        again = list(self._decode(clip, options, options.loop_no_repeat_ngram_size))
        if not any(seg.text.strip() for seg in again) or _is_loop(
                again, options.loop_compression_ratio):
            return (_segment(seg) for seg in window)
        return (_segment(seg, offset=start) for seg in again)


def _windows(segments: Iterable) -> Iterator[list]:
    """faster-whisper's segments grouped by the 30 s window they were decoded in."""
    window: list = []
    for seg in segments:
        if window and seg.seek != window[0].seek:
            yield window
            window = []
        window.append(seg)
    if window:
        yield window


def _is_loop(window: list, max_compression_ratio: float | None) -> bool:
    return max_compression_ratio is not None and any(
        seg.compression_ratio > max_compression_ratio for seg in window)


def _segment(seg, offset: float = 0.0) -> Segment:
    words = tuple(
        Word(w.word.strip(), round(w.start + offset, 3), round(w.end + offset, 3),
             round(w.probability, 4))
        for w in seg.words or ()
    )
    return Segment(seg.start + offset, seg.end + offset, seg.text.strip(), words,
                   seg.avg_logprob, seg.no_speech_prob)


@lru_cache(maxsize=4)
def load_faster_whisper(model_path: str, compute_type: str, cpu_threads: int) -> Transcriber:
    """One model per process and configuration."""
    return FasterWhisperTranscriber(model_path, compute_type, cpu_threads)


def channel_speakers(layout: str, channel_count: int) -> list[Speaker]:
    """Who speaks on each channel; a mono layout or a one-channel file is one unknown track."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown channel layout {layout!r}: use one of {', '.join(LAYOUTS)}")
    if layout == "mono" or channel_count == 1:
        return [Speaker.UNKNOWN]
    left, right = (
        (Speaker.AGENT, Speaker.CUSTOMER) if layout == "agent-left"
        else (Speaker.CUSTOMER, Speaker.AGENT)
    )
    return [left, right]


def transcribe_channels(
    tracks: Iterable[tuple[Speaker, int, np.ndarray]],
    duration: float,
    transcriber: Transcriber,
    options: TranscribeOptions,
    on_segment: Callable[[Segment], None] | None = None,
) -> Transcript:
    """Transcribe each (speaker, channel, audio) track and merge them into one timeline."""
    utterances: list[Utterance] = []
    speakers_known = True
    tracks = list(tracks)
    for (speaker, channel, _), segments in zip(
            tracks, _track_segments(tracks, transcriber, options), strict=True):
        speakers_known = speakers_known and speaker != Speaker.UNKNOWN
        for segment in segments:
            if on_segment:
                on_segment(segment)
            utterances.extend(_utterances_from_segment(segment, speaker, channel, options))
    utterances.sort(key=lambda u: (u.start, u.end))
    return Transcript(
        language=options.language, duration=duration, utterances=utterances,
        speakers_known=speakers_known,
    )


def _track_segments(
    tracks: list[tuple[Speaker, int, np.ndarray]], transcriber: Transcriber,
    options: TranscribeOptions,
) -> Iterator[Iterable[Segment]]:
    """Each track's segments: one track after another, or all at once for a TrackBatcher."""
    if isinstance(transcriber, TrackBatcher):
        yield from transcriber.transcribe_tracks(
            [(audio, track_options(options, speaker)) for speaker, _, audio in tracks])
        return
    for speaker, _, audio in tracks:
        yield transcriber.transcribe(audio, track_options(options, speaker))


class Samples(Protocol):
    """A track's samples as a stretch of them is read: an array, or a long recording's
    `pieces.EdgeAudio`."""

    def __getitem__(self, key: slice, /) -> np.ndarray: ...


def transcribe_stretch(
    audio: Samples, start: float, end: float, speaker: Speaker, channel: int,
    transcriber: Transcriber, options: TranscribeOptions,
    on_segment: Callable[[Segment], None] | None = None,
) -> list[Utterance]:
    """The utterances of `start`-`end` s of one party's track, decoded on their own."""
    clip = audio[int(start * SAMPLE_RATE):int(np.ceil(end * SAMPLE_RATE))]
    utterances: list[Utterance] = []
    for segment in transcriber.transcribe(clip, track_options(options, speaker)):
        if on_segment:
            on_segment(segment)
        utterances.extend(
            _utterances_from_segment(_shifted(segment, start), speaker, channel, options))
    return utterances


def _shifted(segment: Segment, offset: float) -> Segment:
    words = tuple(replace(w, start=round(w.start + offset, 3), end=round(w.end + offset, 3))
                  for w in segment.words)
    return replace(segment, start=segment.start + offset, end=segment.end + offset, words=words)


def speech_spans(audio: np.ndarray, offset: float = 0.0) -> list[tuple[float, float]]:
    """Where the voice detector Whisper's VAD gate uses hears speech in 16 kHz `audio`."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    return [(round(offset + float(span["start"]) / SAMPLE_RATE, 3),
             round(offset + float(span["end"]) / SAMPLE_RATE, 3))
            for span in get_speech_timestamps(audio, VadOptions())]


def track_options(options: TranscribeOptions, speaker: Speaker) -> TranscribeOptions:
    """The options for one party's track: hot words only where the agent alone speaks."""
    if speaker == Speaker.AGENT or options.hotwords is None:
        return options
    return replace(options, hotwords=None)


def _utterances_from_segment(
    segment: Segment, speaker: Speaker, channel: int, options: TranscribeOptions
) -> list[Utterance]:
    if not segment.text:
        return []
    groups = _split_at_pauses(segment.words, options.split_pause_s) if segment.words else []
    if len(groups) <= 1:
        return [_utterance(segment, speaker, channel, segment.words, segment.text)]
    return [
        _utterance(segment, speaker, channel, group, " ".join(w.text for w in group))
        for group in groups
    ]


def _split_at_pauses(words: tuple[Word, ...], pause_s: float) -> list[tuple[Word, ...]]:
    groups: list[list[Word]] = [[words[0]]]
    for previous, word in zip(words, words[1:], strict=False):
        if word.start - previous.end >= pause_s:
            groups.append([])
        groups[-1].append(word)
    return [tuple(g) for g in groups]


def _utterance(
    segment: Segment, speaker: Speaker, channel: int, words: tuple[Word, ...], text: str
) -> Utterance:
    start = words[0].start if words else segment.start
    end = words[-1].end if words else segment.end
    return Utterance(
        speaker=speaker, start=round(start, 3), end=round(end, 3), text=text.strip(),
        words=words, channel=channel, avg_logprob=round(segment.avg_logprob, 4),
        no_speech_prob=round(segment.no_speech_prob, 4),
    )


@dataclass(frozen=True)
class EngineOptions:
    """Which Whisper model to load and how to run it."""

    # BUNDLED_MODEL; for faster-whisper a model name or CTranslate2 directory, for
    # openai-whisper a checkpoint file (.pt) or a CTranslate2 directory to convert
    model: str
    cache_dir: Path  # where the bundled model is assembled and converted (once per machine)
    engine: Engine = Engine.FASTER_WHISPER
    compute_type: str = DEFAULT_COMPUTE_TYPE  # faster-whisper's; openai-whisper: float32
    cpu_threads: int = 0  # 0: every core
    # faster-whisper: decode all of a call's tracks together, this many 30 s windows of
    # speech at a time (qa.batched); 0: each track on its own, window after window
    batch_size: int = 0


def load_engine(options: EngineOptions) -> Transcriber:
    """The engine, loaded once per process; the bundled model is assembled (and for
    openai-whisper converted) first. Raises EngineMissing when its packages are not
    installed, ValueError for a compute type the engine cannot run."""
    if options.engine == Engine.OPENAI_WHISPER:
        if options.compute_type not in (DEFAULT_COMPUTE_TYPE, "float32"):
            raise ValueError(f"openai-whisper runs float32 on CPU, not {options.compute_type}")
        if options.batch_size:
            raise ValueError("openai-whisper decodes one track at a time: batch size 0")
        from callqa.qa.openai_whisper import load_openai_whisper

        return load_openai_whisper(options.model, options.cache_dir, options.cpu_threads)
    compute_type = "int8" if options.compute_type == DEFAULT_COMPUTE_TYPE else options.compute_type
    model_path = resolve_model(options.model, options.cache_dir)
    if options.batch_size:
        from callqa.qa.batched import load_batched

        return load_batched(model_path, compute_type, options.cpu_threads, options.batch_size)
    return load_faster_whisper(model_path, compute_type, options.cpu_threads)


def call_tracks(
    channels: tuple[np.ndarray, ...], mixed: Callable[[], np.ndarray], layout: str
) -> list[tuple[Speaker, int, np.ndarray]]:
    """(speaker, channel, audio) to transcribe: one per party, or one mixed unknown track."""
    speakers = channel_speakers(layout, len(channels))
    if speakers == [Speaker.UNKNOWN]:
        return [(Speaker.UNKNOWN, 0, mixed())]
    return [(speaker, index, channels[index]) for index, speaker in enumerate(speakers)]


def prompt_for(language: str, setting: str) -> str | None:
    """The initial prompt: "default" is the shipped opening for the language, "none" (or
    empty) is no prompt, anything else is used as written."""
    if setting in ("", "none"):
        return None
    if setting == "default":
        return OPENING_PROMPTS.get(language)
    return setting
