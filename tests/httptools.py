"""Talking to a served review UI over real HTTP, as a browser without JavaScript would, and
running the servers the tests start."""
from __future__ import annotations

import http.cookiejar
import queue
import re
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Page:
    url: str
    status: int
    text: str


class HttpUser:
    """A cookie-keeping client of a served UI at `base` (e.g. http://127.0.0.1:8000)."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> Page:
        return self._open(urllib.request.Request(self.base + path))

    def post_form(self, path: str, fields: dict[str, str]) -> Page:
        """Post a form with the CSRF token of the page it is on (redirects are followed)."""
        token = csrf_token(self.get(path).text)
        data = urllib.parse.urlencode({"csrf_token": token, **fields}).encode()
        return self._open(urllib.request.Request(self.base + path, data=data))

    def login(self, username: str, password: str) -> Page:
        return self.post_form("/login", {"username": username, "password": password})

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=30) as response:
                return Page(response.url, response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Page(error.url, error.code, error.read().decode())


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def signed_in_as(page: Page) -> str | None:
    match = re.search(r'id="current-user" data-username="([^"]+)"', page.text)
    return match.group(1) if match else None


def wait_for_line(process: subprocess.Popen, pattern: str, timeout_s: float = 120) -> re.Match:
    """Read the process's output until a line matches `pattern`; a thread goes on reading
    (so the pipe never fills) into `process.lines`."""
    process.lines = []
    found: queue.Queue[re.Match | None] = queue.Queue()

    def read() -> None:
        for line in process.stdout:
            process.lines.append(line)
            match = re.search(pattern, line)
            if match:
                found.put(match)
        found.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        match = found.get(timeout=timeout_s)
    except queue.Empty:
        match = None
    assert match, f"no line matching {pattern!r} in:\n{''.join(process.lines)}"
    return match


def wait_until_up(base: str, process: subprocess.Popen, timeout_s: float = 60) -> None:
    """Poll the login page until the server answers."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server exited with {process.returncode}"
        try:
            with urllib.request.urlopen(base + "/login", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{base} did not come up in {timeout_s} s")
