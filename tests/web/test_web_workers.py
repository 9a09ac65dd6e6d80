"""The admins' Workers page: worker processes as they report themselves, the queue's depth,
and failed or stale calls sent back to the queue."""
from __future__ import annotations

from sqlalchemy import select

from callqa.models import Call, CallStatus, WorkerKind, WorkerProcess
from callqa.qa.metadata import CallMetadata
from callqa.qa.transcription import Engine, EngineInfo
from callqa.services.ingest import ingest_recording
from callqa.services.workers import Presence, engine_label
from callqa.settings import Settings


def test_workers_report_themselves_and_failed_calls_go_back_to_the_queue(
        app, world, browser, settings, corpus):
    sessions = app.extensions["callqa_sessions"]
    failed = ingest_recording(sessions, settings, corpus / "bad" / "empty.wav",
                              CallMetadata(language="en")).call_id
    presence = Presence(sessions, WorkerKind.EMBEDDED, "faster-whisper bundled:base int8", 0.1)
    presence.start()
    presence.took(world.audio["cen025"])
    admin = browser("admin")
    page = admin.get("/admin/workers").get_data(as_text=True)
    host, pid, _ = presence.id.split(":")
    assert f'data-worker-id="{presence.id}" data-alive="1"' in page
    assert f"<td>{host}</td><td>{pid}</td><td>embedded</td>" in page
    assert f'href="/calls/{world.audio["cen025"]}"' in page  # what it is on now
    assert '<td id="depth-queued">4</td>' in page and '<td id="depth-failed">1</td>' in page
    assert "no broker: the embedded worker polls the database" in page
    assert "Send 1 failed call back to the queue" in page
    presence.finished(world.audio["cen025"], stored=True)
    presence.stop()
    with sessions() as session:
        row = session.get(WorkerProcess, presence.id)
        assert (row.deliveries, row.calls_done, row.stopped_at is not None) == (1, 1, True)
    assert 'data-alive="0"' in admin.get("/admin/workers").get_data(as_text=True)

    sent = admin.post("/admin/requeue", {"status": "failed"}, follow_redirects=True)
    assert "1 call sent back to the queue." in sent.get_data(as_text=True)
    with sessions() as session:
        call = session.get(Call, failed)
        assert (call.status, call.error, call.attempts) == (CallStatus.QUEUED, None, 0)
        assert session.scalars(select(Call.id).where(Call.status == CallStatus.FAILED)).all() == []
    assert admin.post("/admin/requeue", {"status": "done"}).status_code == 400


def test_the_workers_page_in_polish(app, world, browser):
    admin = browser("admin")
    admin.post("/language", {"lang": "pl", "next": "/admin/workers"})
    page = admin.get("/admin/workers").get_data(as_text=True)
    assert "Procesy robocze" in page and "Żaden proces roboczy jeszcze nie działał." in page


def test_a_workers_engine_reads_as_its_engine_info_then_how_it_runs():
    assert EngineInfo("faster-whisper", "bundled:base").label == "faster-whisper bundled:base"
    assert engine_label(Settings()) == "faster-whisper bundled:base default x1 threads"
    openai = Settings(engine=Engine.OPENAI_WHISPER, whisper_model="/models/base.pt",
                      compute_type="float32", cpu_threads=2)
    assert engine_label(openai) == "openai-whisper /models/base.pt float32 x2 threads"
