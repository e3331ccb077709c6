"""CONTRACT §6 output (columns, CSV, JSON, --as-of) and the health card on kept scores."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from bot.cli_scores import as_of_cut, render_csv, render_json
from domain.errors import UsageError
from domain.model import Client
from domain.ports_chat import OrderLine
from domain.scores.arrays import OrderArrays
from domain.scores.explain import all_factors
from domain.scores.factors import Factor
from domain.scores.inputs import Billing, Quoting, ScoringInputs
from domain.scores.record import ScoreRecord
from domain.scores.scorecard import score
from domain.scores.table import COLUMNS, records, rows, sorted_columns
from domain.services.health import HealthSnapshot, health_card

HEADER = (
    "client_external_id,clv,clv_tier,expected_orders,expected_revenue,p_active,churn_risk,"
    "payment_risk,profitability_risk,risk_score,risk_level,health_score,rfm_segment,"
    "next_order_expected"
)
NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


def tiny() -> ScoringInputs:
    """Three clients: a regular buyer, a one-time buyer, a prospect."""
    cut = NOW.timestamp() / 86_400
    days = [cut - d for d in (90.0, 60, 30, 2)] + [cut - 400]
    return ScoringInputs(
        cut=cut,
        client_ids=np.array([1, 2, 3]),
        external_ids=["B-2", "A-1", "C-3"],
        created=np.full(3, cut - 500),
        acquisition=np.array([100.0, 0, 0]),
        orders=OrderArrays(
            np.array([0, 0, 0, 0, 1]), np.array(days), np.full(5, 250.0), np.full(5, np.nan)
        ),
        billing=Billing.empty(3),
        quoting=Quoting.empty(3),
        last_contact=np.array([cut - 1, np.nan, np.nan]),
    )


def test_columns_are_the_contract_s_in_its_order() -> None:
    assert ",".join(COLUMNS) == HEADER


def test_csv_has_the_header_and_one_row_per_client_sorted_by_id() -> None:
    text = render_csv(sorted_columns(score(tiny(), horizon=365.0)))
    lines = text.splitlines()
    assert lines[0] == HEADER
    found = list(csv.DictReader(io.StringIO(text)))
    assert [r["client_external_id"] for r in found] == ["A-1", "B-2", "C-3"]
    regular, prospect = found[1], found[2]
    assert regular["clv"] == "900.00" and regular["clv_tier"] == "bronze"
    assert len(regular["p_active"].split(".")[1]) == 4
    assert prospect["rfm_segment"] == "prospect" and prospect["next_order_expected"] == ""
    assert date.fromisoformat(regular["next_order_expected"]) > NOW.date()
    for row in found:
        assert 0 <= int(row["risk_score"]) <= 100 and 0 <= int(row["health_score"]) <= 100
        assert row["risk_level"] in {"low", "medium", "high"}


def test_json_objects_carry_exactly_the_contract_keys() -> None:
    objects = json.loads(render_json(sorted_columns(score(tiny(), horizon=365.0))))
    assert [list(o) for o in objects] == [list(COLUMNS)] * 3
    assert objects[2]["next_order_expected"] is None
    assert isinstance(objects[0]["clv"], float) and isinstance(objects[0]["churn_risk"], int)


def test_records_keep_the_printed_values() -> None:
    table = score(tiny(), horizon=365.0)
    kept = {r.client_external_id: r for r in records(table, all_factors(table), as_of=NOW.date())}
    for row in rows(table):
        record = kept[str(row[0])]
        assert float(record.clv) == row[1] and record.risk_score == row[9]
        assert record.rfm_segment == row[12]


def test_as_of_a_date_covers_the_whole_day() -> None:
    end = datetime(2026, 11, 23, tzinfo=UTC) + timedelta(days=1) - timedelta(microseconds=1)
    assert as_of_cut("2026-11-23") == end
    assert as_of_cut("2026-11-23T08:00") == datetime(2026, 11, 23, 8, tzinfo=UTC)
    assert as_of_cut("2026-11-23T08:00+02:00") == datetime(2026, 11, 23, 6, tzinfo=UTC)
    with pytest.raises(UsageError, match="--as-of"):
        as_of_cut("yesterday")


def kept_record(**changes: object) -> ScoreRecord:
    base = ScoreRecord(
        client_id=7, client_external_id="ACME-1", as_of=date(2026, 11, 24), horizon_days=365,
        clv=Decimal("11501.00"), clv_tier="gold", clv_trend="falling", expected_orders=2.4,
        expected_revenue=Decimal("9100.00"), p_active=0.64, churn_risk=36, payment_risk=70,
        profitability_risk=10, risk_score=64, risk_level="high", health_score=31,
        rfm_segment="at_risk", next_order_expected=date(2026, 12, 15),
        typical_gap_days=14.0, gap_low_days=12.0, gap_high_days=16.0,
        days_since_last_order=23.0,
        factors=(
            Factor("payment", "overdue", 31, {"amount": 12_400.0, "days": 70.0}),
            Factor("churn", "overdue_rhythm", 36, {"days": 23.0, "ratio": 1.6, "gap": 14.0}),
            Factor("profitability", "discounts", 10, {"discounted": 3, "quotes": 4,
                                                      "average": 12.5}),
            Factor("contact", "no_contact", 10, {"days": 75.0}),
        ),
    )  # fmt: skip
    return ScoreRecord(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_the_card_shows_the_kept_scores_and_their_factors() -> None:
    client = Client(external_id="ACME-1", name="Acme", owner_slack_user_id="U1", id=7)
    orders = [OrderLine(NOW - timedelta(days=d), Decimal(500)) for d in (60, 45, 37, 23)]
    snapshot = HealthSnapshot(client=client, owner_name="Dana", orders=orders, kept=kept_record())
    card = health_card(snapshot, now=NOW, tz="UTC", show_money=True)
    text = "\n".join(
        getattr(b, "text", "") + "\n" + "\n".join(getattr(b, "fields", ())) for b in card.blocks
    )
    assert card.summary == "Acme: health 31/100, high risk"
    assert "Owner *Dana* · Gold tier · At risk · ID ACME-1" in text
    assert (
        ":red_circle: *Health 31/100* · risk 64 (high)\nchurn 36 · payment 70 · profitability 10"
        in text
    )
    assert "• $12,400 overdue, the oldest 70 days past due" in text
    assert "• No order for 23 days — 1.6× the usual 14-day gap" in text
    assert "• Discounts on 3 of 4 quotes, 12.5% on average" in text
    assert "No contact for 75" not in text  # three factors at most
    assert "Usually orders every 12–16 days; 23 days since the last" in text
    assert "*Next order*\nOverdue (1.6× the usual gap); expected around Tue 15 Dec" in text
    assert "*Next 365 days*\n64% chance of an order; ~2.4 orders, $9,100" in text
    assert "$2,000 · falling" in text
    assert card.blocks[-1].text.endswith("scores of 2026-11-24")  # type: ignore[attr-defined]
    hidden = health_card(snapshot, now=NOW, tz="UTC", show_money=False)
    assert not any("$" in getattr(b, "text", "") for b in hidden.blocks)
