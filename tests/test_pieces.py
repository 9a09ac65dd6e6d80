"""Long recordings in pieces: cut at silences in every channel, transcribed like the whole file."""
from __future__ import annotations

import math
import re
import wave
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np
import pytest

from callqa.models import Call, CallStatus
from callqa.qa.audio import AudioError, AudioOptions, decode_audio, stream_audio
from callqa.qa.metadata import CallMetadata
from callqa.qa.pieces import EdgeAudio, PieceOptions, cut_pieces, quietest_cut, transcribe_in_pieces
from callqa.qa.transcript import Transcript
from callqa.qa.transcription import TranscribeOptions, call_tracks, transcribe_channels
from callqa.services.ingest import ingest_recording
from callqa.services.score_store import rules_for
from callqa.services.transcribing import Recording, transcribe_recording
from callqa.services.worker import Worker
from callqa.settings import Settings

RATE = 16000


def tone(seconds: float, level: float = 0.3, hz: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (level * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), np.float32)


def blocks_of(samples: np.ndarray, size: int = 1152):
    for start in range(0, samples.shape[1], size):
        yield samples[:, start:start + size]


# --- cutting ------------------------------------------------------------------------------


def test_the_cut_lands_where_every_channel_is_quiet():
    # 0-20 s: left speaks throughout except a pause at 12-13 s, where the right speaks;
    # both are silent at 16.0-16.8 s only.
    left = np.concatenate([tone(12), silence(1), tone(3), silence(0.8), tone(3.2)])
    right = np.concatenate([silence(12), tone(1, hz=300), silence(3), silence(0.8),
                            silence(3.2)])
    cut = quietest_cut(np.stack([left, right])[:, 10 * RATE:20 * RATE], RATE, quiet_s=0.5)
    assert 16.0 < 10 + cut / RATE < 16.8


def test_in_digital_silence_the_cut_is_the_middle_of_the_longest_run():
    samples = np.concatenate([tone(2), silence(1), tone(2), silence(4), tone(1)])[None, :]
    cut = quietest_cut(samples, RATE, quiet_s=0.5)
    assert cut / RATE == pytest.approx(7.0, abs=0.05)


def test_pieces_put_back_together_are_the_recording():
    rng = np.random.default_rng(3)
    samples = (rng.standard_normal((2, 95 * RATE)) * 0.1).astype(np.float32)
    pauses = (18.5, 37.0, 55.0, 72.0, 90.0)  # a silence in both channels near each target
    for pause in pauses:
        samples[:, int(pause * RATE):int((pause + 0.6) * RATE)] = 0
    options = PieceOptions(piece_s=20, search_s=5, quiet_s=0.3)
    pieces = list(cut_pieces(blocks_of(samples), RATE, options))
    starts = [p.start / RATE for p in pieces]
    assert starts[0] == 0 and len(pieces) == 6
    for start, pause in zip(starts[1:], pauses, strict=True):
        assert pause < start < pause + 0.6  # the cut is in the shared silence
    for piece in pieces:
        assert len(piece.channels) == 2 and len(piece.channels[0]) <= 20 * RATE
    rebuilt = np.concatenate([np.stack(p.channels) for p in pieces], axis=1)
    assert np.array_equal(rebuilt, samples)


def test_piece_options_are_checked():
    with pytest.raises(ValueError, match="search_s < piece_s"):
        PieceOptions(piece_s=30, search_s=60)


def test_edge_audio_gives_the_head_and_the_tail_only():
    track = np.arange(100, dtype=np.float32)
    edges = EdgeAudio(track[:10], track[-10:], 100)
    assert np.array_equal(edges[2:8], track[2:8])
    assert np.array_equal(edges[92:200], track[92:])
    with pytest.raises(ValueError, match="first 10 and last 10"):
        edges[5:20]


# --- streaming decode -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cen022.wav", "cen024.mp3", "cpl003.ogg", "cpl004.flac"])
def test_the_stream_decodes_what_decode_audio_does(corpus, name):
    whole = decode_audio(corpus / "audio" / name)
    with stream_audio(corpus / "audio" / name) as (info, blocks):
        streamed = np.concatenate(list(blocks), axis=1)
    assert info == whole.info
    assert np.array_equal(streamed, np.stack(whole.channels))


def test_the_stream_finds_a_truncated_recording_at_its_end(corpus, tmp_path):
    data = (corpus / "audio/cen024.mp3").read_bytes()
    path = tmp_path / "cut.mp3"
    path.write_bytes(data[:len(data) // 2])
    with stream_audio(path) as (_info, blocks):
        with pytest.raises(AudioError, match="only 12.9 s of the 25.9 s .* truncated or corrupt"):
            list(blocks)


def test_the_stream_keeps_the_duration_limit(corpus):
    with pytest.raises(AudioError, match="over the 10 s limit"):
        with stream_audio(corpus / "bad/noise_only_30s.wav", AudioOptions(max_duration_s=10)):
            pass


# --- transcripts ----------------------------------------------------------------------------

CALLS = ("cen023.wav", "cen027.wav")  # English, agent-left, 16 kHz stereo
PAUSE_S = 3.0


@pytest.fixture(scope="module")
def long_call(corpus, tmp_path_factory) -> Path:
    """Two corpus calls one after the other, a pause after each: 1 min 30 s."""
    parts: list[np.ndarray] = []
    for name in CALLS:
        parts += [np.stack(decode_audio(corpus / "audio" / name).channels),
                  np.zeros((2, int(PAUSE_S * RATE)), np.float32)]
    samples = np.concatenate(parts, axis=1)
    path = tmp_path_factory.mktemp("long") / "long.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(samples.T, -1, 1) * 32767).astype("<i2").tobytes())
    return path


PIECES = PieceOptions(over_s=0, piece_s=30, search_s=15)  # cuts inside the calls, in pauses
OPTIONS = TranscribeOptions(language="en")


@pytest.fixture(scope="module")
def whole(long_call, transcriber) -> Transcript:
    audio = decode_audio(long_call)
    tracks = call_tracks(audio.channels, audio.mixed, "agent-left")
    return transcribe_channels(tracks, audio.duration, transcriber, OPTIONS)


@pytest.fixture(scope="module")
def in_pieces(long_call, transcriber) -> Transcript:
    return transcribe_in_pieces(long_call, AudioOptions(), "agent-left", transcriber, OPTIONS,
                                PIECES)[0]


def _normalized(text: str) -> str:
    return re.sub(r"[^\w']", "", text.lower())


def _words(transcript: Transcript, channel: int, start: float, end: float):
    return [(_normalized(w.text), w.start, w.end)
            for u in transcript.utterances if u.channel == channel for w in u.words
            if start <= (w.start + w.end) / 2 < end]


def test_a_recording_in_pieces_reads_as_the_whole_one_at_the_cuts(long_call, whole, in_pieces):
    with stream_audio(long_call) as (_info, blocks):
        cuts = [p.start / RATE for p in cut_pieces(blocks, RATE, PIECES)][1:]

    assert len(cuts) >= 2
    assert in_pieces.duration == pytest.approx(whole.duration)
    for cut in cuts:
        for channel in (0, 1):
            assert_same_at_the_cut(whole, in_pieces, channel, cut)
    starts = [u.start for u in in_pieces.utterances]
    assert starts == sorted(starts)


def assert_same_at_the_cut(whole: Transcript, pieces: Transcript, channel: int, cut: float):
    """Whisper decodes other 30 s windows after a cut, so a word may come out another way
    ("have an ice may" / "have a nice day") and its times move a little, most at the start of a
    decode; what a cut itself would do — a word lost, doubled or split — must not happen."""
    for transcript in (whole, pieces):  # no word across the cut: it is in a silence
        assert not [w for w in _words(transcript, channel, 0, math.inf)
                    if w[1] < cut - 0.05 and w[2] > cut + 0.05], cut
    near_whole, near_pieces = (_words(t, channel, cut - 8, cut + 8) for t in (whole, pieces))
    assert abs(len(near_pieces) - len(near_whole)) <= 1, (cut, near_whole, near_pieces)
    before = [w for w in near_whole if w[2] <= cut]
    after = [w for w in near_whole if w[1] >= cut]
    if before:  # the last word before the cut ends there in both, on the same side
        assert [w for w in near_pieces if abs(w[2] - before[-1][2]) < 0.5 and w[2] <= cut]
    if after:  # the first word after it starts there in both
        assert [w for w in near_pieces if abs(w[1] - after[0][1]) < 0.5 and w[1] >= cut]
    matcher = SequenceMatcher(a=[w[0] for w in near_whole], b=[w[0] for w in near_pieces],
                              autojunk=False)
    assert matcher.ratio() >= 0.75, (cut, near_whole, near_pieces)


def test_one_piece_is_the_whole_transcript_bit_for_bit(long_call, whole, transcriber):
    one, edges = transcribe_in_pieces(long_call, AudioOptions(), "agent-left", transcriber,
                                      OPTIONS, PieceOptions(over_s=0, piece_s=600, edge_s=60))
    assert one == whole
    audio = decode_audio(long_call)
    assert np.array_equal(edges[0][2][0:16000], audio.channels[0][:16000])
    assert np.array_equal(edges[1][2][-16000:], audio.channels[1][-16000:])


def test_the_service_takes_pieces_over_the_threshold(long_call, in_pieces, transcriber):
    settings = Settings(pieces_over_s=60, piece_s=30, second_look=False)
    recording = Recording(long_call, "en", "agent-left")
    assert transcribe_recording(recording, settings, transcriber,
                                rules_for(settings).scorecard) == in_pieces


def test_a_broken_long_recording_fails_with_its_reason_stored(sessions, settings, corpus,
                                                              tmp_path, transcriber):
    # cpl004.flac (41.76 s) with a STREAMINFO claiming 1 h: over the pieces threshold
    data = bytearray((corpus / "audio/cpl004.flac").read_bytes())
    packed = int.from_bytes(data[18:26], "big")
    packed = (packed & ~((1 << 36) - 1)) | 3600 * 8000
    data[18:26] = packed.to_bytes(8, "big")
    path = tmp_path / "lying.flac"
    path.write_bytes(bytes(data))
    call_id = ingest_recording(sessions, settings, path, CallMetadata(language="pl")).call_id
    [outcome] = Worker(sessions, settings, lambda: transcriber).run()
    assert outcome.status == CallStatus.FAILED
    with sessions() as session:
        call = session.get(Call, call_id)
        assert call.status == CallStatus.FAILED
        assert re.search(r"only 41\.8 s of the 1 h .* truncated or corrupt", call.error)
