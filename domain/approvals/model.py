"""The state of one quote's approval chain, and the request messages it sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.approvals.policy import ChainLevel

# chain states
ACTIVE, DONE, VOID, EXPIRED = "active", "done", "void", "expired"
# request states: the approver may still decide; has decided; the level or chain closed
OPEN, DECIDED, CLOSED = "open", "decided", "closed"


@dataclass(frozen=True)
class ChainFacts:
    """What the request shows about the client, as known when the chain started."""

    client_name: str
    risk_level: str | None = None
    tier: str | None = None
    credit_limit: Decimal | None = None
    headroom: Decimal | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "client_name": self.client_name,
            "risk_level": self.risk_level,
            "tier": self.tier,
            "credit_limit": None if self.credit_limit is None else str(self.credit_limit),
            "headroom": None if self.headroom is None else str(self.headroom),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChainFacts:
        def money(key: str) -> Decimal | None:
            value = data.get(key)
            return None if value is None else Decimal(str(value))

        return cls(
            str(data.get("client_name") or ""),
            data.get("risk_level"),
            data.get("tier"),
            money("credit_limit"),
            money("headroom"),
        )


@dataclass
class Chain:
    """One round of approval of a quote: started at ``started_version`` of the quote.

    ``current`` is the 1-based position of the level waiting for decisions (0 when the
    chain has ended). A change of the quote's terms voids the round and starts another.
    """

    quote_id: int
    started_version: int
    levels: tuple[ChainLevel, ...]
    facts: ChainFacts
    level_started_at: datetime
    current: int = 1
    state: str = ACTIVE
    reminded_at: datetime | None = None
    escalated_at: datetime | None = None
    id: int | None = None

    @property
    def level(self) -> ChainLevel | None:
        if self.state != ACTIVE or not 1 <= self.current <= len(self.levels):
            return None
        return self.levels[self.current - 1]


@dataclass
class RequestMessage:
    """One approver's copy of a level's request; ``channel``/``ts`` once Slack has it."""

    chain_id: int
    level: int
    approver: str
    outbox_key: str
    state: str = OPEN
    channel: str | None = None
    ts: str | None = None
    pending_payload: dict[str, Any] | None = field(default=None, repr=False)
    id: int | None = None
