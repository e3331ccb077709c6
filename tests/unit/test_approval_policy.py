"""The policy file's approval section: levels and rules checked at load, lines named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bot.config import PolicyFileError, parse_policy
from domain.approvals.model import Chain, ChainFacts
from domain.approvals.policy import Approver, ChainLevel
from domain.model import ApprovalDecision, Decision, QuoteStatus, Role, User
from domain.services.approvals_decide import _next
from domain.services.approvals_facts import approvers_of

PATH = Path("crmbot.toml")


def test_custom_levels_replace_the_default() -> None:
    policy = parse_policy(
        """
[approval]
escalate_after_hours = 6

[[approval.levels]]
name = "vp"
approver = "users:U1,U2"
quorum = "all"
when = 'client.tier == "platinum" or total > 100000'
""",
        PATH,
    )
    rules = policy.approval.rules()
    assert rules.escalate_after == timedelta(hours=6)
    (level,) = rules.levels
    assert (level.name, level.approver.users, level.quorum) == ("vp", ("U1", "U2"), "all")
    assert level.when.value({"client.tier": "platinum", "total": Decimal(1)})


def test_an_invalid_when_names_its_line() -> None:
    text = """[digest]
hour = 8

[[approval.levels]]
name = "manager"
approver = "manager"
when = "total >= 10000"

[[approval.levels]]
name = "finance"
approver = "role:finance"
when = "total >= 50000 or credt_headroom < 0"
"""
    with pytest.raises(PolicyFileError) as caught:
        parse_policy(text, PATH)
    message = str(caught.value)
    assert message.startswith("crmbot.toml:12: approval.levels.1.when")
    assert "unknown name 'credt_headroom'" in message and "column 19" in message


def test_a_bad_escalation_delay_is_refused() -> None:
    with pytest.raises(PolicyFileError, match=r"crmbot.toml:2: approval.escalate_after_hours"):
        parse_policy("[approval]\nescalate_after_hours = 0\n", PATH)


def test_approvers_never_include_the_requester() -> None:
    users = [
        User("M", "Boss", role=Role.MANAGER),
        User("R", "Rep", manager_slack_user_id="M"),
        User("F", "Fin", role=Role.FINANCE),
        User("A", "Admin", role=Role.ADMIN),
        User("N", "No boss"),
    ]
    assert approvers_of(Approver.parse("manager"), "R", users) == ("M",)
    assert approvers_of(Approver.parse("manager"), "N", users) == ("M",)  # the managers
    assert approvers_of(Approver.parse("users:R,F"), "R", users) == ("F",)
    assert approvers_of(Approver.parse("role:finance"), "F", users) == ("A",)  # admins


def test_quorum_all_waits_for_every_approver() -> None:
    chain = Chain(
        1,
        1,
        (ChainLevel("board", "all", ("A", "B")), ChainLevel("fin", "any", ("F",))),
        ChainFacts("Acme"),
        level_started_at=datetime(2026, 1, 1, tzinfo=UTC),
    )

    def decided(*who: tuple[str, Decision]) -> tuple[QuoteStatus, int]:
        at = chain.level_started_at
        return _next(chain, [ApprovalDecision(1, 1, "board", u, d, at, 1) for u, d in who])

    assert decided(("A", Decision.APPROVED)) == (QuoteStatus.PENDING, 1)
    assert decided(("A", Decision.APPROVED), ("B", Decision.APPROVED)) == (QuoteStatus.PENDING, 2)
    assert decided(("A", Decision.APPROVED), ("B", Decision.REJECTED)) == (QuoteStatus.REJECTED, 0)


def test_serve_refuses_to_start_on_a_bad_rule(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    policy = tmp_path / "crmbot.toml"
    policy.write_text('[[approval.levels]]\nname = "x"\napprover = "manager"\nwhen = "total >"\n')
    database = tmp_path / "crmbot.db"
    monkeypatch.setenv("CRMBOT_CONFIG", str(policy))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    assert main(["serve", "--no-scheduler", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"crmbot: {policy}:4: approval.levels.0.when")
    assert "expected a name, number or quoted text" in err and "Traceback" not in err
    assert not database.exists(), "nothing is opened before the policy is read"
