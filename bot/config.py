"""The policy file (CONTRACT §7, ``CRMBOT_CONFIG``): TOML read into one pydantic model.

Every key is optional; a missing file section keeps the built-in defaults. Unknown keys
are refused (a typo must not silently leave a default in force), and so is every value
of the wrong kind. Any such problem raises ``PolicyFileError``, whose message names the
file and the line: tomllib reports where it stopped; for a value pydantic refuses, the
line of the offending key is found by scanning the file's text (``_KeyLines``).

Approval levels' ``when`` rules are parsed at load (``domain/approvals/expr.py``), so a
rule that does not parse stops start-up with its line named, like any other bad value.
"""

from __future__ import annotations

import logging
import re
import tomllib
from datetime import timedelta
from hashlib import sha256
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.config_auto_tasks import AutoTasksPolicy
from bot.config_lines import KeyLines
from bot.config_scores import ScoresPolicy
from domain.approvals.expr import parse as parse_when
from domain.approvals.policy import ApprovalRules
from domain.approvals.policy import level as approval_level
from domain.approvals.policy import rules as approval_rules
from domain.errors import CrmError
from domain.model import Role
from domain.webhooks import EVENTS, Endpoint

logger = logging.getLogger(__name__)

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Event = Literal[
    "quote.approved",
    "quote.rejected",
    "quote.expired",
    "activity.logged",
    "task.completed",
    "client.risk_changed",
]
_NAME = r"^[A-Za-z0-9_-]{1,40}$"
_APPROVER = re.compile(r"manager|role:(?P<role>\w+)|users:(?P<users>[A-Z0-9]+(,[A-Z0-9]+)*)")


class PolicyFileError(CrmError, ValueError):
    """The policy file cannot be used; the message names the file and, when known, the line."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        self.path, self.line = path, line
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DigestPolicy(_Section):
    hour: int = Field(8, ge=0, le=23)
    days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")


class RiskPolicy(_Section):
    alert_at: int = Field(60, ge=0, le=100)
    rearm_below: int = Field(50, ge=0, le=100)
    max_alerts_per_day: int = Field(5, ge=0, le=1000)  # per user; the rest go in the digest

    @model_validator(mode="after")
    def _rearm_below_alert(self) -> RiskPolicy:
        if self.rearm_below > self.alert_at:
            raise ValueError("rearm_below must not be above alert_at")
        return self


class ApprovalLevel(_Section):
    name: str = Field(min_length=1, max_length=64)
    approver: str
    quorum: Literal["any", "all"] = "any"
    when: str = ""  # parsed at load (domain.approvals.expr): a bad rule stops start-up

    @field_validator("when")
    @classmethod
    def _parses(cls, value: str) -> str:
        parse_when(value)  # ExpressionError is a ValueError: pydantic names the key's line
        return value

    @field_validator("approver")
    @classmethod
    def _known_approver(cls, value: str) -> str:
        found = _APPROVER.fullmatch(value)
        if found is None:
            raise ValueError('expected "manager", "role:ROLE" or "users:U123,U456"')
        if found["role"] and found["role"] not in {r.value for r in Role}:
            raise ValueError("role must be one of " + ", ".join(r.value for r in Role))
        return value


class ApprovalPolicy(_Section):
    levels: tuple[ApprovalLevel, ...] | None = None  # None: the built-in levels
    escalate_after_hours: float = Field(24, gt=0, le=24 * 365)

    def rules(self) -> ApprovalRules:
        """The levels as the domain evaluates them (the built-in ones when none are set)."""
        levels = None
        if self.levels is not None:
            levels = [
                approval_level(lv.name, lv.approver, lv.when, lv.quorum) for lv in self.levels
            ]
        return approval_rules(levels, escalate_after=timedelta(hours=self.escalate_after_hours))


class WebhookEndpointConfig(_Section):
    url: str
    secret: str = Field(min_length=1)
    events: tuple[Event, ...] = EVENTS  # type: ignore[assignment]
    name: str | None = Field(None, pattern=_NAME)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("expected an http:// or https:// URL")
        return value

    def endpoint(self) -> Endpoint:
        # without a name, one derived from the URL: stable when endpoints are reordered
        name = self.name or "ep-" + sha256(self.url.encode()).hexdigest()[:10]
        return Endpoint(name=name, url=self.url, secret=self.secret, events=frozenset(self.events))


class WebhooksPolicy(_Section):
    timeout_seconds: float = Field(10.0, gt=0, le=25)
    endpoints: tuple[WebhookEndpointConfig, ...] = ()

    @model_validator(mode="after")
    def _unique_names(self) -> WebhooksPolicy:
        names = [e.endpoint().name for e in self.endpoints]
        if len(set(names)) != len(names):
            raise ValueError("two endpoints have the same name (or the same URL and no name)")
        return self


class ApiPolicy(_Section):
    """Rate limit per API token: a bucket of ``burst`` requests refilled at this rate."""

    requests_per_minute: int = Field(600, ge=1, le=1_000_000)
    burst: int = Field(60, ge=1, le=100_000)


class Policy(_Section):
    digest: DigestPolicy = DigestPolicy()
    risk: RiskPolicy = RiskPolicy()
    auto_tasks: AutoTasksPolicy = AutoTasksPolicy()
    approval: ApprovalPolicy = ApprovalPolicy()
    webhooks: WebhooksPolicy = WebhooksPolicy()
    api: ApiPolicy = ApiPolicy()
    scores: ScoresPolicy = ScoresPolicy()  # [scores] tiers: bot/config_scores.py

    def webhook_endpoints(self) -> tuple[Endpoint, ...]:
        return tuple(e.endpoint() for e in self.webhooks.endpoints)


def load_policy(path: Path | None) -> Policy:
    """The policy in ``path``, or the built-in defaults when there is no file to read."""
    if path is None:
        return Policy()
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise PolicyFileError(path, "no such file (CRMBOT_CONFIG names it)") from None
    except OSError as exc:
        raise PolicyFileError(path, f"cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise PolicyFileError(path, "not UTF-8 text", line) from None
    return parse_policy(text, path)


def parse_policy(text: str, path: Path) -> Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason = f"not valid TOML: {_toml_reason(exc)}"
        raise PolicyFileError(path, reason, _toml_line(exc, text)) from None
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = tuple(error["loc"])
        dotted = ".".join(str(p) for p in loc) or "(file)"
        line = KeyLines(text).line_of(loc)
        raise PolicyFileError(path, f"{dotted}: {error['msg']}", line) from None
    logger.info("policy file %s: %d webhook endpoint(s)", path, len(policy.webhooks.endpoints))
    return policy


_AT = re.compile(r"\s*\(at (line \d+, column \d+|end of document)\)$")


def _toml_line(exc: tomllib.TOMLDecodeError, text: str) -> int | None:
    """Where tomllib stopped; at the end of the document, the last line with text on it."""
    line = getattr(exc, "lineno", None)  # Python 3.14 has it; 3.11 puts it in the text
    if isinstance(line, int):
        return line
    found = re.search(r"at line (\d+)", str(exc))
    if found:
        return int(found.group(1))
    lines = text.splitlines()
    return max((n for n, t in enumerate(lines, 1) if t.strip()), default=None)


def _toml_reason(exc: tomllib.TOMLDecodeError) -> str:
    return _AT.sub("", getattr(exc, "msg", None) or str(exc))
