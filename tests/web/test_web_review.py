"""Supervisors' decisions through the web: verdict overrides with their audit trail and the
recomputed score (also after re-scoring), reviews, feedback and its acknowledgement."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from webtools import feedback_of, item_results, session_browser

from callqa.models import Call, CallReview, ItemOverride, utcnow
from callqa.services.reviewing import effective_verdicts, machine_score
from callqa.services.score_store import rules_for, score_call


def _override(browser, call_id: int, item: str, verdict: str, comment: str = "Heard it."):
    return browser.post(f"/calls/{call_id}/items/{item}/override",
                        data={"verdict": verdict, "comment": comment})


def test_an_override_is_audited_and_recomputes_the_score(app, world, session):
    call_id = world.calls["cen028"]  # anything_else and resolution_check failed: 6 of 8
    call = session.get(Call, call_id)
    assert call.score.score == 75.0 and item_results(session, call_id)["anything_else"] == "failed"
    supervisor = session_browser(app, world.users["supervisor"])
    before = utcnow()
    response = _override(supervisor, call_id, "anything_else", "passed", "Offered help at 0:29.")
    assert response.status_code == 303
    assert response.location == f"/calls/{call_id}#item-anything_else"
    session.expire_all()
    [row] = session.scalars(select(ItemOverride)).all()
    assert (row.call_id, row.item_id, row.old_verdict, row.new_verdict, row.source) == (
        call_id, "anything_else", "failed", "passed", "override")
    assert row.comment == "Offered help at 0:29." and row.user.username == "supervisor"
    assert before - timedelta(seconds=1) <= row.created_at <= utcnow()
    call = session.get(Call, call_id)
    assert call.score.score == 87.5
    assert item_results(session, call_id)["anything_else"] == "failed"  # the machine's, kept
    assert machine_score(call).value == 75.0
    page = supervisor.get(f"/calls/{call_id}").get_data(as_text=True)
    assert 'data-verdict="passed" data-machine-verdict="failed"' in page
    assert 'id="machine-score"' in page and "Offered help at 0:29." in page


def test_every_change_is_kept_and_the_latest_one_counts(app, world, session):
    call_id = world.calls["cen028"]
    supervisor = session_browser(app, world.users["supervisor"])
    admin = session_browser(app, world.users["admin"])
    assert _override(supervisor, call_id, "anything_else", "passed").status_code == 303
    assert _override(admin, call_id, "anything_else", "not_applicable").status_code == 303
    session.expire_all()
    rows = session.scalars(select(ItemOverride).order_by(ItemOverride.id)).all()
    assert [(r.old_verdict, r.new_verdict, r.user.username) for r in rows] == [
        ("failed", "passed", "supervisor"), ("passed", "not_applicable", "admin")]
    call = session.get(Call, call_id)
    assert effective_verdicts(session, call)["anything_else"] == "not_applicable"
    assert call.score.score == 85.7 and call.score.applicable_weight == 7


def test_a_comment_is_required_and_a_verdict_must_change(app, world, session):
    call_id = world.calls["cen028"]
    supervisor = session_browser(app, world.users["supervisor"])
    response = _override(supervisor, call_id, "anything_else", "passed", "   ")
    assert response.status_code == 303
    assert "A comment is required." in supervisor.get(response.location).get_data(as_text=True)
    assert _override(supervisor, call_id, "anything_else", "failed").status_code == 303
    assert _override(supervisor, call_id, "anything_else", "excellent").status_code == 303
    assert session.scalars(select(ItemOverride)).all() == []


def test_a_failed_critical_item_caps_the_score(app, world, session):
    call_id = world.calls["cen025"]  # everything passed but resolution_check: 87.5
    supervisor = session_browser(app, world.users["supervisor"])
    _override(supervisor, call_id, "forbidden_phrases", "failed", "Rude at 0:20.")
    session.expire_all()
    score = session.get(Call, call_id).score
    assert (score.score, score.flagged, score.capped) == (50.0, True, True)
    _override(supervisor, call_id, "greeting", "review", "Not sure.")
    session.expire_all()
    assert session.get(Call, call_id).score.needs_review


def test_overrides_survive_rescoring(app, world, session):
    call_id = world.calls["cen028"]
    supervisor = session_browser(app, world.users["supervisor"])
    _override(supervisor, call_id, "anything_else", "passed")
    settings = app.config["CALLQA_SETTINGS"]
    with app.extensions["callqa_sessions"].begin() as rescoring:
        score_call(rescoring, rescoring.get(Call, call_id), rules_for(settings))
    session.expire_all()
    call = session.get(Call, call_id)
    assert item_results(session, call_id)["anything_else"] == "failed"  # recomputed by machine
    assert effective_verdicts(session, call)["anything_else"] == "passed"
    assert call.score.score == 87.5  # 7 of 8 (the machine's 75.0)
    listed = supervisor.get("/calls?score_min=87.5").get_data(as_text=True)
    assert f'data-call-id="{call_id}"' in listed  # the list filters on the effective score


def test_mark_reviewed_and_filter_the_list_by_it(app, world, session):
    call_id = world.calls["cen025"]
    supervisor = session_browser(app, world.users["supervisor"])
    assert supervisor.post(f"/calls/{call_id}/reviewed", data={"reviewed": "1"}).status_code == 303
    review = session.get(CallReview, call_id)
    assert review.reviewed_by.username == "supervisor"
    reviewed = supervisor.get("/calls?reviewed=1").get_data(as_text=True)
    assert reviewed.count('class="call-row"') == 1 and f'data-call-id="{call_id}"' in reviewed
    not_reviewed = supervisor.get("/calls?reviewed=0").get_data(as_text=True)
    assert f'data-call-id="{call_id}"' not in not_reviewed
    assert not_reviewed.count('class="call-row"') == len(world.calls) + len(world.audio) - 1
    supervisor.post(f"/calls/{call_id}/reviewed", data={"reviewed": "0"})
    session.expire_all()
    assert session.get(CallReview, call_id) is None


def test_feedback_reaches_the_agent_who_acknowledges_it(app, world, session):
    call_id = world.own_call
    supervisor = session_browser(app, world.users["supervisor"])
    response = supervisor.post(f"/calls/{call_id}/feedback",
                               data={"text": "Use the customer's name <b>more</b>."})
    assert response.status_code == 303
    agent = session_browser(app, world.users["agent"])
    mine = agent.get("/my/calls").get_data(as_text=True)
    assert "Use the customer&#39;s name &lt;b&gt;more&lt;/b&gt;." in mine  # escaped
    page = agent.get(f"/calls/{call_id}").get_data(as_text=True)
    assert f'id="acknowledge-{world.own_feedback}"' in page
    assert 'id="feedback-form"' not in page and 'class="override-form"' not in page
    assert agent.post(f"/feedback/{world.own_feedback}/acknowledge").status_code == 303
    assert feedback_of(session, world.own_feedback).acknowledged_at is not None
    other = session_browser(app, world.users["other_agent"])
    assert other.post(f"/feedback/{world.own_feedback}/acknowledge").status_code == 404


def test_feedback_needs_text(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    response = supervisor.post(f"/calls/{world.own_call}/feedback", data={"text": " "})
    assert "Write the feedback first." in supervisor.get(response.location).get_data(as_text=True)


def test_the_failed_item_filter_follows_overrides(app, world, session):
    call_id = world.calls["cen028"]
    supervisor = session_browser(app, world.users["supervisor"])

    def listed() -> bool:
        html = supervisor.get("/calls?failed_item=anything_else").get_data(as_text=True)
        return f'data-call-id="{call_id}"' in html

    assert listed()
    _override(supervisor, call_id, "anything_else", "passed", "Offered help at 0:29.")
    assert not listed()
    score_call(session, session.get(Call, call_id), rules_for(app.config["CALLQA_SETTINGS"]))
    session.commit()
    assert not listed()  # re-scoring keeps the override in force
