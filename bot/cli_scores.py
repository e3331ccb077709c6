"""``crmbot scores --as-of DATE [--horizon-days N] [--format csv|json]`` (CONTRACT §2, §6).

Prints every client's row to stdout, nothing else: a CSV with the §6 header, or a JSON
array of objects with the §6 keys. ``--as-of`` is a date (the whole day counts: data dated
up to 23:59:59.999999 UTC) or a date-time (up to that instant; without a zone it is UTC).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import UTC, date, datetime, time, timedelta
from typing import TextIO

from bot.bootstrap import Container
from domain.errors import UsageError
from domain.scores.table import COLUMNS, Cell, sorted_columns
from domain.services.scoring import compute_scores

DECIMALS = {"clv": 2, "expected_orders": 2, "expected_revenue": 2, "p_active": 4}


def as_of_cut(text: str) -> datetime:
    """The last instant ``--as-of`` covers: the end of a date, or the date-time itself."""
    try:
        if len(text.strip()) == 10:
            day = date.fromisoformat(text.strip())
            return datetime.combine(day + timedelta(days=1), time(), UTC) - timedelta(
                microseconds=1
            )
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"--as-of {text!r} is not an ISO-8601 date (e.g. 2026-11-23 or 2026-11-23T08:00)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def print_scores(
    container: Container, *, as_of: str, horizon_days: int, fmt: str, out: TextIO | None = None
) -> int:
    cut = as_of_cut(as_of)
    tiers = container.policy.scores.tiers.thresholds()  # [scores] tiers of CRMBOT_CONFIG
    table = await compute_scores(
        container.uow, cut=cut, horizon_days=horizon_days, thresholds=tiers
    )
    found = sorted_columns(table)
    text = render_json(found) if fmt == "json" else render_csv(found)
    (out or sys.stdout).write(text)
    return 0


def _text(column: str, values: list[Cell]) -> list[str]:
    """A column's cells as CSV text: fixed decimals where §6 has them, empty for none."""
    places = DECIMALS.get(column)
    if places is not None:
        return [f"{v:.{places}f}" for v in values]
    return ["" if v is None else str(v) for v in values]


def render_csv(found: dict[str, list[Cell]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(zip(*(_text(c, found[c]) for c in COLUMNS), strict=True))
    return buffer.getvalue()


def render_json(found: dict[str, list[Cell]]) -> str:
    objects = [dict(zip(COLUMNS, row, strict=True)) for row in zip(*found.values(), strict=True)]
    return json.dumps(objects, ensure_ascii=False) + "\n"
