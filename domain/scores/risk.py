"""Payment, profitability and churn risk, their weighted sum, and health — vectorised.

Each risk is 0–100 and a sum of named parts (the factors that explain it):

payment (only for clients with invoices issued by the cut)
    ``overdue``: 40 × oldest open overdue days / 90 (capped); ``debt_share``: 25 × overdue
    balance / (half a year's invoicing); ``pays_late``: 20 × the share of due invoices paid
    late or still open, plus 15 × average days late at settlement / 45 (capped).
profitability (only for clients with order costs)
    ``margin_down``: 50 × margin drop over the last 180 days against the 180 before, per 10
    points; ``low_margin``: 20 × how far the margin is below 10 %; ``discounts``: 20 × the
    share of quotes with a discount, plus 10 × average discount / 20 % (capped).
churn (only for clients with orders)
    100 × (1 − P(an order in the horizon)) of the combined model.

``risk_score`` weighs payment 40 %, churn 30 %, profitability 30 %, over the risks that have
data (CONTRACT §6); none → 0. Health blends the absence of risk with the client's value
and engagement: 0.75 × (100 − risk) + 0.25 × RFM value (R + F + M − 3) / 12 × 100, less
10 points without contact logged for 90 days (or ever; 5 from 60 days).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from domain.scores.arrays import Aggregates
from domain.scores.inputs import Billing, Quoting

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
WEIGHTS = {"payment": 0.4, "churn": 0.3, "profitability": 0.3}


@dataclass(frozen=True)
class Risk:
    score: Floats  # 0–100; 0 where there is no data
    has_data: Bools
    parts: dict[str, Floats] = field(default_factory=dict)  # factor code → points


def _cap(value: Floats) -> Floats:
    return np.clip(np.nan_to_num(value), 0.0, 1.0)


def _risk(parts: dict[str, Floats], has_data: Bools) -> Risk:
    total = np.clip(sum(parts.values(), np.zeros_like(has_data, dtype=np.float64)), 0, 100)
    parts = {k: np.where(has_data, v, 0.0) for k, v in parts.items()}
    return Risk(np.where(has_data, total, 0.0), has_data, parts)


def payment_risk(b: Billing) -> Risk:
    with np.errstate(invalid="ignore", divide="ignore"):
        share_late = b.late / b.due
        avg_late = b.late_days / b.settled_late
        debt = b.overdue / np.maximum(b.invoiced_year / 2, 1.0)
    parts = {
        "overdue": 40 * _cap(b.oldest / 90),
        "debt_share": 25 * _cap(debt),
        "pays_late": 20 * _cap(share_late) + 15 * _cap(avg_late / 45),
    }
    return _risk(parts, b.invoices > 0)


def margins(agg: Aggregates) -> tuple[Floats, Floats]:
    """Margin of the last 180 days and of the 180 before (NaN without costed sales)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        now = np.where(agg.sales_now > 0, 1 - agg.cost_now / agg.sales_now, np.nan)
        then = np.where(agg.sales_then > 0, 1 - agg.cost_then / agg.sales_then, np.nan)
    return now, then


def profitability_risk(agg: Aggregates, q: Quoting) -> Risk:
    now, then = margins(agg)
    sales = agg.sales_now + agg.sales_then
    with np.errstate(invalid="ignore", divide="ignore"):
        year = 1 - (agg.cost_now + agg.cost_then) / sales
        share = q.discounted / q.quotes
        depth = q.discount_total / q.quotes
    parts = {
        "margin_down": 50 * _cap((then - now) / 0.10),
        "low_margin": 20 * _cap((0.10 - year) / 0.10),
        "discounts": 20 * _cap(share) + 10 * _cap(depth / 20),
    }
    return _risk(parts, agg.costed > 0)


def churn_risk(p_order: Floats, has_orders: Bools) -> Risk:
    return _risk({"churn": 100 * (1 - p_order)}, has_orders)


def risk_score(payment: Risk, churn: Risk, profitability: Risk) -> Floats:
    """The weighted mean over the risks with data; 0 where none has any."""
    risks = {"payment": payment, "churn": churn, "profitability": profitability}
    weight = sum((WEIGHTS[k] * r.has_data for k, r in risks.items()), np.zeros(len(churn.score)))
    total = sum((WEIGHTS[k] * r.score for k, r in risks.items()), np.zeros(len(churn.score)))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, total / weight, 0.0)


def levels(score: Floats) -> NDArray[np.str_]:
    """CONTRACT §6: low below 30, medium 30–60, high above 60."""
    return np.where(score < 30, "low", np.where(score <= 60, "medium", "high")).astype(np.str_)


def contact_penalty(days: Floats) -> Floats:
    """10 points without contact for 90 days or ever, 5 from 60 days."""
    return np.where(np.isnan(days) | (days >= 90), 10.0, np.where(days >= 60, 5.0, 0.0))


def health(risk: Floats, rfm_value: Floats, contact_days: Floats) -> Floats:
    raw = 0.75 * (100 - risk) + 0.25 * rfm_value - contact_penalty(contact_days)
    return np.clip(raw, 0, 100)
