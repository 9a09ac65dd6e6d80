"""Listening to a piece of a call: the agent's channel of a stereo recording (the mix of a
mono one) between two times, as WAV, for the reviewers of the "To review" queue."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from callqa.models import Call
from callqa.qa.audio import AudioOptions, decode_audio
from callqa.qa.audio_window import channel_window, wav_bytes
from callqa.qa.transcript import Speaker
from callqa.qa.transcription import channel_speakers
from callqa.settings import Settings

# Whisper's rate: what the transcript was made from, and plenty for telephone speech.
LISTENING_RATE = 16000


@dataclass(frozen=True)
class WindowAudio:
    wav: bytes
    channel: str  # "agent": the agent's channel alone; "mix": every channel (mono)


def call_layout(call: Call, settings: Settings) -> str:
    """The channel layout the worker transcribes the call with."""
    return (call.channel_layout or (call.queue and call.queue.channel_layout)
            or settings.default_layout)


def recording_path(call: Call, settings: Settings) -> Path | None:
    """The call's stored recording, if it has one and it is inside the recordings folder."""
    if call.storage_name is None:
        return None
    root = settings.recordings_dir.resolve()
    path = (root / call.storage_name).resolve()
    return path if root in path.parents and path.is_file() else None


def window_audio(call: Call, settings: Settings, start: float, end: float) -> WindowAudio | None:
    """None when the call has no recording. Raises AudioError if it cannot be decoded."""
    path = recording_path(call, settings)
    if path is None:
        return None
    return _window_audio(path, path.stat().st_mtime_ns, call_layout(call, settings),
                         round(start, 2), round(end, 2), settings.max_duration_s)


@lru_cache(maxsize=8)  # a browser asks for the same window in several byte ranges
def _window_audio(path: Path, _mtime_ns: int, layout: str, start: float, end: float,
                  max_duration_s: float) -> WindowAudio:
    audio = decode_audio(path, AudioOptions(max_duration_s=max_duration_s,
                                            sample_rate=LISTENING_RATE))
    speakers = channel_speakers(layout, len(audio.channels))
    channel = speakers.index(Speaker.AGENT) if Speaker.AGENT in speakers else None
    samples = channel_window(audio, start, end, channel)
    return WindowAudio(wav_bytes(samples, audio.sample_rate),
                       "mix" if channel is None else "agent")
