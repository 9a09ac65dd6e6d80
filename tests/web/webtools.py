"""Helpers for the web tests: the test world (real calls, a user of every role) and a
browser-like client that sends forms with their CSRF token."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from callqa.models import Agent, Call, Feedback, Role, User
from callqa.models.lookup import agent_for
from callqa.qa.metadata import read_manifest, transcript_metadata
from callqa.services import calibration, coaching, saved_filters, teams
from callqa.services import reviewing as review
from callqa.services.ingest import ingest_recording, ingest_transcript
from callqa.settings import Settings
from callqa.web import create_app
from callqa.web.sessions import signed_in_values

SAMPLES = Path(__file__).resolve().parents[2] / "callqa" / "samples"
PASSWORD = "correct horse battery"
ROLES = ("admin", "supervisor", "agent", "other_agent", "unlinked", "spare", "spare_agent")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@lru_cache(maxsize=1)
def password_hash() -> str:
    return generate_password_hash(PASSWORD)  # once: hashing is deliberately slow


@dataclass
class World:
    """Ids of what the tests act on. The agent is John Carter (A11); the other agent is
    Piotr Wiśniewski (A02)."""

    users: dict[str, int] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)  # cen025, cen028, cpl004, cpl005
    audio: dict[str, int] = field(default_factory=dict)  # the same, ingested as recordings
    own_feedback: int = 0
    other_feedback: int = 0
    dispute: int = 0  # of John Carter's call cen028
    other_dispute: int = 0  # of Piotr Wiśniewski's (add_teams)
    agents: dict[str, int] = field(default_factory=dict)  # agents.id by external id (add_teams)
    north: int = 0  # team North's id (add_teams)
    own_coaching: int = 0  # a coaching note for John Carter (add_teams)
    other_coaching: int = 0  # for Piotr Wiśniewski (add_teams)
    calibration: int = 0  # a session of cpl005 (add_calibration)
    closing: int = 0  # another, to close
    saved_filters: dict[str, int] = field(default_factory=dict)  # by owner (add_saved_filters)

    @property
    def own_call(self) -> int:
        return self.calls["cen025"]

    @property
    def other_call(self) -> int:
        return self.calls["cpl004"]


def build_world(app: Flask, tmp: Path) -> World:
    settings: Settings = app.config["CALLQA_SETTINGS"]
    sessions = app.extensions["callqa_sessions"]
    world = World()
    for line in (SAMPLES / "manifest.jsonl").read_text().splitlines():
        entry = json.loads(line)
        path = tmp / f"{entry['id']}.json"
        path.write_text(json.dumps(entry, ensure_ascii=False))
        outcome = ingest_transcript(sessions, settings, path, transcript_metadata(path))
        assert outcome.status == "done", outcome
        world.calls[entry["id"]] = outcome.call_id
    for path, meta in read_manifest(SAMPLES / "manifest.jsonl"):
        outcome = ingest_recording(sessions, settings, path, meta)
        assert outcome.status == "queued", outcome
        world.audio[meta.external_id] = outcome.call_id
    with sessions.begin() as session:
        _add_users(session, world)
        supervisor = session.get(User, world.users["supervisor"])
        world.own_feedback = review.add_feedback(
            session, session.get(Call, world.own_call), supervisor, "Greet the customer.").id
        world.other_feedback = review.add_feedback(
            session, session.get(Call, world.other_call), supervisor, "Nice work.").id
        world.dispute = review.open_dispute(
            session, session.get(Call, world.calls["cen028"]), "anything_else",
            session.get(User, world.users["agent"]), "I offered more help.", "passed").id
    return world


def add_teams(app: Flask, world: World) -> None:
    """Team North is John Carter (A11) alone, given to a new supervisor, `team_supervisor`;
    the world's supervisor stays given no team (so sees every call). Piotr Wiśniewski (A02),
    in no team, disputes his call's failed resolution check. Each agent has a coaching
    note on their call."""
    with app.extensions["callqa_sessions"].begin() as session:
        user = User(username="team_supervisor", role=Role.SUPERVISOR,
                    password_hash=password_hash())
        session.add(user)
        session.flush()
        world.users["team_supervisor"] = user.id
        world.north = teams.create_team(session, "North").id
        teams.add_agent(session, "North", "A11")
        teams.give_team(session, "North", "team_supervisor")
        world.other_dispute = review.open_dispute(
            session, session.get(Call, world.other_call), "resolution_check",
            session.get(User, world.users["other_agent"]), "It does not apply.",
            "not_applicable").id
        supervisor = session.get(User, world.users["supervisor"])
        for name, call_id in (("own_coaching", world.own_call),
                              ("other_coaching", world.other_call)):
            note = coaching.create_note(session, session.get(Call, call_id), supervisor,
                                        "Slow down.", ["greeting"])
            setattr(world, name, note.id)
        world.agents = {agent.external_id: agent.id for agent in session.scalars(select(Agent))}


def add_calibration(app: Flask, world: World) -> None:
    """Two calibration sessions of cpl005 (Tomasz Lewandowski's, in no team), led by spare,
    scored by the supervisor and the admin, who therefore score cpl005 blind."""
    with app.extensions["callqa_sessions"].begin() as session:
        call = session.get(Call, world.calls["cpl005"])
        lead = session.get(User, world.users["spare"])
        reviewers = [session.get(User, world.users[name]) for name in ("supervisor", "admin")]
        world.calibration = calibration.create_session(
            session, "Matrix", lead, [call], reviewers).id
        world.closing = calibration.create_session(session, "Closing", lead, [call],
                                                   reviewers).id


def add_saved_filters(app: Flask, world: World) -> None:
    """A saved filter of the supervisor's, the agent's and spare's, each named "Mine"."""
    with app.extensions["callqa_sessions"].begin() as session:
        for owner, query in (("supervisor", "language=en&sort=score"),
                             ("agent", "sort=score&descending=0"), ("spare", "language=pl")):
            world.saved_filters[owner] = saved_filters.save_filter(
                session, world.users[owner], "Mine", query).id


def _add_users(session, world: World) -> None:
    agents = {"agent": "A11", "other_agent": "A02"}
    for name in ROLES:
        role = {"admin": Role.ADMIN, "supervisor": Role.SUPERVISOR,
                "spare": Role.SUPERVISOR}.get(name, Role.AGENT)
        agent: Agent | None = agent_for(session, agents[name], None) if name in agents else None
        user = User(username=name, role=role, password_hash=password_hash(), agent=agent)
        session.add(user)
        session.flush()
        world.users[name] = user.id


def make_app(settings: Settings, **config) -> Flask:
    return create_app({"TESTING": True, "CALLQA_SETTINGS": settings, "SECRET_KEY": "test",
                       **config})


def dispose(app: Flask) -> None:
    app.extensions["callqa_engine"].dispose()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token from a form on a page, as a browser would send it."""
    page = client.get(path)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class Browser:
    """A test client that signs in through the login form and posts forms with their token."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()
        self.token = ""

    def login(self, username: str, password: str = PASSWORD):
        response = self.client.post("/login", data={
            "username": username, "password": password, "csrf_token": csrf_token(self.client)})
        self.token = csrf_token(self.client, "/login")
        return response

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs):
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})}, **kwargs)


def session_browser(app: Flask, user_id: int | None) -> Browser:
    """Signed in without the login form (cheap: no password hash to check), for the tests
    that are not about signing in."""
    browser = Browser(app)
    if user_id is not None:
        with app.extensions["callqa_sessions"]() as session:
            values = signed_in_values(session.get(User, user_id))
        with browser.client.session_transaction() as cookie_session:
            cookie_session.update(values)
    browser.token = csrf_token(browser.client)
    return browser


def item_results(session, call_id: int) -> dict[str, str]:
    call = session.get(Call, call_id)
    session.refresh(call)
    return {item.item_id: item.verdict for item in call.score.items}


def feedback_of(session, feedback_id: int) -> Feedback:
    return session.scalars(select(Feedback).where(Feedback.id == feedback_id)).one()
