"""The first Polish call on a machine waits for the Polish lemma index to be built (about
30 s, once): it sat 57 s with no output. Now the console and the log say so, with progress."""
from __future__ import annotations

import json
import os
import subprocess
import sys


def test_the_first_polish_call_says_the_lemma_index_is_being_built(tmp_path, manifest):
    db_url = f"sqlite:///{tmp_path / 'callqa.db'}"  # the index is per machine, not database
    polish = next(entry for entry in manifest.values() if entry.get("language") == "pl")
    transcript = tmp_path / "call.json"
    transcript.write_text(json.dumps(polish, ensure_ascii=False), encoding="utf-8")
    env = dict(os.environ, CALLQA_DATABASE_URL=db_url, CALLQA_HOME=str(tmp_path / "home"),
               CALLQA_MODEL_CACHE_DIR=str(tmp_path / "fresh-cache"))  # no index built yet

    def ingest() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "callqa", "ingest", "--transcript",
                               str(transcript), "--language", "pl"],
                              env=env, capture_output=True, text=True, timeout=600)
    first = ingest()
    assert first.returncode == 0, first.stderr
    said = [line for line in first.stderr.splitlines() if "Polish lemma index" in line]
    assert "building the Polish lemma index" in said[0] and "once per machine" in said[0]
    assert any("% of the tables read" in line for line in said), said
    assert "sorting and indexing" in said[-2] and "built in" in said[-1], said
    assert first.stdout.strip().endswith("1 done")
    transcript.write_text(json.dumps({**polish, "id": "again"}, ensure_ascii=False) + " ",
                          encoding="utf-8")
    second = ingest()  # built: nothing to say
    assert "Polish lemma index" not in second.stderr
