"""Accounts that commands make for themselves (the demo's): made once, kept, reset on request."""
from callqa.services.accounts import authenticate, create_user, ensure_user


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
