"""The review tables: migration 0004 matches the models, and deleting a call (retention)
takes its reviews, overrides, feedback and disputes with it."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from callqa.models import Base, Call, CallReview, Dispute, Feedback, ItemOverride
from callqa.models.db import make_engine

REVIEW_TABLES = {"users", "item_overrides", "call_reviews", "feedback", "disputes"}


def test_migration_matches_the_models(app, settings):
    engine = make_engine(settings.db_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    ours = [d for d in diff if _table_of(d) in REVIEW_TABLES]
    assert ours == []


def _table_of(change) -> str | None:
    item = change[0] if isinstance(change, list) else change
    for part in item[1:]:
        table = getattr(part, "table", None)
        if table is not None:
            return table.name
        if getattr(part, "name", None) in REVIEW_TABLES:
            return part.name
        if isinstance(part, str) and part in REVIEW_TABLES:
            return part
    return None


def test_deleting_a_call_deletes_what_people_said_about_it(app, world, session):
    from webtools import session_browser

    call_id = world.calls["cen028"]
    supervisor = session_browser(app, world.users["supervisor"])
    supervisor.post(f"/calls/{call_id}/items/greeting/override",
                    data={"verdict": "failed", "comment": "x"})
    supervisor.post(f"/calls/{call_id}/reviewed", data={"reviewed": "1"})
    supervisor.post(f"/calls/{call_id}/feedback", data={"text": "x"})
    supervisor.post(f"/disputes/{world.dispute}/accept", data={})
    session.delete(session.get(Call, call_id))  # as retention does
    session.commit()
    for model in (ItemOverride, CallReview, Dispute):
        assert session.scalar(select(func.count()).select_from(model)) == 0, model
    assert session.scalar(select(func.count()).select_from(Feedback)) == 2  # the other calls'
