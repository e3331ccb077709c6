"""Why a score is what it is: factors as data, written out in words only when shown.

A factor is a code, the points it adds to its score (0–100 scale of that score) and the
numbers behind it. Stored scores keep factors as data, so the health card, the risk alert
and the digest can each say *why* — with or without money (``show_money``) — in words
that can change without touching the stored history.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from domain.scores.aging import format_money

Kind = Literal["payment", "churn", "profitability", "contact"]


@dataclass(frozen=True)
class Factor:
    kind: Kind
    code: str
    points: float
    values: Mapping[str, float] = field(default_factory=dict)

    def text(self, *, show_money: bool = True) -> str:
        """The factor in one sentence; amounts only with ``show_money``."""
        render = _TEXTS.get(self.code)
        return render(self.values, show_money) if render else self.code.replace("_", " ")

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "code": self.code, "points": round(self.points, 1),
                "values": {k: round(float(v), 4) for k, v in self.values.items()}}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Factor:
        return cls(data["kind"], data["code"], float(data["points"]), dict(data["values"]))


def _money(amount: float, show: bool, hidden: str) -> str:
    return format_money(Decimal(str(round(amount, 2)))) if show else hidden


def _days(value: float) -> str:
    days = int(value)
    return f"{days} day{'s' if days != 1 else ''}"


Render = Callable[[Mapping[str, float], bool], str]

_TEXTS: dict[str, Render] = {
    "overdue": lambda v, m: (
        f"{_money(v['amount'], m, 'Receivables')} overdue, the oldest {_days(v['days'])} past due"
    ),
    "pays_late": lambda v, m: (
        f"Late on {int(v['late'])} of {int(v['due'])} invoices due (paid late or still open)"
        + (f"; paid {v['avg_days']:.0f} days late on average" if v.get("avg_days") else "")
    ),
    "debt_share": lambda v, m: (
        f"Overdue balance is {v['share']:.0%} of a year's invoicing"
        if v["share"] >= 0
        else "Overdue balance, and nothing invoiced in the last year"
    ),
    "overdue_rhythm": lambda v, m: (
        f"No order for {_days(v['days'])} — {v['ratio']:.1f}× the usual {v['gap']:.0f}-day gap"
    ),
    "one_order": lambda v, m: f"Only one order, {_days(v['days'])} ago",
    "slowing": lambda v, m: (
        f"Orders slowing: {int(v['recent'])} in the last 90 days against "
        f"{int(v['before'])} in the 90 before"
    ),
    "unlikely_order": lambda v, m: (
        f"{v['p']:.0%} chance of an order in the next {_days(v['horizon'])}"
    ),
    "margin_down": lambda v, m: (
        f"Margin down {v['drop'] * 100:.1f} points to {v['now']:.0%} on the half-year before"
    ),
    "low_margin": lambda v, m: f"Thin margin: {v['margin']:.0%} over the last year",
    "discounts": lambda v, m: (
        f"Discounts on {int(v['discounted'])} of {int(v['quotes'])} quotes, "
        f"{v['average']:.1f}% on average"
    ),
    "no_contact": lambda v, m: (
        "No contact logged yet"
        if v.get("days") is None or v["days"] < 0
        else f"No contact for {_days(v['days'])}"
    ),
}
