"""The digest, risk-alert, auto-task and nightly scores jobs: clock ticks to domain calls."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.alerts_wiring import auto_task_rules, digest_service, risk_settings
from domain.services.auto_tasks import run_auto_tasks
from domain.services.risk_alerts import run_risk_alerts

if TYPE_CHECKING:
    from bot.bootstrap import Container

JobRun = Callable[["Container", datetime], Awaitable[Mapping[str, int]]]


async def run_digest(container: Container, now: datetime) -> Mapping[str, int]:
    return await digest_service(container).run_cycle(now=now)


async def run_risk(container: Container, now: datetime) -> Mapping[str, int]:
    from bot.notifier import notifier

    return await run_risk_alerts(
        container.uow, notifier=notifier(), settings=risk_settings(container), now=now
    )


async def run_auto(container: Container, now: datetime) -> Mapping[str, int]:
    return await run_auto_tasks(
        container.uow,
        rules=auto_task_rules(container),
        default_tz=container.settings.default_tz,
        now=now,
    )


def once_a_day(scores: JobRun) -> JobRun:
    """The ticker's scores: ``scores`` at the first tick of each UTC day that finds none
    kept for it, so the models are not refitted every tick (``crmbot run-job scores``
    refreshes on demand)."""

    async def nightly(container: Container, now: datetime) -> Mapping[str, int]:
        async with container.uow() as uow:
            kept = await uow.scores.computed_at(as_of=now.astimezone(UTC).date())
        if kept is not None:
            return {"clients_scored": 0, "kept_today_already": 1}
        return await scores(container, now)

    return nightly
