"""`callqa tokens`: API tokens made, listed and revoked from the command line, as an
administrator without the web UI would."""
from __future__ import annotations

import os
import subprocess
import sys


def test_tokens_are_made_listed_and_revoked_from_the_command_line(settings):
    env = dict(os.environ, CALLQA_DATABASE_URL=settings.db_url, CALLQA_HOME=str(settings.home),
               CALLQA_MODEL_CACHE_DIR=str(settings.model_cache_dir))

    def callqa(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "callqa", *args], env=env, text=True,
                              capture_output=True, timeout=300)

    made = callqa("tokens", "create", "Survey tool", "--scope", "surveys")
    assert made.returncode == 0, made.stderr
    token = made.stdout.split(": ")[-1].strip()
    assert made.stdout.startswith("token 1 (Survey tool, surveys): cqa_")
    listed = callqa("tokens", "list")
    assert f"{token[:10]}…  Survey tool  [surveys]  active" in listed.stdout
    assert token not in listed.stdout
    revoked = callqa("tokens", "revoke", "1")
    assert revoked.stdout.strip() == "token 1 (Survey tool) revoked"
    assert "revoked 20" in callqa("tokens", "list").stdout
