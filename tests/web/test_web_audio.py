"""The recording is served through an authenticated route with Range support, so a browser's
audio player can seek."""
from __future__ import annotations

from webtools import SAMPLES, session_browser


def test_range_requests(app, world):
    recording = (SAMPLES / "cen025.flac").read_bytes()
    size = len(recording)
    agent = session_browser(app, world.users["agent"])
    url = f"/calls/{world.audio['cen025']}/audio"

    full = agent.get(url)
    assert full.status_code == 200 and full.data == recording
    assert full.headers["Accept-Ranges"] == "bytes" and full.mimetype == "audio/flac"
    assert full.headers["Cache-Control"] == "no-store"

    part = agent.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{size}"
    assert part.data == recording[100:200] and part.headers["Content-Length"] == "100"

    tail = agent.get(url, headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.data == recording[-50:]
    assert tail.headers["Content-Range"] == f"bytes {size - 50}-{size - 1}/{size}"

    open_ended = agent.get(url, headers={"Range": f"bytes={size - 10}-"})
    assert open_ended.status_code == 206 and open_ended.data == recording[-10:]

    beyond = agent.get(url, headers={"Range": f"bytes={size + 10}-{size + 20}"})
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == f"bytes */{size}"


def test_the_player_is_on_the_call_page_only_with_a_recording(app, world):
    supervisor = session_browser(app, world.users["supervisor"])
    call_id = world.audio["cen025"]
    page = supervisor.get(f"/calls/{call_id}").get_data(as_text=True)
    assert f'<audio id="player" controls preload="metadata" src="/calls/{call_id}/audio">' in page
    transcript_only = supervisor.get(f"/calls/{world.own_call}").get_data(as_text=True)
    assert 'id="player"' not in transcript_only and 'id="no-recording"' in transcript_only
    assert supervisor.get(f"/calls/{world.own_call}/audio").status_code == 404


def test_a_missing_file_is_404_not_an_error(app, world):
    settings = app.config["CALLQA_SETTINGS"]
    for path in settings.recordings_dir.rglob("*.mp3"):
        path.unlink()
    supervisor = session_browser(app, world.users["supervisor"])
    assert supervisor.get(f"/calls/{world.audio['cen028']}/audio").status_code == 404
