"""Translations on Flask-Babel: the gettext catalog covers every extracted message and is
compiled; a Polish session sees Polish (pages, plurals, stored processing errors, CSV
headers), an English one English."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g
from sqlalchemy import select
from webtools import SAMPLES, session_browser

from callqa.models import Call, CallStatus, utcnow
from callqa.qa.metadata import CallMetadata
from callqa.queries.export import COLUMNS
from callqa.services.claims import give_up_on_stale
from callqa.services.ingest import ingest_recording

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "web" / "translations"
PO = TRANSLATIONS / "pl" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")


def _catalog(path: Path, locale: str | None = None):
    with path.open("rb") as stream:
        return read_po(stream, locale=locale)


def _extract(tmp_path: Path):
    """What `pybabel extract -F babel.cfg` finds in the package now."""
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"),
                                "-o", str(pot), str(ROOT)])
    return _catalog(pot)


def _ids(catalog) -> set:
    return {message.id for message in catalog if message.id}


def test_every_extracted_message_is_translated_into_polish(tmp_path):
    extracted = _extract(tmp_path)
    polish = _catalog(PO, "pl")
    assert len(extracted) > 250
    missing = [m.id for m in extracted if m.id and m.id not in polish]
    untranslated = [m.id for m in polish if m.id in _ids(extracted) and (
        m.fuzzy or not all(m.string if m.pluralizable else [m.string]))]
    assert missing == [] and untranslated == []
    assert _ids(_catalog(TRANSLATIONS / "messages.pot")) == _ids(extracted)  # pot up to date
    problems = [(m.id, [str(e) for e in errors]) for m, errors in polish.check()]
    assert problems == []  # placeholders of each translation fit its message


def test_the_polish_catalog_has_three_plural_forms():
    polish = _catalog(PO, "pl")
    assert polish.num_plurals == 3
    plurals = [m for m in polish if m.pluralizable]
    assert len(plurals) >= 3
    assert all(len(m.string) == 3 and all(m.string) for m in plurals)


def test_the_committed_mo_is_the_compiled_po():
    fresh = io.BytesIO()
    write_mo(fresh, _catalog(PO, "pl"))
    assert MO.read_bytes() == fresh.getvalue(), "run: pybabel compile -d web/translations"


def _polish(app, user_id: int):
    browser = session_browser(app, user_id)
    assert browser.post("/language", data={"lang": "pl"}).status_code == 303
    return browser


def _ingest_unusable(app, tmp_path: Path, name: str, data: bytes) -> int:
    path = tmp_path / name
    path.write_bytes(data)
    outcome = ingest_recording(app.extensions["callqa_sessions"], app.config["CALLQA_SETTINGS"],
                               path, CallMetadata(language="pl"))
    assert outcome.status == "failed", outcome
    return outcome.call_id


def test_a_polish_session_sees_polish_and_an_english_one_english(app, world):
    polish = _polish(app, world.users["supervisor"])
    english = session_browser(app, world.users["admin"])
    page = f"/calls/{world.calls['cpl004']}"
    html = polish.get(page).get_data(as_text=True)
    assert '<html lang="pl">' in html and "Transkrypcja" in html and "Karta oceny" in html
    assert "Rozmowa" in html and "Transcript" not in html
    html = english.get(page).get_data(as_text=True)
    assert '<html lang="en">' in html and "Transcript" in html and "Transkrypcja" not in html
    assert "Scorecard" in html and "Karta oceny" not in html


def test_the_call_count_takes_the_polish_plural_form(app, world, tmp_path):
    polish = _polish(app, world.users["supervisor"])
    english = session_browser(app, world.users["admin"])
    forms = {1: "1 rozmowa", 2: "2 rozmowy", 5: "5 rozmów", 22: "22 rozmowy"}
    made = 0
    for count, words in forms.items():
        while made < count:
            _ingest_unusable(app, tmp_path, f"list{made}.m3u", b"#EXTM3U\n#%d\n" % made)
            made += 1
        listed = polish.get("/calls?status=failed&per_page=50").get_data(as_text=True)
        assert f"Strona 1 z 1 ({words})" in listed, count
    listed = english.get("/calls?status=failed&per_page=50").get_data(as_text=True)
    assert "Page 1 of 1 (22 calls)" in listed


def test_the_utterance_window_takes_the_polish_plural_form(app, world):
    """The call page says which utterances an item looked in ("first 2 utterances")."""
    from callqa.web.i18n import utterance_scope

    wanted = {"pl": {1: "pierwsza wypowiedź", 2: "pierwsze 2 wypowiedzi",
                     5: "pierwszych 5 wypowiedzi", 22: "pierwsze 22 wypowiedzi"},
              "en": {1: "the first utterance", 2: "first 2 utterances",
                     5: "first 5 utterances", 22: "first 22 utterances"}}
    for language, forms in wanted.items():
        for count, text in forms.items():
            with app.test_request_context(headers={"Accept-Language": language}):
                assert utterance_scope(f"first {count}") == text
                assert utterance_scope(f"last {count}").split()[-1] == text.split()[-1]
    html = _polish(app, world.users["supervisor"]).get(
        f"/calls/{world.calls['cpl004']}").get_data(as_text=True)
    scopes = re.findall(r'class="looked-in">Szukano: [^<]*, ((?:pierwsz|ostatni)[^<]*)</p>', html)
    assert scopes and all("wypowied" in scope for scope in scopes)


def test_a_stored_processing_error_is_shown_in_the_readers_language(app, world, tmp_path,
                                                                  session):
    wav = (SAMPLES / "cpl005.wav").read_bytes()
    truncated = _ingest_unusable(app, tmp_path, "cut.wav", wav[:2000])
    playlist = _ingest_unusable(app, tmp_path, "list.m3u", b"#EXTM3U\nhttp://x.invalid/a\n")
    call = session.get(Call, truncated)
    assert call.error_msgid.startswith("WAV header declares %(declared)s")
    assert call.error == call.error_msgid % call.error_params  # English, for the CLI
    assert "truncated or corrupt" in call.error
    polish = _polish(app, world.users["supervisor"])
    english = session_browser(app, world.users["admin"])
    listed = polish.get("/calls?status=failed").get_data(as_text=True)
    # the sizes as Polish writes them: 622,1 KB
    declared, size = (call.error_params[name].replace(".", ",") for name in ("declared", "size"))
    assert (f"nagłówek WAV deklaruje {declared} danych audio, a plik ma {size}: "
            "plik ucięty lub uszkodzony") in listed
    assert "to nie jest plik audio: zawartość to lista odtwarzania M3U" in listed
    assert "truncated or corrupt" not in listed
    listed = english.get("/calls?status=failed").get_data(as_text=True)
    assert call.error in listed and "not an audio file: content is an M3U playlist" in listed
    page = polish.get(f"/calls/{playlist}").get_data(as_text=True)
    assert "lista odtwarzania M3U" in page


def test_an_error_the_services_store_is_translated_too(app, world, session):
    """A call whose worker died on every attempt is given up by the claims service."""
    settings = app.config["CALLQA_SETTINGS"]
    call = session.get(Call, world.audio["cen025"])
    call.status, call.attempts = CallStatus.TRANSCRIBING, settings.max_attempts
    call.heartbeat_at = utcnow() - timedelta(hours=1)
    session.commit()
    assert give_up_on_stale(session, 60, settings.max_attempts) == 1
    session.commit()
    page = f"/calls/{call.id}"
    html = _polish(app, world.users["supervisor"]).get(page).get_data(as_text=True)
    assert (f"przerwano po {settings.max_attempts} próbach: proces roboczy zatrzymał się"
            " w trakcie każdej") in html
    html = session_browser(app, world.users["admin"]).get(page).get_data(as_text=True)
    assert f"gave up after {settings.max_attempts} attempts" in html


def test_an_error_stored_before_message_ids_shows_as_stored(app, world, tmp_path, session):
    old = _ingest_unusable(app, tmp_path, "old.m3u", b"#EXTM3U\n")
    call = session.get(Call, old)
    call.error, call.error_msgid, call.error_params = "decoder gave up (old text)", None, None
    session.commit()
    listed = _polish(app, world.users["supervisor"]).get("/calls?status=failed")
    assert "decoder gave up (old text)" in listed.get_data(as_text=True)


def _csv(browser, delimiter: str = ",", status: str = "failed") -> list[dict[str, str]]:
    body = browser.get(f"/calls.csv?status={status}").get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(body[1:]), delimiter=delimiter))


def test_a_polish_csv_has_semicolons_and_decimal_commas(app, world, session):
    """What a Polish spreadsheet reads as columns and numbers."""
    polish = _csv(_polish(app, world.users["supervisor"]), ";", "done")
    assert polish and len(polish[0]) == len(COLUMNS)
    scored = [r for r in polish if r["Wynik"]]
    assert scored
    for row in scored:
        call = session.get(Call, int(row["ID rozmowy"]))
        assert "," in row["Wynik"] and "." not in row["Wynik"]
        assert float(row["Wynik"].replace(",", ".")) == round(call.score.score, 1)
        assert row["Przejrzana"] in ("tak", "nie")
    english = _csv(session_browser(app, world.users["admin"]), ",", "done")
    assert all("." in r["score"] for r in english if r["score"])


def test_the_csv_headers_and_errors_follow_the_ui_language(app, world, tmp_path, session):
    failed = _ingest_unusable(app, tmp_path, "list.m3u", b"#EXTM3U\n")
    polish = _csv(_polish(app, world.users["supervisor"]), ";")
    assert list(polish[0])[:4] == ["ID rozmowy", "ID zewnętrzne", "Początek", "ID konsultanta"]
    assert len(polish[0]) == len(COLUMNS) and "call_id" not in polish[0]
    row = next(r for r in polish if int(r["ID rozmowy"]) == failed)
    assert row["Błąd"] == "to nie jest plik audio: zawartość to lista odtwarzania M3U"
    assert row["Stan"] == "failed"  # values are codes, the same in every language
    english = _csv(session_browser(app, world.users["admin"]))
    assert list(english[0]) == list(COLUMNS)
    row = next(r for r in english if int(r["call_id"]) == failed)
    assert row["error"] == "not an audio file: content is an M3U playlist"
    assert session.scalar(select(Call.error).where(Call.id == failed)) == row["error"]


def test_an_upload_form_problem_is_shown_in_polish(app, world):
    polish = _polish(app, world.users["supervisor"])
    form = {"recording": (io.BytesIO(b"RIFF"), "x.wav"), "language": "polish"}
    response = polish.post("/upload", data=form, content_type="multipart/form-data")
    assert response.status_code == 400
    assert ("formularz: język &#39;polish&#39; nie jest dwuliterowym kodem, takim jak pl lub en"
            in response.get_data(as_text=True))
    form = {"recording": (io.BytesIO(b"RIFF"), "x.wav"), "started_at": "yesterday"}
    response = polish.post("/upload", data=form, content_type="multipart/form-data")
    assert "nie jest czasem w formacie ISO 8601" in response.get_data(as_text=True)


def test_a_filter_of_a_constant_follows_each_requests_language(app):
    """Jinja computes `{{ 0 | clock }}` once at compile time unless the filter takes the
    context: a call page compiled for an English request showed 00:00.0 to Polish ones."""
    template = app.jinja_env.from_string("{{ 41.8 | clock }} {{ 87.5 | number }}")
    shown = {}
    for language in ("en", "pl", "en"):
        with app.test_request_context():
            g.lang = language  # what the app sets before each request
            shown.setdefault(language, set()).add(template.render())
    assert shown == {"en": {"00:41.8 87.5"}, "pl": {"00:41,8 87,5"}}
