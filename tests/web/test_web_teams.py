"""Teams: a supervisor given team North (John Carter, A11, alone) finds only John Carter's
calls in every list, export, dashboard, dispute queue, review queue and filter choice; the
supervisor given no team and the admin see every call. And `callqa team ...` from the shell."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner, Result
from reviewtools import ingest_unlabelled_transcripts
from webtools import add_teams, session_browser

from callqa.cli.main import main
from callqa.models import Call

CARTER_CALLS = ("cen025", "cen028")
OTHER_CALLS = ("cpl004", "cpl005")


@pytest.fixture
def teamed(app, world):
    add_teams(app, world)
    return app, world


def _ids(html: str, attribute: str = "data-call-id") -> set[int]:
    return {int(found) for found in re.findall(rf'{attribute}="(\d+)"', html)}


def _page(app, world, role: str, path: str) -> str:
    response = session_browser(app, world.users[role]).get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _carter(world) -> set[int]:
    return {world.calls[c] for c in CARTER_CALLS} | {world.audio[c] for c in CARTER_CALLS}


def test_the_team_supervisor_lists_only_the_teams_calls(teamed):
    app, world = teamed
    listed = _ids(_page(app, world, "team_supervisor", "/calls?per_page=100"))
    assert listed == _carter(world)
    everything = set(world.calls.values()) | set(world.audio.values())
    for role in ("supervisor", "admin"):
        assert _ids(_page(app, world, role, "/calls?per_page=100")) == everything


def test_filtering_on_another_teams_agent_finds_nothing(teamed, session):
    app, world = teamed
    other_agent = session.get(Call, world.other_call).agent_id
    page = _page(app, world, "team_supervisor", f"/calls?agent_id={other_agent}")
    assert _ids(page) == set()
    choices = re.findall(r'<option value="(\d+)"', page.split('name="agent_id"')[1].split(
        "</select>")[0])
    assert [int(c) for c in choices] == [session.get(Call, world.own_call).agent_id]


def test_the_export_holds_only_the_teams_calls(teamed):
    app, world = teamed
    csv = session_browser(app, world.users["team_supervisor"]).get("/calls.csv")
    rows = csv.get_data(as_text=True).splitlines()[1:]
    assert {int(row.split(",")[0]) for row in rows} == _carter(world)
    assert "Wiśniewski" not in csv.get_data(as_text=True)


def test_the_dashboard_counts_only_the_teams_calls(teamed):
    app, world = teamed
    url = "/dashboard?date_from=2026-11-01&date_to=2026-11-30"
    mine = _page(app, world, "team_supervisor", url)
    assert "John Carter" in mine
    assert "Wiśniewski" not in mine and "Lewandowski" not in mine
    everyone = _page(app, world, "supervisor", url)
    assert "Wiśniewski" in everyone and "John Carter" in everyone


def test_the_dispute_queue_holds_only_the_teams_disputes(teamed):
    app, world = teamed
    mine = _ids(_page(app, world, "team_supervisor", "/disputes"), "data-dispute-id")
    assert mine == {world.dispute}
    assert _ids(_page(app, world, "supervisor", "/disputes"), "data-dispute-id") == {
        world.dispute, world.other_dispute}


def test_the_review_queue_holds_only_the_teams_calls(teamed, tmp_path):
    app, world = teamed
    unlabelled = ingest_unlabelled_transcripts(app, tmp_path)  # every call has items in review
    mine = _ids(_page(app, world, "team_supervisor", "/review-queue?per_page=200"))
    everyone = _ids(_page(app, world, "admin", "/review-queue"))
    assert mine == {unlabelled[c] for c in CARTER_CALLS}
    assert everyone == set(unlabelled.values())


def _callqa(settings, *args: str) -> Result:
    """The `callqa` command, run in this process as the shell would run it."""
    env = {"CALLQA_DATABASE_URL": settings.db_url, "CALLQA_HOME": str(settings.home)}
    return CliRunner().invoke(main, list(args), env=env)


def test_the_team_command(settings, app, world):
    assert _callqa(settings, "team", "create", "South").exit_code == 0
    added = _callqa(settings, "team", "add-agent", "South", "A02", "A04")
    assert added.exit_code == 0, added.stderr
    assert _callqa(settings, "team", "give", "South", "supervisor").exit_code == 0
    listing = _callqa(settings, "team", "list")
    assert listing.stdout.split("\n")[0].split("\t") == [
        "South", "agents: A02, A04", "supervisors: supervisor"]
    supervisor_sees = _ids(_page(app, world, "supervisor", "/calls?per_page=100"))
    assert supervisor_sees == {world.calls["cpl004"], world.calls["cpl005"],
                               world.audio["cpl004"], world.audio["cpl005"]}

    moved = _callqa(settings, "team", "create", "North")
    assert moved.exit_code == 0
    moved = _callqa(settings, "team", "add-agent", "North", "A04")
    assert "moved from South" in moved.stdout
    for bad, message in [(("team", "create", "South"), "already"),
                         (("team", "add-agent", "South", "A99"), "no agent with the id 'A99'"),
                         (("team", "give", "South", "admin"), "teams are given to supervisors"),
                         (("team", "take", "North", "supervisor"), "was not given team North"),
                         (("team", "remove-agent", "South", "A04"), "not in team South")]:
        refused = _callqa(settings, *bad)
        assert refused.exit_code == 1 and message in refused.stderr, refused.stderr

    assert _callqa(settings, "team", "take", "South", "supervisor").exit_code == 0
    everything = set(world.calls.values()) | set(world.audio.values())
    assert _ids(_page(app, world, "supervisor", "/calls?per_page=100")) == everything
