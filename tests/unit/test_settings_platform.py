"""``domain.services.settings``: the platform choice, on the fakes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.model import Surface, User
from domain.services import settings
from domain.teams import TeamsConversationRef
from tests.fakes import FakeUnitOfWorkFactory

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
DEFAULTS = settings.DigestDefaults()
REF = TeamsConversationRef("a:chat", "https://smba.example/", "28:bot")


def form(platform: str | None) -> settings.SettingsForm:
    return settings.SettingsForm("8", ["mon"], None, None, ["reminders"], platform)


async def save(uows: FakeUnitOfWorkFactory, platform: str | None) -> str:
    """Save with this choice; the platform saved (and said so in the reply)."""
    async with uows() as uow:
        card = await settings.save(  # the fake has every store, typed as its fake class
            uow,  # type: ignore[arg-type]
            "U1",
            form(platform),
            defaults=DEFAULTS,
            surface=Surface.MODAL,
            now=NOW,
        )
        await uow.commit()
    async with uows() as uow:
        saved = (await uow.preferences.get("U1")).platform
    assert f"Messages come in {settings.PLATFORM_LABELS[saved]}" in str(card.blocks[0])
    return saved


async def test_teams_needs_a_chat_and_a_form_without_the_choice_keeps_it() -> None:
    uows = FakeUnitOfWorkFactory()
    async with uows() as uow:
        await uow.users.upsert_many([User("U1", "Ana")])
        await uow.commit()
    with pytest.raises(settings.SettingsInvalid, match="Write to crmbot in Microsoft Teams"):
        await save(uows, "teams")
    with pytest.raises(settings.SettingsInvalid, match="Slack or Microsoft Teams"):
        await save(uows, "email")
    async with uows() as uow:
        user = await uow.users.get("U1")
        assert user is not None and user.id is not None
        await uow.teams_refs.remember(user.id, REF, now=NOW)
        await uow.commit()
    assert await save(uows, "teams") == "teams"
    assert await save(uows, None) == "teams"  # the Slack form offered no choice: kept
    assert await save(uows, "slack") == "slack"
