"""The database: typed SQLAlchemy 2 models and Alembic migrations."""
from callqa.models.base import Base, UTCDateTime, utcnow
from callqa.models.call import Agent, Call, CallStatus, Queue, Utterance
from callqa.models.fcr import FcrResult
from callqa.models.lease import Lease
from callqa.models.score import CallScore, ItemResult, Scorecard

__all__ = [
    "Agent", "Base", "Call", "CallScore", "CallStatus", "FcrResult", "ItemResult", "Queue",
    "Scorecard", "UTCDateTime", "Utterance", "utcnow",
]
__all__ += ["Lease"]
from callqa.models.review import (  # noqa: E402
    CallReview,
    Dispute,
    DisputeStatus,
    Feedback,
    ItemOverride,
)
from callqa.models.user import Role, User  # noqa: E402

__all__ += ["CallReview", "Dispute", "DisputeStatus", "Feedback", "ItemOverride", "Role", "User"]
from callqa.models.login import LoginFailure  # noqa: E402

__all__ += ["LoginFailure"]
from callqa.models.worker import WorkerKind, WorkerProcess  # noqa: E402

__all__ += ["WorkerKind", "WorkerProcess"]
