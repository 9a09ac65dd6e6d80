"""Settings for every process (CLI, worker, web), read from CALLQA_* environment variables."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

BUNDLED_MODEL = "bundled:base"


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
    whisper_model: str = BUNDLED_MODEL  # or any faster-whisper model name or directory
    compute_type: str = "int8"
    cpu_threads: int = 1  # measured faster than 2 for one worker; run a worker per core
    beam_size: int = 5
    whisper_prompt: str = "none"  # "default": shipped call openings per language; or text
    vocabulary: str = ""  # names Whisper should expect, comma-separated: company, products
    hint_agent_name: bool = True  # the call's agent name is a hint too (agents say it)
    second_look: bool = True  # decode an item's window again where its phrases were not found
    default_language: str = ""  # used when neither call nor queue has one; "auto" detects
    default_layout: str = "agent-left"
    max_duration_s: float = 4 * 3600
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

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'callqa.db'}"

    @property
    def recordings_dir(self) -> Path:
        return self.storage_dir or self.home / "recordings"

    def with_overrides(self, **values: Any) -> Settings:
        return replace(self, **{k: v for k, v in values.items() if v is not None})


_ENV_PREFIX = "CALLQA_"


def _coerce(kind: object, raw: str) -> object:
    text = str(kind)
    if "Path" in text:
        return Path(raw).expanduser()
    if text in ("bool", "<class 'bool'>"):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if text in ("int", "<class 'int'>"):
        return int(raw)
    if text in ("float", "<class 'float'>"):
        return float(raw)
    return raw


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Settings from the environment: CALLQA_<FIELD> for every field, e.g. CALLQA_DATABASE_URL."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}  # each read as its field's type
    for f in fields(Settings):
        raw = env.get(_ENV_PREFIX + f.name.upper())
        if raw not in (None, ""):
            values[f.name] = _coerce(f.type, raw)
    return Settings(**values)
