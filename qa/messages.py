"""Messages that a UI translates: an English message id with named `%(name)s` parameters.

The domain (and the services above it) never translate; they mark message ids with `N_` so
`pybabel extract` finds them (babel.cfg lists `N_` as a keyword), and carry the parameters
next to the id, so the web can show `gettext(msgid) % params` in the reader's language while
the CLI and the logs keep the English text.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


def N_(msgid: str) -> str:
    """Marks `msgid` for extraction; returns it unchanged."""
    return msgid


@dataclass(frozen=True)
class Message:
    """A message id and its parameters; str() is the English text."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __str__(self) -> str:
        return format_message(self.msgid, self.params)


def format_message(text: str, params: Mapping[str, Any] | None) -> str:
    """`text % params`; a text without parameters is used as it is (as gettext does)."""
    return text % dict(params) if params else text


class MessageError(Exception):
    """An error whose reason is a translatable `Message`; str(e) is the English text."""

    def __init__(self, msgid: str, **params: Any) -> None:
        self.message = Message(msgid, MappingProxyType(dict(params)))
        super().__init__(str(self.message))
