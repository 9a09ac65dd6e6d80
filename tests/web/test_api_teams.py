"""API tokens scoped to a team see what a supervisor given that team sees: team North is John
Carter (A11) alone (webtools.add_teams), so a token scoped to North lists, reads, surveys and
is sent webhook events for his calls only, gets 404 for any other call as for a call that
does not exist, and uploads only for his calls. Made by `callqa tokens create --team` and on
the admin tokens page."""
from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from apitools import bearer, make_token
from click.testing import CliRunner
from sqlalchemy import select
from webtools import SAMPLES, add_teams, session_browser

from callqa.cli.main import main
from callqa.models import ApiToken, Call, Survey
from callqa.qa.metadata import transcript_metadata
from callqa.services.ingest import ingest_transcript

CARTER = ("cen025", "cen028")
OTHERS = ("cpl004", "cpl005")


@pytest.fixture
def north(app, world):
    """Team North and a read/ingest/surveys token scoped to it."""
    add_teams(app, world)
    return make_token(app, "read", "ingest", "surveys", name="north crm", teams=("North",))


def _carter(world) -> set[int]:
    return {world.calls[c] for c in CARTER} | {world.audio[c] for c in CARTER}


def _others(world) -> set[int]:
    return {world.calls[c] for c in OTHERS} | {world.audio[c] for c in OTHERS}


def _listed(client, token: str, query: str = "") -> list[int]:
    """Every call id the list gives, page after page."""
    seen: list[int] = []
    url = f"/api/v1/calls?limit=2{query}"
    while url:
        page = client.get(url, headers=bearer(token))
        assert page.status_code == 200, page.json
        seen += [call["id"] for call in page.json["calls"]]
        cursor = page.json["next_cursor"]
        url = f"/api/v1/calls?limit=2{query}&cursor={cursor}" if cursor else ""
    return seen


def test_the_list_holds_only_the_teams_calls_as_the_team_supervisor_sees(app, world, north):
    client = app.test_client()
    listed = _listed(client, north)
    assert listed == sorted(_carter(world), reverse=True)
    supervisor = session_browser(app, world.users["team_supervisor"]).get("/calls?per_page=100")
    assert set(listed) == {int(i) for i in re.findall(
        r'data-call-id="(\d+)"', supervisor.get_data(as_text=True))}
    assert _listed(client, north, "&agent_id=A02") == []  # another team's agent: nothing
    assert _listed(client, north, "&agent_id=A11&status=done") == [
        world.calls["cen028"], world.calls["cen025"]]
    everything = make_token(app, "read", name="all calls")
    assert set(_listed(client, everything)) == _carter(world) | _others(world)


@pytest.mark.parametrize("suffix", ["", "/transcript", "/scorecard"])
def test_a_call_outside_the_team_is_404_as_a_missing_one(app, world, north, suffix):
    client = app.test_client()
    for call_id in _others(world):
        outside = client.get(f"/api/v1/calls/{call_id}{suffix}", headers=bearer(north))
        assert outside.status_code == 404, (call_id, suffix)
        assert outside.json == {"error": f"no call {call_id}"}
    own = client.get(f"/api/v1/calls/{world.own_call}{suffix}", headers=bearer(north))
    assert own.status_code == 200, own.json
    queued = client.get(f"/api/v1/calls/{world.audio['cen025']}{suffix}", headers=bearer(north))
    assert queued.status_code == (409 if suffix == "/scorecard" else 200)
    everything = make_token(app, "read", name="all calls")
    assert client.get(f"/api/v1/calls/{world.other_call}{suffix}",
                      headers=bearer(everything)).status_code == 200


def _upload(client, token: str, data: bytes, name: str, **fields):
    return client.post("/api/v1/calls", headers=bearer(token),
                       content_type="multipart/form-data",
                       data={"recording": (io.BytesIO(data), name), **fields})


def _new_audio() -> bytes:
    wav = (SAMPLES / "cpl005.wav").read_bytes()
    return wav[:44] + bytes(len(wav) - 44)  # a header and silence: audio not stored yet


def test_uploads_only_for_the_teams_agents(app, world, north, session):
    client = app.test_client()
    before = session.scalars(select(Call.id)).all()
    for fields, status, error in [
            ({"agent_id": "A02"}, 403, "agent A02 is not in this token's teams"),
            ({"agent_id": "A99"}, 403, "agent A99 is not in this token's teams"),  # in none
            ({}, 422, "the metadata is not valid")]:
        refused = _upload(client, north, _new_audio(), "new.wav", language="pl", **fields)
        assert (refused.status_code, refused.json["error"]) == (status, error), fields
    assert session.scalars(select(Call.id)).all() == before  # nothing stored
    assert _upload(client, north, _new_audio(), "new.wav", agent_id="A02").json[
        "error"] == "agent A02 is not in this token's teams"
    stored = _upload(client, north, _new_audio(), "new.wav", agent_id="A11", language="pl")
    assert stored.status_code == 201, stored.json
    assert stored.json["call"]["agent"]["id"] == "A11"
    assert client.get(f"/api/v1/calls/{stored.json['call']['id']}",
                      headers=bearer(north)).status_code == 200
    # the same audio as another team's call: neither stored again nor shown
    theirs = _upload(client, north, (SAMPLES / "cpl004.flac").read_bytes(), "x.flac",
                     agent_id="A11")
    assert theirs.status_code == 409 and "call" not in theirs.json
    mine = _upload(client, north, (SAMPLES / "cen028.mp3").read_bytes(), "x.mp3",
                   agent_id="A11")
    assert mine.status_code == 200 and mine.json["call"]["id"] == world.audio["cen028"]


def test_surveys_only_for_the_teams_calls(app, world, north, session):
    client = app.test_client()
    other = world.other_call
    refused = client.post("/api/v1/surveys", headers=bearer(north),
                          json={"call_id": other, "nps": 2})
    assert refused.status_code == 422 and refused.json["reasons"] == [f"call_id: no call {other}"]
    by_external = client.post("/api/v1/surveys", headers=bearer(north),
                              json={"external_id": "cpl004", "nps": 2})
    assert by_external.json["reasons"] == ["external_id: no call 'cpl004'"]
    started = session.get(Call, other).started_at
    by_phone = client.post("/api/v1/surveys", headers=bearer(north), json={
        "customer_phone": "+48 601 101 207", "nps": 2,
        "responded_at": (started + timedelta(hours=1)).isoformat()})
    assert by_phone.status_code == 422
    assert session.scalars(select(Survey)).all() == []
    stored = client.post("/api/v1/surveys", headers=bearer(north),
                         json={"call_id": world.own_call, "nps": 9})
    assert stored.status_code == 201 and stored.json["survey"]["call_id"] == world.own_call


def _score_again(app, tmp_path, sample: str) -> int:
    """The sample's transcript under a new id (so not a duplicate), ingested and scored."""
    entry = next(json.loads(line) for line in (SAMPLES / "manifest.jsonl").read_text()
                 .splitlines() if json.loads(line)["id"] == sample)
    entry["id"] = f"{sample}-again"
    path = tmp_path / f"{sample}-again.json"
    path.write_text(json.dumps(entry, ensure_ascii=False))
    outcome = ingest_transcript(app.extensions["callqa_sessions"],
                                app.config["CALLQA_SETTINGS"], path, transcript_metadata(path))
    assert outcome.status == "done"
    return outcome.call_id


def test_a_team_tokens_webhook_is_sent_only_the_teams_calls(app, world, north, tmp_path):
    client = app.test_client()
    everything = make_token(app, "read", name="all calls")
    hooks = {}
    for name, token in (("north", north), ("all", everything)):
        made = client.post("/api/v1/webhooks", headers=bearer(token),
                           json={"url": "http://127.0.0.1:9/hook"})
        assert made.status_code == 201
        hooks[name] = made.json["id"]
    carter = _score_again(app, tmp_path, "cen025")
    other = _score_again(app, tmp_path, "cpl004")

    def delivered(token: str, webhook: int) -> list[int]:
        page = client.get(f"/api/v1/webhooks/{webhook}/deliveries", headers=bearer(token))
        assert page.status_code == 200
        return sorted(d["call_id"] for d in page.json["deliveries"])

    assert delivered(north, hooks["north"]) == [carter]
    assert delivered(everything, hooks["all"]) == sorted([carter, other])
    assert client.get(f"/api/v1/webhooks/{hooks['all']}/deliveries",
                      headers=bearer(north)).status_code == 404  # not its webhook


def _callqa(settings, *args: str):
    env = {"CALLQA_DATABASE_URL": settings.db_url, "CALLQA_HOME": str(settings.home)}
    return CliRunner().invoke(main, list(args), env=env)


def test_the_tokens_command_scopes_a_token_to_teams(settings, app, world):
    add_teams(app, world)
    assert _callqa(settings, "team", "create", "South").exit_code == 0
    made = _callqa(settings, "tokens", "create", "CRM", "--scope", "read", "--team", "North",
                   "--team", "South")
    assert made.exit_code == 0, made.stderr
    assert made.stdout.startswith("token 1 (CRM, read, teams North, South): cqa_")
    token = made.stdout.split(": ")[-1].strip()
    assert "teams: North, South" in _callqa(settings, "tokens", "list").stdout
    client = app.test_client()
    assert set(_listed(client, token)) == _carter(world)  # South has no agents
    unknown = _callqa(settings, "tokens", "create", "CRM", "--scope", "read", "--team", "West")
    assert unknown.exit_code == 1 and "There is no team of this name." in unknown.stderr


def test_an_admin_scopes_a_token_to_a_team_on_the_tokens_page(app, world, session):
    add_teams(app, world)
    admin = session_browser(app, world.users["admin"])
    form = admin.get("/admin/tokens").get_data(as_text=True)
    assert 'name="team" value="North"' in form
    made = admin.post("/admin/tokens", data={"name": "CRM", "scope": "read", "team": "North"})
    assert made.status_code == 201
    token = re.search(r'<code id="new-token">([^<]+)</code>', made.get_data(as_text=True)
                      ).group(1)
    row = session.scalars(select(ApiToken)).one()
    assert [given.team.name for given in row.teams] == ["North"]
    listed = admin.get("/admin/tokens").get_data(as_text=True)
    assert re.search(rf'id="token-{row.id}".*?<td class="token-teams">North</td>', listed,
                     re.S)
    assert set(_listed(app.test_client(), token)) == _carter(world)
    refused = admin.post("/admin/tokens", data={"name": "CRM", "scope": "read", "team": "West"})
    assert refused.status_code == 400
    assert session.scalars(select(ApiToken)).all() == [row]
