"""``GET /api/v1/clients/{id}/health``: a client's CONTRACT §6 scores now, with the factors
behind them.

The scores are the ones the health card shows (``domain.services.scoring.card_scores``):
the latest the ``scores`` job kept for the client on or before today, or — before the job
has scored it — the client scored alone from its snapshot, flagged ``provisional``. Keys
follow §6's column names; the figures behind them (orders, rhythm, receivables, contact,
work in hand) come from the snapshot as of ``now``. ``interim`` is kept for compatibility
and is now always false (it flagged the pre-§6 figures).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.ports_chat import ClientSnapshot
from domain.scores import Aging, ar_aging, clv_terms, revenue_change
from domain.scores.factors import Factor
from domain.scores.record import ScoreRecord
from domain.services.health_scores import expected_moment, overdue

CENT = Decimal("0.01")


def health_payload(
    snapshot: ClientSnapshot, *, now: datetime, kept: ScoreRecord, provisional: bool
) -> dict[str, Any]:
    """The client's health as of ``now`` from its §6 scores ``kept`` (``provisional``: scored
    alone because the ``scores`` job has not scored it yet)."""
    client = snapshot.client
    terms = clv_terms(snapshot.orders, acquisition_cost=client.acquisition_cost, now=now)
    contact = snapshot.last_activity
    expected = kept.next_order_expected
    return {
        "client_external_id": client.external_id,
        "as_of": now,
        "interim": False,
        "provisional": provisional,
        "scores_as_of": kept.as_of,
        "horizon_days": kept.horizon_days,
        "health_score": kept.health_score,
        "risk_score": kept.risk_score,
        "risk_level": kept.risk_level,
        "churn_risk": kept.churn_risk,
        "payment_risk": kept.payment_risk,
        "profitability_risk": kept.profitability_risk,
        "factors": [f.text(show_money=True) for f in kept.factors],
        "factor_details": [_factor(f) for f in kept.factors],
        "clv": kept.clv,
        "clv_tier": kept.clv_tier,
        "clv_trend": kept.clv_trend,
        "expected_orders": kept.expected_orders,
        "expected_revenue": kept.expected_revenue,
        "p_active": kept.p_active,
        "rfm_segment": kept.rfm_segment,
        "orders": terms.orders,
        "average_order": terms.average_order.quantize(CENT) if terms.orders else None,
        "typical_order_gap_days": kept.typical_gap_days,
        "order_gap_range_days": _range(kept),
        "days_since_last_order": kept.days_since_last_order,
        "reorder_overdue": overdue(kept),
        "next_order_expected": expected_moment(expected) if expected else None,
        "revenue_trend": revenue_change(snapshot.orders, now).trend,
        "receivables": _receivables(ar_aging(snapshot.invoices, now)),
        "last_contact_at": contact.occurred_at if contact else None,
        "open_tasks": _count(snapshot, "open_task_count", len(snapshot.open_tasks)),
        "pending_quotes": _count(snapshot, "pending_quote_count", len(snapshot.pending_quotes)),
    }


def _factor(factor: Factor) -> dict[str, Any]:
    return {**factor.to_json(), "text": factor.text(show_money=True)}


def _range(kept: ScoreRecord) -> list[float] | None:
    low, high = kept.gap_low_days, kept.gap_high_days
    return None if low is None or high is None else [low, high]


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


def _count(snapshot: ClientSnapshot, name: str, listed: int) -> int:
    """The total when the snapshot counted it (it may list only the first few)."""
    total = getattr(snapshot, name, None)
    return listed if total is None else int(total)
