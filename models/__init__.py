"""The database: typed SQLAlchemy 2 models and Alembic migrations."""
from models.base import Base, UTCDateTime, utcnow
from models.call import Agent, Call, CallStatus, Queue, Utterance
from models.fcr import FcrResult
from models.lease import Lease
from models.scoring import CallScore, ItemResult, Scorecard

__all__ = [
    "Agent", "Base", "Call", "CallScore", "CallStatus", "FcrResult", "ItemResult", "Queue",
    "Scorecard", "UTCDateTime", "Utterance", "utcnow",
]
__all__ += ["Lease"]
from models.review import (  # noqa: E402
    CallReview,
    Dispute,
    DisputeStatus,
    Feedback,
    ItemOverride,
    Role,
    User,
)

__all__ += ["CallReview", "Dispute", "DisputeStatus", "Feedback", "ItemOverride", "Role", "User"]
from models.login import LoginFailure  # noqa: E402

__all__ += ["LoginFailure"]
