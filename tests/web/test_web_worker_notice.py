"""The UI says when no processing worker has been seen recently: on a first run the demo
served the UI without one, and an uploaded recording stayed "queued" with nothing saying why."""
from __future__ import annotations

from datetime import timedelta

from webtools import session_browser

from callqa.models import WorkerSeen, utcnow


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
    session.add(WorkerSeen(worker="host:1:abc", seen_at=utcnow()))
    session.commit()
    assert _notice(app, world) is None
    session.get(WorkerSeen, "host:1:abc").seen_at = utcnow() - timedelta(hours=2)
    session.commit()
    assert "No worker has been seen since " in _notice(app, world)
