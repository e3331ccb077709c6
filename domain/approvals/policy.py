"""The approval policy: ordered levels, each with who approves, a quorum and a rule.

Built-in default (CONTRACT §4.4): the requester's manager when ``discount_pct > 10`` or
``total >= 10000``; finance when ``total >= 50000`` or the client's open receivables plus
this quote exceed its credit limit (``credit_headroom < 0``). The policy file replaces
the levels when it names any (``[[approval.levels]]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from domain.approvals.expr import parse
from domain.approvals.nodes import Expr, Facts

Quorum = Literal["any", "all"]
DEFAULT_ESCALATE_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Approver:
    """Who approves a level: the requester's manager, everyone with a role, or named users."""

    kind: Literal["manager", "role", "users"]
    role: str = ""
    users: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Approver:
        kind, _, rest = text.partition(":")
        if kind == "manager" and not rest:
            return cls("manager")
        if kind == "role" and rest:
            return cls("role", role=rest)
        if kind == "users" and rest:
            return cls("users", users=tuple(u.strip() for u in rest.split(",") if u.strip()))
        raise ValueError('expected "manager", "role:ROLE" or "users:U123,U456"')

    def describe(self) -> str:
        if self.kind == "manager":
            return "the requester's manager"
        if self.kind == "role":
            return f"anyone with role {self.role}"
        return ", ".join(f"<@{u}>" for u in self.users)


@dataclass(frozen=True)
class Level:
    name: str
    approver: Approver
    when: Expr
    quorum: Quorum = "any"


@dataclass(frozen=True)
class FiredLevel:
    """A level the quote needs, and the parts of its rule that made it needed."""

    level: Level
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ApprovalRules:
    levels: tuple[Level, ...]
    escalate_after: timedelta = DEFAULT_ESCALATE_AFTER

    def needed(self, facts: Facts) -> list[FiredLevel]:
        """The levels whose rule holds for ``facts``, in the policy's order."""
        return [
            FiredLevel(level, tuple(level.when.reasons(facts)))
            for level in self.levels
            if level.when.value(facts)
        ]


def level(name: str, approver: str, when: str, quorum: Quorum = "any") -> Level:
    return Level(name, Approver.parse(approver), parse(when), quorum)


DEFAULT_LEVELS: tuple[Level, ...] = (
    level("manager", "manager", "discount_pct > 10 or total >= 10000"),
    level("finance", "role:finance", "total >= 50000 or credit_headroom < 0"),
)


def rules(
    levels: Sequence[Level] | None = None, *, escalate_after: timedelta = DEFAULT_ESCALATE_AFTER
) -> ApprovalRules:
    return ApprovalRules(tuple(DEFAULT_LEVELS if levels is None else levels), escalate_after)


@dataclass(frozen=True)
class ChainLevel:
    """A level as started for one quote: its approvers fixed when the chain began."""

    name: str
    quorum: Quorum
    approvers: tuple[str, ...]
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "quorum": self.quorum,
            "approvers": list(self.approvers),
            "reasons": list(self.reasons),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ChainLevel:
        quorum: Quorum = "all" if data.get("quorum") == "all" else "any"
        return cls(
            str(data["name"]),
            quorum,
            tuple(str(a) for a in data.get("approvers") or []),  # type: ignore[attr-defined]
            tuple(str(r) for r in data.get("reasons") or []),  # type: ignore[attr-defined]
        )
