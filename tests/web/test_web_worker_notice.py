"""The UI says when no processing worker has been seen recently: on a first run the demo
served the UI without one, and an uploaded recording stayed "queued" with nothing saying why."""
from __future__ import annotations

from datetime import timedelta

from webtools import session_browser

from callqa.models import WorkerKind, WorkerProcess, utcnow
from callqa.services.workers import Presence


def _worker(kind: WorkerKind = WorkerKind.EMBEDDED) -> WorkerProcess:
    """A worker process's row as its presence writes it, seen just now."""
    now = utcnow()
    return WorkerProcess(id="host:1:abc", host="host", pid=1, kind=kind, engine=None,
                         started_at=now, last_seen_at=now, deliveries=0, calls_done=0)


def _notice(app, world, user: str = "supervisor") -> str | None:
    page = session_browser(app, world.users[user]).get("/calls").get_data(as_text=True)
    if 'id="no-worker"' not in page:
        return None
    return page.split('id="no-worker">', 1)[1].split("</p>", 1)[0]


def test_no_worker_ever_seen_is_said_to_supervisors(app, world):
    assert "No worker has been seen: recordings stay queued" in _notice(app, world)
    assert _notice(app, world, "admin") is not None


def test_agents_are_not_told(app, world):
    page = session_browser(app, world.users["agent"]).get("/my/calls").get_data(as_text=True)
    assert 'id="no-worker"' not in page


def test_a_worker_seen_recently_silences_it_and_an_old_sighting_is_dated(app, world, session):
    session.add(_worker())
    session.commit()
    assert _notice(app, world) is None
    session.get(WorkerProcess, "host:1:abc").last_seen_at = utcnow() - timedelta(hours=2)
    session.commit()
    assert "No worker has been seen since " in _notice(app, world)


def test_a_running_worker_process_silences_it_until_it_stops(app, world):
    """As `callqa process` and each process of its pool report themselves."""
    presence = Presence(app.extensions["callqa_sessions"], WorkerKind.EMBEDDED, None,
                        heartbeat_s=30).start()
    try:
        assert _notice(app, world) is None
    finally:
        presence.stop()
    assert "No worker has been seen: recordings stay queued" in _notice(app, world)


def test_a_worker_that_said_it_stopped_is_not_running(app, world, session):
    stopped = _worker()
    stopped.stopped_at = utcnow()
    session.add(stopped)
    session.commit()
    assert "No worker has been seen: recordings stay queued" in _notice(app, world)


def test_a_celery_worker_process_silences_it_too(app, world, session):
    session.add(_worker(WorkerKind.CELERY))
    session.commit()
    assert _notice(app, world) is None
