"""Signed webhook bodies: HMAC-SHA256 over the timestamp and the body, as receivers check it."""
from __future__ import annotations

import hashlib
import hmac

__all__ = ["signature", "verify"]


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Callqa-Signature` value: "sha256=" and the hex HMAC of "<timestamp>.<body>"
    (the timestamp, also sent as `X-Callqa-Timestamp`, stops a captured delivery being
    replayed later)."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: int, body: bytes, signed: str) -> bool:
    return hmac.compare_digest(signature(secret, timestamp, body), signed)
