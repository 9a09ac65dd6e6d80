"""API tokens in the admin UI: made with their scopes and shown once, stored hashed, revoked;
only administrators manage them."""
from __future__ import annotations

import re

from apitools import bearer
from sqlalchemy import select
from webtools import session_browser

from callqa.models import ApiToken


def test_an_admin_makes_a_token_sees_it_once_and_revokes_it(app, world, session):
    admin = session_browser(app, world.users["admin"])
    assert 'id="create-token-form"' in admin.get("/admin/tokens").get_data(as_text=True)
    made = admin.post("/admin/tokens", data={"name": "Asterisk PBX",
                                             "scope": ["ingest", "read"]})
    assert made.status_code == 201
    page = made.get_data(as_text=True)
    token = re.search(r'<code id="new-token">([^<]+)</code>', page).group(1)
    row = session.scalars(select(ApiToken)).one()
    assert (row.name, row.scopes, row.created_by_id) == (
        "Asterisk PBX", ["ingest", "read"], world.users["admin"])
    assert token not in row.token_hash and token.startswith(row.prefix)
    listed = admin.get("/admin/tokens").get_data(as_text=True)
    assert token not in listed and f'id="token-{row.id}" data-active="1"' in listed
    client = app.test_client()
    assert client.get("/api/v1/calls", headers=bearer(token)).status_code == 200
    revoked = admin.post(f"/admin/tokens/{row.id}/revoke")
    assert revoked.status_code == 303
    assert f'id="token-{row.id}" data-active="0"' in admin.get("/admin/tokens").get_data(
        as_text=True)
    assert client.get("/api/v1/calls", headers=bearer(token)).status_code == 401


def test_a_token_needs_a_name_and_a_scope(app, world, session):
    admin = session_browser(app, world.users["admin"])
    assert admin.post("/admin/tokens", data={"name": "CRM"}).status_code == 400
    assert admin.post("/admin/tokens", data={"name": " ", "scope": "read"}).status_code == 400
    assert admin.post("/admin/tokens", data={"name": "CRM", "scope": "write"}).status_code == 400
    assert session.scalars(select(ApiToken)).all() == []


def test_only_administrators_manage_tokens(app, world):
    for role in ("supervisor", "agent"):
        browser = session_browser(app, world.users[role])
        assert browser.get("/admin/tokens").status_code == 403, role
        assert browser.post("/admin/tokens", data={"name": "x", "scope": "read"}
                            ).status_code == 403, role
    assert app.test_client().get("/admin/tokens").status_code == 302  # to the sign-in page
