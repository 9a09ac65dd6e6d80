"""Call metadata from sidecar JSON files, JSONL manifests and command-line defaults."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from callqa.qa.fcr.phone import normalize_phone
from callqa.qa.messages import N_, MessageError
from callqa.qa.transcript import Transcript
from callqa.qa.transcript_file import transcript_from_timing
from callqa.qa.transcription import AUTO_LANGUAGE, LAYOUTS

DIRECTIONS = ("inbound", "outbound", "internal")


class MetadataError(MessageError, ValueError):
    """Metadata that cannot be used; the message names the source and the field. The
    problems a web form can have carry a message id (e.message), so the web translates them."""


@dataclass(frozen=True)
class CallMetadata:
    external_id: str | None = None
    agent_id: str | None = None
    agent_name: str | None = None
    customer_phone: str | None = None
    customer_name: str | None = None
    customer_id: str | None = None  # the CRM's id; identifies the customer better than a phone
    started_at: datetime | None = None
    queue: str | None = None
    language: str | None = None
    layout: str | None = None
    direction: str | None = None
    # a mystery-shopper or manager call: scored, but kept out of agents' statistics
    test_call: bool | None = None

    def over(self, defaults: CallMetadata) -> CallMetadata:
        """These values, with `defaults` filling the gaps."""
        missing = {f.name: getattr(defaults, f.name) for f in fields(self)
                   if getattr(self, f.name) is None}
        return replace(self, **missing)


def parse_metadata(data: dict[str, Any], source: str) -> CallMetadata:
    """Read nested ({"agent": {"id", "name"}}) or flat ("agent_id") keys; validate values."""
    agent = _section(data, "agent", source)
    customer = _section(data, "customer", source)
    meta = CallMetadata(
        external_id=_text(data.get("id")),
        agent_id=_text(agent.get("id", data.get("agent_id"))),
        agent_name=_text(agent.get("name", data.get("agent_name"))),
        customer_phone=_text(customer.get("phone", data.get("customer_phone"))),
        customer_name=_text(customer.get("name", data.get("customer_name"))),
        customer_id=_text(customer.get("id", data.get("customer_id"))),
        started_at=_parse_time(data.get("started_at"), source),
        queue=_text(data.get("queue")),
        language=_text(data.get("language")),
        layout=_text(data.get("layout", data.get("channel_layout"))),
        direction=_text(data.get("direction")),
        test_call=_test_call(data, source),
    )
    validate_metadata(meta, source)
    return meta


def validate_metadata(meta: CallMetadata, source: str) -> None:
    if meta.layout is not None and meta.layout not in LAYOUTS:
        raise MetadataError(N_("%(source)s: layout %(value)s is not one of %(choices)s"),
                            source=source, value=repr(meta.layout), choices=", ".join(LAYOUTS))
    if meta.direction is not None and meta.direction not in DIRECTIONS:
        raise MetadataError(N_("%(source)s: direction %(value)s is not one of %(choices)s"),
                            source=source, value=repr(meta.direction),
                            choices=", ".join(DIRECTIONS))
    if meta.language is not None and not _is_language_code(meta.language):
        raise MetadataError(
            N_("%(source)s: language %(value)s is not a two-letter code such as pl or en"),
            source=source, value=repr(meta.language))
    if meta.started_at is not None and meta.started_at.tzinfo is None:
        raise MetadataError(N_("%(source)s: started_at %(value)s has no time zone offset"),
                            source=source, value=str(meta.started_at))


def sidecar_for(recording: Path) -> Path | None:
    """`call.wav.json` or `call.json` beside the recording, if there is one."""
    candidates = (recording.with_name(recording.name + ".json"), recording.with_suffix(".json"))
    for candidate in candidates:
        if candidate.is_file() and candidate != recording:
            return candidate
    return None


def read_sidecar(path: Path) -> CallMetadata:
    return parse_metadata(_load_json_object(_read_utf8(path), str(path)), str(path))


@dataclass(frozen=True)
class ManifestEntry:
    """One line of a JSONL manifest: the recording, its call metadata, and the whole object
    (a test manifest adds the reference `timing` and the ground truth `expect`)."""

    recording: Path
    metadata: CallMetadata
    data: dict[str, Any]
    source: str  # "manifest.jsonl:3", for messages

    @property
    def call_id(self) -> str:
        return self.metadata.external_id or self.source

    @property
    def expect(self) -> dict[str, Any]:
        expect = self.data.get("expect")
        return expect if isinstance(expect, dict) else {}

    def reference_transcript(self) -> Transcript:
        """What was said, by whom and when (`timing`): speakers known even for mono audio."""
        if not self.metadata.language:
            raise MetadataError(f"{self.source}: no 'language' for the reference transcript")
        return transcript_from_timing(self.data, self.metadata.language,
                                      f"{self.source} ({self.call_id})")


def read_manifest_entries(path: Path) -> list[ManifestEntry]:
    """Every call of a JSONL manifest (blank lines skipped); `file` is relative to it."""
    entries = []
    for number, line in enumerate(_read_utf8(path).splitlines(), start=1):
        if not line.strip():
            continue
        source = f"{path}:{number}"
        data = _load_json_object(line, source)
        if not data.get("file"):
            raise MetadataError(f"{source}: no 'file' field")
        entries.append(ManifestEntry(path.parent / data["file"], parse_metadata(data, source),
                                     data, source))
    return entries


def read_manifest(path: Path) -> Iterator[tuple[Path, CallMetadata]]:
    """(recording path, metadata) per manifest call: what ingest needs of it."""
    for entry in read_manifest_entries(path):
        yield entry.recording, entry.metadata


def transcript_metadata(path: Path) -> CallMetadata:
    """Metadata inside a transcript file that is a JSON object (a manifest entry, say)."""
    try:
        data = json.loads(_read_utf8(path))
    except json.JSONDecodeError:
        return CallMetadata()  # the transcript reader reports what is wrong with the file
    return parse_metadata(data, str(path)) if isinstance(data, dict) else CallMetadata()


def _read_utf8(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise MetadataError(f"{path}: not UTF-8 text (save it as UTF-8)") from exc


def _load_json_object(text: str, source: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MetadataError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(data, dict):
        raise MetadataError(f"{source}: expected a JSON object")
    return data


def _section(data: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise MetadataError(f"{source}: '{key}' must be an object with id/name or phone/name")
    return value


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def _test_call(data: dict[str, Any], source: str) -> bool | None:
    """`test_call` or `mystery_shopper`: true or false (JSON, or the words of a form)."""
    found = None
    for key in ("test_call", "mystery_shopper"):
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, bool):
            flag = value
        elif isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
            flag = value.strip().lower() in _TRUE
        else:
            raise MetadataError(N_("%(source)s: %(key)s %(value)s is not true or false"),
                                source=source, key=key, value=repr(value))
        found = bool(found) or flag
    return found


def _parse_time(value: Any, source: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise MetadataError(N_("%(source)s: started_at %(value)s is not an ISO 8601 time"),
                            source=source, value=repr(value)) from exc


def _is_language_code(code: str) -> bool:
    return code == AUTO_LANGUAGE or (len(code) in (2, 3) and code.isalpha() and code.islower())


def customer_key(meta: CallMetadata, country_code: str) -> str | None:
    """Who the customer is, for linking their contacts: a customer id, else the E.164 phone."""
    if meta.customer_id:
        return f"id:{meta.customer_id}"
    return normalize_phone(meta.customer_phone, country_code)
