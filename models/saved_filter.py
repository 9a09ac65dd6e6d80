"""A user's saved filters of their call list: a name and the list's validated arguments, one
of them perhaps the one the list opens with. Only the filters are kept, never whose calls
they may show: that comes from the user applying them (callqa.queries.saved_filters)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from callqa.models.base import Base, UTCDateTime, utcnow

NAME_LENGTH = 100


class SavedFilter(Base):
    __tablename__ = "saved_filters"
    # the name is the user's own: (user_id, name) also finds a user's filters
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    # the list's arguments as a URL query string (agent_id=3&sort=score), as validated when
    # saved; read again when applied, so a filter the list no longer knows is left out
    query: Mapped[str] = mapped_column(Text)
    is_default: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
