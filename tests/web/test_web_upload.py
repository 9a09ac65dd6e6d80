"""Uploading a recording with its metadata stores and queues it for the worker."""
from __future__ import annotations

import io

from sqlalchemy import select
from webtools import SAMPLES, session_browser

from callqa.models import Call


def _upload(browser, data: bytes, name: str, **fields):
    form = {"recording": (io.BytesIO(data), name), **fields}
    return browser.post("/upload", data=form, content_type="multipart/form-data")


def test_an_upload_is_queued_with_its_metadata(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    assert 'id="upload-form"' in supervisor.get("/upload").get_data(as_text=True)
    wav = (SAMPLES / "cpl005.wav").read_bytes()  # ingested already, so: its header, silence
    data = wav[:44] + bytes(len(wav) - 44)
    response = _upload(supervisor, data, "../../rozmowa 1.wav", agent_id="A07",
                       agent_name="Ewa Zielińska", customer_phone="601 200 300",
                       queue="reklamacja", language="pl", layout="mono", direction="outbound",
                       started_at="2026-11-20T09:30:00+01:00", external_id="CRM-77")
    assert response.status_code == 303
    call = session.scalars(select(Call).where(Call.external_id == "CRM-77")).one()
    assert response.location == f"/calls/{call.id}"
    assert (call.status, call.original_filename, call.language, call.channel_layout,
            call.direction) == ("queued", "rozmowa_1.wav", "pl", "mono", "outbound")
    assert (call.agent.external_id, call.agent.name, call.queue.name) == (
        "A07", "Ewa Zielińska", "reklamacja")
    assert call.customer_key == "+48601200300"
    assert call.started_at.isoformat() == "2026-11-20T08:30:00+00:00"
    stored = app.config["CALLQA_SETTINGS"].recordings_dir / call.storage_name
    assert stored.read_bytes() == data
    assert not list((app.config["CALLQA_SETTINGS"].home / "uploads").iterdir())
    listed = supervisor.get("/calls?status=queued").get_data(as_text=True)
    assert f'data-call-id="{call.id}" data-status="queued"' in listed


def test_a_bad_file_is_stored_as_failed_with_its_reason_shown(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    response = _upload(supervisor, b"#EXTM3U\nhttp://example.invalid/x.mp3\n", "list.m3u",
                       language="en")
    assert "cannot be processed" in supervisor.get(response.location).get_data(as_text=True)
    call = session.scalars(select(Call).where(Call.original_filename == "list.m3u")).one()
    assert call.status == "failed" and call.error
    listed = supervisor.get("/calls?status=failed").get_data(as_text=True)
    assert call.error.replace("'", "&#39;") in listed


def test_an_upload_needs_a_file_and_valid_metadata(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    count = len(session.scalars(select(Call)).all())
    assert supervisor.post("/upload", data={"language": "en"}).status_code == 400
    bad = _upload(supervisor, b"RIFF", "x.wav", started_at="yesterday")
    assert bad.status_code == 400 and "The metadata is not valid" in bad.get_data(as_text=True)
    bad = _upload(supervisor, b"RIFF", "x.wav", language="polish")
    assert bad.status_code == 400
    assert len(session.scalars(select(Call)).all()) == count


def test_the_same_recording_twice_is_one_call(app, world):
    supervisor = session_browser(app, world.users["supervisor"])
    response = _upload(supervisor, (SAMPLES / "cen025.flac").read_bytes(), "again.flac")
    assert response.location == f"/calls/{world.audio['cen025']}"
    assert "already stored" in supervisor.get(response.location).get_data(as_text=True)
