"""Polish and English, on Flask-Babel. Messages are written in English in the code and
templates, through `_`/`gettext` and `ngettext` with `%(name)s` parameters; the gettext
catalog web/translations/pl/LC_MESSAGES/messages.po translates them (README: how to update
it). Labels stored with results ({"pl": ..., "en": ...}) are picked with `pick`."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import flask_babel
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent, get_decimal_symbol
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, get_translations, lazy_gettext, ngettext
from jinja2 import pass_context

from callqa.models import Call, User
from callqa.qa.messages import N_, format_message

__all__ = ["LANGUAGES", "LABELS", "call_error", "gettext", "label", "lazy_gettext", "ngettext",
           "pick", "request_language", "translated", "translator"]

LANGUAGES = ("en", "pl")
DEFAULT = "en"


# Codes stored in the database, by kind, with their English names.
LABELS: dict[str, dict[str, str]] = {
    "verdict": {"passed": N_("Passed"), "failed": N_("Failed"),
                "not_applicable": N_("Not applicable"), "review": N_("Needs review")},
    "status": {"queued": N_("Queued"), "transcribing": N_("Transcribing"),
               "transcribed": N_("Transcribed"), "done": N_("Done"),
               "no_speech": N_("No speech"), "failed": N_("Processing failed")},
    "fcr": {"fcr": N_("Resolved (FCR)"), "not_fcr": N_("Not resolved"),
            "pending": N_("Pending")},
    "reason": {"repeat_contact": N_("Repeat contact"), "transfer": N_("Transferred"),
               "callback": N_("Callback promised"), "unable_to_help": N_("Agent unable to help")},
    "role": {"admin": N_("Administrator"), "supervisor": N_("Supervisor"), "agent": N_("Agent")},
    "speaker": {"agent": N_("Agent"), "customer": N_("Customer"),
                "unknown": N_("Unknown speaker")},
    "method": {"exact": N_("exact"), "lemma": N_("lemma"), "fuzzy": N_("fuzzy")},
    "timeline": {"speech": N_("Speech"), "silence": N_("Silence"), "hold": N_("Hold"),
                 "overtalk": N_("Overtalk"), "evidence": N_("Evidence"),
                 "redaction": N_("Redacted"), "coaching": N_("Coaching moment"),
                 "comment": N_("Comment")},
    "dispute": {"open": N_("Open"), "accepted": N_("Accepted"), "rejected": N_("Rejected")},
    "source": {"override": N_("Override"), "dispute": N_("Dispute decision")},
    "note": {"speaker_unknown": N_("speaker unknown (mono recording)"),
             "other_speaker": N_("said by the other party"),
             "outside_window": N_("outside the window"), "excluded": N_("excluded phrase"),
             "fuzzy_only": N_("fuzzy match only"), "word_boundaries": N_("not whole words"),
             "near_miss": N_("near miss: the recognizer may have misheard it"),
             "unsure": N_("the recognizer was unsure of these words")},
    "direction": {"inbound": N_("Inbound"), "outbound": N_("Outbound"),
                  "internal": N_("Internal")},
    "scope": {"all": N_("all utterances")},
    "assignment_reason": {"sampled": N_("Sampled at random"),
                          "critical": N_("A critical item failed"),
                          "review": N_("Items in review"), "disputed": N_("Disputed"),
                          "manual": N_("Assigned by hand")},
    "assignment": {"open": N_("To do"), "done": N_("Done")},
    "calibration": {"open": N_("Open"), "closed": N_("Closed")},
    "coaching": {"open": N_("To acknowledge"), "acknowledged": N_("Acknowledged")},
    "scope_api": {"ingest": N_("ingest: upload recordings"),
                  "read": N_("read: calls, transcripts, scorecards, webhooks"),
                  "surveys": N_("surveys: survey results in")},
    "entity": {"card": N_("Card number"), "cvv": N_("Card security code"),
               "expiry": N_("Card expiry date"), "pesel": N_("PESEL"), "nip": N_("NIP"),
               "regon": N_("REGON"), "id_card": N_("ID card number"),
               "account": N_("Bank account number"), "phone": N_("Phone number"),
               "email": N_("E-mail address")},
    "redaction": {"text": N_("transcript"), "silence": N_("transcript and recording")},
    "layout": {"agent-left": N_("Stereo, agent on the left"),
               "agent-right": N_("Stereo, agent on the right"), "mono": N_("Mono")},
}


def gettext(message: str, **values: Any) -> str:
    """`message` in the UI language, formatted with `values` (%(name)s) if any."""
    return flask_babel.gettext(message, **values)


def label(kind: str, code: str | None) -> str:
    """A stored code (a verdict, a status...) in the UI language."""
    if code is None:
        return "-"
    english = LABELS.get(kind, {}).get(str(code))
    return gettext(english) if english else str(code)


def translated(msgid: str, params: Mapping[str, Any] | None = None) -> str:
    """A stored message id with its parameters (a processing error) in the UI language."""
    return _format(get_translations(), _lang(), msgid, params)


def translator():
    """`translated` bound to this request's language, for work that outlives the request
    (a streamed export): it needs no request context when called."""
    translations, lang = get_translations(), _lang()
    return lambda msgid, params=None: _format(translations, lang, msgid, params)


def _format(translations: NullTranslations, lang: str, msgid: str,
            params: Mapping[str, Any] | None) -> str:
    """The translation with the parameters, their quantities written the reader's way; should
    they not fit it (a translator's slip that tests/web/test_web_i18n.py catches), the
    English, which they were stored with."""
    shown = {name: _quantities(translations, lang, value) for name, value in params.items()
             } if params else params
    for text, values in ((translations.ugettext(msgid), shown), (msgid, params)):
        try:
            return format_message(text, values)
        except (KeyError, TypeError, ValueError):
            continue
    return msgid


# A parameter that is only quantities, as the domain writes them into its messages (qa/audio:
# "622.1 KB", "36 bytes", "2 min 5 s", "3.5 s").
_QUANTITY = re.compile(r"(\d+(?:\.\d+)?) (bytes|KB|MB|GB|TB|s|min|h)")
_QUANTITIES = re.compile(rf"{_QUANTITY.pattern}(?: {_QUANTITY.pattern})*")


def _quantities(translations: NullTranslations, lang: str, value: Any) -> Any:
    """622,1 KB and 36 bajtów in Polish: the decimal sign of the language, bytes in words."""
    if not isinstance(value, str) or not _QUANTITIES.fullmatch(value):
        return value

    def one(match: re.Match[str]) -> str:
        amount, unit = match.groups()
        if unit == "bytes" and amount.isdigit():
            count = int(amount)
            return translations.ungettext("%(num)d byte", "%(num)d bytes", count) % {
                "num": count}
        return f"{amount.replace('.', get_decimal_symbol(lang))} {unit}"
    return _QUANTITY.sub(one, value)


def call_error(call: Call) -> str:
    """Why a call could not be processed, in the UI language; calls stored before errors had
    message ids show their stored English text."""
    if call.error_msgid:
        return translated(call.error_msgid, call.error_params)
    return call.error or ""


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


def _select_locale() -> str | None:
    """Flask-Babel's locale selector: the request's language (None outside a request)."""
    if not has_request_context():
        return None
    return request_language(g.get("user"))


# Date and time patterns per UI language (Babel/CLDR patterns): Polish as Polish people write
# them (02.11.2026 16:53), English as ISO 8601, which no reader misreads
_DATETIME = {"pl": "dd.MM.yyyy HH:mm", "en": "yyyy-MM-dd HH:mm"}
_DATE = {"pl": "dd.MM.yyyy", "en": "yyyy-MM-dd"}
POLISH_ZONE = "Europe/Warsaw"


def local_time(value: datetime | None) -> str:
    """A stored (UTC) time in the user's zone, in the UI language's format."""
    if value is None:
        return "-"
    lang = _lang()
    return format_datetime(value, _DATETIME.get(lang, _DATETIME[DEFAULT]), tzinfo=display_zone(),
                           locale=lang)


def local_date(value: datetime | date | None) -> str:
    if value is None:
        return "-"
    lang = _lang()
    if isinstance(value, datetime):
        value = value.astimezone(display_zone()).date()
    return format_date(value, _DATE.get(lang, _DATE[DEFAULT]), locale=lang)


def date_example() -> str:
    """Today in the UI language's date format: the hint of a date field."""
    return local_date(datetime.now(display_zone()).date())


def display_zone_name() -> str:
    """The user's own zone, else CALLQA_TIMEZONE, else DISPLAY_TIMEZONE of the app's config,
    else Europe/Warsaw in the Polish UI and UTC in any other."""
    user = g.get("user") if has_request_context() else None
    settings = current_app.config.get("CALLQA_SETTINGS")
    for name in (getattr(user, "time_zone", None), getattr(settings, "timezone", ""),
                 current_app.config.get("DISPLAY_TIMEZONE")):
        if name:
            return str(name)
    return POLISH_ZONE if _lang() == "pl" else "UTC"


def display_zone() -> tzinfo:
    try:
        return ZoneInfo(display_zone_name())
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _lang() -> str:
    return g.get("lang", DEFAULT) if has_request_context() else DEFAULT


def clock(seconds: float | None) -> str:
    """A moment or a duration as mm:ss.t with the UI language's decimal sign (Babel):
    00:41,8 in Polish, 00:41.8 in English."""
    if seconds is None:
        return "-"
    minutes, rest = divmod(round(max(0.0, float(seconds)), 1), 60)
    text = f"{int(minutes):02d}:{rest:04.1f}"
    return text.replace(".", decimal_sign())


def decimal_sign() -> str:
    """The UI language's decimal symbol (Babel/CLDR): "," in Polish, "." in English."""
    return get_decimal_symbol(_lang())


def number(value: float | None, digits: int = 1) -> str:
    """A decimal in the UI language's format (Babel): 87,5 in Polish, 87.5 in English."""
    if value is None:
        return "-"
    pattern = "0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, pattern, locale=_lang())


def percent(value: float | None, digits: int = 1) -> str:
    """A share (0..1) as a percentage in the UI language's format: 87,5% / 87.5%."""
    if value is None:
        return "-"
    pattern = "0" + ("." + "0" * digits if digits > 0 else "") + "%"
    return format_percent(value, pattern, locale=_lang())


def language_name(code: str | None) -> str:
    """A language code (pl, en) as the language's name in the UI language (Babel)."""
    if not code:
        return "-"
    try:
        name = Locale.parse(code).get_display_name(_lang())
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    return name or code


def utterance_scope(text: str | None) -> str:
    """Which utterances an item looked in ("first 2", "last 3", "all"), in the UI language."""
    match = re.fullmatch(r"(first|last) (\d+)", text or "")
    if not match:
        return label("scope", text) if text == "all" else (text or "")
    count = int(match[2])
    if match[1] == "first":
        return ngettext("the first utterance", "first %(num)d utterances", count)
    return ngettext("the last utterance", "last %(num)d utterances", count)


def init_app(app: Flask) -> None:
    """Flask-Babel with the request's language; its Jinja integration gives templates `_`,
    `gettext` and `ngettext` (new style: `_("Call %(id)s", id=...)`, values escaped)."""
    Babel(app, locale_selector=_select_locale, default_locale=DEFAULT)
    app.jinja_env.globals.update(pick=pick, label=label, call_error=call_error,
                                 decimal_sign=decimal_sign, date_example=date_example,
                                 LANGUAGES=LANGUAGES)
    per_request_filters: dict[str, Callable[..., Any]] = dict(
        local_time=local_time, local_date=local_date, clock=clock, number=number,
        percent=percent, language_name=language_name, utterance_scope=utterance_scope)
    app.jinja_env.filters.update(
        {name: _per_request(function) for name, function in per_request_filters.items()})


def _per_request(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose text depends on the request's language or time zone. Jinja computes a
    filter of a constant (`{{ 0 | clock }}`) once, when it compiles the template, in whatever
    language the first request had; a filter that takes the context is never computed so."""
    @pass_context
    def per_request(_context: Any, *args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    return per_request
