"""``GET /api/v1/clients/{id}/health``: a client's scores now, with the factors behind them.

One function, ``health_payload``, turns a client snapshot into the answer, so that the
Scores issue can swap in the CONTRACT §6 model without touching the API. Until then the
figures are the health card's interim ones (``domain.scores.history``), and say so
(``interim``). Keys follow §6's column names where the figure is the same one.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.ports_chat import ClientSnapshot
from domain.scores import (
    Aging,
    RiskInputs,
    ar_aging,
    clv_terms,
    clv_tier,
    interim_risk,
    order_rhythm,
    revenue_change,
)

CENT = Decimal("0.01")


def health_payload(snapshot: ClientSnapshot, *, now: datetime) -> dict[str, Any]:
    """The client's health as of ``now``: scores, their factors and the figures behind."""
    client = snapshot.client
    terms = clv_terms(snapshot.orders, acquisition_cost=client.acquisition_cost, now=now)
    rhythm = order_rhythm(snapshot.orders, now)
    aging = ar_aging(snapshot.invoices, now)
    change = revenue_change(snapshot.orders, now)
    contact = snapshot.last_activity
    days = (now - contact.occurred_at).total_seconds() / 86_400 if contact else None
    risk = interim_risk(RiskInputs(rhythm, aging, change, days))
    return {
        "client_external_id": client.external_id,
        "as_of": now,
        "interim": True,
        "health_score": risk.health,
        "risk_score": risk.score,
        "risk_level": risk.level,
        "factors": list(risk.factors),
        "clv": terms.clv,
        "clv_tier": clv_tier(terms.clv),
        "orders": terms.orders,
        "average_order": terms.average_order.quantize(CENT) if terms.orders else None,
        "typical_order_gap_days": _rounded(rhythm.typical_gap_days),
        "days_since_last_order": _rounded(rhythm.days_since_last),
        "next_order_expected": rhythm.expected_next,
        "revenue_trend": change.trend,
        "receivables": _receivables(aging),
        "last_contact_at": contact.occurred_at if contact else None,
        "open_tasks": _count(snapshot, "open_task_count", len(snapshot.open_tasks)),
        "pending_quotes": _count(snapshot, "pending_quote_count", len(snapshot.pending_quotes)),
    }


def _receivables(aging: Aging) -> dict[str, Any]:
    return {
        "current": aging.current,
        "overdue_0_30": aging.d0_30,
        "overdue_31_60": aging.d31_60,
        "overdue_61_90": aging.d61_90,
        "overdue_90_plus": aging.d90_plus,
        "open_invoices": aging.open_invoices,
        "oldest_days_overdue": aging.oldest_days_overdue,
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _count(snapshot: ClientSnapshot, name: str, listed: int) -> int:
    """The total when the snapshot counted it (it may list only the first few)."""
    total = getattr(snapshot, name, None)
    return listed if total is None else int(total)
