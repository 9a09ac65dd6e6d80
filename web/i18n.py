"""Polish and English. Messages are written in English in the code and templates, through `_`;
the Polish catalog (web/i18n_pl.py) translates them. Labels stored with results
({"pl": ..., "en": ...}) are picked with `pick`."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request, session

from callqa.models import User
from callqa.web.i18n_pl import PL

LANGUAGES = ("en", "pl")
DEFAULT = "en"
CATALOGS: dict[str, Mapping[str, str]] = {"pl": PL}


# Codes stored in the database, by kind, with their English names.
LABELS: dict[str, dict[str, str]] = {
    "verdict": {"passed": "Passed", "failed": "Failed", "not_applicable": "Not applicable",
                "review": "Needs review"},
    "status": {"queued": "Queued", "transcribing": "Transcribing",
               "transcribed": "Transcribed", "done": "Done", "no_speech": "No speech",
               "failed": "Processing failed"},
    "fcr": {"fcr": "Resolved (FCR)", "not_fcr": "Not resolved", "pending": "Pending"},
    "reason": {"repeat_contact": "Repeat contact", "transfer": "Transferred",
               "callback": "Callback promised", "unable_to_help": "Agent unable to help"},
    "role": {"admin": "Administrator", "supervisor": "Supervisor", "agent": "Agent"},
    "speaker": {"agent": "Agent", "customer": "Customer", "unknown": "Unknown speaker"},
    "method": {"exact": "exact", "lemma": "lemma", "fuzzy": "fuzzy"},
    "dispute": {"open": "Open", "accepted": "Accepted", "rejected": "Rejected"},
    "source": {"override": "Override", "dispute": "Dispute"},
    "note": {"speaker_unknown": "speaker unknown (mono recording)",
             "other_speaker": "said by the other party", "outside_window": "outside the window",
             "excluded": "excluded phrase", "fuzzy_only": "fuzzy match only",
             "word_boundaries": "not whole words"},
    "direction": {"inbound": "Inbound", "outbound": "Outbound", "internal": "Internal"},
    "scope": {"first": "first {n} utterances", "last": "last {n} utterances",
              "all": "all utterances"},
    "layout": {"agent-left": "Stereo, agent on the left", "agent-right":
               "Stereo, agent on the right", "mono": "Mono"},
}


def label(kind: str, code: str | None) -> str:
    """A stored code (a verdict, a status...) in the UI language."""
    if code is None:
        return "-"
    english = LABELS.get(kind, {}).get(str(code))
    return gettext(english) if english else str(code)


def translate(message: str, lang: str | None = None, **values: object) -> str:
    lang = lang or g.get("lang", DEFAULT)
    text = CATALOGS.get(lang, {}).get(message, message)
    return text.format(**values) if values else text


def gettext(message: str, **values: object) -> str:
    return translate(message, None, **values)


def pick(labels: Mapping[str, str] | None, lang: str | None = None) -> str:
    """The label in the UI language, else English, else any."""
    if not labels:
        return ""
    lang = lang or g.get("lang", DEFAULT)
    return labels.get(lang) or labels.get(DEFAULT) or next(iter(labels.values()), "")


def request_language(user: User | None) -> str:
    """The signed-in user's choice, else this browser session's, else the browser's."""
    if user is not None and user.language in LANGUAGES:
        return user.language
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT)


def local_time(value: datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(_display_zone()).strftime("%Y-%m-%d %H:%M")


def _display_zone() -> tzinfo | None:
    name = current_app.config.get("DISPLAY_TIMEZONE")
    return ZoneInfo(name) if name else None  # None: the server's local time


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, rest = divmod(max(0.0, float(seconds)), 60)
    return f"{int(minutes):02d}:{rest:04.1f}"


def number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if g.get("lang") == "pl" else text


def utterance_scope(text: str | None) -> str:
    """Which utterances an item looked in ("first 2", "last 3", "all"), in the UI language."""
    match = re.fullmatch(r"(first|last) (\d+)", text or "")
    if match:
        return gettext(LABELS["scope"][match[1]], n=int(match[2]))
    return label("scope", text) if text == "all" else (text or "")


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(_=gettext, pick=pick, label=label, LANGUAGES=LANGUAGES)
    app.jinja_env.filters.update(local_time=local_time, clock=clock, number=number,
                                 utterance_scope=utterance_scope)
