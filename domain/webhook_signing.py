"""How a webhook request is signed, and how its receiver checks it. Pure.

The body is sent as compact JSON with sorted keys. Each try carries the time it was sent
(``X-Crmbot-Timestamp``, Unix seconds) and ``X-Crmbot-Signature: v1=<hex>``, the
HMAC-SHA256 of ``"{timestamp}.{body}"`` with the endpoint's secret: a receiver recomputes
it over the raw body, compares in constant time, and refuses an old timestamp (a replay).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

SIGNATURE_HEADER = "X-Crmbot-Signature"
TIMESTAMP_HEADER = "X-Crmbot-Timestamp"
EVENT_HEADER = "X-Crmbot-Event"
DELIVERY_HEADER = "X-Crmbot-Delivery"
TOLERANCE_SECONDS = 300


def encode_body(body: Mapping[str, Any]) -> bytes:
    """The exact bytes sent and signed: compact, keys sorted, UTF-8."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def verify(
    secret: str,
    *,
    timestamp: str,
    body: bytes,
    header: str,
    now: float,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: a fresh timestamp and a matching signature, compared in
    constant time."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)
