"""Builds the digest, risk-alert and auto-task services from the container's parts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.services.auto_tasks_rules import RuleSettings
from domain.services.digest import DigestService, DigestSettings
from domain.services.risk_alert_actions import RiskAlertActions
from domain.services.risk_alerts import RiskSettings

if TYPE_CHECKING:
    from bot.bootstrap import Container


def digest_service(container: Container) -> DigestService:
    """The digest: the policy file's ``[digest]`` for users who saved no settings, the
    approvals waiting on each user from the Approvals service."""
    from bot.notifier import notifier

    policy = container.policy.digest
    return DigestService(
        container.uow,
        notifier=notifier(),
        settings=DigestSettings(
            hour=policy.hour, days=tuple(policy.days), default_tz=container.settings.default_tz
        ),
        approvals=lambda: container.waiting_approvals,
    )


def risk_settings(container: Container) -> RiskSettings:
    risk = container.policy.risk
    return RiskSettings(
        alert_at=risk.alert_at,
        rearm_below=risk.rearm_below,
        max_per_day=risk.max_alerts_per_day,
        default_tz=container.settings.default_tz,
    )


def auto_task_rules(container: Container) -> dict[str, RuleSettings]:
    return container.policy.auto_tasks.rules()


def alert_actions(container: Container) -> RiskAlertActions:
    return RiskAlertActions(
        container.uow, clock=container.clock, default_tz=container.settings.default_tz
    )
