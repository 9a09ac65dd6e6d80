"""Listening to a piece of a call: the agent's channel of a stereo recording (the mix of a
mono one) between two times, as WAV, for the reviewers of the "To review" queue."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from callqa.models import Call
from callqa.qa.audio import AudioOptions, DecodedAudio, decode_audio
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
    track = _listening_track(path, path.stat().st_mtime_ns, call_layout(call, settings),
                             settings.max_duration_s)
    samples = channel_window(track.audio, start, end, 0)
    return WindowAudio(wav_bytes(samples, track.audio.sample_rate), track.channel)


@dataclass(frozen=True)
class _Track:
    audio: DecodedAudio  # one channel: the agent's, or the mix
    channel: str


# The windows of a call's items come from one decoding of it (and a browser asks for each
# window in several byte ranges); one channel of the last few calls is kept.
@lru_cache(maxsize=3)
def _listening_track(path: Path, _mtime_ns: int, layout: str, max_duration_s: float) -> _Track:
    audio = decode_audio(path, AudioOptions(max_duration_s=max_duration_s,
                                            sample_rate=LISTENING_RATE))
    speakers = channel_speakers(layout, len(audio.channels))
    if Speaker.AGENT in speakers:
        samples, channel = audio.channels[speakers.index(Speaker.AGENT)].copy(), "agent"
    else:
        samples, channel = audio.mixed().copy(), "mix"
    return _Track(DecodedAudio(audio.info, (samples,), audio.sample_rate), channel)
