"""Saved filters of the call list: saved from the list's current filters, applied in one click,
renamed, deleted, one of them the list's default; each user's own, and never wider than the
user's own scope (an agent's own calls, a supervisor's teams) whatever it holds."""
from __future__ import annotations

import html as html_lib
import re
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import select
from webtools import add_teams, session_browser

from callqa.models import Agent, Queue, SavedFilter
from callqa.services import teams


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="call-row" data-call-id="(\d+)"', html)]


def _saved_args(html: str) -> str:
    """The list's current filters, as its save form sends them."""
    match = re.search(r'<form id="save-filter".*?name="args" value="([^"]*)"', html, re.S)
    assert match, "no save form on the list"
    return html_lib.unescape(match.group(1))


def _links(html: str) -> dict[str, int]:
    """The one-click saved filter links on a list: name: id."""
    return {html_lib.unescape(name): int(i) for i, name in re.findall(
        r'class="saved-filter-link" id="saved-filter-(\d+)"[^>]*>([^<]*)</a>', html)}


def _filters(session, user_id: int) -> dict[str, SavedFilter]:
    session.expire_all()
    return {s.name: s for s in session.scalars(
        select(SavedFilter).where(SavedFilter.user_id == user_id))}


def _query(location: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(location).query))


def _card(session) -> int:
    return session.scalar(select(Queue.id).where(Queue.name == "card"))


def _agent(session, external_id: str) -> int:
    return session.scalar(select(Agent.id).where(Agent.external_id == external_id))


def test_a_supervisor_saves_applies_renames_and_deletes_a_filter(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    card = _card(session)
    page = supervisor.get(f"/calls?queue_id={card}&sort=score&descending=0&page=1"
                          "&agent_id=&language=")
    args = _saved_args(page.get_data(as_text=True))
    assert _query("?" + args) == {"queue_id": str(card), "sort": "score", "descending": "0"}
    saved = supervisor.post("/saved-filters", {"name": "  Card   calls ", "args": args})
    assert saved.status_code == 303
    assert urlsplit(saved.location).path == "/calls"
    assert _query(saved.location) == {"queue_id": str(card), "sort": "score", "descending": "0"}
    [stored] = _filters(session, world.users["supervisor"]).values()
    assert (stored.name, stored.is_default) == ("Card calls", False)

    fresh = supervisor.get("/calls").get_data(as_text=True)  # no default: every call
    assert len(_ids(fresh)) == 8
    assert _links(fresh) == {"Card calls": stored.id}
    applied = supervisor.get(f"/saved-filters/{stored.id}")
    assert applied.status_code == 302
    assert _query(applied.location) == {"queue_id": str(card), "sort": "score",
                                        "descending": "0"}
    listed = supervisor.get(applied.location).get_data(as_text=True)
    assert set(_ids(listed)) == {world.calls["cen025"], world.audio["cen025"]}
    assert f'id="saved-filter-{stored.id}" data-filter-id="{stored.id}" href="/saved-filters/' \
           f'{stored.id}" aria-current="true"' in listed  # the list shows that filter now

    renamed = supervisor.post(f"/saved-filters/{stored.id}/rename",
                              {"name": "Card queue", "args": args})
    assert renamed.status_code == 303 and renamed.location.endswith("#saved-filters")
    assert list(_filters(session, world.users["supervisor"])) == ["Card queue"]
    stored_id = stored.id
    deleted = supervisor.post(f"/saved-filters/{stored_id}/delete", {"args": args})
    assert deleted.status_code == 303
    assert _filters(session, world.users["supervisor"]) == {}
    assert supervisor.get(f"/saved-filters/{stored_id}").status_code == 404


def test_a_name_is_the_users_own_once_and_bad_names_are_refused(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    assert supervisor.post("/saved-filters", {"name": "English", "args": "language=en"}
                           ).status_code == 303
    again = supervisor.post("/saved-filters", {"name": "ENGLISH", "args": "language=pl"},
                            follow_redirects=True)
    assert "You have a saved filter of this name already." in again.get_data(as_text=True)
    assert supervisor.post("/saved-filters", {"name": "x" * 101, "args": ""}).status_code == 303
    blank = supervisor.post("/saved-filters", {"name": "   ", "args": ""}, follow_redirects=True)
    assert "A saved filter&#39;s name is 1-100 characters." in blank.get_data(as_text=True)
    filters = _filters(session, world.users["supervisor"])
    assert list(filters) == ["English"] and filters["English"].query == "language=en"
    other = session_browser(app, world.users["spare"])  # another user may use the name
    assert other.post("/saved-filters", {"name": "English", "args": "language=en"}
                      ).status_code == 303
    assert list(_filters(session, world.users["spare"])) == ["English"]
    assert supervisor.post("/saved-filters", {"name": "Polish", "args": "language=pl"}
                           ).status_code == 303
    polish = _filters(session, world.users["supervisor"])["Polish"].id
    renamed = supervisor.post(f"/saved-filters/{polish}/rename", {"name": "english"},
                              follow_redirects=True)
    assert "You have a saved filter of this name already." in renamed.get_data(as_text=True)
    assert sorted(_filters(session, world.users["supervisor"])) == ["English", "Polish"]


def test_the_list_opens_with_the_default_filter(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    supervisor.post("/saved-filters", {"name": "English", "args": "language=en"})
    supervisor.post("/saved-filters", {"name": "Polish", "args": "language=pl", "default": "1"})
    opened = supervisor.get("/calls")
    assert opened.status_code == 302 and _query(opened.location) == {"language": "pl"}
    assert set(_ids(supervisor.get(opened.location).get_data(as_text=True))) == {
        world.calls["cpl004"], world.calls["cpl005"], world.audio["cpl004"],
        world.audio["cpl005"]}
    everything = supervisor.get("/calls?clear=1")  # "Clear", and "No saved filter"
    assert everything.status_code == 200 and len(_ids(everything.get_data(as_text=True))) == 8
    filters = _filters(session, world.users["supervisor"])
    supervisor.post(f"/saved-filters/{filters['English'].id}/default", {"default": "1"})
    filters = _filters(session, world.users["supervisor"])
    assert (filters["English"].is_default, filters["Polish"].is_default) == (True, False)
    assert _query(supervisor.get("/calls").location) == {"language": "en"}
    supervisor.post(f"/saved-filters/{filters['English'].id}/default", {"default": "0"})
    assert supervisor.get("/calls").status_code == 200
    assert not any(s.is_default for s in _filters(session, world.users["supervisor"]).values())


def test_other_users_neither_see_nor_touch_a_users_filters(app, world, session):
    owner = session_browser(app, world.users["supervisor"])
    owner.post("/saved-filters", {"name": "Private view", "args": "language=en"})
    [saved] = _filters(session, world.users["supervisor"]).values()
    for name in ("spare", "admin", "agent"):
        other = session_browser(app, world.users[name])
        home = "/calls" if name != "agent" else "/my/calls"
        assert "Private view" not in other.get(f"{home}?clear=1").get_data(as_text=True)
        assert other.get(f"/saved-filters/{saved.id}").status_code == 404
        assert other.post(f"/saved-filters/{saved.id}/rename", {"name": "Taken"}
                          ).status_code == 404
        assert other.post(f"/saved-filters/{saved.id}/default", {"default": "1"}
                          ).status_code == 404
        assert other.post(f"/saved-filters/{saved.id}/delete").status_code == 404
    anonymous = session_browser(app, None)
    for response in (anonymous.get(f"/saved-filters/{saved.id}"),
                     anonymous.post(f"/saved-filters/{saved.id}/delete")):
        assert response.status_code == 302 and response.location.startswith("/login?next=")
    [kept] = _filters(session, world.users["supervisor"]).values()
    assert (kept.id, kept.name, kept.is_default, kept.query) == (
        saved.id, "Private view", False, "language=en")


def test_an_agents_saved_filter_only_ever_shows_their_own_calls(app, world, session):
    agent = session_browser(app, world.users["agent"])
    other_agent = _agent(session, "A02")
    page = agent.get(f"/my/calls?agent_id={other_agent}&sort=score&descending=0")
    assert _query("?" + _saved_args(page.get_data(as_text=True))) == {
        "sort": "score", "descending": "0"}  # the agent's list sets agent_id itself
    saved = agent.post("/saved-filters", {"name": "Theirs", "default": "1",
                                          "args": f"agent_id={other_agent}&sort=score"})
    assert saved.status_code == 303 and urlsplit(saved.location).path == "/my/calls"
    assert _filters(session, world.users["agent"])["Theirs"].query == "sort=score"
    # one stored before, or by a supervisor since made an agent: the scope is the user's
    session.add(SavedFilter(user_id=world.users["agent"], name="Written elsewhere",
                            query=f"agent_id={other_agent}&language=pl"))
    session.commit()
    own = {world.calls["cen025"], world.calls["cen028"], world.audio["cen025"],
           world.audio["cen028"]}
    for name in ("Theirs", "Written elsewhere"):
        applied = agent.get(f"/saved-filters/{_filters(session, world.users['agent'])[name].id}")
        assert urlsplit(applied.location).path == "/my/calls"
        assert "agent_id" not in _query(applied.location)
        shown = set(_ids(agent.get(applied.location).get_data(as_text=True)))
        assert shown <= own
        assert shown == (own if name == "Theirs" else set())  # Carter has no Polish call
    opened = agent.get("/my/calls", follow_redirects=True)  # the default
    assert set(_ids(opened.get_data(as_text=True))) == own


def test_a_filter_on_an_agent_the_supervisor_no_longer_sees_shows_nothing(app, world, session):
    add_teams(app, world)  # team North: John Carter (A11), given to team_supervisor
    supervisor = session_browser(app, world.users["team_supervisor"])
    carter, piotr = _agent(session, "A11"), _agent(session, "A02")
    for name, agent_id in (("Carter", carter), ("Piotr", piotr)):
        assert supervisor.post("/saved-filters", {"name": name, "args": f"agent_id={agent_id}"}
                               ).status_code == 303
    filters = _filters(session, world.users["team_supervisor"])
    carters = {world.calls["cen025"], world.calls["cen028"], world.audio["cen025"],
               world.audio["cen028"]}

    def applied(name: str) -> set[int]:
        response = supervisor.get(f"/saved-filters/{filters[name].id}", follow_redirects=True)
        assert response.status_code == 200
        return set(_ids(response.get_data(as_text=True)))

    assert applied("Carter") == carters
    assert applied("Piotr") == set()  # never in the team: not Piotr's calls
    teams.remove_agent(session, "North", "A11")
    session.commit()
    assert applied("Carter") == set()  # no longer seen: nobody's calls


def test_unknown_and_invalid_stored_arguments_are_left_out_and_said(app, world, session):
    card = _card(session)
    session.add(SavedFilter(user_id=world.users["supervisor"], name="Old version",
                            query=f"queue_id={card}&colour=red&score_min=oops&sort=loudness"
                                  "&date_from=1800-01-01"))
    session.commit()
    [saved] = _filters(session, world.users["supervisor"]).values()
    supervisor = session_browser(app, world.users["supervisor"])
    applied = supervisor.get(f"/saved-filters/{saved.id}")
    assert _query(applied.location) == {"queue_id": str(card)}
    html = supervisor.get(applied.location).get_data(as_text=True)
    for name, value in (("colour", "red"), ("score_min", "oops"), ("sort", "loudness"),
                        ("date_from", "1800-01-01")):
        assert (f"Ignored {name}={value}: not a valid value, or out of range.") in html
    assert set(_ids(html)) == {world.calls["cen025"], world.audio["cen025"]}
    # saving takes only what the list can use, and says what it left out
    saving = supervisor.post("/saved-filters", {"name": "Tidy", "args": "language=en&x=1"},
                             follow_redirects=True)
    assert "Ignored x=1: not a valid value, or out of range." in saving.get_data(as_text=True)
    assert _filters(session, world.users["supervisor"])["Tidy"].query == "language=en"


def test_the_saved_filters_speak_polish(app, world):
    supervisor = session_browser(app, world.users["supervisor"])
    supervisor.post("/saved-filters", {"name": "Angielskie", "args": "language=en",
                                       "default": "1"})
    supervisor.post("/language", {"lang": "pl"})
    html = supervisor.get("/calls?clear=1").get_data(as_text=True)
    for polish in ("Zapisane filtry", "Zapisz te filtry", "Ustaw jako domyślny", "(domyślny)",
                   "Nie używaj jako domyślnego", "Bez zapisanego filtra"):
        assert polish in html, polish
