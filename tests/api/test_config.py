"""The policy file (CONTRACT §7): every key optional, and a bad file names its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Policy, PolicyFileError, load_policy

GOOD = """\
[digest]
hour = 7
days = ["mon", "wed", "fri"]

[risk]
alert_at = 70
rearm_below = 55

[[approval.levels]]                        # evaluated in order
name = "manager"
approver = "manager"
quorum = "any"
when = "discount_pct > 10 or total >= 10000"

[[approval.levels]]
name = "finance"
approver = "role:finance"
when = "total >= 50000 or credit_headroom < 0"

[[approval.levels]]
name = "board"
approver = "users:U123,U456"
quorum = "all"

[webhooks]
timeout_seconds = 3

[[webhooks.endpoints]]
url = "https://erp.example.com/crmbot"
secret = "s3cret"
events = ["quote.approved", "quote.rejected"]

[[webhooks.endpoints]]
name = "audit"
url = "http://10.0.0.5:8080/hook"
secret = "other"

[api]
requests_per_minute = 120
burst = 20
"""


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "crmbot.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, GOOD))
    assert (policy.digest.hour, policy.digest.days) == (7, ("mon", "wed", "fri"))
    assert (policy.risk.alert_at, policy.risk.rearm_below) == (70, 55)
    levels = policy.approval.levels
    assert levels is not None
    assert [(lv.name, lv.approver, lv.quorum) for lv in levels] == [
        ("manager", "manager", "any"),
        ("finance", "role:finance", "any"),
        ("board", "users:U123,U456", "all"),
    ]
    assert levels[0].when == "discount_pct > 10 or total >= 10000"  # kept as written
    first, audit = policy.webhook_endpoints()
    assert first.name.startswith("ep-") and first.events == {"quote.approved", "quote.rejected"}
    assert audit.name == "audit" and len(audit.events) == 6
    assert "s3cret" not in repr(first)
    assert (policy.api.requests_per_minute, policy.api.burst) == (120, 20)
    assert policy.webhooks.timeout_seconds == 3


def test_every_key_is_optional(tmp_path: Path) -> None:
    assert load_policy(None) == Policy()
    assert load_policy(write(tmp_path, "")) == Policy()
    policy = load_policy(write(tmp_path, "[digest]\nhour = 9\n"))
    assert (policy.digest.hour, policy.risk.alert_at, policy.approval.levels) == (9, 60, None)
    assert policy.webhook_endpoints() == () and policy.api.requests_per_minute == 600


def test_the_name_of_an_endpoint_is_stable(tmp_path: Path) -> None:
    one = load_policy(write(tmp_path, GOOD)).webhook_endpoints()[0].name
    swapped = GOOD.replace('name = "audit"', 'name = "audit2"')
    assert load_policy(write(tmp_path, swapped)).webhook_endpoints()[0].name == one


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("[digest]\nhour = 8\nhour = 9\n", 3, "not valid TOML"),
        ('[digest]\ndays = ["mon",\n', 2, "not valid TOML"),
        ("[digest]\nhour = 25\n", 2, "digest.hour"),
        ('[digest]\nhour = 8\ndays = ["mon", "someday"]\n', 3, "digest.days.1"),
        ("[risk]\nalert_at = 40\nrearm_below = 50\n", 1, "rearm_below"),
        ("\n[digest]\nhours = 8\n", 3, "digest.hours"),
        ("nonsense = true\n", 1, "nonsense"),
        (GOOD.replace('approver = "role:finance"', 'approver = "role:cfo"'), 17, "approver"),
        (GOOD.replace('quorum = "all"', 'quorum = "most"'), 23, "quorum"),
        (GOOD.replace('secret = "other"', ""), 33, "secret"),
        (GOOD.replace('"http://10.0.0.5:8080/hook"', '"ftp://x"'), 35, "url"),
        (GOOD.replace("burst = 20", "burst = 0"), 40, "api.burst"),
        (GOOD.replace('name = "audit"', 'name = "has spaces"'), 34, "name"),
    ],
)
def test_a_bad_file_names_its_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(PolicyFileError) as raised:
        load_policy(path)
    message = raised.value.user_message()
    assert message.startswith(f"{path}:{line}: "), message
    assert words in message
    assert raised.value.line == line


def test_a_missing_or_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="no such file"):
        load_policy(tmp_path / "nope.toml")
    with pytest.raises(PolicyFileError, match=r":2: not UTF-8"):
        load_policy(write(tmp_path, b"[digest]\nhour = \xff\n"))


def test_two_endpoints_with_one_name(tmp_path: Path) -> None:
    twice = GOOD.replace('name = "audit"', 'name = "a"') + (
        '\n[[webhooks.endpoints]]\nname = "a"\nurl = "http://x.example"\nsecret = "z"\n'
    )
    with pytest.raises(PolicyFileError, match="same name"):
        load_policy(write(tmp_path, twice))
