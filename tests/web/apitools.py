"""Helpers for the API tests: tokens of given scopes, their header, and the app served on
localhost."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import make_server

from callqa.services.integrations import create_token


def make_token(app: Flask, *scopes: str, name: str = "integration",
               teams: tuple[str, ...] = ()) -> str:
    with app.extensions["callqa_sessions"].begin() as session:
        return create_token(session, name, scopes, teams=teams)[1]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """The app served over real HTTP on localhost (a thread per request): its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
