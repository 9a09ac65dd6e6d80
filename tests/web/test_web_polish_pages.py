"""A Polish QA team sees Polish: every page a Polish session can open (each GET page of the
app without parameters, every call page, the calibration and team pages) is read as a person
reads it — the text, the option labels, the titles and placeholders — and must hold none of
the English UI words below, nor a raw stored code. User data is left out: transcripts,
comments, quoted words (evidence, search hits), names and file names."""
from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

from flask import Flask
from webtools import SAMPLES, World, add_calibration, add_teams, session_browser

from callqa.models import Call, CallStatus, User, utcnow
from callqa.qa.metadata import CallMetadata
from callqa.services.claims import give_up_on_stale
from callqa.services.ingest import ingest_recording

# English UI words and fragments that must never appear in a Polish page (whole words,
# case-sensitive where the UI capitalizes them). Not words a transcript or a name holds.
ENGLISH = (
    "Calls", "Dashboard", "Disputes", "To review", "My reviews", "Calibration", "Upload",
    "Search", "Users", "Scorecards", "Teams", "API tokens", "Erasure", "Workers", "Sign out",
    "Notifications", "Account", "Language", "Agent", "Customer", "Queue", "Duration",
    "Score", "Reviewed", "Processing", "Started", "Filter", "Clear", "Export", "Previous",
    "Next", "Page", "Passed", "Failed", "Not applicable", "Needs review", "Queued",
    "Transcribing", "Transcribed", "Done", "No speech", "Processing failed", "Pending",
    "Transcript", "Scorecard", "Evidence", "Override", "Dispute", "History", "Timeline",
    "Save", "Cancel", "Submit", "Open", "Closed", "Accepted", "Rejected", "Inbound",
    "Outbound", "worker", "workera", "exact", "lemma", "fuzzy", "similarity", "attempts",
    "gave up", "internal error", "not stored", "not an audio file", "the agent", "agent",
    "agenta", "agentem", "mm/dd/yyyy", "yyyy",
    "Supervisor", "No calls", "Show", "Hide", "Play", "Pause", "Speed",
)
# Stored codes that must be shown by their name, never as they are.
CODES = ("not_applicable", "no_speech", "not_fcr", "repeat_contact", "unable_to_help",
         "agent-left", "agent-right", "speaker_unknown", "outside_window")
_WORD = {word: re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])") for word in ENGLISH + CODES}
# Quoted words are what someone said or what a scorecard's phrase list holds: data.
_QUOTED = re.compile(r"„[^”]*”|“[^”]*”|\"[^\"]*\"|'[^'\s]*'")
# Elements whose text is user data (or code a person does not read).
_DATA_CLASSES = {"transcript", "text", "comment", "pinned-comment", "search-hit",
                 "snippet", "customer", "who", "author", "mono-text", "filename", "moments",
                 "error-text-stored", "candidate", "window-line", "phrase"}
_SKIPPED_TAGS = {"script", "style", "code", "pre", "audio", "svg", "textarea", "mark"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}
_SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class _Reader(HTMLParser):
    """The text of a page a person reads, without the user-data elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is it (inside) data?
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        inside = bool(self.stack and self.stack[-1])
        data = inside or tag in _SKIPPED_TAGS or bool(classes & _DATA_CLASSES)
        if not data:
            self.parts.extend(values[name] for name in _SHOWN_ATTRIBUTES if values.get(name))
            if tag == "input" and values.get("type") in ("submit", "button"):
                self.parts.append(values.get("value") or "")
        if tag not in _VOID:
            self.stack.append(data)

    def handle_endtag(self, tag):
        if tag not in _VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def shown_text(html: str, private: tuple[str, ...] = ()) -> str:
    reader = _Reader()
    reader.feed(html)
    text = " ".join(" ".join(reader.parts).split())
    for value in private:
        text = text.replace(value, " ")
    return _QUOTED.sub(" ", text)


# A number with a decimal point (not a date's or a version's dots): Polish writes 87,5.
_DECIMAL_POINT = re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")


def english_on(text: str) -> list[str]:
    return [word for word, pattern in _WORD.items() if pattern.search(text)] + [
        f"decimal point: {number}" for number in _DECIMAL_POINT.findall(text)]


def _polish_world(app: Flask, world: World, tmp_path: Path) -> dict[str, int]:
    """The web world with teams, calibration, and calls whose processing failed in the ways
    the product stores: an unreadable file, a truncated WAV, a worker that died each time."""
    add_teams(app, world)
    add_calibration(app, world)
    sessions, settings = app.extensions["callqa_sessions"], app.config["CALLQA_SETTINGS"]
    failed = {}
    wav = (SAMPLES / "cpl005.wav").read_bytes()
    for name, data in (("list.m3u", b"#EXTM3U\nhttp://x.invalid/a\n"), ("cut.wav", wav[:2000]),
                       ("empty.wav", b"")):
        path = tmp_path / name
        path.write_bytes(data)
        outcome = ingest_recording(sessions, settings, path, CallMetadata(language="pl"))
        assert outcome.status == "failed", outcome
        failed[name] = outcome.call_id
    with sessions.begin() as session:
        # a user name is data; "agent" would read as the English word
        session.get(User, world.users["agent"]).username = "jkowalski"
        call = session.get(Call, world.audio["cen025"])
        call.status, call.attempts = CallStatus.TRANSCRIBING, settings.max_attempts
        call.heartbeat_at = utcnow() - timedelta(hours=1)
        session.flush()
        assert give_up_on_stale(session, 60, settings.max_attempts) == 1
    failed["gave_up"] = world.audio["cen025"]
    return failed


def _pages(app: Flask, world: World, failed: dict[str, int], role: str) -> list[str]:
    """Every GET page without parameters (not the API, files or sign-in), and the pages of
    each call, calibration session and filtered list."""
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.arguments:
            continue
        path = rule.rule
        if path.startswith(("/api", "/static", "/login", "/vendor")) or path.endswith(
                (".csv", ".json", ".txt", ".js")) or path in ("/", "/health", "/metrics"):
            continue
        pages.append(path)
    calls = [*world.calls.values(), *world.audio.values(), *failed.values()]
    if role == "agent":
        calls = [world.own_call, world.calls["cen028"]]
    pages += [f"/calls/{call_id}" for call_id in calls]
    pages += ["/calls?status=failed", "/calls?date_from=01.11.2026&date_to=30.11.2026",
              "/calls?page=2&per_page=2", "/search?q=paczka", "/search?q=thank",
              f"/calibration/{world.calibration}", f"/calibration/{world.calibration}/compare"]
    return pages


def test_polish_pages_hold_no_english_words(app, world, tmp_path):
    failed = _polish_world(app, world, tmp_path)
    private = ("John Carter", "Piotr Wiśniewski", "Tomasz Lewandowski", "Anna", "North",
               "Matrix", "Closing", "Telmax", "callqa process --watch", "callqa worker",
               "callqa")
    found: dict[str, list[str]] = {}
    walked = 0
    for role in ("admin", "supervisor", "agent"):
        browser = session_browser(app, world.users[role])
        assert browser.post("/language", data={"lang": "pl"}).status_code == 303
        for page in _pages(app, world, failed, role):
            response = browser.get(page)
            if response.status_code in (403, 404, 405) or response.mimetype != "text/html":
                continue
            assert response.status_code == 200, (role, page, response.status_code)
            html = response.get_data(as_text=True)
            assert '<html lang="pl">' in html, page
            walked += 1
            words = english_on(shown_text(html, private))
            if words:
                found[f"{role} {page}"] = words
    assert walked > 40
    assert found == {}


def test_the_walk_finds_english_words_where_there_are_some():
    """The reader sees what a person sees: text, option labels and titles, but not the
    transcript, quoted words or scripts."""
    html = ('<p>Wynik <span title="Needs review">?</span></p><ul class="transcript">'
            '<li>Calls are recorded</li></ul><p>powiedział „the agent”</p>'
            '<select><option>Queued</option></select><script>var Dashboard;</script>')
    assert english_on(shown_text(html)) == ["Needs review", "Queued"]
    assert english_on(shown_text("<p>Status: no_speech, workera</p>")) == ["workera",
                                                                           "no_speech"]
    assert english_on("02.12.2026 16:53, wersja 1.0.3, 87,5 i 622.1 KB") == [
        "decimal point: 622.1"]


def test_a_team_change_refused_is_said_in_polish(app, world):
    """The team service raises structured errors; the web shows them in the UI language."""
    add_teams(app, world)
    admin = session_browser(app, world.users["admin"])
    assert admin.post("/language", data={"lang": "pl"}).status_code == 303
    for path, form, polish in [
            ("agents", {"agent_id": "A99"},
             "nie ma konsultanta o identyfikatorze &#39;A99&#39; (takim jak w metadanych"),
            ("agents/remove", {"agent_id": "A02"}, "konsultant A02 nie należy do zespołu North"),
            ("supervisors", {"username": "admin"}, "admin nie jest kierownikiem: zespoły"),
            ("supervisors", {"username": "nobody"}, "nie ma użytkownika o nazwie &#39;nobody&#39;"),
            ("supervisors/remove", {"username": "supervisor"},
             "supervisor nie ma przydzielonego zespołu North")]:
        refused = admin.post(f"/admin/teams/{world.north}/{path}", data=form)
        assert refused.status_code == 303, path
        html = admin.get("/admin/teams").get_data(as_text=True)
        assert polish in html, path
        assert english_on(shown_text(html, ("North", "callqa"))) == [], path
