"""`/crm health` tiers a client's lifetime value by the policy file's ``[scores] tiers``,
before the scores job has run (provisional scores) and after (kept ones)."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from domain.model import Order
from domain.services.scoring import run_scores_job
from tests.conftest import FixedClock
from tests.slack.chat_fixtures import reply, seed, text_of
from tests.slack.conftest import SlackUser

POLICY = Path(tempfile.mkdtemp(prefix="crmbot-tiers-")) / "crmbot.toml"
POLICY.write_text(
    "[scores]\ntiers = { platinum = 50000, gold = 11000, silver = 1000 }\n", encoding="utf-8"
)


async def _orders(container: Container, clock: FixedClock) -> None:
    """Northwind (C3): four orders of 3 000, two weeks apart — a lifetime value of 12 000."""
    async with container.uow() as uow:
        await uow.orders.upsert_many(
            [
                Order(f"O-{i}", "C3", clock.now - timedelta(days=14 * i + 3), Decimal(3000))
                for i in range(4)
            ]
        )
        await uow.commit()


@pytest.mark.parametrize("app_container", [{"CRMBOT_CONFIG": str(POLICY)}], indirect=True)
async def test_the_card_tiers_by_the_policy_file(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed(app_container, slack)
    await _orders(app_container, clock)
    await user.command("health C3")
    provisional = text_of(await reply(slack))
    assert "Gold tier" in provisional  # 12 000 ≥ 11 000; the built-in tiers say silver
    assert "provisional scores" in provisional
    await run_scores_job(
        app_container.uow, now=clock.now, thresholds=app_container.policy.scores.tiers.thresholds()
    )
    await user.command("health C3")
    kept = text_of(await reply(slack, 2))
    assert "Gold tier" in kept and f"scores of {clock.now.date().isoformat()}" in kept
    assert not slack.violations


async def test_without_a_policy_file_the_built_in_tiers(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed(app_container, slack)
    await _orders(app_container, clock)
    await user.command("health C3")
    assert "Silver tier" in text_of(await reply(slack))
