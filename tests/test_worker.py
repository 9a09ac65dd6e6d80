"""The processing worker on real audio, the real bundled model and a real database."""
import re

import pytest
from sqlalchemy import select

from callqa.models import Call, CallStatus
from callqa.qa.metadata import CallMetadata, read_manifest
from callqa.services.ingest import ingest_recording
from callqa.services.worker import Worker


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


def _ingest(sessions, settings, corpus, manifest, call_id) -> int:
    """Ingest one corpus call with its manifest metadata; return the database id."""
    path, meta = next((p, m) for p, m in read_manifest(corpus / "manifest.jsonl")
                      if m.external_id == call_id)
    return ingest_recording(sessions, settings, path, meta).call_id


@pytest.fixture
def worker(sessions, settings, transcriber):
    return Worker(sessions, settings, lambda: transcriber)


def _speaker_text(sessions, call_id, speaker):
    with sessions() as session:
        call = session.get(Call, call_id)
        return " ".join(u.text for u in call.utterances if u.speaker == speaker)


def _reference(entry, speaker):
    return " ".join(t["text"] for t in entry["timing"] if t["speaker"] == speaker)


@pytest.mark.parametrize("call_id", ["cen025", "cen028"])  # agent-left flac, agent-right mp3
def test_each_party_lands_on_its_own_speaker(worker, sessions, settings, corpus, manifest,
                                            call_id):
    db_id = _ingest(sessions, settings, corpus, manifest, call_id)
    [outcome] = worker.run()
    assert (outcome.call_id, outcome.status) == (db_id, CallStatus.DONE)
    entry = manifest[call_id]
    for speaker, other in (("agent", "customer"), ("customer", "agent")):
        heard = _words(_speaker_text(sessions, db_id, speaker))
        own, others = _words(_reference(entry, speaker)), _words(_reference(entry, other))
        assert len(heard & own) > 2 * len(heard & (others - own)), (speaker, heard)
    with sessions() as session:
        call = session.get(Call, db_id)
        assert call.speakers_known is True and call.engine == "faster-whisper"
        starts = [u.start_s for u in call.utterances]
        assert starts == sorted(starts)
        first = call.utterances[0]
        assert first.words and first.words[0]["start"] >= first.start_s - 0.01


def test_an_english_agent_track_contains_the_greeting(worker, sessions, settings, corpus,
                                                       manifest):
    db_id = _ingest(sessions, settings, corpus, manifest, "cen022")  # 8 kHz mu-law
    worker.run()
    agent_words = _words(_speaker_text(sessions, db_id, "agent"))
    assert manifest["cen022"]["timing"][0]["text"].startswith("Good morning, thank you")
    assert {"good", "morning", "thank", "you"} <= agent_words
    assert "morning" not in _words(_speaker_text(sessions, db_id, "customer"))


def test_a_mono_call_is_one_unknown_track_and_says_so(worker, sessions, settings, samples):
    outcome = ingest_recording(sessions, settings, samples / "cpl005.wav",
                               CallMetadata(language="pl", layout="mono"))
    worker.run()
    with sessions() as session:
        call = session.get(Call, outcome.call_id)
        assert call.status == CallStatus.DONE and call.speakers_known is False
        assert {u.speaker for u in call.utterances} == {"unknown"}
        assert len(call.utterances) >= 5
        assert call.utterances[0].start_s < 2 and call.utterances[-1].end_s > 35  # whole call


def test_bad_inputs_fail_alone_and_the_worker_goes_on(worker, sessions, settings, corpus,
                                                      samples):
    for path in sorted((corpus / "bad").iterdir()):
        ingest_recording(sessions, settings, path, CallMetadata(language="en"))
    good = ingest_recording(sessions, settings, samples / "cen028.mp3",
                            CallMetadata(language="en", layout="agent-right")).call_id
    outcomes = worker.run()
    assert len(outcomes) == 3  # two no-speech files and the good call; the rest failed at ingest
    with sessions() as session:
        calls = {c.original_filename: c for c in session.scalars(select(Call))}
        assert calls["cen028.mp3"].status == CallStatus.DONE and calls["cen028.mp3"].id == good
        for name in ("silence_60s.wav", "noise_only_30s.wav"):
            assert calls[name].status == CallStatus.NO_SPEECH
            assert calls[name].utterances == [] and calls[name].error is None
        failed = [c for c in calls.values() if c.status == CallStatus.FAILED]
        assert len(failed) == 7 and all(c.error for c in failed)


def test_a_call_without_any_language_fails_with_a_clear_reason(worker, sessions, settings,
                                                                samples):
    outcome = ingest_recording(sessions, settings, samples / "cen025.flac", CallMetadata())
    [result] = worker.run()
    assert result.status == CallStatus.FAILED
    with sessions() as session:
        call = session.get(Call, outcome.call_id)
        assert "no language" in call.error
        assert call.error_msgid.startswith("no language for this call")  # the web translates it
        assert call.error == call.error_msgid % call.error_params


def test_a_recording_gone_from_storage_fails_and_others_go_on(worker, sessions, settings,
                                                              samples):
    lost = ingest_recording(sessions, settings, samples / "cen025.flac",
                            CallMetadata(language="en")).call_id
    kept = ingest_recording(sessions, settings, samples / "cen028.mp3",
                            CallMetadata(language="en", layout="agent-right")).call_id
    with sessions() as session:
        (settings.recordings_dir / session.get(Call, lost).storage_name).unlink()
    statuses = {o.call_id: o.status for o in worker.run()}
    assert statuses == {lost: CallStatus.FAILED, kept: CallStatus.DONE}
