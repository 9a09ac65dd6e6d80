"""The recording is redacted on the speaker's channel only, in its own format, verified, and
put in place of the original; the worker does it before the transcript is stored."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import av
import numpy as np
import pytest
from sqlalchemy import text

from callqa.models import Base, Call, CallStatus, RedactionMethod
from callqa.qa.metadata import CallMetadata
from callqa.qa.redaction.audio import AudioSpan, silence_recording
from callqa.qa.redaction.spoken import spoken_digits
from callqa.services.ingest import ingest_recording
from callqa.services.worker import Worker

DATA = Path(__file__).parent / "data"
CARD = "4539148853436466"  # Luhn-valid; said in four groups


def _samples(path: Path) -> tuple[np.ndarray, int, str, str]:
    """(channels, samples) as the codec stores them, the rate, codec and container."""
    with av.open(str(path)) as inp:
        stream = inp.streams.audio[0]
        blocks = []
        for frame in inp.decode(stream):
            array = frame.to_ndarray()
            channels = len(frame.layout.channels)
            blocks.append(array if frame.format.is_planar else array.reshape(-1, channels).T)
        return (np.concatenate(blocks, axis=1), stream.codec_context.sample_rate,
                stream.codec_context.name, inp.format.name)


@pytest.mark.parametrize("name", ["cen025.flac", "cpl005.wav"])
def test_the_span_is_silent_on_its_channel_and_the_rest_is_unchanged(samples, tmp_path, name):
    path = tmp_path / name
    shutil.copy(samples / name, path)
    before, rate, codec, container = _samples(path)
    channel = 1 if before.shape[0] > 1 else 0
    silence_recording(path, [AudioSpan(channel, 3.0, 5.0)], margin_s=0.1)
    after, after_rate, after_codec, after_container = _samples(path)
    assert (after_rate, after_codec, after_container) == (rate, codec, container)
    assert after.shape == before.shape
    first, last = int(2.9 * rate), int(np.ceil(5.1 * rate))
    assert not after[channel, first:last].any()
    assert before[channel, first:last].any()  # there was speech to silence
    untouched = np.ones(before.shape[1], dtype=bool)
    untouched[first:last] = False
    assert np.array_equal(after[channel, untouched], before[channel, untouched])
    for other in range(before.shape[0]):
        if other != channel:
            assert np.array_equal(after[other], before[other])
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no copy left behind


def _all_digits(engine) -> list[str]:
    cells = []
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(text(f"SELECT * FROM {table.name}")):
                for value in row:
                    tokens = re.findall(r"\S+", str(value))
                    cells.append("".join(p or "" for p in spoken_digits(tokens, "en")))
    return cells


def test_the_worker_redacts_the_card_in_text_and_audio(engine, sessions, settings, transcriber):
    outcome = ingest_recording(sessions, settings, DATA / "card_call.flac",
                               CallMetadata(language="en", layout="agent-left"))
    Worker(sessions, settings, lambda: transcriber).run()
    with sessions() as session:
        call = session.get(Call, outcome.call_id)
        assert call.status == CallStatus.DONE
        said = " ".join(u.text for u in call.utterances)
        assert "[CARD]" in said, said
        cards = [r for r in call.redactions if r.entity == "card"]  # one per utterance
        assert cards and all((r.speaker, r.channel, r.method) == (
            "customer", 1, RedactionMethod.SILENCE) for r in cards)
        stored = settings.recordings_dir / call.storage_name
    assert not any(CARD in cell or "4539" in cell for cell in _all_digits(engine))
    spoken = json.loads((DATA / "card_call.json").read_text())["timing"][3]
    original, rate, _, _ = _samples(DATA / "card_call.flac")
    redacted, _, _, _ = _samples(stored)
    for card in cards:
        assert spoken["start"] - 0.5 <= card.start_s < card.end_s <= spoken["end"] + 0.5
        inside = slice(int(card.start_s * rate), int(card.end_s * rate))
        assert original[1, inside].any() and not redacted[1, inside].any()
    assert np.array_equal(redacted[0], original[0])  # the agent's channel is untouched
