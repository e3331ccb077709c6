"""Backtest the purchase forecast: fit on a calibration period, score a holdout year.

    python bench/backtest.py --buyers 20000 --seed 1 [--scenario young steady short ...]

Every method sees only the orders dated on or before the end of the calibration period and
is scored on the clients that had bought by then (``domain/scores/backtest.py``). Scenarios:

- ``young``: simulated buyers (``domain/scores/simulate.py``: heterogeneous rates and
  drop-out, dropout after the first order too, own rhythms, seasonality, Gamma-Gamma spend
  with growth) acquired over two years; the holdout is the third year;
- ``steady``: the same buyers acquired over four years, holdout the fifth (an older base);
- ``short``: the same buyers acquired over 300 days, holdout the next year: less history
  than one horizon, so nothing to calibrate on (a young installation) — the rhythm model;
- ``late``: a stress test of calibration — steady buyers of whom no one leaves before half
  a year before the cut, so the calibration year holds no departure to learn from, and
  departures begin only as the holdout nears (no method can foresee their rate: totals are
  off for all);
- ``demo`` / ``demo180``: the demo data generator's orders (``crmbot demo-data``), holdout
  the last 365 / 180 days before its "now".

Prints one markdown table per scenario.
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import UTC, datetime

import numpy as np

from domain.demo import generate_demo
from domain.scores.arrays import OrderArrays
from domain.scores.backtest import Metrics, backtest
from domain.scores.simulate import Population, simulate

DEMO_NOW = datetime(2026, 11, 1, tzinfo=UTC)
SCENARIOS = ("young", "steady", "short", "late", "demo", "demo180")
SHORT_DAYS = 300.0  # "short": less history than one horizon, nothing to calibrate on
LATE_CHURN = 365.0 * 2 - 180.0  # "late": the first departures half a year before the cut
# "late": steady buyers (an order every 50 days on average, each on its own rhythm), as in
# the demo data, so that in the calibration period a buyer silent for a year has left
LATE = Population(r=4.0, alpha=200.0, regularity=(3.0, 10.0), churn_from=LATE_CHURN)


def demo_orders(clients: int, seed: int) -> tuple[OrderArrays, int, float]:
    """The demo generator's orders as arrays (days since the epoch) and its "now"."""
    data = generate_demo(clients=clients, seed=seed, now=DEMO_NOW)
    index = {c.external_id: i for i, c in enumerate(data.clients)}
    rows = sorted(
        (index[o.client_external_id], o.ordered_at.timestamp() / 86_400, float(o.amount),
         math.nan if o.cost is None else float(o.cost))
        for o in data.orders
    )  # fmt: skip
    table = np.array(rows, dtype=np.float64)
    orders = OrderArrays(table[:, 0].astype(np.int64), table[:, 1], table[:, 2], table[:, 3])
    return orders, len(data.clients), DEMO_NOW.timestamp() / 86_400


def scenario(name: str, buyers: int, seed: int) -> tuple[OrderArrays, int, float, float, str]:
    """Orders, clients, end of calibration, horizon, and a one-line description."""
    if name == "short":
        orders, _ = simulate(buyers, days=SHORT_DAYS + 365.0, acquire_until=SHORT_DAYS,
                             seed=seed, population=Population())  # fmt: skip
        what = f"{buyers:,} simulated buyers acquired over {SHORT_DAYS:.0f} days, holdout a year"
        return orders, buyers, SHORT_DAYS, 365.0, what
    if name == "late":
        orders, _ = simulate(buyers, days=365.0 * 3, acquire_until=365.0 * 2, seed=seed,
                             population=LATE)  # fmt: skip
        what = (f"{buyers:,} simulated buyers acquired over 2 years, no one leaving before "
                f"day {LATE_CHURN:.0f}, holdout year 3")  # fmt: skip
        return orders, buyers, 365.0 * 2, 365.0, what
    if name in ("young", "steady"):
        years = 2 if name == "young" else 4
        orders, _ = simulate(buyers, days=365.0 * (years + 1), acquire_until=365.0 * years,
                             seed=seed, population=Population())  # fmt: skip
        what = f"{buyers:,} simulated buyers acquired over {years} years, holdout year {years + 1}"
        return orders, buyers, 365.0 * years, 365.0, what
    horizon = 180.0 if name == "demo180" else 365.0
    orders, clients, now = demo_orders(buyers, seed)
    what = f"demo data, {clients:,} clients, holdout the last {horizon:.0f} days"
    return orders, clients, now - horizon, horizon, what


def table(results: dict[str, Metrics]) -> str:
    def cell(value: float, fmt: str) -> str:
        return "—" if math.isnan(value) else format(value, fmt)

    lines = [
        "| method | AUC (no order) | Spearman | Pearson | top-10 % capture | total error |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, m in results.items():
        lines.append(
            f"| {name} | {cell(m.auc, '.4f')} | {cell(m.spearman, '.4f')} | "
            f"{cell(m.pearson, '.4f')} | {cell(m.top10, '.1%')} | {cell(m.total, '+.1%')} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--buyers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--scenario", nargs="+", default=list(SCENARIOS), choices=SCENARIOS,
    )  # fmt: skip
    args = parser.parse_args()
    for name in args.scenario:
        started = time.perf_counter()
        orders, clients, cal_end, horizon, what = scenario(name, args.buyers, args.seed)
        results = backtest(orders, clients=clients, cal_end=cal_end, horizon=horizon)
        ours = results["crmbot (combined)"]
        beats = all(
            ours.auc > m.auc and ours.spearman > m.spearman
            for n, m in results.items() if n != "crmbot (combined)"
        )  # fmt: skip
        verdict = "beats every baseline on AUC and Spearman" if beats else "does NOT beat all"
        print(f"### {name}: {what} (seed {args.seed}, {time.perf_counter() - started:.1f} s)\n")
        print(table(results))
        print(f"\ncrmbot {verdict}; total error {ours.total:+.1%}\n")


if __name__ == "__main__":
    main()
