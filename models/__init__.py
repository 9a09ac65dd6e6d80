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
    CallComment,
    CallReview,
    Dispute,
    DisputeStatus,
    Feedback,
    ItemOverride,
)
from callqa.models.user import Role, User  # noqa: E402

__all__ += ["CallComment", "CallReview", "Dispute", "DisputeStatus", "Feedback", "ItemOverride",
            "Role", "User"]
from callqa.models.login import LoginFailure  # noqa: E402

__all__ += ["LoginFailure"]
from callqa.models.program import (  # noqa: E402
    AssignmentReason,
    AssignmentStatus,
    AssignMode,
    CalibrationAgreed,
    CalibrationCall,
    CalibrationReviewer,
    CalibrationSession,
    CalibrationStatus,
    CalibrationVerdict,
    CoachingNote,
    CoachingStatus,
    ReviewAssignment,
    SamplingReviewer,
    SamplingRule,
    Team,
    TeamMember,
    TeamSupervisor,
)

__all__ += [
    "AssignMode", "AssignmentReason", "AssignmentStatus", "CalibrationAgreed", "CalibrationCall",
    "CalibrationReviewer", "CalibrationSession", "CalibrationStatus", "CalibrationVerdict",
    "CoachingNote", "CoachingStatus", "ReviewAssignment", "SamplingReviewer", "SamplingRule",
    "Team", "TeamMember", "TeamSupervisor",
]
from callqa.models.integration import (  # noqa: E402
    ApiScope,
    ApiToken,
    ApiTokenTeam,
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
)
from callqa.models.survey import Survey  # noqa: E402

__all__ += ["ApiScope", "ApiToken", "ApiTokenTeam", "DeliveryStatus", "Survey", "Webhook",
            "WebhookDelivery"]
from callqa.models.redaction import Erasure, Redaction, RedactionMethod  # noqa: E402

__all__ += ["Erasure", "Redaction", "RedactionMethod"]

from callqa.models.worker import WorkerKind, WorkerProcess  # noqa: E402

__all__ += ["WorkerKind", "WorkerProcess"]
from callqa.models.saved_filter import SavedFilter  # noqa: E402

__all__ += ["SavedFilter"]
