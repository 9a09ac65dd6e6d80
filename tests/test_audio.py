"""qa.audio against the shared corpus and files made on the fly (no mocks)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import av
import numpy as np
import pytest

from callqa.qa.audio import AudioError, AudioOptions, _resample, decode_audio, probe_audio

CORPUS = Path("/work/shared/corpus")
if not (CORPUS / "manifest.jsonl").is_file():
    pytest.skip(f"test corpus not found at {CORPUS}", allow_module_level=True)

MANIFEST = [json.loads(line) for line in (CORPUS / "manifest.jsonl").open(encoding="utf-8")]
STEREO = [call for call in MANIFEST if call["layout"] != "mono"]
BAD = CORPUS / "bad"

# format in the manifest -> (container, codec, source sample rate)
EXPECTED_STREAM = {
    "wav-pcm16-8k-stereo": ("wav", "pcm_s16le", 8000),
    "wav-pcm16-8k-mono": ("wav", "pcm_s16le", 8000),
    "wav-pcm16-16k-stereo": ("wav", "pcm_s16le", 16000),
    "wav-ulaw-8k-stereo": ("wav", "pcm_mulaw", 8000),
    "mp3-stereo": ("mp3", "mp3", 8000),
    "flac-stereo": ("flac", "flac", 8000),
    "opus-16k-stereo": ("ogg", "opus", 48000),  # Opus always decodes at 48 kHz
}
SILENT_RMS = 0.005


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


def transcode(
    dst: Path,
    container: str,
    codec: str,
    *,
    src: Path = CORPUS / "audio/cen026.wav",
    rate: int | None = None,
    layout: str = "stereo",
    container_options: dict[str, str] | None = None,
) -> Path:
    with (
        av.open(str(src)) as source,
        av.open(str(dst), "w", format=container, container_options=container_options) as out,
    ):
        stream = source.streams.audio[0]
        target = out.add_stream(codec, rate=rate or stream.codec_context.sample_rate, layout=layout)
        for frame in source.decode(stream):
            frame.pts = None
            out.mux(target.encode(frame))
        out.mux(target.encode(None))
    return dst


def cut(src: Path, dst: Path, keep: float) -> Path:
    """Copy the first `keep` fraction of src's bytes."""
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * keep)])
    return dst


# --- the corpus ---------------------------------------------------------------------------


@pytest.mark.parametrize("call", MANIFEST, ids=[call["id"] for call in MANIFEST])
def test_probe_matches_manifest(call: dict) -> None:
    info = probe_audio(CORPUS / call["file"])

    assert (info.container, info.codec, info.sample_rate) == EXPECTED_STREAM[call["format"]]
    assert info.channels == (1 if call["layout"] == "mono" else 2)
    assert info.duration == pytest.approx(call["duration"], abs=0.1)


@pytest.mark.parametrize("call", MANIFEST, ids=[call["id"] for call in MANIFEST])
def test_decode_matches_manifest(call: dict) -> None:
    audio = decode_audio(CORPUS / call["file"])

    assert len(audio.channels) == (1 if call["layout"] == "mono" else 2)
    assert audio.sample_rate == 16000
    assert audio.duration == pytest.approx(call["duration"], abs=0.1)
    assert max(rms(channel) for channel in audio.channels) > SILENT_RMS
    for channel in audio.channels:
        assert channel.dtype == np.float32
        assert channel.shape == audio.channels[0].shape
        assert -1.0 <= channel.min() and channel.max() <= 1.0


@pytest.mark.parametrize("call", STEREO, ids=[call["id"] for call in STEREO])
def test_stereo_keeps_one_speaker_per_channel(call: dict) -> None:
    audio = decode_audio(CORPUS / call["file"])
    agent = 0 if call["layout"] == "agent-left" else 1

    assert np.corrcoef(audio.channels[0], audio.channels[1])[0, 1] < 0.5
    for turn in call["timing"]:
        start, end = (int(turn[key] * audio.sample_rate) for key in ("start", "end"))
        louder = agent if turn["speaker"] == "agent" else 1 - agent
        assert rms(audio.channels[louder][start:end]) > rms(audio.channels[1 - louder][start:end])


def test_mixed_is_the_mean_of_the_channels() -> None:
    audio = decode_audio(CORPUS / STEREO[0]["file"])

    expected = (audio.channels[0] + audio.channels[1]) / 2
    np.testing.assert_allclose(audio.mixed(), expected, atol=1e-6)
    assert audio.mixed().dtype == np.float32


def test_mixed_of_mono_is_the_channel() -> None:
    mono = next(call for call in MANIFEST if call["layout"] == "mono")
    audio = decode_audio(CORPUS / mono["file"])

    assert audio.mixed() is audio.channels[0]


# --- the bad/ files -----------------------------------------------------------------------

REJECTED = {
    "empty.wav": "empty file (0 bytes)",
    "header_only.wav": "no audio data: the WAV file is a header without a data chunk",
    "truncated.wav": "declares 3.4 MB of audio data but the file holds 29.3 KB",
    "claims_4gb.wav": "declares 4.0 GB of audio data but the file holds 1.0 KB",
    "text_renamed.wav": "not an audio file: content is text",
    "random_bytes.mp3": "not an audio file: unrecognised content",
    "playlist_renamed.wav": "not an audio file: content is an M3U playlist",
}


@pytest.mark.parametrize(("name", "message"), REJECTED.items(), ids=list(REJECTED))
def test_bad_file_is_rejected(name: str, message: str) -> None:
    with pytest.raises(AudioError, match=re.escape(message)):
        probe_audio(BAD / name)
    with pytest.raises(AudioError, match=re.escape(message)):
        decode_audio(BAD / name)


@pytest.mark.parametrize(("name", "seconds"), [("silence_60s.wav", 60), ("noise_only_30s.wav", 30)])
def test_silence_and_noise_are_valid_audio(name: str, seconds: float) -> None:
    assert probe_audio(BAD / name).duration == pytest.approx(seconds)

    audio = decode_audio(BAD / name)
    assert len(audio.channels) == 2
    assert audio.duration == pytest.approx(seconds)


def test_silence_decodes_to_near_zero() -> None:
    audio = decode_audio(BAD / "silence_60s.wav")

    assert max(rms(channel) for channel in audio.channels) < 1e-3


# --- files made on the fly ----------------------------------------------------------------


def test_alaw_wav_decodes(tmp_path: Path) -> None:
    path = transcode(tmp_path / "alaw.wav", "wav", "pcm_alaw")
    reference = decode_audio(CORPUS / "audio/cen026.wav")

    audio = decode_audio(path)

    assert (audio.info.container, audio.info.codec) == ("wav", "pcm_alaw")
    assert len(audio.channels) == 2
    assert audio.duration == pytest.approx(reference.duration, abs=0.01)
    for ours, theirs in zip(audio.channels, reference.channels, strict=True):
        assert np.corrcoef(ours, theirs)[0, 1] > 0.99


def test_rf64_wav_decodes(tmp_path: Path) -> None:
    path = transcode(
        tmp_path / "rf64.wav", "wav", "pcm_s16le", container_options={"rf64": "always"}
    )
    assert path.read_bytes()[:4] == b"RF64"

    audio = decode_audio(path)

    assert audio.duration == pytest.approx(35.14, abs=0.1)


def test_truncated_rf64_is_rejected(tmp_path: Path) -> None:
    # RF64 keeps the real data size in its ds64 chunk; the data chunk says 0xFFFFFFFF.
    full = transcode(
        tmp_path / "rf64.wav", "wav", "pcm_s16le", container_options={"rf64": "always"}
    )
    path = cut(full, tmp_path / "cut.wav", keep=0.5)

    with pytest.raises(AudioError, match="declares 1.1 MB of audio data .* truncated or corrupt"):
        probe_audio(path)


def test_m4a_already_at_target_rate_decodes(tmp_path: Path) -> None:
    # AAC decodes to float planar: at 16 kHz mono the resampler passes frames through.
    path = transcode(tmp_path / "call.m4a", "mp4", "aac", rate=16000, layout="mono")

    audio = decode_audio(path)

    assert (audio.info.container, audio.info.codec, audio.info.channels) == ("m4a", "aac", 1)
    assert audio.duration == pytest.approx(35.14, abs=0.2)  # plus AAC priming and padding
    assert rms(audio.channels[0]) > SILENT_RMS


def test_output_sample_rate_is_an_option() -> None:
    audio = decode_audio(CORPUS / "audio/cen026.wav", AudioOptions(sample_rate=8000))

    assert audio.sample_rate == 8000
    assert len(audio.channels[0]) == 281107  # the source's own sample count


def test_max_duration_rejects_a_longer_file() -> None:
    options = AudioOptions(max_duration_s=10)

    with pytest.raises(AudioError, match="recording is 30 s long, over the 10 s limit"):
        probe_audio(BAD / "noise_only_30s.wav", options)
    with pytest.raises(AudioError, match="over the 10 s limit"):
        decode_audio(BAD / "noise_only_30s.wav", options)


def test_truncated_flac_is_a_decode_error(tmp_path: Path) -> None:
    path = cut(CORPUS / "audio/cpl004.flac", tmp_path / "cut.flac", keep=0.5)

    with pytest.raises(AudioError, match=r"corrupt audio data at \d+(\.\d)? s: invalid data"):
        decode_audio(path)


def test_truncated_mp3_is_rejected(tmp_path: Path) -> None:
    path = cut(CORPUS / "audio/cen024.mp3", tmp_path / "cut.mp3", keep=0.5)

    with pytest.raises(AudioError, match="only 12.9 s of the 25.9 s .* truncated or corrupt"):
        decode_audio(path)


def test_file_that_decodes_to_nothing_is_rejected(tmp_path: Path) -> None:
    header = (CORPUS / "audio/cpl004.flac").read_bytes()[:200]  # STREAMINFO, then noise
    path = tmp_path / "garbage.flac"
    path.write_bytes(header + np.random.default_rng(0).bytes(100_000))

    with pytest.raises(AudioError, match=r"no audio could be decoded \(0 samples\)"):
        decode_audio(path)


MADE_UP_BAD = {
    "utf16_text": (b"\xff\xfe" + "just text\n".encode("utf-16-le"), "content is text"),
    "riff_avi": (b"RIFF\x10\x00\x00\x00AVI LIST" + bytes(8), "RIFF file of type 'AVI ', not WAVE"),
    "wav_data_before_fmt": (
        b"RIFF\x14\x00\x00\x00WAVEdata\x04\x00\x00\x00" + bytes(4),
        "no fmt chunk before the audio data",
    ),
    "wav_fmt_overruns": (
        b"RIFF\x24\x00\x00\x00WAVEfmt \x00\x01\x00\x00" + bytes(16),
        "WAV 'fmt ' chunk declares 256 bytes but the file holds 36 bytes",
    ),
    "wav_empty_data": (
        (CORPUS / "audio/cen026.wav").read_bytes()[:36] + b"data" + bytes(4),
        "the WAV data chunk is empty",
    ),
}


@pytest.mark.parametrize(("content", "message"), MADE_UP_BAD.values(), ids=list(MADE_UP_BAD))
def test_made_up_bad_file_is_rejected(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "upload.wav"
    path.write_bytes(content)

    with pytest.raises(AudioError, match=re.escape(message)):
        probe_audio(path)


def test_resampler_follows_a_mid_stream_rate_change() -> None:
    def frame(rate: int) -> av.AudioFrame:
        samples = np.zeros((1, rate // 2 * 2), dtype=np.int16)  # 0.5 s, packed stereo
        made = av.AudioFrame.from_ndarray(samples, format="s16", layout="stereo")
        made.sample_rate = rate
        return made

    blocks = list(_resample(iter([frame(8000), frame(16000)]), 16000))

    assert sum(block.shape[1] for block in blocks) == pytest.approx(16000, abs=64)
    assert {block.shape[0] for block in blocks} == {2}


def flac_declaring(tmp_path: Path, seconds: float) -> Path:
    """cpl004.flac (41.76 s at 8 kHz) with STREAMINFO's total sample count set to `seconds`."""
    data = bytearray((CORPUS / "audio/cpl004.flac").read_bytes())
    packed = int.from_bytes(data[18:26], "big")  # rate:20 channels:3 bits:5 total:36
    total_mask = (1 << 36) - 1
    packed = (packed & ~total_mask) | int(seconds * 8000)
    data[18:26] = packed.to_bytes(8, "big")
    path = tmp_path / "lying.flac"
    path.write_bytes(data)
    return path


def test_audio_longer_than_declared_still_decodes(tmp_path: Path) -> None:
    path = flac_declaring(tmp_path, 5)

    audio = decode_audio(path)

    assert audio.info.duration == pytest.approx(5)
    assert audio.duration == pytest.approx(41.76, abs=0.1)


def test_max_duration_is_enforced_while_decoding(tmp_path: Path) -> None:
    path = flac_declaring(tmp_path, 5)
    options = AudioOptions(max_duration_s=10)
    probe_audio(path, options)  # the header claims 5 s

    with pytest.raises(AudioError, match="over the 10 s limit"):
        decode_audio(path, options)
