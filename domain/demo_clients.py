"""Demo clients: unique company names, owners among the reps, credit terms, tags."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from domain.demo_util import money, slug
from domain.demo_words import (
    CITIES,
    COMPANY_CORES,
    COMPANY_PREFIXES,
    COMPANY_SUFFIXES,
    INDUSTRIES,
    LAST_NAMES,
    REGIONS,
)
from domain.model import Client

# Names that exercise mrkdwn escaping and client resolution (exact vs. prefix vs. fuzzy).
ESCAPING_NAME = "<!channel> & Co"
NEAR_DUPLICATES = ("Acme Industrial", "Acme Industries")
SPECIAL_NAMES_FROM = 10
TERMS = (15, 30, 30, 30, 45, 60)


def make_clients(
    rng: random.Random, *, now: datetime, owners: list[str], created_days_ago: list[float]
) -> list[Client]:
    """One client per entry of ``created_days_ago``, numbered C00001, C00002, …"""
    count = len(created_days_ago)
    specials = [*NEAR_DUPLICATES, ESCAPING_NAME] if count >= SPECIAL_NAMES_FROM else []
    # The special clients sit at random places rather than always at C00001.
    special_at = dict(zip(rng.sample(range(count), len(specials)), specials, strict=True))
    taken = {name.casefold() for name in specials}
    clients = []
    for index in range(count):
        name = special_at.get(index) or _fresh_name(rng, taken)
        created = now - timedelta(days=created_days_ago[index])
        clients.append(_client(rng, index=index, name=name, created=created, owners=owners))
    return clients


def _client(
    rng: random.Random, *, index: int, name: str, created: datetime, owners: list[str]
) -> Client:
    domain = slug(name) or "client"
    return Client(
        external_id=f"C{index + 1:05d}",
        name=name,
        owner_slack_user_id=rng.choice(owners),
        email=f"{rng.choice(('purchasing', 'orders', 'ap', 'info'))}@{domain}.example.com",
        phone=f"+1-{rng.randrange(201, 990)}-555-01{rng.randrange(100):02d}",
        credit_limit=money(rng.randrange(2, 51) * 5_000_00),
        payment_terms_days=rng.choice(TERMS),
        tags=[rng.choice(INDUSTRIES), rng.choice(REGIONS)],
        acquisition_cost=money(rng.randrange(200_00, 5_000_00)),
        created_at=created.replace(microsecond=0),
    )


def _fresh_name(rng: random.Random, taken: set[str]) -> str:
    for _ in range(6):
        name = _company_name(rng)
        if name.casefold() not in taken:
            break
    else:
        # The word lists give tens of thousands of names; beyond, qualify by city, then number.
        name = f"{name} of {rng.choice(CITIES)}"
        serial = 2
        base = name
        while name.casefold() in taken:
            name = f"{base} {serial}"
            serial += 1
    taken.add(name.casefold())
    return name


def _company_name(rng: random.Random) -> str:
    shape = rng.random()
    core = rng.choice(COMPANY_CORES)
    if shape < 0.65:
        return f"{rng.choice(COMPANY_PREFIXES)} {core} {rng.choice(COMPANY_SUFFIXES)}"
    if shape < 0.8:
        return f"{rng.choice(COMPANY_PREFIXES)} {core}"
    first, second = rng.sample(LAST_NAMES, 2)
    if shape < 0.9:
        return f"{first} & {second} {core}"
    return f"{first} {core} & Sons" if shape < 0.95 else f"{first} Brothers {core}"
