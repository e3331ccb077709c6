"""Client scores (CONTRACT §6): every client's, for ``crmbot scores`` and the ``scores`` job,
and one client's, for the health card.

The population is read in one unit of work and scored outside it (off the event loop: the
numpy work takes seconds for 100 000 clients), then the job keeps the records in another,
so no transaction stays open while the models fit. The card shows the latest kept scores;
before the job has run for a client it scores that client alone, from its snapshot, with
the models' priors, and says the figures are provisional.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import numpy as np

from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.ports_chat import ClientSnapshot
from domain.scores.arrays import OrderArrays
from domain.scores.explain import all_factors
from domain.scores.inputs import InvoiceArrays, Quoting, ScoringInputs, billing_of
from domain.scores.record import ScoreRecord
from domain.scores.scorecard import ScoreTable, score
from domain.scores.table import day_of, records
from domain.scores.tiers import tier_of
from domain.scores.value import TIERS

logger = logging.getLogger(__name__)

HORIZON_DAYS = 365
REFRESH = timedelta(hours=1)


async def compute_scores(
    uows: UnitOfWorkFactory,
    *,
    cut: datetime,
    horizon_days: int = HORIZON_DAYS,
    thresholds: Sequence[float] = TIERS,
) -> ScoreTable:
    """Every client's scores from data dated on or before ``cut``."""
    async with uows() as uow:
        inputs = await uow.scores.inputs(cut=cut)
    return await asyncio.to_thread(
        score, inputs, horizon=float(horizon_days), thresholds=thresholds
    )


async def run_scores_job(
    uows: UnitOfWorkFactory,
    *,
    now: datetime,
    horizon_days: int = HORIZON_DAYS,
    thresholds: Sequence[float] = TIERS,
) -> Mapping[str, int]:
    """Keep every client's scores as of ``now`` as the scores of ``now``'s date (UTC).

    ``thresholds``: the CLV tiers' lower bounds (platinum, gold, silver): the policy file's
    ``[scores] tiers``; the defaults are ``tiers.DEFAULT_TIERS``.

    The ticker calls every job each cycle; scoring runs when the day has no scores yet or
    they are more than ``REFRESH`` old, so a day's scores follow the day's data without
    refitting every half minute. A re-run replaces the day's rows, one per client.
    """
    day = now.astimezone(UTC).date()
    async with uows() as uow:
        last = await uow.scores.computed_at(as_of=day)
        if last is not None and now - last < REFRESH:
            return {"clients_scored": 0, "fresh_already": 1}
        inputs = await uow.scores.inputs(cut=now)
    table, kept = await asyncio.to_thread(_score_and_explain, inputs, day, horizon_days, thresholds)
    async with uows() as uow:
        saved = await uow.scores.save(kept, as_of=day, computed_at=now)
        await uow.commit()
    high = int(np.count_nonzero(table.level == "high"))
    logger.info("scores as of %s: %d clients, %d high risk", day, saved, high)
    return {"clients_scored": saved, "high_risk": high}


def _score_and_explain(
    inputs: ScoringInputs, day: date, horizon_days: int, thresholds: Sequence[float]
) -> tuple[ScoreTable, list[ScoreRecord]]:
    table = score(inputs, horizon=float(horizon_days), thresholds=thresholds)
    return table, records(table, all_factors(table), as_of=day)


@dataclass(frozen=True)
class CardScores:
    record: ScoreRecord
    provisional: bool  # True: scored alone from the snapshot, the job has not run yet


async def card_scores(
    uow: UnitOfWork,
    snapshot: ClientSnapshot,
    *,
    now: datetime,
    thresholds: Sequence[float] = TIERS,
) -> CardScores:
    """The latest kept scores of the snapshot's client (tiered by ``thresholds``, which may
    have changed since they were kept), else provisional ones."""
    client_id = snapshot.client.id
    if client_id is not None:
        kept = await uow.scores.latest(client_id, on_or_before=now.astimezone(UTC).date())
        if kept is not None:
            return CardScores(retiered(kept, thresholds), provisional=False)
    return CardScores(provisional_scores(snapshot, now=now, thresholds=thresholds), True)


def retiered(kept: ScoreRecord, thresholds: Sequence[float]) -> ScoreRecord:
    """``kept`` with its CLV tier by ``thresholds`` (the policy file's, read now)."""
    return replace(kept, clv_tier=tier_of(float(kept.clv), thresholds))


def provisional_scores(
    snapshot: ClientSnapshot, *, now: datetime, thresholds: Sequence[float] = TIERS
) -> ScoreRecord:
    """One client scored alone, as of ``now``: payment, profitability, value and rhythm are
    exact; the forecast uses the purchase models' priors (there is no population to fit)."""
    inputs = snapshot_inputs(snapshot, now=now)
    table = score(inputs, horizon=float(HORIZON_DAYS), thresholds=thresholds)
    return records(table, all_factors(table), as_of=now.astimezone(UTC).date())[0]


def snapshot_inputs(snapshot: ClientSnapshot, *, now: datetime) -> ScoringInputs:
    """A one-client population from a snapshot (its data dated on or before ``now``)."""
    cut = day_of(now)
    quotes = [q for q in snapshot.pending_quotes if q.created_at is None or q.created_at <= now]
    client, contact = snapshot.client, snapshot.last_activity
    return ScoringInputs(
        cut=cut,
        client_ids=np.array([client.id or 0], dtype=np.int64),
        external_ids=[client.external_id],
        created=np.array([day_of(client.created_at) if client.created_at else np.nan]),
        acquisition=np.array([float(client.acquisition_cost or 0)]),
        orders=_order_arrays(snapshot, now),
        billing=billing_of(_invoice_arrays(snapshot), cut=cut, clients=1),
        quoting=Quoting(
            np.array([float(len(quotes))]),
            np.array([float(sum(1 for q in quotes if q.discount_pct > 0))]),
            np.array([float(sum(q.discount_pct for q in quotes))]),
        ),
        last_contact=np.array([day_of(contact.occurred_at) if contact else np.nan]),
    )


def _order_arrays(snapshot: ClientSnapshot, now: datetime) -> OrderArrays:
    orders = sorted((o for o in snapshot.orders if o.ordered_at <= now), key=lambda o: o.ordered_at)
    return OrderArrays(
        np.zeros(len(orders), dtype=np.int64),
        np.array([day_of(o.ordered_at) for o in orders], dtype=np.float64),
        np.array([float(o.amount) for o in orders], dtype=np.float64),
        np.array([np.nan if o.cost is None else float(o.cost) for o in orders]),
    )


def _invoice_arrays(snapshot: ClientSnapshot) -> InvoiceArrays:
    inv = snapshot.invoices
    return InvoiceArrays(
        np.zeros(len(inv), dtype=np.int64),
        np.array([day_of(i.issued_at) for i in inv], dtype=np.float64),
        np.array([day_of(i.due_at) for i in inv], dtype=np.float64),
        np.array([float(i.amount) for i in inv], dtype=np.float64),
        np.array([float(i.paid) for i in inv], dtype=np.float64),
        np.array([np.nan if i.last_paid_at is None else day_of(i.last_paid_at) for i in inv]),
    )
