"""Uploading a recording with its metadata stores and queues it for the worker."""
from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from limits import file_size_limit
from sqlalchemy import select
from webtools import SAMPLES, build_world, dispose, make_app, session_browser
from werkzeug.test import EnvironBuilder

from callqa.models import Call


def _upload(browser, data: bytes, name: str, **fields):
    form = {"recording": (io.BytesIO(data), name), **fields}
    return browser.post("/upload", data=form, content_type="multipart/form-data")


@pytest.fixture
def world_for(tmp_path):
    """(app, world) on settings of the test's own, with app config."""
    apps = []

    def build(settings, **config):
        app = make_app(settings, **config)
        apps.append(app)
        folder = tmp_path / f"world{len(apps)}"
        folder.mkdir()
        return app, build_world(app, folder)
    yield build
    for app in apps:
        dispose(app)


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


def _kept_files(settings) -> list:
    """Files of uploads and recordings anywhere under the data folder."""
    return [p for folder in (settings.home / "uploads", settings.recordings_dir)
            if folder.exists() for p in folder.rglob("*") if p.is_file()]


def test_a_storage_that_is_not_writable_is_said_on_the_upload_page(app, world):
    app.config["CALLQA_SETTINGS"] = replace(app.config["CALLQA_SETTINGS"],
                                            storage_dir=Path("/sys/callqa-recordings"))
    supervisor = session_browser(app, world.users["supervisor"])
    response = _upload(supervisor, (SAMPLES / "cen025.flac").read_bytes(), "call.flac",
                       language="en")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "The recording was not stored: not stored: Operation not permitted" in page
    assert 'id="upload-form"' in page


def test_a_full_disk_is_said_on_the_upload_page_and_keeps_nothing(app, world):
    settings = app.config["CALLQA_SETTINGS"]
    before = _kept_files(settings)
    supervisor = session_browser(app, world.users["supervisor"])
    data = (SAMPLES / "cen025.flac").read_bytes()
    request = EnvironBuilder(path="/upload", method="POST", data={  # the body made beforehand
        "recording": (io.BytesIO(data), "call.flac"), "language": "en",
        "csrf_token": supervisor.token}).get_request()
    with file_size_limit(len(data) // 2):
        response = supervisor.client.open(request)
    assert response.status_code == 503
    assert "The recording was not stored: File too large" in response.get_data(as_text=True)
    assert _kept_files(settings) == before


def test_an_upload_over_the_size_limit_keeps_no_bytes(settings, world_for):
    app, world = world_for(settings, MAX_CONTENT_LENGTH=100_000)
    before = _kept_files(settings)
    supervisor = session_browser(app, world.users["supervisor"])
    response = _upload(supervisor, (SAMPLES / "cen025.flac").read_bytes(), "call.flac",
                       language="en")
    assert response.status_code == 413
    assert _kept_files(settings) == before


def test_an_upload_longer_than_the_limit_is_failed_with_its_reason_and_no_bytes_kept(
        app, world, session):
    """A recording over CALLQA_MAX_DURATION_S was kept whole in storage beside its failed
    call: hours of audio nobody can process, a way to fill the disk."""
    app.config["CALLQA_SETTINGS"] = replace(app.config["CALLQA_SETTINGS"], max_duration_s=5)
    settings = app.config["CALLQA_SETTINGS"]
    before = _kept_files(settings)
    supervisor = session_browser(app, world.users["supervisor"])
    response = _upload(supervisor, (SAMPLES / "cen025.flac").read_bytes()[:-4] + b"\0\0\0\0",
                       "long.flac", language="en")
    assert response.status_code == 303
    call = session.scalars(select(Call).where(Call.original_filename == "long.flac")).one()
    assert call.status == "failed" and "over the 5 s limit" in call.error
    assert call.storage_name is None
    assert _kept_files(settings) == before
    page = supervisor.get(response.location).get_data(as_text=True)
    assert "cannot be processed" in page and 'id="player"' not in page
