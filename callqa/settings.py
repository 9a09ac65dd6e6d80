"""Settings for every process (CLI, worker, web), read from CALLQA_* environment variables."""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from enum import Enum
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from callqa.qa.redaction.redact import DEFAULT_POLICY, RedactionPolicy
from callqa.qa.transcription import DEFAULT_COMPUTE_TYPE, Engine
from callqa.qa.whisper_model import BUNDLED_MODEL


def _default_home() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "callqa"


def _default_cache() -> Path:
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home) / "callqa"


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=_default_home)
    database_url: str = ""  # empty: SQLite file in home
    storage_dir: Path | None = None  # managed recordings; default home/recordings
    model_cache_dir: Path = field(default_factory=_default_cache)
    engine: Engine = Engine.FASTER_WHISPER  # or openai-whisper: the extra callqa[openai-whisper]
    whisper_model: str = BUNDLED_MODEL  # or a model directory; openai-whisper: a .pt file too
    compute_type: str = DEFAULT_COMPUTE_TYPE  # int8 for faster-whisper; openai-whisper: float32
    cpu_threads: int = 1  # measured faster than 2 for one worker; run a worker per core
    # faster-whisper: decode both parties' speech together, this many 30 s windows at a time;
    # 0: each party's track on its own (see README, "Measured figures")
    batch_size: int = 0
    beam_size: int = 5
    whisper_prompt: str = "none"  # "default": shipped call openings per language; or text
    vocabulary: str = ""  # names Whisper should expect, comma-separated: company, products
    hint_agent_name: bool = True  # the call's agent name is a hint too (agents say it)
    second_look: bool = True  # decode an item's window again where its phrases were not found
    default_language: str = ""  # used when neither call nor queue has one; "auto" detects
    # web: the zone times are shown in for users who chose none (an IANA name); empty:
    # Europe/Warsaw in the Polish UI, UTC in the English one
    timezone: str = ""
    pass_mark: float = 80.0  # web: the score a call should reach; lists show scores against it
    # web, dashboard: the mean score and the FCR rate (in %) aimed at, drawn and shown beside
    # the figures; 0: no target
    target_score: float = 85.0
    target_fcr_rate: float = 0.0
    # web, dashboard: the checklist items given a tile of their own (the 3×D: greeting, thanks,
    # goodbye), comma-separated ids of the scorecard's items; ids it does not have are skipped
    dashboard_items: str = "greeting,thanks,goodbye"
    default_layout: str = "agent-left"
    max_duration_s: float = 4 * 3600
    # Longer recordings are decoded and transcribed in pieces of about piece_s, cut at
    # silences, so a worker's memory does not grow with the call (see qa.pieces)
    pieces_over_s: float = 30 * 60
    piece_s: float = 10 * 60
    stale_claim_s: float = 600.0  # a transcribing call without heartbeat this long is retaken
    heartbeat_s: float = 30.0
    max_attempts: int = 3
    phone_country_code: str = "48"  # for national numbers without a +country prefix
    scorecard: Path | None = None  # YAML scorecard; default: the one shipped with callqa
    fcr_rules: Path | None = None  # YAML FCR rules; default: the ones shipped with callqa
    dead_air_s: float = 10.0  # silences at least this long count as dead air
    inbox_dir: Path | None = None  # scheduler: folder of new recordings; unset: inbox job off
    inbox_interval_s: float = 60.0  # scheduler: inbox scans and scheduler lease renewals
    fcr_cron_hour: int = 2  # scheduler: local hour of the nightly FCR recompute
    retention_days: int = 0  # scheduler: delete calls older than this many days; 0: keep all
    retention_cron_hour: int = 3  # scheduler: local hour of the daily retention run
    login_window_s: float = 15 * 60  # web: refused sign-ins are counted over this window
    login_max_failures: int = 5  # web: per user name and client address, then wait
    login_max_failures_per_address: int = 50  # web: per client address over all user names
    session_idle_s: float = 3600.0  # web: a session unused this long ends (sign in again)
    session_max_s: float = 12 * 3600.0  # web: a session ends this long after signing in
    webhook_timeout_s: float = 5.0  # a webhook receiver that has not answered by then failed
    webhook_max_attempts: int = 6  # then a delivery is given up (retries back off to 1 h)
    survey_window_s: float = 72 * 3600.0  # a survey matched by phone: calls this long before
    # Personal data replaced before a transcript is stored: entities, "+audio" to silence
    # them in the recording too (see qa.redaction.redact.RedactionPolicy)
    redact: RedactionPolicy = DEFAULT_POLICY
    broker_url: str = ""  # Celery broker (redis://, amqp://); empty: the embedded DB-polling worker
    celery_queue: str = "callqa"  # the broker queue callqa's tasks go through
    worker_processes: int = 0  # `callqa worker` processes; 0: cores // cpu_threads
    task_time_limit_s: float = 0.0  # one call's processing; 0: max_duration_s (real time)
    sweep_after_s: float = 300.0  # scheduler: queued calls not handed to the broker this long
    # scheduler: queued calls sent this long ago whose task is no longer in the broker's
    # queue (it lost them: restarted without persistence, purged) are sent again
    resend_after_s: float = 900.0

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'callqa.db'}"

    @property
    def recordings_dir(self) -> Path:
        return self.storage_dir or self.home / "recordings"

    @property
    def uses_broker(self) -> bool:
        return bool(self.broker_url.strip())

    @property
    def task_soft_limit_s(self) -> float:
        """How long one call may take to process before its task is stopped."""
        return self.task_time_limit_s or self.max_duration_s

    def with_overrides(self, **values: Any) -> Settings:
        return replace(self, **{k: v for k, v in values.items() if v is not None})


_ENV_PREFIX = "CALLQA_"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment: CALLQA_<FIELD> for every field, e.g. CALLQA_DATABASE_URL.
    Raises InvalidValue, naming the variable, for a value that is not of the field's type."""
    env = os.environ if environ is None else environ
    types = get_type_hints(Settings)
    values = {}
    for f in fields(Settings):
        name = _ENV_PREFIX + f.name.upper()
        raw = env.get(name)
        if raw not in (None, ""):
            values[f.name] = parse_value(types[f.name], raw, name)
    return Settings(**values)


# --- typed values from text: settings and request parameters -------------------------------


class InvalidValue(ValueError):
    """Text that cannot be read as the type it is for; the message names the variable or
    parameter."""

    def __init__(self, name: str, raw: str, expected: str) -> None:
        super().__init__(f"{name}: {raw!r} is not {expected}")
        self.name = name


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _boolean(raw: str) -> bool:
    text = raw.strip().lower()
    if text not in _TRUE + _FALSE:
        raise ValueError(raw)
    return text in _TRUE


# type -> (reader, what a reader expects, for messages)
_READERS: dict[type, tuple[Callable[[str], Any], str]] = {
    bool: (_boolean, f"yes or no ({', '.join(_TRUE)} / {', '.join(_FALSE)})"),
    int: (int, "a whole number"),
    float: (float, "a number"),
    str: (str, "text"),
    Path: (lambda raw: Path(raw).expanduser(), "a path"),
    date: (date.fromisoformat, "a date (YYYY-MM-DD)"),
    RedactionPolicy: (RedactionPolicy.parse,
                      "a redaction policy: entities (card, cvv, expiry, pesel, nip, regon, "
                      "id_card, account, phone, email), each with +audio for the recording "
                      "too, comma-separated; or all, all+audio, off"),
}


def parse_value(kind: Any, raw: str, name: str) -> Any:
    """`raw` read as `kind` (a type hint: bool, int, float, str, Path, date, a StrEnum, or
    one of them or None); raises InvalidValue naming `name`."""
    kind = without_none(kind)
    if isinstance(kind, type) and issubclass(kind, Enum):
        try:
            return kind(raw.strip())
        except ValueError:
            choices = ", ".join(str(member.value) for member in kind)
            raise InvalidValue(name, raw, f"one of {choices}") from None
    if kind not in _READERS:
        raise TypeError(f"{name}: no reader for values of type {kind!r}")
    reader, expected = _READERS[kind]
    try:
        return reader(raw.strip() if kind is not str else raw)
    except ValueError:
        raise InvalidValue(name, raw, expected) from None


def without_none(kind: Any) -> Any:
    """X for `X | None`."""
    if isinstance(kind, UnionType) or get_origin(kind) is Union:
        options = [k for k in get_args(kind) if k is not type(None)]
        if len(options) == 1:
            return options[0]
    return kind
