"""Scoring and FCR stored in the database: after transcription, on transcript ingest, on
rescore, and over time (pending calls settling), on SQLite and PostgreSQL."""
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from callqa.models import Call, CallStatus, FcrResult, ItemResult, Scorecard, utcnow
from callqa.qa.metadata import CallMetadata, read_manifest, transcript_metadata
from callqa.queries.stats import StatsFilters, fcr_rates
from callqa.services.fcr_jobs import recompute_fcr
from callqa.services.ingest import ingest_recording, ingest_transcript
from callqa.services.score_store import rules_for, score_call
from callqa.services.worker import Worker


def _write_entry(tmp_path: Path, entry: dict) -> Path:
    path = tmp_path / f"{entry['id']}.json"
    path.write_text(json.dumps(entry, ensure_ascii=False))
    return path


def _ingest_references(sessions, settings, tmp_path, manifest, ids=None):
    by_id = {}
    for call_id, entry in manifest.items():
        if ids is None or call_id in ids:
            path = _write_entry(tmp_path, entry)
            outcome = ingest_transcript(sessions, settings, path, transcript_metadata(path))
            assert outcome.status == CallStatus.DONE, outcome
            by_id[call_id] = outcome.call_id
    return by_id


def test_reference_transcripts_get_the_expected_fcr_in_the_database(
        sessions, settings, tmp_path, manifest):
    ids = _ingest_references(sessions, settings, tmp_path, manifest)
    with sessions() as session:
        open_now = {c.external_id for c in session.scalars(select(Call))
                    if c.fcr.status == "pending"}
        assert open_now == {c.external_id for c in session.scalars(select(Call))
                            if c.fcr.window_ends_at > utcnow() and not c.fcr.reasons}
    recompute_fcr(sessions, settings, now=lambda: utcnow() + timedelta(days=8))
    with sessions() as session:
        stored = {c.external_id: c for c in session.scalars(select(Call))}
        for call_id, entry in manifest.items():
            call = stored[call_id]
            assert call.fcr.status == ("fcr" if entry["expect"]["fcr"] else "not_fcr"), call_id
            repeats = [r for r in call.fcr.reasons if r["kind"] == "repeat_contact"]
            assert bool(repeats) == entry["expect"]["repeat_within_7d_same_topic"], call_id
        first, repeat = stored["cpl001"], stored["cpl002"]
        assert [r["repeat_call_id"] for r in first.fcr.reasons
                if r["kind"] == "repeat_contact"] == [ids["cpl002"]]
        assert repeat.fcr.repeat_of == [ids["cpl001"]] and repeat.fcr.status == "fcr"
        callback = next(r for r in first.fcr.reasons if r["kind"] == "callback")
        assert "Oddzwonimy" in callback["evidence"]["matched"]
        assert callback["evidence"]["speaker"] == "agent"


def test_each_item_is_stored_with_its_evidence_and_the_scorecard_version(
        sessions, settings, tmp_path, manifest):
    ids = _ingest_references(sessions, settings, tmp_path, manifest, {"cen022", "cpl008"})
    with sessions() as session:
        call = session.get(Call, ids["cen022"])
        items = {i.item_id: i for i in call.score.items}
        assert set(items) == {"greeting", "introduction", "thanks", "goodbye", "anything_else",
                              "resolution_check", "forbidden_phrases"}
        greeting = items["greeting"]
        assert greeting.verdict == "passed" and greeting.method == "exact"
        evidence = [e for e in greeting.detail["evidence"] if e["counted"]][0]
        assert evidence["speaker"] == "agent" and evidence["matched"] == "Good morning"
        assert evidence["start"] == pytest.approx(0.6)
        assert items["anything_else"].verdict == "failed"
        assert "no offer of further help by the agent" in (
            items["anything_else"].detail["explanation"]["en"])
        assert call.score.scorecard.source.startswith("# The default courtesy checklist")
        assert call.score.metrics["talk_ratio"] > 0
        assert 0 < call.score.score < 100
        unresolved = session.get(Call, ids["cpl008"])
        assert [r["kind"] for r in unresolved.fcr.reasons][:1] == ["unable_to_help"]


def test_rescoring_with_an_edited_scorecard_keeps_the_old_version(
        sessions, settings, tmp_path, manifest):
    ids = _ingest_references(sessions, settings, tmp_path, manifest, {"cen029"})
    edited = tmp_path / "strict.yaml"
    default = Path(__file__).resolve().parents[1] / "qa" / "scorecards" / "default.yaml"
    edited.write_text(default.read_text().replace("id: default", "id: strict", 1)
                      .replace("weight: 1\n", "weight: 3\n", 1))
    with sessions.begin() as session:
        score_call(session, session.get(Call, ids["cen029"]), rules_for(settings, edited))
    with sessions() as session:
        call = session.get(Call, ids["cen029"])
        assert call.score.scorecard.name == "strict"
        assert session.scalar(select(func.count(Scorecard.id))) == 2
        assert session.scalar(select(func.count(ItemResult.id))) == 7  # replaced, not added
        assert call.score.items[0].weight == 3


def test_pending_calls_settle_when_the_window_closes(sessions, settings, tmp_path, manifest):
    entry = dict(manifest["cen027"], id="fresh")
    path = _write_entry(tmp_path, entry)
    meta = transcript_metadata(path)
    ingest_transcript(sessions, settings, path, meta)
    with sessions() as session:
        [result] = session.scalars(select(FcrResult)).all()
        window_end = result.window_ends_at
    assert result.status == "fcr"  # the corpus dates are long past
    summary = recompute_fcr(sessions, settings, now=lambda: window_end - timedelta(hours=1),
                            only_pending=False)
    assert summary.by_status == {"pending": 1}
    summary = recompute_fcr(sessions, settings, now=lambda: window_end + timedelta(minutes=1))
    assert summary.by_status == {"fcr": 1}


def test_a_new_call_from_the_customer_updates_the_earlier_call_at_once(
        sessions, settings, tmp_path, manifest):
    ids = _ingest_references(sessions, settings, tmp_path, manifest, {"cen029"})
    with sessions() as session:
        assert session.get(Call, ids["cen029"]).fcr.reasons[0]["kind"] == "unable_to_help"
    later = _ingest_references(sessions, settings, tmp_path, manifest, {"cen030"})
    with sessions() as session:
        first = session.get(Call, ids["cen029"])
        assert {"kind": "repeat_contact", "repeat_call_id": later["cen030"]}.items() <= (
            first.fcr.reasons[-1].items())
        rows = {r.group.code: r for r in fcr_rates(session, StatsFilters(), "agent").rows}
        assert rows["A11"].not_fcr == 1  # the unresolved first call's agent, John Carter
        assert rows["A12"].fcr == 1  # Emily Brooks


def test_audio_calls_are_scored_after_transcription(sessions, settings, corpus, transcriber):
    path, meta = next((p, m) for p, m in read_manifest(corpus / "manifest.jsonl")
                      if m.external_id == "cen027")
    call_id = ingest_recording(sessions, settings, path, meta).call_id
    Worker(sessions, settings, lambda: transcriber).run()
    with sessions() as session:
        call = session.get(Call, call_id)
        assert call.status == CallStatus.DONE
        items = {i.item_id: i.verdict for i in call.score.items}
        assert items["greeting"] == "passed" and items["thanks"] == "passed"
        assert call.fcr.status in ("fcr", "not_fcr")


def test_a_transcript_without_language_or_with_errors_is_refused(sessions, settings, tmp_path):
    path = tmp_path / "t.json"
    path.write_text('[{"speaker": "agent", "start": 0, "end": 1, "text": "Hello"}]')
    assert "needs its language" in ingest_transcript(sessions, settings, path,
                                                      CallMetadata()).message
    path.write_text('[{"speaker": "robot", "start": 0, "end": 1, "text": "Hello"}]')
    outcome = ingest_transcript(sessions, settings, path, CallMetadata(language="en"))
    assert outcome.status == "skipped" and "speaker 'robot'" in outcome.message
