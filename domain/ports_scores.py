"""The port scoring needs from storage: population reads as arrays, and kept scores.

``storage/repositories/scores.py`` implements it on SQLAlchemy (raw driver reads for the
order arrays), ``tests/fakes_scores.py`` in memory; ``tests/integration/test_scores_store.py``
runs the same assertions against both.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from domain.scores.inputs import ScoringInputs
from domain.scores.record import ScoreRecord


class ScoreStore(Protocol):
    async def inputs(self, *, cut: datetime) -> ScoringInputs:
        """Every client's history dated on or before ``cut``, with set-based reads: the
        clients created by then or with an order by then, their orders as arrays sorted by
        client and date, per-client billing and quoting totals, and the last contact."""
        ...

    async def save(
        self, records: Sequence[ScoreRecord], *, as_of: date, computed_at: datetime
    ) -> int:
        """Keep ``records`` as the scores of ``as_of``, replacing any kept for that date
        (running the job twice on one day leaves one row per client); returns how many."""
        ...

    async def computed_at(self, *, as_of: date) -> datetime | None:
        """When the scores kept for ``as_of`` were computed; None when there are none."""
        ...

    async def latest(self, client_id: int, *, on_or_before: date) -> ScoreRecord | None:
        """The client's most recent kept scores dated on or before ``on_or_before``."""
        ...

    async def latest_two(
        self, *, on_or_before: date
    ) -> dict[int, tuple[ScoreRecord, ScoreRecord | None]]:
        """Per client id, its latest kept scores and the ones before them (None when there
        is only one): what risk alerts and the digest compare."""
        ...
