"""When a digest is due in a user's zone, and how its card keeps within Block Kit's limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.cards import Actions, Note, Text
from domain.model import Task, TaskOrigin, UserPreferences
from domain.ports_alerts import ClientLine, Recipient, RiskAlert
from domain.ports_approvals import WaitingSection
from domain.services.digest import DigestSettings, due_date
from domain.services.digest_content import MAX_BLOCKS, DigestData, digest_card

SETTINGS = DigestSettings(hour=8, days=("mon", "tue", "wed", "thu", "fri"), default_tz="UTC")


def user(tz: str | None, prefs: UserPreferences | None = None) -> Recipient:
    return Recipient("U1", "Dana", tz, None, prefs)


@pytest.mark.parametrize(
    ("tz", "utc", "due"),
    [
        ("Pacific/Honolulu", datetime(2026, 11, 23, 17, 59), None),  # 07:59 Mon, UTC-10
        ("Pacific/Honolulu", datetime(2026, 11, 23, 18, 0), "2026-11-23"),
        ("Pacific/Auckland", datetime(2026, 11, 22, 18, 59), None),  # 07:59 Mon, UTC+13
        ("Pacific/Auckland", datetime(2026, 11, 22, 19, 0), "2026-11-23"),  # Sunday in UTC
        ("Pacific/Auckland", datetime(2026, 11, 27, 19, 0), None),  # Saturday there
        ("America/New_York", datetime(2026, 11, 2, 12, 30), None),  # 07:30 EST after DST
        ("America/New_York", datetime(2026, 11, 2, 13, 0), "2026-11-02"),
        (None, datetime(2026, 11, 23, 8, 0), "2026-11-23"),  # unknown: CRMBOT_DEFAULT_TZ
        ("Not/AZone", datetime(2026, 11, 23, 8, 0), "2026-11-23"),  # unreadable: the default
    ],
)
def test_due_from_the_hour_on_working_days_in_the_user_s_zone(
    tz: str | None, utc: datetime, due: str | None
) -> None:
    found = due_date(user(tz), SETTINGS, now=utc.replace(tzinfo=UTC))
    assert (found.isoformat() if found else None) == due


def test_saved_preferences_win_over_the_policy_file() -> None:
    prefs = UserPreferences("U1", digest_hour=10, digest_days=["sat"])
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert due_date(user("UTC", prefs), SETTINGS, now=saturday) is not None
    assert due_date(user("UTC", prefs), SETTINGS, now=saturday - timedelta(minutes=1)) is None
    assert due_date(user("UTC", prefs), SETTINGS, now=saturday - timedelta(days=5)) is None
    off = UserPreferences("U1", alerts={"digest": False})
    assert due_date(user("UTC", off), SETTINGS, now=datetime(2026, 11, 23, 9, tzinfo=UTC)) is None


NOW = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)


def _task(n: int, *, auto: bool = False) -> Task:
    return Task(f"Task <{n}>", "U1", NOW - timedelta(hours=n + 1), client_id=1, id=n,
                origin=TaskOrigin.AUTO_RULE if auto else TaskOrigin.MANUAL)  # fmt: skip


def _alert(n: int, status: str) -> RiskAlert:
    client = ClientLine(n, f"C{n}", f"Client <{n}>", "U1")
    return RiskAlert(n, client, "U1", 70, [], NOW, status)


def test_a_big_digest_fits_fifty_blocks_and_says_what_is_left_out() -> None:
    data = DigestData(tz=ZoneInfo("America/Los_Angeles"), now=NOW)
    data.overdue = [_task(n, auto=n == 0) for n in range(60)]
    data.clients = {1: ClientLine(1, "A", "Acme & <Sons>", "U1")}
    data.risks = [_alert(n, "folded" if n % 2 else "sent") for n in range(12)]
    data.approvals = WaitingSection(blocks=(Text("quote Q1"), Text("quote Q2")), total=7)
    data.approvals_shown = 2
    card = digest_card(data)
    assert len(card.blocks) <= MAX_BLOCKS
    notes = [b.text for b in card.blocks if isinstance(b, Note)]
    assert any(n.endswith("more — `/crm tasks`") for n in notes)
    assert "…and 5 more — `/crm quotes`" in notes
    texts = " ".join(b.text for b in card.blocks if isinstance(b, Text))
    assert "Acme &amp; &lt;Sons&gt;" in texts and "Task &lt;0&gt;" in texts
    assert "auto-created" in texts
    assert any(isinstance(b, Actions) for b in card.blocks)  # a folded alert's buttons
    assert card.summary.startswith("Your digest: 60 overdue")


def test_nothing_to_report_is_zero_items() -> None:
    assert DigestData(tz=ZoneInfo("UTC"), now=NOW).items == 0
