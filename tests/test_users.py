"""Accounts that commands make for themselves (the demo's): made once, kept, reset on request;
and the password policy (NIST SP 800-63B: length and a list of refused passwords, no
composition rules)."""
import pytest

from callqa.services.accounts import (
    UserError,
    authenticate,
    create_user,
    ensure_user,
    generated_password,
    set_password,
)
from callqa.services.passwords import common_passwords, password_problem

REFUSED = {
    "too short": ["", "password", "Tr0ub4dor&3", "elevenchars"],
    "common": ["password1234", "Password2026!", "qwertyuiop12", "1qaz2wsx3edc", "1234567890ab",
               "abcdefghijkl", "zaq12wsxzaq12wsx", "kochanie1234", "haslo123haslo123",
               "monkeymonkey", "aaaaaaaaaaaa", "!!!iloveyou!!!", "pass word 1234",
               "baseball2024", "superman12345"],
    "context": ["anna.kowalska1", "ANNA.KOWALSKA-2026", "callqa-admin-2026", "my CallQA pass",
                "call centre 2026"],
}
ACCEPTED = ["correct horse battery", "Dzień dobry, panie Piotrze", "purple-otter-kayak",
            "anna likes long walks"[:12] + " home", "t7#kP9!vQ2mZ"]


@pytest.mark.parametrize(("kind", "password"),
                         [(kind, p) for kind, ps in REFUSED.items() for p in ps])
def test_weak_passwords_are_refused(kind, password):
    problem = password_problem(password, "anna.kowalska")
    expected = {"too short": "at least 12", "common": "too easy to guess",
                "context": "user name or the product's name"}[kind]
    assert problem is not None and expected in problem


@pytest.mark.parametrize("password", ACCEPTED)
def test_long_uncommon_passwords_need_no_digit_nor_capital(password):
    assert password_problem(password, "anna.kowalska") is None


def test_the_shipped_list_is_thousands_of_common_passwords():
    common = common_passwords()
    assert len(common) > 5000
    assert {"password", "123456", "qwerty", "iloveyou", "haslo", "zaq12wsx"} <= common
    assert all(word == word.lower() for word in common)


def test_generated_passwords_pass_the_policy():
    for _ in range(2000):
        assert password_problem(generated_password(), "demo-admin") is None


def test_a_new_password_meets_the_policy_and_ends_sessions(sessions):
    with sessions.begin() as session:
        user = create_user(session, "ewa", "their own password", "agent")
        version = user.session_version
        with pytest.raises(UserError, match="too easy to guess"):
            set_password(user, "password2026")
        with pytest.raises(UserError, match="user name"):
            set_password(user, "2026-ewa-2026!")
        assert user.check_password("their own password")
        set_password(user, "a river of quiet stones")
        assert user.check_password("a river of quiet stones")
        assert user.session_version == version + 1


def test_ensure_user_makes_keeps_and_resets(sessions):
    with sessions.begin() as session:
        user, password = ensure_user(session, "demo-john", "agent", "A11")
        assert password and len(password) >= 16
        assert user.agent.external_id == "A11" and user.password_hash != password
    with sessions.begin() as session:
        again, unchanged = ensure_user(session, "demo-john", "agent", "A11")
        assert again.id == user.id and unchanged is None
        assert authenticate(session, "demo-john", password).id == user.id
    with sessions.begin() as session:
        _, new = ensure_user(session, "demo-john", "agent", "A11", new_password=True)
        assert new and new != password
    with sessions() as session:
        assert authenticate(session, "demo-john", password) is None
        assert authenticate(session, "demo-john", new).id == user.id


def test_ensure_user_leaves_someone_elses_account_alone(sessions):
    with sessions.begin() as session:
        create_user(session, "demo-admin", "their own password", "supervisor")
    with sessions.begin() as session:
        user, password = ensure_user(session, "demo-admin", "admin")
        assert password is None and user.role == "supervisor"
        assert authenticate(session, "demo-admin", "their own password").id == user.id
