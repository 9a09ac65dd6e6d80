"""Throttling of password guessing, on a real database with an injected clock."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from callqa.models import LoginFailure
from callqa.services.login_throttle import (
    ThrottlePolicy,
    clear_failures,
    record_failure,
    wait_seconds,
)

POLICY = ThrottlePolicy(window_s=600, per_account=3, per_address=5)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def fail(session, username, address, at):
    record_failure(session, username, address, POLICY, now=at)
    session.commit()


def test_one_account_from_one_address_waits_after_its_limit(sessions):
    with sessions() as session:
        for minute in range(2):
            fail(session, "anna", "10.0.0.1", T0 + timedelta(minutes=minute))
        assert wait_seconds(session, "anna", "10.0.0.1", POLICY, now=T0 + timedelta(minutes=3)) == 0
        fail(session, "Anna ", "10.0.0.1", T0 + timedelta(minutes=3))  # the same user name
        # Full until the oldest of the three leaves the 10-minute window, at 9:10.
        assert wait_seconds(session, "anna", "10.0.0.1", POLICY,
                            now=T0 + timedelta(minutes=4)) == 6 * 60
        assert wait_seconds(session, "ANNA", "10.0.0.1", POLICY,
                            now=T0 + timedelta(minutes=9, seconds=59.5)) == 1
        assert wait_seconds(session, "anna", "10.0.0.1", POLICY,
                            now=T0 + timedelta(minutes=10)) == 0


def test_nobody_elsewhere_can_lock_an_account_out(sessions):
    with sessions() as session:
        for second in range(3):
            fail(session, "anna", "10.0.0.1", T0 + timedelta(seconds=second))
        now = T0 + timedelta(seconds=5)
        assert wait_seconds(session, "anna", "10.0.0.1", POLICY, now=now) > 0
        assert wait_seconds(session, "anna", "10.0.0.2", POLICY, now=now) == 0
        assert wait_seconds(session, "jan", "10.0.0.1", POLICY, now=now) == 0


def test_one_address_trying_many_accounts_waits_too(sessions):
    with sessions() as session:
        for n, name in enumerate(["a", "b", "c", "d", "e"]):
            fail(session, name, "10.0.0.9", T0 + timedelta(seconds=n))
        now = T0 + timedelta(seconds=10)
        assert wait_seconds(session, "someone-new", "10.0.0.9", POLICY, now=now) == 600 - 10
        assert wait_seconds(session, "someone-new", "10.0.0.8", POLICY, now=now) == 0


def test_a_successful_sign_in_starts_that_account_afresh(sessions):
    with sessions() as session:
        for second in range(3):
            fail(session, "anna", "10.0.0.1", T0 + timedelta(seconds=second))
        fail(session, "jan", "10.0.0.1", T0)
        clear_failures(session, "ANNA", "10.0.0.1")
        session.commit()
        assert wait_seconds(session, "anna", "10.0.0.1", POLICY, now=T0) == 0
        names = session.scalars(select(LoginFailure.username)).all()
        assert names == ["jan"]


def test_failures_no_window_looks_at_are_deleted(sessions):
    with sessions() as session:
        fail(session, "anna", "10.0.0.1", T0)
        fail(session, "jan", "10.0.0.1", T0 + timedelta(minutes=11))
        count = session.scalar(select(func.count()).select_from(LoginFailure))
        assert count == 1


@pytest.mark.parametrize("values", [dict(window_s=0), dict(per_account=0),
                                    dict(per_address=0)])
def test_a_policy_that_throttles_nothing_or_everything_is_refused(values):
    with pytest.raises(ValueError, match="login throttling"):
        ThrottlePolicy(**values)
