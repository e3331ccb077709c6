"""CLV tiers by thresholds: the one definition every tier comes from (CONTRACT §6).

The thresholds are the lower bounds of platinum, gold and silver, descending; below silver
is bronze. The defaults can be replaced by the policy file's ``[scores] tiers`` table.
"""

from __future__ import annotations

from collections.abc import Sequence

Thresholds = Sequence[float]
DEFAULT_TIERS: tuple[float, float, float] = (100_000.0, 50_000.0, 10_000.0)
TIER_NAMES = ("platinum", "gold", "silver", "bronze")


def tier_of(value: float, thresholds: Thresholds = DEFAULT_TIERS) -> str:
    """The tier of one lifetime value."""
    for name, bound in zip(TIER_NAMES, thresholds, strict=False):
        if value >= bound:
            return name
    return "bronze"
