"""The ``[scores]`` section of the policy file: CLV tier thresholds, checked with their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Policy, PolicyFileError, load_policy
from domain.scores.tiers import DEFAULT_TIERS, tier_of


def _load(tmp_path: Path, text: str) -> Policy:
    path = tmp_path / "crmbot.toml"
    path.write_text(text, encoding="utf-8")
    return load_policy(path)


def test_the_defaults_without_a_section(tmp_path: Path) -> None:
    assert _load(tmp_path, "[digest]\nhour = 7\n").scores.tiers.thresholds() == DEFAULT_TIERS
    assert Policy().scores.tiers.thresholds() == (100_000.0, 50_000.0, 10_000.0)


@pytest.mark.parametrize(
    "text",
    [
        "[scores]\ntiers = { platinum = 250000, gold = 25000.5, silver = 5000 }\n",
        "[scores.tiers]\nplatinum = 250000\ngold = 25000.5\nsilver = 5000\n",
    ],
)
def test_an_inline_table_or_a_table_of_its_own(tmp_path: Path, text: str) -> None:
    assert _load(tmp_path, text).scores.tiers.thresholds() == (250_000.0, 25_000.5, 5_000.0)


def test_a_key_left_out_keeps_its_default(tmp_path: Path) -> None:
    policy = _load(tmp_path, "[scores.tiers]\nsilver = 2000\n")
    assert policy.scores.tiers.thresholds() == (100_000.0, 50_000.0, 2_000.0)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("[digest]\nhour = 8\n\n[scores]\ntiers = { platinum = 10, gold = 50 }\n", 5, "descending"),
        ("[scores.tiers]\nplatinum = 100\ngold = 100\nsilver = 1\n", 1, "descending"),
        ("[scores.tiers]\nplatinum = 100\ndiamond = 500\n", 3, "scores.tiers.diamond"),
        ("[scores]\ntier = { gold = 5 }\n", 2, "scores.tier"),
        ("[scores.tiers]\nsilver = -5\n", 2, "scores.tiers.silver"),
        ('[scores.tiers]\ngold = "lots"\n', 2, "scores.tiers.gold"),
        ("[scores.tiers]\ngold = nan\n", 2, "scores.tiers.gold"),
    ],
)
def test_a_bad_tiers_table_names_its_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "crmbot.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyFileError) as raised:
        load_policy(path)
    message = raised.value.user_message()
    assert message.startswith(f"{path}:{line}: "), message
    assert words in message


def test_tier_of_at_and_between_the_thresholds() -> None:
    bounds = (1000.0, 500.0, 100.0)
    found = [tier_of(v, bounds) for v in (5000, 1000, 999.99, 500, 100, 99.99, -20)]
    assert found == ["platinum", "platinum", "gold", "gold", "silver", "bronze", "bronze"]
    assert tier_of(10_000) == "silver" and tier_of(9_999.99) == "bronze"


async def test_the_health_card_tiers_by_the_policy_s_thresholds() -> None:
    """Kept scores are re-tiered by the thresholds in force now; provisional ones are tiered
    by them when computed (the card's byline names the tier)."""
    from datetime import timedelta

    from domain.services.health import health_card, with_kept_scores
    from tests.fakes import FakeUnitOfWorkFactory
    from tests.unit.test_health_card import NOW, TZ, body, rich
    from tests.unit.test_scores_output import kept_record

    tiers = (20_000.0, 11_000.0, 5_000.0)
    default = body(health_card(rich(), now=NOW, tz=TZ, show_money=True))
    assert "· Silver tier ·" in default  # CLV 11 501 under the built-in thresholds
    uows = FakeUnitOfWorkFactory()
    async with uows() as uow:
        alone = await with_kept_scores(uow, rich(), now=NOW, tiers=tiers)
    assert alone.kept is None and "· Gold tier ·" in body(
        health_card(alone, now=NOW, tz=TZ, show_money=True)
    )
    record = kept_record(client_id=7, clv_tier="bronze", as_of=(NOW - timedelta(days=1)).date())
    async with uows() as uow:
        await uow.scores.save([record], as_of=record.as_of, computed_at=NOW - timedelta(days=1))
        await uow.commit()
    snapshot = rich()
    snapshot.client.id = 7
    async with uows() as uow:
        found = await with_kept_scores(uow, snapshot, now=NOW, tiers=tiers)
    assert found.kept is not None and found.kept.clv_tier == "gold"  # 11 501 ≥ 11 000
    assert "· Gold tier ·" in body(health_card(found, now=NOW, tz=TZ, show_money=True))
