"""The parsed form of a ``when`` rule: a small tree that evaluates against a quote's facts.

``value`` says whether the rule holds; ``reasons`` which parts of it made it hold (what
an approver is shown as "why you").
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Value = Decimal | str | None
Facts = Mapping[str, Value]

OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


@dataclass(frozen=True)
class Compare:
    left: str | Decimal  # a fact name, or a literal
    op: str
    right: str | Decimal
    source: str
    left_is_fact: bool = True
    right_is_fact: bool = False

    def value(self, facts: Facts) -> bool:
        a = facts.get(str(self.left)) if self.left_is_fact else self.left
        b = facts.get(str(self.right)) if self.right_is_fact else self.right
        if a is None or b is None or isinstance(a, str) != isinstance(b, str):
            return False
        return bool(OPS[self.op](a, b))

    def reasons(self, facts: Facts) -> list[str]:
        return [self.source] if self.value(facts) else []


@dataclass(frozen=True)
class Not:
    inner: Expr
    source: str

    def value(self, facts: Facts) -> bool:
        return not self.inner.value(facts)

    def reasons(self, facts: Facts) -> list[str]:
        return [self.source] if self.value(facts) else []


@dataclass(frozen=True)
class Join:
    op: str  # "and" | "or"
    parts: tuple[Expr, ...]
    source: str

    def value(self, facts: Facts) -> bool:
        values = (p.value(facts) for p in self.parts)
        return any(values) if self.op == "or" else all(values)

    def reasons(self, facts: Facts) -> list[str]:
        """For ``or``, each alternative that holds; for ``and``, the whole."""
        if not self.value(facts):
            return []
        if self.op == "and":
            return [self.source]
        return [r for p in self.parts for r in p.reasons(facts)]


@dataclass(frozen=True)
class Always:
    """An empty ``when``: the level always applies."""

    source: str = "always"

    def value(self, facts: Facts) -> bool:
        return True

    def reasons(self, facts: Facts) -> list[str]:
        return ["always required"]


Expr = Compare | Not | Join | Always
