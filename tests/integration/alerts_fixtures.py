"""Seed data and readers for the digest, risk-alert and auto-task tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from bot.bootstrap import Container
from domain.model import Client, Role, Task, User, UserPreferences
from domain.scores.factors import Factor
from domain.scores.record import ScoreRecord
from storage.models import OutboxRow

LA, HNL, AKL = "U0LA", "U0HNL", "U0AKL"
MGR = "U0MGR"
ZONES = {LA: "America/Los_Angeles", HNL: "Pacific/Honolulu", AKL: "Pacific/Auckland"}


async def seed_users(
    container: Container, *, zones: dict[str, str] | None = None, managed: bool = False
) -> None:
    """Reps in ``zones`` (default: LA, Honolulu, Auckland) and a manager in London, whom
    they report to when ``managed``."""
    zones = zones or ZONES
    boss = MGR if managed else None
    users = [User(MGR, "Mo Manager", role=Role.MANAGER, timezone="Europe/London")]
    users += [
        User(u, f"Rep {u}", timezone=tz, manager_slack_user_id=boss) for u, tz in zones.items()
    ]
    async with container.uow() as uow:
        await uow.users.upsert_many(users)
        await uow.commit()


async def seed_clients(container: Container, owners: dict[str, str | None]) -> dict[str, int]:
    """Clients by external id → owner; returns their database ids."""
    async with container.uow() as uow:
        await uow.clients.upsert_many(
            [
                Client(x, f"Client {x}", owner_slack_user_id=o,
                       created_at=datetime(2024, 1, 1, tzinfo=UTC))
                for x, o in owners.items()
            ]
        )  # fmt: skip
        ids = await uow.clients.ids_for(owners)
        await uow.commit()
    return ids


async def add_task(
    container: Container, assignee: str, title: str, due: datetime, *, client_id: int | None = None
) -> int:
    async with container.uow() as uow:
        task = await uow.tasks.add(
            Task(title=title, assignee_slack_user_id=assignee, due_at=due, client_id=client_id,
                 created_at=due - timedelta(days=3))
        )  # fmt: skip
        await uow.commit()
    assert task.id is not None
    return task.id


async def set_prefs(container: Container, prefs: UserPreferences) -> None:
    async with container.uow() as uow:
        await uow.preferences.put(prefs, now=container.clock())
        await uow.commit()


def record(client_id: int, external_id: str, day: date, *, risk: int, tier: str = "silver",
           **extra: Any) -> ScoreRecord:  # fmt: skip
    values: dict[str, Any] = {
        "horizon_days": 365, "clv": Decimal("1000.00"), "clv_tier": tier, "clv_trend": "flat",
        "expected_orders": 2.0, "expected_revenue": Decimal("500.00"), "p_active": 0.5,
        "churn_risk": risk, "payment_risk": risk, "profitability_risk": 0, "risk_score": risk,
        "risk_level": "high" if risk > 60 else "medium" if risk >= 30 else "low",
        "health_score": 100 - risk, "rfm_segment": "at_risk", "next_order_expected": None,
        "typical_gap_days": None, "gap_low_days": None, "gap_high_days": None,
        "days_since_last_order": None,
        "factors": (Factor("payment", "overdue", 40.0, {"amount": 1200.0, "days": 45.0}),),
    }  # fmt: skip
    values.update(extra)
    return ScoreRecord(client_id=client_id, client_external_id=external_id, as_of=day, **values)


async def keep_scores(container: Container, day: date, records: list[ScoreRecord]) -> None:
    async with container.uow() as uow:
        await uow.scores.save(
            records, as_of=day, computed_at=datetime(day.year, day.month, day.day, 1, tzinfo=UTC)
        )
        await uow.commit()


async def outbox(container: Container, prefix: str = "") -> list[OutboxRow]:
    async with container.uow() as uow:
        found = list(
            (
                await uow.session.execute(
                    select(OutboxRow).where(OutboxRow.key.startswith(prefix)).order_by(OutboxRow.id)
                )
            ).scalars()
        )
        uow.session.expunge_all()
    return found


def text_of(payload: dict[str, Any]) -> str:
    parts = [str(payload.get("text", ""))]
    for block in payload.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(str(block["text"].get("text", "")))
        parts += [str(e.get("text", "")) for e in block.get("elements", [])
                  if isinstance(e.get("text"), str)]  # fmt: skip
    return "\n".join(parts)


def action_ids(payload: dict[str, Any]) -> list[str]:
    found = []
    for block in payload.get("blocks") or []:
        found += [e["action_id"] for e in block.get("elements", []) if e.get("type") == "button"]
        if (block.get("accessory") or {}).get("type") == "button":
            found.append(block["accessory"]["action_id"])
    return found
