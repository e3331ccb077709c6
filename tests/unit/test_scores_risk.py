"""Risks, their reweighting and levels, billing totals, RFM segments, CLV, factors."""

from __future__ import annotations

import numpy as np
import pytest

from domain.scores.arrays import OrderArrays, aggregate
from domain.scores.factors import Factor
from domain.scores.inputs import Billing, InvoiceArrays, Quoting, billing_of
from domain.scores.rfm import PROSPECT, SEGMENTS, quintile, rfm_scores, segments
from domain.scores.risk import (
    Risk,
    health,
    levels,
    payment_risk,
    profitability_risk,
    risk_score,
)
from domain.scores.value import clv, tiers, trends

A = np.array


def risk(score: list[float], has: list[bool]) -> Risk:
    return Risk(A(score, dtype=float), A(has))


def test_risk_score_weighs_40_30_30_over_the_risks_with_data() -> None:
    payment = risk([80, 80, 0, 0], [True, True, False, False])
    churn = risk([50, 50, 50, 0], [True, True, True, False])
    profit = risk([20, 0, 0, 0], [True, False, False, False])
    found = risk_score(payment, churn, profit)
    assert found[0] == pytest.approx(0.4 * 80 + 0.3 * 50 + 0.3 * 20)
    assert found[1] == pytest.approx((0.4 * 80 + 0.3 * 50) / 0.7)  # no cost data
    assert found[2] == pytest.approx(50)  # only churn has data
    assert found[3] == 0  # nothing to go on


def test_levels_break_at_30_and_60() -> None:
    assert levels(A([0.0, 29, 30, 60, 61, 100])).tolist() == [
        "low", "low", "medium", "medium", "high", "high",
    ]  # fmt: skip


CUT = 1000.0


def invoices() -> InvoiceArrays:
    """As of ``CUT``, client 0: one paid on time, one paid 10 days late, one 40 days
    overdue and open; client 1: one not yet due; client 2: one issued after the cut."""
    return InvoiceArrays(
        client=A([0, 0, 0, 1, 2]),
        issued=A([800.0, 850, 900, 990, 1001]),
        due=A([830.0, 880, 960, 1020, 1031]),
        amount=A([100.0, 200, 300, 50, 70]),
        paid=A([100.0, 200, 100, 0, 0]),
        last_paid=A([820.0, 890, 950, np.nan, np.nan]),
    )


def test_billing_totals_and_payment_risk() -> None:
    b = billing_of(invoices(), cut=CUT, clients=3)
    assert b.invoices.tolist() == [3, 1, 0]
    assert b.due.tolist() == [3, 0, 0]
    assert b.late.tolist() == [2, 0, 0]  # paid late, and still open past due
    assert b.settled_late.tolist() == [1, 0, 0] and b.late_days.tolist() == [10, 0, 0]
    assert b.overdue.tolist() == [200, 0, 0] and b.oldest.tolist() == [40, 0, 0]
    assert b.invoiced_year.tolist() == [600, 50, 0]
    pay = payment_risk(b)
    assert pay.has_data.tolist() == [True, True, False]
    expected = 40 * 40 / 90 + 25 * 200 / 300 + 20 * 2 / 3 + 15 * 10 / 45
    assert pay.score[0] == pytest.approx(expected)
    assert pay.score[1] == 0 and pay.score[2] == 0
    assert payment_risk(Billing.empty(2)).has_data.tolist() == [False, False]


def orders() -> OrderArrays:
    """Client 0: margin 40 % → 20 % over the last year; client 1: no costs; client 2: none."""
    return OrderArrays(
        client=A([0, 0, 1]),
        day=A([700.0, 900, 950]),
        amount=A([100.0, 100, 100]),
        cost=A([60.0, 80, np.nan]),
    )


def test_profitability_risk_needs_cost_data() -> None:
    agg = aggregate(orders(), cut=1000.0, clients=3)
    quoting = Quoting(A([4.0, 2, 0]), A([2.0, 2, 0]), A([30.0, 20, 0]))
    found = profitability_risk(agg, quoting)
    assert found.has_data.tolist() == [True, False, False]
    margin_down = 50 * 1.0  # 20 points down, capped at 10
    discounts = 20 * 0.5 + 10 * (7.5 / 20)
    assert found.score[0] == pytest.approx(margin_down + discounts)
    assert found.score[1] == 0  # discounts without cost data do not count


def test_health_blends_risk_value_and_contact() -> None:
    value = health(A([20.0, 20.0, 20.0]), A([100.0, 100.0, 0.0]), A([10.0, np.nan, 70.0]))
    assert value.tolist() == [85.0, 75.0, 55.0]


def test_quintiles_share_ties() -> None:
    assert quintile(A([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10])).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert set(quintile(A([1.0] * 10)).tolist()) == {3}


def test_rfm_segments_follow_the_r_by_f_grid() -> None:
    r, f = A([5, 5, 5, 4, 3, 3, 2, 1, 1, 2, 1]), A([5, 1, 2, 1, 3, 1, 4, 5, 1, 1, 2])
    assert segments(r, f).tolist() == [
        "champions", "new", "potential_loyalist", "promising", "need_attention",
        "about_to_sleep", "at_risk", "cant_lose", "lost", "hibernating", "lost",
    ]  # fmt: skip
    assert set(SEGMENTS) >= {"champions", "loyal", "at_risk", "hibernating", "new", PROSPECT}


def test_rfm_uses_fixed_bands_for_small_populations() -> None:
    r, f, m = rfm_scores(A([10.0, 400]), A([12.0, 1]), A([200_000.0, 50]))
    assert (r.tolist(), f.tolist(), m.tolist()) == ([5, 1], [5, 1], [5, 1])
    big = np.linspace(1, 500, 100)
    assert set(rfm_scores(big, big, big)[0].tolist()) == {1, 2, 3, 4, 5}


def test_clv_tiers_and_trend() -> None:
    agg = aggregate(orders(), cut=1000.0, clients=3)
    worth = clv(agg, A([50.0, 0, 10]))
    assert worth.tolist() == [150.0, 100.0, -10.0]
    assert tiers(A([100_000.0, 99_999.99, 50_000, 10_000, 9_999])).tolist() == [
        "platinum", "gold", "gold", "silver", "bronze",
    ]  # fmt: skip
    assert tiers(A([600.0]), thresholds=(1000.0, 500.0, 100.0)).tolist() == ["gold"]
    assert trends(agg).tolist() == ["rising", "rising", "flat"]


def test_clv_trend_rises_falls_or_stays_flat_on_the_year_before() -> None:
    """The last 365 days' revenue against the 365 before, ±10 % counted as flat."""
    history = OrderArrays(
        client=A([0, 0, 1, 1, 2, 2, 3]),
        day=A([500.0, 900, 400, 800, 450, 850, 900]),
        amount=A([100.0, 150, 100, 50, 100, 105, 10]),
        cost=A([np.nan] * 7),
    )
    agg = aggregate(history, cut=1000.0, clients=5)
    assert trends(agg).tolist() == ["rising", "falling", "flat", "rising", "flat"]


def test_factor_texts_hide_money_on_request_and_round_trip_as_json() -> None:
    factor = Factor("payment", "overdue", 31.5, {"amount": 12_400.0, "days": 70.0})
    assert factor.text() == "$12,400 overdue, the oldest 70 days past due"
    assert factor.text(show_money=False) == "Receivables overdue, the oldest 70 days past due"
    assert Factor.from_json(factor.to_json()) == factor
    rhythm = Factor("churn", "overdue_rhythm", 80, {"days": 140.2, "ratio": 3.1, "gap": 45.0})
    assert rhythm.text() == "No order for 140 days — 3.1× the usual 45-day gap"
