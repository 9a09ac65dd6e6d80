"""With a broker, the web upload and the scheduler's inbox send one task per call once its row
is stored (the CLI's ingest is tested end to end in tests/test_celery.py), on a real Redis."""
from __future__ import annotations

import io
import shutil
from dataclasses import replace

import pytest
from celerytools import broker_url_or_skip, delete_queue, queue_length, unique_queue
from dbtools import PG_URL
from sqlalchemy import select
from webtools import make_app, session_browser

from callqa.models import Call, Role, User
from callqa.models.db import scratch_schema
from callqa.services.inbox import InboxWatcher
from callqa.settings import Settings


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (CALLQA_TEST_DATABASE_URL)")
def test_upload_and_inbox_send_a_task_per_call_after_storing_it(tmp_path, samples):
    broker, queue = broker_url_or_skip("redis"), unique_queue()
    with scratch_schema(PG_URL, "i") as url:
        settings = Settings(home=tmp_path / "home", database_url=url, broker_url=broker,
                            celery_queue=queue, inbox_dir=tmp_path / "inbox")
        app = make_app(settings)
        sessions = app.extensions["callqa_sessions"]
        try:
            with sessions.begin() as session:
                user = User(username="boss", role=Role.SUPERVISOR, password_hash="x")
                session.add(user)
                session.flush()
                user_id = user.id
            upload = session_browser(app, user_id).post(
                "/upload", content_type="multipart/form-data",
                data={"recording": (io.BytesIO((samples / "cen025.flac").read_bytes()),
                                    "cen025.flac"), "language": "en", "direction": "inbound"})
            assert upload.status_code == 303
            settings.inbox_dir.mkdir()
            shutil.copy(samples / "cpl005.wav", settings.inbox_dir / "cpl005.wav")
            watcher = InboxWatcher(sessions, replace(settings, default_language="pl"),
                                   settings.inbox_dir)
            watcher.scan()
            assert watcher.scan().counts() == {"queued": 1}
            with sessions() as session:
                calls = session.scalars(select(Call)).all()
                assert len(calls) == 2 and all(c.enqueued_at is not None for c in calls)
            assert queue_length(broker, queue) == 2
        finally:
            app.extensions["callqa_engine"].dispose()
            delete_queue(broker, queue)
