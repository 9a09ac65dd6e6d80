"""A recording to a transcript with the configured engine, limits and options, and the second
look at items the first hearing missed: the one path the worker and `callqa eval` both take,
so evaluation measures what production runs."""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from callqa.qa.audio import AudioOptions, decode_audio
from callqa.qa.pieces import PieceOptions, long_recording, transcribe_in_pieces
from callqa.qa.scoring import Scorecard, ScoringContext
from callqa.qa.second_look import SecondLookOptions, Track, second_look
from callqa.qa.transcript import Transcript
from callqa.qa.transcription import (
    Engine,
    EngineOptions,
    Segment,
    TranscribeOptions,
    Transcriber,
    call_tracks,
    load_engine,
    prompt_for,
    transcribe_channels,
)
from callqa.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recording:
    """A recording to transcribe and what decides how."""

    path: Path
    language: str  # a code, or "auto" to let Whisper detect it (see `call_language`)
    layout: str  # see `call_layout`
    agent_name: str | None = None  # a hint: agents say their name
    name: str = ""  # for the log: "call 12"


def load_transcriber(settings: Settings) -> Transcriber:
    """The configured engine, loaded once per process."""
    return load_engine(EngineOptions(model=settings.whisper_model,
                                     cache_dir=settings.model_cache_dir,
                                     engine=settings.engine,
                                     compute_type=settings.compute_type,
                                     cpu_threads=settings.cpu_threads,
                                     batch_size=settings.batch_size))


def call_language(settings: Settings, *candidates: str | None) -> str:
    """The first language set among `candidates` (the call's, then its queue's), else the
    configured default; empty when none is known."""
    return next((c for c in candidates if c), settings.default_language)


def call_layout(settings: Settings, *candidates: str | None) -> str:
    """The first channel layout set among `candidates`, else the configured default."""
    return next((c for c in candidates if c), settings.default_layout)


def hotwords_for(settings: Settings, agent_name: str | None) -> str | None:
    """The configured vocabulary and, unless turned off, the agent's name, as one hint."""
    names = [name.strip() for name in settings.vocabulary.split(",")]
    if settings.hint_agent_name and agent_name:
        names.append(agent_name.strip())
    unique = list(dict.fromkeys(name for name in names if name))
    return ", ".join(unique) or None


def transcribe_options(
    settings: Settings, language: str, agent_name: str | None = None
) -> TranscribeOptions:
    """The options for a call. openai-whisper has no loop retry (it cannot forbid repeated
    token runs), so with that engine the retry is off, said here rather than ignored there."""
    options = TranscribeOptions(language=language, beam_size=settings.beam_size,
                                initial_prompt=prompt_for(language, settings.whisper_prompt),
                                hotwords=hotwords_for(settings, agent_name))
    if settings.engine == Engine.OPENAI_WHISPER:
        options = replace(options, loop_compression_ratio=None)
    return options


def piece_options(settings: Settings, look: SecondLookOptions) -> PieceOptions:
    """Pieces of the configured length; each track's edges kept as long as the second look's
    longest window."""
    return PieceOptions(over_s=settings.pieces_over_s, piece_s=settings.piece_s,
                        search_s=min(PieceOptions.search_s, settings.piece_s / 2),
                        edge_s=look.max_window_s)


def transcribe_recording(
    recording: Recording, settings: Settings, transcriber: Transcriber, scorecard: Scorecard,
    on_segment: Callable[[Segment], None] | None = None,
) -> Transcript:
    """Decode within the configured duration limit, transcribe each party's channel, then hear
    again the windows of `scorecard` items the first hearing did not find. A recording over
    `settings.pieces_over_s` goes in pieces (see qa.pieces). Raises AudioError for a
    recording that cannot be used."""
    audio_options = AudioOptions(max_duration_s=settings.max_duration_s)
    options = transcribe_options(settings, recording.language, recording.agent_name)
    look = SecondLookOptions(enabled=settings.second_look)
    pieces = piece_options(settings, look)
    tracks: Sequence[Track]
    if long_recording(recording.path, audio_options, pieces):
        transcript, tracks = transcribe_in_pieces(recording.path, audio_options,
                                                  recording.layout, transcriber, options,
                                                  pieces, on_segment)
    else:
        audio = decode_audio(recording.path, audio_options)
        tracks = call_tracks(audio.channels, audio.mixed, recording.layout)
        transcript = transcribe_channels(tracks, audio.duration, transcriber, options,
                                         on_segment)
    transcript, heard = second_look(
        transcript, tracks, transcriber, options, scorecard,
        ScoringContext(recording.agent_name), look, on_segment)
    for stretch in heard:
        log.info("%s: %s heard again at %.1f-%.1f s (mean word probability %s -> %s)%s",
                 recording.name or recording.path.name, "/".join(stretch.items), stretch.start,
                 stretch.end, stretch.first, stretch.second,
                 ", kept" if stretch.kept_second else "")
    return transcript
