"""The database: typed SQLAlchemy 2 models and Alembic migrations."""
from models.base import Base, UTCDateTime, utcnow
from models.call import Agent, Call, CallStatus, Queue, Utterance

__all__ = ["Agent", "Base", "Call", "CallStatus", "Queue", "UTCDateTime", "Utterance", "utcnow"]
