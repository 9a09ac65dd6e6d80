"""Validate and decode call recordings.

`probe_audio` checks a file cheaply (magic bytes, WAV header, stream metadata);
`decode_audio` also decodes it to one float32 array per source channel at 16 kHz.
Anything unusable raises `AudioError`, whose message is stored on the call.

Safety: the container type is sniffed from the content, never from the extension,
and FFmpeg only ever sees a Python file object, with the demuxer forced to the
sniffed format and every nested open refused. So a playlist or concat/HLS
demuxer can never be selected, and nothing outside the local file is fetched.

An OSError (missing file, I/O failure) is not a property of the recording and
propagates unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, NoReturn

import av
import numpy as np
from av.audio.frame import AudioFrame
from av.audio.stream import AudioStream
from av.container import InputContainer

from callqa.qa.messages import N_, MessageError

__all__ = [
    "AudioError",
    "AudioInfo",
    "AudioOptions",
    "DecodedAudio",
    "decode_audio",
    "probe_audio",
    "stream_audio",
]


class AudioError(MessageError):
    """A recording that cannot be used.

    str(e) is a clear, human-readable reason, stored on the call; e.message is the same
    reason as a message id and parameters, which the web shows translated.
    """


# The reason of a recording over the length limit: kept without its bytes (ingest).
TOO_LONG = N_("recording is %(duration)s long, over the %(limit)s limit")


@dataclass(frozen=True)
class AudioOptions:
    max_duration_s: float = 4 * 3600
    sample_rate: int = 16000  # output rate (Whisper wants 16 kHz mono float32)

    def __post_init__(self) -> None:
        if self.max_duration_s <= 0:
            raise ValueError(f"max_duration_s must be positive, got {self.max_duration_s}")
        if self.sample_rate <= 0:
            raise ValueError(f"sample_rate must be positive, got {self.sample_rate}")


@dataclass(frozen=True)
class AudioInfo:
    container: str  # "wav", "mp3", "flac", "ogg" or "m4a"
    codec: str  # "pcm_s16le", "pcm_mulaw", "pcm_alaw", "mp3", "flac", "opus", ...
    sample_rate: int  # source rate (Opus always decodes at 48 kHz)
    channels: int
    duration: float  # seconds, as declared by the container


# eq=False: the generated __eq__ would compare numpy arrays, which is ambiguous.
@dataclass(frozen=True, eq=False)
class DecodedAudio:
    info: AudioInfo
    channels: tuple[np.ndarray, ...]  # float32 in [-1, 1], one array per source channel
    sample_rate: int

    @property
    def duration(self) -> float:
        return len(self.channels[0]) / self.sample_rate

    def mixed(self) -> np.ndarray:
        """Mono mix: the mean of the channels (the channel itself if there is only one)."""
        if len(self.channels) == 1:
            return self.channels[0]
        mix = self.channels[0].copy()
        for channel in self.channels[1:]:
            mix += channel
        mix /= len(self.channels)
        return mix


def probe_audio(path: str | os.PathLike[str], options: AudioOptions | None = None) -> AudioInfo:
    """Validate a recording without decoding it; raise AudioError if it is unusable."""
    with _open_validated(path, options or AudioOptions()) as (_container, _stream, info):
        return info


def decode_audio(path: str | os.PathLike[str], options: AudioOptions | None = None) -> DecodedAudio:
    """Validate and fully decode a recording; raise AudioError if it is unusable."""
    options = options or AudioOptions()
    with _open_validated(path, options) as (container, stream, info):
        frames = _decode_frames(container, stream)
        blocks = _resample(frames, options.sample_rate)
        samples = _collect(blocks, info, options)
    _check_complete(samples.shape[1] / options.sample_rate, info)
    np.clip(samples, -1.0, 1.0, out=samples)
    return DecodedAudio(info=info, channels=tuple(samples), sample_rate=options.sample_rate)


@contextmanager
def stream_audio(
    path: str | os.PathLike[str], options: AudioOptions | None = None
) -> Iterator[tuple[AudioInfo, Iterator[np.ndarray]]]:
    """Validate a recording and decode it as a stream of (channels, samples) float32 blocks,
    never holding the whole of it. The checks of `decode_audio` hold: AudioError on opening,
    and from the stream for corrupt data, a decode over the limit, no samples at all, or one
    that ends short of the declared duration (after its last block)."""
    options = options or AudioOptions()
    with _open_validated(path, options) as (container, stream, info):
        frames = _decode_frames(container, stream)
        yield info, _checked(_resample(frames, options.sample_rate), info, options)


# --- opening and validation -------------------------------------------------------------

_SNIFF_BYTES = 512
_DEMUXERS = {"wav": "wav", "mp3": "mp3", "flac": "flac", "ogg": "ogg", "m4a": "mp4"}


@contextmanager
def _open_validated(
    path: str | os.PathLike[str], options: AudioOptions
) -> Iterator[tuple[InputContainer, AudioStream, AudioInfo]]:
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size == 0:
            raise AudioError(N_("empty file (0 bytes)"))
        kind = _sniff_container(file.read(_SNIFF_BYTES))
        if kind == "wav":
            _check_wav_header(file, size)
        file.seek(0)
        with _open_container(file, kind) as container:
            stream = _audio_stream(kind, container)
            info = _stream_info(kind, container, stream)
            _check_duration(info.duration, options)
            yield container, stream, info


def _sniff_container(head: bytes) -> str:
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:3] == b"ID3" or _is_mpeg_audio_frame(head):
        return "mp3"
    if head[4:8] == b"ftyp":
        return "m4a"
    raise _not_audio(head)


def _is_mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG audio frame header: 11-bit sync and no reserved/invalid fields."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
    # Layers III (1) and II (2) only: 0 is reserved (and is AAC ADTS, which shares the
    # sync), and Layer I would also match the UTF-16 byte-order mark FF FE.
    return version != 1 and layer in (1, 2) and bitrate not in (0, 15) and rate != 3


def _not_audio(head: bytes) -> AudioError:
    text = _as_text(head)
    if text is not None and text.lstrip().startswith("#EXTM3U"):
        return AudioError(N_("not an audio file: content is an M3U playlist"))
    if text is not None:
        return AudioError(N_("not an audio file: content is text"))
    if head[:4] == b"RIFF":
        return AudioError(N_("not an audio file: RIFF file of type %(type)s, not WAVE"),
                          type=repr(head[8:12].decode("latin-1")))
    return AudioError(N_("not an audio file: unrecognised content (starts with %(start)s)"),
                      start=head[:8].hex(" "))


def _as_text(head: bytes) -> str | None:
    """The sniffed bytes as text, or None if they look binary."""
    encoding = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
    try:
        text = head.decode(encoding)
    except UnicodeDecodeError as error:
        # Only a multi-byte character cut off by the sniff window is acceptable.
        if error.start < len(head) - 3:
            return None
        text = head[: error.start].decode(encoding)
    text = text.removeprefix("\ufeff")
    if all(char.isprintable() or char in "\t\n\r\f" for char in text):
        return text
    return None


# --- WAV header -------------------------------------------------------------------------

_MAX_WAV_CHUNKS = 1000
_RF64_SIZE_IN_DS64 = 0xFFFFFFFF  # an RF64 chunk size that is really stored in ds64


def _check_wav_header(file: BinaryIO, file_size: int) -> None:
    """Walk the RIFF chunks up to the data chunk and check they fit in the file."""
    file.seek(0)
    is_rf64 = file.read(4) == b"RF64"
    has_fmt = False
    ds64_data_size: int | None = None
    for count, (chunk_id, chunk_size, body) in enumerate(_wav_chunks(file, file_size)):
        if count == _MAX_WAV_CHUNKS:
            raise AudioError(N_("invalid WAV file: no data chunk in the first %(count)s chunks"),
                             count=count)
        if chunk_id == b"data":
            if not has_fmt:
                raise AudioError(N_("invalid WAV file: no fmt chunk before the audio data"))
            if is_rf64 and chunk_size == _RF64_SIZE_IN_DS64 and ds64_data_size is not None:
                chunk_size = ds64_data_size
            _check_wav_data(chunk_size, body, file_size)
            return
        if body + chunk_size > file_size:
            raise AudioError(
                N_("WAV %(chunk)s chunk declares %(declared)s but the file holds %(size)s:"
                   " truncated or corrupt"), chunk=_chunk_name(chunk_id),
                declared=_format_size(chunk_size), size=_format_size(file_size))
        file.seek(body)
        if chunk_id == b"fmt ":
            _check_wav_fmt(file.read(min(chunk_size, 16)))
            has_fmt = True
        elif chunk_id == b"ds64" and chunk_size >= 16:
            ds64_data_size = int.from_bytes(file.read(16)[8:16], "little")
    if not has_fmt:
        raise AudioError(N_("invalid WAV file: no fmt chunk"))
    raise AudioError(
        N_("no audio data: the WAV file is a header without a data chunk (%(size)s)"),
        size=_format_size(file_size))


def _wav_chunks(file: BinaryIO, file_size: int) -> Iterator[tuple[bytes, int, int]]:
    """Yield (chunk id, declared size, offset of the chunk body) for each complete header."""
    offset = 12
    while offset + 8 <= file_size:
        file.seek(offset)
        header = file.read(8)
        chunk_size = int.from_bytes(header[4:8], "little")
        yield header[:4], chunk_size, offset + 8
        offset += 8 + chunk_size + (chunk_size & 1)  # chunks are padded to even sizes


def _check_wav_fmt(fmt: bytes) -> None:
    if len(fmt) < 16:
        raise AudioError(N_("invalid WAV file: fmt chunk is too short (%(bytes)s bytes)"),
                         bytes=len(fmt))
    channels = int.from_bytes(fmt[2:4], "little")
    sample_rate = int.from_bytes(fmt[4:8], "little")
    if channels == 0 or sample_rate == 0:
        raise AudioError(
            N_("invalid WAV file: fmt chunk declares %(channels)s channels at %(rate)s Hz"),
            channels=channels, rate=sample_rate)


def _check_wav_data(data_size: int, body: int, file_size: int) -> None:
    if data_size > file_size - body:
        raise AudioError(
            N_("WAV header declares %(declared)s of audio data but the file holds %(size)s:"
               " truncated or corrupt"),
            declared=_format_size(data_size), size=_format_size(file_size))
    if data_size == 0:
        raise AudioError(N_("no audio data: the WAV data chunk is empty"))


def _chunk_name(chunk_id: bytes) -> str:
    return repr(chunk_id.decode("latin-1"))


# --- container --------------------------------------------------------------------------


def _refuse_nested_open(url: str, flags: int, options: dict[str, str]) -> NoReturn:
    raise PermissionError(f"recording tried to open another resource: {url}")


@contextmanager
def _open_container(file: BinaryIO, kind: str) -> Iterator[InputContainer]:
    try:
        container = av.open(
            file,
            "r",  # the default, named so the type checker knows this opens for reading
            format=_DEMUXERS[kind],
            metadata_errors="replace",  # broken tags must not make a call unusable
            io_open=_refuse_nested_open,
        )
    except av.error.FFmpegError as error:
        raise AudioError(N_("cannot read the %(kind)s file: %(reason)s"), kind=kind,
                         reason=_reason(error)) from error
    with container:
        yield container


def _audio_stream(kind: str, container: InputContainer) -> AudioStream:
    if not container.streams.audio:
        raise AudioError(N_("no audio stream in the %(kind)s file"), kind=kind)
    stream = container.streams.audio[0]
    if stream.codec_context is None:
        raise AudioError(N_("unsupported audio codec: no decoder available"))
    return stream


def _stream_info(kind: str, container: InputContainer, stream: AudioStream) -> AudioInfo:
    context = stream.codec_context
    if context.channels == 0 or context.sample_rate == 0:
        raise AudioError(
            N_("no usable audio stream in the %(kind)s file (%(channels)s channels at"
               " %(rate)s Hz)"), kind=kind, channels=context.channels, rate=context.sample_rate)
    return AudioInfo(
        container=kind,
        codec=context.codec.canonical_name,
        sample_rate=context.sample_rate,
        channels=context.channels,
        duration=_declared_duration(container, stream),
    )


def _declared_duration(container: InputContainer, stream: AudioStream) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    raise AudioError(
        N_("cannot determine the length of the recording: the file declares none"))


def _check_duration(duration: float, options: AudioOptions) -> None:
    if duration <= 0:
        raise AudioError(N_("no audio data: the recording has zero length"))
    if duration > options.max_duration_s:
        raise AudioError(TOO_LONG, duration=_format_duration(duration),
                         limit=_format_duration(options.max_duration_s))


# --- decoding ---------------------------------------------------------------------------

# Decoding may overrun a declared duration a little (frame padding) before it counts as a lie.
_OVERRUN_GRACE_S = 1.0
# A decode may fall short of the declared duration by this much before it counts as truncated.
_SHORTFALL_S = 2.0
_SHORTFALL_FRACTION = 0.02


def _decode_frames(container: InputContainer, stream: AudioStream) -> Iterator[AudioFrame]:
    position = 0.0
    try:
        for frame in container.decode(stream):
            position += frame.samples / frame.sample_rate
            yield frame
    except av.error.FFmpegError as error:
        raise AudioError(
            N_("corrupt audio data at %(position)s: %(reason)s"),
            position=_format_duration(position), reason=_reason(error)) from error


def _resample(frames: Iterator[AudioFrame], sample_rate: int) -> Iterator[np.ndarray]:
    """Yield (channels, samples) float32 blocks at sample_rate, keeping the channel layout."""
    resampler: av.AudioResampler | None = None
    source: tuple[str, str, int] | None = None
    layout = None
    for frame in frames:
        # The resampler refuses frames that differ from its first one (an MP3 may
        # change sample rate mid-stream), so start a new one on every change.
        frame_source = (frame.format.name, frame.layout.name, frame.sample_rate)
        if frame_source != source:
            if resampler is not None:
                yield from _flush(resampler)
            if layout is None:  # fixed, so the channel count never changes
                layout = frame.layout
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=sample_rate)
            source = frame_source
        assert resampler is not None  # made for the first frame
        for out in resampler.resample(frame):
            yield out.to_ndarray()
    if resampler is not None:
        yield from _flush(resampler)


def _flush(resampler: av.AudioResampler) -> Iterator[np.ndarray]:
    # A pass-through resampler (input already fltp at the target rate) answers
    # a flush with [None].
    for out in resampler.resample(None):
        if out is not None:
            yield out.to_ndarray()


def _collect(blocks: Iterator[np.ndarray], info: AudioInfo, options: AudioOptions) -> np.ndarray:
    """Copy the blocks into one (channels, samples) array, stopping at the duration limit.

    The array is sized from the declared duration up front, so a 4 h call needs one
    output-sized allocation instead of a list of blocks plus a concatenated copy.
    """
    rate = options.sample_rate
    expected = int((info.duration + _OVERRUN_GRACE_S) * rate)
    limit = int((options.max_duration_s + _OVERRUN_GRACE_S) * rate)
    samples: np.ndarray | None = None
    total = 0
    for block in blocks:
        end = total + block.shape[1]
        if end > limit:
            raise AudioError(
                N_("recording decodes to more than %(duration)s, over the %(limit)s limit"),
                duration=_format_duration(end / rate),
                limit=_format_duration(options.max_duration_s))
        if samples is None or end > samples.shape[1]:
            size = max(end, expected) if samples is None else max(end, samples.shape[1] * 3 // 2)
            samples = _grown(samples, (block.shape[0], min(size, limit)), total)
        samples[:, total:end] = block
        total = end
    if samples is None or total == 0:
        raise AudioError(N_("no audio could be decoded (0 samples)"))
    return samples[:, :total]


def _checked(blocks: Iterator[np.ndarray], info: AudioInfo, options: AudioOptions
             ) -> Iterator[np.ndarray]:
    """The blocks clipped to [-1, 1], with `_collect`'s limit and `_check_complete`'s test."""
    rate = options.sample_rate
    limit = int((options.max_duration_s + _OVERRUN_GRACE_S) * rate)
    total = 0
    for block in blocks:
        total += block.shape[1]
        if total > limit:
            raise AudioError(
                N_("recording decodes to more than %(duration)s, over the %(limit)s limit"),
                duration=_format_duration(total / rate),
                limit=_format_duration(options.max_duration_s))
        yield np.clip(block, -1.0, 1.0, dtype=np.float32)
    if total == 0:
        raise AudioError(N_("no audio could be decoded (0 samples)"))
    _check_complete(total / rate, info)


def _grown(samples: np.ndarray | None, shape: tuple[int, int], used: int) -> np.ndarray:
    # np.empty only reserves address space: an over-long declared duration costs nothing.
    grown = np.empty(shape, dtype=np.float32)
    if samples is not None:
        grown[:, :used] = samples[:, :used]
    return grown


def _check_complete(decoded: float, info: AudioInfo) -> None:
    if info.duration - decoded > max(_SHORTFALL_S, _SHORTFALL_FRACTION * info.duration):
        raise AudioError(
            N_("only %(decoded)s of the %(declared)s the file declares could be decoded:"
               " truncated or corrupt"),
            decoded=_format_duration(decoded), declared=_format_duration(info.duration))


# --- messages ---------------------------------------------------------------------------


def _reason(error: av.error.FFmpegError) -> str:
    # str(error) also names the FFmpeg call and the file; the strerror alone reads better.
    reason = error.strerror or str(error)
    return reason[:1].lower() + reason[1:]


def _format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{round(seconds, 1):g} s"
    minutes = int(seconds // 60)
    if minutes < 60:
        rest = int(seconds - 60 * minutes)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _format_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            break
    return f"{value:.1f} {unit}"
