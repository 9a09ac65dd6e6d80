"""The `callqa` command end to end, as a user runs it: its own process, real files."""
import json
import os
import re
import signal
import subprocess
import sys

import pytest
from httptools import HttpUser, signed_in_as, wait_for_line


def _callqa(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "callqa", *args], env=_env(settings), text=True,
                          capture_output=True, timeout=300)


def _env(settings) -> dict[str, str]:
    return dict(os.environ, CALLQA_DATABASE_URL=settings.db_url, CALLQA_HOME=str(settings.home),
                CALLQA_MODEL_CACHE_DIR=str(settings.model_cache_dir))


def test_ingest_process_show(settings, samples, corpus):
    ingest = _callqa(settings, "ingest", "--manifest", str(samples / "manifest.jsonl"))
    assert ingest.returncode == 0, ingest.stderr
    assert ingest.stdout.strip().endswith("4 queued")

    again = _callqa(settings, "ingest", str(samples / "cen028.mp3"), str(corpus / "bad"),
                    "--language", "en")
    assert again.returncode == 0, again.stderr
    assert "duplicate call 4" in " ".join(again.stdout.split())
    assert "failed" in again.stdout and "empty file (0 bytes)" in again.stdout

    process = _callqa(settings, "process", "--no-progress")
    assert process.returncode == 0, process.stderr
    assert "processed 6 calls" in process.stdout and "4 done, 2 no_speech" in process.stdout

    show = _callqa(settings, "show", "4")
    assert show.returncode == 0, show.stderr
    lines = show.stdout.splitlines()
    assert lines[0].startswith("call 4  cen028.mp3  status: done")
    assert any("   agent: " in line for line in lines)
    assert any("customer: " in line and line.startswith("[") for line in lines)

    mono = _callqa(settings, "show", "2")
    assert "mono recording: both parties on one track, speakers unknown" in mono.stdout
    assert " unknown: " in mono.stdout
    assert "talk ratio agent/customer: n/a (mono)  overtalk: n/a (mono)" in mono.stdout
    assert "None" not in mono.stdout

    listing = _callqa(settings, "calls", "--status", "failed")
    assert "empty.wav  empty file (0 bytes)" in listing.stdout


def test_clear_errors_for_bad_usage(settings, tmp_path):
    usage = _callqa(settings, "ingest").stderr
    assert "give recordings, folders, --manifest or --transcript" in usage
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"file": "x.wav", "layout": "sideways"}\n')
    bad = _callqa(settings, "ingest", "--manifest", str(manifest))
    assert bad.returncode != 0 and "layout 'sideways' is not one of" in bad.stderr
    missing = _callqa(settings, "show", "999")
    assert missing.returncode != 0 and "no call 999" in missing.stderr


def test_eval_on_reference_transcripts_meets_the_100_percent_target(settings, corpus):
    result = _callqa(settings, "eval", "--manifest", str(corpus / "manifest.jsonl"),
                     "--reference", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"greeting", "thanks", "goodbye", "hold", "fcr", "repeat_within_7d_same_topic",
            "repeat_within_7d_any_topic"} <= set(report["items"])
    for item, measures in report["items"].items():
        assert measures["n"] == 32 and measures["accuracy"] == 1.0, item
        assert set(measures["by_language"]) == {"pl", "en"}
    assert report["misses"] == []


def test_transcripts_rescore_and_fcr_report(settings, corpus, tmp_path):
    entries = [json.loads(line) for line in (corpus / "manifest.jsonl").read_text().splitlines()]
    files = []
    for entry in entries[:4]:
        files += ["--transcript", str(tmp_path / f"{entry['id']}.json")]
        (tmp_path / f"{entry['id']}.json").write_text(json.dumps(entry, ensure_ascii=False))
    ingest = _callqa(settings, "ingest", *files)
    assert ingest.returncode == 0, ingest.stderr
    assert ingest.stdout.strip().endswith("4 done")
    show = _callqa(settings, "show", "1")
    assert "source: imported transcript (no recording)" in show.stdout
    assert "FCR: not_fcr (callback promised; repeat call 2 on 2026-11-06)" in show.stdout
    assert "passed  greeting" in show.stdout
    rescore = _callqa(settings, "rescore")
    assert "re-scored 4 calls with scorecard default" in rescore.stdout
    report = _callqa(settings, "report", "fcr", "--by", "queue", "--json")
    rows = {row["group"]: row for row in json.loads(report.stdout)}
    assert rows["reklamacja"] == {"group": "reklamacja", "calls": 2, "fcr": 1, "not_fcr": 1,
                                  "pending": 0, "rate": 0.5}
    assert rows["total"]["calls"] == 4
    weekly = _callqa(settings, "report", "fcr", "--by", "week", "--json")
    assert [row["group"] for row in json.loads(weekly.stdout)] == ["2026-W45", "total"]
    table = _callqa(settings, "report", "fcr", "--by", "agent").stdout.splitlines()
    assert table[0].split() == ["agent", "calls", "fcr", "not_fcr", "pending", "rate"]
    assert table[-1].split()[:2] == ["total", "4"]


# The main job runs on the embedded defaults; the same pipeline on PostgreSQL is
# test_ingest_process_show's.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_demo_twice_keeps_its_accounts_and_serves_the_ui(settings):
    first = _callqa(settings, "demo", "--no-serve")
    assert first.returncode == 0, first.stderr
    assert "4 queued" in first.stdout and "processed 4 calls" in first.stdout
    assert first.stdout.count("status: done") == 4
    accounts = dict(re.findall(r"^  (demo-\S+) .* password: (\S+)$", first.stdout, re.M))
    assert set(accounts) == {"demo-admin", "demo-supervisor", "demo-john", "demo-piotr"}
    assert "demo-john        agent John Carter (A11)" in first.stdout
    assert "serve the review UI with: callqa serve" in first.stdout

    second = _callqa_process(settings, "demo", "--port", "0")
    try:
        base = wait_for_line(second, r"review UI on (http://\S+?)/? ").group(1)
        output = "".join(second.lines)
        assert "4 duplicate" in output and "processed 0 calls" in output
        assert output.count("password: unchanged") == 4
        supervisor = HttpUser(base)
        calls = supervisor.login("demo-supervisor", accounts["demo-supervisor"])
        assert calls.url.endswith("/calls") and signed_in_as(calls) == "demo-supervisor"
        assert calls.text.count('class="call-row"') == 4
        agent = HttpUser(base)
        own = agent.login("demo-john", accounts["demo-john"])
        assert own.url.endswith("/my/calls") and signed_in_as(own) == "demo-john"
        assert HttpUser(base).login("demo-admin", "not the password").status == 401
        assert signed_in_as(HttpUser(base).login("demo-admin", accounts["demo-admin"]))
    finally:
        second.send_signal(signal.SIGINT)
        assert second.wait(timeout=30) == 0


def _callqa_process(settings, *args: str) -> subprocess.Popen:
    """`callqa` running in the background, its output (stderr too) on `stdout`."""
    return subprocess.Popen([sys.executable, "-m", "callqa", *args], env=_env(settings), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
