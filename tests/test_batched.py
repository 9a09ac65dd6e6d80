"""Both parties' speech chunks decoded in shared batches (qa.batched)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from callqa.qa.audio import decode_audio
from callqa.qa.batched import BatchedTranscriber, Chunk, Piece
from callqa.qa.transcript import Speaker
from callqa.qa.transcription import (
    SAMPLE_RATE,
    Engine,
    EngineOptions,
    TranscribeOptions,
    call_tracks,
    load_engine,
    transcribe_channels,
)
from callqa.qa.whisper_model import BUNDLED_MODEL
from callqa.settings import load_settings

# tests/conftest.py's model cache: that module's name is shadowed by tests/scoring/conftest.py
# and tests/web/conftest.py in a whole-suite run, so it is not imported from there
MODEL_CACHE = Path(os.environ.get("CALLQA_TEST_MODEL_CACHE", Path.home() / ".cache" / "callqa"))

S = SAMPLE_RATE


@pytest.fixture(scope="module")
def batched() -> BatchedTranscriber:
    engine = load_engine(EngineOptions(model=BUNDLED_MODEL, cache_dir=MODEL_CACHE,
                                       cpu_threads=1, batch_size=4))
    assert isinstance(engine, BatchedTranscriber)
    return engine


def two_stretches() -> Chunk:
    """Track speech at 2-5 s and 9-10 s, joined into 4 s of chunk."""
    return Chunk(track=1, audio=np.zeros(4 * S, np.float32),
                 pieces=(Piece(0, 2 * S, 5 * S), Piece(3 * S, 9 * S, 10 * S)), first=True)


def test_chunk_times_map_back_to_the_track():
    chunk = two_stretches()
    assert chunk.track_time(0.5) == 2.5
    assert chunk.track_time(3.0) == 9.0  # a start on the join: the later stretch
    assert chunk.track_time(3.0, is_end=True) == 5.0  # an end on it: the earlier one
    assert chunk.track_time(3.5) == 9.5
    assert chunk.track_time(9.0, is_end=True) == 10.0  # never past the stretch's end
    assert chunk.word_times(2.9, 3.3) == (9.0, 9.3)  # across the join: on the later stretch
    assert chunk.word_times(2.6, 3.1) == (4.6, 5.0)  # mostly before it: on the earlier one


def test_the_rest_of_a_chunk_keeps_its_track_times():
    rest = two_stretches().after(2.0)
    assert rest is not None and not rest.first and rest.duration == 2.0
    assert rest.track_time(0.0) == 4.0 and rest.track_time(1.5) == 9.5
    assert two_stretches().after(4.0) is None


def test_a_rest_joined_to_the_next_chunk_keeps_both_timelines():
    rest = two_stretches().after(3.0)
    later = Chunk(1, np.zeros(2 * S, np.float32), (Piece(0, 20 * S, 22 * S),), first=False)
    joined = rest.joined(later)
    assert joined.duration == 3.0
    assert joined.track_time(0.5) == 9.5 and joined.track_time(1.5) == 20.5


def test_the_batch_size_is_a_setting_and_openai_whisper_refuses_it(tmp_path):
    assert load_settings({"CALLQA_BATCH_SIZE": "8"}).batch_size == 8
    assert load_settings({}).batch_size == 0
    with pytest.raises(ValueError, match="batch size 0"):
        load_engine(EngineOptions(model=BUNDLED_MODEL, cache_dir=tmp_path,
                                  engine=Engine.OPENAI_WHISPER, batch_size=4))


def test_both_parties_decoded_in_one_batch_keep_their_own_words(batched, corpus, manifest):
    """cen022's first 18 s: the agent's greeting, the customer's problem, the agent again.
    Both tracks' speech goes through one batch (the agent's window with its hot words, the
    customer's without) and every word lands on its own speaker and time."""
    audio = decode_audio(corpus / "audio" / "cen022.wav")
    tracks = [(speaker, channel, samples[: 18 * S])
              for speaker, channel, samples in call_tracks(audio.channels, audio.mixed,
                                                           "agent-left")]
    options = TranscribeOptions(language="en", hotwords="John Carter")
    windows = batched.windows
    transcript = transcribe_channels(tracks, 18.0, batched, options)
    assert batched.windows - windows == 2  # one window per party, in one batch of 4

    said = {speaker: " ".join(u.text for u in transcript.utterances if u.speaker == speaker)
            .lower() for speaker in (Speaker.AGENT, Speaker.CUSTOMER)}
    assert "thank you for calling" in said[Speaker.AGENT] and "john carter" in said[Speaker.AGENT]
    assert "i have a problem" in said[Speaker.CUSTOMER] and "card" in said[Speaker.CUSTOMER]
    assert "problem" not in said[Speaker.AGENT] and "calling" not in said[Speaker.CUSTOMER]
    turns = [t for t in manifest["cen022"]["timing"] if t["start"] < 18]
    for utterance in transcript.utterances:
        own = [t for t in turns if t["speaker"] == utterance.speaker.value]
        assert utterance.words and all(
            any(t["start"] - 1 <= w.start <= w.end <= t["end"] + 1 for t in own)
            for w in utterance.words), utterance
    assert [u.start for u in transcript.utterances] == sorted(
        u.start for u in transcript.utterances)


@pytest.mark.parametrize("name", ["silence_60s.wav", "noise_only_30s.wav"])
@pytest.mark.parametrize("language, layout", [("en", "mono"), ("pl", "agent-left")])
def test_silence_and_noise_give_no_text(batched, corpus, name, language, layout):
    audio = decode_audio(corpus / "bad" / name)
    tracks = call_tracks(audio.channels, audio.mixed, layout)
    transcript = transcribe_channels(tracks, audio.duration, batched,
                                     TranscribeOptions(language=language, hotwords="Northwind"))
    assert transcript.utterances == []


def test_a_silent_party_gets_nothing_while_the_other_is_heard(batched, corpus):
    agent = decode_audio(corpus / "audio" / "cen022.wav").channels[0][: 8 * S]
    noise = decode_audio(corpus / "bad" / "noise_only_30s.wav").channels[0][: 8 * S]
    tracks = [(Speaker.AGENT, 0, agent), (Speaker.CUSTOMER, 1, noise)]
    transcript = transcribe_channels(tracks, 8.0, batched, TranscribeOptions(language="en"))
    assert transcript.utterances
    assert {u.speaker for u in transcript.utterances} == {Speaker.AGENT}
