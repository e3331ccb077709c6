"""domain.scores: historical CLV, tiers, rhythm, aging, revenue, sparkline, risk levels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.ports_chat import InvoiceLine, OrderLine
from domain.scores import (
    Aging,
    ar_aging,
    clv_terms,
    clv_tier,
    format_money,
    historical_clv,
    monthly_revenue,
    order_rhythm,
    revenue_change,
    revenue_trend,
    risk_level,
    sparkline,
)
from domain.scores.history import OrderRhythm, RevenueChange

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
D = Decimal


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def order(days_ago: float, amount: str | int) -> OrderLine:
    return OrderLine(ago(days_ago), D(amount))


# --- CLV -------------------------------------------------------------------------------


def test_clv_is_average_times_frequency_times_lifespan_minus_acquisition() -> None:
    orders = [order(365, 1000), order(180, 2000), order(24, 3000), order(-1, 99_999)]
    terms = clv_terms(orders, acquisition_cost=D(500), now=NOW)
    assert terms.orders == 3  # the order after now does not count
    assert terms.average_order == D(2000)
    assert terms.lifespan_years == D(365) / D("365.25")
    assert terms.orders_per_year == 3 / (D(365) / D("365.25"))
    assert terms.clv == D("5500.00")  # the revenue so far less the acquisition cost
    assert historical_clv(orders, acquisition_cost=D(500), now=NOW) == D("5500.00")


def test_clv_lifespan_has_a_one_month_floor() -> None:
    terms = clv_terms([order(0, "149.99")], acquisition_cost=None, now=NOW)
    assert terms.lifespan_years == D(1) / D(12)
    assert terms.orders_per_year == D(12)
    assert terms.clv == D("149.99")


def test_clv_of_a_client_without_orders_is_minus_its_acquisition_cost() -> None:
    assert historical_clv([], acquisition_cost=D(250), now=NOW) == D(-250)
    assert historical_clv([], acquisition_cost=None, now=NOW) == D(0)
    assert clv_terms([order(-3, 10)], acquisition_cost=None, now=NOW).orders == 0


def test_clv_keeps_cents_exact() -> None:
    orders = [order(400, "0.10"), order(200, "0.20"), order(100, "0.05")]
    assert historical_clv(orders, acquisition_cost=D("0.01"), now=NOW) == D("0.34")


@pytest.mark.parametrize(
    ("clv", "tier"),
    [
        (D(250_000), "platinum"),
        (D(100_000), "platinum"),
        (D("99999.99"), "gold"),
        (D(50_000), "gold"),
        (D("49999.99"), "silver"),
        (D(10_000), "silver"),
        (D("9999.99"), "bronze"),
        (D(-500), "bronze"),
    ],
)
def test_clv_tier(clv: Decimal, tier: str) -> None:
    assert clv_tier(clv) == tier


def test_clv_tier_with_other_thresholds() -> None:
    assert clv_tier(D(500), thresholds=(1000, 500, 100)) == "gold"
    assert clv_tier(D(99), thresholds=(1000, 500, 100)) == "bronze"


# --- order rhythm ----------------------------------------------------------------------


def test_order_rhythm_median_gap_and_overdue_ratio() -> None:
    # gaps 30, 45, 45 (the split order 3 hours before the second is one occasion with it)
    days = [260.125, 260, 230, 185, 140]
    rhythm = order_rhythm([order(d, 100) for d in days], NOW)
    assert rhythm.orders == 5
    assert rhythm.typical_gap_days == 45.0
    assert rhythm.days_since_last == 140.0
    assert rhythm.expected_next == ago(95)
    assert rhythm.overdue_ratio == pytest.approx(140 / 45)


def test_order_rhythm_even_number_of_gaps_takes_the_middle() -> None:
    rhythm = order_rhythm([order(80, 1), order(50, 1), order(10, 1)], NOW)
    assert rhythm.typical_gap_days == 35.0  # gaps 30 and 40
    assert rhythm.expected_next == ago(10) + timedelta(days=35)
    assert rhythm.overdue_ratio == pytest.approx(10 / 35)


def test_order_rhythm_without_enough_orders() -> None:
    assert order_rhythm([], NOW) == OrderRhythm(0, None, None, None, None)
    assert order_rhythm([order(12, 5), order(-40, 5)], NOW) == OrderRhythm(
        1, None, 12.0, None, None
    )


# --- receivables -----------------------------------------------------------------------


def invoice(due_days_ago: float, amount: str | int, paid: str | int = 0) -> InvoiceLine:
    due = ago(due_days_ago)
    return InvoiceLine(due - timedelta(days=30), due, D(amount), D(paid))


def test_ar_aging_buckets_by_days_past_due() -> None:
    invoices = [
        invoice(-5, 1000, 200),  # not yet due: current, 800
        invoice(2 / 24, 100),  # due two hours ago: 0 days past due
        invoice(30, 50),
        invoice(31, 300),
        invoice(60, 10),
        invoice(61, 400),
        invoice(90, 5),
        invoice(91, 1000, 250),  # partly paid: 750 open
        invoice(200, 200, 200),  # paid in full
        invoice(120, 100, 130),  # overpaid: nothing open, no credit
        InvoiceLine(ago(-1), ago(-31), D(999), D(0)),  # issued after now
    ]
    aging = ar_aging(invoices, NOW)
    assert aging == Aging(
        current=D(800),
        d0_30=D(150),
        d31_60=D(310),
        d61_90=D(405),
        d90_plus=D(750),
        open_invoices=8,
        overdue_invoices=7,
        oldest_days_overdue=91,
    )
    assert aging.overdue == D(1615)
    assert aging.total == D(2415)
    assert aging.overdue_beyond(30) == D(1465)
    assert aging.overdue_beyond(60) == D(1155)
    assert aging.overdue_beyond(90) == D(750)


def test_ar_aging_of_nothing() -> None:
    aging = ar_aging([], NOW)
    assert aging.total == 0 and aging.oldest_days_overdue is None and aging.open_invoices == 0


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("12400", "USD", "$12,400"),
        ("12400.49", "USD", "$12,400"),
        ("12400.50", "USD", "$12,401"),
        ("0.5", "USD", "$1"),
        ("-250", "USD", "-$250"),
        ("1234567.89", "eur", "EUR 1,234,568"),
    ],
)
def test_format_money(amount: str, currency: str, shown: str) -> None:
    assert format_money(D(amount), currency) == shown


# --- revenue ---------------------------------------------------------------------------


def test_monthly_revenue_by_calendar_month() -> None:
    orders = [
        OrderLine(datetime(2026, 11, 1, 0, 0, tzinfo=UTC), D("10.10")),
        OrderLine(datetime(2026, 11, 25, 16, 0, tzinfo=UTC), D(5)),
        OrderLine(datetime(2026, 11, 25, 18, 0, tzinfo=UTC), D(1000)),  # after now
        OrderLine(datetime(2026, 10, 31, 23, 59, tzinfo=UTC), D(7)),
        OrderLine(datetime(2025, 12, 1, tzinfo=UTC), D(3)),
        OrderLine(datetime(2025, 11, 30, tzinfo=UTC), D(1000)),  # 12 months back
    ]
    months = monthly_revenue(orders, NOW)
    assert months == [D(3), *[D(0)] * 9, D(7), D("15.10")]
    assert monthly_revenue(orders, NOW, months=2) == [D(7), D("15.10")]


@pytest.mark.parametrize(
    ("values", "line"),
    [
        ([0, 1, 2, 3, 4, 5, 6, 7], "▁▂▃▄▅▆▇█"),
        ([D(10), D(0), D(5)], "█▁▅"),
        ([D(5), D(5), D(5)], "███"),  # steady revenue is full bars
        ([0, 0], "▁▁"),
        ([D(100), D(50)], "█▅"),  # zero is the baseline, not the lowest value
        ([-10, 0, 10], "▁▅█"),
        ([], ""),
    ],
)
def test_sparkline(values: list[Decimal | int], line: str) -> None:
    assert sparkline(values) == line


def test_revenue_change_compares_the_last_90_days_with_the_90_before() -> None:
    base = [order(100, 600), order(179, 400), order(180, 5000), order(-1, 9999)]
    flat = revenue_change([*base, order(1, 1100)], NOW)
    assert flat == RevenueChange(D(1100), D(1000), "flat")  # exactly +10 % is flat
    assert flat.percent == 10
    assert revenue_trend([*base, order(1, "1100.01")], NOW) == "rising"
    assert revenue_trend([*base, order(1, 900)], NOW) == "flat"
    falling = revenue_change([*base, order(1, "899.99")], NOW)
    assert falling.trend == "falling" and falling.percent == -10
    # an order exactly 90 days ago belongs to the earlier period
    assert revenue_change([order(90, 50)], NOW) == RevenueChange(D(0), D(50), "falling")


def test_revenue_change_without_an_earlier_period() -> None:
    assert revenue_change([order(5, 10)], NOW) == RevenueChange(D(10), D(0), "rising")
    assert revenue_change([order(5, 10)], NOW).percent is None
    assert revenue_trend([], NOW) == "flat"


# --- interim risk ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "level"), [(0, "low"), (29, "low"), (30, "medium"), (60, "medium"), (61, "high")]
)
def test_risk_level_follows_contract_bands(score: int, level: str) -> None:
    assert risk_level(score) == level
