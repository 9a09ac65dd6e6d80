"""Times in the user's zone (their own, else CALLQA_TIMEZONE, else Europe/Warsaw in the Polish
UI and UTC in the English one) and Polish date and number formats."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from webtools import session_browser

from callqa.models import Call, User


def _polish(app, user_id: int):
    browser = session_browser(app, user_id)
    assert browser.post("/language", data={"lang": "pl"}).status_code == 303
    return browser


def _page(browser, call_id: int) -> str:
    return browser.get(f"/calls/{call_id}").get_data(as_text=True)


def test_polish_dates_in_warsaw_time_and_decimal_commas(app, world, session):
    call = session.get(Call, world.own_call)
    warsaw = call.started_at.astimezone(ZoneInfo("Europe/Warsaw"))
    utc = call.started_at.astimezone(ZoneInfo("UTC"))
    assert warsaw.utcoffset() != utc.utcoffset()  # November: an hour apart
    page = _page(_polish(app, world.users["supervisor"]), call.id)
    assert warsaw.strftime("%d.%m.%Y %H:%M") in page
    score = f"{call.score.score:.1f}".replace(".", ",")
    assert f">{score}<" in page or f"{score} " in page or f"{score}<" in page
    assert "polski" in page or "angielski" in page  # the language by name, not its code
    english = _page(session_browser(app, world.users["admin"]), call.id)
    assert utc.strftime("%Y-%m-%d %H:%M") in english


def test_a_users_own_time_zone_wins(app, world, session):
    call = session.get(Call, world.own_call)
    browser = _polish(app, world.users["supervisor"])
    assert browser.post("/account/timezone", data={"time_zone": "Nowhere/Atlantis"}
                        ).status_code == 400
    assert browser.post("/account/timezone", data={"time_zone": "America/New_York"}
                        ).status_code == 303
    session.expire_all()
    assert session.get(User, world.users["supervisor"]).time_zone == "America/New_York"
    york = call.started_at.astimezone(ZoneInfo("America/New_York"))
    assert york.strftime("%d.%m.%Y %H:%M") in _page(browser, call.id)
    assert browser.post("/account/timezone", data={"time_zone": ""}).status_code == 303
    session.expire_all()
    assert session.get(User, world.users["supervisor"]).time_zone is None


def test_callqa_timezone_is_the_default(tmp_path):
    from dataclasses import replace

    from dbtools import fresh_database
    from webtools import build_world, dispose, make_app

    from callqa.settings import Settings, load_settings
    assert load_settings({"CALLQA_TIMEZONE": "Asia/Tokyo"}).timezone == "Asia/Tokyo"
    with fresh_database("sqlite", tmp_path) as url:
        settings = replace(Settings(home=tmp_path / "home", database_url=url,
                                    default_language=""), timezone="Asia/Tokyo")
        app = make_app(settings)
        try:
            world = build_world(app, tmp_path)
            with app.extensions["callqa_sessions"]() as session:
                started = session.get(Call, world.own_call).started_at
            tokyo = started.astimezone(ZoneInfo("Asia/Tokyo"))
            page = _page(session_browser(app, world.users["admin"]), world.own_call)
            assert tokyo.strftime("%Y-%m-%d %H:%M") in page
        finally:
            dispose(app)
