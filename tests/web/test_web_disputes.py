"""An agent disputes an item; supervisors accept it (the verdict changes, audited as coming
from the dispute) or reject it with a reply the agent sees."""
from __future__ import annotations

from sqlalchemy import select
from webtools import session_browser

from callqa.models import Call, Dispute, ItemOverride
from callqa.services.reviewing import effective_verdicts


def _dispute(agent, call_id: int, item: str, verdict: str = "passed", comment: str = "I did."):
    return agent.post(f"/calls/{call_id}/items/{item}/dispute",
                      data={"verdict": verdict, "comment": comment})


def _open(session, call_id: int, item: str) -> Dispute:
    session.expire_all()
    return session.scalars(select(Dispute).where(
        Dispute.call_id == call_id, Dispute.item_id == item)).one()


def test_an_accepted_dispute_changes_the_verdict(app, world, session):
    call_id = world.calls["cen028"]
    agent = session_browser(app, world.users["agent"])
    supervisor = session_browser(app, world.users["supervisor"])
    session.delete(session.get(Dispute, world.dispute))  # start without the world's dispute
    session.commit()
    response = _dispute(agent, call_id, "anything_else", "passed", "I asked at 0:29.")
    assert response.status_code == 303
    dispute = _open(session, call_id, "anything_else")
    assert (dispute.status, dispute.requested_verdict, dispute.agent_user.username) == (
        "open", "passed", "agent")
    queue = supervisor.get("/disputes").get_data(as_text=True)
    assert f'id="dispute-{dispute.id}"' in queue and "I asked at 0:29." in queue
    response = supervisor.post(f"/disputes/{dispute.id}/accept",
                               data={"verdict": "passed", "reply": "Right, sorry."})
    assert response.status_code == 303 and response.location == "/disputes"
    dispute = _open(session, call_id, "anything_else")
    assert (dispute.status, dispute.reply, dispute.resolved_by.username) == (
        "accepted", "Right, sorry.", "supervisor")
    assert dispute.resolved_at is not None
    [override] = session.scalars(select(ItemOverride)).all()
    assert (override.source, override.dispute_id, override.old_verdict, override.new_verdict,
            override.user.username) == ("dispute", dispute.id, "failed", "passed", "supervisor")
    call = session.get(Call, call_id)
    assert effective_verdicts(session, call)["anything_else"] == "passed"
    assert call.score.score == 87.5  # 7 of 8: resolution_check is still failed
    page = agent.get(f"/calls/{call_id}").get_data(as_text=True)
    assert 'data-status="accepted"' in page and "Right, sorry." in page
    again = supervisor.post(f"/disputes/{dispute.id}/reject", data={"reply": "No."})
    assert "already resolved" in supervisor.get(again.location).get_data(as_text=True)
    assert _open(session, call_id, "anything_else").status == "accepted"


def test_a_rejected_dispute_needs_a_reply_and_keeps_the_verdict(app, world, session):
    call_id = world.calls["cen028"]
    supervisor = session_browser(app, world.users["supervisor"])
    response = supervisor.post(f"/disputes/{world.dispute}/reject", data={"reply": ""})
    assert "A reply is required" in supervisor.get(response.location).get_data(as_text=True)
    assert session.get(Dispute, world.dispute).status == "open"
    supervisor.post(f"/disputes/{world.dispute}/reject",
                    data={"reply": "The question came after the goodbye."})
    session.expire_all()
    dispute = session.get(Dispute, world.dispute)
    assert (dispute.status, dispute.reply) == ("rejected", "The question came after the goodbye.")
    assert session.scalars(select(ItemOverride)).all() == []
    assert effective_verdicts(session, session.get(Call, call_id))["anything_else"] == "failed"
    agent = session_browser(app, world.users["agent"])
    assert "The question came after the goodbye." in agent.get(
        f"/calls/{call_id}").get_data(as_text=True)


def test_only_a_failed_item_never_disputed_before_can_be_disputed(app, world, session):
    call_id = world.calls["cen028"]
    verdicts = effective_verdicts(session, session.get(Call, call_id))
    failed = [item for item, v in verdicts.items() if v == "failed" and item != "anything_else"]
    not_failed = [item for item, v in verdicts.items() if v != "failed"]
    assert failed and not_failed  # the sample has both
    agent = session_browser(app, world.users["agent"])
    page = agent.get(f"/calls/{call_id}").get_data(as_text=True)
    assert 'id="dispute-form-anything_else"' not in page  # already disputed in the world
    for item in failed:
        form = page[page.index(f'id="dispute-form-{item}"'):]
        form = form[:form.index("</form>")]
        assert 'value="failed"' not in form and 'value="passed"' in form  # no "Failed" default
    for item in not_failed:
        assert f'id="dispute-form-{item}"' not in page
    response = _dispute(agent, call_id, not_failed[0], "failed")  # the agent did not lose it
    assert "Only a failed item can be disputed." in agent.get(response.location).get_data(
        as_text=True)
    response = _dispute(agent, call_id, "anything_else")
    assert "already disputed" in agent.get(response.location).get_data(as_text=True)
    response = _dispute(agent, call_id, failed[0], "passed", "")
    assert "A comment is required." in agent.get(response.location).get_data(as_text=True)
    response = _dispute(agent, call_id, failed[0], "failed")
    assert "already has this verdict" in agent.get(response.location).get_data(as_text=True)
    session.expire_all()
    assert len(session.scalars(select(Dispute)).all()) == 1


def test_a_rejection_is_final(app, world, session):
    call_id = world.calls["cen028"]
    supervisor = session_browser(app, world.users["supervisor"])
    supervisor.post(f"/disputes/{world.dispute}/reject", data={"reply": "No."})
    agent = session_browser(app, world.users["agent"])
    assert 'id="dispute-form-anything_else"' not in agent.get(f"/calls/{call_id}").get_data(
        as_text=True)
    response = _dispute(agent, call_id, "anything_else", "passed", "Please look again.")
    assert "disputed already" in agent.get(response.location).get_data(as_text=True)
    session.expire_all()
    assert [d.status for d in session.scalars(select(Dispute))] == ["rejected"]


def test_the_queue_shows_the_agents_name_the_verdict_now_and_the_evidence(app, world, session):
    dispute = session.get(Dispute, world.dispute)
    call = session.get(Call, dispute.call_id)
    [item] = [i for i in call.score.items if i.item_id == dispute.item_id]
    supervisor = session_browser(app, world.users["supervisor"])
    queue = supervisor.get("/disputes").get_data(as_text=True)
    row = queue[queue.index(f'id="dispute-{dispute.id}"'):]
    row = row[:row.index("</tr>")]
    assert call.agent.name and f'<td class="agent-name">{call.agent.name}</td>' in row
    assert 'class="verdict-now"' in row and 'verdict-failed' in row.split('verdict-now')[1][:200]
    for evidence in item.detail.get("evidence") or []:
        assert f"#u-{evidence['utterance_index']}" in row
    if not item.detail.get("evidence"):
        assert "No evidence: nothing matched." in row


def test_accepting_with_another_verdict_and_the_open_queue(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    supervisor.post(f"/disputes/{world.dispute}/accept", data={"verdict": "not_applicable"})
    session.expire_all()
    [override] = session.scalars(select(ItemOverride)).all()
    assert override.new_verdict == "not_applicable"
    queue = supervisor.get("/disputes").get_data(as_text=True)
    assert "No open disputes." in queue and 'id="resolved-disputes-table"' in queue


def test_the_history_names_an_accepted_dispute_with_a_noun_in_polish(app, world, session):
    supervisor = session_browser(app, world.users["supervisor"])
    supervisor.post(f"/disputes/{world.dispute}/accept", data={"reply": ""})
    assert supervisor.post("/language", data={"lang": "pl"}).status_code == 303
    page = supervisor.get(f"/calls/{world.calls['cen028']}").get_data(as_text=True)
    assert "(Odwołanie)" in page and "(Odwołaj się)" not in page
