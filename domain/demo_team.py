"""The demo sales team: reps reporting to managers, finance, one admin, many time zones."""

from __future__ import annotations

import random

from domain.demo_words import FIRST_NAMES, LAST_NAMES
from domain.model import Role, User

TIMEZONES = (
    "America/Los_Angeles",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Singapore",
    "Pacific/Honolulu",
    "Australia/Sydney",
)
REPS = 8
FINANCE = 2


def make_team(rng: random.Random) -> list[User]:
    """Admin first, then managers, finance and reps; every rep reports to a manager."""
    managers = rng.choice((2, 3))
    roles = [Role.ADMIN] + [Role.MANAGER] * managers + [Role.FINANCE] * FINANCE
    roles += [Role.REP] * REPS
    names = _unique_names(rng, len(roles))
    users: list[User] = []
    for number, (role, (first, last)) in enumerate(zip(roles, names, strict=True), start=1):
        users.append(
            User(
                slack_user_id=f"U0DEMO{number:02d}",
                name=f"{first} {last}",
                email=f"{first.lower()}.{last.lower()}@example.com",
                role=role,
                timezone=TIMEZONES[(number - 1) % len(TIMEZONES)],
            )
        )
    manager_ids = [u.slack_user_id for u in users if u.role is Role.MANAGER]
    admin_id = users[0].slack_user_id
    reps = [u for u in users if u.role is Role.REP]
    for index, rep in enumerate(reps):
        rep.manager_slack_user_id = manager_ids[index % len(manager_ids)]
    for user in users:
        if user.role in (Role.MANAGER, Role.FINANCE):
            user.manager_slack_user_id = admin_id
    return users


def _unique_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    firsts = rng.sample(FIRST_NAMES, count)
    lasts = rng.sample(LAST_NAMES, count)
    return list(zip(firsts, lasts, strict=True))
