"""The inbox takes a recording only once it and its sidecar have stopped changing."""
import json
import os
import shutil
from pathlib import Path

from sqlalchemy import func, select

from callqa.models import Call, CallStatus
from callqa.services.inbox import InboxWatcher


def _watcher(sessions, settings, inbox: Path) -> InboxWatcher:
    inbox.mkdir(exist_ok=True)
    return InboxWatcher(sessions, settings, inbox)


def _calls(sessions) -> list[Call]:
    with sessions() as session:
        return list(session.scalars(select(Call).order_by(Call.id)))


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def _touch_later(path: Path) -> None:
    """Move the modification time on, as a writer would (some file systems tick coarsely)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_a_file_still_growing_is_ingested_only_once_it_stops(sessions, settings, samples,
                                                              tmp_path):
    inbox = tmp_path / "inbox"
    watcher = _watcher(sessions, settings, inbox)
    audio = (samples / "cpl005.wav").read_bytes()
    target = inbox / "cpl005.wav"
    target.write_bytes(audio[: len(audio) // 2])

    first = watcher.scan()
    assert (first.seen, first.waiting, first.outcomes) == (1, 1, [])
    with open(target, "ab") as stream:
        stream.write(audio[len(audio) // 2:])
    second = watcher.scan()
    assert (second.waiting, second.outcomes) == (1, [])  # it changed since the first scan
    assert _calls(sessions) == []

    third = watcher.scan()
    assert [o.status for o in third.outcomes] == [CallStatus.QUEUED]
    [call] = _calls(sessions)
    assert call.size_bytes == len(audio) and call.duration_s > 39
    assert _tree(inbox) == {"ingested/cpl005.wav"}
    assert watcher.scan().seen == 0  # ingested/ is not scanned again


def test_a_sidecar_still_changing_holds_its_recording_back(sessions, settings, samples, tmp_path):
    inbox = tmp_path / "inbox"
    watcher = _watcher(sessions, settings, inbox)
    shutil.copy(samples / "cen028.mp3", inbox)
    sidecar = inbox / "cen028.mp3.json"
    sidecar.write_text('{"agent": {"id": "A11"}')  # half written
    assert watcher.scan().outcomes == []

    sidecar.write_text(json.dumps({"agent": {"id": "A11", "name": "John Carter"},
                                   "language": "en", "layout": "agent-right"}))
    _touch_later(sidecar)
    assert watcher.scan().outcomes == []  # the recording is settled, its sidecar is not

    assert [o.status for o in watcher.scan().outcomes] == [CallStatus.QUEUED]
    with sessions() as session:
        call = session.scalars(select(Call)).one()
        assert (call.language, call.channel_layout, call.agent.name) == (
            "en", "agent-right", "John Carter")
    assert _tree(inbox) == {"ingested/cen028.mp3", "ingested/cen028.mp3.json"}


def test_unusable_metadata_parks_the_recording_in_failed_with_its_reason(
        sessions, settings, samples, tmp_path):
    inbox = tmp_path / "inbox"
    watcher = _watcher(sessions, settings, inbox)
    shutil.copy(samples / "cpl004.flac", inbox)
    (inbox / "cpl004.json").write_text('{"layout": "sideways"}')
    watcher.scan()
    result = watcher.scan()
    assert result.outcomes == [] and len(result.rejected) == 1
    assert _calls(sessions) == []
    assert _tree(inbox) == {"failed/cpl004.flac", "failed/cpl004.json",
                            "failed/cpl004.flac.error.txt"}
    reason = (inbox / "failed" / "cpl004.flac.error.txt").read_text()
    assert "layout 'sideways' is not one of" in reason


def test_bad_audio_is_stored_as_a_failed_call_and_moved_to_ingested(sessions, settings, tmp_path):
    inbox = tmp_path / "inbox"
    watcher = _watcher(sessions, settings, inbox)
    (inbox / "notes.wav").write_text("this is not audio\n")
    watcher.scan()
    assert [o.status for o in watcher.scan().outcomes] == [CallStatus.FAILED]
    [call] = _calls(sessions)
    assert call.status == CallStatus.FAILED and call.error
    assert _tree(inbox) == {"ingested/notes.wav"}


def test_subfolders_names_in_use_and_duplicates(sessions, settings, samples, tmp_path):
    inbox = tmp_path / "inbox"
    watcher = _watcher(sessions, settings, inbox)
    (inbox / "site-a").mkdir()
    shutil.copy(samples / "cen025.flac", inbox / "site-a" / "call.flac")
    (inbox / "site-a" / "call.flac.json").write_text('{"queue": "card"}')
    (inbox / "readme.txt").write_text("not a recording")
    watcher.scan()
    assert [o.status for o in watcher.scan().outcomes] == [CallStatus.QUEUED]

    # A later, different recording of the same name, and the first one's audio again.
    shutil.copy(samples / "cpl004.flac", inbox / "site-a" / "call.flac")
    (inbox / "site-a" / "call.flac.json").write_text('{"queue": "dostawa"}')
    shutil.copy(samples / "cen025.flac", inbox / "again.flac")
    watcher.scan()
    outcomes = watcher.scan().outcomes
    assert sorted(o.status for o in outcomes) == ["duplicate", CallStatus.QUEUED]
    assert len(_calls(sessions)) == 2
    assert _tree(inbox) == {
        "readme.txt", "ingested/again.flac",
        "ingested/site-a/call.flac", "ingested/site-a/call.flac.json",
        "ingested/site-a/call-1.flac", "ingested/site-a/call-1.flac.json",
    }
    assert json.loads((inbox / "ingested/site-a/call-1.flac.json").read_text()) == {
        "queue": "dostawa"}
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 2


def test_a_sidecar_that_is_not_utf8_is_unusable_metadata(sessions, settings, samples, tmp_path):
    inbox = tmp_path / "inbox"
    watcher = _watcher(sessions, settings, inbox)
    shutil.copy(samples / "cen028.mp3", inbox)
    (inbox / "cen028.mp3.json").write_bytes('{"agent_name": "Łukasz"}'.encode("cp1250"))
    watcher.scan()
    assert len(watcher.scan().rejected) == 1 and _calls(sessions) == []
    reason = (inbox / "failed" / "cen028.mp3.error.txt").read_text()
    assert "cen028.mp3.json: not UTF-8 text" in reason
