"""Helpers for the API tests: tokens of given scopes, and a client that sends one."""
from __future__ import annotations

from flask import Flask

from callqa.services.integrations import create_token


def make_token(app: Flask, *scopes: str, name: str = "integration") -> str:
    with app.extensions["callqa_sessions"].begin() as session:
        return create_token(session, name, scopes)[1]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
