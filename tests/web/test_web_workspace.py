"""The call page as a workspace, through the Flask client: comments pinned to moments (who may
write and read them), the timeline drawn from the call's own data, items as compact rows
(who decided, the machine's original verdict and reasoning), match descriptions instead of a
raw confidence, and the scorecard named without its hash."""
from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select
from webtools import session_browser

from callqa.models import Call, CallComment, Redaction
from callqa.qa.metadata import transcript_metadata
from callqa.services.ingest import ingest_transcript
from callqa.services.reviewing import parse_moment


def _comments(session, call_id: int) -> list[CallComment]:
    session.expire_all()
    return list(session.scalars(select(CallComment).where(CallComment.call_id == call_id)
                                .order_by(CallComment.id)))


def test_a_pinned_comment_is_shown_to_the_calls_agent_only(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    own = world.own_call
    response = supervisor.post(f"/calls/{own}/comments",
                               data={"at": "0:07,5", "text": "Say your name first."})
    assert response.status_code == 303
    [comment] = _comments(session, own)
    assert response.location.endswith(f"/calls/{own}#comment-{comment.id}")
    assert comment.at_s == 7.5 and comment.author_id == world.users["supervisor"]

    html = supervisor.get(f"/calls/{own}").get_data(as_text=True)
    assert f'<li class="pinned-comment" id="comment-{comment.id}" data-at="7.5">' in html
    assert f'data-anchor="comment-{comment.id}"' in html  # a marker on the timeline
    assert 'id="comment-form"' in html

    agent = session_browser(app, world.users["agent"])  # John Carter, the call's agent
    html = agent.get(f"/calls/{own}").get_data(as_text=True)
    assert "Say your name first." in html and f'id="comment-{comment.id}"' in html
    assert 'id="comment-form"' not in html
    assert agent.post(f"/calls/{own}/comments", data={"at": "0:01", "text": "x"}
                      ).status_code == 403
    assert len(_comments(session, own)) == 1

    # another agent's call: its comments are nowhere an agent can reach
    supervisor.post(f"/calls/{world.other_call}/comments",
                    data={"at": "0:02", "text": "For Piotr only."})
    assert agent.get(f"/calls/{world.other_call}").status_code == 404
    for path in ("/my/calls", f"/calls/{own}"):
        assert "For Piotr only." not in agent.get(path).get_data(as_text=True)
    other_agent = session_browser(app, world.users["other_agent"])
    assert other_agent.get(f"/calls/{own}").status_code == 404
    assert "For Piotr only." in other_agent.get(
        f"/calls/{world.other_call}").get_data(as_text=True)


def test_a_comment_needs_text_and_a_moment_in_the_call(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    own = world.own_call
    duration = session.get(Call, own).duration_s
    refused = [
        ({"at": "0:05", "text": "  "}, "Write the comment first."),
        ({"at": "soon", "text": "Here."}, "Give the moment as m:ss."),
        ({"at": "", "text": "Here."}, "Give the moment as m:ss."),
        ({"at": f"{int(duration // 60) + 5}:00", "text": "Here."},
         "The moment is not in the call."),
        ({"at": "-0:05", "text": "Here."}, "The moment is not in the call."),
    ]
    for form, message in refused:
        response = supervisor.post(f"/calls/{own}/comments", data=form)
        assert response.status_code == 303 and response.location.endswith("#comments")
        page = supervisor.get(f"/calls/{own}").get_data(as_text=True)
        assert message in unescape(page), form
    assert _comments(session, own) == []
    polish = supervisor.post(f"/calls/{own}/comments", data={"at": "", "text": "Tu."},
                             headers={"Accept-Language": "pl"})
    assert polish.status_code == 303
    page = supervisor.get(f"/calls/{own}", headers={"Accept-Language": "pl"})
    assert "Podaj moment jako m:ss." in page.get_data(as_text=True)


def test_moments_are_read_as_m_ss_or_seconds():
    assert parse_moment("1:02", None) == 62
    assert parse_moment(" 0:05.5 ", 10) == 5.5
    assert parse_moment("12,5", None) == 12.5  # a Polish decimal comma
    assert parse_moment("00:35.3", 35.3) == 35.3


def test_the_timeline_is_drawn_from_the_call(app, world, session, tmp_path):
    supervisor = session_browser(app, world.users["supervisor"])
    call = session.get(Call, world.own_call)
    html = supervisor.get(f"/calls/{call.id}").get_data(as_text=True)
    assert 'data-lanes="agent customer"' in html
    speech = re.findall(r'<rect class="speech speaker-(\w+)" data-start="([\d.]+)"', html)
    assert [(s, float(t)) for s, t in speech] == [
        (u.speaker, u.start_s) for u in call.utterances]
    spans = re.findall(r'<rect class="span span-(\w+)"', html)
    metrics = call.score.metrics
    assert sorted(spans) == sorted(
        ["hold" if s["hold"] else "silence" for s in metrics["dead_air"]]
        + ["overtalk"] * len(metrics["overtalk"]))
    evidence = re.findall(r'<rect class="marker marker-evidence" data-kind="evidence" '
                          r'data-start="([\d.]+)" data-anchor="item-(\w+)"', html)
    expected = sorted((round(e["start"], 3), item.item_id) for item in call.score.items
                      for e in item.detail.get("evidence") or [] if e.get("counted", True))
    assert sorted((round(float(s), 3), i) for s, i in evidence) == expected and expected
    # the coaching moment of the world's note is marked too (add_teams gives it none: add one)
    supervisor.post(f"/calls/{call.id}/coaching",
                    data={"text": "Slower here.", "item_id": "greeting", "moments": "0:03"})
    html = supervisor.get(f"/calls/{call.id}").get_data(as_text=True)
    assert re.search(r'<rect class="marker marker-coaching" data-kind="coaching" '
                     r'data-start="3.0"', html)
    for kind in ("Speech", "Silence", "Hold", "Overtalk", "Evidence", "Redacted"):
        assert f"</span>{kind}</li>" in html  # the legend

    # a mono call: one lane, its speakers unknown
    path = tmp_path / "mono.json"
    path.write_text('{"id": "mono", "language": "en", "timing": ['
                    '{"speaker": "unknown", "start": 0.5, "end": 3, "text": "Good morning."},'
                    '{"speaker": "unknown", "start": 3.5, "end": 6, "text": "Hi."}]}')
    outcome = ingest_transcript(app.extensions["callqa_sessions"],
                                app.config["CALLQA_SETTINGS"], path, transcript_metadata(path))
    html = supervisor.get(f"/calls/{outcome.call_id}").get_data(as_text=True)
    assert 'data-lanes="unknown"' in html and 'class="speech speaker-unknown"' in html


def test_redacted_spans_are_markers(app, world, session, tmp_path):
    path = tmp_path / "card.json"
    path.write_text('{"id": "card", "language": "en", "timing": ['
                    '{"speaker": "agent", "start": 0.0, "end": 3.0, "text": "Your card?"},'
                    '{"speaker": "customer", "start": 3.5, "end": 9.0,'
                    ' "text": "Sure, it is 4539 1488 0343 6467, thanks."}]}')
    call_id = ingest_transcript(app.extensions["callqa_sessions"],
                                app.config["CALLQA_SETTINGS"], path,
                                transcript_metadata(path)).call_id
    redactions = list(session.scalars(select(Redaction).where(Redaction.call_id == call_id)))
    assert redactions
    html = session_browser(app, world.users["supervisor"]).get(
        f"/calls/{call_id}").get_data(as_text=True)
    markers = re.findall(r'<rect class="marker marker-redaction" data-kind="redaction" '
                         r'data-start="([\d.]+)"', html)
    assert sorted(float(m) for m in markers) == sorted(r.start_s for r in redactions)
    assert not re.search(r"4539|1488|0343|6467", html)


def test_items_are_compact_rows_with_who_decided(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    call = session.get(Call, world.own_call)
    html = supervisor.get(f"/calls/{call.id}").get_data(as_text=True)
    items = call.score.items
    # an imported transcript: no player, but the items' shortcuts and their legend
    assert 'id="player"' not in html and 'id="speed"' not in html
    assert 'id="shortcuts"' in html and "Fail the item" in html and "Play / pause" not in html
    # every override form is folded away until one changes the verdict
    assert html.count('<details class="change"') == len(items)
    assert html.count('class="override-form"') == len(items)
    assert html.count('data-decided-by="machine"') == len(items)
    assert "decided by the machine" in html
    # the scorecard by name and date, not by its hash
    scorecard = call.score.scorecard
    assert scorecard.version[:8] not in html
    assert re.search(rf'id="scorecard-version"[^>]*>scorecard “{scorecard.name}” of \d', html)
    # an exact match is called one, not given a "confidence"
    assert not re.search(r"confidence \d", unescape(html))
    assert "exact match of “" in html

    greeting = next(item for item in items if item.item_id == "greeting")
    assert greeting.verdict == "passed"
    reasoning = greeting.detail["explanation"]["en"]
    supervisor.post(f"/calls/{call.id}/items/greeting/override",
                    data={"verdict": "failed", "comment": "Not heard."})
    html = supervisor.get(f"/calls/{call.id}").get_data(as_text=True)
    row = html[html.index('id="item-greeting"'):html.index('id="change-greeting"')]
    assert 'data-verdict="failed"' in row and 'data-decided-by="person"' in row
    assert re.search(r"decided by supervisor, \d{4}-", row)
    assert "machine: Passed" in row
    # the machine's reasoning stays, marked as its original, not as the current verdict's
    assert 'class="explanation original"' in row
    assert "The machine's original reasoning (Passed):" in unescape(row)
    assert unescape(reasoning) in unescape(row)
    assert re.search(r"History \(1 change\)", row)

    agent = session_browser(app, world.users["agent"]).get(
        f"/calls/{call.id}").get_data(as_text=True)
    assert 'class="override-form"' not in agent and 'class="quick-verdict"' not in agent

    polish = supervisor.get(f"/calls/{call.id}", headers={"Accept-Language": "pl"})
    text = polish.get_data(as_text=True)
    assert "Pierwotne uzasadnienie systemu (Zaliczone):" in text
    assert "Oś czasu rozmowy" in text
    assert "dokładnie „" in text and "karta oceny „" in text
